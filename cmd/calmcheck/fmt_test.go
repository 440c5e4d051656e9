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
