package monotonic

import (
	"fmt"
	"slices"
	"strings"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/internal/par"
	"github.com/calmcheck/calmcheck/modules"
)

// CheckPointOfOrder is the point-of-order check's name.
const CheckPointOfOrder Check = "point-of-order"

// PointOfOrder reports nonmonotonic rules that messages can reach in
// different orders.
var PointOfOrder = &Analyzer{
	Name:     CheckPointOfOrder,
	Severity: modules.Warning,
	Doc: `A nonmonotonic rule that inputs reach asynchronously: where order matters.

A point of order is a nonmonotonic use (notin, an aggregate, a deletion <-
or an upsert <+-) of a collection whose contents arrive asynchronously:
from an input interface (the environment delivers inputs in any order),
from a dangling read end, or through a channel (<~). Different arrival
orders can give different results there, so replicas may diverge unless
the inputs are ordered (coordinated) before it. The finding names the
inputs and channels that reach it, and says whether its result is
persisted (the rule deletes or overwrites, or its result reaches a table:
every input through it must be ordered) or only observed (its result
flows only to scratches, outputs and channels within the timestep:
ordering is needed only when it is observed, e.g. at checkout), and the
key it groups by, where there is one. Coordinate there, restructure the
program to be monotonic (log the inputs and summarize them only when
observed, as the disorderly cart does), or acknowledge the coordination
with coordinated: "why" on the rule or its block.`,
	Run: runPointOfOrder,
}

// maxChannels is how many of the channels through which a point of order
// is reached its finding names.
const maxChannels = 4

// OrderPoint is a point of order: a rule with a nonmonotonic use of a
// collection that inputs reach asynchronously.
type OrderPoint struct {
	Rule   *modules.Rule
	RuleID int   // index in Program.Rules
	Edges  []int // the rule's nonmonotonic edges whose tail is asynchronous, and its timing joins'
	// Joins are the rule's order-sensitive timing joins (timing.go), the
	// one named first in words first.
	Joins []*TimingJoin
	// Persisted: the rule deletes or overwrites, or its result reaches a
	// table, so every input through it must be ordered; else its result
	// is only observed (flows to scratches, outputs and channels).
	Persisted bool
}

// orderPoints finds the points of order, in the order of their first
// edge.
func (f *facts) orderPoints() []OrderPoint {
	if f.points != nil {
		return f.points
	}
	g := f.g
	f.async()
	found := []OrderPoint{}
	byRule := map[int]int{}
	for i := range g.Edges {
		e := &g.Edges[i]
		if !e.Nonmonotonic || !f.reached[e.From] {
			continue
		}
		k, ok := byRule[e.RuleID]
		if !ok {
			k = len(found)
			byRule[e.RuleID] = k
			found = append(found, OrderPoint{Rule: e.Rule, RuleID: e.RuleID})
		}
		found[k].Edges = append(found[k].Edges, i)
	}
	// The order-sensitive timing joins (timing.go): their edges count as
	// nonmonotonic.
	m := f.model()
	for i := range m.tm.joins {
		tj := &m.tm.joins[i]
		e := &g.Edges[tj.Edge]
		if tj.Snapshot || !f.reached[e.From] {
			continue
		}
		k, ok := byRule[e.RuleID]
		if !ok {
			k = len(found)
			byRule[e.RuleID] = k
			found = append(found, OrderPoint{Rule: e.Rule, RuleID: e.RuleID})
		}
		if !slices.Contains(found[k].Edges, tj.Edge) {
			found[k].Edges = append(found[k].Edges, tj.Edge)
		}
		found[k].Joins = append(found[k].Joins, tj)
	}
	for i := range found {
		// Name the join whose transient side races through a <~ first.
		slices.SortStableFunc(found[i].Joins, func(a, b *TimingJoin) int { return a.rank() - b.rank() })
	}
	persists := f.persists()
	for i := range found {
		p := &found[i]
		p.Persisted = p.Rule.Op.Nonmonotonic() || persists[g.Edges[p.Edges[0]].To]
	}
	f.points = found
	return found
}

