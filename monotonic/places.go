package monotonic

import (
	"fmt"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// Pair is an (input, output) pair that a finding about a place affects.
type Pair struct {
	From, To string
}

// maxPairsInMessage is how many of a place's pairs its message names
// (the finding's Pairs lists them all).
const maxPairsInMessage = 3

// placeGroup is the (input, output) pairs whose witnesses become D at one
// place: one rule (any of its nonmonotonic edges), or one contract that
// stands in for a missing implementation. A finding about a path is
// reported once per place, with its pairs and the shortest witness among
// them.
type placeGroup struct {
	edge     int     // the coordinate edge of the representative
	pairs    []int   // indexes into the verdicts, in their order (sink, then source)
	rep      int     // the pair with the shortest witness (the first such)
	witness  Witness // its witness
	edges    []int   // the coordinate edges of the pairs, each once
	asyncs   []int   // the asynchronous edges before them, each once (the first few)
	sub      string  // what further splits the place (how a covered pair is covered)
	verdicts []Verdict
}

// places groups the verdicts that pick selects (with the witness to
// use) by place, and within a place by sub: O(pairs + total witness
// length). Groups are in the order of their first pair.
func (f *facts) places(pick func(v *Verdict) (Witness, bool), sub func(v *Verdict) string) []*placeGroup {
	m := f.model()
	vs := f.verdicts()
	type key struct {
		place any
		sub   string
	}
	index := map[key]*placeGroup{}
	var out []*placeGroup
	for i := range vs {
		v := &vs[i]
		w, ok := pick(v)
		if !ok || w.Coordinate < 0 {
			continue
		}
		var place any
		if m.isContract(w.Coordinate) {
			place = m.vedge(w.Coordinate).contract
		} else {
			place = f.g.Edges[w.Coordinate].Rule
		}
		k := key{place, ""}
		if sub != nil {
			k.sub = sub(v)
		}
		pg := index[k]
		if pg == nil {
			pg = &placeGroup{edge: w.Coordinate, rep: i, witness: w, sub: k.sub, verdicts: vs}
			index[k] = pg
			out = append(out, pg)
		} else if len(w.Path) < len(pg.witness.Path) {
			pg.edge, pg.rep, pg.witness = w.Coordinate, i, w
		}
		pg.pairs = append(pg.pairs, i)
		if !containsInt(pg.edges, w.Coordinate) {
			pg.edges = append(pg.edges, w.Coordinate)
		}
		if w.Async >= 0 && !containsInt(pg.asyncs, w.Async) && len(pg.asyncs) < maxChannels {
			pg.asyncs = append(pg.asyncs, w.Async)
		}
	}
	return out
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// placeFinding fills in what every finding about a place has: position,
// module, rule, collections (the step's head, then what the rule reads
// nonmonotonically: the fingerprint is per place, whatever the pairs), the pairs (the
// representative first) and their inputs, the key and the flow.
func (f *facts) placeFinding(pg *placeGroup) Finding {
	g, m := f.g, f.model()
	pos, mod, key := f.edgePlace(pg.edge)
	var rule *modules.Rule
	if !m.isContract(pg.edge) {
		rule = g.Edges[pg.edge].Rule
	}
	cols := []string{g.Nodes[m.to(pg.edge)].Name, g.Nodes[m.from(pg.edge)].Name}
	for _, ei := range pg.edges {
		cols = appendUnique(cols, g.Nodes[m.from(ei)].Name)
	}
	if rule != nil {
		// Every collection the rule uses nonmonotonically, whether or not
		// some pair becomes D there: the fingerprint is the rule's, and
		// does not change with the pairs.
		lo, hi := pg.edge, pg.edge
		for lo > 0 && g.Edges[lo-1].RuleID == g.Edges[pg.edge].RuleID {
			lo--
		}
		for hi+1 < len(g.Edges) && g.Edges[hi+1].RuleID == g.Edges[pg.edge].RuleID {
			hi++
		}
		for ei := lo; ei <= hi; ei++ {
			if e := &g.Edges[ei]; e.Nonmonotonic {
				cols = appendUnique(cols, g.Nodes[e.From].Name)
			}
		}
	}
	pairs := make([]Pair, 0, len(pg.pairs))
	pairs = append(pairs, f.pairOf(&pg.verdicts[pg.rep]))
	var inputs []string
	seen := make(map[int]bool)
	for _, i := range pg.pairs {
		v := &pg.verdicts[i]
		if i != pg.rep {
			pairs = append(pairs, f.pairOf(v))
		}
		if !seen[v.From] {
			seen[v.From] = true
			inputs = append(inputs, g.Nodes[v.From].Name)
		}
	}
	return Finding{
		Pos: pos, Module: mod, Rule: rule, Collections: cols, Inputs: inputs, Pairs: pairs, Key: key,
		Flow: f.steps(pg.witness.Path, pg.witness.Coordinate),
	}
}

// onShortest names the pair whose path a message describes, when there
// are several: "on the shortest, a -> b, ".
func onShortest(pairs []Pair) string {
	if len(pairs) < 2 {
		return ""
	}
	return "on the shortest, " + pairs[0].From + " -> " + pairs[0].To + ", "
}

func (f *facts) pairOf(v *Verdict) Pair {
	return Pair{From: f.g.Nodes[v.From].Name, To: f.g.Nodes[v.To].Name}
}

// pairList names the first few pairs with their verb: "path a -> b is",
// "paths a -> b, c -> d and 5 more (7 in all) are".
func pairList(pairs []Pair) string {
	var b strings.Builder
	if len(pairs) == 1 {
		b.WriteString("path ")
	} else {
		b.WriteString("paths ")
	}
	n := min(len(pairs), maxPairsInMessage)
	for i, p := range pairs[:n] {
		switch {
		case i == 0:
		case i == n-1 && n == len(pairs):
			b.WriteString(" and ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(p.From + " -> " + p.To)
	}
	if more := len(pairs) - n; more > 0 {
		fmt.Fprintf(&b, " and %d more (%d in all)", more, len(pairs))
	}
	if len(pairs) == 1 {
		b.WriteString(" is")
	} else {
		b.WriteString(" are")
	}
	return b.String()
}
