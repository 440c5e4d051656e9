package specs_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
)

// The coordination verdicts of calmcheck lint, executed: the cart whose
// checkout is sealed, and the cart whose messages go through totally
// ordered delivery, answer the same for every schedule of the network,
// while the disorderly cart with the same inputs does not. (What
// `calmcheck verify` is to confirm; here through the executor's library
// API.)

const schedules = 1000

// prepare loads a built-in workload against the built-in library.
func prepare(t *testing.T, name string) *executor.Setup {
	t.Helper()
	lib := modules.NewLibrary()
	if ds := lib.LoadFS(specs.FS, "specs"); ds.HasErrors() {
		t.Fatalf("built-in library: %v", ds)
	}
	data, err := specs.Workloads.ReadFile("workloads/" + name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, ds := executor.ParseWorkload("specs/workloads/"+name+".yaml", data)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	s, ds := executor.Prepare(lib, w)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return s
}

// outcome renders what `calmcheck run --seeds` compares: per node, the
// set of its output facts (without timesteps) and its final tables.
func outcome(res *executor.Result) string {
	var b strings.Builder
	for _, n := range res.Nodes {
		seen := map[string]bool{}
		var outs []string
		for _, o := range n.Outputs {
			if s := o.Fact.String(); !seen[s] {
				seen[s] = true
				outs = append(outs, s)
			}
		}
		sort.Strings(outs)
		var tables []string
		for _, f := range n.Tables {
			tables = append(tables, f.String())
		}
		fmt.Fprintf(&b, "%s\n  outputs %s\n  tables %s\n", n.Node, strings.Join(outs, "; "), strings.Join(tables, "; "))
	}
	return b.String()
}

// responses returns the client's distinct client_response facts, sorted.
func responses(res *executor.Result) string {
	seen := map[string]bool{}
	for _, n := range res.Nodes {
		for _, o := range n.Outputs {
			if n.Node == "client" && o.Fact.Collection == "client_response" {
				seen[o.Fact.String()] = true
			}
		}
	}
	var out []string
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// The whole cart: apple added twice and deleted once, pear and fig once.
const wholeCart = `client_response("client", "server", 7, "apple", 1); client_response("client", "server", 7, "fig", 1); client_response("client", "server", 7, "pear", 1)`

// outcomes runs a workload once per seed and groups the seeds by outcome.
func outcomes(t *testing.T, name string, seeds int) (map[string][]uint64, map[string]string) {
	t.Helper()
	s := prepare(t, name)
	by := map[string][]uint64{}
	resp := map[string]string{}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		res := s.Run(context.Background(), executor.Options{Seed: seed})
		if res.Err != nil || !res.Quiescent {
			t.Fatalf("%s, seed %d: stopped with %s: %v", name, seed, res.Stop, res.Err)
		}
		o := outcome(res)
		by[o] = append(by[o], seed)
		resp[o] = responses(res)
	}
	return by, resp
}

func TestSealedAndOrderedCartsAreDeterministic(t *testing.T) {
	for _, name := range []string{"sealed-cart", "ordered-cart"} {
		t.Run(name, func(t *testing.T) {
			by, resp := outcomes(t, name, schedules)
			if len(by) != 1 {
				var seeds []string
				for _, ss := range by {
					seeds = append(seeds, fmt.Sprint(ss[0]))
				}
				t.Fatalf("%d schedules give %d different outcomes (first seeds %s)", schedules, len(by), strings.Join(seeds, ", "))
			}
			for _, r := range resp {
				if r != wholeCart {
					t.Errorf("the checkout answers %s, want the whole cart %s", r, wholeCart)
				}
			}
		})
	}
}

// The same inputs without the seal or the order: the disorderly cart's
// answer depends on the schedule (the point of order at checkout), which
// is what makes the two tests above mean something.
func TestDisorderlyCartDependsOnTheSchedule(t *testing.T) {
	by, resp := outcomes(t, "disorderly-cart", 200)
	if len(by) < 2 {
		t.Fatalf("200 schedules of the disorderly cart all give one outcome")
	}
	partial := 0
	for o, r := range resp {
		if r != wholeCart {
			partial += len(by[o])
		}
	}
	if partial == 0 {
		t.Errorf("no schedule answers the checkout without some action")
	}
	t.Logf("%d outcomes; %d of 200 schedules answer the checkout without some action", len(by), partial)
}
