package monotonic

import (
	"math/bits"
	"sort"

	"github.com/calmcheck/calmcheck/depgraph"
)

// facts are the graph computations the analyzers share, each computed
// once, on first use.
type facts struct {
	g *depgraph.Graph

	all, inst *depgraph.SCC
	search    *depgraph.Searcher

	labels     []PathLabel
	labelsDone bool

	asyncDone bool
	reached   []bool  // reachable from an entry or an asynchronous edge
	via       []int32 // BFS forest: edge by which a node was first reached (-1 at a seed)
	seedEdge  []int32 // for a seed that is the head of an async edge: that edge, else -1

	toTable []bool
	strat   *depgraph.Stratification
	points  []OrderPoint

	m            *model
	verd         []Verdict
	verdictsDone bool
	coordUses    []CoordinationUse
	coordDone    bool
	open         []bool // per edge and contract edge: an open order-sensitive step
	unneededInto []unneededInfo
	ureached     []bool   // reached from an entry or an async edge without crossing coordination
	coordReach   [][]bool // per coordination declaration: what its collections reach

	stepc   stepCache // the notes of unmarked steps in flows
	noFlows bool      // Config.NoFlows: steps gives none
}

func newFacts(g *depgraph.Graph) *facts { return &facts{g: g} }

// sccAll is the condensation over every edge.
func (f *facts) sccAll() *depgraph.SCC {
	if f.all == nil {
		f.all = f.g.SCC(0)
	}
	return f.all
}

// sccInst is the condensation over the instantaneous (<=) edges: the
// components a single timestep must evaluate together.
func (f *facts) sccInst() *depgraph.SCC {
	if f.inst == nil {
		f.inst = f.g.SCC(depgraph.FlagTemporal)
	}
	return f.inst
}

func (f *facts) searcher() *depgraph.Searcher {
	if f.search == nil {
		f.search = depgraph.NewSearcher(f.g)
	}
	return f.search
}

func (f *facts) pathLabels() []PathLabel {
	if !f.labelsDone {
		m := f.model()
		f.labels = pathLabels(f.g, f.sccAll(), m.bud, m.tm.stale)
		f.labelsDone = true
	}
	return f.labels
}

