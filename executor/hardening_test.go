package executor

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestRunFactBudget: the fact budget holds for the whole run, all nodes
// together, not only per collection (400 nodes × 99k facts each ran out of
// memory under a per-collection bound of 100k).
func TestRunFactBudget(t *testing.T) {
	spec := `
modules:
  M:
    state:
      - table nat(n)
    rules:
      r:
        - nat(N + 1) <= nat(N), N < 3000
`
	var nodes, facts []string
	for i := range 50 {
		nodes = append(nodes, fmt.Sprintf("n%d", i))
		facts = append(facts, fmt.Sprintf("n%d: [nat(0)]", i))
	}
	w := "workload:\n  modules: [M]\n  nodes: [" + strings.Join(nodes, ", ") + "]\n  facts: {" + strings.Join(facts, ", ") + "}\n"
	s := prepare(t, spec, w)
	// Each node stays far below --max-facts; together they pass the
	// run's budget.
	res := exec(t, s, Options{MaxFacts: 10_000, MaxRunFacts: 50_000})
	want := "more than 50000 facts in the run, all nodes and collections together (--max-run-facts)"
	if res.Stop != "max-facts" || res.Err == nil || !strings.Contains(res.Err.Error(), want) {
		t.Fatalf("stop %s, error %v", res.Stop, res.Err)
	}
	if res := exec(t, s, Options{MaxFacts: 10_000}); res.Stop != "quiescent" {
		t.Fatalf("within the default budget: stop %s, %v", res.Stop, res.Err)
	}
	// The memory bound stops the run as soon as it is checked.
	res = exec(t, s, Options{MaxMemory: 1 << 20})
	if res.Stop != "memory" || res.Err == nil || !strings.Contains(res.Err.Error(), "the heap grew past 1 MiB (--max-memory)") {
		t.Fatalf("stop %s, error %v", res.Stop, res.Err)
	}
	for _, check := range []string{"max-ticks", "max-facts", "timeout", "value-budget", "memory"} {
		if !IsBound(check) {
			t.Errorf("%s is not a bound", check)
		}
	}
	if IsBound("eval") || IsBound("key-conflict") {
		t.Errorf("a runtime error counted as a bound")
	}
}

// TestQuietWindowSaturates: a huge period does not wrap the quiet window
// around (every 2^61 gave "quiescent after 49 ticks").
func TestQuietWindowSaturates(t *testing.T) {
	if got := quietWindow(4, 3, 1); got != 20 {
		t.Errorf("quietWindow(4, 3, 1) = %d", got)
	}
	for _, every := range []int64{1 << 61, math.MaxInt64, 1 << 31} {
		if got := quietWindow(4, every, 1); got != math.MaxInt32 {
			t.Errorf("quietWindow(4, %d, 1) = %d, want saturated", every, got)
		}
	}
	spec := `
modules:
  M:
    state:
      - periodic clock(id) => (time) every 2305843009213693952
      - output   beat()
      - input    go()
    rules:
      r:
        - beat() <= clock(_, _)
        - beat() <= go()
`
	res := exec(t, prepare(t, spec, oneNode+"  inputs: [{node: n, tick: 1, fact: go()}]\n"), Options{MaxTicks: 200})
	if res.Quiescent || res.Stop != "max-ticks" {
		t.Errorf("a timer that has not fired yet cannot be quiescent within 200 ticks: stop %s after %d", res.Stop, res.Ticks)
	}
}

// TestAvgNearTheLimits: avg<X> of values whose sum overflows int64 gives
// their (floor) mean, which always fits.
func TestAvgNearTheLimits(t *testing.T) {
	spec := `
modules:
  M:
    state:
      - table  v(x)
      - output mean(m)
      - output total(s)
    rules:
      r:
        - mean(avg<X>) <= v(X)
`
	for _, tc := range []struct {
		vals []int64
		want int64
	}{
		{[]int64{math.MaxInt64, math.MaxInt64 - 2}, math.MaxInt64 - 1},
		{[]int64{math.MaxInt64, math.MaxInt64 - 1, math.MaxInt64 - 2}, math.MaxInt64 - 1},
		{[]int64{math.MinInt64, math.MinInt64 + 2}, math.MinInt64 + 1},
		{[]int64{math.MinInt64 + 1, math.MinInt64 + 2}, math.MinInt64 + 1},                      // floor of -x.5
		{[]int64{math.MaxInt64, math.MaxInt64 - 1, math.MinInt64 + 1, -4}, 2305843009213693950}, // (2^63-6)/4, floored
		{[]int64{3, 4}, 3},
		{[]int64{-3, -4}, -4},
	} {
		var facts []string
		for _, v := range tc.vals {
			facts = append(facts, fmt.Sprintf("'v(%d)'", v))
		}
		res := exec(t, prepare(t, spec, oneNode+"  facts: {n: ["+strings.Join(facts, ", ")+"]}\n"), Options{})
		if res.Err != nil {
			t.Errorf("%v: %v", tc.vals, res.Err)
			continue
		}
		if got, want := outputs(res, "n"), fmt.Sprintf("1 mean(%d)", tc.want); got != want {
			t.Errorf("%v: %s, want %s", tc.vals, got, want)
		}
	}
	// sum<X> still reports its overflow.
	sum := strings.Replace(spec, "mean(avg<X>)", "total(sum<X>)", 1)
	res := exec(t, prepare(t, sum, oneNode+fmt.Sprintf("  facts: {n: ['v(%d)', 'v(1)']}\n", int64(math.MaxInt64))), Options{})
	if res.Err == nil || !strings.Contains(res.Err.Error(), "integer overflow in sum<X>") {
		t.Errorf("sum overflow: %v", res.Err)
	}
}
