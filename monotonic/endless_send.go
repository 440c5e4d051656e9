package monotonic

import (
	"fmt"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// CheckEndlessSend is the endless-send check's name.
const CheckEndlessSend Check = "endless-send"

// EndlessSend reports channel rules that send the same messages every
// timestep, forever.
var EndlessSend = &Analyzer{
	Name:     CheckEndlessSend,
	Severity: modules.Warning,
	Doc: `A channel rule that sends the same messages every timestep, forever.

A rule ch(...) <~ body whose body reads only persistent collections (tables
that no rule deletes from or upserts into, and scratches computed from
such tables without aggregates),
with no notin that could stop it, derives the same facts in every
timestep once those tables hold them, so it sends its messages again in
every timestep: the network never empties and the program never quiesces
(calmcheck run stops with "the run did not quiesce"). Send from something
transient instead (an input, a channel, a scratch fed by one), stop the
rule with notin of an acknowledgement, delete what was sent (<-), or, if
retransmission is the point, resend on a timer: a periodic in the body
(pipe_chan <~ rtx_clock, buf) sends once per period, the idiom of
ReliableDelivery, and is not reported.`,
	Run: runEndlessSend,
}

func runEndlessSend(pass *Pass) {
	p, g := pass.Program, pass.Graph
	// steady[v]: v holds some facts in every timestep once its inputs
	// are in: a table nothing deletes from or upserts (<- <+-), or a
	// scratch with a rule (<=, no aggregate: an aggregate's value moves
	// as its tables grow) that reads only steady collections, without
	// notin (its facts recur in every timestep). The least fixpoint, by
	// a worklist over the graph: each candidate rule waits for its
	// distinct body collections (a rule's edges), O(V + E).
	steady := make([]bool, len(g.Nodes))
	deleted := make([]bool, len(g.Nodes))
	for _, r := range p.Rules {
		if r.Op == modules.OpDelete || r.Op == modules.OpUpsert {
			if h, ok := g.Lookup(r.Head.Pred); ok {
				deleted[h] = true // its facts can go
			}
		}
	}
	var queue []int
	for v := range g.Nodes {
		if g.Nodes[v].Kind.Persistent() && !deleted[v] {
			steady[v] = true
			queue = append(queue, v)
		}
	}
	waiting := make([]int32, len(p.Rules)) // candidate rules: distinct body collections not yet steady; -1: not a candidate
	for i := range g.Edges {
		e := &g.Edges[i]
		r := e.Rule
		if waiting[e.RuleID] < 0 {
			continue
		}
		if g.Nodes[e.To].Kind != modules.Scratch || r.Op != modules.OpMerge || e.Negated || r.HasAggregate() {
			waiting[e.RuleID] = -1
			continue
		}
		waiting[e.RuleID]++
	}
	for len(queue) > 0 {
		v := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, ei := range g.Out(v) {
			e := &g.Edges[ei]
			if waiting[e.RuleID] <= 0 {
				continue
			}
			if waiting[e.RuleID]--; waiting[e.RuleID] == 0 && !steady[e.To] {
				steady[e.To] = true
				queue = append(queue, e.To)
			}
		}
	}
	isSteady := func(name string) bool {
		v, ok := g.Lookup(name)
		return ok && steady[v]
	}
	for _, r := range p.Rules {
		if !r.Op.Async() {
			continue
		}
		ok, reads := steadyBody(r, isSteady)
		if !ok || len(reads) == 0 {
			continue
		}
		pass.Report(Finding{
			Pos: r.Pos, Module: r.Module, Collections: append([]string{r.Head.Pred}, reads...),
			Key: fmt.Sprintf("rule %s.%s#%d", r.Module, r.Block, r.Index),
			Message: fmt.Sprintf("endless send: %s <~ %s (%s) reads only %s, which nothing deletes from and no notin guards, "+
				"so once %s it sends the same messages every timestep and the program never quiesces; "+
				"send from something transient, guard it with notin of an acknowledgement, delete what was sent (<-), "+
				"or resend on a periodic if retransmission is meant",
				r.Head.Pred, strings.Join(reads, ", "), r.Pos.FileLine(), describeSteady(reads, p), holdWord(reads)),
		})
	}
}

// steadyBody reports whether every atom of r's body is steady and none is
// negated, with the collections it reads (once each, in order).
func steadyBody(r *modules.Rule, steady func(string) bool) (bool, []string) {
	var reads []string
	seen := map[string]bool{}
	for _, l := range r.Body {
		a, ok := l.(*modules.AtomLit)
		if !ok {
			continue
		}
		if a.Negated || !steady(a.Pred) {
			return false, nil
		}
		if !seen[a.Pred] {
			seen[a.Pred] = true
			reads = append(reads, a.Pred)
		}
	}
	return true, reads
}

func describeSteady(reads []string, p *modules.Program) string {
	kinds := map[modules.Kind]bool{}
	for _, c := range reads {
		if d := p.Collection(c); d != nil {
			kinds[d.Kind] = true
		}
	}
	switch {
	case kinds[modules.Scratch] && len(kinds) > 1:
		return "tables and scratches computed from tables"
	case kinds[modules.Scratch]:
		return "scratches computed from tables"
	}
	return "tables"
}

func holdWord(reads []string) string {
	if len(reads) == 1 {
		return reads[0] + " holds a fact"
	}
	return "they hold facts"
}
