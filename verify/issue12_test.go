package verify

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
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

// caseFinding returns the verdict on the point of order at the rule whose
// text contains text.
func caseFinding(t testing.TB, name string, rep *Report, text string) FindingReport {
	t.Helper()
	p, _ := loadCase(t, name)
	res := monotonic.Analyze(p, monotonic.Analyzers)
	for _, f := range res.Findings {
		if f.Check == "point-of-order" && f.Rule != nil && strings.Contains(f.Rule.Text, text) {
			return findingByPos(t, rep, "point-of-order", f.Pos.String())
		}
	}
	t.Fatalf("%s: no point of order on a rule with %q", name, text)
	return FindingReport{}
}

// An N experiment permutes the input's facts among its own timesteps,
// every other input fixed, and its witness stays a permutation after
// minimization; a divergence that the point of order does not cause (a
// notin over a table that holds nothing: neutralized, the difference
// stays) confirms neither the point of order nor the N pair.
func TestAdditiveRegisterNeverConfirmedN(t *testing.T) {
	rep := verifyCase(t, "additive-register", Options{Schedules: 200})
	if f := caseFinding(t, "additive-register", rep, "notin frozen"); f.Verdict == Confirmed {
		t.Errorf("the notin over an empty table is confirmed (witness %s)", f.Witness)
	}
	if p := pathByPair(t, rep, "put", "resp"); p.Label == "N" && p.Verdict == Confirmed {
		t.Errorf("put -> resp (N) confirmed by witness %s", p.Witness)
	}
	for _, w := range rep.Witnesses {
		if w.Kind == "input order" {
			assertPermutation(t, w)
		}
	}
}

// assertPermutation checks that the two executions of an input-order
// witness hold the same facts, each other input at the same timestep,
// and the facts of the varied input on the same timesteps (as a set).
func assertPermutation(t testing.TB, w *Witness) {
	t.Helper()
	if len(w.A.Inputs) != len(w.B.Inputs) {
		t.Fatalf("witness %s: %d and %d inputs", w.ID, len(w.A.Inputs), len(w.B.Inputs))
	}
	facts := func(x *Execution) (fixed, varied, ticks []string) {
		for _, in := range x.Inputs {
			f, _ := executor.ParseFact(in.Fact)
			if f.Collection == w.Input {
				varied = append(varied, in.Node+" "+in.Fact)
				ticks = append(ticks, fmt.Sprint(in.Tick))
			} else {
				fixed = append(fixed, fmt.Sprint(in.Tick, " ", in.Node, " ", in.Fact))
			}
		}
		slices.Sort(fixed)
		slices.Sort(varied)
		slices.Sort(ticks)
		return
	}
	fa, va, ta := facts(&w.A)
	fb, vb, tb := facts(&w.B)
	if !slices.Equal(fa, fb) || !slices.Equal(va, vb) || !slices.Equal(ta, tb) {
		t.Errorf("witness %s is not a permutation of %s's facts: A %v %v %v, B %v %v %v", w.ID, w.Input, fa, va, ta, fb, vb, tb)
	}
}

// Two upserts in swapped order derive the same set of facts, but the
// register ends differently and the get answers differently: the upsert
// is confirmed (neutralized, both orders answer alike), with the N pair.
func TestOverwrittenRegisterUpsertConfirmed(t *testing.T) {
	rep := verifyCase(t, "overwritten-register", Options{Schedules: 200})
	f := caseFinding(t, "overwritten-register", rep, "<+-")
	if f.Verdict != Confirmed {
		t.Fatalf("the upsert: %s", f.Verdict)
	}
	if w := witness(rep, f.Witness); w == nil || w.Kind != "input order" {
		t.Errorf("witness %+v", w)
	} else {
		assertPermutation(t, w)
	}
	if p := pathByPair(t, rep, "put", "resp"); p.Verdict != Confirmed {
		t.Errorf("put -> resp (%s): %s", p.Label, p.Verdict)
	}
}

// A same-timestep notin filter upstream of a real race is not blamed for
// it: the count is confirmed, the notin is not.
func TestHarmlessFilterNotBlamed(t *testing.T) {
	check := func(what string, rep *Report) {
		if f := caseFinding(t, "harmless-filter", rep, "notin bad"); f.Verdict == Confirmed {
			t.Errorf("%s: the harmless notin is confirmed (witness %s)", what, f.Witness)
		}
		for _, f := range rep.Findings {
			if f.Check == "missing-coordination" && f.Verdict == Confirmed && strings.Contains(f.Message, "notin") {
				t.Errorf("%s: missing coordination at the notin confirmed: %s", what, f.Message)
			}
		}
	}
	// The file's workload: a, spam, then b; the count is confirmed.
	rep := verifyCase(t, "harmless-filter", Options{Schedules: 300})
	if f := caseFinding(t, "harmless-filter", rep, "count<X>"); f.Verdict != Confirmed {
		t.Errorf("the count: %s", f.Verdict)
	}
	check("the file's workload", rep)
	// Generated workloads (which draw spam and other values).
	p, _ := loadCase(t, "harmless-filter")
	for seed := uint64(1); seed <= 3; seed++ {
		check(fmt.Sprintf("seed %d", seed), verifyComposed(t, p, Options{Seed: seed, Schedules: 300, Workloads: 3}))
	}
}

// A deletion that suppresses an output in one execution is confirmed,
// although the differing fact's lineage cannot name it.
func TestDeletionSuppressingOutputConfirmed(t *testing.T) {
	rep := verifyCase(t, "deletion-suppresses", Options{Schedules: 200})
	f := caseFinding(t, "deletion-suppresses", rep, "<-")
	if f.Verdict != Confirmed {
		t.Fatalf("the deletion: %s", f.Verdict)
	}
	w := witness(rep, f.Witness)
	if w == nil || len(w.Differs) == 0 {
		t.Fatalf("witness %+v", w)
	}
}
