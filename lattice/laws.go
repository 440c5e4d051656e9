package lattice

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// The lattice-law test. A merge makes a join-semilattice when it is
// associative, commutative and idempotent, and a declared bottom is its
// identity; a function f from one lattice to another is monotone when
// x <= y implies f(x) <= f(y). Package lattice tests these properties on
// generated values, as QuickCheck would: a violation found is a proof
// that the law fails (with the values that show it); none found is not a
// proof that it holds.

// Trials is the number of generated cases per law.
const Trials = 300

// Violation is a law that generated values break.
type Violation struct {
	Lattice string
	Law     string // associative, commutative, idempotent, bottom, merge, monotone
	Func    string // the function, for monotone
	Pos     modules.Pos
	Message string
}

// CheckDef tests the laws of the user lattice d and the monotonicity of
// its functions, deterministically (the generator's seed is fixed). It
// returns at most one violation per law and per function.
func (e *Env) CheckDef(d *modules.LatticeDef) []Violation {
	t := &modules.LatticeType{Name: d.Name, Pos: d.Pos}
	g := &gen{env: e, rng: rand.New(rand.NewPCG(14, uint64(len(d.Name))))}
	var out []Violation
	report := func(law, msg string) {
		out = append(out, Violation{Lattice: d.Name, Law: law, Pos: d.Pos, Message: msg})
	}
	if d.Shape == nil {
		out = append(out, e.checkMerge(d, t, g, report)...)
		if len(out) > 0 {
			return out // functions cannot be judged on a merge that is not one
		}
	}
	for _, f := range d.Funcs {
		if v, ok := e.checkFunc(d, t, f, g); !ok {
			out = append(out, v)
		}
	}
	return out
}

