package executor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// Stratification. Only the instantaneous rules (<=) take part: the others
// read the fixpoint of the timestep and write the next timestep or the
// network, so they never constrain the order inside one. An edge runs from
// each body collection of a rule to its head; it is negative when the body
// atom is under notin or the head aggregates. A collection's stratum is
// the largest, over its incoming edges, of the source's stratum (plus one
// for a negative edge); a negative edge inside a cycle makes the program
// unstratifiable.

type sedge struct {
	from, to  int
	neg       bool // negated or aggregate
	negated   bool
	aggregate bool
	pos       modules.Pos // the body atom (its notin when negated)
	rule      *modules.Rule
}

// stratify returns the stratum of every collection, or an error that names
// a cycle through negation or aggregation.
func stratify(p *modules.Program, index map[string]int) ([]int, modules.Diagnostics) {
	n := len(p.Collections)
	var edges []sedge
	out := make([][]int, n) // edge indexes by source
	for _, r := range p.Rules {
		if r.Op != modules.OpMerge {
			continue
		}
		h := index[r.Head.Pred]
		for _, a := range r.BodyAtoms() {
			e := sedge{from: index[a.Pred], to: h, neg: a.Negated || r.HasAggregate(), negated: a.Negated, aggregate: r.HasAggregate(), pos: a.Pos(), rule: r}
			out[e.from] = append(out[e.from], len(edges))
			edges = append(edges, e)
		}
	}
	comp := sccs(n, edges, out)
	// A negative edge inside a component is a cycle through negation.
	for i, e := range edges {
		if e.neg && comp[e.from] == comp[e.to] {
			return nil, modules.Diagnostics{cycleDiag(p, edges, out, comp, i)}
		}
	}
	// Longest path over the condensation; components come out of Tarjan's
	// algorithm in reverse topological order, so iterate to a fixpoint
	// over edges sorted by that order (at most n passes; usually one).
	stratum := make([]int, n)
	order := make([]int, len(edges))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return comp[edges[order[a]].from] > comp[edges[order[b]].from] })
	for changed := true; changed; {
		changed = false
		for _, i := range order {
			e := edges[i]
			s := stratum[e.from]
			if e.neg {
				s++
			}
			if s > stratum[e.to] {
				stratum[e.to] = s
				changed = true
			}
		}
	}
	return stratum, nil
}

// sccs numbers the strongly connected components (Tarjan, iterative).
func sccs(n int, edges []sedge, out [][]int) []int {
	index := make([]int, n)
	low := make([]int, n)
	on := make([]bool, n)
	comp := make([]int, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	next, ncomp := 0, 0
	type frame struct{ v, ei int }
	for root := 0; root < n; root++ {
		if index[root] >= 0 {
			continue
		}
		calls := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		on[root] = true
		for len(calls) > 0 {
			f := &calls[len(calls)-1]
			v := f.v
			if f.ei < len(out[v]) {
				w := edges[out[v][f.ei]].to
				f.ei++
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					on[w] = true
					calls = append(calls, frame{w, 0})
				} else if on[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					on[w] = false
					comp[w] = ncomp
					if w == v {
						break
					}
				}
				ncomp++
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				u := calls[len(calls)-1].v
				if low[v] < low[u] {
					low[u] = low[v]
				}
			}
		}
	}
	return comp
}

// cycleDiag describes the cycle that closes negative edge ei: the
// shortest path back from its head to its body collection inside the
// component. The message is the one calmcheck lint gives for the same
// cycle (check unstratifiable), so that the two agree.
func cycleDiag(p *modules.Program, edges []sedge, out [][]int, comp []int, ei int) modules.Diagnostic {
	e := edges[ei]
	prev := map[int]int{} // collection -> edge used to reach it
	queue := []int{e.to}
	seen := map[int]bool{e.to: true}
	for len(queue) > 0 && !seen[e.from] {
		v := queue[0]
		queue = queue[1:]
		for _, i := range out[v] {
			w := edges[i].to
			if comp[w] != comp[e.to] || seen[w] {
				continue
			}
			seen[w] = true
			prev[w] = i
			queue = append(queue, w)
		}
	}
	cyc := []int{ei}
	var back []int
	for v := e.from; v != e.to; {
		i, ok := prev[v]
		if !ok {
			break
		}
		back = append(back, i)
		v = edges[i].from
	}
	for i := len(back) - 1; i >= 0; i-- {
		cyc = append(cyc, back[i])
	}
	name := func(c int) string { return p.Collections[c].Name }
	names := []string{name(e.from)}
	steps := make([]string, len(cyc))
	for k, i := range cyc {
		ed := edges[i]
		names = append(names, name(ed.to))
		st := fmt.Sprintf("%s -> %s (%s at %s", name(ed.from), name(ed.to), ed.rule.Op, ed.rule.Pos.FileLine())
		if ed.neg {
			st += ", " + reason(ed)
		}
		steps[k] = st + ")"
	}
	more := 0
	for i, x := range edges {
		if i != ei && x.neg && comp[x.from] == comp[e.from] && comp[x.to] == comp[e.from] {
			more++
		}
	}
	moreText := ""
	if more > 0 {
		moreText = fmt.Sprintf(" (%d more nonmonotonic edges in this cycle's component)", more)
	}
	use, kind := reason(e), "nonmonotonic use"
	switch {
	case e.negated:
		use, kind = "notin "+name(e.from), "negation"
	case e.aggregate:
		kind = "aggregation"
	}
	pos := e.rule.Pos
	if e.negated && e.pos.IsValid() {
		pos = e.pos
	} else if ags := e.rule.Aggregates(); e.aggregate && len(ags) > 0 && ags[0].Pos().IsValid() {
		pos = ags[0].Pos()
	}
	return modules.Diagnostic{
		Pos:      pos,
		Severity: modules.Error,
		Check:    "unstratifiable",
		Message: fmt.Sprintf("unstratifiable: cycle %s with no temporal edge, through the nonmonotonic %s in %s; each step: %s%s. A timestep cannot evaluate it; break the cycle with <+ or remove the %s",
			strings.Join(names, " -> "), use, e.rule.Shape(), strings.Join(steps, ", "), moreText, kind),
	}
}

// reason names what makes an edge nonmonotonic: notin, the aggregates.
func reason(e sedge) string {
	var parts []string
	if e.negated {
		parts = append(parts, "notin")
	}
	if e.aggregate {
		for _, a := range e.rule.Aggregates() {
			parts = append(parts, a.String())
		}
	}
	return strings.Join(parts, ", ")
}
