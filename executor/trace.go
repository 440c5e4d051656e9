package executor

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Trace is the record of a run, timestep by timestep. Tick 0 holds the
// workload's initial facts.
type Trace struct {
	Ticks []TickTrace `json:"ticks"`
}

// TickTrace is what happened in one timestep, per node (nodes where
// nothing happened are left out).
type TickTrace struct {
	Tick  int         `json:"tick"`
	Nodes []NodeTrace `json:"nodes"`
}

// NodeTrace is what happened at one node in one timestep. Every list is
// sorted (facts in value order).
type NodeTrace struct {
	Node      string     `json:"node"`
	Delivered []Delivery `json:"delivered,omitempty"`
	Inputs    []Fact     `json:"inputs,omitempty"`
	Timers    []Fact     `json:"timers,omitempty"`
	Deleted   []Fact     `json:"deleted,omitempty"`  // table facts removed
	Inserted  []Fact     `json:"inserted,omitempty"` // table facts added
	Outputs   []Fact     `json:"outputs,omitempty"`
	Sent      []Send     `json:"sent,omitempty"`
}

// Delivery is a message that arrived.
type Delivery struct {
	From string `json:"from"`
	Sent int    `json:"sent"`
	Fact Fact   `json:"fact"`
}

// Send is a message handed to the network: the timesteps its copies
// arrive at, and how many copies were lost.
type Send struct {
	To      string `json:"to"`
	Fact    Fact   `json:"fact"`
	Arrives []int  `json:"arrives"`
	Dropped int    `json:"dropped,omitempty"`
}

// MarshalJSON renders a fact as {"collection": ..., "args": [...]}.
func (f Fact) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteString(`{"collection":`)
	name, _ := json.Marshal(f.Collection)
	b.Write(name)
	b.WriteString(`,"args":[`)
	for i, a := range f.Args {
		if i > 0 {
			b.WriteByte(',')
		}
		a.writeJSON(&b)
	}
	b.WriteString("]}")
	return []byte(b.String()), nil
}

func sortFacts(fs []Fact) {
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Compare(fs[j]) < 0 })
}

func (r *run) sortTrace(tt *TickTrace) {
	kept := tt.Nodes[:0]
	for _, n := range tt.Nodes {
		if len(n.Delivered)+len(n.Inputs)+len(n.Timers)+len(n.Deleted)+len(n.Inserted)+len(n.Outputs)+len(n.Sent) > 0 {
			kept = append(kept, n)
		}
	}
	tt.Nodes = kept
	if tt.Nodes == nil {
		tt.Nodes = []NodeTrace{}
	}
	for i := range tt.Nodes {
		n := &tt.Nodes[i]
		sort.SliceStable(n.Delivered, func(a, b int) bool {
			x, y := n.Delivered[a], n.Delivered[b]
			if c := x.Fact.Compare(y.Fact); c != 0 {
				return c < 0
			}
			if x.From != y.From {
				return x.From < y.From
			}
			return x.Sent < y.Sent
		})
		sortFacts(n.Inputs)
		sortFacts(n.Timers)
		sortFacts(n.Deleted)
		sortFacts(n.Inserted)
		sortFacts(n.Outputs)
		sort.SliceStable(n.Sent, func(a, b int) bool {
			x, y := n.Sent[a], n.Sent[b]
			if x.To != y.To {
				return x.To < y.To
			}
			return x.Fact.Compare(y.Fact) < 0
		})
	}
}

// WriteText writes the trace, one line per event:
//
//	tick 3
//	  r1  deliver  action_msg("r1", "client", 7, "apple", "A", 1)  from client, sent at 1
//	  r1  +        cart_action(7, "apple", "A", 1)
func (t *Trace) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, tt := range t.Ticks {
		if len(tt.Nodes) == 0 {
			continue
		}
		if tt.Tick == 0 {
			b.WriteString("initial facts\n")
		} else {
			fmt.Fprintf(&b, "tick %d\n", tt.Tick)
		}
		width := 0
		for _, n := range tt.Nodes {
			width = max(width, len(n.Node))
		}
		for _, n := range tt.Nodes {
			line := func(what, text string) {
				fmt.Fprintf(&b, "  %-*s  %-7s  %s\n", width, n.Node, what, text)
			}
			for _, d := range n.Delivered {
				line("deliver", fmt.Sprintf("%s  from %s, sent at %d", d.Fact, d.From, d.Sent))
			}
			for _, f := range n.Inputs {
				line("input", f.String())
			}
			for _, f := range n.Timers {
				line("timer", f.String())
			}
			for _, f := range n.Deleted {
				line("-", f.String())
			}
			for _, f := range n.Inserted {
				line("+", f.String())
			}
			for _, f := range n.Outputs {
				line("output", f.String())
			}
			for _, s := range n.Sent {
				line("send", fmt.Sprintf("%s  to %s, %s", s.Fact, s.To, describeFate(s)))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func describeFate(s Send) string {
	var parts []string
	for _, a := range s.Arrives {
		parts = append(parts, fmt.Sprintf("arrives at %d", a))
	}
	switch s.Dropped {
	case 0:
	case 1:
		parts = append(parts, "a copy lost")
	default:
		parts = append(parts, fmt.Sprintf("%d copies lost", s.Dropped))
	}
	if len(s.Arrives) == 0 && s.Dropped == 1 {
		return "lost"
	}
	return strings.Join(parts, ", ")
}