func runPointOfOrder(pass *Pass) {
	g, f := pass.Graph, pass.facts
	found := f.orderPoints()
	// The contracts that stand in for missing implementations imply a
	// point of order where they are nonmonotonic and reached
	// asynchronously.
	m := f.model()
	var implied []int // indexes of contract edges
	for i, ce := range m.vedges {
		if (ce.label == N || ce.label == D) && f.reached[ce.from] {
			implied = append(implied, i)
		}
	}
	if len(found) == 0 && len(implied) == 0 {
		return
	}
	pass.reserve(len(found) + len(implied))
	// Which entries reach each point of order (all of them), and through
	// which channels (the first few: listing every channel would make the
	// report quadratic in the size of large programs).
	entries := g.Entries()
	isEntry := make([]bool, len(g.Nodes))
	for _, v := range entries {
		isEntry[v] = true
	}
	var channels []int
	for _, n := range g.Nodes {
		if n.Kind == modules.Channel && !isEntry[n.ID] {
			channels = append(channels, n.ID)
		}
	}
	targets := make([][]int, len(found), len(found)+len(implied))
	for i, p := range found {
		for _, ei := range p.Edges {
			targets[i] = append(targets[i], g.Edges[ei].From)
		}
		for _, tj := range p.Joins {
			targets[i] = append(targets[i], g.Edges[tj.OtherEdge].From)
		}
	}
	for _, i := range implied {
		targets = append(targets, []int{m.vedges[i].from})
	}
	reach := f.origins(entries, targets)
	via, viaMore := f.firstOrigins(channels, maxChannels, targets)
	ureached := f.uncovered()
	f.coordReaches() // computed before the findings are, concurrently
	// The findings of the points, in chunks on every core: each chunk
	// with its own caches (the rest of facts is only read from here on).
	// The names of each list of inputs, once per list (origins shares the
	// lists of targets reached by the same inputs; so do the findings).
	namesOf := newNamesOf(g)
	inputs := make([][]string, len(found))
	for i := range found {
		inputs[i] = namesOf(reach[i])
	}
	fds := make([]Finding, len(found))
	inChunks(len(found), func(lo, hi int) {
		var sc stepCache
		for i := lo; i < hi; i++ {
			fds[i] = f.pointFinding(&found[i], inputs[i], via[i], viaMore[i], ureached, &sc)
		}
	})
	for _, fd := range fds {
		pass.Report(fd)
	}
	for j, vi := range implied {
		i := len(found) + j
		ce := &m.vedges[vi]
		c := m.p.Contracts[ce.contract]
		var b strings.Builder
		fmt.Fprintf(&b, "point of order implied by the abstraction: the contract %s of %s promises a nonmonotonic step from %s to %s in any implementation, and %s is reached asynchronously",
			c, c.Module, c.Input.Name, c.Output.Name, c.Input.Name)
		writeReach(&b, namesOf(reach[i]), g.Names(via[i]), viaMore[i])
		b.WriteString("; every implementation will need what enters it ordered, or a design that needs no order")
		fd := Finding{
			Pos: c.Pos, Module: c.Module, Collections: []string{c.Output.Name, c.Input.Name},
			Inputs: namesOf(reach[i]), Key: c.Module + ".contract " + c.Input.Name + " -> " + c.Output.Name,
			Flow: f.steps(append(f.witnessTo(ce.from), len(g.Edges)+vi), len(g.Edges)+vi), Message: b.String(),
		}
		if !ureached[ce.from] {
			fd.Check, fd.Severity, fd.Acknowledged = pass.Analyzer.Name, modules.Note, f.coordinatedReason(ce.from)
		}
		pass.Report(fd)
	}
}

