package executor

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/monotonic"
)

// The labels the sound-labels analysis (issue 11) changed on the built-in
// library are true, shown as `calmcheck run --seeds 1..200` shows them,
// on the built-in workloads:
//
//   - a pair now D: two seeds give different sets of the output's facts
//     derived from the input (lineage);
//   - a pair now N: every seed gives the same set, and swapping two of the
//     input's facts between their timesteps changes it.
//
// Each case also checks the label the analysis gives today, so that a
// label that changes again is looked at with its evidence.

// lineageSet is the set, at node, of coll's facts whose lineage holds
// input, sorted and joined.
func lineageSet(res *Result, node, coll, input string) string {
	var out []string
	for _, l := range res.Lineage.Outputs {
		if l.Node == node && l.Fact.Collection == coll && slices.Contains(l.Inputs, input) {
			out = append(out, l.Fact.String())
		}
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), "; ")
}

// pairLabel returns the analysis's label (and effective label) of input ->
// output in the setup's program.
func pairLabel(t *testing.T, s *Setup, input, output string) (label, effective monotonic.Label) {
	t.Helper()
	res := monotonic.Analyze(s.Program().Source(), monotonic.Analyzers)
	for _, v := range res.Verdicts {
		if res.Graph.Nodes[v.From].Name == input && res.Graph.Nodes[v.To].Name == output {
			return v.Label, v.Effective
		}
	}
	t.Fatalf("no pair %s -> %s", input, output)
	return 0, 0
}

// rebind binds a changed copy of a setup's workload.
func rebind(t *testing.T, s *Setup, change func(w *Workload)) *Setup {
	t.Helper()
	w := *s.Workload()
	w.Inputs = slices.Clone(w.Inputs)
	change(&w)
	s2, ds := Bind(s.Program(), &w)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return s2
}

// scheduleDivergence runs seeds 1..200 and returns two seeds whose sets
// (lineageSet) differ, and the sets; 0, 0 when all agree.
func scheduleDivergence(t *testing.T, s *Setup, node, coll, input string) (a, b uint64, sa, sb string) {
	t.Helper()
	first := ""
	for seed := uint64(1); seed <= seeds; seed++ {
		set := lineageSet(mustRun(t, s, Options{Seed: seed, Lineage: true}), node, coll, input)
		switch {
		case seed == 1:
			first = set
		case set != first:
			return 1, seed, first, set
		}
	}
	return 0, 0, first, first
}

// TestLabelChangesDiverge: a D pair, two seeds that differ.
func TestLabelChangesDiverge(t *testing.T) {
	for _, tc := range []struct {
		workload, node, input, output string
		effective                     monotonic.Label
		// change moves an input of the built-in workload (nil: as it is).
		change func(w *Workload)
		why    string
	}{
		{"replicated-kvs", "r1", "kvget", "kvget_response", monotonic.D, getAt(4),
			"the get at r1 is moved from tick 10 to 4, while the puts of r2 and r3 may still be on their way"},
		{"replicated-kvs-import", "r1", "kvget", "kvget_response", monotonic.D, getAt(4), "as replicated-kvs"},
		{"disorderly-cart", "client", "client_checkout", "client_response", monotonic.D, nil,
			"the checkout may overtake an action"},
		{"replicated-disorderly-cart", "client", "client_checkout", "client_response", monotonic.D, nil,
			"the checkout may overtake an action, at r1 or through the multicast"},
		{"replicated-disorderly-cart-reliable", "client", "client_checkout", "client_response", monotonic.D, nil,
			"as replicated-disorderly-cart, over ReliableMulticast"},
		{"sealed-cart", "client", "client_checkout", "client_response", monotonic.N, checkoutReqid(4),
			"the checkout says it follows 3 actions where the client sent 5: the seal is broken, and the label without it (D) shows"},
		{"replicated-lattice-kvs", "r3", "lkv_get", "lkv_get_response", monotonic.D, nil,
			"the get at r3 reveals the set as far as the lkv_sync messages have filled it"},
	} {
		t.Run(tc.workload, func(t *testing.T) {
			s := builtin(t, tc.workload)
			if label, eff := pairLabel(t, s, tc.input, tc.output); label != monotonic.D || eff != tc.effective {
				t.Fatalf("%s -> %s: labelled %s (effective %s), want D (effective %s)", tc.input, tc.output, label, eff, tc.effective)
			}
			if tc.change != nil {
				s = rebind(t, s, tc.change)
			}
			a, b, sa, sb := scheduleDivergence(t, s, tc.node, tc.output, tc.input)
			if a == 0 {
				t.Fatalf("%d seeds: every %s at %s from %s is {%s}", seeds, tc.output, tc.node, tc.input, sa)
			}
			t.Logf("%s: seed %d gives {%s}, seed %d {%s}", tc.why, a, sa, b, sb)
		})
	}
}

// The sealed cart keeps its seal on its built-in workload: every seed
// answers the same (its effective label is N, not D).
func TestSealedCartEffectiveLabel(t *testing.T) {
	s := builtin(t, "sealed-cart")
	if a, _, sa, _ := scheduleDivergence(t, s, "client", "client_response", "client_checkout"); a != 0 || sa == "" {
		t.Fatalf("the sealed cart's answers differ (seed %d) or are empty: %q", a, sa)
	}
}

