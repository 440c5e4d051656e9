package executor

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
)

func TestParseFact(t *testing.T) {
	tests := []struct{ src, want, err string }{
		{`client_action("r1", "client", 7, "apple", "A", 1)`, `client_action("r1", "client", 7, "apple", "A", 1)`, ""},
		{`members(r2)`, `members("r2")`, ""},
		{` p ( -3 , true,false , [1, [2, "x"]], [] ) `, `p(-3, true, false, [1, [2, "x"]], [])`, ""},
		{`tick`, `tick()`, ""},
		{`tick()`, `tick()`, ""},
		{`bed.pipe_in("b", "a", 1, "x")`, `bed.pipe_in("b", "a", 1, "x")`, ""},
		{`rd.bed.tick`, `rd.bed.tick()`, ""},
		{`bed.Pipe(1)`, "", `4: expected a collection name (lowercase) after '.' in "bed.Pipe"`},
		{`bed.(1)`, "", `4: expected a collection name (lowercase) after '.' in "bed."`},
		{`p("a\"b\\c\n")`, `p("a\"b\\c\n")`, ""},
		{`p(9223372036854775807, -9223372036854775808)`, `p(9223372036854775807, -9223372036854775808)`, ""},
		{``, "", "0: expected a fact"},
		{`P(1)`, "", `0: expected a collection name (lowercase), found "P"`},
		{`p(X)`, "", "2: a fact takes constants, but X is a variable"},
		{`p(_)`, "", "2: a fact takes constants, but _ is a variable"},
		{`p(len([1]))`, "", "2: a fact takes constants, not function calls"},
		{`p(1`, "", "3: expected ',' or ')'"},
		{`p(1) q`, "", `5: unexpected text after the fact: "q"`},
		{`p("x)`, "", "2: string not terminated"},
		{`p("\q")`, "", `3: unknown escape "\\q" in string`},
		{`p(99999999999999999999)`, "", "2: integer 99999999999999999999 out of range"},
		{`p([1, 2)`, "", "7: expected ',' or ']' in a list"},
		{`p(1 + 2)`, "", "4: expected ',' or ')'"},
		{`p(@)`, "", `2: expected a value`},
		{`p` + strings.Repeat("[", 200), "", "1: expected '('"},
		{`p(` + strings.Repeat("[", 200), "", "103: lists nested deeper than 100 levels"},
	}
	for _, tc := range tests {
		f, err := ParseFact(tc.src)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: got %v, %v; want error %q", tc.src, f, err, tc.err)
			}
			continue
		}
		if err != nil || f.String() != tc.want {
			t.Errorf("%q: got %s, %v; want %s", tc.src, f, err, tc.want)
		}
	}
}