// async computes, with one multi-source breadth-first search, which
// collections are asynchronous: reachable from an entry (an input from
// outside, or a dangling read end) or from the head of an asynchronous
// edge. The search forest gives each one a shortest witness path.
func (f *facts) async() {
	if f.asyncDone {
		return
	}
	f.asyncDone = true
	g := f.g
	n := len(g.Nodes)
	f.reached = make([]bool, n)
	f.via = make([]int32, n)
	f.seedEdge = make([]int32, n)
	for i := range f.via {
		// Unreached: no path (edge 0 is a real edge; a chain of zeros
		// looped forever through a self-loop at edge 0).
		f.via[i], f.seedEdge[i] = -1, -1
	}
	var queue []int32
	seed := func(v int, e int32) {
		if f.reached[v] {
			return
		}
		f.reached[v] = true
		f.via[v] = -1
		f.seedEdge[v] = e
		queue = append(queue, int32(v))
	}
	for _, v := range g.Entries() {
		seed(v, -1)
	}
	for i := range g.Edges {
		if g.Edges[i].Async {
			seed(g.Edges[i].To, int32(i))
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		v := queue[qi]
		to, _ := g.OutAdj(int(v))
		for i, w := range to {
			if f.reached[w] {
				continue
			}
			f.reached[w] = true
			f.via[w] = g.Out(int(v))[i]
			f.seedEdge[w] = -1
			queue = append(queue, int32(w))
		}
	}
}

// witnessTo returns a shortest path (edge ids) from an entry, or through
// an asynchronous edge, to node v; none when nothing reaches v (a table
// that only a workload's initial facts fill).
func (f *facts) witnessTo(v int) []int { return f.witnessThen(v, -1) }

// witnessThen is witnessTo(v) followed by edge last (none when last is
// negative), in one allocation: flows are made for every finding.
func (f *facts) witnessThen(v, last int) []int {
	f.async()
	n := 0
	for u := v; ; {
		if e := f.via[u]; e >= 0 {
			n++
			u = f.g.Edges[e].From
			continue
		}
		if f.seedEdge[u] >= 0 {
			n++
		}
		break
	}
	size := n
	if last >= 0 {
		size++
	}
	path := make([]int, size)
	for i := n - 1; ; i-- {
		if e := f.via[v]; e >= 0 {
			path[i] = int(e)
			v = f.g.Edges[e].From
			continue
		}
		if e := f.seedEdge[v]; e >= 0 {
			path[i] = int(e)
		}
		break
	}
	if last >= 0 {
		path[n] = last
	}
	return path
}

// persists reports, per node, whether it is a table or reaches one
// through any edges: one backward search from every table.
func (f *facts) persists() []bool {
	if f.toTable == nil {
		var tables []int
		for _, n := range f.g.Nodes {
			if n.Kind.Persistent() {
				tables = append(tables, n.ID)
			}
		}
		f.toTable = f.g.Reach(tables, true, 0)
	}
	return f.toTable
}

// origins returns, for each target set, the origins (in the order given)
// that reach some node of it. It propagates 64 origins at a time as bit
// sets over the condensation in topological order: O(ceil(origins/64) *
// (V + E) + total target size + total output). Targets reached by the
// same origins share one slice (read-only): on large programs most
// places are reached by the same inputs, and the lists would otherwise
// be O(targets x origins) in memory.
func (f *facts) origins(origins []int, targets [][]int) [][]int {
	g := f.g
	scc := f.sccAll()
	out := make([][]int, len(targets))
	if len(origins) == 0 {
		return out
	}
	words := (len(origins) + 63) / 64
	tmask := make([]uint64, len(targets)*words)
	comp := make([]uint64, scc.Count)
	for b := 0; b < words; b++ {
		clear(comp)
		batch := origins[b*64 : min(b*64+64, len(origins))]
		for i, o := range batch {
			comp[scc.Comp[o]] |= 1 << uint(i)
		}
		scc.Spread(g, comp)
		for t, set := range targets {
			var m uint64
			for _, v := range set {
				m |= comp[scc.Comp[v]]
			}
			tmask[t*words+b] = m
		}
	}
	shared := map[string][]int{}
	key := make([]byte, words*8)
	for t := range targets {
		ms := tmask[t*words : t*words+words]
		for i, m := range ms {
			for j := 0; j < 8; j++ {
				key[i*8+j] = byte(m >> (8 * j))
			}
		}
		if xs, ok := shared[string(key)]; ok {
			out[t] = xs
			continue
		}
		var xs []int
		for i, m := range ms {
			for m != 0 {
				j := bits.TrailingZeros64(m)
				m &= m - 1
				xs = append(xs, origins[i*64+j])
			}
		}
		shared[string(key)] = xs
		out[t] = xs
	}
	return out
}

// firstOrigins returns, for each target set, the first k origins (by
// node id, i.e. declaration order) that reach some node of it, and
// whether more do. Each component keeps a capped sorted set, merged along
// the condensation in topological order: O(k * (V + E) + total target
// size), whatever the number of origins.
func (f *facts) firstOrigins(origins []int, k int, targets [][]int) ([][]int, []bool) {
	g := f.g
	scc := f.sccAll()
	sets := make([]int32, scc.Count*k)
	n := make([]int, scc.Count)
	more := make([]bool, scc.Count)
	buf := make([]int32, 0, 2*k)
	// merge adds the sorted set src (with its more flag) to component c.
	merge := func(c int, src []int32, srcMore bool) {
		dst := sets[c*k : c*k+n[c]]
		buf = buf[:0]
		i, j := 0, 0
		for i < len(dst) || j < len(src) {
			var x int32
			switch {
			case j >= len(src) || i < len(dst) && dst[i] < src[j]:
				x = dst[i]
				i++
			case i >= len(dst) || src[j] < dst[i]:
				x = src[j]
				j++
			default:
				x = dst[i]
				i++
				j++
			}
			buf = append(buf, x)
		}
		if len(buf) > k {
			buf = buf[:k]
			more[c] = true
		}
		more[c] = more[c] || srcMore
		n[c] = copy(sets[c*k:c*k+k], buf)
	}
	sorted := append([]int(nil), origins...)
	sort.Ints(sorted)
	for _, o := range sorted {
		c := int(scc.Comp[o])
		merge(c, []int32{int32(o)}, false)
	}
	for c := scc.Count - 1; c >= 0; c-- {
		if n[c] == 0 {
			continue
		}
		for _, v := range scc.Members(c) {
			to, _ := g.OutAdj(int(v))
			for _, w := range to {
				if wc := int(scc.Comp[w]); wc != c {
					merge(wc, sets[c*k:c*k+n[c]], more[c])
				}
			}
		}
	}
	out := make([][]int, len(targets))
	outMore := make([]bool, len(targets))
	tmp := newCapped(k)
	for t, set := range targets {
		tmp.reset()
		for _, v := range set {
			c := int(scc.Comp[v])
			tmp.add(sets[c*k:c*k+n[c]], more[c])
		}
		for _, x := range tmp.items {
			out[t] = append(out[t], int(x))
		}
		outMore[t] = tmp.more
	}
	return out, outMore
}

// capped is a sorted set of at most k ids.
type capped struct {
	k     int
	items []int32
	more  bool
}

func newCapped(k int) *capped { return &capped{k: k} }

func (c *capped) reset() { c.items, c.more = c.items[:0], false }

func (c *capped) add(src []int32, more bool) {
	c.more = c.more || more
	for _, x := range src {
		i := sort.Search(len(c.items), func(i int) bool { return c.items[i] >= x })
		if i < len(c.items) && c.items[i] == x {
			continue
		}
		c.items = append(c.items, 0)
		copy(c.items[i+1:], c.items[i:])
		c.items[i] = x
		if len(c.items) > c.k {
			c.items = c.items[:c.k]
			c.more = true
		}
	}
}

// stratification is the stratification of the instantaneous edges, with
// the cycles that make the program unstratifiable.
func (f *facts) stratification() *depgraph.Stratification {
	if f.strat == nil {
		f.strat = f.g.Stratify(f.sccInst(), f.searcher())
	}
	return f.strat
}
