package executor

import (
	"strings"
	"testing"
)

const latticeSpec = `
lattices:
  vclock: lmap<node, lmax>
modules:
  L:
    state:
      - input   add(k, x)
      - input   tick(k, n)
      - input   see(k, node, n)
      - input   ask(k, n)
      - output  reached(k)
      - output  raw(k, v)
      - output  clock(k, v)
      - 'lattice s(k) => (items: lset, hi: lmax, lo: lmin)'
      - 'lattice vc(k) => (c: vclock, seen: lbool, p: lpair<lmax, lset>, d: ldompair<lmax, lset>)'
      - 'channel sync(@dst, k) => (items: lset)'
      - table   peer(node)
    rules:
      merge:
        - s(K, [X], 0, 100) <= add(K, X)
        - s(K, [], N, N) <= tick(K, N)
        - vc(K, [[Nd, N]], true, [N, [Nd]], [N, [Nd]]) <= see(K, Nd, N)
      read:
        - reached(K) <= ask(K, N), s(K, I, _, _), ge(size(I), N)
        - reached(K) <= ask(K, N), vc(K, C, _, _, _), ge(at(C, "n9"), N)
        - raw(K, reveal(I)) <= s(K, I, _, _)
        - clock(K, reveal(C)) <= vc(K, C, B, _, _), when_true(B)
      ship:
        - sync(D, K, I) <~ add(K, _), s(K, I, _, _), peer(D)
        - s(K, I, 0, 100) <= sync(_, K, I)
`

func TestLatticeMergeOnInsert(t *testing.T) {
	s := prepare(t, latticeSpec, `
workload:
  modules: [L]
  nodes: [a, b]
  facts:
    a: [peer(b)]
    b: ['s("k", [9], 5, 200)']
  inputs:
    - {node: a, tick: 1, fact: 'add("k", 3)'}
    - {node: a, tick: 1, fact: 'add("k", 1)'}
    - {node: a, tick: 1, fact: 'add("k", 3)'}
    - {node: a, tick: 2, fact: 'tick("k", 7)'}
    - {node: a, tick: 2, fact: 'tick("k", 4)'}
    - {node: a, tick: 3, fact: 'see("k", "n1", 2)'}
    - {node: a, tick: 3, fact: 'see("k", "n2", 5)'}
    - {node: a, tick: 4, fact: 'see("k", "n1", 1)'}
    - {node: a, tick: 4, fact: 'ask("k", 2)'}
    - {node: a, tick: 5, fact: 'ask("k", 3)'}
`)
	res := mustRun(t, s, Options{})
	// One fact per key, every column merged: lset union, lmax, lmin.
	if got := tables(res, "a", "s"); got != `s("k", [1, 3], 7, 4)` {
		t.Errorf("s at a = %s", got)
	}
	if got := tables(res, "a", "vc"); got != `vc("k", [["n1", 2], ["n2", 5]], true, [5, ["n1", "n2"]], [5, ["n2"]])` {
		t.Errorf("vc at a = %s", got)
	}
	// The channel carries the lattice, merged into b's value.
	if got := tables(res, "b", "s"); got != `s("k", [1, 3, 9], 5, 100)` {
		t.Errorf("s at b = %s", got)
	}
	// The thresholds: size 2 >= 2 at tick 4 (not 3 at tick 5); at(C, "n9")
	// is lmax's bottom, never >= 2.
	out := outputs(res, "a")
	if !strings.Contains(out, `4 reached("k")`) || strings.Contains(out, `5 reached("k")`) {
		t.Errorf("reached: %s", out)
	}
	// reveal reads one value per key, the merged one of the timestep.
	for _, want := range []string{`1 raw("k", [1, 3])`, `2 raw("k", [1, 3])`, `3 clock("k", [["n1", 2], ["n2", 5]])`} {
		if !strings.Contains(out, want) {
			t.Errorf("outputs lack %s: %s", want, out)
		}
	}
	if strings.Count(out, "1 raw(") != 1 {
		t.Errorf("reveal saw more than one value in one timestep: %s", out)
	}
	// The trace is deterministic.
	a := traceText(mustRun(t, s, Options{Trace: true, Seed: 3}))
	b := traceText(mustRun(t, s, Options{Trace: true, Seed: 3}))
	if a != b {
		t.Error("two runs with one seed trace differently")
	}
}

func TestLatticeValueErrors(t *testing.T) {
	for _, tc := range []struct{ facts, want string }{
		{`s("k", 3, 1, 1)`, `column items of s (lset): 3 is not an lset (a list of elements)`},
		{`s("k", [], "x", 1)`, `column hi of s (lmax): "x" is not an lmax (an integer)`},
		{`vc("k", [[1]], true, [1, []], [1, []])`, `[1] is not an lmap entry (a [key, value] pair)`},
	} {
		s := prepare(t, latticeSpec, "workload:\n  modules: [L]\n  nodes: [a]\n  facts:\n    a: ['"+tc.facts+"']\n")
		res := exec(t, s, Options{})
		if res.Err == nil || !strings.Contains(res.Err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.facts, res.Err, tc.want)
		}
	}
}

// A user lattice: its merge term merges, its function is a test.
func TestUserLattice(t *testing.T) {
	s := prepare(t, `
lattices:
  hwm:
    values: int
    merge: max(A, B)
    bottom: -1000
    functions:
      reached: {expr: 'ge(X, N)', returns: lbool}
modules:
  U:
    state:
      - input  mark(k, n)
      - output done(k)
      - 'lattice h(k) => (m: hwm)'
    rules:
      r:
        - h(K, N) <= mark(K, N)
        - done(K) <= h(K, M), reached(M, 5)
`, `
workload:
  modules: [U]
  nodes: [a]
  inputs:
    - {node: a, tick: 1, fact: 'mark("k", 3)'}
    - {node: a, tick: 2, fact: 'mark("k", 7)'}
    - {node: a, tick: 3, fact: 'mark("k", 4)'}
`)
	res := mustRun(t, s, Options{})
	if got := tables(res, "a", "h"); got != `h("k", 7)` {
		t.Errorf("h = %s", got)
	}
	// The threshold holds from tick 2 (7 >= 5), never at tick 1 (3).
	if got := outputs(res, "a"); !strings.HasPrefix(got, `2 done("k")`) {
		t.Errorf("outputs %s", got)
	}
}