func TestWorkloadErrors(t *testing.T) {
	spec := `
modules:
  M:
    state:
      - input  in(x)
      - table  t(x)
      - output o(x)
    rules:
      r:
        - o(X) <= in(X), t(X)
`
	tests := []struct{ name, workload, want string }{
		{"not yaml", "workload: [", "workload.yaml:1:1: error: invalid YAML: did not find expected node content [yaml]"},
		{"empty", "", "workload.yaml:1:1: error: the file is empty: a workload file has `workload:` with program, nodes, inputs, ... [workload]"},
		{"no workload key", "modules: {}\n", "workload.yaml:1:1: error: no workload key in this file (a workload file has `workload:` with program, nodes, inputs, ...) [workload]"},
		{"not a mapping", "workload: 3\n", "workload.yaml:1:11: error: workload must be a mapping (program, nodes, facts, inputs, network), found a scalar [workload]"},
		{"unknown key", "workload:\n  modules: [M]\n  nodes: [n]\n  seed: 3\n", `workload.yaml:4:3: error: unknown key "seed" in the workload (known keys: doc, program, modules, nodes, facts, inputs, network, max_ticks) [workload]`},
		{"no program", "workload:\n  nodes: [n]\n", "workload.yaml:1:1: error: the workload names no program: add `program: NAME` or `modules: [A, B]` [workload]"},
		{"program and modules", "workload:\n  program: p\n  modules: [M]\n  nodes: [n]\n", "workload.yaml:1:1: error: the workload names both a program and modules; give one of them [workload]"},
		{"no nodes", "workload:\n  modules: [M]\n", "workload.yaml:1:1: error: the workload has no nodes: add `nodes: [a, b]` (the addresses) [workload]"},
		{"empty nodes", "workload:\n  modules: [M]\n  nodes: []\n", "workload.yaml:3:10: error: the workload has no nodes: add `nodes: [a, b]` (the addresses) [workload]"},
		{"duplicate node", "workload:\n  modules: [M]\n  nodes: [n, m, n]\n", `workload.yaml:3:17: error: duplicate node "n" (first at workload.yaml:3:11) [workload]`},
		{"bad fact", "workload:\n  modules: [M]\n  nodes: [n]\n  facts: {n: ['t(X)']}\n", "workload.yaml:4:18: error: a fact takes constants, but X is a variable [workload]"},
		{"bad fact, plain", "workload:\n  modules: [M]\n  nodes: [n]\n  inputs:\n    - node: n\n      tick: 1\n      fact: in(1, )\n", "workload.yaml:7:19: error: expected a value (integer, \"string\", true, false, [list] or a name), found \")\" [workload]"},
		{"input without tick", "workload:\n  modules: [M]\n  nodes: [n]\n  inputs: [{node: n, fact: in(1)}]\n", "workload.yaml:4:12: error: an input needs node, tick and fact; missing tick [workload]"},
		{"tick zero", "workload:\n  modules: [M]\n  nodes: [n]\n  inputs: [{node: n, tick: 0, fact: in(1)}]\n", "workload.yaml:4:28: error: tick must be an integer from 1 to 2147483647, found 0 [workload]"},
		{"tick string", "workload:\n  modules: [M]\n  nodes: [n]\n  inputs: [{node: n, tick: soon, fact: in(1)}]\n", `workload.yaml:4:28: error: tick must be an integer, found "soon" [workload]`},
		{"policy", "workload:\n  modules: [M]\n  nodes: [n]\n  network: {policy: lifo}\n", `workload.yaml:4:21: error: unknown policy "lifo" (want fifo or random) [workload]`},
		{"delay order", "workload:\n  modules: [M]\n  nodes: [n]\n  network: {delay: [5, 1]}\n", "workload.yaml:4:20: error: delay [5, 1]: the least delay is greater than the greatest [workload]"},
		{"delay fifo", "workload:\n  modules: [M]\n  nodes: [n]\n  network: {policy: fifo, delay: [1, 3]}\n", "workload.yaml:4:12: error: the fifo policy delivers in the next timestep; a delay range needs policy: random [workload]"},
		{"drop", "workload:\n  modules: [M]\n  nodes: [n]\n  network: {drop: 1.5}\n", "workload.yaml:4:19: error: drop must be a probability from 0 to 1, found 1.5 [workload]"},
		{"unknown node", "workload:\n  modules: [M]\n  nodes: [n]\n  facts: {m: ['t(1)']}\n", `workload.yaml:4:15: error: initial fact for unknown node "m" (the workload's nodes: n) [workload]`},
		{"unknown collection", "workload:\n  modules: [M]\n  nodes: [n]\n  facts: {n: ['u(1)']}\n", "workload.yaml:4:15: error: initial fact u(1): program M has no collection u [workload]"},
		{"arity", "workload:\n  modules: [M]\n  nodes: [n]\n  facts: {n: ['t(1, 2)']}\n", "workload.yaml:4:15: error: initial fact t(1, 2): t has 1 columns t(x), found 2 values [workload]"},
		{"fact into input", "workload:\n  modules: [M]\n  nodes: [n]\n  facts: {n: ['in(1)']}\n", "workload.yaml:4:15: error: initial fact in(1): in is an input; initial facts go into table collections [workload]"},
		{"input into table", "workload:\n  modules: [M]\n  nodes: [n]\n  inputs: [{node: n, tick: 1, fact: t(1)}]\n", "workload.yaml:4:37: error: input t(1): t is a table; inputs go into input collections [workload]"},
		{"unknown module", "workload:\n  modules: [Nope]\n  nodes: [n]\n", "workload.yaml:2:13: error: unknown module Nope [unknown-module]"},
		{"unknown program", "workload:\n  program: nope\n  nodes: [n]\n", `workload.yaml:2:12: error: unknown program "nope" [unknown-program]`},
		{"alias bomb", "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f]\nworkload: {modules: [M], nodes: [n]}\n",
			"YAML has more than 1000000 nodes once aliases are expanded (an alias bomb?); refusing it [limit]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ds := tryPrepare(spec, tc.workload)
			if s != nil || !ds.HasErrors() {
				t.Fatalf("accepted")
			}
			if got := ds.Errors().Error(); !strings.HasSuffix(got, tc.want) {
				t.Errorf("error\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestValueOrder(t *testing.T) {
	// In the total order of values, each is less than the next.
	vals := []Value{Bool(false), Bool(true), Int(-5), Int(0), Int(1 << 62), Str(""), Str("a"), Str("ab"), Str("b"),
		List(), List(Bool(true)), List(Int(1)), List(Int(1), Int(2)), List(Int(2)), List(List())}
	in := newInterner(nil, 0)
	for i := range vals {
		for j := range vals {
			want := cmpInt(int64(i), int64(j))
			if got := vals[i].Compare(vals[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", vals[i], vals[j], got, want)
			}
			if got := in.compare(in.intern(vals[i]), in.intern(vals[j])); got != want {
				t.Errorf("interned compare(%s, %s) = %d, want %d", vals[i], vals[j], got, want)
			}
		}
		if back := in.value(in.intern(vals[i])); !back.Equal(vals[i]) {
			t.Errorf("intern round trip of %s gave %s", vals[i], back)
		}
	}
	if s := List(Str("a\"\n"), Int(-1), Bool(false)).String(); s != `["a\"\n", -1, false]` {
		t.Errorf("String() = %s", s)
	}
	if b, _ := json.Marshal(List(Str("a"), Int(1))); string(b) != `["a",1]` {
		t.Errorf("JSON %s", b)
	}
	// Interning is canonical: equal lists built differently are one word.
	a := in.list([]V{in.int(1), in.str("x")})
	b := in.intern(List(Int(1), Str("x")))
	if a != b {
		t.Error("equal lists interned to different words")
	}
	if in.int(1<<62) == in.int(1<<62-1) || in.int(-(1<<62)) != in.intern(Int(-(1<<62))) {
		t.Error("big integers")
	}
}

// The same workload and seed give byte-identical traces; runs of one
// Setup in parallel give the same results as one after another.
func TestDeterminismAndParallelRuns(t *testing.T) {
	s := builtin(t, "replicated-disorderly-cart")
	render := func(res *Result) string {
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first := render(exec(t, s, Options{Seed: 42, Trace: true}))
	if again := render(exec(t, s, Options{Seed: 42, Trace: true})); again != first {
		t.Fatal("two runs with seed 42 differ")
	}
	if other := render(exec(t, s, Options{Seed: 43, Trace: true})); other == first {
		t.Fatal("seeds 42 and 43 gave the same trace")
	}
	const n = 32
	want := make([]string, n)
	for i := range want {
		want[i] = render(exec(t, s, Options{Seed: uint64(i)}))
	}
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = render(s.Run(context.Background(), Options{Seed: uint64(i)}))
		}()
	}
	wg.Wait()
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("seed %d: the parallel run differs from the sequential one", i)
		}
	}
}

// Every built-in workload runs to quiescence (the destructive cart may
// also end in its key conflict).
func TestBuiltinWorkloads(t *testing.T) {
	for _, name := range []string{"delivery-best-effort", "delivery-reliable", "kvs", "replicated-kvs",
		"destructive-cart", "disorderly-cart", "replicated-disorderly-cart", "replicated-destructive-cart",
		"replicated-disorderly-cart-reliable"} {
		t.Run(name, func(t *testing.T) {
			s := builtin(t, name)
			res := exec(t, s, Options{Seed: 1})
			if !res.Quiescent && !(res.Err != nil && res.Err.Check == "key-conflict" && name == "replicated-destructive-cart") {
				t.Errorf("stop %s: %v", res.Stop, res.Err)
			}
		})
	}
	t.Run("kvs answers", func(t *testing.T) {
		res := mustRun(t, builtin(t, "kvs"), Options{})
		want := `2 kvget_response(3, "k1", "v1"); 3 kvget_response(5, "k1", "v1"); 4 kvget_response(6, "k1", "v1b"); 4 kvget_response(7, "k2", "v2")`
		if got := outputs(res, "kvs"); got != want {
			t.Errorf("outputs %q, want %q", got, want)
		}
	})
	t.Run("replicated kvs", func(t *testing.T) {
		for seed := uint64(1); seed <= 50; seed++ {
			res := mustRun(t, builtin(t, "replicated-kvs"), Options{Seed: seed})
			for _, r := range []string{"r1", "r2", "r3"} {
				if got := tables(res, r, "bigtable"); got != `bigtable("k1", "v1"); bigtable("k2", "v2"); bigtable("k3", "v3")` {
					t.Fatalf("seed %d: %s holds %s", seed, r, got)
				}
			}
			if got := outputSet(res, "r1", "kvget_response"); got != `kvget_response(4, "k3", "v3")` {
				t.Fatalf("seed %d: r1 answered %q", seed, got)
			}
		}
	})
	t.Run("destructive cart", func(t *testing.T) {
		res := mustRun(t, builtin(t, "destructive-cart"), Options{})
		if got := outputSet(res, "client", "client_response"); got != `client_response("client", "server", 7, ["pear", "apple", "fig"], 3)` {
			t.Errorf("answer %s", got)
		}
	})
}

// Every program of the built-in library compiles (is stratifiable) and,
// with no input, runs to quiescence at once.
func TestBuiltinProgramsRun(t *testing.T) {
	lib := modules.NewLibrary()
	if ds := lib.LoadFS(specs.FS, "specs"); ds.HasErrors() {
		t.Fatal(ds)
	}
	for _, ps := range lib.SortedPrograms() {
		w := &Workload{Name: ps.Name, Program: ps.Name, Nodes: []string{"a", "b"}, Network: NetworkSpec{Policy: PolicyFIFO}}
		s, ds := Prepare(lib, w)
		if ds.HasErrors() {
			t.Errorf("%s: %v", ps.Name, ds)
			continue
		}
		res := s.Run(context.Background(), Options{})
		if !res.Quiescent || res.Ticks > 30 {
			t.Errorf("%s: idle run stopped (%s) after %d ticks: %v", ps.Name, res.Stop, res.Ticks, res.Err)
		}
	}
}

// TestWorkloadStructure: the workload reader reads every key that
// modules.MappingKeys declares for the workload and its inputs and
// network, and names them when it reports an unknown one.
func TestWorkloadStructure(t *testing.T) {
	for _, tc := range []struct{ mapping, src string }{
		{"workload", "workload:\n  modules: [M]\n  KEY: null\n"},
		{"input", "workload:\n  modules: [M]\n  inputs:\n    - {KEY: null}\n"},
		{"network", "workload:\n  modules: [M]\n  network: {KEY: null}\n"},
	} {
		load := func(key string) string {
			_, ds := ParseWorkload("w.yaml", []byte(strings.ReplaceAll(tc.src, "KEY", key)))
			return ds.Error()
		}
		for _, key := range modules.MappingKeys[tc.mapping] {
			if msg := load(key); strings.Contains(msg, "unknown key "+strconv.Quote(key)) {
				t.Errorf("%s: the reader does not read %s: %s", tc.mapping, key, msg)
			}
		}
		if msg := load("zzz"); !strings.Contains(msg, "(known keys: "+modules.KnownKeys(tc.mapping)+")") {
			t.Errorf("%s: an unknown key is not reported with the known keys: %s", tc.mapping, msg)
		}
	}
}
