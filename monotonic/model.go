package monotonic

import (
	"fmt"
	"slices"
	"strings"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
)

// model is what the program declares about coordination (see
// docs/coordination.md), resolved against its graph: which collections
// are coordinated and by which declaration, which nonmonotonic edges are
// a coordination protocol's own mechanism (exempt) or covered by a seal,
// and which contracts stand in for missing implementations. Built once,
// in O(K * (V + E)) for K coordination declarations.
type model struct {
	g *depgraph.Graph
	p *modules.Program

	coordNodes [][]int // per coordination declaration: its collections
	nodeCoords [][]int // per node: the declarations that coordinate it (nil without coordination)
	// Per edge, nil when the program declares no coordination (no seal):
	// the declaration whose mechanism it is, the seal that covers it, a
	// seal on its tail that does not cover it; -1 for none. Read them
	// with exempt, sealed and missedSeal.
	exemptBy, sealBy, wrongSeal []int32
	sealNodes                   [][2]int
	vedges                      []contractEdge // the contracts the program does not realize
	realized                    []int          // the contracts it realizes (indexes in p.Contracts)
	contractIO                  [][2]int       // per contract: input and output nodes

	declared, full *automaton
	// mech: Bud's labels with contract edges, and the mechanisms of
	// coordination protocols not nonmonotonic (nil without coordination):
	// the witness that explains what covers a path, when not a mechanism.
	mech *automaton
	// bud: Bud's labels with the timing joins (timing.go), no contract,
	// coordination or seal.
	bud *automaton
	// tm: the timing joins; joinStart and joinIdx index them by edge
	// (the joins of edge ei are joinIdx[joinStart[ei]:joinStart[ei+1]],
	// in the order of tm.joins).
	tm                 *timingInfo
	joinStart, joinIdx []int32
	// plain: nothing beyond Bud and the timing joins (no contract edge,
	// coordination or seal): every label is bud's.
	plain bool
}

func newModel(g *depgraph.Graph) *model {
	p := g.Program
	m := &model{g: g, p: p}
	n, ne := len(g.Nodes), len(g.Edges)
	node := func(name string) int {
		v, ok := g.Lookup(name)
		if !ok {
			return -1
		}
		return v
	}
	// Coordinated collections.
	var reset []bool
	if len(p.Coordinations) > 0 {
		m.nodeCoords = make([][]int, n)
		reset = make([]bool, n)
	}
	for k, c := range p.Coordinations {
		var vs []int
		for _, r := range c.On {
			if v := node(r.Name); v >= 0 {
				vs = append(vs, v)
				m.nodeCoords[v] = append(m.nodeCoords[v], k)
				reset[v] = true
			}
		}
		m.coordNodes = append(m.coordNodes, vs)
	}
	// The mechanism of a coordination: the nonmonotonic edges of its
	// rules that lead to the collections it coordinates (one backward
	// search per declaration).
	if len(p.Coordinations) > 0 {
		m.exemptBy = minusOnes(ne)
	}
	for k, c := range p.Coordinations {
		up := g.Reach(m.coordNodes[k], true, 0)
		for i := range g.Edges {
			e := &g.Edges[i]
			if e.Nonmonotonic && e.Rule.Coord == c && up[e.To] && m.exemptBy[i] < 0 {
				m.exemptBy[i] = int32(k)
			}
		}
	}
	// Seals.
	if len(p.Seals) > 0 {
		m.sealBy, m.wrongSeal = minusOnes(ne), minusOnes(ne)
	}
	for si, s := range p.Seals {
		m.sealNodes = append(m.sealNodes, [2]int{node(s.Collection.Name), node(s.By.Name)})
		sv := m.sealNodes[si][0]
		if sv < 0 {
			continue
		}
		for _, ei := range g.Out(sv) {
			e := &g.Edges[ei]
			if !e.Nonmonotonic || m.sealBy[ei] >= 0 {
				continue
			}
			if sealCovers(p, e.Rule, s) {
				m.sealBy[ei] = int32(si)
			} else if m.wrongSeal[ei] < 0 {
				m.wrongSeal[ei] = int32(si)
			}
		}
	}
	// Contracts.
	for ci, c := range p.Contracts {
		in, out := node(c.Input.Name), node(c.Output.Name)
		m.contractIO = append(m.contractIO, [2]int{in, out})
		if in < 0 || out < 0 {
			continue
		}
		if g.Nodes[in].Read && g.Nodes[out].Written {
			m.realized = append(m.realized, ci)
			continue
		}
		m.vedges = append(m.vedges, contractEdge{from: in, to: out, label: parseLabel(c.Label), contract: ci})
	}
	var virt [][]int32
	if len(m.vedges) > 0 {
		virt = make([][]int32, n)
		for i, ce := range m.vedges {
			virt[ce.from] = append(virt[ce.from], int32(i))
		}
	}
	var class []uint8
	for i := 0; (m.exemptBy != nil || m.sealBy != nil) && i < ne; i++ {
		c := classPlain
		switch {
		case m.exempt(i) >= 0:
			c = classExempt
		case m.sealed(i) >= 0:
			c = classSealed
		default:
			continue
		}
		if class == nil {
			class = make([]uint8, ne)
		}
		class[i] = c
	}
	m.declared = &automaton{virt: virt, vedges: m.vedges}
	m.full = &automaton{class: class, reset: reset, virt: virt, vedges: m.vedges}
	m.plain = virt == nil && class == nil && reset == nil
	if len(p.Coordinations) > 0 {
		exempt := make([]uint8, ne)
		for i := range exempt {
			if m.exempt(i) >= 0 {
				exempt[i] = classExempt
			}
		}
		m.mech = &automaton{class: exempt, virt: virt, vedges: m.vedges}
	}
	m.tm = m.timing(reset, nil)
	m.indexJoins()
	m.bud = &automaton{timing: m.tm.decl}
	m.declared.timing, m.full.timing = m.tm.decl, m.tm.eff
	if m.mech != nil {
		m.mech.timing = m.tm.mech
	}
	return m
}

