package executor

import (
	"sort"
	"strings"
	"testing"
)

// The talk's point, executed: the destructive cart, replicated, can end
// with replicas that disagree; the disorderly cart's replicas always agree
// on the log, and only its checkout depends on the order of messages.

// replicaTables returns, per replica (nodes r1, r2, ...), its final facts
// of coll.
func replicaTables(res *Result, coll string) map[string]string {
	m := map[string]string{}
	for _, n := range res.Nodes {
		if strings.HasPrefix(n.Node, "r") {
			m[n.Node] = tables(res, n.Node, coll)
		}
	}
	return m
}

func distinct(m map[string]string) int {
	seen := map[string]bool{}
	for _, v := range m {
		seen[v] = true
	}
	return len(seen)
}

// outputSet is a node's distinct output facts of coll, sorted.
func outputSet(res *Result, node, coll string) string {
	seen := map[string]bool{}
	for _, n := range res.Nodes {
		if n.Node != node {
			continue
		}
		for _, o := range n.Outputs {
			if o.Fact.Collection == coll {
				seen[o.Fact.String()] = true
			}
		}
	}
	var out []string
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

const seeds = 200

// destructiveDivergentSeed is a seed for which the replicated destructive
// cart quiesces with replicas holding different carts.
const destructiveDivergentSeed = 21

func TestReplicatedDestructiveCartDiverges(t *testing.T) {
	s := builtin(t, "replicated-destructive-cart")
	res := mustRun(t, s, Options{Seed: destructiveDivergentSeed})
	m := replicaTables(res, "bigtable")
	if m["r1"] != `bigtable(7, ["apple", "kiwi"])` || m["r3"] != `bigtable(7, [])` {
		t.Fatalf("seed %d: want r1 and r3 to disagree, got %v", destructiveDivergentSeed, m)
	}
	t.Logf("seed %d: r1 ends with %s, r2 with %s, r3 with %s", destructiveDivergentSeed, m["r1"], m["r2"], m["r3"])

	diverged, conflicts, agreed := 0, 0, 0
	for seed := uint64(1); seed <= seeds; seed++ {
		res := exec(t, s, Options{Seed: seed})
		switch {
		case res.Err != nil && res.Err.Check == "key-conflict":
			conflicts++ // two updates of the cart in one timestep: the race, made visible
		case res.Err != nil:
			t.Fatalf("seed %d: %v", seed, res.Err)
		case distinct(replicaTables(res, "bigtable")) > 1:
			diverged++
		default:
			agreed++
		}
	}
	t.Logf("%d seeds: %d diverged, %d key conflicts, %d agreed", seeds, diverged, conflicts, agreed)
	if diverged == 0 {
		t.Errorf("no seed made the replicas diverge")
	}
}

func TestReplicatedDisorderlyCartConverges(t *testing.T) {
	s := builtin(t, "replicated-disorderly-cart")
	answers := map[string]int{}
	for seed := uint64(1); seed <= seeds; seed++ {
		res := mustRun(t, s, Options{Seed: seed})
		m := replicaTables(res, "cart_action")
		if len(m) != 3 || distinct(m) != 1 {
			t.Fatalf("seed %d: the replicas' logs differ: %v", seed, m)
		}
		if n := strings.Count(m["r1"], "cart_action("); n != 20 {
			t.Fatalf("seed %d: %d actions logged, want 20", seed, n)
		}
		answers[outputSet(res, "client", "client_response")]++
	}
	t.Logf("%d seeds: the logs agree on every replica; %d different checkout answers", seeds, len(answers))
}

// The fifo answer of the disorderly-cart workload: 2 adds and 1 delete of
// apple, one pear, one fig.
const disorderlyAnswer = `client_response("client", "server", 7, "apple", 1); client_response("client", "server", 7, "fig", 1); client_response("client", "server", 7, "pear", 1)`

// overtakingSeed is a seed for which the checkout reaches the server
// before the delete of an apple and the add of the fig sent before it:
// the answer counts two apples and no fig.
const overtakingSeed = 4

const overtakenAnswer = `client_response("client", "server", 7, "apple", 2); client_response("client", "server", 7, "pear", 1)`

func TestDisorderlyCheckoutOvertakes(t *testing.T) {
	s := builtin(t, "disorderly-cart")
	t.Run("fifo", func(t *testing.T) {
		for seed := uint64(1); seed <= seeds; seed++ {
			res := mustRun(t, s, Options{Seed: seed, Policy: PolicyFIFO})
			if got := outputSet(res, "client", "client_response"); got != disorderlyAnswer {
				t.Fatalf("seed %d, fifo: answer %s, want %s", seed, got, disorderlyAnswer)
			}
		}
	})
	t.Run("random", func(t *testing.T) {
		res := mustRun(t, s, Options{Seed: overtakingSeed, Trace: true})
		got := outputSet(res, "client", "client_response")
		if got != overtakenAnswer {
			t.Fatalf("seed %d: answer %s, want %s", overtakingSeed, got, overtakenAnswer)
		}
		// The trace shows the checkout delivered before an action.
		checkout, lastAction := 0, 0
		for _, tt := range res.Trace.Ticks {
			for _, n := range tt.Nodes {
				for _, d := range n.Delivered {
					switch d.Fact.Collection {
					case "checkout_msg":
						checkout = tt.Tick
					case "action_msg":
						lastAction = tt.Tick
					}
				}
			}
		}
		if checkout == 0 || checkout >= lastAction {
			t.Fatalf("seed %d: checkout delivered at %d, last action at %d: no overtaking", overtakingSeed, checkout, lastAction)
		}
		t.Logf("seed %d: the checkout arrives at tick %d, an action only at %d; the answer is %s instead of %s",
			overtakingSeed, checkout, lastAction, got, disorderlyAnswer)
		changed := 0
		for seed := uint64(1); seed <= seeds; seed++ {
			if outputSet(mustRun(t, s, Options{Seed: seed}), "client", "client_response") != disorderlyAnswer {
				changed++
			}
		}
		t.Logf("%d of %d seeds answer differently from fifo", changed, seeds)
	})
}

func TestReliableDelivery(t *testing.T) {
	all := `pipe_out("b", "a", 1, "one"); pipe_out("b", "a", 2, "two"); pipe_out("b", "a", 3, "three"); pipe_out("b", "a", 4, "four"); pipe_out("b", "a", 5, "five")`
	want := sortedSet(all)
	t.Run("reliable", func(t *testing.T) {
		s := builtin(t, "delivery-reliable")
		lost := 0
		for seed := uint64(1); seed <= seeds; seed++ {
			res := mustRun(t, s, Options{Seed: seed})
			if got := outputSet(res, "b", "pipe_out"); got != want {
				t.Fatalf("seed %d: b received %s, want all five", seed, got)
			}
			if got := outputSet(res, "a", "pipe_sent"); got != strings.ReplaceAll(want, "pipe_out", "pipe_sent") {
				t.Fatalf("seed %d: a confirmed only %s", seed, got)
			}
			lost += res.Stats.Dropped
		}
		if lost == 0 {
			t.Fatal("the network lost nothing")
		}
		t.Logf("%d seeds: every message delivered and confirmed; the network lost %d messages", seeds, lost)
	})
	t.Run("best effort", func(t *testing.T) {
		s := builtin(t, "delivery-best-effort")
		incomplete := 0
		first := uint64(0)
		for seed := uint64(1); seed <= seeds; seed++ {
			res := mustRun(t, s, Options{Seed: seed})
			if outputSet(res, "b", "pipe_out") != want {
				incomplete++
				if first == 0 {
					first = seed
				}
			}
		}
		if incomplete == 0 {
			t.Fatal("best-effort delivery delivered everything for every seed")
		}
		t.Logf("%d of %d seeds lose a message (the first: seed %d)", incomplete, seeds, first)
	})
}

// The benchmark's workload is what docs/performance.md says it is: a
// client and three replicas, 20 actions and one checkout.
func TestCartBenchmarkWorkload(t *testing.T) {
	w := builtin(t, "replicated-disorderly-cart").Workload()
	actions, checkouts := 0, 0
	for _, in := range w.Inputs {
		switch in.Fact.Collection {
		case "client_action":
			actions++
		case "client_checkout":
			checkouts++
		}
	}
	if actions != 20 || checkouts != 1 || strings.Join(w.Nodes, ",") != "client,r1,r2,r3" {
		t.Errorf("%d actions, %d checkouts, nodes %v", actions, checkouts, w.Nodes)
	}
}

// The voting-based ReliableMulticast keeps the replicas' logs equal even
// when the network loses messages.
func TestReliableMulticastCartConverges(t *testing.T) {
	s := builtin(t, "replicated-disorderly-cart-reliable")
	lost := 0
	for seed := uint64(1); seed <= 40; seed++ {
		res := mustRun(t, s, Options{Seed: seed})
		if m := replicaTables(res, "cart_action"); distinct(m) != 1 {
			t.Fatalf("seed %d: the replicas' logs differ: %v", seed, m)
		}
		lost += res.Stats.Dropped
	}
	if lost == 0 {
		t.Fatal("the network lost nothing")
	}
}
