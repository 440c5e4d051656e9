package monotonic

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
)

// The descriptions the checks share: cycles, witness paths, rules and
// edges as findings name them.

func ruleKey(r *modules.Rule) string { return r.Module + "." + r.Block }

func cycleCollections(g *depgraph.Graph, cycle []int) []string {
	var out []string
	for _, ei := range cycle {
		out = appendUnique(out, g.Nodes[g.Edges[ei].From].Name)
		out = appendUnique(out, g.Nodes[g.Edges[ei].To].Name)
	}
	return out
}

func (f *facts) cycleSteps(path []int, mark int) []Step {
	if f.noFlows {
		return nil
	}
	return steps(f.g, path, mark)
}

func steps(g *depgraph.Graph, path []int, mark int) []Step {
	out := make([]Step, len(path))
	for i, ei := range path {
		out[i] = step1(g, ei, ei == mark)
	}
	return out
}

// step1 is the step of edge ei of a path (marked: the point of order).
func step1(g *depgraph.Graph, ei int, marked bool) Step {
	e := &g.Edges[ei]
	var notes []string
	if marked {
		notes = append(notes, "point of order")
	}
	if e.Nonmonotonic {
		notes = append(notes, "nonmonotonic: "+e.Reason())
	}
	if e.Async {
		notes = append(notes, "asynchronous")
	} else if e.Temporal {
		notes = append(notes, "temporal")
	}
	st := bareStep(g, ei)
	st.Note = strings.Join(notes, "; ")
	return st
}

// bareStep is the step of edge ei without its note.
func bareStep(g *depgraph.Graph, ei int) Step {
	e := &g.Edges[ei]
	return Step{From: g.Nodes[e.From].Name, To: g.Nodes[e.To].Name, Op: e.Op.String(), Pos: e.Rule.Pos}
}

func listNames(names []string) string {
	const max = 6
	if len(names) > max {
		return strings.Join(names[:max], ", ") + " and " + strconv.Itoa(len(names)-max) + " more"
	}
	return strings.Join(names, ", ")
}

func appendUnique(xs []string, s string) []string {
	for _, x := range xs {
		if x == s {
			return xs
		}
	}
	return append(xs, s)
}

// coordBefore returns a coordination declaration on the witness path
// before its last asynchronous edge (-1 if none).
func (f *facts) coordBefore(w Witness) int {
	m := f.model()
	if w.Async < 0 || len(w.Path) == 0 {
		return -1
	}
	if ks := m.coordsOf(m.from(w.Path[0])); len(ks) > 0 && w.Path[0] != w.Async {
		return ks[0]
	}
	for _, ei := range w.Path {
		if ei == w.Async {
			break
		}
		if ks := m.coordsOf(m.to(ei)); len(ks) > 0 {
			return ks[0]
		}
	}
	return -1
}

// edgePlace returns where a finding about an edge (or contract edge) is
// reported, its module and its fingerprint key.
func (f *facts) edgePlace(ei int) (modules.Pos, string, string) {
	m := f.model()
	if m.isContract(ei) {
		c := m.p.Contracts[m.vedge(ei).contract]
		return c.Pos, c.Module, c.Module + ".contract"
	}
	e := &f.g.Edges[ei]
	return e.UsePos(), e.Rule.Module, ruleKey(e.Rule)
}

// asyncDesc describes the asynchronous edge of a witness.
func (f *facts) asyncDesc(ei int) string {
	g, m := f.g, f.model()
	switch {
	case ei < 0:
		return "the messages that fill the other side of a timing join"
	case m.isContract(ei):
		return "the asynchronous " + m.contractDesc(m.vedge(ei))
	}
	e := &g.Edges[ei]
	return fmt.Sprintf("the asynchronous %s <~ %s (%s)", g.Nodes[e.To].Name, g.Nodes[e.From].Name, e.Rule.Pos.FileLine())
}

// stepDesc describes the nonmonotonic edge of a witness.
func (f *facts) stepDesc(ei int) string {
	g, m := f.g, f.model()
	if m.isContract(ei) {
		return "the nonmonotonic step implied by the abstraction: " + m.contractDesc(m.vedge(ei))
	}
	e := &g.Edges[ei]
	if tj := f.timingAt(ei); tj != nil && !e.Nonmonotonic {
		return "the timing join in " + e.Rule.Shape() + " (" + tj.race() + ")"
	}
	if f.idleAt(ei) {
		return fmt.Sprintf("the nonmonotonic %s in %s, which also fires in idle timesteps (none of its positive atoms lasts one timestep)", g.UseOf(e), e.Rule.Shape())
	}
	return fmt.Sprintf("the nonmonotonic %s in %s", g.UseOf(e), e.Rule.Shape())
}

// edgeStep is the step of edge ei of a witness, with its timing join.
func (f *facts) edgeStep(ei int, marked bool) Step {
	st := step1(f.g, ei, marked)
	if tj := f.timingAt(ei); tj != nil {
		st.Note = strings.TrimPrefix(st.Note+"; timing join: "+tj.race(), "; ")
	}
	return st
}

// stepCache holds the notes of unmarked steps, per edge: the unmarked
// step of an edge is the same in every flow, so it is described once
// (flows of large programs share most edges). One per goroutine.
type stepCache struct {
	done []bool
	note []string
}

// steps renders a witness path, contract edges included.
func (f *facts) steps(path []int, mark int) []Step { return f.stepsIn(&f.stepc, path, mark) }

// stepsIn is steps with the cache sc (a goroutine's own).
func (f *facts) stepsIn(sc *stepCache, path []int, mark int) []Step {
	if f.noFlows {
		return nil
	}
	g, m := f.g, f.model()
	out := make([]Step, 0, len(path))
	for _, ei := range path {
		if !m.isContract(ei) {
			if ei != mark {
				if sc.done == nil {
					sc.done = make([]bool, len(g.Edges))
					sc.note = make([]string, len(g.Edges))
				}
				if !sc.done[ei] {
					sc.done[ei] = true
					sc.note[ei] = f.edgeStep(ei, false).Note
				}
				st := bareStep(g, ei)
				st.Note = sc.note[ei]
				out = append(out, st)
				continue
			}
			out = append(out, f.edgeStep(ei, true))
			continue
		}
		ce := m.vedge(ei)
		c := m.p.Contracts[ce.contract]
		note := fmt.Sprintf("contract of %s: %s", c.Module, c.Label)
		if ei == mark {
			note = "point of order; " + note
		}
		out = append(out, Step{From: g.Nodes[ce.from].Name, To: g.Nodes[ce.to].Name, Op: "contract", Pos: c.Pos, Note: note})
	}
	return out
}
