package monotonic

import (
	"fmt"

	"github.com/calmcheck/calmcheck/modules"
)

// DiffluentPath reports (input, output) pairs whose path label is D.
var DiffluentPath = &Analyzer{
	Name:     "diffluent-path",
	Severity: modules.Warning,
	Doc: `An input-to-output path labelled D: asynchrony followed by nonmonotonicity.

Path labels as in Bud's budlabel: along a path from an input interface to
an output interface, an edge is A if asynchronous (<~), N if nonmonotonic,
Bot otherwise; read left to right, A then N gives D (diffluent: the
output's contents depend on the order in which messages arrived), D
absorbs everything, and the label of an (input, output) pair is the worst
over all its paths (Bot < A < N < D). The finding names the asynchronous
edge and the nonmonotonic edge after it where the path becomes D: that is
where coordination would have to go. Order the messages before that edge,
make it monotonic, or acknowledge it with coordinated: "why". With
missing-coordination running, the pairs that no coordination or seal
covers are reported there instead, and the pairs the program covers are
notes here that say what covers them.`,
	Run: runDiffluentPath,
}

func runDiffluentPath(pass *Pass) {
	g, f := pass.Graph, pass.facts
	replaced := f.enabled[MissingCoordination.Name]
	for _, v := range f.verdicts() {
		w := v.Declared
		if v.Label != D || w.Coordinate < 0 {
			continue
		}
		covered := v.Effective < D
		if !covered && replaced {
			continue // missing-coordination reports it
		}
		pos, mod, key := f.edgePlace(w.Coordinate)
		from, to := g.Nodes[v.From].Name, g.Nodes[v.To].Name
		m := f.model()
		var rule *modules.Rule
		if !m.isContract(w.Coordinate) {
			rule = g.Edges[w.Coordinate].Rule
		}
		fd := Finding{
			Pos: pos, Module: mod, Rule: rule,
			Collections: []string{to, from, g.Nodes[m.to(w.Coordinate)].Name, g.Nodes[m.from(w.Coordinate)].Name},
			Inputs:      []string{from}, Key: key,
			Flow: f.steps(w.Path, w.Coordinate),
		}
		if covered {
			fd.Check, fd.Severity, fd.Acknowledged = pass.Analyzer.Name, modules.Note, v.Covered
			fd.Message = fmt.Sprintf("path %s -> %s is diffluent (D) in Bud's labels: after %s, %s reads messages in any order; the program covers it",
				from, to, f.asyncDesc(w.Async), f.stepDesc(w.Coordinate))
		} else {
			fd.Message = fmt.Sprintf("path %s -> %s is diffluent (D): after %s, %s makes its contents depend on message order; coordinate there (%s)",
				from, to, f.asyncDesc(w.Async), f.stepDesc(w.Coordinate), pos.FileLine())
		}
		pass.Report(fd)
	}
}
