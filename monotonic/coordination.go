package monotonic

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// MissingCoordination reports the (input, output) pairs that stay D once
// the program's coordination and seals are taken into account.
var MissingCoordination = &Analyzer{
	Name:     "missing-coordination",
	Severity: modules.Warning,
	Doc: `A diffluent (D) path with no coordination and no seal where it matters.

A path from an input to an output is D when a nonmonotonic step follows an
asynchronous one: its result depends on the order in which messages
arrived. It is covered when a coordination declaration (coordination:
{kind: ..., on: [...]}) orders a collection on it between its last
asynchronous edge and that step, or when a seal (seals:) on the step's
collection has a key the step is evaluated per. Coordination placed before
the asynchronous edge does not count, nor does a seal on another key. The
finding replaces diffluent-path for the pairs it reports, and proposes the
cheapest fix: a seal on the step's key when a message that observes the
result carries that key (the client's checkout carries the session), else
ordered delivery of the channel the messages come through.`,
	Run: runMissingCoordination,
}

// UnneededCoordination reports coordination declarations that change no
// label.
var UnneededCoordination = &Analyzer{
	Name:     "unneeded-coordination",
	Severity: modules.Warning,
	Doc: `Coordination placed where nothing needs it: the talk's replication overkill.

A coordination declaration is needed when some order-sensitive step (a
nonmonotonic rule after an asynchronous edge) is covered with it and not
without it. One that covers nothing sits on paths labelled Bot or A
(monotonic, coordination-free), or before another asynchronous edge, or on
one of several message streams of a step that the others still reach in
any order: it costs a round of coordination and buys nothing. Remove it, or
move it to where the remaining point of order is.`,
	Run: runUnneededCoordination,
}

// Contract reports realized protocols whose paths are worse than their
// contract declares.
var Contract = &Analyzer{
	Name:     "contract",
	Severity: modules.Error,
	Doc: `An implementation that breaks its protocol's contract.

A protocol module may declare the labels of its input-to-output paths
(contract: {kvput -> kvget_response: N}): any module that realizes the
protocol must give those paths a label no worse (Bot < A < N < D), counting
the coordination it declares. When the program does not realize the
protocol, the contract stands in for the missing implementation in the
labels, so an abstract program already shows the points of order its
abstraction implies. The finding points at the step of the implementation
where its label exceeds the contract.`,
	Run: runContract,
}

func runMissingCoordination(pass *Pass) {
	g, f := pass.Graph, pass.facts
	m := f.model()
	for _, v := range f.verdicts() {
		w := v.Missing
		if v.Effective != D || w.Coordinate < 0 {
			continue
		}
		from, to := g.Nodes[v.From].Name, g.Nodes[v.To].Name
		var b strings.Builder
		fmt.Fprintf(&b, "coordination is missing: path %s -> %s is diffluent (D): after %s, nothing orders the messages before %s",
			from, to, f.asyncDesc(w.Async), f.stepDesc(w.Coordinate))
		if !m.isContract(w.Coordinate) {
			if si := m.missedSeal(w.Coordinate); si >= 0 {
				e := &g.Edges[w.Coordinate]
				key := groupingKey(g, e.Rule, []int{w.Coordinate})
				fmt.Fprintf(&b, "; the seal %s (%s) does not cover it: the rule is evaluated per (%s), which does not hold the seal's key", m.p.Seals[si], m.p.Seals[si].Pos, strings.Join(key, ", "))
			}
		}
		if k := f.coordBefore(w); k >= 0 {
			fmt.Fprintf(&b, "; the %s comes before the asynchronous step, so it does not order what reaches the point of order", m.coordDesc(k))
		}
		b.WriteString("; ")
		b.WriteString(f.fix(w))
		pos, mod, key := f.edgePlace(w.Coordinate)
		var rule *modules.Rule
		cols := []string{to, from}
		if !m.isContract(w.Coordinate) {
			e := &g.Edges[w.Coordinate]
			rule = e.Rule
		}
		cols = appendUnique(cols, g.Nodes[m.to(w.Coordinate)].Name)
		cols = appendUnique(cols, g.Nodes[m.from(w.Coordinate)].Name)
		pass.Report(Finding{
			Pos: pos, Module: mod, Rule: rule, Collections: cols, Inputs: []string{from}, Key: key,
			Flow: f.steps(w.Path, w.Coordinate), Message: b.String(),
		})
	}
}

