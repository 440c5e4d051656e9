package executor

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The tests of this file follow docs/semantics.md, one rule of the
// timestep at a time.

const oneNode = `
workload:
  modules: [M]
  nodes: [n]
`

// A deferred insert (<+) is not visible in its own timestep, only from
// the next one on.
func TestDeferredVisibility(t *testing.T) {
	s := prepare(t, `
modules:
  M:
    state:
      - input  in(x)
      - table  t(x)
      - output seen(x)
      - output same(x)
    rules:
      r:
        - t(X) <+ in(X)
        - same(X) <= in(X), t(X)
        - seen(X) <= t(X)
`, oneNode+`
  inputs:
    - {node: n, tick: 1, fact: in(1)}
`)
	res := mustRun(t, s, Options{})
	if got, want := outputs(res, "n"), "2 seen(1); 3 seen(1)"; got != want {
		t.Errorf("outputs %q, want %q (same(1) would mean the insert was visible in tick 1)", got, want)
	}
	if got := tables(res, "n", ""); got != "t(1)" {
		t.Errorf("tables %q", got)
	}
}

// Deletions apply before insertions: a fact deleted and inserted in the
// same timestep stays; a deleted fact is still visible in the timestep
// that deletes it.
func TestDeletionBeforeInsertion(t *testing.T) {
	s := prepare(t, `
modules:
  M:
    state:
      - input  del(x)
      - input  ins(x)
      - table  t(x)
      - output o(x)
    rules:
      r:
        - t(X) <- del(X)
        - t(X) <+ ins(X)
        - o(X) <= t(X), del(_)
`, oneNode+`
  facts: {n: [t(1), t(2)]}
  inputs:
    - {node: n, tick: 1, facts: [del(1), ins(1), del(2)]}
    - {node: n, tick: 2, fact: del(3)}
`)
	res := mustRun(t, s, Options{Trace: true})
	if got, want := outputs(res, "n"), "1 o(1); 1 o(2); 2 o(1)"; got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
	if got := tables(res, "n", ""); got != "t(1)" {
		t.Errorf("tables %q, want t(1)", got)
	}
	tr := traceText(res)
	_, tick2, _ := strings.Cut(tr, "tick 2\n")
	if want := "  n  input    del(3)\n  n  -        t(2)\n  n  output   o(1)\n"; tick2 != want {
		t.Errorf("tick 2 should delete t(2) and leave t(1) alone:\n%s", tr)
	}
}

// An upsert (<+-) replaces the tuple with the same key.
func TestUpsert(t *testing.T) {
	s := prepare(t, `
modules:
  M:
    state:
      - input  put(k, v)
      - table  kv(k) => (v)
    rules:
      r:
        - kv(K, V) <+- put(K, V)
`, oneNode+`
  facts: {n: ['kv("a", 1)', 'kv("c", 5)']}
  inputs:
    - {node: n, tick: 1, facts: ['put("a", 2)', 'put("b", 3)', 'put("c", 5)']}
    - {node: n, tick: 2, fact: 'put("a", 4)'}
`)
	res := mustRun(t, s, Options{})
	if got, want := tables(res, "n", "kv"), `kv("a", 4); kv("b", 3); kv("c", 5)`; got != want {
		t.Errorf("kv %q, want %q", got, want)
	}
}

// Scratches, inputs, outputs and channels are emptied after every
// timestep; tables are not.
func TestScratchClearing(t *testing.T) {
	s := prepare(t, `
modules:
  M:
    state:
      - input   in(x)
      - scratch s(x)
      - table   kept(x)
      - output  o(x)
      - output  k(x)
    rules:
      r:
        - s(X) <= in(X)
        - kept(X) <= in(X)
        - o(X) <= s(X)
        - k(X) <= kept(X), in(_)
`, oneNode+`
  inputs:
    - {node: n, tick: 1, fact: in(1)}
    - {node: n, tick: 3, fact: in(2)}
`)
	res := mustRun(t, s, Options{})
	if got, want := outputs(res, "n"), "1 k(1); 1 o(1); 3 k(1); 3 k(2); 3 o(2)"; got != want {
		t.Errorf("outputs %q, want %q (o(1) at tick 3 would mean s was not emptied)", got, want)
	}
}

