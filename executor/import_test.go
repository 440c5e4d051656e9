package executor

import (
	"strings"
	"testing"
)

// TestTwoInstancesNeverMix: the program delivery-two-lanes imports
// BestEffortDelivery twice (data and ctrl) and sends messages with the
// same keys on both lanes at once. Under many schedules, every message of
// an instance's channel is one of that lane's, each lane delivers exactly
// its own messages, and the instances' outputs stay internal.
func TestTwoInstancesNeverMix(t *testing.T) {
	s := builtin(t, "delivery-two-lanes")
	for seed := uint64(1); seed <= 50; seed++ {
		res := mustRun(t, s, Options{Seed: seed, Deliveries: true})
		if len(res.Deliveries) != 5 {
			t.Fatalf("seed %d: %d messages, want 5", seed, len(res.Deliveries))
		}
		for _, m := range res.Deliveries {
			lane := map[string]string{"data.pipe_chan": `"d`, "ctrl.pipe_chan": `"c`}[m.Fact.Collection]
			if lane == "" || !strings.HasPrefix(m.Fact.Args[3].String(), lane) {
				t.Fatalf("seed %d: message %s on the wrong lane", seed, m.Fact)
			}
		}
		var got []string
		for _, o := range res.Nodes[1].Outputs {
			f := o.Fact
			switch {
			case f.Collection == "got_data" && strings.HasPrefix(f.Args[3].String(), `"d`),
				f.Collection == "got_ctrl" && strings.HasPrefix(f.Args[3].String(), `"c`):
				got = append(got, f.Args[3].String())
			default:
				t.Fatalf("seed %d: node b output %s", seed, f)
			}
		}
		if len(got) != 5 {
			t.Fatalf("seed %d: b received %v, want the five messages", seed, got)
		}
	}
}

// TestQualifiedWorkloadInput: a workload gives facts to an imported
// instance's input by its qualified name; the instance's output is
// internal, the importer's output is reported.
func TestQualifiedWorkloadInput(t *testing.T) {
	const spec = `modules:
  Echo:
    state: [input i(a), output o(a)]
    rules:
      r: ['o <= i']
  Top:
    import: {x: Echo}
    state: [output out(a)]
    rules:
      r: ['out(A) <= x.o(A)']
`
	s := prepare(t, spec, "workload:\n  modules: [Top]\n  nodes: [n]\n  inputs:\n    - {node: n, tick: 1, fact: 'x.i(7)'}\n")
	res := mustRun(t, s, Options{Seed: 1})
	if got := outputs(res, "n"); got != "1 out(7)" {
		t.Errorf("outputs %q, want the importer's out(7) only", got)
	}
	_, ds := tryPrepare(spec, "workload:\n  modules: [Top]\n  nodes: [n]\n  inputs:\n    - {node: n, tick: 1, fact: 'y.i(7)'}\n")
	if !ds.HasErrors() || !strings.Contains(ds.Error(), "has no collection y.i") {
		t.Errorf("unknown qualified input: %v", ds)
	}
}