// coordBefore returns a coordination declaration on the witness path
// before its last asynchronous edge (-1 if none).
func (f *facts) coordBefore(w Witness) int {
	m := f.model()
	if w.Async < 0 || len(w.Path) == 0 {
		return -1
	}
	if ks := m.coordsOf(m.from(w.Path[0])); len(ks) > 0 && w.Path[0] != w.Async {
		return ks[0]
	}
	for _, ei := range w.Path {
		if ei == w.Async {
			break
		}
		if ks := m.coordsOf(m.to(ei)); len(ks) > 0 {
			return ks[0]
		}
	}
	return -1
}

// edgePlace returns where a finding about an edge (or contract edge) is
// reported, its module and its fingerprint key.
func (f *facts) edgePlace(ei int) (modules.Pos, string, string) {
	m := f.model()
	if m.isContract(ei) {
		c := m.p.Contracts[m.vedge(ei).contract]
		return c.Pos, c.Module, c.Module + ".contract"
	}
	e := &f.g.Edges[ei]
	return e.UsePos(), e.Rule.Module, ruleKey(e.Rule)
}

// asyncDesc describes the asynchronous edge of a witness.
func (f *facts) asyncDesc(ei int) string {
	g, m := f.g, f.model()
	switch {
	case ei < 0:
		return "an asynchronous edge"
	case m.isContract(ei):
		return "the asynchronous " + m.contractDesc(m.vedge(ei))
	}
	e := &g.Edges[ei]
	return fmt.Sprintf("the asynchronous %s <~ %s (%s)", g.Nodes[e.To].Name, g.Nodes[e.From].Name, e.Rule.Pos.FileLine())
}

// stepDesc describes the nonmonotonic edge of a witness.
func (f *facts) stepDesc(ei int) string {
	g, m := f.g, f.model()
	if m.isContract(ei) {
		return "the nonmonotonic step implied by the abstraction: " + m.contractDesc(m.vedge(ei))
	}
	e := &g.Edges[ei]
	return fmt.Sprintf("the nonmonotonic %s in %s", useOf(g, e), e.Rule.Shape())
}

// fix proposes the cheapest way to cover a witness: a seal on the key of
// its point of order when a message that observes the result carries it,
// else ordered delivery of the channel the messages come through.
func (f *facts) fix(w Witness) string {
	g, m := f.g, f.model()
	var observers []string
	if !m.isContract(w.Coordinate) {
		coll, key, by, obs := f.suggestSeal(w.Coordinate)
		observers = obs
		if by != "" {
			return fmt.Sprintf("cheapest fix: a seal, since %s carries the key: declare `seals: [{collection: %s, key: [%s], by: %s}]` and have %s say how many facts of %s to wait for, and wait for them before using the result",
				by, coll, strings.Join(key, ", "), by, by, coll)
		}
	}
	ch := ""
	if w.Async >= 0 && !m.isContract(w.Async) {
		ch = g.Nodes[g.Edges[w.Async].To].Name
	}
	if ch == "" {
		return "fix: order the messages before it with a coordination protocol that declares coordination: {kind: total-order, on: [...]}"
	}
	obs := ""
	observers = slices.DeleteFunc(observers, func(s string) bool { return s == ch })
	if len(observers) > 0 {
		verb := "observes"
		if len(observers) > 1 {
			verb = "observe"
		}
		obs = fmt.Sprintf(" and %s (which %s the result)", strings.Join(observers, ", "), verb)
	}
	return fmt.Sprintf("fix: deliver %s%s in one total order (ordered delivery, such as OrderedDelivery, which declares coordination: {kind: total-order, on: [pipe_out]})", ch, obs)
}

