package depgraph

import (
	"slices"
	"strings"
	"testing"
)

// TestReach: forward and backward reachability, with and without the
// temporal edges, against the edges of a small program.
func TestReach(t *testing.T) {
	p := compose(t, `modules:
  R:
    state:
      - input   in(x)
      - scratch a(x)
      - table   b(x)
      - scratch c(x)
      - output  out(x)
      - scratch lone(x)
    rules:
      r:
        - a(X) <= in(X)
        - b(X) <+ a(X)
        - c(X) <= b(X)
        - out(X) <= c(X)
        - lone(X) <= lone(X)
`, "R")
	g := Build(p)
	id := func(n string) int { v, _ := g.Lookup(n); return v }
	names := func(seen []bool) string {
		var out []string
		for v, ok := range seen {
			if ok {
				out = append(out, g.Nodes[v].Name)
			}
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		seeds    []string
		backward bool
		skip     Flag
		want     string
	}{
		{[]string{"in"}, false, 0, "in a b c out"},
		{[]string{"in"}, false, FlagTemporal, "in a"},
		{[]string{"out"}, true, 0, "in a b c out"},
		{[]string{"out"}, true, FlagTemporal, "b c out"},
		{[]string{"b", "lone"}, false, 0, "b c out lone"},
		{nil, false, 0, ""},
	} {
		var seeds []int
		for _, s := range tc.seeds {
			seeds = append(seeds, id(s))
		}
		if got := names(g.Reach(seeds, tc.backward, tc.skip)); got != tc.want {
			t.Errorf("Reach(%v, backward %v, skip %v) = %q, want %q", tc.seeds, tc.backward, tc.skip, got, tc.want)
		}
	}
	// Within: the table b is neither reached nor crossed, nor a seed.
	notB := func(v int) bool { return v != id("b") }
	if got := names(g.ReachWithin([]int{id("in"), id("b")}, false, 0, notB)); got != "in a" {
		t.Errorf("ReachWithin avoiding b = %q, want %q", got, "in a")
	}
}

// TestStratify: strata of a stratifiable program, and the cycles of an
// unstratifiable one, each explained from its first nonmonotonic edge.
func TestStratify(t *testing.T) {
	p := compose(t, `modules:
  S:
    state:
      - input   in(x)
      - scratch a(x)
      - scratch b(x)
      - scratch c(x)
      - table   t(x)
    rules:
      r:
        - a(X) <= in(X), notin t(X)
        - b(count<X>) <= a(X)
        - c(X) <= b(X), notin a(X)
        - t(X) <+ c(X)
`, "S")
	g := Build(p)
	st := g.Stratify(nil, nil)
	if len(st.Cycles) != 0 {
		t.Fatalf("cycles in a stratifiable program: %v", st.Cycles)
	}
	want := map[string]int{"in": 0, "t": 0, "a": 1, "b": 2, "c": 2} // c: b plain, a negated
	for n, s := range want {
		v, _ := g.Lookup(n)
		if st.Strata[v] != s {
			t.Errorf("stratum of %s = %d, want %d", n, st.Strata[v], s)
		}
	}

	p = compose(t, `modules:
  U:
    state:
      - input   in(x)
      - scratch p(x)
      - scratch q(x)
      - scratch r(x)
      - scratch s(x)
    rules:
      r:
        - p(X) <= in(X), notin q(X)
        - q(X) <= p(X)
        - r(count<X>) <= s(X)
        - s(X) <= r(X)
        - s(X) <= in(X), notin s(X)
`, "U")
	g = Build(p)
	st = g.Stratify(nil, nil)
	if st.Strata != nil || len(st.Cycles) != 2 {
		t.Fatalf("strata %v, %d cycles; want nil and 2", st.Strata, len(st.Cycles))
	}
	var got []string
	for _, c := range st.Cycles {
		if c.Path[0] != c.Edge || g.Edges[c.Path[len(c.Path)-1]].To != g.Edges[c.Edge].From {
			t.Errorf("cycle %v does not start with edge %d and close", c.Path, c.Edge)
		}
		pos, msg := g.Unstratifiable(c)
		if pos != g.Edges[c.Edge].UsePos() {
			t.Errorf("position %v, want the use %v", pos, g.Edges[c.Edge].UsePos())
		}
		got = append(got, msg)
	}
	slices.Sort(got)
	for i, w := range []string{
		"unstratifiable: cycle q -> p -> q with no temporal edge, through the nonmonotonic notin q in p <= in, notin q (t.yaml:11); each step: q -> p (<= at t.yaml:11, notin), p -> q (<= at t.yaml:12). A timestep cannot evaluate it; break the cycle with <+ or remove the negation",
		"unstratifiable: cycle s -> r -> s with no temporal edge, through the nonmonotonic count<X> in r <= s (t.yaml:13); each step: s -> r (<= at t.yaml:13, count<X>), r -> s (<= at t.yaml:14) (1 more nonmonotonic edges in this cycle's component). A timestep cannot evaluate it; break the cycle with <+ or remove the aggregation",
	} {
		if i >= len(got) || got[i] != w {
			t.Errorf("cycle %d:\n got %q\nwant %q", i, got, w)
		}
	}
}
