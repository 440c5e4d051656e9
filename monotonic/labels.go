package monotonic

import (
	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/internal/par"
)

// Label is a path label, as in Bud's budlabel: Bot (no asynchrony, no
// nonmonotonicity), A (asynchronous: contents arrive in any order but the
// result is the same), N (nonmonotonic, but not after asynchrony), D
// (diffluent: an asynchronous edge followed by a nonmonotonic one, so the
// contents depend on the order messages arrive in). Ordered Bot < A < N < D;
// the label of an (input, output) pair is the worst over all paths.
type Label uint8

// The path labels, in order.
const (
	Bot Label = iota
	A
	N
	D
)

var labelNames = [...]string{"Bot", "A", "N", "D"}

func (l Label) String() string {
	if int(l) < len(labelNames) {
		return labelNames[l]
	}
	return "?"
}

// The propagation tracks, per node, the set of states that some path from
// the input reaches it in. A path's state is read left to right:
//
//	state  after a plain edge  after an A edge  after an N edge
//	Bot    Bot                 A                N
//	A      A                   A                D   (A then N gives D)
//	N      N                   NA               N   (N then A is N ...
//	NA     NA                  NA               D    ... until an N follows)
//	D      D                   D                D   (D absorbs)
//
// NA is reported as N: a nonmonotonic edge followed by an asynchronous one
// is not diffluent by itself, but remembers the asynchrony, so that a
// later nonmonotonic edge makes the path D (N A N is D, as in Bud). An
// edge that is both nonmonotonic and asynchronous (a <~ with notin or an
// aggregate) is N then A: the rule is evaluated at the sender, then sent.
// Sets of states (not just the worst label) are needed because the
// composition does not distribute over the worst label: a node reached by
// A and by N paths, followed by an N edge, is D.
//
// Coordination and seals (docs/coordination.md) add one state, C: the
// path is asynchronous, but a coordination protocol has ordered (or
// agreed on) what it carries. Arriving at a coordinated collection turns
// A into C and NA into N; C then N is N, C then A is A again (coordination
// before an asynchronous edge does not count). A sealed nonmonotonic edge
// never makes D out of A (the group it reads is complete); an edge of a
// coordination protocol's own mechanism is not nonmonotonic for the
// labels. C is reported as A. Without coordination, C never occurs and the
// labels are Bud's.
const (
	stBot = iota
	stA
	stN
	stNA
	stD
	stC
	numStates
)

var (
	afterA      = [numStates]uint8{stA, stA, stNA, stNA, stD, stA}
	afterN      = [numStates]uint8{stN, stD, stN, stD, stD, stN}
	afterSealed = [numStates]uint8{stN, stN, stN, stN, stD, stN}
	afterReset  = [numStates]uint8{stBot, stC, stN, stN, stD, stC}
	stateL      = [numStates]Label{Bot, A, N, N, D, A}
)

func step(s uint8, f depgraph.Flag) uint8 {
	if f&depgraph.FlagNonmonotonic != 0 {
		s = afterN[s]
	}
	if f&depgraph.FlagAsync != 0 {
		s = afterA[s]
	}
	return s
}

// stepLabel is the state after an edge (a contract's) labelled l: Bot is
// neutral, A asynchronous, N nonmonotonic, D asynchronous then
// nonmonotonic.
func stepLabel(s uint8, l Label) uint8 {
	switch l {
	case A:
		return afterA[s]
	case N:
		return afterN[s]
	case D:
		return afterN[afterA[s]]
	}
	return s
}

// Edge classes of an automaton: how a nonmonotonic edge counts.
const (
	classPlain  uint8 = iota // as its flags say
	classExempt              // part of a coordination protocol's mechanism: not nonmonotonic
	classSealed              // sealed: nonmonotonic, but never D out of A
)

// automaton is what the labels take into account beyond Bud's: contract
// edges standing in for missing implementations, coordinated collections,
// sealed and exempt edges, and (for a contract's check) a boundary that
// paths do not cross. The zero automaton (or nil) gives Bud's labels.
type automaton struct {
	timing []uint8        // per edge: timing class (timing.go); nil: none
	class  []uint8        // per edge; nil: every edge plain
	reset  []bool         // per node: coordinated; nil: none
	stop   []bool         // per node: paths end there (except at the start); nil: none
	virt   [][]int32      // per node: the contract edges out of it (indexes into vedges)
	vedges []contractEdge // contract edges; edge id len(g.Edges)+i
}

