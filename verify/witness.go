package verify

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
)

// Witness is two executions of a program whose outputs differ: the same
// inputs under two network schedules (Kind "schedule"), or the same
// network with the inputs of one collection in two orders (Kind "input
// order"). It is what a confirmed finding (or a contradiction) shows, and
// what a replay file holds.
type Witness struct {
	ID      string `json:"id"`
	Program string `json:"program"`
	Kind    string `json:"kind"`
	// Input is the input whose order differs (input order), or that the
	// workload was restricted to (a contradiction).
	Input string `json:"input,omitempty"`
	// Confirms lists what the witness confirms; Contradicts what it
	// refutes (a label that said the output could not diverge).
	Confirms    []Claim `json:"confirms,omitempty"`
	Contradicts []Claim `json:"contradicts,omitempty"`
	// Workload and Found say where it was found: the workload and the
	// variant (e.g. "random schedule 17").
	Workload string `json:"workload"`
	Found    string `json:"found"`
	// Before counts the inputs and messages (of execution B) before
	// minimization; MinimizeRuns the executions minimization took.
	Before       Size       `json:"before"`
	MinimizeRuns int        `json:"minimize_runs"`
	Nodes        []string   `json:"nodes"`
	Facts        []WFact    `json:"facts"`
	MaxTicks     int        `json:"max_ticks"`
	A            Execution  `json:"a"`
	B            Execution  `json:"b"`
	Differs      []Diff     `json:"differs"`
	Rules        []RuleInfo `json:"rules,omitempty"`
	// Note explains a contradiction, when a rule of the program explains
	// it (see ephemeralJoins).
	Note string `json:"note,omitempty"`
}

// Size is the size of an execution.
type Size struct {
	Inputs   int `json:"inputs"`
	Messages int `json:"messages"`
}

// Claim is a finding or a pair a witness is about.
type Claim struct {
	Kind        string `json:"kind"` // "finding" or "path"
	Check       string `json:"check,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Pos         string `json:"pos,omitempty"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	Label       string `json:"label,omitempty"`
}

func (c Claim) String() string {
	if c.Kind == "path" {
		return fmt.Sprintf("path %s -> %s (%s)", c.From, c.To, c.Label)
	}
	return fmt.Sprintf("%s at %s", c.Check, c.Pos)
}

// Execution is one of a witness's two runs: its inputs, its schedule
// (the delays that are not one timestep, by message key), and what
// happened: every message with when it was sent and delivered, every
// output fact with its timestep.
type Execution struct {
	Inputs     []WFact        `json:"inputs"`
	Delays     map[string]int `json:"delays"`
	Deliveries []WMessage     `json:"deliveries"`
	Outputs    []WFact        `json:"outputs"`
	Ticks      int            `json:"ticks"`
}

// WFact is a fact at a node (at a timestep, for inputs and outputs),
// written as in workload files.
type WFact struct {
	Node string `json:"node"`
	Tick int    `json:"tick,omitempty"`
	Fact string `json:"fact"`
}

// WMessage is a delivered message.
type WMessage struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Fact    string `json:"fact"`
	Seq     int    `json:"seq"`
	Sent    int    `json:"sent"`
	Arrives int    `json:"arrives"`
}

// Key is the message's key (executor.Message.Key).
func (m WMessage) Key() string { return executor.MessageKey(m.From, m.To, m.Fact, m.Seq) }

// Diff is an output fact only one execution has, with its lineage there.
type Diff struct {
	Node   string   `json:"node"`
	Fact   string   `json:"fact"`
	In     string   `json:"in"` // "A" or "B"
	Rules  []int    `json:"rules"`
	Inputs []string `json:"inputs"`
}

// RuleInfo describes a rule a witness mentions (by index in the program's
// rules): its text and position (for a confirmed point of order, the
// finding's position).
type RuleInfo struct {
	Index int    `json:"index"`
	Text  string `json:"text"`
	Pos   string `json:"pos"`
	Point bool   `json:"point_of_order,omitempty"` // the rule of a confirmed point of order
}

func wfacts(fs []executor.WorkloadFact, ticks bool) []WFact {
	out := make([]WFact, 0, len(fs))
	for _, f := range fs {
		w := WFact{Node: f.Node, Fact: f.Fact.String()}
		if ticks {
			w.Tick = f.Tick
		}
		out = append(out, w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Tick < out[j].Tick })
	return out
}

func parseWFacts(ws []WFact, what string) ([]executor.WorkloadFact, error) {
	out := make([]executor.WorkloadFact, 0, len(ws))
	for i, w := range ws {
		f, err := executor.ParseFact(w.Fact)
		if err != nil {
			return nil, fmt.Errorf("%s %d (%s): %s", what, i+1, w.Fact, err.Msg)
		}
		out = append(out, executor.WorkloadFact{Node: w.Node, Tick: w.Tick, Fact: f, Pos: modules.Pos{File: what}})
	}
	return out, nil
}

