package modules

import (
	"strings"
	"testing"
)

func TestParseLatticeDecl(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"lattice cart_state(session) => (actions: lset, count: lmax)", "lattice cart_state(session) => (actions: lset, count: lmax)"},
		{"lattice  vc(k)=>(c:lmap<node,lmax>)", "lattice vc(k) => (c: lmap<node, lmax>)"},
		{"lattice p() => (x: lpair<lmin, ldompair<lmax, lset>>)", "lattice p() => (x: lpair<lmin, ldompair<lmax, lset>>)"},
		{"channel sync(@dst, key) => (v: vclock, n)", "channel sync(@dst, key) => (v: vclock, n)"},
	} {
		d, ds := ParseDecl(tc.src, nil)
		if len(ds) > 0 {
			t.Errorf("ParseDecl(%q): %v", tc.src, ds)
			continue
		}
		if d.String() != tc.want {
			t.Errorf("ParseDecl(%q) = %q, want %q", tc.src, d.String(), tc.want)
		}
		if strings.HasPrefix(tc.src, "lattice") && (d.Kind != Table || !d.Lattice || !d.IsLattice()) {
			t.Errorf("%q: kind %v lattice %v", tc.src, d.Kind, d.Lattice)
		}
	}
}

func TestParseLatticeDeclErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"lattice s(k) => (v)", "1:18: value column v of lattice s needs a lattice type (v: lmax, lset, ...)"},
		{"lattice s(k)", "1:9: lattice s has no value columns: declare them after => with their lattice types"},
		{"lattice s(k: lmax) => (v: lmax)", "1:11: key column k of s has a lattice type: keys are plain values, lattices go after =>"},
		{"table s(k) => (v: lmax)", "1:16: column v of s has a lattice type, but a table holds plain values: declare it as a lattice (or a channel that carries lattice values)"},
		{"lattice s(k) => (v: lmap)", "1:21: lmap needs a key domain and a value lattice: lmap<K, L>"},
		{"lattice s(k) => (v: lpair<lmax>)", "1:31: expected ',' between lpair's lattices, found '>'"},
		{"lattice s(k) => (v: lmax<lmin>)", "1:25: lmax takes no parameters"},
		{"lattice s(k) => (v: 3)", "1:21: expected a lattice type (lmax, lmin, lbool, lset, lmap<K, L>, lpair<L1, L2>, ldompair<L1, L2> or a declared lattice), found \"3\""},
		{"table ge(a)", "1:7: ge is a lattice function; choose another collection name"},
	} {
		_, ds := ParseDecl(tc.src, nil)
		var got []string
		for _, d := range ds {
			got = append(got, d.Pos.String()+": "+d.Message)
		}
		if strings.Join(got, "\n") != tc.want {
			t.Errorf("ParseDecl(%q):\n got %s\nwant %s", tc.src, strings.Join(got, "\n"), tc.want)
		}
	}
}

func TestParseTestLiteral(t *testing.T) {
	r, ds := ParseRule("done(S) <= co(S, N), cs(S, A), ge(size(A), N), when_true(contains(A, 1)), size(A) == N", nil)
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	if _, ok := r.Body[2].(*TestLit); !ok {
		t.Errorf("ge(...) parsed as %T", r.Body[2])
	}
	if _, ok := r.Body[3].(*TestLit); !ok {
		t.Errorf("when_true(...) parsed as %T", r.Body[3])
	}
	if _, ok := r.Body[4].(*CmpLit); !ok {
		t.Errorf("size(A) == N parsed as %T", r.Body[4])
	}
	if got := r.String(); got != "done(S) <= co(S, N), cs(S, A), ge(size(A), N), when_true(contains(A, 1)), size(A) == N" {
		t.Errorf("String = %q", got)
	}
}

const latticeSpec = `
lattices:
  vclock: lmap<node, lmax>
  counter:
    values: int
    merge: max(A, B)
    bottom: 0
    functions:
      over: {expr: "ge(X, N)", returns: lbool}
modules:
  M:
    state:
      - input   act(session, reqid)
      - input   co(session, n)
      - output  done(session)
      - output  raw(session, v)
      - 'lattice cs(session) => (actions: lset, count: lmax)'
      - 'lattice vc(k) => (c: vclock, t: counter)'
    rules:
      r:
%s
`

func latticeRules(rules ...string) string {
	var b strings.Builder
	for _, r := range rules {
		b.WriteString("        - '" + r + "'\n")
	}
	return strings.Replace(latticeSpec, "%s\n", b.String(), 1)
}

func TestLatticeRules(t *testing.T) {
	_, p, diags := load(t, latticeRules(
		"cs(S, [R], 1) <= act(S, R)",
		"done(S) <= co(S, N), cs(S, A, _), ge(size(A), N)",
		"done(S) <= co(S, N), cs(S, _, C), when_true(gt(C, N))",
		"raw(S, reveal(A)) <= cs(S, A, _)",
		"done(K) <= vc(K, V, T), ge(at(V, \"n1\"), 2), over(T, 3)",
		"vc(K, V, T) <= vc(K, V, T)",
		"raw(S, X) <= cs(S, A, _), X = reveal(A)",
	), "M")
	wantDiags(t, diags)
	if p == nil {
		t.Fatal("no program")
	}
	if len(p.Rules) != 7 {
		t.Fatalf("%d rules", len(p.Rules))
	}
	for i, r := range p.Rules {
		reveals := false
		for _, a := range r.BodyAtoms() {
			reveals = reveals || r.Reveals(a)
			if r.Reveals(a) != r.NonmonotonicUse(a) {
				t.Errorf("rule %d: NonmonotonicUse(%s) = %v, reveals %v", i, a.Pred, r.NonmonotonicUse(a), r.Reveals(a))
			}
		}
		if want := i == 3 || i == 6; reveals != want {
			t.Errorf("rule %d (%s): reveals %v, want %v", i, r.Text, reveals, want)
		}
	}
	if got := p.ExprType(p.Rules[4], &CallExpr{Func: "at", Args: []Expr{&Var{Name: "V"}, &StrLit{Value: "x"}}}).String(); got != "lmax" {
		t.Errorf("type of at(V, x) = %s", got)
	}
	if got := strings.Join(p.LatticeNames(), ","); got != "counter,vclock" {
		t.Errorf("lattices used: %s", got)
	}
}

