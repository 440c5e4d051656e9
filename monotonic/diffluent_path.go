package monotonic

import (
	"fmt"

	"github.com/calmcheck/calmcheck/modules"
)

// CheckDiffluentPath is the diffluent-path check's name.
const CheckDiffluentPath Check = "diffluent-path"

// DiffluentPath reports the places where (input, output) pairs become D.
var DiffluentPath = &Analyzer{
	Name:     CheckDiffluentPath,
	Severity: modules.Warning,
	Doc: `An input-to-output path labelled D: asynchrony followed by nonmonotonicity.

Path labels as in Bud's budlabel: along a path from an input interface to
an output interface, an edge is A if asynchronous (<~), N if nonmonotonic,
Bot otherwise; read left to right, A then N gives D (diffluent: the
output's contents depend on the order in which messages arrived), D
absorbs everything, and the label of an (input, output) pair is the worst
over all its paths (Bot < A < N < D). The finding names the asynchronous
edge and the nonmonotonic edge after it where the path becomes D: that is
where coordination would have to go. One finding per rule (or contract)
where paths become D, listing the pairs and showing the shortest of their
paths. Order the messages before that edge,
make it monotonic, or acknowledge it with coordinated: "why". With
missing-coordination running, the pairs that no coordination or seal
covers are reported there instead, and the pairs the program covers are
notes here that say what covers them.`,
	Run: runDiffluentPath,
}

func runDiffluentPath(pass *Pass) {
	f := pass.facts
	declared := func(v *Verdict) (Witness, bool) {
		return v.Declared, v.Label == D
	}
	covered := func(v *Verdict) string {
		if v.Effective < D {
			return "covered: " + v.Covered
		}
		return ""
	}
	for _, pg := range f.places(declared, covered) {
		fd := f.placeFinding(pg)
		w := pg.witness
		on := onShortest(fd.Pairs)
		if pg.sub != "" {
			fd.Check, fd.Severity, fd.Acknowledged = pass.Analyzer.Name, modules.Note, pg.verdicts[pg.rep].Covered
			fd.Message = fmt.Sprintf("%s diffluent (D) in Bud's labels: %safter %s, %s reads messages in any order; the program covers %s",
				pairList(fd.Pairs), on, f.asyncWords(w), f.stepDesc(w.Coordinate), itThem(len(fd.Pairs)))
		} else {
			fd.Message = fmt.Sprintf("%s diffluent (D): %safter %s, %s makes %s contents depend on message order; coordinate there (%s)",
				pairList(fd.Pairs), on, f.asyncWords(w), f.stepDesc(w.Coordinate), itsTheir(len(fd.Pairs)), fd.Pos.FileLine())
			// missing-coordination reports the pairs no coordination covers
			pass.ReportUnless(MissingCoordination, fd)
			continue
		}
		pass.Report(fd)
	}
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func itsTheir(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}
