package monotonic

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
)

// genFiles generates the spec files of a program with the given number of
// rules over rules/2 collections, in the standard shape: 16 inputs, 16
// outputs, every 25th collection a channel, every 7th a table, the rest
// scratches. Rules read one or two collections declared before their head
// (forward edges), every 10th uses notin, every 20th aggregates, every 9th
// reads a later collection through <+ (temporal cycles), every 31st
// through <= (plain cycles), and a head that is a channel is written with
// <~. The module Gen (gen0.yaml) declares the state; modules GenP1, GenP2,
// ... hold 20,000 rules each, one file each (a spec file is limited to 16
// MiB); GenAll includes them all and is the program's root. The generator
// is deterministic: the same size and shape give the same bytes.
type genFile struct {
	name string
	data []byte
}

const rulesPerFile = 20_000

// genShape is the shape of a generated program beyond its size.
type genShape struct {
	name string
	// kind returns the kind of collection i of n: input, output, channel,
	// table or scratch.
	kind func(i, n int) string
	// body is the number of collections a rule reads (at least 2 when a
	// rule negates).
	body int
}

// The shapes: standard (16 inputs and 16 outputs, at the ends), wide (20
// inputs at the start, every 20th collection an output: 250 outputs at
// 10,000 rules, 2,500 at 100,000, the shape users found lint slow on),
// and dense (every 250th collection an input and every 25th an output:
// hundreds of inputs and thousands of outputs at 100,000 rules, and every
// rule reads three collections).
var (
	shapeStandard = genShape{name: "standard", body: 2, kind: func(i, n int) string {
		return genKind(i, i < 16, i >= n-16)
	}}
	shapeWide = genShape{name: "wide", body: 2, kind: func(i, n int) string {
		return genKind(i, i < 20, i%20 == 19)
	}}
	shapeDense = genShape{name: "dense", body: 3, kind: func(i, n int) string {
		return genKind(i, i%250 == 0, i%25 == 13)
	}}
	genShapes = []genShape{shapeStandard, shapeWide, shapeDense}
)

func genKind(i int, input, output bool) string {
	switch {
	case input:
		return "input"
	case output:
		return "output"
	case i%25 == 0:
		return "channel"
	case i%7 == 0:
		return "table"
	}
	return "scratch"
}

func genFiles(rules int) []genFile { return genFilesShape(rules, shapeStandard) }

