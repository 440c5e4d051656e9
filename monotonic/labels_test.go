package monotonic

import (
	"fmt"
	"math/rand"
	"reflect"
	"runtime"
	"testing"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/internal/genprog"
	"github.com/calmcheck/calmcheck/modules"
)

func TestSeq(t *testing.T) {
	tests := []struct {
		x, y, want Label
	}{
		{Bot, Bot, Bot}, {Bot, A, A}, {Bot, N, N}, {Bot, D, D},
		{A, Bot, A}, {A, A, A}, {A, N, D}, {A, D, D},
		{N, Bot, N}, {N, A, N}, {N, N, N}, {N, D, D}, // N then A is N: order matters
		{D, Bot, D}, {D, A, D}, {D, N, D}, {D, D, D},
	}
	for _, tc := range tests {
		if got := Seq(tc.x, tc.y); got != tc.want {
			t.Errorf("Seq(%v, %v) = %v, want %v", tc.x, tc.y, got, tc.want)
		}
	}
	if Bot >= A || A >= N || N >= D {
		t.Error("labels are not ordered Bot < A < N < D")
	}
}

// The state machine agrees with Seq on single edges, and remembers an
// asynchronous edge after a nonmonotonic one.
func TestStates(t *testing.T) {
	var plain, async, nonmono depgraph.Flag = 0, depgraph.FlagAsync, depgraph.FlagNonmonotonic
	path := func(flags ...depgraph.Flag) Label {
		s := uint8(stBot)
		for _, f := range flags {
			s = step(s, f)
		}
		return stateL[s]
	}
	tests := []struct {
		name  string
		flags []depgraph.Flag
		want  Label
	}{
		{"empty", nil, Bot},
		{"plain", []depgraph.Flag{plain, plain}, Bot},
		{"A", []depgraph.Flag{async}, A},
		{"N", []depgraph.Flag{nonmono}, N},
		{"A N", []depgraph.Flag{async, plain, nonmono}, D},
		{"N A", []depgraph.Flag{nonmono, async}, N},
		{"N A N", []depgraph.Flag{nonmono, async, nonmono}, D},
		{"N N A", []depgraph.Flag{nonmono, nonmono, async}, N},
		{"A A", []depgraph.Flag{async, async}, A},
		{"D absorbs", []depgraph.Flag{async, nonmono, plain, async}, D},
		{"async nonmonotonic edge is N then A", []depgraph.Flag{async | nonmono}, N},
		{"async nonmonotonic edge after A", []depgraph.Flag{async, async | nonmono}, D},
		{"async nonmonotonic edge then N", []depgraph.Flag{async | nonmono, nonmono}, D},
	}
	for _, tc := range tests {
		if got := path(tc.flags...); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// randomProgram writes a random spec: n collections (two inputs, two
// outputs, some channels), m random rules.
func randomProgram(rng *rand.Rand, n, m int, acyclic bool) string {
	var state []string
	kind := make([]string, n)
	for i := 0; i < n; i++ {
		switch {
		case i < 2:
			kind[i] = "input"
		case i >= n-2:
			kind[i] = "output"
		case rng.Intn(3) == 0:
			kind[i] = "channel"
		default:
			kind[i] = "scratch"
		}
		if kind[i] == "channel" {
			state = append(state, fmt.Sprintf("channel c%d(@d, x)", i))
		} else {
			state = append(state, fmt.Sprintf("%s c%d(d, x)", kind[i], i))
		}
	}
	var rules []string
	for r := 0; r < m; r++ {
		h := 2 + rng.Intn(n-2)
		b := rng.Intn(n - 2)
		if acyclic && b >= h {
			b = rng.Intn(h)
		}
		if kind[b] == "output" {
			continue
		}
		op := "<="
		if kind[h] == "channel" {
			op = "<~"
		} else if rng.Intn(4) == 0 {
			op = "<+"
		}
		switch rng.Intn(4) {
		case 0:
			rules = append(rules, fmt.Sprintf("c%d(D, count<X>) %s c%d(D, X)", h, op, b))
		case 1:
			other := rng.Intn(n - 2)
			if acyclic && other >= h {
				other = rng.Intn(h)
			}
			if kind[other] == "output" {
				other = 0
			}
			rules = append(rules, fmt.Sprintf("c%d(D, X) %s c%d(D, X), notin c%d(D, X)", h, op, b, other))
		default:
			rules = append(rules, fmt.Sprintf("c%d(D, X) %s c%d(D, X)", h, op, b))
		}
	}
	return spec(state, rules...)
}

// bruteLabels computes, for one source, the set of states reaching each
// node by a plain search of the (node, state) product graph, without the
// condensation; edges step as in Bud's labels with the timing joins.
func bruteLabels(g *depgraph.Graph, src int) []uint8 {
	a := newModel(g).bud
	masks := make([]uint8, len(g.Nodes))
	masks[src] = 1 << stBot
	type item struct {
		v int
		s uint8
	}
	queue := []item{{src, stBot}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		for _, ei := range g.Out(it.v) {
			e := &g.Edges[ei]
			ns := a.edgeStep(it.s, int(ei), e.Flags())
			if masks[e.To]&(1<<ns) == 0 {
				masks[e.To] |= 1 << ns
				queue = append(queue, item{e.To, ns})
			}
		}
	}
	return masks
}

// bruteDistD is the length of a shortest walk from src that reaches to
// in state D, by a plain breadth-first search of the (node, state)
// product graph (-1 if there is none).
func bruteDistD(g *depgraph.Graph, src, to int) int {
	a := newModel(g).bud
	dist := map[[2]int]int{{src, stBot}: 0}
	queue := [][2]int{{src, stBot}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if it[0] == to && it[1] == stD {
			return dist[it]
		}
		for _, ei := range g.Out(it[0]) {
			e := &g.Edges[ei]
			next := [2]int{e.To, int(a.edgeStep(uint8(it[1]), int(ei), e.Flags()))}
			if _, ok := dist[next]; !ok {
				dist[next] = dist[it] + 1
				queue = append(queue, next)
			}
		}
	}
	return -1
}

func worst(mask uint8) Label {
	best := Bot
	for s := 0; s < numStates; s++ {
		if mask&(1<<s) != 0 && stateL[s] > best {
			best = stateL[s]
		}
	}
	return best
}

// allPaths enumerates the states of every path from v (a DAG): the label
// of a pair is the worst over all its paths.
func allPaths(g *depgraph.Graph, a *automaton, v int, s uint8, out []uint8) {
	out[v] |= 1 << s
	for _, ei := range g.Out(v) {
		e := &g.Edges[ei]
		allPaths(g, a, e.To, a.edgeStep(s, int(ei), e.Flags()), out)
	}
}

func TestLabelsRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for iter := 0; iter < 300; iter++ {
		acyclic := iter%2 == 0
		p := compose(t, randomProgram(rng, 4+rng.Intn(8), rng.Intn(20), acyclic))
		g := depgraph.Build(p)
		for _, src := range g.Sources() {
			labels, reached := Labels(g, src)
			brute := bruteLabels(g, src)
			var paths []uint8
			if acyclic {
				paths = make([]uint8, len(g.Nodes))
				allPaths(g, newModel(g).bud, src, stBot, paths)
			}
			for v := range g.Nodes {
				if reached[v] != (brute[v] != 0) || reached[v] && labels[v] != worst(brute[v]) {
					t.Fatalf("program %d, source %s, node %s: label %v (reached %v), brute force %v (%05b)",
						iter, g.Nodes[src].Name, g.Nodes[v].Name, labels[v], reached[v], worst(brute[v]), brute[v])
				}
				if acyclic && reached[v] && labels[v] != worst(paths[v]) {
					t.Fatalf("program %d, source %s, node %s: label %v, worst over all paths %v",
						iter, g.Nodes[src].Name, g.Nodes[v].Name, labels[v], worst(paths[v]))
				}
			}
		}
		// Witnesses of D pairs are real paths labelled D, and the
		// coordinate edge turns an asynchronous prefix into D.
		res, _ := run(t, p)
		a := newModel(g).bud
		for _, pl := range res.Paths {
			if pl.Label != D {
				continue
			}
			v, s := pl.From, uint8(stBot)
			sawCoord := false
			for _, ei := range pl.Path {
				e := &g.Edges[ei]
				if e.From != v {
					t.Fatalf("program %d: witness %v is not a path", iter, pl.Path)
				}
				prev := s
				s = a.edgeStep(s, ei, e.Flags())
				if ei == pl.Coordinate && s == stD && prev != stD && (e.Nonmonotonic || a.timing != nil && a.timing[ei]&(tcN|tcD) != 0) {
					sawCoord = true // (a witness is a walk: the edge may occur twice)
				}
				v = e.To
			}
			if v != pl.To || s != stD || !sawCoord || pl.Async < 0 && a.timing[pl.Coordinate]&tcD == 0 {
				t.Fatalf("program %d: witness %v of %s -> %s ends in %s with %v, coordinate seen %v, async %d",
					iter, pl.Path, g.Nodes[pl.From].Name, g.Nodes[pl.To].Name, g.Nodes[v].Name, stateL[s], sawCoord, pl.Async)
			}
			if d := bruteDistD(g, pl.From, pl.To); len(pl.Path) != d {
				t.Fatalf("program %d: witness %v of %s -> %s has %d edges, the shortest D walk %d",
					iter, pl.Path, g.Nodes[pl.From].Name, g.Nodes[pl.To].Name, len(pl.Path), d)
			}
		}
	}
}

// TestStaleSetsAgree: the stale pairs computed for every source at once
// over the condensation are those of one search per source, on the
// generated programs (cycles, snapshot reads, many sources).
func TestStaleSetsAgree(t *testing.T) {
	for _, shape := range genprog.Shapes {
		lib := loadGenerated(t, genprog.Files(3000, shape))
		p, ds := lib.Compose("gen", []modules.Ref{{Name: "GenAll"}})
		if ds.HasErrors() {
			t.Fatal(ds.Errors()[:1])
		}
		g := depgraph.Build(p)
		f := newFacts(g)
		m := f.model()
		if m.tm.stale == nil {
			t.Fatalf("%s: no snapshot read: the test compares nothing", shape.Name)
		}
		sources, sinks := g.Sources(), g.Sinks()
		st := newStaleSets(g, f.sccAll(), sources, sinks, m.tm.stale)
		l := newLabeler(g, m.bud)
		n := 0
		for i, src := range sources {
			l.run(src)
			want := l.staleReach(m.tm.stale)
			for ti, sink := range sinks {
				if got := st.has(i, ti); got != (want[sink] && l.mask[sink] != 0) {
					t.Fatalf("%s: %s -> %s: stale %v, one search says %v", shape.Name, g.Nodes[src].Name, g.Nodes[sink].Name, got, want[sink])
				}
				if st.has(i, ti) {
					n++
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no stale pair: the test compares nothing", shape.Name)
		}
	}
}

// TestAnalysisSameOnAnyProcessors: the per-input searches and the points
// of order are computed on several goroutines; the findings, labels and
// verdicts must not depend on how many (run with -race, this also checks
// that what they share is read-only).
func TestAnalysisSameOnAnyProcessors(t *testing.T) {
	lib := loadGenerated(t, genprog.Files(3000, genprog.Dense))
	p, ds := lib.Compose("gen", []modules.Ref{{Name: "GenAll"}})
	if ds.HasErrors() {
		t.Fatal(ds.Errors()[:1])
	}
	analyze := func(procs int) *Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res := AnalyzeGraph(depgraph.Build(p), Analyzers)
		res.Findings = Finish(p, res.Findings, Options{})
		return res
	}
	one, two := analyze(1), analyze(4)
	if len(one.Findings) < 1000 {
		t.Fatalf("%d findings: the test compares little", len(one.Findings))
	}
	if !reflect.DeepEqual(one.Findings, two.Findings) {
		t.Error("the findings differ between 1 and 4 processors")
	}
	if !reflect.DeepEqual(one.Paths, two.Paths) || !reflect.DeepEqual(one.Verdicts, two.Verdicts) {
		t.Error("the labels differ between 1 and 4 processors")
	}
}

// TestWitnessIntoAsWitness: a witness written into a slice as long as
// its sink's depth is the witness walked back and reversed (the same
// path, coordinate and asynchronous edge), for every D pair of the
// generated programs.
func TestWitnessIntoAsWitness(t *testing.T) {
	for _, shape := range genprog.Shapes {
		lib := loadGenerated(t, genprog.Files(2000, shape))
		p, ds := lib.Compose("gen", []modules.Ref{{Name: "GenAll"}})
		if ds.HasErrors() {
			t.Fatal(ds.Errors()[:1])
		}
		g := depgraph.Build(p)
		l := newLabeler(g, newFacts(g).model().bud)
		n := 0
		for _, src := range g.Sources() {
			l.run(src)
			for _, sink := range g.Sinks() {
				if lab, _ := l.label(sink); lab != D {
					continue
				}
				n++
				path, coord, async := l.witness(sink, stD)
				got, gc, ga := l.witnessInto(make([]int, l.depth[sink*numStates+stD]), sink, stD)
				if !reflect.DeepEqual(got, path) || gc != coord || ga != async {
					t.Fatalf("%s: %s -> %s: %v %d %d, walked back %v %d %d", shape.Name, g.Nodes[src].Name, g.Nodes[sink].Name, got, gc, ga, path, coord, async)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no D pair: the test compares nothing", shape.Name)
		}
	}
}
