package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInit(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, dir, "init")
	if code != 0 || out != "wrote calmcheck.yaml\nwrote counter.yaml\nnext: calmcheck lint\n" || errs != "" {
		t.Fatalf("init: exit %d %q %q", code, out, errs)
	}
	// The example is clean: no finding at all, even at the note gate.
	code, out, errs = runCLI(t, dir, "lint", "--fail-on", "note")
	if code != 0 || !strings.Contains(out, "0 errors, 0 warnings, 0 notes") {
		t.Errorf("lint of the example: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI(t, dir, "fmt", "-l", "calmcheck.yaml", "counter.yaml")
	if code != 0 {
		t.Errorf("the example is not formatted: %s", out)
	}
	// A second init writes nothing.
	if err := os.WriteFile(filepath.Join(dir, "counter.yaml"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI(t, dir, "init")
	if code != 2 || !strings.Contains(errs, "calmcheck.yaml: error: already exists") {
		t.Errorf("second init: exit %d %q", code, errs)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "counter.yaml")); string(got) != "mine" {
		t.Errorf("init overwrote counter.yaml")
	}
}