// contractEdge is a contract of a protocol that the program does not
// realize, standing in for the missing implementation as an edge.
type contractEdge struct {
	from, to int
	label    Label
	contract int // index in Program.Contracts
}

func (a *automaton) edgeStep(s uint8, ei int, f depgraph.Flag) uint8 {
	if a != nil && a.timing != nil && a.timing[ei] != 0 {
		s = timingStep(s, a.timing[ei])
	}
	if a != nil && a.class != nil {
		switch a.class[ei] {
		case classExempt:
			f &^= depgraph.FlagNonmonotonic
		case classSealed:
			if f&depgraph.FlagNonmonotonic != 0 {
				s = afterSealed[s]
				f &^= depgraph.FlagNonmonotonic
			}
		}
	}
	return step(s, f)
}

func (a *automaton) arrive(w int, s uint8) uint8 {
	if a != nil && a.reset != nil && a.reset[w] {
		return afterReset[s]
	}
	return s
}

// Seq is the label of a path made of a path labelled x followed by one
// labelled y, for paths that are a single edge or a chain of edges of one
// kind: Bot is neutral, D absorbs, A then N is D, N then A is N.
func Seq(x, y Label) Label {
	switch {
	case x == Bot:
		return y
	case y == Bot:
		return x
	case x == D || y == D:
		return D
	case x == A && y == N:
		return D
	case x == N:
		return N
	}
	return y // A then A
}

// PathLabel is the label of an (input, output) pair.
type PathLabel struct {
	From, To int // source and sink nodes
	Label    Label
	// For a D label: a witness path from From to To (edge ids), the
	// nonmonotonic edge on it where the path becomes diffluent (where
	// coordination would have to go) and the asynchronous edge before it.
	Path       []int
	Coordinate int
	Async      int
	// Stale: a path from From to To crosses a snapshot read (see
	// Verdict.Stale).
	Stale bool
}

// labeler propagates label states from one input at a time (or from
// several at once), reusing its arrays between runs.
type labeler struct {
	g       *depgraph.Graph
	a       *automaton
	mask    []uint8 // node -> set of states
	parent  []int32 // node*numStates+state -> edge that set it (-1 at the input)
	pstate  []uint8 // state of the edge's tail on that path
	depth   []int32 // node*numStates+state -> length of the shortest walk to it
	touched []int32
	work    []int32 // (node*numStates+state) items: the breadth-first queue
	stale   []bool  // staleReach's result
	squeue  []int32
	tail    []int32 // per edge of g: its tail (shared between labelers; nil: read g.Edges)
	eflag   []depgraph.Flag
}

// edgeEnds returns, per edge of g, its tail and flags: small arrays for
// the walks back along witnesses (the Edge structs are large).
func edgeEnds(g *depgraph.Graph) ([]int32, []depgraph.Flag) {
	tail := make([]int32, len(g.Edges))
	flag := make([]depgraph.Flag, len(g.Edges))
	for i := range g.Edges {
		tail[i], flag[i] = int32(g.Edges[i].From), g.Edges[i].Flags()
	}
	return tail, flag
}

func newLabeler(g *depgraph.Graph, a *automaton) *labeler {
	n := len(g.Nodes)
	return &labeler{
		g: g, a: a,
		mask:   make([]uint8, n),
		parent: make([]int32, n*numStates),
		pstate: make([]uint8, n*numStates),
		depth:  make([]int32, n*numStates),
	}
}

func (l *labeler) set(w int, s uint8, e int32, ps uint8) bool {
	m := l.mask[w]
	if m&(1<<s) != 0 || m&(1<<stD) != 0 {
		return false // known, or D already absorbs everything
	}
	if m == 0 {
		l.touched = append(l.touched, int32(w))
	}
	l.mask[w] = m | 1<<s
	l.parent[w*numStates+int(s)] = e
	l.pstate[w*numStates+int(s)] = ps
	return true
}

