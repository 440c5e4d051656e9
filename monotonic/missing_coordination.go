package monotonic

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// CheckMissingCoordination is the missing-coordination check's name.
const CheckMissingCoordination Check = "missing-coordination"

// MissingCoordination reports the places where (input, output) pairs stay
// D once the program's coordination and seals are taken into account.
var MissingCoordination = &Analyzer{
	Name:     CheckMissingCoordination,
	Severity: modules.Warning,
	Doc: `A diffluent (D) path with no coordination and no seal where it matters.

A path from an input to an output is D when a nonmonotonic step follows an
asynchronous one: its result depends on the order in which messages
arrived. It is covered when a coordination declaration (coordination:
{kind: ..., on: [...]}) orders a collection on it between its last
asynchronous edge and that step, or when a seal (seals:) on the step's
collection has a key the step is evaluated per. Coordination placed before
the asynchronous edge does not count, nor does a seal on another key. One
finding per rule where paths become D: it lists the pairs it affects and
shows the shortest of their paths. The finding replaces diffluent-path for
the pairs it reports, and proposes the
cheapest fix: a seal on the step's key when a message that observes the
result carries that key (the client's checkout carries the session), else
ordered delivery of the channel the messages come through.`,
	Run: runMissingCoordination,
}

func runMissingCoordination(pass *Pass) {
	g, f := pass.Graph, pass.facts
	m := f.model()
	missing := func(v *Verdict) (Witness, bool) { return v.Missing, v.Effective == D }
	for _, pg := range f.places(missing, nil) {
		fd := f.placeFinding(pg)
		w := pg.witness
		var b strings.Builder
		fmt.Fprintf(&b, "coordination is missing: %s diffluent (D): %safter %s, nothing orders the messages before %s",
			pairList(fd.Pairs), onShortest(fd.Pairs), f.asyncWords(w), f.stepDesc(w.Coordinate))
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
		b.WriteString(f.fix(w, pg.asyncs))
		fd.Message = b.String()
		pass.Report(fd)
	}
}

// fix proposes the cheapest way to cover a witness: a seal on the key of
// its point of order when a message that observes the result carries it,
// else ordered delivery of the channels the messages come through (the
// witness's, then the other asynchronous edges of the place's pairs).
func (f *facts) fix(w Witness, asyncs []int) string {
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
	var chans []string
	if tj := f.timingAt(w.Coordinate); tj != nil && tj.Remote {
		// A timing join races the messages that fill its other side:
		// both streams must be ordered together.
		for _, ei := range f.witnessTo(g.Edges[tj.OtherEdge].From) {
			if g.Edges[ei].Async {
				asyncs = append(asyncs, ei)
			}
		}
	}
	for _, ei := range append([]int{w.Async}, asyncs...) {
		if ei >= 0 && !m.isContract(ei) {
			chans = appendUnique(chans, g.Nodes[g.Edges[ei].To].Name)
		}
	}
	if len(chans) == 0 {
		return "fix: order the messages before it with a coordination protocol that declares coordination: {kind: total-order, on: [...]}"
	}
	ch := strings.Join(chans, " and ")
	obs := ""
	observers = slices.DeleteFunc(observers, func(s string) bool { return slices.Contains(chans, s) })
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
		for a := range r.Atoms() {
			if a.Negated && a.Pred == b.Name {
				for _, x := range a.Args {
					grouping = append(grouping, varsOf(x)...)
				}
			}
		}
	}
	colOf := map[string]string{} // grouping variable -> column of b
	for a := range r.Atoms() {
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
		for a := range rr.Atoms() {
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
		for a := range r2.Atoms() {
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
