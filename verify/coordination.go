package verify

import (
	"strings"

	"github.com/calmcheck/calmcheck/monotonic"
)

// Coordination checked by execution (docs/verify.md, "Broken seals and
// coordination"). A coordination declaration ({kind: total-order, on:
// [pipe_out]}) promises that the facts of its collections reach every
// reader ordered, whatever order the messages upstream arrived in; the
// analysis believes it, and the points of order reached only through the
// coordinated collections become notes ("coordinated: ..."). The
// protocol that declares it is part of the program (OrderedDelivery's
// sequencer), so it must keep its promise under every schedule the
// network may choose; what it may assume is a workload that follows it
// (one sequencer, known to every node). verify checks it on the
// workloads that do: the given workload and the built-in workloads of a
// built-in program (as for seals: a generated workload cannot know every
// assumption of a protocol). A covered point of order that a schedule
// experiment on such a workload confirms (two executions, the same
// inputs, whose outputs differ because of it) is a broken coordination:
// an error that no acknowledgement hides.

// planCoordination returns the points of order the program's
// coordination covers: acknowledged by the analysis as coordinated, and
// reading a collection that a coordination's collections reach. The
// protocol's own mechanism (its counting and numbering, order-sensitive
// by design) is not among them.
func (v *verifier) planCoordination() []*findingState {
	if len(v.res.Coordination) == 0 {
		return nil
	}
	var nodes []int
	for _, cu := range v.res.Coordination {
		nodes = append(nodes, cu.Nodes...)
	}
	reach := v.g.Reach(nodes, false, 0)
	var out []*findingState
	for _, fs := range v.finds {
		if fs.rule < 0 || fs.f.Check != monotonic.PointOfOrder.Name || !strings.HasPrefix(fs.f.Acknowledged, "coordinated") {
			continue
		}
		for _, a := range v.prog.Rules[fs.rule].BodyAtoms() {
			if c, ok := v.g.Lookup(a.Pred); ok && reach[c] {
				out = append(out, fs)
				break
			}
		}
	}
	return out
}