// run propagates from srcs: a breadth-first search over (node, state)
// pairs, so that each pair is first reached, and keeps as its parent, by a
// shortest walk from a source (witnesses are shortest walks). Each (node,
// state) pair is set once, so a run is O(numStates * (V + E)). A node
// reached in state D absorbs everything: its other states are not
// propagated further (every walk on from it is D). Contract edges are
// edges like the others.
func (l *labeler) run(srcs ...int) {
	for _, v := range l.touched {
		l.mask[v] = 0
	}
	l.touched = l.touched[:0]
	g, a := l.g, l.a
	l.work = l.work[:0]
	for _, src := range srcs {
		s := a.arrive(src, stBot)
		if l.set(src, s, -1, 0) {
			l.depth[src*numStates+int(s)] = 0
			l.work = append(l.work, int32(src)*numStates+int32(s))
		}
	}
	start := -1
	if len(srcs) == 1 {
		start = srcs[0]
	}
	ne := int32(len(g.Edges))
	for qi := 0; qi < len(l.work); qi++ {
		it := l.work[qi]
		v, s := int(it/numStates), uint8(it%numStates)
		if s != stD && l.mask[v]&(1<<stD) != 0 && l.depth[v*numStates+stD] <= l.depth[it] {
			continue // superseded: the walks on from v in D are no longer
		}
		if a != nil && a.stop != nil && a.stop[v] && v != start {
			continue // a boundary: paths end here
		}
		d := l.depth[it] + 1
		to, flags := g.OutAdj(v)
		ids := g.Out(v)
		for i, w := range to {
			var ns uint8
			if a == nil {
				ns = step(s, flags[i])
			} else {
				ns = a.arrive(int(w), a.edgeStep(s, int(ids[i]), flags[i]))
			}
			if l.set(int(w), ns, ids[i], s) {
				k := w*numStates + int32(ns)
				l.depth[k] = d
				l.work = append(l.work, k)
			}
		}
		if a == nil || a.virt == nil {
			continue
		}
		for _, vi := range a.virt[v] {
			ce := &a.vedges[vi]
			w := ce.to
			ns := a.arrive(w, stepLabel(s, ce.label))
			if l.set(w, ns, ne+vi, s) {
				k := int32(w)*numStates + int32(ns)
				l.depth[k] = d
				l.work = append(l.work, k)
			}
		}
	}
}