// indexJoins indexes the timing joins by edge (a counting sort, O(E +
// joins)), so that the joins of one edge are found without a scan of
// them all.
func (m *model) indexJoins() {
	ne := len(m.g.Edges)
	m.joinStart = make([]int32, ne+2)
	for i := range m.tm.joins {
		m.joinStart[m.tm.joins[i].Edge+2]++
	}
	for i := 2; i < len(m.joinStart); i++ {
		m.joinStart[i] += m.joinStart[i-1]
	}
	m.joinIdx = make([]int32, len(m.tm.joins))
	for i := range m.tm.joins {
		e := m.tm.joins[i].Edge + 1
		m.joinIdx[m.joinStart[e]] = int32(i)
		m.joinStart[e]++
	}
	m.joinStart = m.joinStart[:ne+1]
}

// joinsAt returns the indexes (in tm.joins, in order) of the timing joins
// on edge ei.
func (m *model) joinsAt(ei int) []int32 {
	if ei < 0 || ei+1 >= len(m.joinStart) {
		return nil
	}
	return m.joinIdx[m.joinStart[ei]:m.joinStart[ei+1]]
}

// coordsOf returns the coordination declarations that coordinate node v.
func (m *model) coordsOf(v int) []int {
	if m.nodeCoords == nil {
		return nil
	}
	return m.nodeCoords[v]
}

func minusOnes(n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = -1
	}
	return out
}

// exempt returns the coordination declaration whose mechanism edge ei is
// (-1 if none); sealed the seal that covers it; missedSeal a seal on its
// tail that does not cover it.
func (m *model) exempt(ei int) int     { return at(m.exemptBy, ei) }
func (m *model) sealed(ei int) int     { return at(m.sealBy, ei) }
func (m *model) missedSeal(ei int) int { return at(m.wrongSeal, ei) }

func at(xs []int32, i int) int {
	if xs == nil {
		return -1
	}
	return int(xs[i])
}

// without returns the full automaton without the collections that only
// declaration k coordinates.
func (m *model) without(k int) *automaton {
	a := *m.full
	a.reset = make([]bool, len(m.g.Nodes))
	for v, ks := range m.nodeCoords {
		for _, x := range ks {
			if x != k {
				a.reset[v] = true
			}
		}
	}
	return &a
}

func parseLabel(s string) Label {
	for i, n := range labelNames {
		if n == s {
			return Label(i)
		}
	}
	return Bot
}

