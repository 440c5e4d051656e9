package lattice

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
)

func typ(t *testing.T, s string) *modules.LatticeType {
	t.Helper()
	lt, ds := modules.ParseLatticeType(s, nil)
	if len(ds) > 0 {
		t.Fatalf("%s: %v", s, ds)
	}
	return lt
}

func TestMergeAndNormalize(t *testing.T) {
	e := NewEnv(nil)
	for _, tc := range []struct {
		typ     string
		a, b    Value
		want    string
		wantErr string
	}{
		{"lmax", int64(3), int64(5), "5", ""},
		{"lmin", int64(3), int64(5), "3", ""},
		{"lbool", false, true, "true", ""},
		{"lset", []Value{int64(3), int64(1), int64(3)}, []Value{int64(2)}, "[1, 2, 3]", ""},
		{"lmap<k, lmax>", []Value{[]Value{"b", int64(1)}, []Value{"a", int64(7)}}, []Value{[]Value{"b", int64(4)}}, `[["a", 7], ["b", 4]]`, ""},
		{"lmap<k, lset>", []Value{[]Value{"a", []Value{int64(1)}}, []Value{"a", []Value{int64(2)}}}, []Value{}, `[["a", [1, 2]]]`, ""},
		{"lpair<lmax, lmin>", []Value{int64(1), int64(1)}, []Value{int64(2), int64(2)}, "[2, 1]", ""},
		{"ldompair<lmax, lset>", []Value{int64(1), []Value{int64(9)}}, []Value{int64(2), []Value{int64(3)}}, "[2, [3]]", ""},
		{"ldompair<lmax, lset>", []Value{int64(2), []Value{int64(9)}}, []Value{int64(2), []Value{int64(3)}}, "[2, [3, 9]]", ""},
		{"ldompair<lset, lmax>", []Value{[]Value{int64(1)}, int64(5)}, []Value{[]Value{int64(2)}, int64(3)}, "[[1, 2], 5]", ""},
		{"lmax", "x", int64(1), "", `"x" is not an lmax (an integer)`},
		{"lset", int64(1), int64(1), "", "1 is not an lset (a list of elements)"},
		{"lmap<k, lmax>", []Value{int64(1)}, []Value{}, "", "1 is not an lmap entry"},
		{"lpair<lmax, lmax>", []Value{int64(1)}, []Value{}, "", "[1] is not an lpair (a list of two values)"},
	} {
		lt := typ(t, tc.typ)
		a, err := e.Normalize(lt, tc.a)
		var b Value
		if err == nil {
			b, err = e.Normalize(lt, tc.b)
		}
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s %s: error %v, want %q", tc.typ, Format(tc.a), err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.typ, err)
			continue
		}
		m, err := e.Merge(lt, a, b)
		if err != nil || Format(m) != tc.want {
			t.Errorf("%s: merge(%s, %s) = %s (%v), want %s", tc.typ, Format(a), Format(b), Format(m), err, tc.want)
		}
	}
}

// TestBuiltinLaws runs the law test on every built-in lattice: merge is a
// semilattice, bottom its identity, and the built-in functions monotone.
func TestBuiltinLaws(t *testing.T) {
	e := NewEnv(nil)
	g := &gen{env: e, rng: rand.New(rand.NewPCG(1, 2))}
	for _, s := range []string{"lmax", "lmin", "lbool", "lset", "lmap<k, lmax>", "lmap<k, lset>", "lpair<lmax, lset>",
		"ldompair<lmax, lset>", "ldompair<lbool, lmap<k, lmax>>", "lmap<k, ldompair<lmax, lbool>>"} {
		lt := typ(t, s)
		bot, err := e.Bottom(lt)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < Trials; i++ {
			a, b, c := g.value(lt, 0), g.value(lt, 0), g.value(lt, 0)
			m := func(x, y Value) Value {
				v, err := e.Merge(lt, x, y)
				if err != nil {
					t.Fatalf("%s: %v", s, err)
				}
				return v
			}
			if !Equal(m(a, b), m(b, a)) {
				t.Fatalf("%s not commutative: %s %s", s, Format(a), Format(b))
			}
			if !Equal(m(a, a), a) {
				t.Fatalf("%s not idempotent: %s", s, Format(a))
			}
			if !Equal(m(m(a, b), c), m(a, m(b, c))) {
				t.Fatalf("%s not associative: %s %s %s", s, Format(a), Format(b), Format(c))
			}
			if !Equal(m(bot, a), a) {
				t.Fatalf("%s: bottom %s is not an identity: %s", s, Format(bot), Format(a))
			}
		}
	}
	// The built-in functions are monotone (and the thresholds once true
	// stay true).
	for _, tc := range []struct {
		from, fn, to string
		n            bool
	}{
		{"lset", "size", "lmax", false},
		{"lset", "contains", "lbool", true},
		{"lmap<k, lmax>", "at", "lmax", false},
		{"lpair<lmax, lset>", "fst", "lmax", false},
		{"lpair<lmax, lset>", "snd", "lset", false},
		{"ldompair<lmax, lset>", "fst", "lmax", false},
		{"lmax", "gt", "lbool", true},
		{"lmax", "ge", "lbool", true},
		{"lmin", "lt", "lbool", true},
		{"lmin", "le", "lbool", true},
		{"lbool", "when_true", "lbool", false},
	} {
		from, to := typ(t, tc.from), typ(t, tc.to)
		var atType *modules.LatticeType
		if from.Name == "lmap" {
			atType = from.Args[0]
		}
		for i := 0; i < Trials; i++ {
			x := g.value(from, 0)
			y, _ := e.Merge(from, x, g.value(from, 0))
			args := func(v Value) []Value {
				switch {
				case tc.fn == "at":
					return []Value{v, genKeys[i%len(genKeys)]}
				case tc.n:
					return []Value{v, int64(i%9 - 4)}
				}
				return []Value{v}
			}
			fx, err1 := e.Call(tc.fn, args(x), atType)
			fy, err2 := e.Call(tc.fn, args(y), atType)
			if err := firstErr(err1, err2); err != nil {
				t.Fatalf("%s: %v", tc.fn, err)
			}
			if ok, _ := e.Leq(to, fx, fy); !ok {
				t.Fatalf("%s is not monotone: %s <= %s but %s, %s", tc.fn, Format(x), Format(y), Format(fx), Format(fy))
			}
		}
	}
}

