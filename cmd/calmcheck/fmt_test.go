package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const unformatted = "modules:\n  A:\n    state: ['table t(a)']\n    rules:\n      r: ['t(X)<=t(X)']   # keep me\n"
const formatted = "modules:\n  A:\n    state:\n      - table t(a)\n    rules:\n      r:  # keep me\n        - t(X) <= t(X)\n"

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "specs/a.yaml", unformatted)
	write(t, dir, "specs/b.yaml", formatted)

	code, out, errs := runCLI(t, dir, "fmt", "-l", "specs")
	if code != 1 || out != filepath.Join("specs", "a.yaml")+"\n" || errs != "" {
		t.Errorf("fmt -l: exit %d, %q, %q", code, out, errs)
	}
	code, out, _ = runCLI(t, dir, "fmt", "-d", "specs/a.yaml")
	if code != 1 || !strings.Contains(out, "-    state: ['table t(a)']\n+    state:\n+      - table t(a)\n") {
		t.Errorf("fmt -d: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, dir, "fmt", "specs/a.yaml")
	if code != 0 || out != formatted {
		t.Errorf("fmt: exit %d\n%s", code, out)
	}
	code, _, _ = runCLI(t, dir, "fmt", "-w", "specs")
	if got, _ := os.ReadFile(filepath.Join(dir, "specs", "a.yaml")); code != 0 || string(got) != formatted {
		t.Errorf("fmt -w: exit %d\n%s", code, got)
	}
	code, out, _ = runCLI(t, dir, "fmt", "-l", "specs")
	if code != 0 || out != "" {
		t.Errorf("fmt -l after -w: exit %d %q", code, out)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "specs"))
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestFmtBrokenFileUntouched(t *testing.T) {
	dir := t.TempDir()
	const broken = "modules:\n  A:\n    state: ['tabel t(a)']\n"
	write(t, dir, "bad.yaml", broken)
	code, _, errs := runCLI(t, dir, "fmt", "-w", "bad.yaml")
	if code != 2 || !strings.Contains(errs, "bad.yaml:3:14: error: unknown collection kind") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "bad.yaml")); string(got) != broken {
		t.Errorf("broken file changed:\n%s", got)
	}
}

func TestFmtStdin(t *testing.T) {
	root := newRootCmd(nil, nil)
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(strings.NewReader(unformatted))
	root.SetArgs([]string{"fmt"})
	if err := root.Execute(); err != nil || out.String() != formatted {
		t.Errorf("%v %q %q", err, out.String(), errb.String())
	}
}

// TestBuiltinSpecsFormatted: the built-in library and its workloads are
// in fmt's canonical layout (what CI runs: calmcheck fmt -l specs/).
func TestBuiltinSpecsFormatted(t *testing.T) {
	code, out, errs := runCLI(t, filepath.Join("..", ".."), "fmt", "-l", "specs/")
	if code != 0 || out != "" || errs != "" {
		t.Errorf("calmcheck fmt -l specs/: exit %d, not formatted:\n%s%s(run calmcheck fmt -w specs/; see docs/spec.md, Canonical layout)", code, out, errs)
	}
}

// TestFmtWorkload: a file with a workload key, alone or beside modules, is
// laid out too (it was returned untouched), numbers stay numbers.
func TestFmtWorkload(t *testing.T) {
	dir := t.TempDir()
	const messy = "workload:\n  nodes:   [a,b]\n  program: p\n  network:\n    delay: [1, 3]\n    policy: random\n    drop: 0.5\n" +
		"  inputs:\n    - fact: 'in(1)'\n      tick: 2\n      node: a\n  max_ticks: 40\n" +
		"modules:\n  A:\n    state: ['input in(x)', 'output out(x)']\n    rules:\n      r: ['out(X)<=in(X)']\n" +
		"programs:\n  p: [A]\n"
	const want = "modules:\n  A:\n    state:\n      - input  in(x)\n      - output out(x)\n    rules:\n      r:\n        - out(X) <= in(X)\n\n" +
		"programs:\n  p: [A]\n\n" +
		"workload:\n  program: p\n  nodes: [a, b]\n  inputs:\n    - {node: a, tick: 2, fact: in(1)}\n  network: {policy: random, delay: [1, 3], drop: 0.5}\n  max_ticks: 40\n"
	write(t, dir, "w.yaml", messy)
	code, out, errs := runCLI(t, dir, "fmt", "w.yaml")
	if code != 0 || out != want || errs != "" {
		t.Errorf("fmt: exit %d %s\ngot:\n%s\nwant:\n%s", code, errs, out, want)
	}
	code, out, _ = runCLI(t, dir, "fmt", "-l", "w.yaml")
	if code != 1 || out != "w.yaml\n" {
		t.Errorf("fmt -l lists a workload file that is not formatted: exit %d %q", code, out)
	}
	write(t, dir, "w.yaml", want)
	code, out, _ = runCLI(t, dir, "fmt", "-l", "w.yaml")
	if code != 0 || out != "" {
		t.Errorf("fmt -l on a formatted workload file: exit %d %q", code, out)
	}
}
