package monotonic

import (
	"fmt"
	"strings"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
)

// CheckNonmonotonicCycle is the nonmonotonic-cycle check's name.
const CheckNonmonotonicCycle Check = "nonmonotonic-cycle"

// NonmonotonicCycle reports cycles through a nonmonotonic edge that a
// temporal edge makes legal.
var NonmonotonicCycle = &Analyzer{
	Name:     CheckNonmonotonicCycle,
	Severity: modules.Note,
	Doc: `A cycle through a nonmonotonic edge that a temporal edge makes legal.

Bud draws these cycles red: state that is deleted, overwritten or
recomputed from itself across timesteps. It is legal (the temporal edge
moves the nonmonotonic step to the next timestep), but every such cycle is
a place where the order of timesteps, and so of the inputs that drive them,
matters. The finding gives the cycle and its temporal edge.`,
	Run: runNonmonotonicCycle,
}

func runNonmonotonicCycle(pass *Pass) {
	g, f := pass.Graph, pass.facts
	all, inst := f.sccAll(), f.sccInst()
	first := make([]int, all.Count)
	for i := range first {
		first[i] = -1
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if !e.Nonmonotonic || !all.Same(e.From, e.To) {
			continue
		}
		if !e.Temporal && inst.Same(e.From, e.To) {
			continue // unstratifiable, reported there
		}
		if c := all.Comp[e.From]; first[c] < 0 {
			first[c] = i
		}
	}
	for c, ei := range first {
		if ei < 0 {
			continue
		}
		e := &g.Edges[ei]
		cycle := g.CycleThrough(f.searcher(), ei, func(x *depgraph.Edge) bool {
			return all.Comp[x.From] == int32(c) && all.Comp[x.To] == int32(c)
		})
		var temporal []string
		for _, xi := range cycle {
			if x := &g.Edges[xi]; x.Temporal {
				temporal = append(temporal, fmt.Sprintf("%s %s %s", g.Nodes[x.To].Name, x.Op, g.Nodes[x.From].Name))
			}
		}
		fd := Finding{
			Pos: e.UsePos(), Module: e.Rule.Module, Rule: e.Rule,
			Collections: cycleCollections(g, cycle), Key: ruleKey(e.Rule),
			Flow: pass.facts.cycleSteps(cycle, -1),
			Message: fmt.Sprintf("nonmonotonic cycle %s through the %s in %s, legal because %s defers it to the next timestep; each step: %s",
				g.CyclePath(cycle), g.UseOf(e), e.Rule.Shape(), strings.Join(temporal, ", "), g.StepList(cycle)),
		}
		if m := f.model(); m.exempt(ei) >= 0 {
			// A coordination protocol's state (a counter, a next number).
			fd.Check, fd.Severity, fd.Acknowledged = pass.Analyzer.Name, pass.Analyzer.Severity, m.mechanismDesc(m.exempt(ei))
		}
		pass.Report(fd)
	}
}
