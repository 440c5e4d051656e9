package monotonic

import (
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/internal/builtintest"
	"github.com/calmcheck/calmcheck/internal/genprog"
	"github.com/calmcheck/calmcheck/modules"
)

// TestAnalysisConcurrentSameAsSequential: the parts of the analysis that
// run on every core (the path labels of different sources, the findings
// of different points of order) give the same result as on one core, on
// every program of the built-in library (coordination, seals, contracts,
// lattices) with a goroutine for every few points, and on generated
// programs of every shape. Run it with -race.
func TestAnalysisConcurrentSameAsSequential(t *testing.T) {
	progs := builtintest.Programs(t)
	for _, shape := range genprog.Shapes {
		gl := loadGenerated(t, genprog.Files(2_000, shape))
		p, ds := gl.Compose("gen-"+shape.Name, []modules.Ref{{Name: "GenAll"}})
		if ds.HasErrors() {
			t.Fatal(ds.Errors()[:1])
		}
		progs = append(progs, p)
	}
	analyse := func(p *modules.Program, procs, chunk int) *Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		defer func(c int) { minChunk = c }(minChunk)
		minChunk = chunk
		return Analyze(p, Analyzers)
	}
	points := 0
	for _, p := range progs {
		seq := analyse(p, 1, 256)
		for _, procs := range []int{2, 5} {
			par := analyse(p, procs, 1)
			if !reflect.DeepEqual(seq.Findings, par.Findings) {
				t.Errorf("%s, GOMAXPROCS=%d: findings differ from one core's", p.Name, procs)
			}
			if !reflect.DeepEqual(seq.Paths, par.Paths) {
				t.Errorf("%s, GOMAXPROCS=%d: path labels differ from one core's", p.Name, procs)
			}
		}
		points += len(seq.OrderPoints)
	}
	if len(progs) < 20 || points < 1000 {
		t.Fatalf("%d programs, %d points of order: too few to test", len(progs), points)
	}
}

// TestNoFlowsSameFindings: an analysis without flows (for text output)
// gives the same findings, in the same order, but for their flows.
func TestNoFlowsSameFindings(t *testing.T) {
	flows := 0
	for _, p := range builtintest.Programs(t) {
		g := depgraph.Build(p)
		with := Finish(p, AnalyzeGraph(g, Analyzers).Findings, Options{})
		without := Finish(p, AnalyzeGraphConfig(g, Analyzers, Config{NoFlows: true}).Findings, Options{})
		for i := range with {
			if len(with[i].Flow) > 0 {
				flows++
			}
			with[i].Flow, with[i].OtherFlow = nil, nil
		}
		for i := range without {
			if without[i].Flow != nil || without[i].OtherFlow != nil {
				t.Errorf("%s: %s has a flow without flows", p.Name, without[i].Message)
			}
		}
		if !reflect.DeepEqual(with, without) {
			t.Errorf("%s: the findings without flows differ", p.Name)
		}
	}
	if flows < 50 {
		t.Fatalf("%d findings with flows: too few to test", flows)
	}
}

// TestSortFindings: by position, then check, then message; findings equal
// in all three keep their order; a sorted list is left as it is.
func TestSortFindings(t *testing.T) {
	pos := func(file string, line, col int) modules.Pos { return modules.Pos{File: file, Line: line, Col: col} }
	in := []Finding{
		{Pos: pos("b.yaml", 1, 1), Check: "x", Message: "m", Key: "1"},
		{Pos: pos("a.yaml", 9, 1), Check: "y", Message: "b", Key: "2"},
		{Pos: pos("a.yaml", 9, 1), Check: "x", Message: "z", Key: "3"},
		{Pos: pos("a.yaml", 9, 1), Check: "y", Message: "a", Key: "4"},
		{Pos: pos("a.yaml", 2, 5), Check: "z", Message: "m", Key: "5"},
		{Pos: pos("b.yaml", 1, 1), Check: "x", Message: "m", Key: "6"},
		{Pos: pos("a.yaml", 2, 3), Check: "z", Message: "m", Key: "7"},
	}
	SortFindings(in)
	var got []string
	for _, f := range in {
		got = append(got, f.Key)
	}
	if want := []string{"7", "5", "3", "4", "2", "1", "6"}; !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	again := slices.Clone(in)
	SortFindings(again)
	if !reflect.DeepEqual(in, again) {
		t.Errorf("sorting a sorted list changed it")
	}
}
