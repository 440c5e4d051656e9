// Package builtintest gives tests the programs of the built-in library.
package builtintest

import (
	"testing"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
)

// Programs composes every program of the built-in library, as `calmcheck
// lint` does without a path, and fails the test if one does not compose.
func Programs(t testing.TB) []*modules.Program {
	t.Helper()
	w, ds := modules.LoadWorkspace(specs.FS, "specs", nil)
	if ds.HasErrors() {
		t.Fatalf("built-in library: %v", ds)
	}
	progs, ds := w.Select(nil, nil)
	if ds.HasErrors() || len(progs) < 20 {
		t.Fatalf("built-in programs: %d, %v", len(progs), ds)
	}
	return progs
}