func (e *Env) checkMerge(d *modules.LatticeDef, t *modules.LatticeType, g *gen, report func(law, msg string)) []Violation {
	bot, err := e.Bottom(t)
	if err != nil {
		report("bottom", fmt.Sprintf("lattice %s: its bottom %s cannot be computed: %v", d.Name, d.Bottom, err))
		return nil
	}
	if !inDomain(d.Values, bot) {
		report("bottom", fmt.Sprintf("lattice %s: its bottom %s is not a value of its domain (%s)", d.Name, Format(bot), d.Values))
		return nil
	}
	m := func(a, b Value) (Value, error) { return e.Merge(t, a, b) }
	seen := map[string]bool{}
	fail := func(law, msg string) {
		if !seen[law] {
			seen[law] = true
			report(law, fmt.Sprintf("lattice %s: merge %s is not %s: %s", d.Name, d.Merge, law, msg))
		}
	}
	for i := 0; i < Trials; i++ {
		a, b, c := g.value(t, 0), g.value(t, 0), g.value(t, 0)
		ab, err1 := m(a, b)
		ba, err2 := m(b, a)
		if err := firstErr(err1, err2); err != nil {
			fail("a function", fmt.Sprintf("merging A = %s and B = %s fails: %v", Format(a), Format(b), err))
			continue
		}
		if !inDomain(d.Values, ab) {
			fail("closed", fmt.Sprintf("merging A = %s and B = %s gives %s, which is not a value of its domain (%s)", Format(a), Format(b), Format(ab), d.Values))
			continue
		}
		if !Equal(ab, ba) {
			fail("commutative", fmt.Sprintf("A = %s, B = %s: merge(A, B) = %s but merge(B, A) = %s", Format(a), Format(b), Format(ab), Format(ba)))
		}
		if aa, err := m(a, a); err == nil && !Equal(aa, a) {
			fail("idempotent", fmt.Sprintf("A = %s: merge(A, A) = %s", Format(a), Format(aa)))
		}
		if ab_c, err := m(ab, c); err == nil {
			bc, err1 := m(b, c)
			if err1 == nil {
				if a_bc, err2 := m(a, bc); err2 == nil && !Equal(ab_c, a_bc) {
					fail("associative", fmt.Sprintf("A = %s, B = %s, C = %s: merge(merge(A, B), C) = %s but merge(A, merge(B, C)) = %s",
						Format(a), Format(b), Format(c), Format(ab_c), Format(a_bc)))
				}
			}
		}
		if ba, err := m(bot, a); err == nil && !Equal(ba, a) {
			if !seen["bottom"] {
				seen["bottom"] = true
				report("bottom", fmt.Sprintf("lattice %s: bottom %s is not an identity of merge %s: A = %s: merge(bottom, A) = %s", d.Name, Format(bot), d.Merge, Format(a), Format(ba)))
			}
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// checkFunc tests that f is monotone from t into f.Returns: for x <= y
// (y = merge(x, z) for generated x, z), f(x) <= f(y) in f.Returns.
func (e *Env) checkFunc(d *modules.LatticeDef, t *modules.LatticeType, f *modules.LatticeFunc, g *gen) (Violation, bool) {
	viol := func(msg string) (Violation, bool) {
		return Violation{Lattice: d.Name, Law: "monotone", Func: f.Name, Pos: f.Pos,
			Message: fmt.Sprintf("function %s of lattice %s (%s) is not monotone into %s: %s", f.Name, d.Name, f.Expr, f.Returns, msg)}, false
	}
	for i := 0; i < Trials; i++ {
		x, z := g.value(t, 0), g.value(t, 0)
		y, err := e.Merge(t, x, z)
		if err != nil {
			continue // a broken merge is reported by the laws
		}
		vars := func(v Value) map[string]Value {
			m := map[string]Value{"X": v}
			if f.Params == 2 {
				m["N"] = int64(g.rng.IntN(9) - 3)
			}
			return m
		}
		vx := vars(x)
		vy := map[string]Value{"X": y}
		if n, ok := vx["N"]; ok {
			vy["N"] = n
		}
		arg := func(m map[string]Value) string {
			s := "X = " + Format(m["X"])
			if n, ok := m["N"]; ok {
				s += ", N = " + Format(n)
			}
			return s
		}
		fx, err1 := e.Eval(f.Expr, vx)
		fy, err2 := e.Eval(f.Expr, vy)
		if err := firstErr(err1, err2); err != nil {
			return viol(fmt.Sprintf("it fails on %s or %s: %v", arg(vx), arg(vy), err))
		}
		nx, err1 := e.Normalize(f.Returns, fx)
		ny, err2 := e.Normalize(f.Returns, fy)
		if err := firstErr(err1, err2); err != nil {
			return viol(fmt.Sprintf("it returns a value that is not a %s: %v", f.Returns, err))
		}
		if ok, err := e.Leq(f.Returns, nx, ny); err == nil && !ok {
			return viol(fmt.Sprintf("%s is below %s in %s, but f gives %s and %s, and %s is not below %s in %s",
				Format(x), Format(y), d.Name, Format(nx), Format(ny), Format(nx), Format(ny), f.Returns))
		}
	}
	return Violation{}, true
}

// gen generates values of lattice types.
type gen struct {
	env *Env
	rng *rand.Rand
}

var genStrings = []string{"", "a", "b", "ab", "ba", "c"}
var genKeys = []Value{"a", "b", "c"}

func (g *gen) scalar(dom string) Value {
	switch dom {
	case "int":
		if g.rng.IntN(4) == 0 {
			return int64(g.rng.IntN(201) - 100)
		}
		return int64(g.rng.IntN(9) - 4)
	case "bool":
		return g.rng.IntN(2) == 1
	case "string":
		return genStrings[g.rng.IntN(len(genStrings))]
	}
	n := g.rng.IntN(4)
	l := make([]Value, n)
	for i := range l {
		l[i] = int64(g.rng.IntN(5))
	}
	return l
}

// value generates a normalized value of t.
func (g *gen) value(t *modules.LatticeType, depth int) Value {
	r := g.env.resolve(t)
	if depth > 8 {
		if b, err := g.env.Bottom(r); err == nil {
			return b
		}
	}
	switch r.Name {
	case "lmax", "lmin":
		return g.scalar("int")
	case "lbool":
		return g.scalar("bool")
	case "lset":
		n := g.rng.IntN(4)
		l := make([]Value, n)
		for i := range l {
			l[i] = int64(g.rng.IntN(5))
		}
		return setOf(l)
	case "lmap":
		var l []Value
		for _, k := range genKeys {
			if g.rng.IntN(2) == 0 {
				l = append(l, []Value{k, g.value(r.Args[0], depth+1)})
			}
		}
		if l == nil {
			l = []Value{}
		}
		return l
	case "lpair", "ldompair":
		return []Value{g.value(r.Args[0], depth+1), g.value(r.Args[1], depth+1)}
	}
	if d := g.env.defs[r.Name]; d != nil {
		// Base values of the domain, and now and then a merge of two.
		v := g.scalar(d.Values)
		if g.rng.IntN(3) == 0 {
			if m, err := g.env.Merge(r, v, g.scalar(d.Values)); err == nil && inDomain(d.Values, m) {
				return m
			}
		}
		return v
	}
	return int64(0)
}

// Describe renders a violation for a finding.
func (v Violation) String() string {
	return strings.TrimSpace(v.Message)
}
