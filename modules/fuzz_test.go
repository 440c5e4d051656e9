package modules

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var ruleSeeds = []string{
	"pipe_chan <~ pipe_in",
	"a(X) <= b(X), notin c(X, _)",
	`action_cnt(S, I, "D", 0) <= cart_action(S, I, _, _), notin cart_action(S, I, "D", _)`,
	"action_cnt(S, I, A, count<R>) <= cart_action(S, I, A, R)",
	"status(C, Sv, S, I, N - M) <= action_cnt(S, I, \"A\", N), action_cnt(S, I, \"D\", M),\n  checkout_msg(Sv, C, S, _)",
	"kvput(C, S, R, append(L, I)) <= action_msg(_, C, S, I, \"A\", R), kvget_response([C, S, R], S, L)",
	"bigtable(K, V) <- bigtable(K, V), kvput(_, K, _, _)",
	"t(K, V) <+- p(K, V), X = -V * 2, len([X]) >= 1",
	"a(sum<X * 2>, count<>, accum<[X]>) <= b(X), X <-1",
	"a(\"\\\"\\\\\\n\") <= b(true, false)",
	"bed.pipe_in <= pipe_in",
	"bed.pipe_in(D, S, I, P) <= buf(D, S, I, P), clock(_, _), notin rd.bed.pipe_sent(D, S, I, P)",
	"ack(S, D, I) <~ bed.pipe_out(D, S, I, _), a.b <= 1",
	"x.Y <= y",
	"done(S) <= co(S, N), cart_state(S, A, _), ge(size(A), N)",
	"raw(S, reveal(A)) <= cart_state(S, A, _), when_true(contains(A, 3)), lt(fst(P), 2)",
	"x(K, at(M, K)) <= m(M), k(K), N = snd(P), le(N, 1) == true",
}

// FuzzParseRule: the parser never panics, a parsed rule renders to text
// that parses again to the same rendering, and every error has a position
// inside the input.
func FuzzParseRule(f *testing.F) {
	for _, s := range ruleSeeds {
		f.Add(s)
	}
	for _, s := range deepTerms(MaxTermDepth + 5) { // depth stress
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r, ds := ParseRule(src, LinePos("f", 1, 1))
		if (r == nil) == (len(ds) == 0) {
			t.Fatalf("ParseRule(%q): rule %v with %d errors", src, r, len(ds))
		}
		for _, d := range ds {
			if d.Pos.Line != 1 || d.Pos.Col < 1 || d.Pos.Col > len(src)+1 {
				t.Fatalf("ParseRule(%q): error outside the input: %v", src, d)
			}
		}
		if r == nil {
			return
		}
		text := r.String()
		r2, ds2 := ParseRule(text, nil)
		if len(ds2) > 0 {
			t.Fatalf("rendering %q of %q does not parse: %v", text, src, ds2)
		}
		if r2.String() != text {
			t.Fatalf("round trip %q -> %q -> %q", src, text, r2.String())
		}
	})
}

// FuzzParseDecl: as FuzzParseRule, for declarations.
func FuzzParseDecl(f *testing.F) {
	for _, s := range []string{
		"table bigtable(key) => (value)",
		"channel pipe_chan(@dst, src, ident) => (payload)",
		"periodic clock(id) => (time) every 2",
		"input tick()",
		"table bed.buf(a)",
		"table config() => (limit)",
		"lattice cart_state(session) => (actions: lset, count: lmax)",
		"lattice vc(k) => (c: lmap<node, lpair<lmin, ldompair<lmax, lbool>>>)",
		"channel sync(@dst, key) => (v: vclock)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		d, ds := ParseDecl(src, LinePos("f", 1, 1))
		if (d == nil) == (len(ds) == 0) {
			t.Fatalf("ParseDecl(%q): decl %v with %d errors", src, d, len(ds))
		}
		if d == nil {
			return
		}
		d2, ds2 := ParseDecl(d.String(), nil)
		if len(ds2) > 0 || !d2.SameShape(d) {
			t.Fatalf("round trip %q -> %q: %v", src, d.String(), ds2)
		}
	})
}

