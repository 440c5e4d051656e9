package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
)

// The tests of issue 12 ("verify's verdicts must be experiments that
// cannot be fooled"): one small spec under testdata per bullet of its
// "Why", each a program and, where the bullet needs one, a workload.

// loadCase loads testdata/NAME.yaml: its program (the file's only one) and
// its workload (nil when it has none).
func loadCase(t testing.TB, name string) (*modules.Program, *executor.Workload) {
	t.Helper()
	file := filepath.Join("testdata", name+".yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lib := modules.NewLibrary()
	if ds := lib.LoadData(file, data); ds.HasErrors() {
		t.Fatal(ds)
	}
	if len(lib.Programs) != 1 {
		t.Fatalf("%s: %d programs, want 1", file, len(lib.Programs))
	}
	var prog string
	for n := range lib.Programs {
		prog = n
	}
	p, ds := lib.ComposeProgram(prog)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var w *executor.Workload
	if strings.Contains(string(data), "\nworkload:") {
		var wds modules.Diagnostics
		w, wds = executor.ParseWorkload(file, data)
		if wds.HasErrors() {
			t.Fatal(wds)
		}
	}
	return p, w
}

func verifyCase(t testing.TB, name string, opts Options) *Report {
	t.Helper()
	p, w := loadCase(t, name)
	if opts.Workload == nil {
		opts.Workload = w
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	return verifyComposed(t, p, opts)
}

func pathByPair(t testing.TB, rep *Report, from, to string) PathReport {
	t.Helper()
	for _, p := range rep.Paths {
		if p.From == from && p.To == to {
			return p
		}
	}
	t.Fatalf("%s: no pair %s -> %s in %+v", rep.Program, from, to, rep.Paths)
	return PathReport{}
}

// A pair whose input no workload feeds, whose output is empty in every
// run, or whose every run ends in a runtime error is not tested, with why;
// never not reproduced. The errors are summarized by error, with their
// position.
func TestNotTested(t *testing.T) {
	rep := verifyCase(t, "unfed-input", Options{Schedules: 50})
	if p := pathByPair(t, rep, "b", "o"); p.Verdict != NotTested || !strings.Contains(p.Why, "no workload has facts of b") {
		t.Errorf("b -> o: %s (%s)", p.Verdict, p.Why)
	}
	if p := pathByPair(t, rep, "a", "o"); p.Verdict != NotReproduced {
		t.Errorf("a -> o: %s (%s)", p.Verdict, p.Why)
	}

	rep = verifyCase(t, "empty-output", Options{Schedules: 50})
	if p := pathByPair(t, rep, "get", "resp"); p.Verdict != NotTested || !strings.Contains(p.Why, "resp was empty in every run") {
		t.Errorf("get -> resp: %s (%s)", p.Verdict, p.Why)
	}

	rep = verifyCase(t, "every-run-fails", Options{Schedules: 50})
	p := pathByPair(t, rep, "put", "out")
	if p.Verdict != NotTested || !strings.Contains(p.Why, "every run ended in a runtime error") || !strings.Contains(p.Why, "every-run-fails.yaml:12:11: key-conflict") {
		t.Errorf("put -> out: %s (%s)", p.Verdict, p.Why)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Check != "key-conflict" || rep.Errors[0].Pos.Line != 12 || rep.Errors[0].Runs == 0 {
		t.Errorf("errors by kind: %+v", rep.Errors)
	}
}
