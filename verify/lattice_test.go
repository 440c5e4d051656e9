package verify

import (
	"testing"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/specs"
)

// The monotone cart: no finding to confirm, and its two A pairs tested,
// not vacuously: each input alone produces nothing (the threshold needs
// the actions and the checkout), so the pairs are tried with every input
// of the workload, under schedules in which the checkout overtakes
// actions; the cart never changes: no contradiction.
func TestMonotoneCartVerified(t *testing.T) {
	lib := builtinLib(t)
	data, err := specs.Workloads.ReadFile("workloads/monotone-cart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, ds := executor.ParseWorkload("specs/workloads/monotone-cart.yaml", data)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	rep := verifyProgram(t, lib, "monotone-cart", Options{Schedules: 300, Seed: 1, Workload: w})
	for _, f := range rep.Findings {
		// The checkout reads the state actions fill: snapshot-read notes,
		// checked through the pairs' stale guarantee, not as targets.
		if f.Check != "snapshot-read" {
			t.Errorf("finding: %+v", f)
		}
	}
	for _, in := range []string{"client_action", "client_checkout"} {
		p := pathByPair(t, rep, in, "client_cart")
		if p.Label != "A" || p.Verdict != NotReproduced || !p.Empty || p.Schedules < 600 { // 300 of the input alone, 300 with every input
			t.Errorf("%s -> client_cart: label %s, %s (%s), %d schedules, empty alone %v", in, p.Label, p.Verdict, p.Why, p.Schedules, p.Empty)
		}
	}
}

// The replicated lattice store: the get that reveals the set is a point
// of order verify confirms (a witness), the watch (a threshold) is not
// reproduced with every input, and nothing contradicts the labels.
func TestReplicatedLatticeKVSVerified(t *testing.T) {
	lib := builtinLib(t)
	data, err := specs.Workloads.ReadFile("workloads/replicated-lattice-kvs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, ds := executor.ParseWorkload("specs/workloads/replicated-lattice-kvs.yaml", data)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	rep := verifyProgram(t, lib, "replicated-lattice-kvs", Options{Schedules: 300, Seed: 1, Workload: w})
	for _, f := range rep.Findings {
		if f.Verdict != Confirmed && f.Check != "snapshot-read" {
			t.Errorf("%s at %s: %s", f.Check, f.Pos, f.Verdict)
		}
	}
	if p := pathByPair(t, rep, "lkv_put", "lkv_get_response"); p.Verdict != Confirmed {
		t.Errorf("lkv_put -> lkv_get_response: %s (%s)", p.Verdict, p.Why)
	}
	for _, in := range []string{"lkv_put", "lkv_watch"} {
		if p := pathByPair(t, rep, in, "lkv_watch_response"); p.Verdict != NotReproduced || p.Schedules < 600 {
			t.Errorf("%s -> lkv_watch_response: %s (%s), %d schedules", in, p.Verdict, p.Why, p.Schedules)
		}
	}
}
