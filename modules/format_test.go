package modules

import (
	"github.com/calmcheck/calmcheck/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFormatBuiltinLibraryIdempotent(t *testing.T) {
	files, _ := filepath.Glob("../specs/*.yaml")
	more, _ := filepath.Glob("../specs/*/*.yaml")
	for _, f := range append(files, more...) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		once, ds := Format(f, src)
		if len(ds) > 0 {
			t.Fatalf("%s: %v", f, ds)
		}
		twice, ds := Format(f, once)
		if len(ds) > 0 || string(twice) != string(once) {
			t.Errorf("%s: formatting is not idempotent: %v\n%s", f, ds, firstDiff(string(once), string(twice)))
		}
		// Every comment survives.
		for _, line := range strings.Split(string(src), "\n") {
			if i := strings.Index(line, "# "); i >= 0 && (i == 0 || line[i-1] == ' ') && !strings.Contains(line, "'") {
				if c := strings.TrimSpace(line[i:]); !strings.Contains(string(once), c) {
					t.Errorf("%s: comment %q lost", f, c)
				}
			}
		}
	}
}

const messySpec = `# A messy spec file.
programs:
  p: {modules: [A,   B], doc: "the program"}
  q: A
modules:
  B:
    rules:
      r:   # the block
        - t(X)<=s(X),notin u(X,_)   # trailing
        - "t(X) <= s(X), X == \"a: b\""
        - rule: t(X)   <+   s(X)
          coordinated: "ordered upstream"
      long:
        coordinated: everything here is acked
        rules: ['t( X ) <~  s(X)']
    state: ['table t(x)', "channel c(@a, b) => (v)"]
    include: A
    doc: A module whose doc is far too long to stand on one line of eighty columns, so it is folded.
  A:
    # the state
    state:
      - scratch s(x)
      - periodic tick(id) => (time) every 3
      - scratch   u(x)
# the end
`

func TestFormatGolden(t *testing.T) {
	out, ds := Format("messy.yaml", []byte(messySpec))
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	golden.Check(t, filepath.Join("testdata", "format", "messy.golden.yaml"), out)
	again, _ := Format("messy.yaml", out)
	if string(again) != string(out) {
		t.Errorf("not idempotent:\n%s", again)
	}
}

func TestFormatRefusesBrokenFiles(t *testing.T) {
	out, ds := Format("b.yaml", []byte("modules:\n  A:\n    state: ['tabel t(a)']\n"))
	if out != nil || len(ds) != 1 || ds[0].Pos.Line != 3 {
		t.Errorf("%q %v", out, ds)
	}
}
