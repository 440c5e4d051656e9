package monotonic

import (
	"fmt"
	"slices"
	"strings"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
)

// Unstratifiable reports cycles through a nonmonotonic edge that no
// temporal edge breaks.
var Unstratifiable = &Analyzer{
	Name:     "unstratifiable",
	Severity: modules.Error,
	Doc: `A cycle through a nonmonotonic edge with no temporal edge on it.

A collection that depends on itself through notin, an aggregate, within one
timestep has no meaning: the rule would have to see its own result before
computing it (Datalog's stratification). The finding gives one such cycle,
each step with its rule's position, and points at the nonmonotonic use on
it. Break the cycle with a temporal operator (<+ to use the result in the
next timestep), or remove the negation or aggregation.`,
	Run: runUnstratifiable,
}

func runUnstratifiable(pass *Pass) {
	g, f := pass.Graph, pass.facts
	scc := f.sccInst()
	first := make([]int, scc.Count) // first nonmonotonic instantaneous edge inside each component
	count := make([]int, scc.Count)
	for i := range first {
		first[i] = -1
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if e.Temporal || !e.Nonmonotonic || !scc.Same(e.From, e.To) {
			continue
		}
		c := scc.Comp[e.From]
		if first[c] < 0 {
			first[c] = i
		}
		count[c]++
	}
	for c, ei := range first {
		if ei < 0 {
			continue
		}
		e := &g.Edges[ei]
		cycle := cycleThrough(g, f.searcher(), ei, func(x *depgraph.Edge) bool {
			return !x.Temporal && scc.Comp[x.From] == int32(c) && scc.Comp[x.To] == int32(c)
		})
		more := ""
		if count[c] > 1 {
			more = fmt.Sprintf(" (%d more nonmonotonic edges in this cycle's component)", count[c]-1)
		}
		pass.Report(Finding{
			Pos: e.UsePos(), Module: e.Rule.Module, Rule: e.Rule,
			Collections: cycleCollections(g, cycle), Key: ruleKey(e.Rule),
			Flow: steps(g, cycle, -1),
			Message: fmt.Sprintf("unstratifiable: cycle %s with no temporal edge, through the nonmonotonic %s in %s; each step: %s%s. A timestep cannot evaluate it; break the cycle with <+ or remove the %s",
				cyclePath(g, cycle), useOf(g, e), e.Rule.Shape(), stepList(g, cycle), more, kindOf(e)),
		})
	}
}

// NonmonotonicCycle reports cycles through a nonmonotonic edge that a
// temporal edge makes legal.
var NonmonotonicCycle = &Analyzer{
	Name:     "nonmonotonic-cycle",
	Severity: modules.Note,
	Doc: `A cycle through a nonmonotonic edge that a temporal edge makes legal.

Bud draws these cycles red: state that is deleted, overwritten or
recomputed from itself across timesteps. It is legal (the temporal edge
moves the nonmonotonic step to the next timestep), but every such cycle is
a place where the order of timesteps, and so of the inputs that drive them,
matters. The finding gives the cycle and its temporal edge.`,
	Run: runNonmonotonicCycle,
}

func runNonmonotonicCycle(pass *Pass) {
	g, f := pass.Graph, pass.facts
	all, inst := f.sccAll(), f.sccInst()
	first := make([]int, all.Count)
	for i := range first {
		first[i] = -1
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if !e.Nonmonotonic || !all.Same(e.From, e.To) {
			continue
		}
		if !e.Temporal && inst.Same(e.From, e.To) {
			continue // unstratifiable, reported there
		}
		if c := all.Comp[e.From]; first[c] < 0 {
			first[c] = i
		}
	}
	for c, ei := range first {
		if ei < 0 {
			continue
		}
		e := &g.Edges[ei]
		cycle := cycleThrough(g, f.searcher(), ei, func(x *depgraph.Edge) bool {
			return all.Comp[x.From] == int32(c) && all.Comp[x.To] == int32(c)
		})
		var temporal []string
		for _, xi := range cycle {
			if x := &g.Edges[xi]; x.Temporal {
				temporal = append(temporal, fmt.Sprintf("%s %s %s", g.Nodes[x.To].Name, x.Op, g.Nodes[x.From].Name))
			}
		}
		fd := Finding{
			Pos: e.UsePos(), Module: e.Rule.Module, Rule: e.Rule,
			Collections: cycleCollections(g, cycle), Key: ruleKey(e.Rule),
			Flow: steps(g, cycle, -1),
			Message: fmt.Sprintf("nonmonotonic cycle %s through the %s in %s, legal because %s defers it to the next timestep; each step: %s",
				cyclePath(g, cycle), useOf(g, e), e.Rule.Shape(), strings.Join(temporal, ", "), stepList(g, cycle)),
		}
		if m := f.model(); m.exempt(ei) >= 0 {
			// A coordination protocol's state (a counter, a next number).
			fd.Check, fd.Severity, fd.Acknowledged = pass.Analyzer.Name, pass.Analyzer.Severity, m.mechanismDesc(m.exempt(ei))
		}
		pass.Report(fd)
	}
}

