package depgraph

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
)

// compose loads one spec file and composes the given root modules.
func compose(t *testing.T, src string, roots ...string) *modules.Program {
	t.Helper()
	lib := modules.NewLibrary()
	if ds := lib.LoadData("t.yaml", []byte(src)); ds.HasErrors() {
		t.Fatalf("load: %v", ds)
	}
	var refs []modules.Ref
	for _, r := range roots {
		refs = append(refs, modules.Ref{Name: r})
	}
	p, ds := lib.Compose("t", refs)
	if ds.HasErrors() {
		t.Fatalf("compose: %v", ds)
	}
	return p
}

const kvs = `modules:
  KVS:
    state:
      - input   put(k) => (v)
      - input   get(r) => (k)
      - output  got(r) => (k, v)
      - table   store(k) => (v)
      - scratch cnt() => (n)
      - channel fwd(@a, k) => (v)
      - channel back(@a, k)
      - input   unread(x)
      - output  unwritten(x)
    rules:
      mutate:
        - store(K, V) <+ put(K, V)
        - store(K, V) <- store(K, V), put(K, _)
      get:
        - got(R, K, V) <= get(R, K), store(K, V), notin store(K, R)
        - cnt(count<K>) <= store(K, _)
        - fwd(K, K, V) <~ put(K, V)
        - store(K, V) <+- back(A, K), store(A, V)
`

func edgeString(g *Graph, e *Edge) string {
	var flags []string
	if e.Temporal {
		flags = append(flags, "T")
	}
	if e.Async {
		flags = append(flags, "A")
	}
	if e.Nonmonotonic {
		flags = append(flags, "N")
	}
	if e.Negated {
		flags = append(flags, "neg")
	}
	if e.Aggregate {
		flags = append(flags, "agg")
	}
	return fmt.Sprintf("%s->%s %s %s", g.Nodes[e.From].Name, g.Nodes[e.To].Name, e.Op, strings.Join(flags, ","))
}

