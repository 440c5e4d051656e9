package modules

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeParallelFixture writes a directory of spec files that exercises
// concurrent loading: more files than the prefetch window, a file large
// enough to be preparsed (with non-ASCII text, an alias, the long forms of
// rules and blocks, errors in rules and declarations), a lattice whose
// functions the rules call, and a specs: entry that loads a later file of
// the same directory before its turn.
func writeParallelFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	b.WriteString(`lattices:
  Top:
    doc: a lattice whose functions the rules call
    bottom: 0
    merge: max(a, b)
    functions:
      bump(x): x + 1
modules:
  Big:
    doc: "ünïcode → everywhere"
    state:
      - input in0(k, v)
      - bad decl here
`)
	for i := range 300 {
		fmt.Fprintf(&b, "      - scratch s%d(k, v)  # é\n", i)
	}
	b.WriteString("    rules:\n")
	for blk := range 6 {
		fmt.Fprintf(&b, "      b%d:\n", blk)
		if blk == 2 {
			b.WriteString("        coordinated: \"ordré\"\n        rules:\n")
		}
		for i := range 60 {
			ind := "        "
			if blk == 2 {
				ind += "  "
			}
			switch {
			case i == 7:
				fmt.Fprintf(&b, "%s- \"s%d(K, V) <= s%d(K, W), V := bump(W), notin s%d(K, \\\"é\\\")\"\n", ind, (blk*60+i)%300, (blk*60+i+1)%300, i)
			case i == 9:
				fmt.Fprintf(&b, "%s- {rule: \"s%d(K, V) <= s%d(K, V)\", coordinated: why}\n", ind, i, i+1)
			case i == 11 && blk == 1:
				fmt.Fprintf(&b, "%s- &r s%d(K, V) <= s%d(K, V)\n%s- *r\n", ind, i, i+2, ind)
			case i == 13:
				fmt.Fprintf(&b, "%s- s%d(K V) <= syntax error é\n", ind, i)
			default:
				fmt.Fprintf(&b, "%s- s%d(K, V) <= s%d(K, V), in0(K, _)\n", ind, (blk*60+i)%300, (blk*60+i+7)%300)
			}
		}
	}
	write("a_big.yaml", b.String())
	write("b_nested.yaml", "specs: [z_last.yaml]\nmodules:\n  Nested:\n    include: [Last]\n")
	for i := range 9 {
		write(fmt.Sprintf("m%02d.yaml", i), fmt.Sprintf("modules:\n  Small%d:\n    state: [input x%d(k), output y%d(k)]\n    rules:\n      r: [\"y%d(K) <= x%d(K)\"]\n", i, i, i, i, i))
	}
	write("m05_broken.yaml", "modules: [not, a, mapping\n")
	write("z_last.yaml", "modules:\n  Last:\n    state: [table t(k)]\n")
	return dir
}

// TestLoadConcurrentSameAsSequential: loading with other cores (files
// decoded ahead, large files' rules parsed concurrently) gives the same
// library and the same diagnostics, in the same order, as a sequential
// load.
func TestLoadConcurrentSameAsSequential(t *testing.T) {
	dir := writeParallelFixture(t)
	load := func(procs int) (*Library, Diagnostics) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		lib := NewLibrary()
		ds := lib.LoadPath(dir)
		return lib, ds
	}
	before := runtime.NumGoroutine()
	seqLib, seqDs := load(1)
	if seqLib.ahead.files != 0 || seqLib.ahead.parsed != 0 {
		t.Errorf("one core: %+v loaded ahead", seqLib.ahead)
	}
	for _, procs := range []int{2, 4, 16} {
		lib, ds := load(procs)
		if !reflect.DeepEqual(seqDs, ds) {
			t.Errorf("GOMAXPROCS=%d: diagnostics differ:\nsequential:\n%v\nconcurrent:\n%v", procs, seqDs, ds)
		}
		if !reflect.DeepEqual(seqLib.Files, lib.Files) {
			t.Errorf("GOMAXPROCS=%d: files %v, sequential %v", procs, lib.Files, seqLib.Files)
		}
		if !reflect.DeepEqual(seqLib.Modules, lib.Modules) {
			t.Errorf("GOMAXPROCS=%d: modules differ from a sequential load", procs)
		}
		if len(lib.pre) != 0 {
			t.Errorf("GOMAXPROCS=%d: %d prefetched files never taken", procs, len(lib.pre))
		}
		// It did load ahead: every file but the one a specs: entry
		// loads out of turn, and every rule and declaration of a_big.
		if lib.ahead.files < len(lib.Files)-1 || lib.ahead.parsed < 600 {
			t.Errorf("GOMAXPROCS=%d: %d of %d files decoded ahead, %d rules and declarations parsed ahead", procs, lib.ahead.files, len(lib.Files), lib.ahead.parsed)
		}
	}
	// Every reader has finished: none waits for a place in the window.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left behind by the loads", n-before)
	}
	// The fixture reaches what it is meant to: a preparsed file with
	// errors, the nested load, the alias.
	if n := len(seqLib.Modules["Big"].State); n < minPreparse/2 {
		t.Fatalf("Big has %d declarations: too few to test preparse", n)
	}
	if seqLib.Modules["Last"] == nil || seqLib.Modules["Nested"] == nil {
		t.Fatalf("the nested specs: entry was not loaded: %v", seqLib.Files)
	}
	var syntax, decl int
	for _, d := range seqDs {
		switch {
		case strings.Contains(d.Pos.File, "a_big") && d.Check == "syntax":
			syntax++
		case strings.Contains(d.Pos.File, "a_big"):
			decl++
		}
	}
	if syntax < 6 || decl == 0 {
		t.Fatalf("want the fixture's rule and declaration errors, got %d syntax and %d other in:\n%v", syntax, decl, seqDs)
	}
	// Files named one by one (the command line, a specs: list) are
	// decoded ahead too.
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) < 10 {
		t.Fatalf("glob: %v %v", files, err)
	}
	slices.Reverse(files)
	loadFiles := func(procs int) (*Workspace, Diagnostics) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return LoadWorkspace(nil, "", files)
	}
	seqW, seqWDs := loadFiles(1)
	for _, procs := range []int{2, 16} {
		w, ds := loadFiles(procs)
		if !reflect.DeepEqual(seqWDs, ds) || !reflect.DeepEqual(seqW.Lib.Modules, w.Lib.Modules) || !reflect.DeepEqual(seqW.Lib.Files, w.Lib.Files) {
			t.Errorf("GOMAXPROCS=%d: loading the files one by one differs from a sequential load", procs)
		}
	}
	var aliased []*Rule
	for _, r := range seqLib.Modules["Big"].Block("b1").Rules {
		if r.Text == "s11(K, V) <= s13(K, V)" {
			aliased = append(aliased, r)
		}
	}
	if len(aliased) != 2 || aliased[0] == aliased[1] || aliased[0].Index == aliased[1].Index {
		t.Fatalf("the aliased rule: want two rules of its text, got %v", aliased)
	}
}
