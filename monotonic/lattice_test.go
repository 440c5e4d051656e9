package monotonic

import (
	"strings"
	"testing"
)

// Lattices in the analysis: merging into a lattice and reading it through
// functions and thresholds is monotone; reveal is a point of order; <+-
// and <- into a lattice are points of order.
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
		}, Bot, ""},
		{"when_true", []string{
			"put_msg(D, K, V) <~ put(K, V), peer(D)",
			"st(K, [V], V) <= put_msg(_, K, V)",
			"reached(K) <= ask(K, N), st(K, _, H), when_true(gt(H, N))",
		}, Bot, ""},
		{"reveal", []string{
			"put_msg(D, K, V) <~ put(K, V), peer(D)",
			"st(K, [V], V) <= put_msg(_, K, V)",
			"reached(K) <= ask(K, N), st(K, Vs, _), N == len(reveal(Vs))",
		}, Bot, "point of order: reveal of the lattice st in reached <= ask, st"},
		{"upsert", []string{
			"put_msg(D, K, V) <~ put(K, V), peer(D)",
			"st(K, [V], V) <+- put_msg(_, K, V)",
			"reached(K) <= ask(K, N), st(K, Vs, _), ge(size(Vs), N)",
		}, Bot, "point of order: upsert (<+-) in st <+- put_msg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := compose(t, spec(state, tc.rules...))
			res, fs := run(t, p)
			pos := of(fs, "point-of-order")
			switch {
			case tc.poo == "" && len(pos) > 0:
				t.Errorf("points of order: %v", keys(pos))
			case tc.poo != "" && (len(pos) != 1 || !strings.Contains(pos[0].Message, tc.poo)):
				t.Errorf("points of order %v, want one with %q", keys(pos), tc.poo)
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