func TestBuildEdges(t *testing.T) {
	g := Build(compose(t, kvs, "KVS"))
	var got []string
	for i := range g.Edges {
		got = append(got, edgeString(g, &g.Edges[i]))
	}
	want := []string{
		"put->store <+ T",
		"store->store <- T,N",
		"put->store <- T,N",
		"get->got <= ",
		"store->got <= N,neg", // store used positively and under notin: one edge, nonmonotonic
		"store->cnt <= N,agg",
		"put->fwd <~ T,A",
		"back->store <+- T,N",
		"store->store <+- T,N",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The notin store edge points at the notin.
	e := &g.Edges[4]
	if e.UsePos().Line != 18 || e.UsePos().Col != 51 || e.Reason() != "notin" {
		t.Errorf("negated edge: pos %v reason %q", e.UsePos(), e.Reason())
	}
	if r := g.Edges[5].Reason(); r != "count<K>" {
		t.Errorf("aggregate reason %q", r)
	}
	if r := g.Edges[1].Reason(); r != "deletion (<-)" {
		t.Errorf("deletion reason %q", r)
	}
	// Adjacency: out and in lists agree with the edges.
	for v := range g.Nodes {
		to, flags := g.OutAdj(v)
		for i, ei := range g.Out(v) {
			e := &g.Edges[ei]
			if e.From != v || int(to[i]) != e.To || flags[i] != e.Flags() {
				t.Errorf("out adjacency of %s broken at %d", g.Nodes[v].Name, i)
			}
		}
		from, flags := g.InAdj(v)
		for i, ei := range g.In(v) {
			e := &g.Edges[ei]
			if e.To != v || int(from[i]) != e.From || flags[i] != e.Flags() {
				t.Errorf("in adjacency of %s broken at %d", g.Nodes[v].Name, i)
			}
		}
	}
}

func TestDistinguishedNodes(t *testing.T) {
	g := Build(compose(t, kvs, "KVS"))
	if got := g.Names(g.Sources()); !reflect.DeepEqual(got, []string{"put", "get", "unread"}) {
		t.Errorf("sources %v", got)
	}
	if got := g.Names(g.Sinks()); !reflect.DeepEqual(got, []string{"got", "unwritten"}) {
		t.Errorf("sinks %v", got)
	}
	var dang []string
	for _, d := range g.Underspecified() {
		dang = append(dang, g.Nodes[d.Node].Name+":"+string(d.Direction))
	}
	want := []string{"fwd:output", "back:input", "unread:output", "unwritten:input"}
	if !reflect.DeepEqual(dang, want) {
		t.Errorf("underspecified %v, want %v", dang, want)
	}
	if got := g.Names(g.Entries()); !reflect.DeepEqual(got, []string{"put", "get", "back", "unread"}) {
		t.Errorf("entries %v", got)
	}
	if n, ok := g.Lookup("store"); !ok || g.Nodes[n].Kind != modules.Table {
		t.Errorf("lookup store: %v %v", n, ok)
	}
	if _, ok := g.Lookup("nope"); ok {
		t.Error("lookup of a missing collection succeeded")
	}
	if got := g.SortedNames([]int{2, 0, 2}); !reflect.DeepEqual(got, []string{"got", "put"}) {
		t.Errorf("sorted names %v", got)
	}
}

// graphFrom builds a graph with n nodes and the given edges (from, to,
// temporal) directly, for algorithm tests.
func graphFrom(n int, edges [][3]int) *Graph {
	g := &Graph{byName: map[string]int{}}
	for i := 0; i < n; i++ {
		g.Nodes = append(g.Nodes, Node{ID: i, Name: fmt.Sprintf("n%d", i)})
	}
	r := &modules.Rule{}
	for i, e := range edges {
		g.Edges = append(g.Edges, Edge{ID: i, From: e[0], To: e[1], Temporal: e[2] == 1, Rule: r})
	}
	g.outOff, g.outIdx = csr(n, g.Edges, func(e *Edge) int { return e.From })
	g.inOff, g.inIdx = csr(n, g.Edges, func(e *Edge) int { return e.To })
	g.outTo, g.outFlag = make([]int32, len(g.Edges)), make([]Flag, len(g.Edges))
	g.inFrom, g.inFlag = make([]int32, len(g.Edges)), make([]Flag, len(g.Edges))
	for i, ei := range g.outIdx {
		g.outTo[i], g.outFlag[i] = int32(g.Edges[ei].To), g.Edges[ei].Flags()
	}
	for i, ei := range g.inIdx {
		g.inFrom[i], g.inFlag[i] = int32(g.Edges[ei].From), g.Edges[ei].Flags()
	}
	return g
}

// components renders an SCC result as sorted member lists, sorted.
func components(s *SCC) []string {
	var out []string
	for c := 0; c < s.Count; c++ {
		var m []string
		for _, v := range s.Members(c) {
			m = append(m, fmt.Sprint(v))
		}
		mark := ""
		if s.Cyclic[c] {
			mark = "*"
		}
		out = append(out, strings.Join(m, ",")+mark)
	}
	slices.Sort(out)
	return out
}

func TestSCC(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		edges [][3]int
		skip  Flag
		want  []string // components, * when cyclic
	}{
		{"empty", 0, nil, 0, nil},
		{"isolated", 2, nil, 0, []string{"0", "1"}},
		{"chain", 3, [][3]int{{0, 1, 0}, {1, 2, 0}}, 0, []string{"0", "1", "2"}},
		{"self-loop", 2, [][3]int{{0, 0, 0}, {0, 1, 0}}, 0, []string{"0*", "1"}},
		{"cycle", 3, [][3]int{{0, 1, 0}, {1, 2, 0}, {2, 0, 0}}, 0, []string{"0,1,2*"}},
		{"two cycles joined", 5, [][3]int{{0, 1, 0}, {1, 0, 0}, {1, 2, 0}, {2, 3, 0}, {3, 2, 0}, {3, 4, 0}}, 0, []string{"0,1*", "2,3*", "4"}},
		{"diamond", 4, [][3]int{{0, 1, 0}, {0, 2, 0}, {1, 3, 0}, {2, 3, 0}}, 0, []string{"0", "1", "2", "3"}},
		{"temporal edge breaks the cycle", 3, [][3]int{{0, 1, 0}, {1, 2, 0}, {2, 0, 1}}, FlagTemporal, []string{"0", "1", "2"}},
		{"temporal edge kept", 3, [][3]int{{0, 1, 0}, {1, 2, 0}, {2, 0, 1}}, 0, []string{"0,1,2*"}},
		{"temporal self-loop skipped", 1, [][3]int{{0, 0, 1}}, FlagTemporal, []string{"0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := graphFrom(tc.n, tc.edges)
			s := g.SCC(tc.skip)
			if got := components(s); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("components %v, want %v", got, tc.want)
			}
			checkTopological(t, g, s, tc.skip)
		})
	}
}

