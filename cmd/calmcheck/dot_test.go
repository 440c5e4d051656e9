package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const dotBuiltinNote = "calmcheck: no PATH and no ./calmcheck.yaml: using the built-in library\n"

// TestDotGolden: what calmcheck dot prints for the built-in programs, in
// each format, through the command line.
func TestDotGolden(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"replicated-disorderly-cart.dot", []string{"--program", "replicated-disorderly-cart", "-T", "dot"}},
		{"basic-kvs-highlight-no-legend.dot", []string{"-p", "basic-kvs", "-T", "dot", "--highlight", "D", "--no-legend"}},
		{"two-carts.dot", []string{"-p", "destructive-cart", "-p", "disorderly-cart", "-T", "dot"}},
		{"disorderly-cart.mmd", []string{"-p", "disorderly-cart", "-T", "mermaid"}},
		{"basic-kvs.json", []string{"-p", "basic-kvs", "-T", "json", "--strata"}},
		// Coordination: the seal, its key and what it covers; Bud's D
		// paths, then what is left of them once the seal counts (none).
		{"sealed-cart.dot", []string{"-p", "sealed-cart", "-T", "dot", "--highlight", "D", "--no-legend"}},
		{"sealed-cart-effective.dot", []string{"-p", "sealed-cart", "-T", "dot", "--highlight", "D", "--effective"}},
		{"replicated-disorderly-cart-reliable.mmd", []string{"-p", "replicated-disorderly-cart-reliable", "-T", "mermaid", "--highlight", "D", "--effective"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, dir, append([]string{"dot"}, tc.args...)...)
			if code != 0 || errs != dotBuiltinNote {
				t.Fatalf("exit %d: %s", code, errs)
			}
			golden(t, filepath.Join("dot", tc.name), []byte(out))
		})
	}
}

// TestDotSVG: SVG on stdout by default, well-formed, one program cluster
// per program when there are several, the same bytes every time.
func TestDotSVG(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, dir, "dot", "--program", "replicated-disorderly-cart")
	if code != 0 || errs != dotBuiltinNote {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "<?xml") || !strings.Contains(out, "<svg") {
		t.Fatalf("not SVG: %.100s", out)
	}
	if err := xml.Unmarshal([]byte(out), new(struct{})); err != nil {
		t.Fatalf("SVG not well-formed: %v", err)
	}
	_, again, _ := runCLI(t, dir, "dot", "--program", "replicated-disorderly-cart")
	if again != out {
		t.Errorf("SVG differs between runs")
	}
	_, two, _ := runCLI(t, dir, "dot", "-p", "basic-kvs", "-p", "disorderly-cart")
	if n := strings.Count(two, `class="cluster program"`); n != 2 {
		t.Errorf("%d program clusters, want 2", n)
	}
}