// Underspecified reports the dangling ends of the dataflow.
var Underspecified = &Analyzer{
	Name:     "underspecified",
	Severity: modules.Error,
	Doc: `A dangling end of the dataflow (the talk's ?? node).

An input interface that nothing reads, an output interface that nothing
writes, a channel that is written but never read or read but never written:
the program composes an abstract protocol without a module that realizes
it, so part of its dataflow is unspecified. Include the implementing module
(for example BestEffortDelivery for DeliveryProtocol), or remove the
interface.`,
	Run: runUnderspecified,
}

func runUnderspecified(pass *Pass) {
	g := pass.Graph
	for _, d := range g.Underspecified() {
		n := &g.Nodes[d.Node]
		var msg string
		switch {
		case n.Kind == modules.Input:
			msg = fmt.Sprintf("input interface %s is never read (%s -> ??): nothing in the program consumes what enters it", n.Name, n.Name)
		case n.Kind == modules.Output:
			msg = fmt.Sprintf("output interface %s is never written (?? -> %s): nothing in the program produces it", n.Name, n.Name)
		case d.Direction == depgraph.DirOutput:
			msg = fmt.Sprintf("channel %s is written but never read (%s -> ??): no module of the program receives its messages", n.Name, n.Name)
		default:
			msg = fmt.Sprintf("channel %s is read but never written (?? -> %s): no module of the program sends its messages", n.Name, n.Name)
		}
		msg += fmt.Sprintf("; %s is declared by %s: include a module that realizes it", n.Name, n.Module)
		pass.Report(Finding{
			Pos: declPos(n.Decl), Module: n.Module, Collections: []string{n.Name},
			Key: string(d.Direction), Message: msg,
		})
	}
}

// Unused reports collections nothing reads and nothing writes.
var Unused = &Analyzer{
	Name:     "unused",
	Severity: modules.Note,
	Doc: `A collection that no rule reads and no rule writes.

Tables, scratches, channels and timers that no rule of the composed
program mentions (interfaces are reported by underspecified instead). Often
a leftover, or state a module declares for modules that the program does
not include. Remove it, or include the module that uses it.`,
	Run: runUnused,
}

func runUnused(pass *Pass) {
	for _, n := range pass.Graph.Nodes {
		if n.Read || n.Written || n.Kind.Interface() {
			continue
		}
		pass.Report(Finding{
			Pos: declPos(n.Decl), Module: n.Module, Collections: []string{n.Name},
			Message: fmt.Sprintf("%s %s is never read or written by the program's rules", n.Kind, n.Name),
		})
	}
}

func declPos(d *modules.Decl) modules.Pos {
	if d.NamePos.IsValid() {
		return d.NamePos
	}
	return d.Pos
}

