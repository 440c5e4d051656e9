package render

import "github.com/calmcheck/calmcheck/depgraph"

// The path-label automaton of monotonic (labels.go), over the states a
// path can be in when read left to right: Bot, A, N, NA (nonmonotonic,
// then asynchronous: reported as N, but a later nonmonotonic edge makes it
// D) and D. monotonic keeps its automaton private and reports only the
// worst label per (source, sink) with one witness path; to colour every
// edge on some D path, render needs the sets of states per node, so it
// runs the same automaton forwards from the sources and backwards from the
// sinks. TestDiffluentMatchesMonotonic checks that the two agree.
const (
	stBot = iota
	stA
	stN
	stNA
	stD
	numStates
)

var (
	afterA = [numStates]uint8{stA, stA, stNA, stNA, stD}
	afterN = [numStates]uint8{stN, stD, stN, stD, stD}
)

// step is the state after edge e from state s: an edge that is both
// nonmonotonic and asynchronous is N then A (evaluated at the sender, then
// sent).
func step(s uint8, e *depgraph.Edge) uint8 {
	if e.Nonmonotonic {
		s = afterN[s]
	}
	if e.Async {
		s = afterA[s]
	}
	return s
}

// diffluentEdges reports, per edge, whether it lies on a path from a
// source (S) to a sink (T) whose label is D. O(numStates^2 * (V + E)).
func diffluentEdges(g *depgraph.Graph) []bool {
	n := len(g.Nodes)
	out := make([]bool, len(g.Edges))
	sources, sinks := g.Sources(), g.Sinks()
	if len(sources) == 0 || len(sinks) == 0 {
		return out
	}
	// fwd[v]: the states in which some path from a source reaches v.
	fwd := make([]uint8, n)
	var work []int32
	for _, s := range sources {
		if fwd[s]&(1<<stBot) == 0 {
			fwd[s] |= 1 << stBot
			work = append(work, int32(s)*numStates+stBot)
		}
	}
	for len(work) > 0 {
		it := work[len(work)-1]
		work = work[:len(work)-1]
		v, s := int(it/numStates), uint8(it%numStates)
		for _, ei := range g.Out(v) {
			e := &g.Edges[ei]
			ns := step(s, e)
			if fwd[e.To]&(1<<ns) == 0 {
				fwd[e.To] |= 1 << ns
				work = append(work, int32(e.To)*numStates+int32(ns))
			}
		}
	}
	// bwd[v]: the states s such that a path from v in state s reaches a
	// sink in state D.
	bwd := make([]uint8, n)
	for _, t := range sinks {
		if bwd[t]&(1<<stD) == 0 {
			bwd[t] |= 1 << stD
			work = append(work, int32(t)*numStates+stD)
		}
	}
	for len(work) > 0 {
		it := work[len(work)-1]
		work = work[:len(work)-1]
		w, ws := int(it/numStates), uint8(it%numStates)
		for _, ei := range g.In(w) {
			e := &g.Edges[ei]
			for s := uint8(0); s < numStates; s++ {
				if step(s, e) == ws && bwd[e.From]&(1<<s) == 0 {
					bwd[e.From] |= 1 << s
					work = append(work, int32(e.From)*numStates+int32(s))
				}
			}
		}
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		for s := uint8(0); s < numStates; s++ {
			if fwd[e.From]&(1<<s) != 0 && bwd[e.To]&(1<<step(s, e)) != 0 {
				out[i] = true
				break
			}
		}
	}
	return out
}
