package executor

import (
	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// stratify returns the stratum of every collection (indexed as
// p.Collections), or an error that names a cycle through negation or
// aggregation. The stratification is depgraph's, the one calmcheck lint
// uses: a program the executor refuses is one lint reports unstratifiable,
// with the same message (the cycle of the first nonmonotonic edge, in rule
// order, that closes one).
func stratify(p *modules.Program) ([]int, modules.Diagnostics) {
	g := depgraph.Build(p)
	st := g.Stratify(nil, nil)
	if st.Strata != nil {
		return st.Strata, nil
	}
	first := st.Cycles[0]
	for _, c := range st.Cycles[1:] {
		if c.Edge < first.Edge {
			first = c
		}
	}
	pos, msg := g.Unstratifiable(first)
	return nil, modules.Diagnostics{{Pos: pos, Severity: modules.Error, Check: string(monotonic.CheckUnstratifiable), Message: msg}}
}