// PointOfOrder reports nonmonotonic rules that messages can reach in
// different orders.
var PointOfOrder = &Analyzer{
	Name:     "point-of-order",
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

type poo struct {
	rule  *modules.Rule
	edges []int // the nonmonotonic edges of the rule whose tail is asynchronous
}

func runPointOfOrder(pass *Pass) {
	g, f := pass.Graph, pass.facts
	f.async()
	var found []poo
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
			found = append(found, poo{rule: e.Rule})
		}
		found[k].edges = append(found[k].edges, i)
	}
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
		for _, ei := range p.edges {
			targets[i] = append(targets[i], g.Edges[ei].From)
		}
	}
	for _, i := range implied {
		targets = append(targets, []int{m.vedges[i].from})
	}
	reach := f.origins(entries, targets)
	via, viaMore := f.firstOrigins(channels, maxChannels, targets)
	persists := f.persists()
	ureached := f.uncovered()
	for i, p := range found {
		e0 := &g.Edges[p.edges[0]]
		r := p.rule
		inputs := g.Names(reach[i])
		chans := g.Names(via[i])
		var uses []string
		cols := []string{g.Nodes[e0.To].Name}
		for _, ei := range p.edges {
			e := &g.Edges[ei]
			if e.Negated {
				uses = append(uses, "notin "+g.Nodes[e.From].Name)
			}
			cols = appendUnique(cols, g.Nodes[e.From].Name)
		}
		if e0.Aggregate {
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
		fmt.Fprintf(&b, "point of order: %s in %s", strings.Join(uses, ", "), r.Shape())
		b.WriteString(" is reached asynchronously")
		writeReach(&b, inputs, chans, viaMore[i])
		persisted := r.Op.Nonmonotonic() || persists[e0.To]
		switch {
		case r.Op.Nonmonotonic():
			b.WriteString("; persisted (a deletion or overwrite lasts): every input through it must be ordered")
		case persisted:
			b.WriteString("; persisted (its result reaches a table): every input through it must be ordered")
		default:
			b.WriteString("; observed (its result only flows to scratches, outputs and channels): ordering is needed only where it is observed")
		}
		if key := groupingKey(g, r, p.edges); len(key) > 0 {
			fmt.Fprintf(&b, "; keyed by (%s)", strings.Join(key, ", "))
		}
		// Witness: how an input reaches the first nonmonotonic edge.
		flow := append(f.witnessTo(e0.From), p.edges[0])
		fd := Finding{
			Pos: e0.UsePos(), Module: r.Module, Rule: r, Collections: cols,
			Inputs: inputs, Key: ruleKey(r),
			Flow: steps(g, flow, p.edges[0]), Message: b.String(),
		}
		// Coordination and seals: a point of order whose every
		// nonmonotonic use is a protocol's mechanism, sealed, or reached
		// only through coordinated collections is covered.
		if why := f.covers(p.edges, ureached); why != "" {
			fd.Check, fd.Severity, fd.Acknowledged = pass.Analyzer.Name, modules.Note, why
		}
		pass.Report(fd)
	}
	for j, vi := range implied {
		i := len(found) + j
		ce := &m.vedges[vi]
		c := m.p.Contracts[ce.contract]
		var b strings.Builder
		fmt.Fprintf(&b, "point of order implied by the abstraction: the contract %s of %s promises a nonmonotonic step from %s to %s in any implementation, and %s is reached asynchronously",
			c, c.Module, c.Input.Name, c.Output.Name, c.Input.Name)
		writeReach(&b, g.Names(reach[i]), g.Names(via[i]), viaMore[i])
		b.WriteString("; every implementation will need what enters it ordered, or a design that needs no order")
		fd := Finding{
			Pos: c.Pos, Module: c.Module, Collections: []string{c.Output.Name, c.Input.Name},
			Inputs: g.Names(reach[i]), Key: c.Module + ".contract " + c.Input.Name + " -> " + c.Output.Name,
			Flow: f.steps(append(f.witnessTo(ce.from), len(g.Edges)+vi), len(g.Edges)+vi), Message: b.String(),
		}
		if !ureached[ce.from] {
			fd.Check, fd.Severity, fd.Acknowledged = pass.Analyzer.Name, modules.Note, f.coordinatedReason(ce.from)
		}
		pass.Report(fd)
	}
}