// execution records a run of a witness.
func execution(inputs []executor.WorkloadFact, d delays, res *executor.Result) Execution {
	x := Execution{Inputs: wfacts(inputs, true), Delays: map[string]int{}, Deliveries: []WMessage{}, Outputs: []WFact{}, Ticks: res.Ticks}
	for k, v := range d {
		if v != 1 {
			x.Delays[k] = v
		}
	}
	for _, m := range res.Deliveries {
		x.Deliveries = append(x.Deliveries, WMessage{From: m.From, To: m.To, Fact: m.Fact.String(), Seq: m.Seq, Sent: m.Sent, Arrives: m.Arrives})
	}
	for _, n := range res.Nodes {
		for _, o := range n.Outputs {
			x.Outputs = append(x.Outputs, WFact{Node: n.Node, Tick: o.Tick, Fact: o.Fact.String()})
		}
	}
	return x
}

// Messages is the number of messages an execution sent.
func (x *Execution) Messages() int { return len(x.Deliveries) }

// ReplayFormat names the format of replay files.
const ReplayFormat = "calmcheck-replay/1"

// ReplayFile is a witness saved for `calmcheck run --replay`: the program
// (a program name, or modules), the spec paths it was loaded from
// besides the built-in library, and the witness with both executions'
// exact delivery orders.
type ReplayFile struct {
	Format  string   `json:"format"`
	Program string   `json:"program,omitempty"`
	Modules []string `json:"modules,omitempty"`
	Specs   []string `json:"specs,omitempty"`
	Seed    uint64   `json:"seed"`
	Witness *Witness `json:"witness"`
}

// Marshal renders the replay file as indented JSON.
func (rf *ReplayFile) Marshal() []byte {
	data, err := json.MarshalIndent(rf, "", "  ")
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	return append(data, '\n')
}

// ParseReplay reads a replay file.
func ParseReplay(data []byte) (*ReplayFile, error) {
	var rf ReplayFile
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&rf); err != nil {
		return nil, fmt.Errorf("not a replay file: %v", err)
	}
	if rf.Format != ReplayFormat {
		return nil, fmt.Errorf("not a replay file (format %q, want %q)", rf.Format, ReplayFormat)
	}
	if rf.Witness == nil || len(rf.Witness.Nodes) == 0 {
		return nil, fmt.Errorf("the replay file has no witness or no nodes")
	}
	if rf.Program == "" && len(rf.Modules) == 0 {
		return nil, fmt.Errorf("the replay file names no program and no modules")
	}
	return &rf, nil
}

// Runs returns the workloads and schedules of the witness's two
// executions.
func (rf *ReplayFile) Runs() (a, b *executor.Workload, sa, sb *executor.Schedule, err error) {
	w := rf.Witness
	facts, err := parseWFacts(w.Facts, "fact")
	if err != nil {
		return nil, nil, nil, nil, err
	}
	mk := func(x *Execution, name string) (*executor.Workload, *executor.Schedule, error) {
		inputs, err := parseWFacts(x.Inputs, "input of "+name)
		if err != nil {
			return nil, nil, err
		}
		wl := &executor.Workload{Name: w.ID + "-" + name, File: "replay", Program: rf.Program, Nodes: w.Nodes, Facts: facts, Inputs: inputs,
			Network: executor.NetworkSpec{Policy: executor.PolicyFIFO, Delay: [2]int{1, 1}}, MaxTicks: w.MaxTicks}
		for _, m := range rf.Modules {
			wl.Modules = append(wl.Modules, modules.Ref{Name: m})
		}
		if rf.Program != "" {
			wl.Modules = nil
		}
		s := &executor.Schedule{Delays: map[string]int{}, Default: 1}
		for _, m := range x.Deliveries {
			if m.Arrives > m.Sent {
				s.Delays[m.Key()] = m.Arrives - m.Sent
			}
		}
		return wl, s, nil
	}
	if a, sa, err = mk(&w.A, "A"); err != nil {
		return
	}
	b, sb, err = mk(&w.B, "B")
	return
}

// Check compares a replayed run with the recorded execution: the same
// deliveries (sender, receiver, fact, timesteps) and output facts. It
// returns what differs (nothing when the replay is exact).
func (x *Execution) Check(res *executor.Result) []string {
	var out []string
	got := execution(nil, nil, res)
	rec := map[string]WMessage{}
	for _, m := range x.Deliveries {
		rec[m.Key()] = m
	}
	for _, m := range got.Deliveries {
		r, ok := rec[m.Key()]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("message %s (sent at %d) is not in the record", m.Key(), m.Sent))
		case r.Sent != m.Sent || r.Arrives != m.Arrives:
			out = append(out, fmt.Sprintf("message %s: sent at %d and delivered at %d, recorded %d and %d", m.Key(), m.Sent, m.Arrives, r.Sent, r.Arrives))
		}
		delete(rec, m.Key())
	}
	var missing []string
	for k := range rec {
		missing = append(missing, k)
	}
	sort.Strings(missing)
	for _, k := range missing {
		out = append(out, fmt.Sprintf("recorded message %s was not sent", k))
	}
	key := func(ws []WFact) string {
		var s []string
		for _, w := range ws {
			s = append(s, fmt.Sprintf("%s %d %s", w.Node, w.Tick, w.Fact))
		}
		sort.Strings(s)
		return strings.Join(s, "\n")
	}
	if key(got.Outputs) != key(x.Outputs) {
		out = append(out, "the output facts differ from the record")
	}
	return out
}