// TestLabelChangesOrder: an N pair, the same set for every seed, and a
// swap of two of the input's facts that changes it.
func TestLabelChangesOrder(t *testing.T) {
	for _, tc := range []struct {
		workload, node, input, output string
		change                        func(w *Workload)
		why                           string
	}{
		{"kvs", "kvs", "kvget", "kvget_response", nil,
			"a get answers with the value of its timestep, and k1 is overwritten at tick 3"},
		{"lattice-kvs", "store", "lkv_get", "lkv_get_response", addInput(t, "store", 1, `lkv_get(12, "k")`),
			"a second get, at tick 1, added: a get reveals the set as the puts have filled it so far"},
	} {
		t.Run(tc.workload, func(t *testing.T) {
			s := builtin(t, tc.workload)
			if label, _ := pairLabel(t, s, tc.input, tc.output); label != monotonic.N {
				t.Fatalf("%s -> %s: labelled %s, want N", tc.input, tc.output, label)
			}
			if tc.change != nil {
				s = rebind(t, s, tc.change)
			}
			if a, b, sa, sb := scheduleDivergence(t, s, tc.node, tc.output, tc.input); a != 0 {
				t.Fatalf("N promises the same set under every schedule: seed %d {%s}, seed %d {%s}", a, sa, b, sb)
			}
			base := lineageSet(mustRun(t, s, Options{Seed: 1, Lineage: true}), tc.node, tc.output, tc.input)
			w := s.Workload()
			for i := range w.Inputs {
				for j := i + 1; j < len(w.Inputs); j++ {
					if w.Inputs[i].Fact.Collection != tc.input || w.Inputs[j].Fact.Collection != tc.input || w.Inputs[i].Tick == w.Inputs[j].Tick {
						continue
					}
					swapped := rebind(t, s, func(w *Workload) {
						w.Inputs[i].Fact, w.Inputs[j].Fact = w.Inputs[j].Fact, w.Inputs[i].Fact
						w.Inputs[i].Node, w.Inputs[j].Node = w.Inputs[j].Node, w.Inputs[i].Node
					})
					if got := lineageSet(mustRun(t, swapped, Options{Seed: 1, Lineage: true}), tc.node, tc.output, tc.input); got != base {
						t.Logf("%s: %s at tick %d and %s at tick %d swapped: {%s} instead of {%s}", tc.why, w.Inputs[i].Fact, w.Inputs[i].Tick, w.Inputs[j].Fact, w.Inputs[j].Tick, got, base)
						return
					}
				}
			}
			t.Fatalf("no swap of two %s facts changes %s: {%s}", tc.input, tc.output, base)
		})
	}
}

// getAt moves the workload's kvget inputs to tick.
func getAt(tick int) func(w *Workload) {
	return func(w *Workload) {
		for i := range w.Inputs {
			if w.Inputs[i].Fact.Collection == "kvget" {
				w.Inputs[i].Tick = tick
			}
		}
	}
}

// checkoutReqid makes the workload's checkout say it follows reqid-1
// actions.
func checkoutReqid(reqid int) func(w *Workload) {
	return func(w *Workload) {
		for i := range w.Inputs {
			if f := &w.Inputs[i].Fact; f.Collection == "client_checkout" {
				args := slices.Clone(f.Args)
				args[len(args)-1] = Int(int64(reqid))
				f.Args = args
			}
		}
	}
}

// addInput adds an input to the workload.
func addInput(t *testing.T, node string, tick int, fact string) func(w *Workload) {
	f, err := ParseFact(fact)
	if err != nil {
		t.Fatal(err)
	}
	return func(w *Workload) { w.Inputs = append(w.Inputs, WorkloadFact{Node: node, Tick: tick, Fact: f}) }
}

// TestLabelChangesTiming: a pair now A (stale) that was Bot: every seed
// gives the same set, at timesteps that differ with the seed (Bot promises
// no message on the path: the same timesteps for every schedule).
func TestLabelChangesTiming(t *testing.T) {
	for _, tc := range []struct {
		workload, node, input, output string
		why                           string
	}{
		{"replicated-lattice-kvs", "r3", "lkv_watch", "lkv_watch_response",
			"a watch is answered once the lkv_sync messages have brought its value"},
		{"vote-collector", "coord", "vote_request", "decision",
			"a request is decided once the votes have arrived"},
	} {
		t.Run(tc.workload, func(t *testing.T) {
			s := builtin(t, tc.workload)
			if label, _ := pairLabel(t, s, tc.input, tc.output); label != monotonic.A {
				t.Fatalf("%s -> %s: labelled %s, want A", tc.input, tc.output, label)
			}
			// when renders the set with each fact's first timestep.
			when := func(res *Result) (set, timed string) {
				first := map[string]int{}
				for _, n := range res.Nodes {
					if n.Node != tc.node {
						continue
					}
					for _, o := range n.Outputs {
						if f := o.Fact.String(); o.Fact.Collection == tc.output {
							if _, ok := first[f]; !ok {
								first[f] = o.Tick
							}
						}
					}
				}
				var facts, ticks []string
				for f, tick := range first {
					facts = append(facts, f)
					ticks = append(ticks, fmt.Sprintf("%s at %d", f, tick))
				}
				slices.Sort(facts)
				slices.Sort(ticks)
				return strings.Join(facts, "; "), strings.Join(ticks, "; ")
			}
			set1, timed1 := when(mustRun(t, s, Options{Seed: 1}))
			for seed := uint64(2); seed <= seeds; seed++ {
				set, timed := when(mustRun(t, s, Options{Seed: seed}))
				if set != set1 {
					t.Fatalf("seed %d: {%s}, seed 1 {%s}: the set differs", seed, set, set1)
				}
				if timed != timed1 {
					t.Logf("%s: seed 1 {%s}, seed %d {%s}", tc.why, timed1, seed, timed)
					return
				}
			}
			t.Fatalf("%d seeds: %s at the same timesteps", seeds, tc.output)
		})
	}
}