func writeReach(b *strings.Builder, inputs, chans []string, more bool) {
	if len(inputs) > 0 {
		fmt.Fprintf(b, " from %s", listNames(inputs))
	}
	if len(chans) > 0 {
		fmt.Fprintf(b, " through %s", strings.Join(chans, ", "))
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
	cols := g.Nodes[h].Decl.Columns()
	if len(cols) != len(r.Head.Args) {
		return nil
	}
	var key []string
	if r.HasAggregate() {
		for i, a := range r.Head.Args {
			if _, agg := a.(*modules.AggExpr); !agg {
				key = append(key, cols[i].Name)
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
	for _, a := range r.BodyAtoms() {
		if a.Negated {
			for _, x := range a.Args {
				walk(x)
			}
		}
	}
	for i, a := range r.Head.Args {
		if v, ok := a.(*modules.Var); ok && slices.Contains(negVars, v.Name) {
			key = appendUnique(key, cols[i].Name)
		}
	}
	return key
}

// DiffluentPath reports (input, output) pairs whose path label is D.
var DiffluentPath = &Analyzer{
	Name:     "diffluent-path",
	Severity: modules.Warning,
	Doc: `An input-to-output path labelled D: asynchrony followed by nonmonotonicity.

Path labels as in Bud's budlabel: along a path from an input interface to
an output interface, an edge is A if asynchronous (<~), N if nonmonotonic,
Bot otherwise; read left to right, A then N gives D (diffluent: the
output's contents depend on the order in which messages arrived), D
absorbs everything, and the label of an (input, output) pair is the worst
over all its paths (Bot < A < N < D). The finding names the asynchronous
edge and the nonmonotonic edge after it where the path becomes D: that is
where coordination would have to go. Order the messages before that edge,
make it monotonic, or acknowledge it with coordinated: "why". With
missing-coordination running, the pairs that no coordination or seal
covers are reported there instead, and the pairs the program covers are
notes here that say what covers them.`,
	Run: runDiffluentPath,
}

func runDiffluentPath(pass *Pass) {
	g, f := pass.Graph, pass.facts
	replaced := f.enabled[MissingCoordination.Name]
	for _, v := range f.verdicts() {
		w := v.Declared
		if v.Label != D || w.Coordinate < 0 {
			continue
		}
		covered := v.Effective < D
		if !covered && replaced {
			continue // missing-coordination reports it
		}
		pos, mod, key := f.edgePlace(w.Coordinate)
		from, to := g.Nodes[v.From].Name, g.Nodes[v.To].Name
		m := f.model()
		var rule *modules.Rule
		if !m.isContract(w.Coordinate) {
			rule = g.Edges[w.Coordinate].Rule
		}
		fd := Finding{
			Pos: pos, Module: mod, Rule: rule,
			Collections: []string{to, from, g.Nodes[m.to(w.Coordinate)].Name, g.Nodes[m.from(w.Coordinate)].Name},
			Inputs:      []string{from}, Key: key,
			Flow: f.steps(w.Path, w.Coordinate),
		}
		if covered {
			fd.Check, fd.Severity, fd.Acknowledged = pass.Analyzer.Name, modules.Note, v.Covered
			fd.Message = fmt.Sprintf("path %s -> %s is diffluent (D) in Bud's labels: after %s, %s reads messages in any order; the program covers it",
				from, to, f.asyncDesc(w.Async), f.stepDesc(w.Coordinate))
		} else {
			fd.Message = fmt.Sprintf("path %s -> %s is diffluent (D): after %s, %s makes its contents depend on message order; coordinate there (%s)",
				from, to, f.asyncDesc(w.Async), f.stepDesc(w.Coordinate), pos.FileLine())
		}
		pass.Report(fd)
	}
}

// --- formatting helpers ---

func ruleKey(r *modules.Rule) string { return r.Module + "." + r.Block }

// cycleThrough returns the edges of a shortest cycle that starts with edge
// ei, using only edges allow accepts.
func cycleThrough(g *depgraph.Graph, s *depgraph.Searcher, ei int, allow func(*depgraph.Edge) bool) []int {
	e := &g.Edges[ei]
	if e.From == e.To {
		return []int{ei}
	}
	back := s.Path(e.To, e.From, allow)
	return append([]int{ei}, back...)
}

func cyclePath(g *depgraph.Graph, cycle []int) string {
	if len(cycle) == 0 {
		return ""
	}
	parts := []string{g.Nodes[g.Edges[cycle[0]].From].Name}
	for _, ei := range cycle {
		parts = append(parts, g.Nodes[g.Edges[ei].To].Name)
	}
	return strings.Join(parts, " -> ")
}

func cycleCollections(g *depgraph.Graph, cycle []int) []string {
	var out []string
	for _, ei := range cycle {
		out = appendUnique(out, g.Nodes[g.Edges[ei].From].Name)
		out = appendUnique(out, g.Nodes[g.Edges[ei].To].Name)
	}
	return out
}

func stepList(g *depgraph.Graph, path []int) string {
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

func steps(g *depgraph.Graph, path []int, mark int) []Step {
	out := make([]Step, len(path))
	for i, ei := range path {
		e := &g.Edges[ei]
		var notes []string
		if ei == mark {
			notes = append(notes, "point of order")
		}
		if e.Nonmonotonic {
			notes = append(notes, "nonmonotonic: "+e.Reason())
		}
		if e.Async {
			notes = append(notes, "asynchronous")
		} else if e.Temporal {
			notes = append(notes, "temporal")
		}
		out[i] = Step{From: g.Nodes[e.From].Name, To: g.Nodes[e.To].Name, Op: e.Op.String(), Pos: e.Rule.Pos, Note: strings.Join(notes, "; ")}
	}
	return out
}

// useOf describes a nonmonotonic edge: "notin b", "count<R>",
// "deletion (<-)".
func useOf(g *depgraph.Graph, e *depgraph.Edge) string {
	switch {
	case e.Negated:
		return "notin " + g.Nodes[e.From].Name
	case e.Aggregate, e.Op.Nonmonotonic():
		return e.Reason()
	}
	return "use of " + g.Nodes[e.From].Name
}

func kindOf(e *depgraph.Edge) string {
	switch {
	case e.Negated:
		return "negation"
	case e.Aggregate:
		return "aggregation"
	}
	return "nonmonotonic use"
}

func listNames(names []string) string {
	const max = 6
	if len(names) > max {
		return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", len(names)-max)
	}
	return strings.Join(names, ", ")
}

func appendUnique(xs []string, s string) []string {
	for _, x := range xs {
		if x == s {
			return xs
		}
	}
	return append(xs, s)
}
