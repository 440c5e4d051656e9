package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/calmcheck/calmcheck/internal/genprog"
)

// BenchmarkLintCLI runs the whole of `calmcheck lint --format F` (loading
// the files, composing, analysing, writing to io.Discard) on the
// generated programs of docs/performance.md, every shape and format, at
// 10,000 and 100,000 rules (-short: 10,000 only):
//
//	go test ./cmd/calmcheck -run '^$' -bench LintCLI -benchtime 3x
//	go test ./cmd/calmcheck -run '^$' -bench 'LintCLI/wide-100000' -benchtime 3x
//
// scripts/perf.sh measures the same with the built binary, peak memory
// and output sizes included.
func BenchmarkLintCLI(b *testing.B) {
	parent := b
	sizes := []int{10_000, 100_000}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, shape := range genprog.Shapes {
		for _, n := range sizes {
			dir := ""
			for _, format := range []string{"text", "json", "sarif", "github"} {
				b.Run(fmt.Sprintf("%s-%d-%s", shape.Name, n, format), func(b *testing.B) {
					if dir == "" {
						dir = parent.TempDir() // the formats' runs share it
						for _, f := range append(genprog.Files(n, shape), genprog.Project) {
							if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.Chdir(dir)
					for b.Loop() {
						if code := run([]string{"lint", "--fail-on", "never", "--format", format}, io.Discard, io.Discard); code != 0 {
							b.Fatalf("exit %d", code)
						}
					}
				})
			}
		}
	}
}
