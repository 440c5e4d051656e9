package monotonic

import "github.com/calmcheck/calmcheck/depgraph"

// DiffluentEdges is Result.DiffluentEdges for a graph alone, for
// drawings that have the graph but not the whole analysis: per edge (and
// per contract edge, at len(g.Edges)+i, in the order of
// Result.ContractEdges), whether it lies on a path from a source to a
// sink labelled D, in Bud's labels with contracts (effective false) or
// once coordination and seals count (effective true).
func DiffluentEdges(g *depgraph.Graph, effective bool) []bool {
	return (&Result{Graph: g}).DiffluentEdges(effective)
}
