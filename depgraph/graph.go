// Package depgraph builds the predicate dependency graph of a composed
// program: one node per collection, one edge per (body collection, head
// collection, rule), with the properties the CALM analysis needs (temporal,
// asynchronous, nonmonotonic) and the distinguished nodes of the Bloom
// talk's legend: sources S, sinks T and underspecified dataflow (??).
//
// Everything here is linear in the size of the program: the graph is stored
// as compressed adjacency arrays, strongly connected components are found
// with an iterative Tarjan, and paths are shortest paths found by
// breadth-first search inside one component.
package depgraph

import (
	"sort"

	"github.com/calmcheck/calmcheck/modules"
)

// Node is a collection of the program.
type Node struct {
	ID     int
	Name   string
	Kind   modules.Kind
	Module string
	Decl   *modules.Decl
	// Written: some rule has it as head. Read: some rule has it in its
	// body.
	Written, Read bool
	// WrittenElsewhere: some rule writes it from another collection (or
	// from constants). ReadElsewhere: some rule with another head reads
	// it. A collection only its own rule reads and writes (x(K) <= x(K))
	// has Read and Written but neither of these: as in Bud, such a rule
	// does not connect an interface.
	WrittenElsewhere, ReadElsewhere bool
}

// Edge is a dependency of a head collection on a body collection through
// one rule. A collection used twice in one rule's body gives one edge,
// nonmonotonic if either use is.
type Edge struct {
	ID       int
	From, To int // body, head
	Rule     *modules.Rule
	RuleID   int // index of the rule in Program.Rules
	Op       modules.Op
	// Temporal: <+ <- <+- <~. Async: <~.
	Temporal, Async bool
	// Nonmonotonic: the body collection is negated in the rule, the head
	// aggregates, or the operator is <- or <+-. Negated and Aggregate say
	// which (both may hold).
	Nonmonotonic, Negated, Aggregate bool
	// Revealed: the rule reads the body collection's lattice values through reveal.
	Revealed bool
	// Pos is the position of the body atom (its notin for a negated use),
	// the place in the rule where the dependency is written.
	Pos modules.Pos
}

// Reason says why the edge is nonmonotonic ("" if it is not): "notin",
// "count<R>" (the head's aggregates), "deletion (<-)" or "upsert (<+-)".
func (e *Edge) Reason() string {
	if !e.Nonmonotonic {
		return ""
	}
	var parts []string
	if e.Negated {
		parts = append(parts, "notin")
	}
	if e.Aggregate {
		for _, a := range e.Rule.Aggregates() {
			parts = append(parts, a.String())
		}
	}
	if e.Revealed {
		parts = append(parts, "reveal of a lattice")
	}
	switch e.Op {
	case modules.OpDelete:
		parts = append(parts, "deletion (<-)")
	case modules.OpUpsert:
		parts = append(parts, "upsert (<+-)")
	}
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += ", "
		}
		s += p
	}
	return s
}

// UsePos is where a nonmonotonic edge is written: the notin of a negated
// use, the aggregate of an aggregating head, the operator of <- and <+-;
// the rule's position otherwise.
func (e *Edge) UsePos() modules.Pos {
	switch {
	case e.Negated:
		return e.Pos
	case e.Aggregate:
		if ags := e.Rule.Aggregates(); len(ags) > 0 && ags[0].Pos().IsValid() {
			return ags[0].Pos()
		}
	case e.Op.Nonmonotonic() && e.Rule.OpPos.IsValid():
		return e.Rule.OpPos
	}
	return e.Rule.Pos
}

// Direction says which end of an underspecified collection dangles.
type Direction string

// Directions of a dangling end: DirInput when nothing feeds the collection
// (the `??` node is in front of it: an output interface nothing writes, a
// channel read but never written); DirOutput when nothing consumes it (the
// `??` node is behind it: an input interface nothing reads, a channel
// written but never read).
const (
	DirInput  Direction = "input"
	DirOutput Direction = "output"
)

// Dangling is an underspecified end of the dataflow.
type Dangling struct {
	Node      int
	Direction Direction
}

// Graph is the dependency graph of a program.
type Graph struct {
	Program *modules.Program
	Nodes   []Node
	Edges   []Edge

	byName map[string]int
	// Compressed adjacency: the edges out of node n are
	// outIdx[outOff[n]:outOff[n+1]], their heads and flags at the same
	// positions of outTo and outFlag (and likewise into n). The hot loops
	// of the analysis read only these small arrays, not the Edge structs,
	// so that large graphs stay cache-friendly.
	outOff, outIdx, outTo []int32
	inOff, inIdx, inFrom  []int32
	outFlag, inFlag       []Flag
}

