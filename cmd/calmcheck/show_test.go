package main

import (
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
)

// TestShowBuiltinModule: show prints a built-in module's YAML with its
// file:line, as a fragment that loads as a spec file and gives the same
// module. There was no way to print it ("calmcheck modules CartProtocol":
// no such file or directory).
func TestShowBuiltinModule(t *testing.T) {
	code, out, errs := runCLI(t, t.TempDir(), "show", "CartProtocol")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := "# module CartProtocol: " + specLine(t, "cart.yaml", "  CartProtocol:") + ", built-in\nmodules:\n  CartProtocol:\n"
	if !strings.HasPrefix(out, want) {
		t.Errorf("output starts %q, want %q", out[:min(len(out), len(want))], want)
	}
	lib := modules.NewLibrary()
	if ds := lib.LoadData("shown.yaml", []byte(out)); ds.HasErrors() {
		t.Fatalf("the fragment does not load: %v\n%s", ds, out)
	}
	m := lib.Modules["CartProtocol"]
	if m == nil || len(m.State) != 3 || !strings.HasPrefix(m.Doc, "The messages between cart clients") {
		t.Errorf("the fragment's module: %+v", m)
	}
	if strings.Contains(out, "CartClient:") {
		t.Errorf("the next module is printed too:\n%s", out)
	}
}

func TestShowProgramAndUserModule(t *testing.T) {
	code, out, _ := runCLI(t, t.TempDir(), "show", "basic-kvs")
	if code != 0 || !strings.Contains(out, "# program basic-kvs: specs/calmcheck.yaml:") || !strings.Contains(out, "programs:\n  basic-kvs:\n") {
		t.Errorf("program: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	write(t, dir, "mine.yaml", "# my module\nmodules:\n  # the counter\n  Mine:\n    state: [input in(x), output out(x)]\n    rules:\n      r: ['out(X) <= in(X)']\n\n  Other:\n    state: [table t(x)]\n")
	code, out, _ = runCLI(t, dir, "show", "Mine", "mine.yaml")
	want := "# module Mine: mine.yaml:4\nmodules:\n  # the counter\n  Mine:\n    state: [input in(x), output out(x)]\n    rules:\n      r: ['out(X) <= in(X)']\n"
	if code != 0 || out != want {
		t.Errorf("user module: exit %d\n%s\nwant\n%s", code, out, want)
	}
}

func TestShowErrors(t *testing.T) {
	code, _, errs := runCLI(t, t.TempDir(), "show", "CartProtocl")
	if code != 2 || !strings.Contains(errs, `no module or program named "CartProtocl" (did you mean CartProtocol?)`) {
		t.Errorf("unknown name: exit %d, %s", code, errs)
	}
	code, _, errs = runCLI(t, t.TempDir(), "modules", "CartProtocol")
	if code != 2 || !strings.Contains(errs, "calmcheck show CartProtocol") {
		t.Errorf("modules NAME: exit %d, %s", code, errs)
	}
}
