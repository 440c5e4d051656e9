package monotonic

import (
	"slices"
	"strings"
	"testing"
)

// Lattices in the analysis: merging into a lattice and reading it through
// functions and thresholds is monotone; reveal is a point of order; <+-
// and <- into a lattice are points of order. An ask (it lasts one
// timestep) that reads the lattice messages fill is a snapshot read: A
// and stale through a threshold (the ask sees what has arrived), D through
// a reveal or an upserted lattice (a timing join: the value read changes).
func TestLatticeEdges(t *testing.T) {
	state := []string{
		"input   put(k, v)",
		"input   ask(k, n)",
		"channel put_msg(@dst, k, v)",
		"table   peer(node)",
		"output  reached(k)",
		"lattice st(k) => (vs: lset, hi: lmax)",
	}
	for _, tc := range []struct {
		name  string
		rules []string
		label Label  // of ask -> reached
		poo   string // a point-of-order message fragment, "" for none
	}{
		{"threshold", []string{
			"put_msg(D, K, V) <~ put(K, V), peer(D)",
			"st(K, [V], V) <= put_msg(_, K, V)",
			"reached(K) <= ask(K, N), st(K, Vs, _), ge(size(Vs), N)",
		}, A, ""},
		{"when_true", []string{
			"put_msg(D, K, V) <~ put(K, V), peer(D)",
			"st(K, [V], V) <= put_msg(_, K, V)",
			"reached(K) <= ask(K, N), st(K, _, H), when_true(gt(H, N))",
		}, A, ""},
		{"reveal", []string{
			"put_msg(D, K, V) <~ put(K, V), peer(D)",
			"st(K, [V], V) <= put_msg(_, K, V)",
			"reached(K) <= ask(K, N), st(K, Vs, _), N == len(reveal(Vs))",
		}, D, "point of order: reveal of the lattice st, a timing join (ask meets st (reached through a <~) in the same timestep"},
		{"upsert", []string{
			"put_msg(D, K, V) <~ put(K, V), peer(D)",
			"st(K, [V], V) <+- put_msg(_, K, V)",
			"reached(K) <= ask(K, N), st(K, Vs, _), ge(size(Vs), N)",
		}, D, "point of order: upsert (<+-) in st <+- put_msg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := compose(t, spec(state, tc.rules...))
			res, fs := run(t, p)
			pos := of(fs, "point-of-order")
			switch {
			case tc.poo == "" && len(pos) > 0:
				t.Errorf("points of order: %v", keys(pos))
			case tc.poo != "" && !slices.ContainsFunc(pos, func(f Finding) bool { return strings.Contains(f.Message, tc.poo) }):
				t.Errorf("points of order %v, want one with %q", keys(pos), tc.poo)
			}
			if len(pos) > 1 && !strings.Contains(pos[1].Message, "timing join (ask meets st") {
				t.Errorf("points of order %v: the second is not the ask's timing join", keys(pos))
			}
			// The ask reads what messages fill: stale through a
			// threshold (a snapshot read), not through a race.
			for _, v := range res.Verdicts {
				if res.Graph.Nodes[v.From].Name == "ask" && v.Stale != (tc.label == A) {
					t.Errorf("ask -> reached stale %v", v.Stale)
				}
			}
			if l, ok := labelOf(t, res, "ask", "reached"); !ok || l != tc.label {
				t.Errorf("ask -> reached: %v", l)
			}
			l, _ := labelOf(t, res, "put", "reached")
			want := A
			if tc.poo != "" {
				want = D
			}
			if l != want {
				t.Errorf("put -> reached: %v, want %v", l, want)
			}
		})
	}
}
