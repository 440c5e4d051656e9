package verify

import (
	"fmt"
	"slices"
	"strings"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
)

// Seals checked by execution (docs/verify.md, "Broken seals and coordination"). A seal
// {collection: c, key: K, by: b} is a promise: once a fact of b has
// arrived for a key, no more facts of c arrive for it. calmcheck's
// analysis believes it, and the points of order it covers become notes.
// verify checks it on the workloads that follow the program's protocol
// (the given workload, and the built-in workloads of a built-in program:
// a generated workload cannot know how a seal's sealing message says it is
// complete, as SealedCart's checkout counts the actions before it): a
// variant that keeps the senders' side of the promise (every input that
// leads to c is sent before the inputs of the same key that lead to b),
// run under many schedules. The
// network may still reorder the messages: keeping the promise is then the
// declaring module's job (SealedCart's checkout says how many actions it
// follows, and the server waits for them). A covered point of order that
// such a run confirms is a broken seal: an error that no acknowledgement
// hides.

// sealCheck is a seal that covers some points of order.
type sealCheck struct {
	seal     *modules.Seal
	coll, by int   // graph nodes
	keyCols  []int // the seal's key columns in the sealed collection
	findings []*findingState
}

// planSeals finds the seals that cover points of order.
func (v *verifier) planSeals() []*sealCheck {
	var out []*sealCheck
	for _, su := range v.res.Seals {
		sc := &sealCheck{seal: su.Seal, coll: su.Collection, by: su.By}
		decl := v.prog.Collections[su.Collection]
		for _, k := range su.Seal.KeyNames() {
			if i := slices.IndexFunc(decl.Columns(), func(c modules.Column) bool { return c.Name == k }); i >= 0 {
				sc.keyCols = append(sc.keyCols, i)
			}
		}
		for _, e := range su.Covers {
			r := v.g.Edges[e].RuleID
			for _, fs := range v.finds {
				if fs.rule == r && !slices.Contains(sc.findings, fs) {
					sc.findings = append(sc.findings, fs)
				}
			}
		}
		if len(sc.findings) > 0 {
			out = append(out, sc)
		}
	}
	return out
}

// respecting returns workload wl with the senders' side of the seal
// kept: every input that leads to a sealing fact is moved after the last
// input of the same key that leads to the sealed collection. It returns
// nil when nothing in the workload relates to the seal.
func (v *verifier) respecting(wl *workload, sc *sealCheck, dom *domains) *workload {
	type role struct {
		data, seal bool
		cols       []int // the input's columns holding the seal's key, in key order
	}
	roles := map[string]*role{}
	keyClasses := make([]*class, len(sc.keyCols))
	for i, k := range sc.keyCols {
		keyClasses[i] = dom.classOf(sc.coll, k)
	}
	for _, s := range v.g.Sources() {
		name := v.g.Nodes[s].Name
		reach := v.g.Reach([]int{s}, false, 0)
		r := &role{data: reach[sc.coll], seal: reach[sc.by] && !reach[sc.coll]}
		ci := slices.IndexFunc(v.prog.Collections, func(d *modules.Decl) bool { return d.Name == name })
		if ci < 0 || !(r.data || r.seal) {
			continue
		}
		for _, kc := range keyClasses {
			col := -1
			for k := range v.prog.Collections[ci].Columns() {
				if dom.classOf(ci, k) == kc {
					col = k
					break
				}
			}
			if col < 0 {
				r = nil
				break
			}
			r.cols = append(r.cols, col)
		}
		if r != nil {
			roles[name] = r
		}
	}
	key := func(f executor.WorkloadFact, r *role) string {
		var parts []string
		for _, c := range r.cols {
			if c < len(f.Fact.Args) {
				parts = append(parts, f.Fact.Args[c].String())
			}
		}
		return strings.Join(parts, "\x00")
	}
	last := map[string]int{}
	for _, in := range wl.inputs {
		if r := roles[in.Fact.Collection]; r != nil && r.data {
			last[key(in, r)] = max(last[key(in, r)], in.Tick)
		}
	}
	inputs := slices.Clone(wl.inputs)
	moved, sealers := 0, 0
	for i, in := range inputs {
		r := roles[in.Fact.Collection]
		if r == nil || !r.seal {
			continue
		}
		sealers++
		if t, ok := last[key(in, r)]; ok && in.Tick <= t {
			inputs[i].Tick = t + 1
			moved++
		}
	}
	if sealers == 0 || len(last) == 0 {
		return nil
	}
	out := wl.with(wl.facts, inputs)
	out.name = fmt.Sprintf("%s (sealed)", wl.name)
	return out
}
