package verify

import (
	"slices"
	"sync"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
)

// Counterfactual attribution (docs/verify.md, "Attribution"). Lineage
// says through which rules the differing output facts were derived, but
// it cannot credit an absence (a deletion or a negation that suppressed
// a fact in one execution), and a rule in the lineage need not be the
// cause (a harmless filter upstream of a race elsewhere). So a divergence
// is credited to rule R only when replaying both executions with R's
// effect neutralized removes or changes part of the difference: some
// output fact only one execution has is no longer only in that one.
//
// R is neutralized by its monotone reading when it has one (its negated
// atoms dropped: the filter lets everything through), else, or when that
// reading cannot run (a key conflict the negation guarded against), by
// suppressing its derivations (a deletion that deletes nothing, an
// upsert, an aggregate or a join that derives nothing).

// neutral is rule R's neutralized programs, compiled once.
type neutral struct {
	once     sync.Once
	monotone *executor.Program // negated atoms dropped; nil when R has none
	suppress *executor.Program // R derives nothing
}

// neutralized returns the neutralized programs of rule r.
func (v *verifier) neutralized(r int) *neutral {
	v.neutralMu.Lock()
	n := v.neutrals[r]
	if n == nil {
		n = &neutral{}
		v.neutrals[r] = n
	}
	v.neutralMu.Unlock()
	n.once.Do(func() {
		rule := v.prog.Rules[r]
		if !rule.Op.Nonmonotonic() && len(rule.Aggregates()) == 0 {
			var body []modules.Literal
			for _, l := range rule.Body {
				if a, ok := l.(*modules.AtomLit); ok && a.Negated {
					continue
				}
				body = append(body, l)
			}
			if len(body) < len(rule.Body) && len(body) > 0 {
				n.monotone = v.compileWith(r, body)
			}
		}
		never := &modules.CmpLit{Op: "==", X: &modules.IntLit{Value: 0}, Y: &modules.IntLit{Value: 1}, P: rule.Pos}
		n.suppress = v.compileWith(r, append(slices.Clone(rule.Body), never))
	})
	return n
}

// compileWith compiles the program with rule r's body replaced.
func (v *verifier) compileWith(r int, body []modules.Literal) *executor.Program {
	p := *v.prog
	p.Rules = slices.Clone(v.prog.Rules)
	nr := *p.Rules[r]
	nr.Body = body
	p.Rules[r] = &nr
	cp, ds := executor.Compile(&p)
	if cp == nil || ds.HasErrors() {
		return nil
	}
	return cp
}

// credit replays executions a and b (whose outcomes are oa and ob) with
// rule r neutralized and returns the output collections in which part of
// the difference went away or changed (nil: none; r is not a cause).
//
// Only a rule that acted differently in the two executions is replayed.
// When neither neutralized reading can run (a keyed table that only the
// deletion keeps to one value per key conflicts without it), a persisted
// point of order is compared by its effect instead: credited, in the
// differing outputs its head reaches, when the final state of its head or
// the facts it derived differ between the two executions.
func (v *verifier) credit(e *experiment, a, b spec, oa, ob outcome, at *attribution, r int) map[string]bool {
	if out, ran := v.replayNeutral(e, a, b, oa, ob, r); ran {
		return out
	}
	if !v.persisted[r] {
		return nil
	}
	differing := differingColls(oa, ob)
	var out map[string]bool
	for _, o := range v.outs[r] {
		if differing[o] {
			if out == nil {
				out = map[string]bool{}
			}
			out[o] = true
		}
	}
	return out
}

// actedDifferently reports whether rule r may have caused a difference:
// a persisted point of order (a deletion or upsert, or a head that is or
// reaches a table) must have acted differently in the two executions,
// derived (or deleted) other facts or left its head in another final
// state (two upserts in swapped order derive the same facts, not the same
// state); one that did the same in both (a filter of facts from the same
// timestep, feeding a table) shaped both alike and is not a cause,
// whatever a replay without it shows, so it is not replayed. A transient
// point of order (an aggregate recomputed every timestep) matters by when
// it derives, which only the replay tells.
func (v *verifier) actedDifferently(at *attribution, r int) bool {
	return !v.persisted[r] || at.differs(r) || at.headDiffers(v.prog.Rules[r].Head.Pred)
}

// replayNeutral runs both executions with rule r neutralized (ran: some
// reading of it could run both).
func (v *verifier) replayNeutral(e *experiment, a, b spec, oa, ob outcome, r int) (out map[string]bool, ran bool) {
	n := v.neutralized(r)
	for _, cp := range []*executor.Program{n.monotone, n.suppress} {
		if cp == nil {
			continue
		}
		ra := v.executeOn(cp, e, a, false, false)
		if ra.Stop != "quiescent" || ra.Err != nil {
			continue
		}
		rb := v.executeOn(cp, e, b, false, false)
		if rb.Stop != "quiescent" || rb.Err != nil {
			continue
		}
		return changed(oa, ob, outcomeOf(ra, v.sinks), outcomeOf(rb, v.sinks)), true
	}
	return nil, false
}

// changed returns the collections in which the neutralized difference
// (between na and nb) is a strict part of the original one (between oa
// and ob): some output fact no longer differs, and nothing differs that
// did not. A rule whose neutralization shifts the outputs of both runs
// alike (a harmless filter whose absence lets more facts through) changes
// the difference without explaining it, and is not credited.
func changed(oa, ob, na, nb outcome) map[string]bool {
	type side struct {
		b bool
		x string
	}
	orig := map[side]bool{}
	onlyA, onlyB := diff(oa, ob)
	for _, x := range onlyA {
		orig[side{false, x}] = true
	}
	for _, x := range onlyB {
		orig[side{true, x}] = true
	}
	nA, nB := diff(na, nb)
	now := map[side]bool{}
	for _, x := range nA {
		now[side{false, x}] = true
	}
	for _, x := range nB {
		now[side{true, x}] = true
	}
	gone, extra := map[string]bool{}, map[string]bool{}
	for s := range orig {
		if !now[s] {
			gone[entryCollection(s.x)] = true
		}
	}
	for s := range now {
		if !orig[s] {
			extra[entryCollection(s.x)] = true
		}
	}
	var out map[string]bool
	for c := range gone {
		if !extra[c] {
			if out == nil {
				out = map[string]bool{}
			}
			out[c] = true
		}
	}
	return out
}

// rulesOnPaths returns, of the rules rs, those on a path from collection
// from to collection to: a body atom reached from the input, the head
// reaching the output.
func rulesOnPaths(g *depgraph.Graph, rules []*modules.Rule, rs []int, from, to string) []int {
	src, ok1 := g.Lookup(from)
	dst, ok2 := g.Lookup(to)
	if !ok1 || !ok2 {
		return nil
	}
	fwd, bwd := g.Reach([]int{src}, false, 0), g.Reach([]int{dst}, true, 0)
	var out []int
	for _, r := range rs {
		h, ok := g.Lookup(rules[r].Head.Pred)
		if !ok || !bwd[h] {
			continue
		}
		for _, a := range rules[r].BodyAtoms() {
			if c, ok := g.Lookup(a.Pred); ok && fwd[c] {
				out = append(out, r)
				break
			}
		}
	}
	return out
}