// TestDotOutputFile: -o writes the whole file atomically, in every
// format; on any error nothing is written and no temporary file is left.
func TestDotOutputFile(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"svg", "png", "dot", "mermaid", "json"} {
		path := filepath.Join(dir, "graph."+f)
		code, out, errs := runCLI(t, dir, "dot", "-p", "basic-kvs", "-T", f, "-o", path)
		if code != 0 || out != "" || errs != dotBuiltinNote {
			t.Fatalf("-T %s: exit %d, stdout %q, stderr %q", f, code, out, errs)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, stdout, _ := runCLI(t, dir, "dot", "-p", "basic-kvs", "-T", f)
		if !bytes.Equal(data, []byte(stdout)) {
			t.Errorf("-T %s: file and stdout differ", f)
		}
		switch f {
		case "png":
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("PNG: %v", err)
			}
		case "json":
			if !json.Valid(data) {
				t.Errorf("invalid JSON")
			}
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
			t.Errorf("mode %v, want 0644 for a new file", fi.Mode())
		}
	}
	// Overwrites an existing file.
	old := filepath.Join(dir, "old.svg")
	write(t, dir, "old.svg", "old")
	if code, _, errs := runCLI(t, dir, "dot", "-p", "basic-kvs", "-o", old); code != 0 {
		t.Fatalf("overwrite: exit %d: %s", code, errs)
	}
	if data, _ := os.ReadFile(old); !bytes.HasPrefix(data, []byte("<?xml")) {
		t.Errorf("not overwritten")
	}
	// Errors: nothing written, nothing left, the old file untouched.
	write(t, dir, "keep.svg", "keep")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-p", "basic-kvs", "-o", filepath.Join(dir, "no", "such", "dir.svg")}, "dir.svg: error: no such file or directory"},
		{[]string{"-p", "basic-kvs", "-o", dir}, ": error: not a regular file"},
		{[]string{"-p", "basic-kvs", "--focus", "nope", "-o", filepath.Join(dir, "keep.svg")}, `--focus "nope": no such collection in program basic-kvs`},
		{[]string{"-p", "no-such-program", "-o", filepath.Join(dir, "keep.svg")}, `unknown program "no-such-program"`},
	} {
		code, out, errs := runCLI(t, dir, append([]string{"dot"}, tc.args...)...)
		if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, code, out, errs, tc.want)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "keep.svg")); string(data) != "keep" {
		t.Errorf("keep.svg changed")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestDotBadInput: bad flags and bad specs exit 2 with a message, never a
// stack trace.
func TestDotBadInput(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "bad.yaml", "modules:\n  A:\n    state: [table t(a)]\n    rules:\n      r: ['t(X) <= u(X)']\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-T", "gif"}, `unknown -T "gif"`},
		{[]string{"--highlight", "N"}, `unknown --highlight "N"`},
		{[]string{"--effective"}, "--effective: only with --highlight D"},
		{[]string{"--max-nodes", "-1"}, "--max-nodes -1"},
		{[]string{"--bogus"}, "unknown flag: --bogus"},
		{[]string{"bad.yaml"}, "bad.yaml:5:20: error: unknown collection u in A.r"},
		{[]string{"missing.yaml"}, "missing.yaml: error: no such file or directory"},
		{[]string{"-p", "basic-kvs", "--focus", "bigtabel"}, `(did you mean "bigtable"?)`},
	} {
		code, out, errs := runCLI(t, dir, append([]string{"dot"}, tc.args...)...)
		if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", tc.args, code, out, errs, tc.want)
		}
		if strings.Contains(errs, "goroutine") || strings.Contains(errs, "panic") {
			t.Errorf("%v: stack trace:\n%s", tc.args, errs)
		}
	}
}

// TestDotNotes: a program above --max-nodes is collapsed, then folded,
// with a note on stderr each time; -T dot gives the whole graph;
// --collapse chooses.
func TestDotNotes(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "cyc.yaml", `modules:
  Cyc:
    state: [input in(k), scratch a(k), scratch b(k), table c(k), output out(k)]
    rules:
      r: ['a(K) <= in(K)', 'a(K) <= c(K)', 'b(K) <= a(K)', 'c(K) <= b(K)', 'out(K) <= c(K)']
`)
	code, out, errs := runCLI(t, dir, "dot", "cyc.yaml", "--max-nodes", "5", "-T", "mermaid")
	if code != 0 || !strings.Contains(errs, "calmcheck: note: program Cyc has 5 collections") || !strings.Contains(out, `{{"a, b, c"}}`) {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, errs, out)
	}
	// Still too large once collapsed: folded, with a second note.
	code, out, errs = runCLI(t, dir, "dot", "cyc.yaml", "--max-nodes", "4", "-T", "mermaid")
	if code != 0 || !strings.Contains(errs, "calmcheck: note: program Cyc: still 5 nodes and 4 edges") || !strings.Contains(errs, "--focus COLLECTION") || !strings.Contains(out, `[/"module Cyc`) {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, errs, out)
	}
	// Asked for: every module folded but for the findings' collections
	// (here: none), in every format; --collapse=none never collapses.
	code, out, errs = runCLI(t, dir, "dot", "cyc.yaml", "--collapse=module", "-T", "dot")
	if code != 0 || errs != "" || !strings.Contains(out, "shape=folder") || !strings.Contains(out, `module Cyc\n5 collections`) {
		t.Errorf("--collapse=module: exit %d, stderr %q, stdout:\n%s", code, errs, out)
	}
	code, _, errs = runCLI(t, dir, "dot", "cyc.yaml", "--collapse=none", "--max-nodes", "4", "-T", "mermaid")
	if code != 0 || strings.Contains(errs, "collapse") || !strings.Contains(errs, "fast layout") {
		t.Errorf("--collapse=none: exit %d, stderr %q", code, errs)
	}
	for _, args := range [][]string{{"--collapse", "module"}, {"--collapse=sideways"}} {
		code, _, errs = runCLI(t, dir, append([]string{"dot", "cyc.yaml", "-T", "dot"}, args...)...)
		if code != 2 || !strings.Contains(errs, "--collapse") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
	code, out, errs = runCLI(t, dir, "dot", "cyc.yaml", "--max-nodes", "4", "-T", "dot")
	if code != 0 || errs != "" || strings.Contains(out, "octagon") {
		t.Errorf("-T dot: exit %d, stderr %q", code, errs)
	}
}