// sealCovers reports whether seal s covers rule r's nonmonotonic use of
// its collection: the rule is evaluated per a key that includes the
// seal's. For an aggregate, every use of the collection must carry, in
// the seal's key columns, constants or grouping variables (the head's
// non-aggregate terms); a negated use must test those columns (no _), so
// that it is evaluated within one sealed group. A deletion or an upsert
// is never covered: a seal makes a group complete, it does not order the
// overwrites within it.
func sealCovers(p *modules.Program, r *modules.Rule, s *modules.Seal) bool {
	d := p.Collection(s.Collection.Name)
	if d == nil || r.Op.Nonmonotonic() {
		return false
	}
	cols := d.Columns()
	var key []int
	for _, k := range s.Key {
		for i, c := range cols {
			if c.Name == k.Name {
				key = append(key, i)
			}
		}
	}
	var grouping []string
	agg := r.HasAggregate()
	if agg {
		for _, a := range r.Head.Args {
			if _, isAgg := a.(*modules.AggExpr); !isAgg {
				grouping = append(grouping, varsOf(a)...)
			}
		}
	}
	used := false
	for a := range r.Atoms() {
		if a.Pred != s.Collection.Name || len(a.Args) != len(cols) {
			continue
		}
		if !a.Negated && !agg {
			continue // a monotonic use
		}
		used = true
		for _, j := range key {
			t := a.Args[j]
			if hasWildcard(t) {
				return false
			}
			if agg {
				for _, v := range varsOf(t) {
					if !slices.Contains(grouping, v) {
						return false
					}
				}
			}
		}
	}
	return used
}

// varsOf returns the named variables of a term.
func varsOf(e modules.Expr) []string {
	var out []string
	var walk func(modules.Expr)
	walk = func(e modules.Expr) {
		switch e := e.(type) {
		case *modules.Var:
			if !e.Wildcard() {
				out = append(out, e.Name)
			}
		case *modules.ListExpr:
			for _, x := range e.Elems {
				walk(x)
			}
		case *modules.BinaryExpr:
			walk(e.X)
			walk(e.Y)
		case *modules.UnaryExpr:
			walk(e.X)
		case *modules.CallExpr:
			for _, x := range e.Args {
				walk(x)
			}
		}
	}
	walk(e)
	return out
}

func hasWildcard(e modules.Expr) bool {
	switch e := e.(type) {
	case *modules.Var:
		return e.Wildcard()
	case *modules.ListExpr:
		for _, x := range e.Elems {
			if hasWildcard(x) {
				return true
			}
		}
	}
	return false
}

// --- descriptions ---

func (m *model) coordDesc(k int) string {
	c := m.p.Coordinations[k]
	return fmt.Sprintf("%s coordination on %s (%s, %s)", c.Kind, strings.Join(c.Names(), ", "), c.Where(), c.Pos)
}

func (m *model) sealDesc(si int) string {
	s := m.p.Seals[si]
	return fmt.Sprintf("sealed: %s (%s, %s)", s, s.Module, s.Pos)
}

func (m *model) mechanismDesc(k int) string {
	c := m.p.Coordinations[k]
	return fmt.Sprintf("part of the %s coordination of %s on %s (%s)", c.Kind, c.Where(), strings.Join(c.Names(), ", "), c.Pos)
}

func (m *model) contractDesc(ce *contractEdge) string {
	c := m.p.Contracts[ce.contract]
	return fmt.Sprintf("the contract %s of %s (%s)", c, c.Module, c.Pos)
}

// edgeName describes an edge or contract edge for messages: "the
// asynchronous action_msg <~ client_action (specs/cart.yaml:41)".
func (m *model) isContract(ei int) bool { return ei >= len(m.g.Edges) }

func (m *model) vedge(ei int) *contractEdge { return &m.vedges[ei-len(m.g.Edges)] }

func (m *model) from(ei int) int {
	if m.isContract(ei) {
		return m.vedge(ei).from
	}
	return m.g.Edges[ei].From
}

func (m *model) to(ei int) int {
	if m.isContract(ei) {
		return m.vedge(ei).to
	}
	return m.g.Edges[ei].To
}

// explain says why a path that Bud labels D is not D once coordination
// and seals are taken into account, from its witness.
func (m *model) explain(w Witness) string {
	if tj := m.timingAt(w.Coordinate); tj != nil && tj.Covered != "" && !m.g.Edges[w.Coordinate].Nonmonotonic {
		return tj.Covered
	}
	if w.Coordinate >= 0 && !m.isContract(w.Coordinate) {
		if k := m.exempt(w.Coordinate); k >= 0 {
			return m.mechanismDesc(k)
		}
		if si := m.sealed(w.Coordinate); si >= 0 {
			return m.sealDesc(si)
		}
	}
	after := 0
	for i, ei := range w.Path {
		if ei == w.Async {
			after = i
		}
	}
	for _, ei := range w.Path[after:] {
		if ei == w.Coordinate {
			break
		}
		if ks := m.coordsOf(m.to(ei)); len(ks) > 0 {
			return "coordinated: " + m.coordDesc(ks[0])
		}
	}
	return "coordinated or sealed on every path"
}
