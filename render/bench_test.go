package render

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// largestBuiltin returns the built-in program with the most collections.
func largestBuiltin(b *testing.B) Program {
	var best Program
	for _, name := range builtinPrograms(b) {
		p := builtinProgram(b, name)
		if best.Graph == nil || len(p.Graph.Nodes) > len(best.Graph.Nodes) {
			best = p
		}
	}
	return best
}

// warm starts Graphviz, so that benchmarks measure rendering, not the
// WebAssembly start-up.
func warm(b *testing.B) {
	v, err := Build([]Program{builtinProgram(b, "basic-kvs")}, defaults)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := SVG(context.Background(), v); err != nil {
		b.Fatal(err)
	}
}

func benchFormats(b *testing.B, p Program, opt Options) {
	warm(b)
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			if _, err := Build([]Program{p}, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
	v, err := Build([]Program{p}, opt)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("dot", func(b *testing.B) {
		for b.Loop() {
			if err := WriteDOT(io.Discard, v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("svg", func(b *testing.B) {
		// Build, DOT, Graphviz's layout and the SVG: what calmcheck dot
		// does after the analysis.
		for b.Loop() {
			v, err := Build([]Program{p}, opt)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := SVG(context.Background(), v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("png", func(b *testing.B) {
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			if err := WritePNG(context.Background(), &buf, v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("mermaid", func(b *testing.B) {
		for b.Loop() {
			if err := WriteMermaid(io.Discard, v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLargestBuiltin: the largest built-in program, with the legend
// and module clusters (calmcheck dot's defaults) and D highlighted.
func BenchmarkLargestBuiltin(b *testing.B) {
	p := largestBuiltin(b)
	b.Logf("%s: %d collections, %d edges", p.Graph.Program.Name, len(p.Graph.Nodes), len(p.Graph.Edges))
	benchFormats(b, p, Options{Legend: true, Clusters: true, Highlight: "D"})
}

// BenchmarkGenerated2000: the generated program of 2,000 collections of
// TestLargeProgram, which falls back to collapsed components.
func BenchmarkGenerated2000(b *testing.B) {
	src, mods := genSpec(2000)
	p := specProgram(b, src, mods...)
	benchFormats(b, p, defaults)
}

// BenchmarkFolded3000: programs of 3,000 collections that collapsing
// components does not reduce enough, folded by module (Options.Fold,
// render/fold.go): one module of 3,000 (folded in parts along its
// dataflow), 30 modules of 100, and a dense one (each collection reads
// four of the layer before).
func BenchmarkFolded3000(b *testing.B) {
	for _, sh := range []struct {
		name    string
		n, w, m int
	}{{"one-module", 300, 10, 0}, {"30-modules", 300, 10, 10}, {"wide-layers", 60, 50, 6}} {
		b.Run(sh.name, func(b *testing.B) {
			p := layeredProgram(b, sh.n, sh.w, sh.m)
			v, err := Build([]Program{p}, defaults)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%d collections, %d rule edges: %d nodes and %d edges drawn (folded by %q, %d of %d findings' collections kept)",
				len(p.Graph.Nodes), len(p.Graph.Edges), len(v.Programs[0].Nodes), len(v.Programs[0].Edges), v.Programs[0].FoldedBy, v.Programs[0].Kept, v.Programs[0].Wanted)
			benchFormats(b, p, defaults)
		})
	}
}