// checkTopological checks Tarjan's numbering: a kept edge between two
// components goes from a higher to a lower number.
func checkTopological(t *testing.T, g *Graph, s *SCC, skip Flag) {
	t.Helper()
	for i := range g.Edges {
		e := &g.Edges[i]
		if e.Flags()&skip != 0 || s.Same(e.From, e.To) {
			continue
		}
		if s.Comp[e.From] <= s.Comp[e.To] {
			t.Errorf("edge %d->%d goes from component %d to %d", e.From, e.To, s.Comp[e.From], s.Comp[e.To])
		}
	}
}

// TestSCCRandom compares Tarjan's components with mutual reachability
// computed by brute force on random graphs.
func TestSCCRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for iter := 0; iter < 200; iter++ {
		n := 1 + rng.Intn(12)
		var edges [][3]int
		for i := rng.Intn(3 * n); i > 0; i-- {
			edges = append(edges, [3]int{rng.Intn(n), rng.Intn(n), rng.Intn(2)})
		}
		g := graphFrom(n, edges)
		for _, skip := range []Flag{0, FlagTemporal} {
			s := g.SCC(skip)
			reach := make([][]bool, n)
			for i := range reach {
				reach[i] = make([]bool, n)
				reach[i][i] = true
			}
			for changed := true; changed; {
				changed = false
				for _, e := range g.Edges {
					if e.Flags()&skip != 0 {
						continue
					}
					for u := 0; u < n; u++ {
						if reach[u][e.From] && !reach[u][e.To] {
							reach[u][e.To] = true
							changed = true
						}
					}
				}
			}
			for u := 0; u < n; u++ {
				for v := 0; v < n; v++ {
					if same := reach[u][v] && reach[v][u]; same != s.Same(u, v) {
						t.Fatalf("graph %v skip %d: nodes %d, %d: mutually reachable %v, same component %v", edges, skip, u, v, same, s.Same(u, v))
					}
				}
			}
			checkTopological(t, g, s, skip)
			// Spread: node u's bit reaches exactly the components of
			// the nodes u reaches.
			masks := make([]uint64, s.Count)
			for u := 0; u < n; u++ {
				masks[s.Comp[u]] |= 1 << uint(u)
			}
			s.Spread(g, masks)
			for u := 0; u < n; u++ {
				for v := 0; v < n; v++ {
					if got := masks[s.Comp[v]]&(1<<uint(u)) != 0; got != reach[u][v] {
						t.Fatalf("graph %v skip %d: Spread says %d reaches %d: %v, closure %v", edges, skip, u, v, got, reach[u][v])
					}
				}
			}
		}
	}
}

func TestSCCDeepChain(t *testing.T) {
	// A long chain and a long cycle: no recursion, no stack overflow.
	const n = 200_000
	var edges [][3]int
	for i := 0; i+1 < n; i++ {
		edges = append(edges, [3]int{i, i + 1, 0})
	}
	edges = append(edges, [3]int{n - 1, 0, 0})
	g := graphFrom(n, edges)
	s := g.SCC(0)
	if s.Count != 1 || !s.Cyclic[0] {
		t.Errorf("one cycle of %d nodes: %d components", n, s.Count)
	}
}

func TestSearcherPath(t *testing.T) {
	// 0 -> 1 -> 2 -> 3, 0 -> 3 (short cut), 3 -> 0 (back, temporal)
	g := graphFrom(4, [][3]int{{0, 1, 0}, {1, 2, 0}, {2, 3, 0}, {0, 3, 0}, {3, 0, 1}})
	s := NewSearcher(g)
	if p := s.Path(0, 3, nil); !reflect.DeepEqual(p, []int{3}) {
		t.Errorf("shortest 0->3: %v", p)
	}
	noShortcut := func(e *Edge) bool { return e.ID != 3 }
	if p := s.Path(0, 3, noShortcut); !reflect.DeepEqual(p, []int{0, 1, 2}) {
		t.Errorf("0->3 without the short cut: %v", p)
	}
	if p := s.Path(0, 0, nil); !reflect.DeepEqual(p, []int{3, 4}) {
		t.Errorf("cycle through 0: %v", p)
	}
	if p := s.Path(0, 0, func(e *Edge) bool { return !e.Temporal }); p != nil {
		t.Errorf("cycle without temporal edges: %v", p)
	}
	if p := s.Path(3, 1, func(e *Edge) bool { return !e.Temporal }); p != nil {
		t.Errorf("3->1 without temporal edges: %v", p)
	}
}
