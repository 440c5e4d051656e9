package depgraph

// SCC holds the strongly connected components of a graph, restricted to
// the edges a filter keeps. Components are numbered in the order Tarjan's
// algorithm completes them, which is a reverse topological order of the
// condensation: for a kept edge u -> v between two components,
// Comp[u] > Comp[v].
type SCC struct {
	Comp  []int32 // node -> component
	Count int
	// Cyclic reports whether a component holds a cycle of kept edges: more
	// than one node, or a self-loop.
	Cyclic []bool

	memOff, memIdx []int32
	skip           Flag // the flags of the edges left out
}

// Members returns the nodes of component c, in increasing id order.
func (s *SCC) Members(c int) []int32 { return s.memIdx[s.memOff[c]:s.memOff[c+1]] }

// Same reports whether nodes u and v are in one component.
func (s *SCC) Same(u, v int) bool { return s.Comp[u] == s.Comp[v] }

// SCC computes the strongly connected components of g over the edges that
// have none of the flags in skip (all edges when skip is 0), with an
// iterative Tarjan's algorithm: O(V + E), no recursion.
func (g *Graph) SCC(skip Flag) *SCC {
	n := len(g.Nodes)
	const unvisited = -1
	index := make([]int32, n)
	low := make([]int32, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = unvisited
	}
	s := &SCC{Comp: make([]int32, n), skip: skip}
	var stack []int32
	type frame struct {
		v    int32
		next int32 // position in v's out-edge list
	}
	var call []frame
	var counter int32
	for root := 0; root < n; root++ {
		if index[root] != unvisited {
			continue
		}
		call = append(call, frame{v: int32(root)})
		index[root], low[root] = counter, counter
		counter++
		stack = append(stack, int32(root))
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			to, flags := g.OutAdj(int(v))
			if int(f.next) < len(to) {
				w, fl := to[f.next], flags[f.next]
				f.next++
				if fl&skip != 0 {
					continue
				}
				if index[w] == unvisited {
					index[w], low[w] = counter, counter
					counter++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			// v is finished.
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				if low[v] < low[p] {
					low[p] = low[v]
				}
			}
			if low[v] == index[v] {
				c := int32(s.Count)
				s.Count++
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					s.Comp[w] = c
					if w == v {
						break
					}
				}
			}
		}
	}
	// Members (counting sort by component) and cyclicity.
	s.memOff = make([]int32, s.Count+1)
	for _, c := range s.Comp {
		s.memOff[c+1]++
	}
	for i := 1; i <= s.Count; i++ {
		s.memOff[i] += s.memOff[i-1]
	}
	s.memIdx = make([]int32, n)
	fill := make([]int32, s.Count)
	copy(fill, s.memOff[:s.Count])
	for v, c := range s.Comp {
		s.memIdx[fill[c]] = int32(v)
		fill[c]++
	}
	s.Cyclic = make([]bool, s.Count)
	for c := 0; c < s.Count; c++ {
		if s.memOff[c+1]-s.memOff[c] > 1 {
			s.Cyclic[c] = true
		}
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if e.From == e.To && e.Flags()&skip == 0 {
			s.Cyclic[s.Comp[e.From]] = true
		}
	}
	return s
}

// Searcher finds shortest paths by breadth-first search. It keeps its
// work arrays between searches, so that a search costs only the part of
// the graph it explores.
type Searcher struct {
	g     *Graph
	stamp []int32
	cur   int32
	prev  []int32 // edge by which a node was reached
	queue []int32
}

// NewSearcher returns a Searcher over g.
func NewSearcher(g *Graph) *Searcher {
	return &Searcher{g: g, stamp: make([]int32, len(g.Nodes)), prev: make([]int32, len(g.Nodes))}
}

// Path returns the edges of a shortest path from node from to node to
// that uses only edges allow accepts (all when nil), or nil when there is
// none. A path from a node to itself has at least one edge (a cycle).
func (s *Searcher) Path(from, to int, allow func(*Edge) bool) []int {
	g := s.g
	s.cur++
	s.queue = s.queue[:0]
	s.queue = append(s.queue, int32(from))
	// from is not marked: a cycle back to it is a path to it.
	found := false
	for qi := 0; qi < len(s.queue) && !found; qi++ {
		v := s.queue[qi]
		for _, ei := range g.Out(int(v)) {
			e := &g.Edges[ei]
			if allow != nil && !allow(e) {
				continue
			}
			w := e.To
			if s.stamp[w] == s.cur {
				continue
			}
			s.stamp[w] = s.cur
			s.prev[w] = ei
			if w == to {
				found = true
				break
			}
			s.queue = append(s.queue, int32(w))
		}
	}
	if !found {
		return nil
	}
	var path []int
	for v := to; ; {
		ei := s.prev[v]
		path = append(path, int(ei))
		v = g.Edges[ei].From
		if v == from {
			break
		}
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
}
