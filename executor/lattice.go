package executor

import (
	"github.com/calmcheck/calmcheck/lattice"
	"github.com/calmcheck/calmcheck/modules"
)

// Lattice collections (Bloom^L). A collection with lattice columns keeps
// one fact per key; a fact whose key is present is merged into it, column
// by column (least upper bound), instead of raising a key conflict. Inside
// a timestep's fixpoint the merged fact is appended as a new version of
// the key (index 0 chains versions, newest first), so semi-naive
// evaluation sees it as new; older versions stay visible until the
// stratum ends, which is harmless because rules read lattices only
// through monotone functions (anything derived from an older version is
// derived from the newer one too). Between strata, before sending, and at
// the end of the timestep, compactLattices keeps only the newest version
// of each key, so that reveal (a later stratum) and every output see one
// value per key.

// latticeOf returns the lattice types of a collection's columns (nil if it
// has none).
func latticeOf(d *modules.Decl) []*modules.LatticeType {
	if !d.IsLattice() {
		return nil
	}
	out := make([]*modules.LatticeType, d.Arity())
	for i := range out {
		out[i] = d.ColumnType(i)
	}
	return out
}

// toLat converts an executor value to a lattice value.
func toLat(v Value) lattice.Value {
	switch v.Kind() {
	case BoolKind:
		b, _ := v.AsBool()
		return b
	case IntKind:
		n, _ := v.AsInt()
		return n
	case StringKind:
		s, _ := v.AsString()
		return s
	}
	l, _ := v.AsList()
	out := make([]lattice.Value, len(l))
	for i, x := range l {
		out[i] = toLat(x)
	}
	return out
}

// fromLat converts a lattice value back.
func fromLat(v lattice.Value) Value {
	switch v := v.(type) {
	case bool:
		return Bool(v)
	case int64:
		return Int(v)
	case string:
		return Str(v)
	case []lattice.Value:
		out := make([]Value, len(v))
		for i, x := range v {
			out[i] = fromLat(x)
		}
		return List(out...)
	}
	return Value{}
}

// latticeEnv returns the program's lattice environment (made once).
func (p *Program) latticeEnv() *lattice.Env {
	p.latOnce.Do(func() { p.lat = lattice.NewEnv(p.src.Lattices) })
	return p.lat
}

// normalizeLat reads the lattice columns of t as their lattices (an lset
// sorted without duplicates, ...), in place.
func (r *run) normalizeLat(cl *collection, t []V, pos modules.Pos) {
	env := r.p.latticeEnv()
	for i, lt := range cl.lat {
		if lt == nil {
			continue
		}
		v, err := env.Normalize(lt, toLat(r.in.value(t[i])))
		if err != nil {
			panic(r.errorf("lattice", pos, "column %s of %s (%s): %v", cl.decl.Columns()[i].Name, cl.name, lt, err))
		}
		t[i] = r.in.intern(fromLat(v))
	}
}

// insertInto adds t to rel, a relation of collection c: merged into the
// fact with its key for a lattice collection, else as insertL does.
func (r *run) insertInto(n *node, rel *relation, c int, t []V, origin int32, lin []uint64, pos modules.Pos) (added bool, conflict int) {
	cl := r.p.colls[c]
	if cl.lat == nil {
		return rel.insertL(t, origin, lin)
	}
	t = append(r.latBuf[:0], t...)
	r.normalizeLat(cl, t, pos)
	i := rel.findKey(t)
	if i < 0 {
		rel.appendAt(t, origin, -1, 0, lin)
		return true, -1
	}
	old := rel.tuple(i)
	merged := append(r.latBuf2[:0], old...)
	env := r.p.latticeEnv()
	for k, lt := range cl.lat {
		if lt == nil {
			if old[k] != t[k] {
				return false, i // a plain value column of a channel
			}
			continue
		}
		if old[k] == t[k] {
			continue
		}
		m, err := env.Merge(lt, toLat(r.in.value(old[k])), toLat(r.in.value(t[k])))
		if err != nil {
			panic(r.errorf("lattice", pos, "merging %s into %s: %v", r.in.showTuple(cl.name, t), r.in.showTuple(cl.name, old), err))
		}
		merged[k] = r.in.intern(fromLat(m))
	}
	r.latBuf, r.latBuf2 = t, merged
	if rel.equalTuple(i, merged) {
		if rel.lw > 0 && lin != nil {
			orLin(rel.tupleLin(i), lin)
		}
		return false, -1
	}
	var l []uint64
	if rel.lw > 0 {
		l = append([]uint64(nil), rel.tupleLin(i)...) // the merged value keeps the old one's lineage
		if lin != nil {
			orLin(l, lin)
		}
	}
	rel.appendAt(merged, origin, -1, 0, l)
	if n != nil {
		n.latDirty = appendIfMissing(n.latDirty, c)
	}
	return true, -1
}

func appendIfMissing(xs []int, x int) []int {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// compactLattices keeps only the newest version of each key in the lattice
// collections of n that gained versions.
func (r *run) compactLattices(n *node) {
	for _, c := range n.latDirty {
		compactRel(n.rels[c])
	}
	n.latDirty = n.latDirty[:0]
}

// compactRel drops the superseded versions of a lattice relation: the
// tuples that are not the newest with their key.
func compactRel(rel *relation) {
	keep := make([]bool, rel.n)
	drop := false
	for i := 0; i < rel.n; i++ {
		keep[i] = rel.findKey(rel.tuple(i)) == i
		drop = drop || !keep[i]
	}
	if drop {
		rel.retain(func(i int) bool { return keep[i] })
	}
}

// latticeTerm compiles a call of a lattice function: evaluated on lattice
// values by package lattice (at gets the bottom of its map's values).
func (cp *compiler) latticeCall(e *modules.CallExpr) builtinFunc {
	var atType *modules.LatticeType
	if e.Func == "at" && cp.cur != nil {
		if mt := cp.prog.src.ResolveLattice(cp.prog.src.ExprType(cp.cur, e.Args[0])); mt != nil && len(mt.Args) == 1 {
			atType = mt.Args[0]
		}
	}
	env := cp.prog.latticeEnv()
	name := e.Func
	return func(ev *evaluator, t *term, args []V) V {
		vals := make([]lattice.Value, len(args))
		for i, a := range args {
			vals[i] = toLat(ev.in.value(a))
		}
		v, err := env.Call(name, vals, atType)
		if err != nil {
			ev.fail(t, "%s", err)
		}
		return ev.in.intern(fromLat(v))
	}
}

// isLatticeFunc reports whether the program calls name as a lattice
// function (built-in or of a user lattice).
func (p *Program) isLatticeFunc(name string) bool {
	if _, ok := modules.LookupLatticeBuiltin(name); ok {
		return true
	}
	for _, d := range p.src.Lattices {
		for _, f := range d.Funcs {
			if f.Name == name {
				return true
			}
		}
	}
	return false
}
