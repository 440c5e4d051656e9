package executor

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/specs"
)

// FuzzParseWorkload: no workload file, however broken, makes the parser
// panic; whatever parses also binds, or fails, without panicking.
//
//	go test ./executor -run '^$' -fuzz FuzzParseWorkload -fuzztime 1m
func FuzzParseWorkload(f *testing.F) {
	files, _ := fs.Glob(specs.Workloads, "workloads/*.yaml")
	for _, name := range files {
		data, _ := specs.Workloads.ReadFile(name)
		f.Add(data)
	}
	f.Add([]byte("workload: {modules: [M], nodes: [n], inputs: [{node: n, tick: 1, fact: 'in(1)'}]}\n"))
	f.Add([]byte("workload:\n  nodes: [a, a]\n  facts: {a: ['p([1, [2, \"x\\\"\"]], -3, true)']}\n"))
	// Depth stress: facts nested past their limit, YAML past its own.
	f.Add([]byte("workload:\n  nodes: [n]\n  facts: {n: ['p(" + strings.Repeat("[", 300) + strings.Repeat("]", 300) + ")']}\n"))
	f.Add([]byte("workload: " + strings.Repeat("[", 1200) + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, ds := ParseWorkload("fuzz.yaml", data)
		if w == nil && !ds.HasErrors() {
			t.Fatal("nil workload without an error")
		}
		// Every position is on a line of the input: never the line after
		// the last (line breaks as YAML counts them).
		lines := regexp.MustCompile(`\r\n|\r|\n`).Split(string(data), -1)
		if len(lines) > 1 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		for _, d := range ds {
			if d.Pos.File == "fuzz.yaml" && d.Pos.Line != 0 && (d.Pos.Line < 1 || d.Pos.Line > len(lines) || d.Pos.Col < 1 || d.Pos.Col > len(lines[d.Pos.Line-1])+1) {
				t.Fatalf("position outside the input: %v", d)
			}
		}
	})
}

// FuzzParseFact: facts round-trip through their rendering.
func FuzzParseFact(f *testing.F) {
	for _, s := range []string{`p(1, "a", true, [1, [2]], [])`, `members(r2)`, `tick`, `p("\n\t\\\"")`, `p(-9223372036854775808)`, `bed.pipe_in("b", 1)`,
		"p(" + strings.Repeat("[", 150) + strings.Repeat("]", 150) + ")"} { // depth stress
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fact, err := ParseFact(src)
		if err != nil {
			if err.Off < 0 || err.Off > len(src) {
				t.Fatalf("error offset %d outside %q", err.Off, src)
			}
			return
		}
		again, err := ParseFact(fact.String())
		if err != nil || !again.Equal(fact) {
			t.Fatalf("%q parsed as %s, which parses as %v (%v)", src, fact, again, err)
		}
	})
}

// FuzzRun: a small program with the fuzzer's inputs never panics and
// stays within its bounds.
func FuzzRun(f *testing.F) {
	s := prepare(f, `
modules:
  M:
    state:
      - input   in(a, b)
      - table   t(a) => (b)
      - scratch s(x)
      - channel c(@to, x)
      - output  o(a, b)
    rules:
      r:
        - t(A, B) <+- in(A, B)
        - s(append(L, A)) <= in(A, L)
        - s(concat(X, X)) <= s(X), len(X) < 4
        - c(A, B) <~ in(A, B)
        - o(A, count<B>) <= t(A, B), notin s([A])
        - o(A, B) <= c(_, B), t(A, _), B = A + 1
`, oneNode+"  inputs: [{node: n, tick: 1, fact: 'in(\"n\", [1])'}]\n")
	f.Add(int64(1), "n", uint64(3))
	f.Add(int64(-5), "x", uint64(0))
	f.Fuzz(func(t *testing.T, a int64, b string, seed uint64) {
		w := *s.w
		w.Inputs = append([]WorkloadFact{}, w.Inputs...)
		w.Inputs = append(w.Inputs,
			WorkloadFact{Node: "n", Tick: 2, Fact: Fact{Collection: "in", Args: []Value{Int(a), List(Str(b))}}},
			WorkloadFact{Node: "n", Tick: 2, Fact: Fact{Collection: "in", Args: []Value{Str(b), Int(a)}}})
		bs, ds := Bind(s.prog, &w)
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		res := bs.Run(context.Background(), Options{Seed: seed, MaxTicks: 50, MaxFacts: 1000})
		if res.Stop == "" {
			t.Fatal("no stop reason")
		}
	})
}
