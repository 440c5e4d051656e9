package depgraph

import (
	"fmt"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// Stratification orders the evaluation inside one timestep. Only the
// instantaneous edges (<=) take part: the others read the fixpoint of the
// timestep and write the next timestep or the network, so they never
// constrain the order inside one. A collection's stratum is the number of
// nonmonotonic instantaneous edges on the longest chain into it, over the
// condensation of the instantaneous edges; a nonmonotonic edge inside a
// component makes the program unstratifiable.
type Stratification struct {
	// Strata is the stratum of every node; nil when the program is
	// unstratifiable.
	Strata []int
	// Cycles explain why the program is unstratifiable: one per component
	// of the instantaneous edges that holds a nonmonotonic one, in
	// component order. Empty when Strata is set.
	Cycles []NegCycle
	// Inst is the condensation of the instantaneous edges.
	Inst *SCC
}

// NegCycle is a cycle of instantaneous edges through a nonmonotonic one.
type NegCycle struct {
	// Edge is the first nonmonotonic instantaneous edge of the component,
	// in edge order.
	Edge int
	// Path is a shortest cycle of instantaneous edges inside the
	// component, starting with Edge.
	Path []int
	// More counts the other nonmonotonic instantaneous edges of the
	// component.
	More int
}

// Stratify computes the stratification. inst is the condensation of the
// instantaneous edges (g.SCC(FlagTemporal)) and s a Searcher over g, for
// callers that have them; nil computes them. O(V + E), plus one
// breadth-first search inside each unstratifiable component.
func (g *Graph) Stratify(inst *SCC, s *Searcher) *Stratification {
	if inst == nil {
		inst = g.SCC(FlagTemporal)
	}
	st := &Stratification{Inst: inst}
	first := make([]int32, inst.Count) // first nonmonotonic instantaneous edge inside each component
	count := make([]int32, inst.Count)
	for i := range first {
		first[i] = -1
	}
	bad := false
	for i := range g.Edges {
		e := &g.Edges[i]
		if e.Temporal || !e.Nonmonotonic || !inst.Same(e.From, e.To) {
			continue
		}
		c := inst.Comp[e.From]
		if first[c] < 0 {
			first[c] = int32(i)
		}
		count[c]++
		bad = true
	}
	if bad {
		if s == nil {
			s = NewSearcher(g)
		}
		for c, ei := range first {
			if ei < 0 {
				continue
			}
			path := g.CycleThrough(s, int(ei), func(x *Edge) bool {
				return !x.Temporal && inst.Comp[x.From] == int32(c) && inst.Comp[x.To] == int32(c)
			})
			st.Cycles = append(st.Cycles, NegCycle{Edge: int(ei), Path: path, More: int(count[c]) - 1})
		}
		return st
	}
	// Longest chain over the condensation: components come out of Tarjan's
	// algorithm in reverse topological order, so the last one is a source.
	comp := make([]int, inst.Count)
	for c := inst.Count - 1; c >= 0; c-- {
		for _, v := range inst.Members(c) {
			from, flags := g.InAdj(int(v))
			for i, u := range from {
				if flags[i]&FlagTemporal != 0 {
					continue
				}
				uc := int(inst.Comp[u])
				if uc == c {
					continue
				}
				w := 0
				if flags[i]&FlagNonmonotonic != 0 {
					w = 1
				}
				comp[c] = max(comp[c], comp[uc]+w)
			}
		}
	}
	st.Strata = make([]int, len(g.Nodes))
	for v := range st.Strata {
		st.Strata[v] = comp[inst.Comp[v]]
	}
	return st
}

// Unstratifiable describes a cycle that makes the program
// unstratifiable, where calmcheck lint reports it (check unstratifiable)
// and the executor refuses the program: the position of the nonmonotonic
// use and the message.
func (g *Graph) Unstratifiable(c NegCycle) (modules.Pos, string) {
	e := &g.Edges[c.Edge]
	more := ""
	if c.More > 0 {
		more = fmt.Sprintf(" (%d more nonmonotonic edges in this cycle's component)", c.More)
	}
	return e.UsePos(), fmt.Sprintf("unstratifiable: cycle %s with no temporal edge, through the nonmonotonic %s in %s; each step: %s%s. A timestep cannot evaluate it; break the cycle with <+ or remove the %s",
		g.CyclePath(c.Path), g.UseOf(e), e.Rule.Shape(), g.StepList(c.Path), more, e.NonmonotonicKind())
}

// CycleThrough returns the edges of a shortest cycle that starts with
// edge ei, using only edges allow accepts.
func (g *Graph) CycleThrough(s *Searcher, ei int, allow func(*Edge) bool) []int {
	e := &g.Edges[ei]
	if e.From == e.To {
		return []int{ei}
	}
	back := s.Path(e.To, e.From, allow)
	return append([]int{ei}, back...)
}

// CyclePath names the collections of a path: "a -> b -> a".
func (g *Graph) CyclePath(path []int) string {
	if len(path) == 0 {
		return ""
	}
	parts := []string{g.Nodes[g.Edges[path[0]].From].Name}
	for _, ei := range path {
		parts = append(parts, g.Nodes[g.Edges[ei].To].Name)
	}
	return strings.Join(parts, " -> ")
}

// StepList describes each edge of a path with its rule's operator and
// position, and why it is nonmonotonic: "a -> b (<= at f.yaml:3, notin)".
func (g *Graph) StepList(path []int) string {
	parts := make([]string, len(path))
	for i, ei := range path {
		e := &g.Edges[ei]
		s := fmt.Sprintf("%s -> %s (%s at %s", g.Nodes[e.From].Name, g.Nodes[e.To].Name, e.Op, e.Rule.Pos.FileLine())
		if e.Nonmonotonic {
			s += ", " + e.Reason()
		}
		parts[i] = s + ")"
	}
	return strings.Join(parts, ", ")
}

// UseOf describes a nonmonotonic edge: "notin b", "count<R>",
// "deletion (<-)".
func (g *Graph) UseOf(e *Edge) string {
	switch {
	case e.Negated:
		return "notin " + g.Nodes[e.From].Name
	case e.Aggregate, e.Op.Nonmonotonic():
		return e.Reason()
	case e.Revealed:
		return "reveal of " + g.Nodes[e.From].Name
	}
	return "use of " + g.Nodes[e.From].Name
}

// NonmonotonicKind names what a nonmonotonic edge does: "negation",
// "aggregation" or "nonmonotonic use".
func (e *Edge) NonmonotonicKind() string {
	switch {
	case e.Negated:
		return "negation"
	case e.Aggregate:
		return "aggregation"
	case e.Revealed:
		return "reveal"
	}
	return "nonmonotonic use"
}