// FuzzLoadData: loading and composing any bytes never panics, and every
// diagnostic names the file and a line inside it.
func FuzzLoadData(f *testing.F) {
	f.Add([]byte(deliverySpec))
	f.Add([]byte("modules:\n  A:\n    include: [A]\n    state: ['channel c(@a)']\n    rules:\n      r: ['c <~ c']\nprograms:\n  p: [A]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("modules:\n  A:\n    rules:\n      r:\n        - rule: t(X) <= t(X)\n          coordinated: why\n"))
	f.Add([]byte(coordSpec))
	f.Add([]byte(importSpec))
	f.Add([]byte(latticeRules("cs(S, [R], 1) <= act(S, R)", "done(S) <= co(S, N), cs(S, A, _), ge(size(A), N)",
		"raw(S, reveal(A)) <= cs(S, A, _)", "done(K) <= vc(K, V, T), ge(at(V, \"n1\"), 2), over(T, 3)")))
	f.Add([]byte("lattices:\n  s:\n    shape: lset\n    functions:\n      sz: {expr: size(X), returns: lmin}\n  t:\n    values: int\n    merge: A + B\n    bottom: 0\n"))
	f.Add([]byte("modules:\n  A:\n    import: {b: B, c: {module: B}}\n  B:\n    include: [C]\n  C:\n    import: {a: A}\n"))
	// Depth stress: a rule nested past the limit, YAML nested past it.
	f.Add([]byte("modules:\n  A:\n    state: [input i(a), table t(a)]\n    rules:\n      r: [\"t(" + strings.Repeat("(-[", 150) + "A" + strings.Repeat("])", 150) + ") <= i(A)\"]\n"))
	f.Add([]byte("modules: " + strings.Repeat("[", 1200) + "\n"))
	f.Add([]byte("modules:\n  A:\n    doc: \"\\u00e9\\x41\\e\"\n    state: [\"table t(a)\", x\x00]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Parsed ahead (preparse, as large files are) and as the loader
		// walks the file: the same library and diagnostics.
		defer func(n int) { minPreparse = n }(minPreparse)
		minPreparse = 1 << 30
		seq := NewLibrary()
		seqDs := seq.LoadData("f.yaml", data)
		minPreparse = 0
		lib := NewLibrary()
		ds := lib.LoadData("f.yaml", data)
		if !reflect.DeepEqual(seqDs, ds) || !reflect.DeepEqual(seq.Modules, lib.Modules) {
			t.Fatalf("preparsed, the load differs:\n%v\nwithout:\n%v", ds, seqDs)
		}
		for _, m := range lib.SortedModules() {
			_, cds := lib.Compose(m.Name, []Ref{{Name: m.Name}})
			ds = append(ds, cds...)
		}
		for _, p := range lib.SortedPrograms() {
			_, cds := lib.ComposeProgram(p.Name)
			ds = append(ds, cds...)
		}
		for _, d := range ds {
			if d.Check == "unknown-module" && d.Pos.File == "" {
				continue // a root given by name, not from the file
			}
			if d.Pos.File != "f.yaml" {
				t.Fatalf("diagnostic outside the input: %v", d)
			}
			checkInside(t, data, d) // never on the line after the last
		}
	})
}

// FuzzFormat: on any input that loads without errors, Format succeeds
// (it found no change of meaning), and formatting again changes nothing.
// Its seeds are the loader's corpus and the built-in library.
func FuzzFormat(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/fuzz/FuzzLoadData/*")
	lib, _ := filepath.Glob("../specs/*.yaml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		lines := strings.SplitN(string(data), "\n", 3)
		if len(lines) < 2 || !strings.HasPrefix(lines[1], "[]byte(") {
			continue
		}
		v, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			f.Fatalf("%s: %v", s, err)
		}
		f.Add([]byte(v))
	}
	for _, s := range lib {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(messySpec))
	f.Add([]byte(coordSpec))
	f.Add([]byte(importSpec))
	f.Fuzz(func(t *testing.T, data []byte) {
		loadErrs := NewLibrary().LoadData("f.yaml", data).Errors()
		out, ds := Format("f.yaml", data)
		if len(loadErrs) > 0 {
			if out != nil || len(ds) == 0 {
				t.Fatalf("Format accepted a file with errors: %v", loadErrs)
			}
			return
		}
		if len(ds) > 0 {
			t.Fatalf("Format of a valid file failed: %v\n%s", ds, data)
		}
		again, ds := Format("f.yaml", out)
		if len(ds) > 0 || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %v\n--- once\n%s\n--- twice\n%s", ds, out, again)
		}
	})
}
