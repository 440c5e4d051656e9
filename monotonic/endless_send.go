package monotonic

import (
	"fmt"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// EndlessSend reports channel rules that send the same messages every
// timestep, forever.
var EndlessSend = &Analyzer{
	Name:     "endless-send",
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
	p := pass.Program
	deleted := map[string]bool{}
	for _, r := range p.Rules {
		if r.Op == modules.OpDelete || r.Op == modules.OpUpsert {
			deleted[r.Head.Pred] = true // its facts can go
		}
	}
	// steady[c]: c holds some facts in every timestep once its inputs
	// are in: a table nothing deletes from or upserts (<- <+-), or a
	// scratch with a rule (<=, no aggregate: an aggregate's value moves
	// as its tables grow) that reads only steady collections, without
	// notin (its facts recur in every timestep). The least fixpoint.
	steady := map[string]bool{}
	for _, d := range p.Collections {
		if d.Kind.Persistent() && !deleted[d.Name] {
			steady[d.Name] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, r := range p.Rules {
			d := p.Collection(r.Head.Pred)
			if d == nil || d.Kind != modules.Scratch || steady[d.Name] || r.Op != modules.OpMerge || r.HasAggregate() {
				continue
			}
			if ok, reads := steadyBody(r, steady); ok && len(reads) > 0 {
				steady[d.Name] = true
				changed = true
			}
		}
	}
	for _, r := range p.Rules {
		if !r.Op.Async() {
			continue
		}
		ok, reads := steadyBody(r, steady)
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
func steadyBody(r *modules.Rule, steady map[string]bool) (bool, []string) {
	var reads []string
	seen := map[string]bool{}
	for _, l := range r.Body {
		a, ok := l.(*modules.AtomLit)
		if !ok {
			continue
		}
		if a.Negated || !steady[a.Pred] {
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
