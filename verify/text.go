package verify

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Text descriptions of verify's reports, shared by calmcheck verify's
// text output and the HTML report.

// WorkloadSummary says which workloads the verification ran: "3 workloads
// generated from the schemas", "workload NAME" or "no workload".
func (vr *Report) WorkloadSummary() string {
	switch {
	case len(vr.Workloads) == 0:
		return "no workload"
	case vr.Workloads[0].Generated:
		return fmt.Sprintf("%d workload%s generated from the schemas", len(vr.Workloads), plural(len(vr.Workloads)))
	}
	return "workload " + vr.Workloads[0].Name
}

// Tried describes what was run without a difference (on how many
// workloads, when given).
func Tried(sched, orders int, exhaustive, empty bool, errors int, workloads ...int) string {
	var parts []string
	if sched > 0 {
		parts = append(parts, Thousands(sched)+" schedule"+plural(sched))
	}
	if orders > 0 {
		parts = append(parts, Thousands(orders)+" input order"+plural(orders))
	}
	s := strings.Join(parts, ", ")
	if len(workloads) > 0 && workloads[0] > 0 {
		s += fmt.Sprintf(" in %d workload%s", workloads[0], plural(workloads[0]))
	}
	if exhaustive {
		s += "; every delivery order in some workload"
	}
	if empty {
		s += "; the output was empty in every run of the input alone"
	}
	if errors > 0 {
		s += fmt.Sprintf("; %s run%s ended in a runtime error", Thousands(errors), plural(errors))
	}
	return s
}

// Thousands formats n with thousands separators.
func Thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Title says what the witness is and what it shows: "(schedule):
// confirms ...; CONTRADICTS ...".
func (wt *Witness) Title() string {
	var claims []string
	for _, c := range wt.Confirms {
		claims = append(claims, "confirms "+c.String())
	}
	for _, c := range wt.Contradicts {
		claims = append(claims, "CONTRADICTS "+c.String())
	}
	return fmt.Sprintf("(%s): %s", wt.Kind, strings.Join(claims, "; "))
}

// WriteText describes the witness, one fact a line, each line starting
// with indent: where it was found, its inputs, each execution's
// deliveries, and the output facts only one of them has.
func (wt *Witness) WriteText(w io.Writer, indent string) {
	fmt.Fprintf(w, indent+"found in %s of workload %s; minimized from %d input%s and %d message%s to %d and %d (%d executions)\n",
		wt.Found, wt.Workload, wt.Before.Inputs, plural(wt.Before.Inputs), wt.Before.Messages, plural(wt.Before.Messages),
		len(wt.B.Inputs), wt.B.Messages(), wt.MinimizeRuns)
	if wt.Note != "" {
		fmt.Fprintf(w, indent+"why: %s\n", wt.Note)
	}
	if len(wt.Facts) > 0 {
		fmt.Fprintln(w, indent+"initial facts")
		for _, f := range wt.Facts {
			fmt.Fprintf(w, indent+"  %s  %s\n", f.Node, f.Fact)
		}
	}
	inputs := func(title string, ins []WFact) {
		fmt.Fprintf(w, indent+"%s\n", title)
		for _, in := range ins {
			fmt.Fprintf(w, indent+"  t%-3d %s  %s\n", in.Tick, in.Node, in.Fact)
		}
		if len(ins) == 0 {
			fmt.Fprintln(w, indent+"  (none)")
		}
	}
	if wt.Kind == "input order" {
		inputs("inputs of A", wt.A.Inputs)
		inputs("inputs of B (the facts of "+wt.Input+" in another order)", wt.B.Inputs)
	} else {
		inputs("inputs (both executions)", wt.A.Inputs)
	}
	for i, x := range []*Execution{&wt.A, &wt.B} {
		name := []string{"A", "B"}[i]
		desc := "every message in the next timestep"
		if n := len(x.Delays); n > 0 {
			desc = fmt.Sprintf("the schedule delays %d message%s", n, plural(n))
		}
		fmt.Fprintf(w, indent+"execution %s: %s; %d message%s, quiescent after %d ticks\n", name, desc, x.Messages(), plural(x.Messages()), x.Ticks)
		for _, m := range x.Deliveries {
			late := ""
			if _, ok := x.Delays[m.Key()]; ok {
				late = "  (delayed)"
			}
			fmt.Fprintf(w, indent+"  t%d -> t%d  %s -> %s  %s%s\n", m.Sent, m.Arrives, m.From, m.To, m.Fact, late)
		}
	}
	rules := map[int]RuleInfo{}
	for _, r := range wt.Rules {
		rules[r.Index] = r
	}
	for _, in := range []string{"A", "B"} {
		var ds []Diff
		for _, d := range wt.Differs {
			if d.In == in {
				ds = append(ds, d)
			}
		}
		if len(ds) == 0 {
			continue
		}
		fmt.Fprintf(w, indent+"output facts only in %s\n", in)
		for _, d := range ds {
			fmt.Fprintf(w, indent+"  %s  %s\n", d.Node, d.Fact)
			var through []string
			for _, r := range d.Rules {
				if ri, ok := rules[r]; ok && ri.Point {
					through = append(through, fmt.Sprintf("%s (%s)", ri.Pos, ri.Text))
				}
			}
			sort.Strings(through)
			if len(through) > 0 {
				fmt.Fprintf(w, indent+"    derived through the point of order %s\n", strings.Join(through, ", "))
			}
		}
	}
}