// suggestSeal looks for a seal that would cover the nonmonotonic edge ei:
// a message (a channel or input) that the rule itself, or a rule reading
// its result, joins on the rule's key, and that carries the key under the
// column names of the collection the rule reads. It returns the sealed
// collection, the key and the sealing collection ("" if none), and the
// messages that observe the result.
func (f *facts) suggestSeal(ei int) (coll string, key []string, by string, observers []string) {
	g := f.g
	p := g.Program
	e := &g.Edges[ei]
	r := e.Rule
	b := p.Collection(g.Nodes[e.From].Name)
	if b == nil {
		return
	}
	cols := b.Columns()
	// The rule's grouping variables, and the column of the read
	// collection each one stands in.
	var grouping []string
	switch {
	case r.Op.Nonmonotonic():
		// A seal does not order overwrites; only observers are listed.
	case r.HasAggregate():
		for _, a := range r.Head.Args {
			if _, isAgg := a.(*modules.AggExpr); !isAgg {
				grouping = append(grouping, varsOf(a)...)
			}
		}
	default:
		for _, a := range r.BodyAtoms() {
			if a.Negated && a.Pred == b.Name {
				for _, x := range a.Args {
					grouping = append(grouping, varsOf(x)...)
				}
			}
		}
	}
	colOf := map[string]string{} // grouping variable -> column of b
	for _, a := range r.BodyAtoms() {
		if a.Pred != b.Name || len(a.Args) != len(cols) {
			continue
		}
		for j, x := range a.Args {
			if v, ok := x.(*modules.Var); ok && slices.Contains(grouping, v.Name) {
				if _, seen := colOf[v.Name]; !seen {
					colOf[v.Name] = cols[j].Name
				}
			}
		}
	}
	isMessage := func(name string) bool {
		d := p.Collection(name)
		return d != nil && (d.Kind == modules.Channel || d.Kind == modules.Input)
	}
	// try checks the message atoms of rule rr, whose variables map to
	// columns of b through vars.
	try := func(rr *modules.Rule, vars map[string]string, skip string) bool {
		for _, a := range rr.BodyAtoms() {
			if a.Negated || a.Pred == skip || a.Pred == b.Name || !isMessage(a.Pred) {
				continue
			}
			observers = appendUnique(observers, a.Pred)
			d := p.Collection(a.Pred)
			tc := d.Columns()
			var k []string
			for q, x := range a.Args {
				v, ok := x.(*modules.Var)
				if !ok || q >= len(tc) {
					continue
				}
				if c, ok := vars[v.Name]; ok && c == tc[q].Name && !slices.Contains(k, c) {
					k = append(k, c)
				}
			}
			if len(k) > 0 && by == "" {
				// In the order of b's columns.
				sort.Slice(k, func(i, j int) bool { return colIndex(cols, k[i]) < colIndex(cols, k[j]) })
				coll, key, by = b.Name, k, a.Pred
			}
		}
		return by != ""
	}
	try(r, colOf, "")
	// Rules that read the result: their variables at the head's grouping
	// positions map to the same columns.
	h, ok := g.Lookup(r.Head.Pred)
	if !ok {
		return
	}
	seen := map[*modules.Rule]bool{r: true}
	for _, oi := range g.Out(h) {
		r2 := g.Edges[oi].Rule
		if seen[r2] {
			continue
		}
		seen[r2] = true
		vars := map[string]string{}
		for _, a := range r2.BodyAtoms() {
			if a.Negated || a.Pred != r.Head.Pred || len(a.Args) != len(r.Head.Args) {
				continue
			}
			for i, x := range a.Args {
				v2, ok2 := x.(*modules.Var)
				hv, ok1 := r.Head.Args[i].(*modules.Var)
				if ok1 && ok2 && !v2.Wildcard() {
					if c, ok := colOf[hv.Name]; ok {
						vars[v2.Name] = c
					}
				}
			}
		}
		try(r2, vars, r.Head.Pred)
	}
	return
}

func colIndex(cols []modules.Column, name string) int {
	for i, c := range cols {
		if c.Name == name {
			return i
		}
	}
	return len(cols)
}

// steps renders a witness path, contract edges included.
func (f *facts) steps(path []int, mark int) []Step {
	g, m := f.g, f.model()
	var real []int
	out := make([]Step, 0, len(path))
	for _, ei := range path {
		if !m.isContract(ei) {
			real = append(real[:0], ei)
			out = append(out, steps(g, real, mark)...)
			continue
		}
		ce := m.vedge(ei)
		c := m.p.Contracts[ce.contract]
		note := fmt.Sprintf("contract of %s: %s", c.Module, c.Label)
		if ei == mark {
			note = "point of order; " + note
		}
		out = append(out, Step{From: g.Nodes[ce.from].Name, To: g.Nodes[ce.to].Name, Op: "contract", Pos: c.Pos, Note: note})
	}
	return out
}

func runUnneededCoordination(pass *Pass) {
	f := pass.facts
	m := f.model()
	f.coordinationUses()
	for _, info := range f.unneededInto {
		c := m.p.Coordinations[info.k]
		var b strings.Builder
		fmt.Fprintf(&b, "unneeded coordination: the %s coordination of %s on %s changes no path's label", c.Kind, c.Where(), strings.Join(c.Names(), ", "))
		switch {
		case !info.reached:
			b.WriteString(": no input reaches it")
		case info.label <= A:
			fmt.Fprintf(&b, ": the paths into it are labelled %s (monotonic: coordination-free)", info.label)
		default:
			fmt.Fprintf(&b, ": the paths into it are labelled %s", info.label)
		}
		// The order-sensitive steps after it that are still open.
		after := m.forward(m.coordNodes[info.k])
		var open []string
		for i, o := range f.open {
			if !o || !after[m.from(i)] {
				continue
			}
			open = append(open, f.stepDesc(i))
		}
		switch {
		case len(open) > 0:
			more := ""
			if len(open) > 2 {
				more = fmt.Sprintf(" (and %d more)", len(open)-2)
				open = open[:2]
			}
			verb := "is"
			if len(open) > 1 {
				verb = "are"
			}
			fmt.Fprintf(&b, ", and it does not address the order-sensitive steps after it: %s%s %s still reached without coordination", strings.Join(open, " and "), more, verb)
		case info.reached:
			b.WriteString(", and nothing order-sensitive follows it before the next asynchronous edge or an output")
		}
		b.WriteString("; remove it, or move it to where the point of order is")
		pass.Report(Finding{
			Pos: c.Pos, Module: c.Module, Collections: c.Names(), Key: "coordination " + c.Where(),
			Message: b.String(),
		})
	}
}

