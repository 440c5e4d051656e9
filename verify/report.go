package verify

import (
	"time"

	"github.com/calmcheck/calmcheck/monotonic"
)

// report assembles the verdicts.
func (v *verifier) report() *Report {
	r := &Report{Program: v.prog.Name, Seed: v.opts.Seed, Schedules: v.opts.Schedules, Explore: v.opts.Explore,
		Workloads: v.wrep, Witnesses: v.witnesses, Runs: v.runs.Load(), Elapsed: time.Since(v.start), FirstWitness: v.first}
	for _, e := range v.exps {
		if e.note != "" {
			for i := range r.Workloads {
				if r.Workloads[i].Name == e.wl.name && r.Workloads[i].Note == "" {
					r.Workloads[i].Note = e.name + ": " + e.note
				}
			}
		}
	}
	for _, ps := range v.paths {
		pr := PathReport{From: ps.from, To: ps.to, Label: ps.label.String(), Effective: ps.effective.String(), Covered: ps.covered,
			Schedules: ps.schedules, Orders: ps.orders, Workloads: len(ps.workloads),
			Exhaustive: ps.exhaustive, Errors: ps.errors, Verdict: NotReproduced}
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
		pr.Empty = ps.isoRuns > 0 && ps.nonempty == 0
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
		} else if ps.schedules+ps.orders == 0 {
			pr.Verdict = NotChecked
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
			fr.Verdict = NotReproduced
			if fs.found != nil {
				fr.Verdict = Confirmed
				if fs.found.w != nil {
					fr.Witness = fs.found.w.ID
				}
			} else if fs.schedules+fs.orders == 0 {
				fr.Verdict = NotChecked
			}
		case fs.path != nil:
			for _, pr := range r.Paths {
				if pr.From == fs.path.from && pr.To == fs.path.to {
					fr.Verdict, fr.Witness, fr.Schedules, fr.Orders, fr.Workloads = pr.Verdict, pr.Witness, pr.Schedules, pr.Orders, pr.Workloads
				}
			}
		}
		r.Findings = append(r.Findings, fr)
	}
	return r
}
