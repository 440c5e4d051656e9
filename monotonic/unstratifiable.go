package monotonic

import (
	"github.com/calmcheck/calmcheck/modules"
)

// CheckUnstratifiable is the unstratifiable check's name.
const CheckUnstratifiable Check = "unstratifiable"

// Unstratifiable reports cycles through a nonmonotonic edge that no
// temporal edge breaks.
var Unstratifiable = &Analyzer{
	Name:     CheckUnstratifiable,
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
	g := pass.Graph
	for _, c := range pass.facts.stratification().Cycles {
		e := &g.Edges[c.Edge]
		pos, msg := g.Unstratifiable(c)
		pass.Report(Finding{
			Pos: pos, Module: e.Rule.Module, Rule: e.Rule,
			Collections: cycleCollections(g, c.Path), Key: ruleKey(e.Rule),
			Flow: pass.facts.cycleSteps(c.Path, -1), Message: msg,
		})
	}
}