func runContract(pass *Pass) {
	g, f := pass.Graph, pass.facts
	m := f.model()
	if len(m.realized) == 0 {
		return
	}
	scc := f.sccAll()
	for _, ci := range m.realized {
		c := m.p.Contracts[ci]
		in, out := m.contractIO[ci][0], m.contractIO[ci][1]
		declared := parseLabel(c.Label)
		// Paths end at the protocol's interfaces: what comes after an
		// output, or through another input, is the program's, not the
		// implementation's.
		stop := make([]bool, len(g.Nodes))
		if mod := m.p.Module(c.Module); mod != nil {
			for _, d := range mod.State {
				if v, ok := g.Lookup(d.Name); ok && d.Kind.Interface() {
					stop[v] = true
				}
			}
		}
		a := *m.full
		a.stop = stop
		l := newLabeler(g, scc, &a)
		l.run(in)
		lab, ok := l.label(out)
		if !ok || lab <= declared {
			continue
		}
		s := worstState(l.mask[out])
		path, _, _ := l.witness(out, s)
		// The first step where the path's label exceeds the contract.
		st := a.arrive(in, stBot)
		at := -1
		for _, ei := range path {
			if m.isContract(ei) {
				st = a.arrive(m.to(ei), stepLabel(st, m.vedge(ei).label))
			} else {
				e := &g.Edges[ei]
				st = a.arrive(e.To, a.edgeStep(st, ei, e.Flags()))
			}
			if stateL[st] > declared {
				at = ei
				break
			}
		}
		if at < 0 {
			continue
		}
		pos, mod, _ := f.edgePlace(at)
		async := -1
		for _, ei := range path {
			if ei == at {
				break
			}
			if m.isContract(ei) && (m.vedge(ei).label == A || m.vedge(ei).label == D) || !m.isContract(ei) && g.Edges[ei].Async {
				async = ei
			}
		}
		var what string
		if m.isContract(at) {
			what = m.contractDesc(m.vedge(at))
		} else {
			e := &g.Edges[at]
			switch {
			case e.Nonmonotonic && async >= 0:
				what = "after " + f.asyncDesc(async) + ", " + f.stepDesc(at)
			case e.Nonmonotonic:
				what = f.stepDesc(at)
			case e.Async:
				what = f.asyncDesc(at)
			default:
				what = e.Rule.Shape()
			}
		}
		var rule *modules.Rule
		if !m.isContract(at) {
			rule = g.Edges[at].Rule
		}
		pass.Report(Finding{
			Pos: pos, Module: mod, Rule: rule, Collections: []string{c.Input.Name, c.Output.Name},
			Key: c.Module + ".contract " + c.Input.Name + " -> " + c.Output.Name, Flow: f.steps(path, at),
			Message: fmt.Sprintf("contract broken: %s declares %s -> %s: %s (%s), but in this program the path is %s: %s makes it %s; %s does not keep %s's contract",
				c.Module, c.Input.Name, c.Output.Name, c.Label, c.Pos, lab, what, stateL[stepTo(path, at, &a, m, in)], mod, c.Module),
		})
	}
}

// stepTo returns the state right after edge at on path, from in.
func stepTo(path []int, at int, a *automaton, m *model, in int) uint8 {
	st := a.arrive(in, stBot)
	for _, ei := range path {
		if m.isContract(ei) {
			st = a.arrive(m.to(ei), stepLabel(st, m.vedge(ei).label))
		} else {
			e := &m.g.Edges[ei]
			st = a.arrive(e.To, a.edgeStep(st, ei, e.Flags()))
		}
		if ei == at {
			break
		}
	}
	return st
}

// worstState returns the state of a mask with the worst label (D, then
// N, NA, A, C, Bot).
func worstState(mask uint8) uint8 {
	for _, s := range []uint8{stD, stN, stNA, stA, stC, stBot} {
		if mask&(1<<s) != 0 {
			return s
		}
	}
	return stBot
}
