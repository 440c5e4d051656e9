package depgraph

// Reach returns the nodes reachable from the seeds, seeds included: along
// the edges, or against them when backward, through the edges that have
// none of the flags in skip (every edge when skip is 0). One
// breadth-first search: O(V + E).
func (g *Graph) Reach(seeds []int, backward bool, skip Flag) []bool {
	return g.ReachWithin(seeds, backward, skip, nil)
}

// ReachWithin is Reach inside the nodes within accepts (every node when
// within is nil): a seed or node it rejects is neither reached nor
// crossed.
func (g *Graph) ReachWithin(seeds []int, backward bool, skip Flag, within func(v int) bool) []bool {
	seen := make([]bool, len(g.Nodes))
	queue := make([]int32, 0, len(seeds))
	for _, v := range seeds {
		if !seen[v] && (within == nil || within(v)) {
			seen[v] = true
			queue = append(queue, int32(v))
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		var next []int32
		var flags []Flag
		if backward {
			next, flags = g.InAdj(int(queue[qi]))
		} else {
			next, flags = g.OutAdj(int(queue[qi]))
		}
		for i, w := range next {
			if !seen[w] && flags[i]&skip == 0 && (within == nil || within(int(w))) {
				seen[w] = true
				queue = append(queue, w)
			}
		}
	}
	return seen
}

// Spread propagates bit sets over the condensation: masks holds one set
// per component, and afterwards each component's set also holds the sets
// of every component that reaches it (through the edges s was computed
// over). Components are numbered in reverse topological order, so one
// pass from the last to the first is enough: O(V + E) for 64 sets of
// seeds at once (the bits of a uint64), whatever the number of seeds.
func (s *SCC) Spread(g *Graph, masks []uint64) {
	for c := s.Count - 1; c >= 0; c-- {
		m := masks[c]
		if m == 0 {
			continue
		}
		for _, v := range s.Members(c) {
			to, flags := g.OutAdj(int(v))
			for i, w := range to {
				if wc := s.Comp[w]; int(wc) != c && flags[i]&s.skip == 0 {
					masks[wc] |= m
				}
			}
		}
	}
}