func genFilesShape(rules int, shape genShape) []genFile {
	ncoll := rules / 2
	var files []genFile
	var b strings.Builder
	b.Grow(ncoll * 32)
	b.WriteString("modules:\n  Gen:\n    doc: The state of a generated program for benchmarks.\n    state:\n")
	kind := make([]string, ncoll)
	var inputs, heads []int
	for i := 0; i < ncoll; i++ {
		k := shape.kind(i, ncoll)
		cols := "(k, v)"
		if k == "channel" {
			cols = "(@k, v)"
		}
		kind[i] = k
		if k == "input" {
			inputs = append(inputs, i)
		} else if len(inputs) > 0 {
			heads = append(heads, i) // written: every collection after the first input
		}
		fmt.Fprintf(&b, "      - %s c%d%s\n", k, i, cols)
	}
	files = append(files, genFile{"gen0.yaml", []byte(b.String())})
	seed := uint64(1)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int((seed >> 33) % uint64(n))
	}
	// readable reports whether a rule may read collection c (outputs are
	// only written, so that they are the program's sinks).
	readable := func(c int) bool { return kind[c] != "output" }
	var parts []string
	for r := 0; r < rules; r++ {
		if r%rulesPerFile == 0 {
			if r > 0 {
				files = append(files, genFile{fmt.Sprintf("gen%d.yaml", len(parts)), []byte(b.String())})
			}
			parts = append(parts, fmt.Sprintf("GenP%d", len(parts)+1))
			b.Reset()
			b.Grow(rulesPerFile * 64)
			fmt.Fprintf(&b, "modules:\n  %s:\n    include: [Gen]\n    rules:\n", parts[len(parts)-1])
		}
		if r%100 == 0 {
			fmt.Fprintf(&b, "      b%d:\n", r/100)
		}
		h := heads[r%len(heads)] // every collection but the inputs before it is written
		op := "<="
		if kind[h] == "channel" {
			op = "<~"
		}
		// a body collection declared before the head (within a window,
		// so that paths are long), or after it for a cycle
		before := func() int {
			lo := max(0, h-200)
			return lo + rnd(h-lo)
		}
		last := ncoll - 1
		for last > 0 && !readable(last) {
			last--
		}
		b1 := before()
		switch {
		case r%9 == 0 && h+1 < last:
			b1 = h + 1 + rnd(min(50, last-h-1))
			if op == "<=" {
				op = "<+"
			}
		case r%31 == 0 && h+1 < last:
			b1 = h + 1 + rnd(min(5, last-h-1))
		}
		if !readable(b1) {
			b1 = before()
		}
		if !readable(b1) {
			b1 = inputs[rnd(len(inputs))]
		}
		other := func() int {
			x := before()
			if !readable(x) {
				x = inputs[rnd(len(inputs))]
			}
			return x
		}
		b2 := other()
		extra := ""
		for k := 2; k < shape.body; k++ {
			extra += fmt.Sprintf(", c%d(W, _)", other())
		}
		switch {
		case r%20 == 0:
			fmt.Fprintf(&b, "        - c%d(K, count<V>) %s c%d(K, V)%s\n", h, op, b1, strings.ReplaceAll(extra, "W", "K"))
		case r%10 == 0:
			fmt.Fprintf(&b, "        - c%d(K, V) %s c%d(K, V), notin c%d(K, V)%s\n", h, op, b1, b2, strings.ReplaceAll(extra, "W", "V"))
		case r%3 == 0:
			fmt.Fprintf(&b, "        - c%d(K, V) %s c%d(K, V)%s\n", h, op, b1, strings.ReplaceAll(extra, "W", "V"))
		default:
			fmt.Fprintf(&b, "        - c%d(K, W) %s c%d(K, V), c%d(V, W)%s\n", h, op, b1, b2, extra)
		}
	}
	b.WriteString("  GenAll:\n    doc: The generated program.\n    include: [" + strings.Join(parts, ", ") + "]\n")
	files = append(files, genFile{fmt.Sprintf("gen%d.yaml", len(parts)), []byte(b.String())})
	return files
}

// loadGenerated loads generated files into a fresh library.
func loadGenerated(tb testing.TB, files []genFile) *modules.Library {
	lib := modules.NewLibrary()
	for _, f := range files {
		if ds := lib.LoadData(f.name, f.data); ds.HasErrors() {
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
	var shape *genShape
	for i := range genShapes {
		if genShapes[i].name == *genShapeName {
			shape = &genShapes[i]
		}
	}
	if shape == nil {
		t.Fatalf("unknown -gen-shape %q", *genShapeName)
	}
	if err := os.MkdirAll(*genDir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := append(genFilesShape(*genRules, *shape), genFile{"calmcheck.yaml", []byte("specs: [.]\nprograms:\n  gen: [GenAll]\n")})
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(*genDir, f.name), f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type phases struct {
	load, compose, analyze time.Duration
	findings               int
	edges                  int
}

func lintGenerated(tb testing.TB, files []genFile) phases {
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

func benchLint(b *testing.B, rules int, shape genShape) {
	files := genFilesShape(rules, shape)
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
func BenchmarkLint10k(b *testing.B)  { benchLint(b, 10_000, shapeStandard) }
func BenchmarkLint100k(b *testing.B) { benchLint(b, 100_000, shapeStandard) }

// BenchmarkLintWide10k/100k and BenchmarkLintDense10k/100k lint the
// other shapes: many outputs (wide), hundreds of inputs, thousands of
// outputs and three reads per rule (dense).
func BenchmarkLintWide10k(b *testing.B)   { benchLint(b, 10_000, shapeWide) }
func BenchmarkLintWide100k(b *testing.B)  { benchLint(b, 100_000, shapeWide) }
func BenchmarkLintDense10k(b *testing.B)  { benchLint(b, 10_000, shapeDense) }
func BenchmarkLintDense100k(b *testing.B) { benchLint(b, 100_000, shapeDense) }

// BenchmarkAnalyze100k and BenchmarkAnalyze1M time the analysis alone
// (graph, analyzers, path labels) on a composed program.
func BenchmarkAnalyze100k(b *testing.B) { benchAnalyze(b, 100_000) }
func BenchmarkAnalyze1M(b *testing.B)   { benchAnalyze(b, 1_000_000) }

func benchAnalyze(b *testing.B, rules int) {
	lib := loadGenerated(b, genFiles(rules))
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
