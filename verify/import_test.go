package verify

import "testing"

// TestImportedInstances: verify runs programs with imported instances.
// The point of order inside the instance kvs of ReplicatedKVSImport (the
// deletion in kvs.bigtable) is confirmed by a witness; the two lanes of
// delivery-two-lanes (two instances of BestEffortDelivery) stay A and Bot
// under every schedule tried.
func TestImportedInstances(t *testing.T) {
	lib := builtinLib(t)
	rep := verifyProgram(t, lib, "replicated-kvs-import", Options{Seed: 1, Workloads: 3})
	pos := pointOfOrder(t, lib, "replicated-kvs-import", "kvs.bigtable(K, V) <- kvs.bigtable(K, V), kvs.kvput(_, K, _, _)")
	f := findingByPos(t, rep, "point-of-order", pos)
	if f.Verdict != Confirmed {
		t.Fatalf("point of order at %s in the instance: %s", pos, f.Verdict)
	}
	if w := witness(rep, f.Witness); w == nil || len(w.Differs) == 0 {
		t.Fatalf("witness %q without differing output facts", f.Witness)
	}

	rep = verifyProgram(t, lib, "delivery-two-lanes", Options{Seed: 1, Workloads: 2})
	if len(rep.Paths) != 4 {
		t.Fatalf("%d paths, want got_data, got_ctrl, sent_data, sent_ctrl", len(rep.Paths))
	}
	for _, p := range rep.Paths {
		if p.Verdict != NotReproduced || p.Schedules < 1000 {
			t.Errorf("path %s -> %s (%s): %s after %d schedules", p.From, p.To, p.Label, p.Verdict, p.Schedules)
		}
	}
}
