package specs_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/executor"
)

// The lattice programs, executed under 1,000 schedules: the monotone cart
// (a threshold on a grow-only count, no seal) and the replicated lattice
// store (merged, never overwritten) give one outcome whatever the order,
// the delays and the duplicates of their messages. The runs are not
// vacuous: the checkout overtakes some action in many of them, and the
// replicas receive each other's sets in different orders.
func TestLatticeProgramsAreDeterministic(t *testing.T) {
	for _, tc := range []struct {
		name, want string
	}{
		{"monotone-cart", `client_cart("client", "server", 7, "apple", "A", 1); client_cart("client", "server", 7, "apple", "A", 3); ` +
			`client_cart("client", "server", 7, "apple", "D", 4); client_cart("client", "server", 7, "fig", "A", 5); client_cart("client", "server", 7, "pear", "A", 2)`},
		{"replicated-lattice-kvs", `lkv_watch_response(1, "k", "b"); lkv_watch_response(2, "k", "c")`},
		{"vote-collector", `decision(1, "commit"); decision(2, "abort")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			by, _ := outcomes(t, tc.name, schedules)
			if tc.name == "replicated-lattice-kvs" {
				by = withoutGets(by)
			}
			if len(by) != 1 {
				var seeds []string
				for _, ss := range by {
					seeds = append(seeds, fmt.Sprint(ss[0]))
				}
				t.Fatalf("%d schedules give %d different outcomes (first seeds %s)", schedules, len(by), strings.Join(seeds, ", "))
			}
			for o := range by {
				if !strings.Contains(o, "outputs "+tc.want+"\n") {
					t.Errorf("outcome:\n%s\nwant the outputs %s", o, tc.want)
				}
			}
		})
	}
}

// The checkout of the monotone cart really waits: in some schedules the
// checkout arrives before the last action, and the answer still holds
// every action (non-vacuity of the test above).
func TestMonotoneCartCheckoutWaits(t *testing.T) {
	s := prepare(t, "monotone-cart")
	early := 0
	for seed := uint64(1); seed <= 200; seed++ {
		res := s.Run(context.Background(), executor.Options{Seed: seed, Deliveries: true})
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		checkout, lastAction := 0, 0
		for _, d := range res.Deliveries {
			switch d.Fact.Collection {
			case "checkout_msg":
				checkout = d.Arrives
			case "action_msg":
				lastAction = max(lastAction, d.Arrives)
			}
		}
		if checkout < lastAction {
			early++
		}
	}
	if early == 0 {
		t.Fatal("in no schedule does the checkout overtake an action")
	}
	t.Logf("the checkout overtakes an action in %d of 200 schedules", early)
}

// withoutGets regroups outcomes without the answers of lkv_get, which
// reveals a set and so answers what has arrived (the point of order
// verify confirms); everything else must not depend on the schedule.
func withoutGets(by map[string][]uint64) map[string][]uint64 {
	out := map[string][]uint64{}
	get := regexp.MustCompile(`lkv_get_response\([^)]*\)(; )?`)
	for o, seeds := range by {
		k := get.ReplaceAllString(o, "")
		out[k] = append(out[k], seeds...)
	}
	return out
}

// The get does depend on the schedule: some runs answer it before every
// put has arrived at r3.
func TestReplicatedLatticeKVSGetDependsOnTheSchedule(t *testing.T) {
	by, _ := outcomes(t, "replicated-lattice-kvs", 200)
	if len(by) < 2 {
		t.Fatal("200 schedules give one answer to the get")
	}
}
