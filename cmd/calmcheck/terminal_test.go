package main

import (
	"bytes"
	"github.com/calmcheck/calmcheck/modules"
	"math"
	"os"
	"runtime/debug"
	"testing"
)

// TestIsTerminal: a character device that is no terminal (/dev/null), a
// pipe, a file and a buffer are not terminals: output sent to them is
// neither wrapped nor coloured.
func TestIsTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, out := range map[string]any{"/dev/null": null, "a pipe": w, "a file": f, "a buffer": &bytes.Buffer{}} {
		w := out.(interface{ Write([]byte) (int, error) })
		if isTerminal(w) {
			t.Errorf("%s is taken for a terminal", name)
		}
		if terminalWidth(w) != 0 || useColor("auto", w) {
			t.Errorf("%s: output would be wrapped or coloured", name)
		}
	}
}

// TestCapHeap: loading runs at GOGC=400 and restores GOGC; then lint
// caps the heap at heapCap (or heapPerItem per rule and collection, when
// more) and runs at GOGC=300 under the cap, unless GOMEMLIMIT or GOGC say
// otherwise, and restores both when it returns.
func TestCapHeap(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "")
	restore := loosenGC()
	if got := debug.SetGCPercent(-1); got != loadGCPercent {
		t.Errorf("GOGC while loading: %d, want %d", got, loadGCPercent)
	}
	debug.SetGCPercent(loadGCPercent)
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC after loading: %d, want 100 back", got)
	}
	t.Setenv("GOGC", "")
	lift := capHeap(nil)
	if got := debug.SetMemoryLimit(-1); got != heapCap {
		t.Errorf("memory limit of a small program: %d, want %d", got, heapCap)
	}
	if got := debug.SetGCPercent(analysisGCPercent); got != analysisGCPercent {
		t.Errorf("GOGC of the analysis: %d, want %d", got, analysisGCPercent)
	}
	lift()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit after lint: %d, want none", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC after lint: %d, want 100 back", got)
	}
	big := &modules.Program{Rules: make([]*modules.Rule, 200_000), Collections: make([]*modules.Decl, 100_000)}
	t.Setenv("GOGC", "100")
	lift = capHeap([]*modules.Program{big})
	if got := debug.SetMemoryLimit(-1); got != 300_000*heapPerItem {
		t.Errorf("memory limit of a program of 300,000 rules and collections: %d, want %d", got, 300_000*heapPerItem)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, GOGC became %d", got)
	}
	lift()
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "10GiB")
	capHeap(nil)()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set, the limit became %d", got)
	}
}