// pointFinding is the finding of point of order p, which the entries
// inputs reach (through the channels via, and others when viaMore). It
// only reads f, but for the cache sc: the findings of different points
// are made concurrently.
func (f *facts) pointFinding(p *OrderPoint, inputs []string, via []int, viaMore bool, ureached []bool, sc *stepCache) Finding {
	g := f.g
	e0 := &g.Edges[p.Edges[0]]
	r := p.Rule
	chans := g.Names(via)
	var uses []string
	cols := []string{g.Nodes[e0.To].Name}
	for _, ei := range p.Edges {
		e := &g.Edges[ei]
		if e.Negated {
			uses = append(uses, "notin "+g.Nodes[e.From].Name)
		}
		if e.Revealed {
			uses = append(uses, "reveal of the lattice "+g.Nodes[e.From].Name)
		}
		cols = appendUnique(cols, g.Nodes[e.From].Name)
	}
	for _, tj := range p.Joins {
		cols = appendUnique(cols, g.Nodes[g.Edges[tj.OtherEdge].From].Name)
	}
	if len(p.Joins) > 0 {
		u := "a timing join (" + p.Joins[0].race()
		if len(p.Joins) > 1 {
			u += fmt.Sprintf(", and %d more", len(p.Joins)-1)
		}
		uses = append(uses, u+")")
	}
	if e0.Nonmonotonic && e0.Aggregate {
		for _, a := range r.Aggregates() {
			uses = append(uses, a.String())
		}
	}
	switch r.Op {
	case modules.OpDelete:
		uses = append(uses, "deletion (<-)")
	case modules.OpUpsert:
		uses = append(uses, "upsert (<+-)")
	}
	var b strings.Builder
	b.WriteString("point of order: ")
	for i, u := range uses {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(u)
	}
	b.WriteString(" in ")
	b.WriteString(r.Shape())
	b.WriteString(" is reached asynchronously")
	writeReach(&b, inputs, chans, viaMore)
	persisted := p.Persisted
	switch {
	case r.Op.Nonmonotonic():
		b.WriteString("; persisted (a deletion or overwrite lasts): every input through it must be ordered")
	case persisted:
		b.WriteString("; persisted (its result reaches a table): every input through it must be ordered")
	default:
		b.WriteString("; observed (its result only flows to scratches, outputs and channels): ordering is needed only where it is observed")
	}
	if key := groupingKey(g, r, p.Edges); len(key) > 0 {
		b.WriteString("; keyed by (")
		b.WriteString(strings.Join(key, ", "))
		b.WriteString(")")
	}
	// Witness: how an input reaches the first nonmonotonic edge.
	pos := e0.UsePos()
	if !e0.Nonmonotonic {
		pos = e0.Pos // a timing join: the literal whose facts meet the other's
	}
	fd := Finding{
		Pos: pos, Module: r.Module, Rule: r, Collections: cols,
		Inputs: inputs, Key: ruleKey(r), Message: b.String(),
	}
	if !f.noFlows {
		fd.Flow = f.stepsIn(sc, f.witnessThen(e0.From, p.Edges[0]), p.Edges[0])
	}
	if len(p.Joins) > 0 && !f.noFlows {
		tj := p.Joins[0]
		fd.OtherFlow = f.stepsIn(sc, f.witnessThen(g.Edges[tj.OtherEdge].From, tj.OtherEdge), -1)
	}
	// Coordination and seals: a point of order whose every
	// nonmonotonic use is a protocol's mechanism, sealed, or reached
	// only through coordinated collections is covered.
	if why := f.covers(p.Edges, ureached); why != "" {
		fd.Check, fd.Severity, fd.Acknowledged = CheckPointOfOrder, modules.Note, why
	}
	return fd
}

// newNamesOf returns a function giving the names of a list of nodes,
// once per list (by the list's first element and length).
func newNamesOf(g *depgraph.Graph) func([]int) []string {
	names := map[*int][]string{}
	return func(ids []int) []string {
		if len(ids) == 0 {
			return g.Names(ids)
		}
		k := &ids[0]
		ns, ok := names[k]
		if !ok || len(ns) != len(ids) {
			ns = g.Names(ids)
			names[k] = ns
		}
		return ns
	}
}

// inChunks is par.Chunks of at least minChunk points.
func inChunks(n int, work func(lo, hi int)) { par.Chunks(n, minChunk, work) }

// minChunk is the least work inChunks gives a goroutine (a variable for
// tests, which make small programs concurrent).
var minChunk = 256

// reserve makes room for n more findings at once: a large program has
// tens of thousands of points of order, and growing the slice by
// doubling copies them again and again (14% of lint's allocations on the
// wide 100,000-rule program).
func (p *Pass) reserve(n int) {
	*p.findings = slices.Grow(*p.findings, n)
}

func writeReach(b *strings.Builder, inputs, chans []string, more bool) {
	if len(inputs) > 0 {
		b.WriteString(" from ")
		b.WriteString(listNames(inputs))
	}
	if len(chans) > 0 {
		b.WriteString(" through ")
		b.WriteString(strings.Join(chans, ", "))
		if more {
			b.WriteString(" and other channels")
		}
	}
}

// groupingKey returns the head columns a nonmonotonic rule is evaluated
// per: for an aggregate, the grouping columns; for a negation, the head
// columns whose variables the negated atom tests.
func groupingKey(g *depgraph.Graph, r *modules.Rule, edges []int) []string {
	h, ok := g.Lookup(r.Head.Pred)
	if !ok {
		return nil
	}
	d := g.Nodes[h].Decl
	if d.Arity() != len(r.Head.Args) {
		return nil
	}
	var key []string
	if r.HasAggregate() {
		for i, a := range r.Head.Args {
			if _, agg := a.(*modules.AggExpr); !agg {
				key = append(key, d.Column(i).Name)
			}
		}
		return key
	}
	var negVars []string // a rule has few variables: a slice beats a map
	var walk func(x modules.Expr)
	walk = func(x modules.Expr) {
		switch x := x.(type) {
		case *modules.Var:
			if !x.Wildcard() {
				negVars = append(negVars, x.Name)
			}
		case *modules.ListExpr:
			for _, y := range x.Elems {
				walk(y)
			}
		}
	}
	for a := range r.Atoms() {
		if a.Negated {
			for _, x := range a.Args {
				walk(x)
			}
		}
	}
	for i, a := range r.Head.Args {
		if v, ok := a.(*modules.Var); ok && slices.Contains(negVars, v.Name) {
			key = appendUnique(key, d.Column(i).Name)
		}
	}
	return key
}
