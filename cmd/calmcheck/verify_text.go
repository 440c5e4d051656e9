package main

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/lint"
	"github.com/calmcheck/calmcheck/verify"
)

// writeVerifyText prints, per program, the verdicts on its findings and
// pairs and its witnesses.
func writeVerifyText(w io.Writer, rep *lint.Report, vreps []*verify.Report, dir string) {
	for i, vr := range vreps {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeVerifyProgram(w, vr, dir)
	}
	var conf, notRep, notTested, pathsNotTested, contra, broken int
	for _, vr := range vreps {
		for _, f := range vr.Findings {
			switch f.Verdict {
			case verify.Confirmed:
				conf++
			case verify.NotReproduced:
				notRep++
			case verify.NotTested:
				notTested++
			}
			if f.Broken != "" {
				broken++
			}
		}
		for _, p := range vr.Paths {
			switch p.Verdict {
			case verify.Contradiction:
				contra++
			case verify.NotTested:
				pathsNotTested++
			}
		}
	}
	fmt.Fprintf(w, "\n%d program%s: %d finding%s confirmed, %d not reproduced, %d not tested; %d pair%s not tested; %d contradiction%s",
		len(vreps), plural(len(vreps)), conf, plural(conf), notRep, notTested, pathsNotTested, plural(pathsNotTested), contra, plural(contra))
	if broken > 0 {
		fmt.Fprintf(w, "; %d broken seal%s or coordination%s", broken, plural(broken), plural(broken))
	}
	fmt.Fprintln(w)
}

// workloadSummary says which workloads a verification ran: "3 workloads
// generated from the schemas", "workload NAME" or "no workload".
func workloadSummary(vr *verify.Report) string {
	switch {
	case len(vr.Workloads) == 0:
		return "no workload"
	case vr.Workloads[0].Generated:
		return fmt.Sprintf("%d workload%s generated from the schemas", len(vr.Workloads), plural(len(vr.Workloads)))
	}
	return "workload " + vr.Workloads[0].Name
}