// staleReach returns, after a run, the nodes that a path from the run's
// sources reaches through a snapshot-read edge (stale[e]), or nil when
// stale is nil: one search from the heads of the stale edges the run
// reached, O(V + E).
func (l *labeler) staleReach(stale []bool) []bool {
	if stale == nil {
		return nil
	}
	g := l.g
	if l.stale == nil {
		l.stale = make([]bool, len(g.Nodes))
	}
	clear(l.stale)
	queue := l.squeue[:0]
	for ei, s := range stale {
		if e := &g.Edges[ei]; s && l.mask[e.From] != 0 && !l.stale[e.To] {
			l.stale[e.To] = true
			queue = append(queue, int32(e.To))
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		v := int(queue[qi])
		to, _ := g.OutAdj(v)
		for _, w := range to {
			if !l.stale[w] {
				l.stale[w] = true
				queue = append(queue, w)
			}
		}
		if a := l.a; a != nil && a.virt != nil {
			for _, vi := range a.virt[v] {
				if w := a.vedges[vi].to; !l.stale[w] {
					l.stale[w] = true
					queue = append(queue, int32(w))
				}
			}
		}
	}
	l.squeue = queue
	return l.stale
}

// label returns the worst label reaching node v in the last run, and
// whether v was reached at all.
func (l *labeler) label(v int) (Label, bool) {
	m := l.mask[v]
	if m == 0 {
		return Bot, false
	}
	best := Bot
	for s := 0; s < numStates; s++ {
		if m&(1<<s) != 0 && stateL[s] > best {
			best = stateL[s]
		}
	}
	return best, true
}

// witness returns the path (edge ids) by which v was first reached in
// state s, and for a D state the edge where the path became D and the
// last asynchronous edge before it (-1 when there is none).
func (l *labeler) witness(v int, s uint8) (path []int, coord, async int) {
	coord, async = -1, -1
	at := -1 // index of the coordinate edge, counted from the end
	for {
		k := v*numStates + int(s)
		ei := l.parent[k]
		if ei < 0 {
			break
		}
		ps := l.pstate[k]
		path = append(path, int(ei))
		if s == stD && ps != stD {
			coord, at = int(ei), len(path)-1
		}
		v, s = l.from(int(ei)), ps
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	if coord >= 0 {
		// a witness is a walk: the coordinate edge may occur twice
		for _, ei := range path[:len(path)-1-at] {
			if l.async(ei) {
				async = ei
			}
		}
	}
	return path, coord, async
}

// witnessInto is witness written into path, whose length is the depth of
// (v, s) in the last run (the length of the walk), back to front.
func (l *labeler) witnessInto(path []int, v int, s uint8) ([]int, int, int) {
	coord, async, at := -1, -1, -1 // at: the coordinate edge's index
	v0, s0 := v, s
	i := len(path)
	for {
		k := v*numStates + int(s)
		ei := l.parent[k]
		if ei < 0 {
			break
		}
		if i == 0 {
			return l.witness(v0, s0) // longer than its depth: cannot happen
		}
		i--
		ps := l.pstate[k]
		path[i] = int(ei)
		if s == stD && ps != stD {
			coord, at = int(ei), i
		}
		v, s = l.from(int(ei)), ps
	}
	if i != 0 {
		return l.witness(v0, s0) // shorter than its depth: cannot happen
	}
	if coord >= 0 {
		// a witness is a walk: the coordinate edge may occur twice
		for _, ei := range path[:at] {
			if l.async(ei) {
				async = ei
			}
		}
	}
	return path, coord, async
}

// from returns the tail of an edge or contract edge.
func (l *labeler) from(ei int) int {
	if ei < len(l.tail) {
		return int(l.tail[ei])
	}
	if ei < len(l.g.Edges) {
		return l.g.Edges[ei].From
	}
	return l.a.vedges[ei-len(l.g.Edges)].from
}

// async reports whether an edge or contract edge is asynchronous.
func (l *labeler) async(ei int) bool {
	if ei < len(l.eflag) {
		return l.eflag[ei]&depgraph.FlagAsync != 0
	}
	if ei < len(l.g.Edges) {
		return l.g.Edges[ei].Async
	}
	lab := l.a.vedges[ei-len(l.g.Edges)].label
	return lab == A || lab == D
}

// Labels returns the label of every node reached from the node src (Bot
// with false for nodes it does not reach): Bud's labels with the timing
// joins. It is the per-input table the path report is made of.
func Labels(g *depgraph.Graph, src int) ([]Label, []bool) {
	l := newLabeler(g, newModel(g).bud)
	l.run(src)
	out := make([]Label, len(g.Nodes))
	ok := make([]bool, len(g.Nodes))
	for v := range g.Nodes {
		out[v], ok[v] = l.label(v)
	}
	return out, ok
}

// pathLabels computes the label of every (source, sink) pair connected by
// a path, with automaton a (Bud's labels and the timing joins) and the
// snapshot-read edges stale (nil: none): one propagation per source,
// O(sources * (V + E)).
func pathLabels(g *depgraph.Graph, scc *depgraph.SCC, a *automaton, stale []bool) []PathLabel {
	sources, sinks := g.Sources(), g.Sinks()
	if len(sources) == 0 || len(sinks) == 0 {
		return nil
	}
	var st *staleSets
	if stale != nil && a.virt == nil && a.stop == nil {
		st = newStaleSets(g, scc, sources, sinks, stale)
	}
	tail, eflag := edgeEnds(g)
	bySource := make([][]PathLabel, len(sources))
	mk := func() *labeler {
		l := newLabeler(g, a)
		l.tail, l.eflag = tail, eflag
		return l
	}
	perSource(len(sources), mk, func(l *labeler, i int) {
		src := sources[i]
		l.run(src)
		var sr []bool
		if st == nil {
			sr = l.staleReach(stale)
		}
		// The pairs of this source and their witnesses, each in one
		// allocation of the exact size: a witness is as long as the
		// breadth-first depth of its sink in state D.
		n, total := 0, 0
		for _, t := range sinks {
			if lab, ok := l.label(t); ok {
				n++
				if lab == D {
					total += int(l.depth[t*numStates+stD])
				}
			}
		}
		out := make([]PathLabel, 0, n)
		paths := make([]int, total)
		for ti, t := range sinks {
			lab, ok := l.label(t)
			if !ok {
				continue
			}
			isStale := sr != nil && sr[t] || st != nil && st.has(i, ti)
			pl := PathLabel{From: src, To: t, Label: lab, Coordinate: -1, Async: -1, Stale: isStale}
			if lab == D {
				d := int(l.depth[t*numStates+stD])
				pl.Path, pl.Coordinate, pl.Async = l.witnessInto(paths[:d:d], t, stD)
				paths = paths[d:]
			}
			out = append(out, pl)
		}
		bySource[i] = out
	})
	// Order by sink, then source (declaration order of each): a
	// counting sort into one slice of the exact size.
	return bySink(g, sinks, bySource, func(p *PathLabel) int { return p.To })
}

// staleSets are, per sink and source, whether a path from the source to
// the sink crosses a snapshot-read edge: for each batch of 64 sources, one
// pass over the condensation in topological order for what reaches each
// node, and one for what reaches it through a stale edge:
// O(ceil(sources/64) * (V + E)) for every source at once (the search per
// source that it replaces was O(sources * (V + E))). Only for automata
// without contract edges or boundaries (reachability over g's edges).
type staleSets struct {
	words int
	bits  []uint64 // sink index * words + source index / 64
}

func newStaleSets(g *depgraph.Graph, scc *depgraph.SCC, sources, sinks []int, stale []bool) *staleSets {
	words := (len(sources) + 63) / 64
	st := &staleSets{words: words, bits: make([]uint64, len(sinks)*words)}
	reach := make([]uint64, scc.Count) // per component: the batch's sources that reach it
	thru := make([]uint64, scc.Count)  // per component: those that reach it through a stale edge
	for b := 0; b < words; b++ {
		clear(reach)
		clear(thru)
		for i, src := range sources[b*64 : min(b*64+64, len(sources))] {
			reach[scc.Comp[src]] |= 1 << uint(i)
		}
		scc.Spread(g, reach)
		// A stale edge passes on what reaches its tail; then that
		// spreads like the rest.
		for ei, s := range stale {
			if s {
				e := &g.Edges[ei]
				thru[scc.Comp[e.To]] |= reach[scc.Comp[e.From]]
			}
		}
		scc.Spread(g, thru)
		for ti, t := range sinks {
			st.bits[ti*words+b] = thru[scc.Comp[t]]
		}
	}
	return st
}

// has reports whether a path from source i to sink ti crosses a stale edge.
func (st *staleSets) has(i, ti int) bool {
	return st.bits[ti*st.words+i/64]&(1<<uint(i%64)) != 0
}

// bySink merges per-source results (each in sink order) into one slice
// ordered by sink, then source, allocated once.
func bySink[T any](g *depgraph.Graph, sinks []int, bySource [][]T, to func(*T) int) []T {
	rank := make([]int32, len(g.Nodes))
	for i, t := range sinks {
		rank[t] = int32(i)
	}
	start := make([]int, len(sinks)+1)
	for _, xs := range bySource {
		for i := range xs {
			start[rank[to(&xs[i])]+1]++
		}
	}
	for i := range sinks {
		start[i+1] += start[i]
	}
	out := make([]T, start[len(sinks)])
	for _, xs := range bySource {
		for i := range xs {
			r := rank[to(&xs[i])]
			out[start[r]] = xs[i]
			start[r]++
		}
	}
	return out
}

// perSource calls work for every source index 0..n-1 on every core
// (par.Each): the sources' propagations are independent.
func perSource[S any](n int, mk func() S, work func(s S, i int)) { par.Each(n, mk, work) }
