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
// rules over rules/2 collections: 16 inputs, 16 outputs, every 25th
// collection a channel, every 7th a table, the rest scratches. Rules read
// one or two collections declared before their head (forward edges),
// every 10th uses notin, every 20th aggregates, every 9th reads a later
// collection through <+ (temporal cycles), every 31st through <= (plain
// cycles), and a head that is a channel is written with <~. The module Gen
// (gen0.yaml) declares the state; modules GenP1, GenP2, ... hold 20,000
// rules each, one file each (a spec file is limited to 16 MiB); GenAll
// includes them all and is the program's root. The generator is
// deterministic: the same size gives the same bytes.
type genFile struct {
	name string
	data []byte
}

const rulesPerFile = 20_000

func genFiles(rules int) []genFile {
	ncoll := rules / 2
	const nin, nout = 16, 16
	var files []genFile
	var b strings.Builder
	b.Grow(ncoll * 32)
	b.WriteString("modules:\n  Gen:\n    doc: The state of a generated program for benchmarks.\n    state:\n")
	kind := make([]string, ncoll)
	for i := 0; i < ncoll; i++ {
		k, cols := "scratch", "(k, v)"
		switch {
		case i < nin:
			k = "input"
		case i >= ncoll-nout:
			k = "output"
		case i%25 == 0:
			k, cols = "channel", "(@k, v)"
		case i%7 == 0:
			k = "table"
		}
		kind[i] = k
		fmt.Fprintf(&b, "      - %s c%d%s\n", k, i, cols)
	}
	files = append(files, genFile{"gen0.yaml", []byte(b.String())})
	seed := uint64(1)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int((seed >> 33) % uint64(n))
	}
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
		h := nin + r%(ncoll-nin) // every non-input collection is written
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
		b1 := before()
		switch {
		case r%9 == 0 && h+1 < ncoll-nout:
			b1 = h + 1 + rnd(min(50, ncoll-nout-h-1))
			if op == "<=" {
				op = "<+"
			}
		case r%31 == 0 && h+1 < ncoll-nout:
			b1 = h + 1 + rnd(min(5, ncoll-nout-h-1))
		}
		if kind[b1] == "output" {
			b1 = before()
		}
		b2 := before()
		if kind[b2] == "output" {
			b2 = rnd(nin)
		}
		switch {
		case r%20 == 0:
			fmt.Fprintf(&b, "        - c%d(K, count<V>) %s c%d(K, V)\n", h, op, b1)
		case r%10 == 0:
			fmt.Fprintf(&b, "        - c%d(K, V) %s c%d(K, V), notin c%d(K, V)\n", h, op, b1, b2)
		case r%3 == 0:
			fmt.Fprintf(&b, "        - c%d(K, V) %s c%d(K, V)\n", h, op, b1)
		default:
			fmt.Fprintf(&b, "        - c%d(K, W) %s c%d(K, V), c%d(V, W)\n", h, op, b1, b2)
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
	genDir   = flag.String("gen-dir", "", "TestWriteGenerated: write the generated program's spec files and a calmcheck.yaml to `DIR`")
	genRules = flag.Int("gen-rules", 100_000, "TestWriteGenerated: the number of rules")
)

// TestWriteGenerated writes the generated program to -gen-dir, for timing
// the real command line on it (docs/performance.md):
//
//	go test ./monotonic -run TestWriteGenerated -gen-dir /tmp/gen -gen-rules 100000
//	time calmcheck lint /tmp/gen --fail-on never > /dev/null
func TestWriteGenerated(t *testing.T) {
	if *genDir == "" {
		t.Skip("no -gen-dir")
	}
	if err := os.MkdirAll(*genDir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := append(genFiles(*genRules), genFile{"calmcheck.yaml", []byte("specs: [.]\nprograms:\n  gen: [GenAll]\n")})
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

func benchLint(b *testing.B, rules int) {
	files := genFiles(rules)
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
func BenchmarkLint10k(b *testing.B)  { benchLint(b, 10_000) }
func BenchmarkLint100k(b *testing.B) { benchLint(b, 100_000) }

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