const pingSpec = `
modules:
  M:
    state:
      - input   go(to, x)
      - channel msg(@to, from, x)
      - channel back(@to, x)
      - output  got(from, x)
      - output  ack(x)
    rules:
      r:
        - msg(T, me(), X) <~ go(T, X)
        - got(F, X) <= msg(_, F, X)
        - back(F, X) <~ msg(_, F, X)
        - ack(X) <= back(_, X)
`

// A channel fact goes to the node named in its @ column, and only there;
// me() is the address of the node evaluating the rule.
func TestChannelDelivery(t *testing.T) {
	s := prepare(t, pingSpec, `
workload:
  modules: [M]
  nodes: [a, b, c]
  inputs:
    - {node: a, tick: 1, fact: 'go("b", 1)'}
`)
	res := mustRun(t, s, Options{})
	for node, want := range map[string]string{"a": "3 ack(1)", "b": `2 got("a", 1)`, "c": ""} {
		if got := outputs(res, node); got != want {
			t.Errorf("node %s outputs %q, want %q", node, got, want)
		}
	}
	if res.Ticks != 4 {
		t.Errorf("quiescent after %d ticks, want 4 (one silent tick after the ack)", res.Ticks)
	}
	if res.Stats.Sent != 2 || res.Stats.Delivered != 2 {
		t.Errorf("stats %+v", res.Stats)
	}
}

// Sending to an address that is not a node of the workload is a runtime
// error naming the rule.
func TestUnknownAddress(t *testing.T) {
	s := prepare(t, pingSpec, `
workload:
  modules: [M]
  nodes: [a, b]
  inputs:
    - {node: a, tick: 2, fact: 'go("zz", 1)'}
`)
	res := exec(t, s, Options{})
	if res.Err == nil || res.Err.Check != "address" {
		t.Fatalf("want an address error, got %v", res.Err)
	}
	want := `spec.yaml:12:11: error: at node a, tick 2: rule "msg(T, me(), X) <~ go(T, X)" sends msg("zz", "a", 1) to "zz", which is not a node of the workload (nodes: a, b)`
	if got := res.Err.Error(); got != want {
		t.Errorf("error\n got %s\nwant %s", got, want)
	}
	if res.Stop != "error" || res.Ticks != 2 {
		t.Errorf("stop %s at %d", res.Stop, res.Ticks)
	}
}