func TestLatticeRuleErrors(t *testing.T) {
	for _, tc := range []struct{ rule, want string }{
		{"done(S) <= cs(S, A, _), A == 3", "lattice value (lset) used as a plain value"},
		{"raw(S, A) <= cs(S, A, _)", "A is a lattice value (lset) but column v of raw is plain"},
		{"done(S) <= cs(S, A, _), ge(A, 2)", "ge takes an lmax, found A of type lset"},
		{"done(S) <= cs(S, _, C), lt(C, 2)", "lt takes an lmin, found C of type lmax"},
		{"done(S) <= cs(S, [1], _)", "match it with a variable or _"},
		{"done(S) <= cs(S, A, _), cs(S, A, _)", "lattice variable A is matched twice"},
		{"done(S) <= cs(S, A, _), act(S, A)", "lattice variable A stands in the plain column reqid of act"},
		{"cs(S, A, A) <= cs(S, A, _)", "column count of cs holds lmax, found A of type lset"},
		{"cs(S, A, count<R>) <= cs(S, A, _), act(S, R)", "an aggregate cannot write it"},
		{"done(S) <= cs(S, A, _), size(A)", "size(A) is not a threshold test"},
		{"done(S) <= act(S, R), reveal(R) == 1", "reveal takes a lattice value, found the plain value R"},
		{"done(S) <= cs(S, A, _), notin cs(S, A, _)", "under notin write _"},
		{"cs(S, C, C) <= cs(S, _, C)", "column actions of cs holds lset, found C of type lmax"},
	} {
		_, _, diags := load(t, latticeRules(tc.rule), "M")
		if len(diags) != 1 || !strings.Contains(diags[0], tc.want) {
			t.Errorf("%s:\n got %v\nwant one error containing %q", tc.rule, diags, tc.want)
		}
	}
}

// An invalid bottom (or merge) has its own error, not also "needs
// values, merge and bottom" as if it were missing.
func TestLatticeInvalidBottomOneError(t *testing.T) {
	_, _, diags := load(t, "lattices:\n  x:\n    values: int\n    merge: A\n    bottom: '(('\n")
	if len(diags) != 1 || strings.Contains(diags[0], "needs values, merge and bottom") {
		t.Errorf("diagnostics %q, want one, about the bottom", diags)
	}
}

func TestLatticeDefErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"lattices:\n  Big: lmax\n", `lattice name "Big" must be a lowercase name`},
		{"lattices:\n  size: lmax\n", `lattice name "size" must be a lowercase name`},
		{"lattices:\n  x:\n    values: int\n", "lattice x declared by its merge needs values, merge and bottom: merge, bottom missing"},
		{"lattices:\n  x:\n    values: float\n    merge: A\n    bottom: 0\n", `values of lattice x must be one of int, bool, string, list, found "float"`},
		{"lattices:\n  x:\n    values: int\n    merge: A + C\n    bottom: 0\n", "merge of lattice x may only use the variables A, B, found C"},
		{"lattices:\n  x:\n    shape: lmax\n    merge: A\n", "lattice x has both a shape and a merge"},
		{"lattices:\n  x: {}\n", "lattice x needs a shape"},
		{"lattices:\n  x:\n    shape: lset\n    functions:\n      f: {expr: len(X)}\n", "function f of lattice x needs expr"},
		{"lattices:\n  x:\n    shape: lset\n    colour: red\n", `unknown key "colour"`},
	} {
		_, _, diags := load(t, tc.src)
		if len(diags) == 0 || !strings.Contains(strings.Join(diags, "\n"), tc.want) {
			t.Errorf("%q:\n got %v\nwant an error containing %q", tc.src, diags, tc.want)
		}
	}
	_, _, diags := load(t, "modules:\n  M:\n    state:\n      - 'lattice s(k) => (v: ldompair<lset, lmax>)'\n", "M")
	if len(diags) != 1 || !strings.Contains(diags[0], "ldompair<lset, ...> is not a lattice: its first lattice must be totally ordered") {
		t.Errorf("ldompair over a partial order: %v", diags)
	}
	_, _, diags = load(t, "modules:\n  M:\n    state:\n      - 'lattice s(k) => (v: nosuch)'\n", "M")
	if len(diags) != 1 || !strings.Contains(diags[0], "unknown lattice nosuch") {
		t.Errorf("unknown lattice: %v", diags)
	}
}

func TestFormatLattices(t *testing.T) {
	src := latticeRules("done(S) <= co(S,N),cs(S,A,_),ge(size(A),N)")
	out, ds := Format("t.yaml", []byte(src))
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	for _, want := range []string{
		"  vclock: lmap<node, lmax>\n",
		"      - 'lattice cs(session) => (actions: lset, count: lmax)'\n",
		"        - done(S) <= co(S, N), cs(S, A, _), ge(size(A), N)\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("formatted file lacks %q:\n%s", want, out)
		}
	}
	again, ds := Format("t.yaml", out)
	if len(ds) > 0 || string(again) != string(out) {
		t.Errorf("not idempotent: %v\n%s", ds, again)
	}
}
