package monotonic

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/internal/genprog"
	"github.com/calmcheck/calmcheck/modules"
)

// loadGenerated loads generated files into a fresh library.
func loadGenerated(tb testing.TB, files []genprog.File) *modules.Library {
	lib := modules.NewLibrary()
	for _, f := range files {
		if ds := lib.LoadData(f.Name, f.Data); ds.HasErrors() {
			tb.Fatal(ds.Errors()[:1])
		}
	}
	return lib
}

var (
	genDir       = flag.String("gen-dir", "", "TestWriteGenerated: write the generated program's spec files and a calmcheck.yaml to `DIR`")
	genRules     = flag.Int("gen-rules", 100_000, "TestWriteGenerated: the number of rules")
	genShapeName = flag.String("gen-shape", "standard", "TestWriteGenerated: the program's `shape`: standard, wide or dense")
)

// TestWriteGenerated writes the generated program to -gen-dir, for timing
// the real command line on it (docs/performance.md):
//
//	go test ./monotonic -run TestWriteGenerated -gen-dir /tmp/gen -gen-rules 100000 -gen-shape wide
//	time calmcheck lint /tmp/gen --fail-on never > /dev/null
func TestWriteGenerated(t *testing.T) {
	if *genDir == "" {
		t.Skip("no -gen-dir")
	}
	shape, ok := genprog.ShapeNamed(*genShapeName)
	if !ok {
		t.Fatalf("unknown -gen-shape %q", *genShapeName)
	}
	if err := os.MkdirAll(*genDir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := append(genprog.Files(*genRules, shape), genprog.Project)
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(*genDir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type phases struct {
	load, compose, analyze time.Duration
	findings               int
	edges                  int
}

func lintGenerated(tb testing.TB, files []genprog.File) phases {
	var ph phases
	t0 := time.Now()
	lib := loadGenerated(tb, files)
	t1 := time.Now()
	p, ds := lib.Compose("gen", []modules.Ref{{Name: "GenAll"}})
	if ds.HasErrors() {
		tb.Fatal(ds.Errors()[:1])
	}
	t2 := time.Now()
	g := depgraph.Build(p)
	res := AnalyzeGraph(g, Analyzers)
	fs := Finish(p, res.Findings, Options{})
	t3 := time.Now()
	ph.load, ph.compose, ph.analyze = t1.Sub(t0), t2.Sub(t1), t3.Sub(t2)
	ph.findings, ph.edges = len(fs), len(g.Edges)
	return ph
}

func benchLint(b *testing.B, rules int, shape genprog.Shape) {
	files := genprog.Files(rules, shape)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ph := lintGenerated(b, files)
		b.ReportMetric(ph.load.Seconds(), "load-s")
		b.ReportMetric(ph.compose.Seconds(), "compose-s")
		b.ReportMetric(ph.analyze.Seconds(), "analyze-s")
	}
}

// BenchmarkLint10k and BenchmarkLint100k lint generated programs of 10,000
// and 100,000 rules (load, composition and every analyzer); see
// docs/performance.md.
func BenchmarkLint10k(b *testing.B)  { benchLint(b, 10_000, genprog.Standard) }
func BenchmarkLint100k(b *testing.B) { benchLint(b, 100_000, genprog.Standard) }

// BenchmarkLintWide10k/100k and BenchmarkLintDense10k/100k lint the
// other shapes: many outputs (wide), hundreds of inputs, thousands of
// outputs and three reads per rule (dense).
func BenchmarkLintWide10k(b *testing.B)   { benchLint(b, 10_000, genprog.Wide) }
func BenchmarkLintWide100k(b *testing.B)  { benchLint(b, 100_000, genprog.Wide) }
func BenchmarkLintDense10k(b *testing.B)  { benchLint(b, 10_000, genprog.Dense) }
func BenchmarkLintDense100k(b *testing.B) { benchLint(b, 100_000, genprog.Dense) }

// BenchmarkAnalyze100k and BenchmarkAnalyze1M time the analysis alone
// (graph, analyzers, path labels) on a composed program.
func BenchmarkAnalyze100k(b *testing.B) { benchAnalyze(b, 100_000) }
func BenchmarkAnalyze1M(b *testing.B)   { benchAnalyze(b, 1_000_000) }

func benchAnalyze(b *testing.B, rules int) {
	lib := loadGenerated(b, genprog.Files(rules, genprog.Standard))
	p, ds := lib.Compose("gen", []modules.Ref{{Name: "GenAll"}})
	if ds.HasErrors() {
		b.Fatal(ds.Errors()[:1])
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res := AnalyzeGraph(depgraph.Build(p), Analyzers)
		Finish(p, res.Findings, Options{})
	}
}