func writeVerifyProgram(w io.Writer, vr *verify.Report, dir string) {
	fmt.Fprintf(w, "program %s: %s, seed %d, %s executions per experiment (%s)\n", vr.Program, workloadSummary(vr), vr.Seed, thousands(vr.Schedules), vr.Explore)
	for _, wl := range vr.Workloads {
		cov := ""
		if wl.RulesTotal > 0 {
			cov = fmt.Sprintf("; its baseline run reached %d of %d rule%s", wl.Rules, wl.RulesTotal, plural(wl.RulesTotal))
		}
		fmt.Fprintf(w, "  workload %s: nodes %s, %d initial fact%s, %d input%s%s\n", wl.Name, strings.Join(wl.Nodes, ", "), wl.Facts, plural(wl.Facts), wl.Inputs, plural(wl.Inputs), cov)
		if wl.Note != "" {
			fmt.Fprintf(w, "    skipped %s\n", wl.Note)
		}
	}
	var rows [][]string
	for _, f := range vr.Findings {
		if f.Verdict == verify.NotChecked {
			continue
		}
		note := tried(f.Schedules, f.Orders, false, false, f.Errors, f.Workloads)
		switch f.Verdict {
		case verify.Confirmed:
			note = ""
		case verify.NotTested:
			note = f.Why
		}
		verdict := string(f.Verdict)
		if f.Broken != "" {
			verdict = "confirmed: " + strings.ToUpper(f.Broken)
			note = "the declaration that covers it does not hold"
		}
		if f.Expected {
			note = strings.TrimSpace(note + " (expected)")
		}
		if f.Acknowledged != "" {
			note = strings.TrimSpace(note + " (acknowledged: " + f.Acknowledged + ")")
		}
		rows = append(rows, []string{f.Pos.String(), f.Check, verdict, dash(f.Witness), note})
	}
	if len(rows) > 0 {
		fmt.Fprintln(w, "  findings")
		verifyTable(w, "    ", []string{"WHERE", "CHECK", "VERDICT", "WITNESS", "TRIED"}, rows)
	} else {
		fmt.Fprintln(w, "  findings: none to verify (no point of order, no diffluent path)")
	}
	rows = nil
	last := ""
	for _, p := range vr.Paths {
		out := p.To
		if out == last {
			out = ""
		}
		last = p.To
		note := tried(p.Schedules, p.Orders, p.Exhaustive, p.Empty, p.Errors, p.Workloads)
		switch p.Verdict {
		case verify.Confirmed:
			note = ""
		case verify.NotTested:
			note = p.Why
		}
		label := p.Label
		if p.Effective != "" && p.Effective != p.Label {
			label += "->" + p.Effective
			note = strings.TrimPrefix(note+"; covered ("+p.Covered+"): holds if the workload follows it", "; ")
		}
		rows = append(rows, []string{out, p.From, label, strings.ToUpper(string(p.Verdict)[:1]) + string(p.Verdict)[1:], dash(p.Witness), note})
		if p.Verdict == verify.Contradiction {
			rows[len(rows)-1][3] = "CONTRADICTION"
		}
	}
	if len(rows) > 0 {
		fmt.Fprintln(w, "  paths")
		verifyTable(w, "    ", []string{"OUTPUT", "INPUT", "LABEL", "VERDICT", "WITNESS", "TRIED"}, rows)
	} else {
		fmt.Fprintln(w, "  paths: none (no input reaches an output)")
	}
	if len(vr.Errors) > 0 {
		fmt.Fprintln(w, "  runs that ended in a runtime error (not compared)")
		for _, e := range vr.Errors {
			fmt.Fprintf(w, "    %s\n", e)
		}
	}
	for _, wt := range vr.Witnesses {
		writeWitnessText(w, vr, wt, dir)
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// tried describes what was run without a difference (on how many
// workloads, when given).
func tried(sched, orders int, exhaustive, empty bool, errors int, workloads ...int) string {
	var parts []string
	if sched > 0 {
		parts = append(parts, thousands(sched)+" schedule"+plural(sched))
	}
	if orders > 0 {
		parts = append(parts, thousands(orders)+" input order"+plural(orders))
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
		s += fmt.Sprintf("; %s run%s ended in a runtime error", thousands(errors), plural(errors))
	}
	return s
}

// thousands formats n with thousands separators.
func thousands(n int) string {
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

// verifyTable prints rows in aligned columns.
func verifyTable(w io.Writer, indent string, head []string, rows [][]string) {
	width := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], len(c))
		}
	}
	for _, r := range append([][]string{head}, rows...) {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
			} else {
				fmt.Fprintf(&b, "%-*s  ", width[i], c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

func writeWitnessText(w io.Writer, vr *verify.Report, wt *verify.Witness, dir string) {
	var claims []string
	for _, c := range wt.Confirms {
		claims = append(claims, "confirms "+c.String())
	}
	for _, c := range wt.Contradicts {
		claims = append(claims, "CONTRADICTS "+c.String())
	}
	fmt.Fprintf(w, "  witness %s (%s): %s\n", wt.ID, wt.Kind, strings.Join(claims, "; "))
	fmt.Fprintf(w, "    found in %s of workload %s; minimized from %d input%s and %d message%s to %d and %d (%d executions)\n",
		wt.Found, wt.Workload, wt.Before.Inputs, plural(wt.Before.Inputs), wt.Before.Messages, plural(wt.Before.Messages),
		len(wt.B.Inputs), wt.B.Messages(), wt.MinimizeRuns)
	if wt.Note != "" {
		fmt.Fprintf(w, "    why: %s\n", wt.Note)
	}
	if len(wt.Facts) > 0 {
		fmt.Fprintln(w, "    initial facts")
		for _, f := range wt.Facts {
			fmt.Fprintf(w, "      %s  %s\n", f.Node, f.Fact)
		}
	}
	inputs := func(title string, ins []verify.WFact) {
		fmt.Fprintf(w, "    %s\n", title)
		for _, in := range ins {
			fmt.Fprintf(w, "      t%-3d %s  %s\n", in.Tick, in.Node, in.Fact)
		}
		if len(ins) == 0 {
			fmt.Fprintln(w, "      (none)")
		}
	}
	if wt.Kind == "input order" {
		inputs("inputs of A", wt.A.Inputs)
		inputs("inputs of B (the facts of "+wt.Input+" in another order)", wt.B.Inputs)
	} else {
		inputs("inputs (both executions)", wt.A.Inputs)
	}
	for i, x := range []*verify.Execution{&wt.A, &wt.B} {
		name := []string{"A", "B"}[i]
		desc := "every message in the next timestep"
		if n := len(x.Delays); n > 0 {
			desc = fmt.Sprintf("the schedule delays %d message%s", n, plural(n))
		}
		fmt.Fprintf(w, "    execution %s: %s; %d message%s, quiescent after %d ticks\n", name, desc, x.Messages(), plural(x.Messages()), x.Ticks)
		for _, m := range x.Deliveries {
			late := ""
			if _, ok := x.Delays[m.Key()]; ok {
				late = "  (delayed)"
			}
			fmt.Fprintf(w, "      t%d -> t%d  %s -> %s  %s%s\n", m.Sent, m.Arrives, m.From, m.To, m.Fact, late)
		}
	}
	rules := map[int]verify.RuleInfo{}
	for _, r := range wt.Rules {
		rules[r.Index] = r
	}
	for _, in := range []string{"A", "B"} {
		var ds []verify.Diff
		for _, d := range wt.Differs {
			if d.In == in {
				ds = append(ds, d)
			}
		}
		if len(ds) == 0 {
			continue
		}
		fmt.Fprintf(w, "    output facts only in %s\n", in)
		for _, d := range ds {
			fmt.Fprintf(w, "      %s  %s\n", d.Node, d.Fact)
			var through []string
			for _, r := range d.Rules {
				if ri, ok := rules[r]; ok && ri.Point {
					through = append(through, fmt.Sprintf("%s (%s)", ri.Pos, ri.Text))
				}
			}
			sort.Strings(through)
			if len(through) > 0 {
				fmt.Fprintf(w, "        derived through the point of order %s\n", strings.Join(through, ", "))
			}
		}
	}
	if dir != "" {
		base := filepath.Join(dir, fileName(vr.Program)+"-"+wt.ID)
		fmt.Fprintf(w, "    replay: calmcheck run --replay %s.json; diagram: %s.svg\n", base, base)
	}
}
