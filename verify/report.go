package verify

import (
	"fmt"
	"time"

	"github.com/calmcheck/calmcheck/monotonic"
)

// report assembles the verdicts.
func (v *verifier) report() *Report {
	r := &Report{Program: v.prog.Name, Seed: v.opts.Seed, Schedules: v.opts.Schedules, Explore: v.opts.Explore,
		Workloads: v.wrep, Witnesses: v.witnesses, Runs: v.runs.Load(), Elapsed: time.Since(v.start), FirstWitness: v.first}
	var all errTally
	for _, e := range v.exps {
		all.merge(&e.errs)
		if e.note != "" {
			for i := range r.Workloads {
				if r.Workloads[i].Name == e.wl.name && r.Workloads[i].Note == "" {
					r.Workloads[i].Note = e.name + ": " + e.note
				}
			}
		}
	}
	r.Errors = all.sorted()
	for _, ps := range v.paths {
		pr := PathReport{From: ps.from, To: ps.to, Label: ps.label.String(), Effective: ps.effective.String(), Covered: ps.covered,
			Schedules: ps.schedules, Orders: ps.orders, Workloads: len(ps.workloads),
			Exhaustive: ps.exhaustive, Errors: ps.errors, ErrorKinds: ps.errs.sorted(), Verdict: NotReproduced}
		switch ps.label {
		case monotonic.D:
			pr.How = "schedules, all inputs"
		case monotonic.N:
			pr.How = "input orders, all inputs; schedules, " + ps.from + " alone"
		case monotonic.A:
			pr.How = "schedules, " + ps.from + " alone"
		default:
			pr.How = "schedules and input orders, " + ps.from + " alone"
		}
		pr.Empty = ps.isoRuns > 0 && ps.isoFull == 0
		pr.Stale = ps.stale
		if f := ps.contra; f != nil {
			pr.Verdict = Contradiction
			if f.w != nil {
				pr.Witness = f.w.ID
			}
		} else if f := ps.found; f != nil {
			pr.Verdict = Confirmed
			if f.w != nil {
				pr.Witness = f.w.ID
			}
		} else if ps.fed == 0 {
			pr.Verdict, pr.Why = NotTested, fmt.Sprintf("no workload has facts of %s: give one that does (--workload)", ps.from)
		} else if why := untested(&ps.tally, ps.from); why != "" {
			pr.Verdict, pr.Why = NotTested, why
		} else if ps.label == monotonic.N && ps.orders == 0 {
			// Only its input alone was tried: the experiment that
			// could confirm an N pair (its input's facts in another
			// order, every other input fixed) never ran.
			pr.Verdict, pr.Why = NotTested, fmt.Sprintf("no workload has two facts of %s to put in another order (an N pair diverges by the order of its input's facts): give one that does (--workload)", ps.from)
		} else if ps.nonempty == 0 {
			pr.Verdict, pr.Why = NotTested, fmt.Sprintf("%s was empty in every run (%s compared): the workloads never produce it; give a workload whose inputs lead to it (--workload)", ps.to, count(ps.compared))
		}
		r.Paths = append(r.Paths, pr)
	}
	for _, fs := range v.finds {
		f := &fs.f
		fr := FindingReport{Check: f.Check, Pos: f.Pos, Message: f.Message, Fingerprint: f.Fingerprint, Expected: f.Expected,
			Acknowledged: f.Acknowledged, Verdict: NotChecked}
		switch {
		case fs.rule >= 0:
			fr.Schedules, fr.Orders, fr.Workloads = fs.schedules, fs.orders, len(fs.workloads)
			fr.Errors, fr.ErrorKinds = fs.errors, fs.errs.sorted()
			fr.Verdict = NotReproduced
			if fs.brokenFound != nil {
				// Confirmed with the seal kept: its witness is the one
				// that shows the seal broken.
				fs.found = fs.brokenFound
				fr.Broken = fs.broken
			}
			if fs.found != nil {
				fr.Verdict = Confirmed
				if fs.found.w != nil {
					fr.Witness = fs.found.w.ID
				}
			} else if fs.schedules+fs.orders == 0 {
				fr.Verdict, fr.Why = NotTested, "no experiment ran (no workload has inputs)"
			} else if why := untested(&fs.tally, ""); why != "" {
				fr.Verdict, fr.Why = NotTested, why
			} else if !fs.reached {
				fr.Verdict, fr.Why = NotTested, "its rule never derived a fact in any workload's baseline run: give a workload whose inputs reach it (--workload)"
			}
		case fs.path != nil:
			fr.Path = fs.path.from + " -> " + fs.path.to
			for _, pr := range r.Paths {
				if pr.From == fs.path.from && pr.To == fs.path.to {
					fr.Verdict, fr.Witness, fr.Schedules, fr.Orders, fr.Workloads = pr.Verdict, pr.Witness, pr.Schedules, pr.Orders, pr.Workloads
					fr.Errors, fr.ErrorKinds, fr.Why = pr.Errors, pr.ErrorKinds, pr.Why
				}
			}
		}
		r.Findings = append(r.Findings, fr)
	}
	return r
}

// untested says why experiments that ran could not have shown a
// difference: every run ended in a runtime error ("" when some run was
// compared).
func untested(t *tally, input string) string {
	if t.compared > 0 {
		return ""
	}
	if t.errors == 0 {
		if input != "" {
			return fmt.Sprintf("no run was compared: give a workload with facts of %s (--workload)", input)
		}
		return "no run was compared"
	}
	errs := t.errs.sorted()
	return fmt.Sprintf("every run ended in a runtime error (%s): %s; fix the program or give a workload that avoids it (--workload)", count(t.errors), errs[0])
}

func count(n int) string { return Thousands(n) + " run" + plural(n) }
