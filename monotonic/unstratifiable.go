package monotonic

import (
	"fmt"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
)

// Unstratifiable reports cycles through a nonmonotonic edge that no
// temporal edge breaks.
var Unstratifiable = &Analyzer{
	Name:     "unstratifiable",
	Severity: modules.Error,
	Doc: `A cycle through a nonmonotonic edge with no temporal edge on it.

A collection that depends on itself through notin, an aggregate, within one
timestep has no meaning: the rule would have to see its own result before
computing it (Datalog's stratification). The finding gives one such cycle,
each step with its rule's position, and points at the nonmonotonic use on
it. Break the cycle with a temporal operator (<+ to use the result in the
next timestep), or remove the negation or aggregation.`,
	Run: runUnstratifiable,
}

func runUnstratifiable(pass *Pass) {
	g, f := pass.Graph, pass.facts
	scc := f.sccInst()
	first := make([]int, scc.Count) // first nonmonotonic instantaneous edge inside each component
	count := make([]int, scc.Count)
	for i := range first {
		first[i] = -1
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if e.Temporal || !e.Nonmonotonic || !scc.Same(e.From, e.To) {
			continue
		}
		c := scc.Comp[e.From]
		if first[c] < 0 {
			first[c] = i
		}
		count[c]++
	}
	for c, ei := range first {
		if ei < 0 {
			continue
		}
		e := &g.Edges[ei]
		cycle := cycleThrough(g, f.searcher(), ei, func(x *depgraph.Edge) bool {
			return !x.Temporal && scc.Comp[x.From] == int32(c) && scc.Comp[x.To] == int32(c)
		})
		more := ""
		if count[c] > 1 {
			more = fmt.Sprintf(" (%d more nonmonotonic edges in this cycle's component)", count[c]-1)
		}
		pass.Report(Finding{
			Pos: e.UsePos(), Module: e.Rule.Module, Rule: e.Rule,
			Collections: cycleCollections(g, cycle), Key: ruleKey(e.Rule),
			Flow: steps(g, cycle, -1),
			Message: fmt.Sprintf("unstratifiable: cycle %s with no temporal edge, through the nonmonotonic %s in %s; each step: %s%s. A timestep cannot evaluate it; break the cycle with <+ or remove the %s",
				cyclePath(g, cycle), useOf(g, e), e.Rule.Shape(), stepList(g, cycle), more, kindOf(e)),
		})
	}
}
