package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRunGolden(t *testing.T) {
	tests := []struct {
		golden string
		code   int
		args   []string
	}{
		{"run_list.golden", 0, []string{"run"}},
		{"run_kvs.golden", 0, []string{"run", "kvs"}},
		{"run_kvs_json.golden", 0, []string{"run", "kvs", "--format", "json"}},
		{"run_disorderly_trace.golden", 0, []string{"run", "disorderly-cart", "--seed", "4", "--trace"}},
		{"run_reliable.golden", 0, []string{"run", "delivery-reliable", "--seed", "3"}},
		{"run_disorderly_seeds.golden", 1, []string{"run", "disorderly-cart", "--seeds", "1..50"}},
		{"run_disorderly_seeds_fifo.golden", 0, []string{"run", "disorderly-cart", "--seeds", "50", "--policy", "fifo"}},
		{"run_destructive_seeds.golden", 1, []string{"run", "replicated-destructive-cart", "--seeds", "15..25"}},
		{"run_destructive_seeds_json.golden", 1, []string{"run", "replicated-destructive-cart", "--seeds", "20..22", "--format", "json"}},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			code, out, errs := runCLI(t, t.TempDir(), tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errs)
			}
			if errs != "" {
				t.Errorf("stderr: %s", errs)
			}
			golden(t, tc.golden, []byte(out))
		})
	}
}

func TestRunDeterministic(t *testing.T) {
	args := []string{"run", "replicated-disorderly-cart", "--seed", "9", "--trace", "--format", "json"}
	_, a, _ := runCLI(t, t.TempDir(), args...)
	_, b, _ := runCLI(t, t.TempDir(), args...)
	if a != b || !json.Valid([]byte(a)) {
		t.Error("two runs with the same seed printed different output (or invalid JSON)")
	}
	// --seeds runs in parallel; its report is the same every time.
	_, c, _ := runCLI(t, t.TempDir(), "run", "replicated-disorderly-cart", "--seeds", "1..40")
	_, d, _ := runCLI(t, t.TempDir(), "run", "replicated-disorderly-cart", "--seeds", "1..40")
	if c != d {
		t.Error("two --seeds reports differ")
	}
}

const userSpec = `modules:
  Echo:
    doc: Echoes each word back to its sender.
    state:
      - input   say(to, word)
      - channel word(@to, from, w)
      - channel echo(@to, w)
      - output  heard(w)
    rules:
      talk:
        - word(T, me(), W) <~ say(T, W)
        - echo(F, W) <~ word(_, F, W)
        - heard(W) <= echo(_, W)
`

