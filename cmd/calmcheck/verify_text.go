package main

import (
	"fmt"
	"io"
	"path/filepath"
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

func writeVerifyProgram(w io.Writer, vr *verify.Report, dir string) {
	fmt.Fprintf(w, "program %s: %s, seed %d, %s executions per experiment (%s)\n", vr.Program, vr.WorkloadSummary(), vr.Seed, verify.Thousands(vr.Schedules), vr.Explore)
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
		note := verify.Tried(f.Schedules, f.Orders, false, false, f.Errors, f.Workloads)
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
		check := string(f.Check)
		if f.Path != "" {
			check += " (" + f.Path + ")" // rows at one place name their pair
		}
		rows = append(rows, []string{f.Pos.String(), check, verdict, dash(f.Witness), note})
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
		note := verify.Tried(p.Schedules, p.Orders, p.Exhaustive, p.Empty, p.Errors, p.Workloads)
		switch p.Verdict {
		case verify.Confirmed:
			note = ""
		case verify.NotTested:
			note = p.Why
		}
		if p.Stale > 0 {
			note = strings.TrimPrefix(note+fmt.Sprintf("; %d divergence%s stale (snapshot reads: allowed)", p.Stale, plural(p.Stale)), "; ")
		}
		label := p.Label
		if p.Effective != "" && p.Effective != p.Label {
			label += "->" + p.Effective
			note = strings.TrimPrefix(note+"; covered ("+p.Covered+"): holds if the workload follows it", "; ")
		}
		rows = append(rows, []string{out, p.From, label, string(p.Verdict), dash(p.Witness), note})
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

// writeWitnessText prints a witness as calmcheck verify does, with where
// its replay file and diagram are (when written to dir).
func writeWitnessText(w io.Writer, vr *verify.Report, wt *verify.Witness, dir string) {
	fmt.Fprintf(w, "  witness %s %s\n", wt.ID, wt.Title())
	wt.WriteText(w, "    ")
	if dir != "" {
		base := filepath.Join(dir, fileName(vr.Program)+"-"+wt.ID)
		fmt.Fprintf(w, "    replay: calmcheck run --replay %s.json; diagram: %s.svg\n", base, base)
	}
}
