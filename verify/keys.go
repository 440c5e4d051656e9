package verify

import (
	"fmt"
	"slices"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
)

// Keys respected by generated workloads (docs/verify.md, "Workloads").
// A keyed collection (key => values) holds one fact per key: two
// different facts of one key in it are a runtime error (key conflict).
// Where a rule copies an input's columns into a keyed collection, key to
// key and value to value, the input must give one value per key, or
// every run of the workload ends in a key conflict that says nothing of
// the program (VoteCollector's vote_request(txn) => (n), kept in
// vote_wait(txn) => (n); a participant's cast, one vote per voter). So
// the generator follows the key of every keyed collection back through
// the rules that copy into it, to the inputs (and the tables filled with
// initial facts), and gives each such input one value per key: a second
// fact of the same key repeats the first one's values. Unless the
// program itself handles two values of a key: a collection that a
// deletion or an upsert writes (a store overwriting a key), and a
// lattice (which merges), constrain nothing, and neither does a rule
// that computes its key or values (a count, an expression): a conflict
// there is the program's.

// keyDep says that the facts of a collection must agree on the columns
// vals whenever they agree on the columns keys.
type keyDep struct{ keys, vals []int }

// keyDeps computes, per collection the generator fills (inputs, tables of
// initial facts), the key dependencies its facts must keep.
func keyDeps(p *modules.Program) map[int][]keyDep {
	index := map[string]int{}
	for i, c := range p.Collections {
		index[c.Name] = i
	}
	byHead := map[int][]*modules.Rule{}
	managed := map[int]bool{} // written by a deletion or an upsert
	for _, r := range p.Rules {
		h, ok := index[r.Head.Pred]
		if !ok {
			continue
		}
		if r.Op == modules.OpDelete || r.Op == modules.OpUpsert {
			managed[h] = true
			continue
		}
		byHead[h] = append(byHead[h], r)
	}
	out := map[int][]keyDep{}
	seen := map[string]bool{}
	var need func(c int, keys, vals []int)
	need = func(c int, keys, vals []int) {
		if len(vals) == 0 {
			return
		}
		k := fmt.Sprint(c, keys, vals)
		if seen[k] {
			return
		}
		seen[k] = true
		rules := byHead[c]
		if len(rules) == 0 {
			// Filled by the workload: an input, or a table of initial
			// facts.
			out[c] = append(out[c], keyDep{keys: slices.Clone(keys), vals: slices.Clone(vals)})
			return
		}
		for _, r := range rules {
			// The head's key and value columns, where the rule copies
			// them from its one body atom: a join or a negation selects
			// which facts reach the head (OrderedDelivery numbers one
			// message per destination with the constant 1 only when
			// nothing is numbered yet), which the program then answers
			// for.
			atoms := r.BodyAtoms()
			if len(atoms) != 1 || atoms[0].Negated {
				continue
			}
			for _, l := range r.Body {
				a, ok := l.(*modules.AtomLit)
				if !ok {
					continue
				}
				b, ok := index[a.Pred]
				if !ok {
					continue
				}
				col := func(e modules.Expr) (int, bool, bool) {
					switch e := e.(type) {
					case *modules.Var:
						if e.Wildcard() {
							return -1, false, false
						}
						for j, x := range a.Args {
							if v, ok := x.(*modules.Var); ok && v.Name == e.Name {
								return j, true, false
							}
						}
					}
					return -1, false, false
				}
				var bk, bv []int
				complete := true
				for _, kc := range keys {
					if kc >= len(r.Head.Args) {
						complete = false
						break
					}
					j, ok, _ := col(r.Head.Args[kc])
					if !ok {
						complete = false
						break
					}
					bk = append(bk, j)
				}
				if !complete {
					continue
				}
				for _, vc := range vals {
					if vc >= len(r.Head.Args) {
						continue
					}
					if j, ok, constant := col(r.Head.Args[vc]); ok && !constant {
						bv = append(bv, j)
					}
				}
				need(b, bk, bv)
			}
		}
	}
	for c, d := range p.Collections {
		if len(d.Val) == 0 || d.IsLattice() || managed[c] {
			continue
		}
		var keys, vals []int
		for k := range d.Arity() {
			if k < len(d.Key) {
				keys = append(keys, k)
			} else {
				vals = append(vals, k)
			}
		}
		need(c, keys, vals)
	}
	return out
}

// keyKeeper gives the facts of one workload one value per key.
type keyKeeper struct {
	deps map[int][]keyDep
	seen map[string][]executor.Value
}

// keep rewrites args (a fact of collection c) so that it agrees with the
// facts drawn before it on every key dependency of c.
func (kk *keyKeeper) keep(c int, args []executor.Value) {
	for i, d := range kk.deps[c] {
		k := fmt.Sprint(c, " ", i)
		for _, j := range d.keys {
			k += "\x00" + args[j].String()
		}
		if prev, ok := kk.seen[k]; ok {
			for n, j := range d.vals {
				args[j] = prev[n]
			}
			continue
		}
		vals := make([]executor.Value, len(d.vals))
		for n, j := range d.vals {
			vals[n] = args[j]
		}
		if kk.seen == nil {
			kk.seen = map[string][]executor.Value{}
		}
		kk.seen[k] = vals
	}
}