// Flag is a set of edge properties, for the compact adjacency arrays.
type Flag uint8

// Edge flags.
const (
	FlagTemporal Flag = 1 << iota
	FlagAsync
	FlagNonmonotonic
)

// Flags returns the edge's properties as a Flag set.
func (e *Edge) Flags() Flag {
	var f Flag
	if e.Temporal {
		f |= FlagTemporal
	}
	if e.Async {
		f |= FlagAsync
	}
	if e.Nonmonotonic {
		f |= FlagNonmonotonic
	}
	return f
}

// Build constructs the dependency graph of a composed program. Atoms that
// name no collection (which composition reports as errors) are skipped.
func Build(p *modules.Program) *Graph {
	g := &Graph{Program: p, byName: make(map[string]int, len(p.Collections))}
	g.Nodes = make([]Node, len(p.Collections))
	for i, d := range p.Collections {
		g.Nodes[i] = Node{ID: i, Name: d.Name, Kind: d.Kind, Module: d.Module, Decl: d}
		g.byName[d.Name] = i
	}
	atoms := 0
	for _, r := range p.Rules {
		atoms += len(r.Body)
	}
	g.Edges = make([]Edge, 0, atoms)
	for ri, r := range p.Rules {
		h, ok := g.byName[r.Head.Pred]
		if !ok {
			continue
		}
		g.Nodes[h].Written = true
		fromSelfOnly := false
		first := len(g.Edges) // this rule's edges are g.Edges[first:]
		agg := r.HasAggregate()
		for _, l := range r.Body {
			a, isAtom := l.(*modules.AtomLit)
			if !isAtom {
				continue
			}
			b, ok := g.byName[a.Pred]
			if !ok {
				continue
			}
			g.Nodes[b].Read = true
			if b != h {
				g.Nodes[b].ReadElsewhere = true
			}
			nm := r.NonmonotonicUse(a)
			dup := -1
			for i := first; i < len(g.Edges); i++ { // a rule has few atoms
				if g.Edges[i].From == b {
					dup = i
					break
				}
			}
			if dup >= 0 {
				e := &g.Edges[dup]
				if nm && !e.Nonmonotonic {
					e.Pos = a.Pos()
				}
				e.Nonmonotonic = e.Nonmonotonic || nm
				e.Negated = e.Negated || a.Negated
				e.Revealed = e.Revealed || r.Reveals(a)
				continue
			}
			g.Edges = append(g.Edges, Edge{
				ID: len(g.Edges), From: b, To: h, Rule: r, RuleID: ri, Op: r.Op,
				Temporal: r.Op.Temporal(), Async: r.Op.Async(),
				Nonmonotonic: nm, Negated: a.Negated, Aggregate: agg,
				Revealed: r.Reveals(a), Pos: a.Pos(),
			})
		}
		for i := first; i < len(g.Edges); i++ {
			fromSelfOnly = true
			if g.Edges[i].From != h {
				fromSelfOnly = false
				break
			}
		}
		if !fromSelfOnly {
			g.Nodes[h].WrittenElsewhere = true
		}
	}
	g.outOff, g.outIdx = csr(len(g.Nodes), g.Edges, func(e *Edge) int { return e.From })
	g.inOff, g.inIdx = csr(len(g.Nodes), g.Edges, func(e *Edge) int { return e.To })
	g.outTo, g.outFlag = make([]int32, len(g.Edges)), make([]Flag, len(g.Edges))
	g.inFrom, g.inFlag = make([]int32, len(g.Edges)), make([]Flag, len(g.Edges))
	for i, ei := range g.outIdx {
		e := &g.Edges[ei]
		g.outTo[i], g.outFlag[i] = int32(e.To), e.Flags()
	}
	for i, ei := range g.inIdx {
		e := &g.Edges[ei]
		g.inFrom[i], g.inFlag[i] = int32(e.From), e.Flags()
	}
	return g
}