// Two different facts with the same key in one collection is a runtime
// error naming both rules (or workload entries) and the key.
func TestKeyConflict(t *testing.T) {
	spec := `
modules:
  M:
    state:
      - input   in(k)
      - input   put(k, v)
      - scratch s(k) => (v)
      - table   kv(k) => (v)
      - channel c(@to, k) => (v)
      - input   send(to, v)
    rules:
      same_tick:
        - s(K, 1) <= in(K)
        - s(K, 2) <= in(K), K != "b"
      deferred:
        - kv(K, V) <+ put(K, V)
      net:
        - c(T, "k", V) <~ send(T, V)
`
	tests := []struct {
		name, inputs, want string
	}{
		{"two rules, one timestep", `{node: a, tick: 1, fact: 'in("a")'}`,
			`spec.yaml:14:11: error: at node a, tick 1: key conflict in s: key ("a") would hold two different facts: s("a", 1) from rule "s(K, 1) <= in(K)" (M.same_tick, spec.yaml:13:11), and s("a", 2) from rule "s(K, 2) <= in(K), K != \"b\"" (M.same_tick, spec.yaml:14:11)`},
		{"deferred insert over a table fact", `{node: a, tick: 1, fact: 'put("x", 2)'}`,
			`spec.yaml:16:11: error: at node a, tick 1: key conflict in kv: key ("x") would hold two different facts: kv("x", 1) from the workload's initial fact kv("x", 1) for a (workload.yaml:6:9), and kv("x", 2) from rule "kv(K, V) <+ put(K, V)" (M.deferred, spec.yaml:16:11)`},
		{"two deferred inserts", `{node: a, tick: 1, facts: ['put("y", 1)', 'put("y", 2)']}`,
			`spec.yaml:16:11: error: at node a, tick 1: key conflict in kv: key ("y") would hold two different facts: kv("y", 1) from rule "kv(K, V) <+ put(K, V)" (M.deferred, spec.yaml:16:11), and kv("y", 2) from rule "kv(K, V) <+ put(K, V)" (M.deferred, spec.yaml:16:11)`},
		{"two messages, one timestep", "{node: a, tick: 1, fact: 'send(\"b\", 1)'}\n    - {node: b, tick: 1, fact: 'send(\"b\", 2)'}",
			`spec.yaml:18:11: error: at node b, tick 2: key conflict in c: key ("b", "k") would hold two different facts: c("b", "k", 1) from rule "c(T, \"k\", V) <~ send(T, V)" (M.net, spec.yaml:18:11), and c("b", "k", 2) from rule "c(T, \"k\", V) <~ send(T, V)" (M.net, spec.yaml:18:11)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := prepare(t, spec, `
workload:
  modules: [M]
  nodes: [a, b]
  facts:
    a: ['kv("x", 1)']
  inputs:
    - `+tc.inputs+"\n")
			res := exec(t, s, Options{})
			if res.Err == nil || res.Err.Check != "key-conflict" {
				t.Fatalf("want a key conflict, got %v", res.Err)
			}
			if got := res.Err.Error(); got != tc.want {
				t.Errorf("error\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

const reachSpec = `
modules:
  M:
    state:
      - table   edge(a, b)
      - table   vertex(x)
      - input   go()
      - scratch reach(x)
      - output  unreached(x)
      - output  reached(n)
      - output  names(l)
    rules:
      r:
        - reach(X) <= go(), edge("s", X)
        - reach(Y) <= reach(X), edge(X, Y)
        - unreached(X) <= vertex(X), notin reach(X), go()
        - reached(count<X>) <= reach(X)
        - names(accum<X>) <= reach(X)
`

const reachWorkload = oneNode + `
  facts:
    n: ['edge("s", "a")', 'edge("a", "b")', 'edge("b", "c")', 'edge("c", "a")', 'edge("d", "e")',
        'vertex("a")', 'vertex("b")', 'vertex("c")', 'vertex("d")', 'vertex("e")']
  inputs:
    - {node: n, tick: 1, fact: go()}
`

// Negation reads a lower stratum only once it is complete: reach is
// computed to its fixpoint (recursively) before unreached tests it.
func TestStratifiedNegation(t *testing.T) {
	res := mustRun(t, prepare(t, reachSpec, reachWorkload), Options{})
	got := outputs(res, "n")
	for _, want := range []string{`1 unreached("d")`, `1 unreached("e")`} {
		if !strings.Contains(got, want) {
			t.Errorf("outputs %q lack %q", got, want)
		}
	}
	for _, bad := range []string{`unreached("a")`, `unreached("b")`, `unreached("c")`} {
		if strings.Contains(got, bad) {
			t.Errorf("outputs %q have %q: notin read reach before its fixpoint", got, bad)
		}
	}
}

// Aggregation also reads a complete lower stratum.
func TestStratifiedAggregation(t *testing.T) {
	res := mustRun(t, prepare(t, reachSpec, reachWorkload), Options{})
	got := outputs(res, "n")
	if !strings.Contains(got, "1 reached(3)") || !strings.Contains(got, `1 names(["a", "b", "c"])`) {
		t.Errorf("outputs %q, want reached(3) and names([\"a\", \"b\", \"c\"])", got)
	}
}

// A cycle through negation or aggregation is refused, naming the cycle,
// with the message calmcheck lint gives (check unstratifiable).
func TestUnstratifiable(t *testing.T) {
	tests := []struct{ name, rules, want string }{
		{"negation", `
        - p(X) <= in(X), notin q(X)
        - q(X) <= p(X)`, `spec.yaml:10:26: error: unstratifiable: cycle q -> p -> q with no temporal edge, through the nonmonotonic notin q in p <= in, notin q (spec.yaml:10); each step: q -> p (<= at spec.yaml:10, notin), p -> q (<= at spec.yaml:11). A timestep cannot evaluate it; break the cycle with <+ or remove the negation [unstratifiable]`},
		{"aggregation", `
        - p(N) <= q(N)
        - q(count<X>) <= p(X)`, `spec.yaml:11:13: error: unstratifiable: cycle p -> q -> p with no temporal edge, through the nonmonotonic count<X> in q <= p (spec.yaml:11); each step: p -> q (<= at spec.yaml:11, count<X>), q -> p (<= at spec.yaml:10). A timestep cannot evaluate it; break the cycle with <+ or remove the aggregation [unstratifiable]`},
		{"self, two negations", `
        - p(X) <= in(X), notin p(X + 1)
        - q(X) <= in(X), notin q(X + 1)`, `spec.yaml:10:26: error: unstratifiable: cycle p -> p with no temporal edge, through the nonmonotonic notin p in p <= in, notin p (spec.yaml:10); each step: p -> p (<= at spec.yaml:10, notin). A timestep cannot evaluate it; break the cycle with <+ or remove the negation [unstratifiable]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := tryPrepare(`
modules:
  M:
    state:
      - input   in(x)
      - scratch p(x)
      - scratch q(x)
    rules:
      r:`+tc.rules+"\n", oneNode)
			if !ds.HasErrors() {
				t.Fatal("an unstratifiable program was accepted")
			}
			if got := ds.Errors().Error(); got != tc.want {
				t.Errorf("error\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// A periodic fires every N timesteps with its firing number and the
// timestep; a program with periodics is quiescent once a quiet window
// passes with nothing new.
func TestPeriodic(t *testing.T) {
	spec := `
modules:
  M:
    state:
      - periodic clock(id) => (time) every 3
      - output   tick(id, time)
      - output   beat()
    rules:
      r:
        - tick(I, T) <= clock(I, T)
        - beat() <= clock(_, _)
`
	t.Run("firings", func(t *testing.T) {
		res := exec(t, prepare(t, spec, oneNode), Options{MaxTicks: 10})
		if got, want := outputs(res, "n"), "3 beat(); 3 tick(1, 3); 6 beat(); 6 tick(2, 6); 9 beat(); 9 tick(3, 9)"; got != want {
			t.Errorf("outputs %q, want %q", got, want)
		}
		// A new tick(I, T) each time: never quiescent.
		if res.Quiescent || res.Stop != "max-ticks" || res.Err == nil || res.Ticks != 10 {
			t.Errorf("want a max-ticks stop at 10, got %s at %d (%v)", res.Stop, res.Ticks, res.Err)
		}
	})
	t.Run("quiet", func(t *testing.T) {
		quiet := strings.Replace(spec, "        - tick(I, T) <= clock(I, T)\n", "", 1)
		quiet = strings.Replace(quiet, "      - output   tick(id, time)\n", "", 1)
		res := mustRun(t, prepare(t, quiet, oneNode), Options{})
		// beat() is new at tick 3, then only repeats: quiescent one quiet
		// window (4 rounds of 3 + 2*1 ticks) later.
		if res.Ticks != 3+20 {
			t.Errorf("quiescent after %d ticks, want 23", res.Ticks)
		}
		if got := outputs(res, "n"); !strings.HasPrefix(got, "3 beat(); 6 beat(); 9 beat()") || strings.Count(got, "beat()") != 7 {
			t.Errorf("outputs %q", got)
		}
	})
}

// Quiescence: a run without periodics ends after the first timestep in
// which nothing happens once no message is in flight, no input is left and
// no change is deferred.
func TestQuiescence(t *testing.T) {
	t.Run("late input", func(t *testing.T) {
		s := prepare(t, pingSpec, `
workload:
  modules: [M]
  nodes: [a, b]
  inputs:
    - {node: a, tick: 10, fact: 'go("b", 1)'}
`)
		res := mustRun(t, s, Options{})
		if res.Ticks != 13 || outputs(res, "a") != "12 ack(1)" {
			t.Errorf("ticks %d, outputs %q; want 13 and 12 ack(1)", res.Ticks, outputs(res, "a"))
		}
	})
	t.Run("in flight", func(t *testing.T) {
		s := prepare(t, pingSpec, `
workload:
  modules: [M]
  nodes: [a, b]
  inputs:
    - {node: a, tick: 1, fact: 'go("b", 1)'}
  network: {policy: random, delay: [7, 7]}
`)
		res := mustRun(t, s, Options{})
		if res.Ticks != 16 || outputs(res, "a") != "15 ack(1)" {
			t.Errorf("ticks %d, outputs %q; want 16 and 15 ack(1)", res.Ticks, outputs(res, "a"))
		}
	})
	t.Run("deferred", func(t *testing.T) {
		s := prepare(t, `
modules:
  M:
    state:
      - table  n(x)
      - output o(x)
    rules:
      r:
        - n(X + 1) <+ n(X), X < 5
        - o(X) <= n(X), notin n(X + 1)
`, oneNode+`
  facts: {n: [n(0)]}
`)
		res := mustRun(t, s, Options{})
		if res.Ticks != 7 || tables(res, "n", "") != "n(0); n(1); n(2); n(3); n(4); n(5)" {
			t.Errorf("ticks %d, tables %q", res.Ticks, tables(res, "n", ""))
		}
	})
}

// Bounds stop a run with a clear error instead of running forever or out
// of memory.
func TestBounds(t *testing.T) {
	t.Run("max-ticks", func(t *testing.T) {
		s := prepare(t, `
modules:
  M:
    state:
      - input   start()
      - channel ping(@to, n)
    rules:
      r:
        - ping(me(), 0) <~ start()
        - ping(me(), N + 1) <~ ping(_, N)
`, oneNode+`
  inputs: [{node: n, tick: 1, fact: start()}]
`)
		res := exec(t, s, Options{MaxTicks: 50})
		if res.Stop != "max-ticks" || res.Quiescent || res.Ticks != 50 {
			t.Fatalf("stop %s at %d", res.Stop, res.Ticks)
		}
		want := "workload.yaml:2:1: error: at tick 50: the run did not quiesce within 50 ticks (--max-ticks): something is still in flight, pending or changing; see the trace (--trace)"
		if res.Err.Error() != want {
			t.Errorf("error\n got %s\nwant %s", res.Err, want)
		}
	})
	nat := `
modules:
  M:
    state:
      - table nat(n)
    rules:
      r:
        - nat(N + 1) <= nat(N), N < 1000000
`
	t.Run("max-facts", func(t *testing.T) {
		res := exec(t, prepare(t, nat, oneNode+"  facts: {n: [nat(0)]}\n"), Options{MaxFacts: 1000})
		want := "spec.yaml:8:11: error: at node n, tick 1: more than 1000 nat (--max-facts); a rule that derives without end?"
		if res.Stop != "max-facts" || res.Err.Error() != want {
			t.Errorf("stop %s, error\n got %v\nwant %s", res.Stop, res.Err, want)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		res := exec(t, prepare(t, nat, oneNode+"  facts: {n: [nat(0)]}\n"), Options{MaxFacts: 2_000_000, Timeout: time.Millisecond})
		if res.Stop != "timeout" || !strings.Contains(res.Err.Error(), "error: at tick 1: the run exceeded --timeout 1ms while node n evaluated") {
			t.Errorf("stop %s, error %v", res.Stop, res.Err)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := prepare(t, nat, oneNode+"  facts: {n: [nat(0)]}\n").Run(ctx, Options{})
		if res.Stop != "timeout" || !strings.Contains(res.Err.Error(), "the run was canceled") {
			t.Errorf("stop %s, error %v", res.Stop, res.Err)
		}
	})
	// The value budget: a list that grows by one element at each step; a
	// list that holds the one before it twice, doubling in size at each
	// step for a few cells (interned lists share their parts: written
	// out, in outputs and lattice merges, it took all memory; the
	// soundness test, seed 13, program 667), bounded by its size written
	// out; and a lattice set that holds itself through reveal.
	listSpec := func(rule string) string {
		return "\nmodules:\n  M:\n    state:\n      - table l(x)\n    rules:\n      r:\n        - " + rule + "\n"
	}
	for _, tc := range []struct {
		name, spec, workload string
		opt                  Options
		want                 string // in the error; "" for the stop alone
		tables               int    // at least this many tables kept, when more than 0
	}{
		{"value budget", listSpec("l(append(L, 1)) <= l(L)"), oneNode + "  facts: {n: ['l([])']}\n", Options{MaxValueCells: 10_000},
			"spec.yaml:8:11: error: at node n, tick 1: the run created more than 10000 list elements", 0},
		{"value budget, written out", listSpec("l([L, L]) <= l(L)"), oneNode + "  facts: {n: ['l([])']}\n", Options{MaxValueCells: 1 << 20},
			"or a list of more than 1/256 of that written out", 10},
		{"value budget, a set that holds itself", `
modules:
  M:
    state:
      - input   in1(k, v)
      - 'lattice lat(k) => (s: lset)'
      - scratch s2(k, v)
    rules:
      r:
        - lat(K, [V]) <= in1(K, V)
        - s2(K, reveal(S)) <= lat(K, S), contains(S, K)
        - lat(K, [V]) <+ s2(K, V)
`, oneNode + "  inputs:\n    - {node: n, tick: 1, fact: 'in1(\"a\", \"a\")'}\n", Options{MaxValueCells: 1 << 16, MaxTicks: 200}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := exec(t, prepare(t, tc.spec, tc.workload), tc.opt)
			if res.Stop != "value-budget" || tc.want != "" && (res.Err.Check != "value-budget" || !strings.Contains(res.Err.Error(), tc.want)) {
				t.Errorf("stop %s, error %v", res.Stop, res.Err)
			}
			// What the run kept is converted sharing its parts.
			if tc.tables > 0 && (len(res.Nodes) != 1 || len(res.Nodes[0].Tables) < tc.tables) {
				t.Errorf("nodes %+v", res.Nodes)
			}
		})
	}
}

// A join that derives nothing still stops at the timeout.
func TestTimeoutInBarrenJoin(t *testing.T) {
	s := prepare(t, `
modules:
  M:
    state:
      - table  a(x)
      - table  b(x)
      - input  go()
      - output o(x)
    rules:
      r:
        - a(X + 1) <= a(X), X < 3000
        - b(X) <= a(X)
        - o(X) <= go(), a(X), b(Y), X == Y + 100000
`, oneNode+`
  facts: {n: [a(0)]}
  inputs: [{node: n, tick: 1, fact: go()}]
`)
	res := exec(t, s, Options{Timeout: 5 * time.Millisecond})
	if res.Stop != "timeout" {
		t.Errorf("stop %s (%v), want timeout", res.Stop, res.Err)
	}
}
