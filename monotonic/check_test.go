package monotonic

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
)

// TestCheckTestdata runs every analyzer's testdata, as Go's analysistest
// does: testdata/CHECK/*.yaml are spec files whose programs declare, with
// expect:, the findings of CHECK they must give. Each program is analysed
// with every analyzer (as calmcheck lint does); every expectation must
// match a finding, every finding of CHECK must be expected, and each
// check's testdata must expect at least one. Adding a check is its file,
// this directory and its section in docs/checks.md.
func TestCheckTestdata(t *testing.T) {
	for _, a := range Analyzers {
		t.Run(string(a.Name), func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join("testdata", string(a.Name), "*.yaml"))
			if len(files) == 0 {
				t.Fatalf("no testdata/%s/*.yaml", a.Name)
			}
			expected := 0
			for _, file := range files {
				w, ds := modules.LoadWorkspace(specs.FS, "specs", []string{file})
				if ds.HasErrors() {
					t.Fatalf("%s: %v", file, ds)
				}
				progs, ds := w.Select(nil, nil)
				if ds.HasErrors() || len(progs) == 0 {
					t.Fatalf("%s: no program: %v", file, ds)
				}
				for _, p := range progs {
					res := AnalyzeGraph(depgraph.Build(p), Analyzers)
					for _, f := range Finish(p, res.Findings, Options{}) {
						switch {
						case f.Check == CheckExpect:
							t.Errorf("%s: program %s: %s", f.Pos, p.Name, f.Message)
						case f.Check == a.Name && !f.Expected:
							t.Errorf("%s: program %s: unexpected finding: %s", f.Pos, p.Name, f.Message)
						case f.Check == a.Name:
							expected++
						}
					}
				}
			}
			if expected == 0 {
				t.Errorf("the testdata of %s expects none of its findings", a.Name)
			}
		})
	}
}

// TestEveryCheckHasTestdata: no directory of testdata names a check that
// does not exist.
func TestEveryCheckHasTestdata(t *testing.T) {
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if d.IsDir() && Lookup(d.Name()) == nil {
			t.Errorf("testdata/%s: no analyzer of that name", d.Name())
		}
	}
}