// csr builds compressed adjacency arrays, edges of a node in edge order.
func csr(n int, edges []Edge, end func(*Edge) int) (off, idx []int32) {
	off = make([]int32, n+1)
	for i := range edges {
		off[end(&edges[i])+1]++
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	idx = make([]int32, len(edges))
	fill := make([]int32, n)
	copy(fill, off[:n])
	for i := range edges {
		v := end(&edges[i])
		idx[fill[v]] = int32(i)
		fill[v]++
	}
	return off, idx
}

// Out returns the ids of the edges leaving node n, in edge order.
func (g *Graph) Out(n int) []int32 { return g.outIdx[g.outOff[n]:g.outOff[n+1]] }

// In returns the ids of the edges entering node n, in edge order.
func (g *Graph) In(n int) []int32 { return g.inIdx[g.inOff[n]:g.inOff[n+1]] }

// OutAdj returns the heads and flags of the edges leaving node n, at the
// same positions as Out(n).
func (g *Graph) OutAdj(n int) ([]int32, []Flag) {
	lo, hi := g.outOff[n], g.outOff[n+1]
	return g.outTo[lo:hi], g.outFlag[lo:hi]
}

// InAdj returns the tails and flags of the edges entering node n, at the
// same positions as In(n).
func (g *Graph) InAdj(n int) ([]int32, []Flag) {
	lo, hi := g.inOff[n], g.inOff[n+1]
	return g.inFrom[lo:hi], g.inFlag[lo:hi]
}

// Lookup returns the node of the collection named name.
func (g *Graph) Lookup(name string) (int, bool) {
	n, ok := g.byName[name]
	return n, ok
}

// Imported reports whether the node is a collection of an imported
// instance (bed.pipe_in).
func (n *Node) Imported() bool { return n.Decl != nil && n.Decl.Instance != "" }

// Sources returns S: the input interfaces that nothing in the program
// derives, in declaration order. An imported instance's inputs are not
// the program's interfaces: the importer connects them, or they dangle
// (Underspecified).
func (g *Graph) Sources() []int {
	var out []int
	for _, n := range g.Nodes {
		if n.Kind == modules.Input && !n.Written && !n.Imported() {
			out = append(out, n.ID)
		}
	}
	return out
}

// Sinks returns T: the output interfaces that nothing in the program reads,
// in declaration order (an imported instance's outputs are not the
// program's: the importer reads them, or they dangle).
func (g *Graph) Sinks() []int {
	var out []int
	for _, n := range g.Nodes {
		if n.Kind == modules.Output && !n.Read && !n.Imported() {
			out = append(out, n.ID)
		}
	}
	return out
}

// Underspecified returns the `??` ends of the dataflow, in declaration
// order: input interfaces nothing reads, output interfaces nothing writes,
// channels written but never read or read but never written, and the
// interfaces of imported instances that the importer does not connect (an
// input it never writes, an output it never reads).
func (g *Graph) Underspecified() []Dangling {
	var out []Dangling
	for _, n := range g.Nodes {
		switch {
		case n.Kind == modules.Input && !n.ReadElsewhere:
			out = append(out, Dangling{n.ID, DirOutput})
		case n.Kind == modules.Input && !n.WrittenElsewhere && n.Imported():
			out = append(out, Dangling{n.ID, DirInput})
		case n.Kind == modules.Output && !n.WrittenElsewhere:
			out = append(out, Dangling{n.ID, DirInput})
		case n.Kind == modules.Output && !n.ReadElsewhere && n.Imported():
			out = append(out, Dangling{n.ID, DirOutput})
		case n.Kind == modules.Channel && n.Written && !n.Read:
			out = append(out, Dangling{n.ID, DirOutput})
		case n.Kind == modules.Channel && n.Read && !n.Written:
			out = append(out, Dangling{n.ID, DirInput})
		}
	}
	return out
}

// Entries returns the collections whose contents arrive from outside the
// program, in an order the program does not control: the sources S and the
// dangling read ends (?? in front of a collection that is read). They are
// the starting points of the point-of-order analysis.
func (g *Graph) Entries() []int {
	var out []int
	for _, n := range g.Nodes {
		switch {
		case n.Written:
		case n.Kind == modules.Input:
			out = append(out, n.ID)
		case (n.Kind == modules.Output || n.Kind == modules.Channel) && n.Read:
			out = append(out, n.ID)
		}
	}
	return out
}

// Names maps node ids to collection names.
func (g *Graph) Names(ids []int) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = g.Nodes[id].Name
	}
	return out
}

// SortedNames returns the names of the nodes, sorted and deduplicated.
func (g *Graph) SortedNames(ids []int) []string {
	out := g.Names(ids)
	sort.Strings(out)
	j := 0
	for i, s := range out {
		if i == 0 || s != out[j-1] {
			out[j] = s
			j++
		}
	}
	return out[:j]
}