func TestRunUserWorkload(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "echo.yaml", userSpec+`
workload:
  modules: [Echo]
  nodes: [a, b]
  inputs:
    - {node: a, tick: 1, fact: 'say("b", "hi")'}
`)
	code, out, errs := runCLI(t, dir, "run", "echo.yaml")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "node a\n  outputs\n    heard(\"hi\")  tick 3\n") || !strings.Contains(out, "quiescent after 4 ticks") {
		t.Errorf("output:\n%s", out)
	}
	// A workload in its own file, naming a program of ./calmcheck.yaml.
	write(t, dir, "specs/echo.yaml", userSpec)
	write(t, dir, "calmcheck.yaml", "specs: [specs]\nprograms:\n  echo: [Echo]\n")
	write(t, dir, "w.yaml", "workload:\n  program: echo\n  nodes: [a, b]\n  inputs: [{node: b, tick: 2, fact: 'say(\"a\", \"yo\")'}]\n")
	code, out, errs = runCLI(t, "", "run", "w.yaml")
	if code != 0 || !strings.Contains(out, "heard(\"yo\")  tick 4") {
		t.Errorf("exit %d: %s\n%s", code, errs, out)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "bad.yaml", "workload:\n  modules: [Echo]\n  nodes: [a]\n  inputs: [{node: a, tick: 1, fact: 'say(X)'}]\n")
	write(t, dir, "addr.yaml", userSpec+"\nworkload:\n  modules: [Echo]\n  nodes: [a]\n  inputs: [{node: a, tick: 1, fact: 'say(\"mars\", \"hi\")'}]\n")
	write(t, dir, "loop.yaml", `modules:
  Loop:
    state:
      - input   start()
      - channel ping(@to, n)
    rules:
      r:
        - ping(me(), 0) <~ start()
        - ping(me(), N + 1) <~ ping(_, N)
workload:
  modules: [Loop]
  nodes: [a]
  inputs: [{node: a, tick: 1, fact: start()}]
`)
	write(t, dir, "unknown.yaml", "workload:\n  modules: [Nope]\n  nodes: [a]\n")
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"run", "nothing-here"}, 2, `nothing-here: error: no workload file or built-in workload named "nothing-here" (built-in workloads: delivery-best-effort, delivery-reliable, delivery-reliable-import, delivery-two-lanes, destructive-cart, disorderly-cart, kvs, lattice-kvs, monotone-cart, ordered-cart, replicated-destructive-cart, replicated-disorderly-cart, replicated-disorderly-cart-reliable, replicated-kvs, replicated-kvs-import, replicated-lattice-kvs, sealed-cart, vote-collector) [io]`},
		{[]string{"run", "bad.yaml"}, 2, "bad.yaml:4:42: error: a fact takes constants, but X is a variable [workload]\ncalmcheck: 1 error\n"},
		{[]string{"run", "unknown.yaml"}, 2, "unknown.yaml:2:13: error: unknown module Nope; unknown.yaml names no spec files, so only the built-in library and ./calmcheck.yaml are loaded: add `specs: [FILE.yaml]` at its top (paths relative to it; see docs/spec.md, Workloads), or put its workload: key into the spec file [unknown-module]\ncalmcheck: 1 error\n"},
		{[]string{"run", "addr.yaml"}, 2, `addr.yaml:11:11: error: at node a, tick 1: rule "word(T, me(), W) <~ say(T, W)" sends word("mars", "a", "hi") to "mars", which is not a node of the workload (nodes: a) [address]` + "\n"},
		{[]string{"run", "loop.yaml", "--max-ticks", "30"}, 2, "loop.yaml:10:1: error: at tick 30: the run did not quiesce within 30 ticks (--max-ticks): something is still in flight, pending or changing; see the trace (--trace) [max-ticks]\n"},
		{[]string{"run", "loop.yaml", "--seeds", "1..3", "--max-ticks", "30"}, 2, "loop.yaml:10:1: error: at tick 30: the run did not quiesce within 30 ticks (--max-ticks): something is still in flight, pending or changing; see the trace (--trace) [max-ticks]\n"},
		{[]string{"run", "kvs", "--format", "xml"}, 2, "calmcheck: unknown --format \"xml\" (want text or json)\n"},
		{[]string{"run", "kvs", "--policy", "lifo"}, 2, "calmcheck: unknown --policy \"lifo\" (want fifo or random)\n"},
		{[]string{"run", "kvs", "--seeds", "9..1"}, 2, "calmcheck: --seeds \"9..1\": want A..B with A <= B (e.g. 1..100), or N for 1..N\n"},
		{[]string{"run", "kvs", "--seeds", "1..1000000"}, 2, "calmcheck: --seeds \"1..1000000\": at most 100000 seeds\n"},
		{[]string{"run", "kvs", "--seeds", "3", "--trace"}, 2, "calmcheck: --trace prints one run; use it with --seed, not --seeds\n"},
		{[]string{"run", "kvs", "extra"}, 2, "calmcheck: accepts at most 1 arg(s), received 2\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, errs := runCLI(t, dir, tc.args...)
			if code != tc.code || !strings.HasPrefix(errs, tc.stderr) {
				t.Errorf("exit %d, stderr\n%s\nwant exit %d, stderr\n%s", code, errs, tc.code, tc.stderr)
			}
		})
	}
}

// A built-in workload runs on the built-in library, whatever the current
// directory's project file says.
func TestRunBuiltinIgnoresProject(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "calmcheck.yaml", "programs: {basic-kvs: [Missing]}\nnot valid: [\n")
	code, out, errs := runCLI(t, dir, "run", "kvs")
	if code != 0 || errs != "" || !strings.Contains(out, "quiescent after 5 ticks") {
		t.Errorf("exit %d: %s\n%s", code, errs, out)
	}
}

// TestRunWorkloadNamingNoSpecs: a workload in its own file whose program
// is in another spec file says how to name it ("unknown program" was all
// it said), and runs once it does.
func TestRunWorkloadNamingNoSpecs(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "gset.yaml", "modules:\n  GSet:\n    state: [input add(x), table set(x), output members(x)]\n"+
		"    rules:\n      r: ['set(X) <= add(X)', 'members(X) <= set(X)']\nprograms:\n  gset: [GSet]\n")
	const wl = "workload:\n  program: gset\n  nodes: [a]\n  inputs:\n    - {node: a, tick: 1, fact: add(1)}\n"
	write(t, dir, "w/gw.yaml", wl)
	code, _, errs := runCLI(t, dir, "run", "w/gw.yaml")
	if code != 2 || !strings.Contains(errs, `unknown program "gset"; w/gw.yaml names no spec files`) || !strings.Contains(errs, "add `specs: [FILE.yaml]`") {
		t.Errorf("exit %d: %s", code, errs)
	}
	code, _, errs = runCLI(t, dir, "verify", "--workload", "w/gw.yaml")
	if code != 2 || !strings.Contains(errs, `w/gw.yaml:2:12: error: unknown program "gset"; w/gw.yaml names no spec files`) {
		t.Errorf("verify: exit %d: %s", code, errs)
	}
	write(t, dir, "w/gw.yaml", "specs: [../gset.yaml]\n"+wl)
	code, out, errs := runCLI(t, dir, "run", "w/gw.yaml")
	if code != 0 || !strings.Contains(out, "members(1)") {
		t.Errorf("with specs: exit %d: %s%s", code, errs, out)
	}
}