func load(t *testing.T, src string) *Env {
	t.Helper()
	lib := modules.NewLibrary()
	if ds := lib.LoadData("t.yaml", []byte(src)).Errors(); len(ds) > 0 {
		t.Fatal(ds)
	}
	return NewEnv(lib.Lattices)
}

func TestLawViolations(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // law: message fragment
	}{
		{"sum is not idempotent", "lattices:\n  total:\n    values: int\n    merge: A + B\n    bottom: 0\n",
			[]string{"idempotent: lattice total: merge A + B is not idempotent: A = "}},
		{"average is not associative", "lattices:\n  mean:\n    values: int\n    merge: (A + B) / 2\n    bottom: 0\n",
			[]string{"bottom: lattice mean: bottom 0 is not an identity", "associative: lattice mean: merge (A + B) / 2 is not associative: A = "}},
		{"difference is not commutative", "lattices:\n  d:\n    values: int\n    merge: A - B\n    bottom: 0\n",
			[]string{"commutative: ", "idempotent: ", "associative: ", "bottom: "}},
		{"bottom not an identity", "lattices:\n  m:\n    values: int\n    merge: max(A, B)\n    bottom: 5\n",
			[]string{"bottom: lattice m: bottom 5 is not an identity of merge max(A, B): A = "}},
		{"bottom outside the domain", "lattices:\n  m:\n    values: int\n    merge: max(A, B)\n    bottom: '\"x\"'\n",
			[]string{`bottom: lattice m: its bottom "x" is not a value of its domain (int)`}},
		{"merge leaves the domain", "lattices:\n  m:\n    values: int\n    merge: '[A, B]'\n    bottom: 0\n",
			[]string{"closed: lattice m: merge [A, B] is not closed: merging A = "}},
		{"size read as an lmin", "lattices:\n  s:\n    shape: lset\n    functions:\n      sz: {expr: size(X), returns: lmin}\n",
			[]string{"monotone: function sz of lattice s (size(X)) is not monotone into lmin: "}},
		{"a threshold that is not one", "lattices:\n  h:\n    values: int\n    merge: max(A, B)\n    bottom: -1000\n    functions:\n      below: {expr: 'lt(X, N)', returns: lbool}\n",
			[]string{"monotone: function below of lattice h (lt(X, N)) is not monotone into lbool: "}},
		{"max is a lattice, its thresholds monotone", "lattices:\n  h:\n    values: int\n    merge: max(A, B)\n    bottom: -1000\n    functions:\n      reached: {expr: 'ge(X, N)', returns: lbool}\n      twice: {expr: X * 2, returns: lmax}\n", nil},
		{"size is an lmax", "lattices:\n  s:\n    shape: lset\n    functions:\n      sz: {expr: size(X), returns: lmax}\n", nil},
		{"set union as a user merge", "lattices:\n  u:\n    values: list\n    merge: concat(A, B)\n    bottom: '[]'\n",
			[]string{"idempotent: ", "commutative: "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := load(t, tc.src)
			var got []string
			for _, name := range []string{"total", "mean", "d", "m", "s", "h", "u"} {
				if d := e.defs[name]; d != nil {
					for _, v := range e.CheckDef(d) {
						got = append(got, v.Law+": "+v.Message)
					}
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("violations:\n%s\nwant %d: %q", strings.Join(got, "\n"), len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("violation %d:\n got %s\nwant prefix %s", i, got[i], w)
				}
			}
			// Deterministic: the same counterexamples every time.
			var again []string
			for _, name := range []string{"total", "mean", "d", "m", "s", "h", "u"} {
				if d := e.defs[name]; d != nil {
					for _, v := range e.CheckDef(d) {
						again = append(again, v.Law+": "+v.Message)
					}
				}
			}
			if strings.Join(got, "\n") != strings.Join(again, "\n") {
				t.Errorf("not deterministic:\n%s\n---\n%s", strings.Join(got, "\n"), strings.Join(again, "\n"))
			}
		})
	}
}

// A function of an alias lattice may read an absent key: at gives the
// bottom of the lattice the function returns.
func TestFunctionAtAbsentKey(t *testing.T) {
	e := load(t, "lattices:\n  vc:\n    shape: lmap<node, lmax>\n    functions:\n      of_a: {expr: 'at(X, \"a\")', returns: lmax}\n      a_seen: {expr: 'ge(at(X, \"a\"), N)', returns: lbool}\n")
	if vs := e.CheckDef(e.defs["vc"]); len(vs) != 0 {
		t.Errorf("violations: %v", vs)
	}
	v, err := e.Call("of_a", []Value{[]Value{}}, nil)
	if err != nil || Format(v) != "-9223372036854775808" {
		t.Errorf("of_a([]) = %s, %v", Format(v), err)
	}
}
