package verify

import (
	"context"
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
	// What the witness shows: replayed, the upsert derives the same set
	// of facts in both executions (a comparison of sets would not credit
	// it), but the register ends with another value, and the get answers
	// differently.
	p, _ := loadCase(t, "overwritten-register")
	cp, ds := executor.Compile(p)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	w := witness(rep, f.Witness)
	back, err := ParseReplay((&ReplayFile{Format: ReplayFormat, Program: p.Name, Seed: 1, Witness: w}).Marshal())
	if err != nil {
		t.Fatal(err)
	}
	wa, wb, sa, sb, err := back.Runs()
	if err != nil {
		t.Fatal(err)
	}
	upsert := slices.IndexFunc(p.Rules, func(r *modules.Rule) bool { return strings.Contains(r.Text, "<+-") })
	var derived, final, outs []string
	for _, x := range []struct {
		w *executor.Workload
		s *executor.Schedule
	}{{wa, sa}, {wb, sb}} {
		s, ds := executor.Bind(cp, x.w)
		if s == nil {
			t.Fatal(ds)
		}
		res := s.Run(context.Background(), executor.Options{Scheduler: x.s, Lineage: true})
		var d []string
		for _, rf := range res.Lineage.Derived {
			if rf.Rule == upsert {
				for _, nf := range rf.Facts {
					d = append(d, nf.Node+" "+nf.Fact.String())
				}
			}
		}
		slices.Sort(d)
		derived = append(derived, strings.Join(d, ", "))
		var tables []string
		for _, n := range res.Nodes {
			for _, f := range n.Tables {
				if f.Collection == "reg" {
					tables = append(tables, f.String())
				}
			}
		}
		final = append(final, strings.Join(tables, ", "))
		outs = append(outs, outcomeOf(res, nil).key())
	}
	if derived[0] != derived[1] || derived[0] == "" {
		t.Errorf("the upsert derived %q and %q: want the same set", derived[0], derived[1])
	}
	if final[0] == final[1] || outs[0] == outs[1] {
		t.Errorf("the register ends as %q and %q, outputs %q and %q: want them to differ", final[0], final[1], outs[0], outs[1])
	}
	if p := pathByPair(t, rep, "get", "resp"); p.Verdict != NotTested || !strings.Contains(p.Why, "two facts of get") {
		t.Errorf("get -> resp (N, one get in the workload): %s (%s)", p.Verdict, p.Why)
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

// A point of order that a seal covers, confirmed in runs whose senders
// keep the seal (every vote sent before the close), is a broken seal: the
// module answers without waiting for what the seal promises.
func TestBrokenSeal(t *testing.T) {
	rep := verifyCase(t, "broken-seal", Options{Schedules: 200, Workloads: 3})
	f := caseFinding(t, "broken-seal", rep, "count<V>")
	if f.Verdict != Confirmed || f.Broken != "broken-seal" || f.Acknowledged == "" {
		t.Fatalf("the sealed count: %s, broken %q, acknowledged %q", f.Verdict, f.Broken, f.Acknowledged)
	}
	w := witness(rep, f.Witness)
	if w == nil {
		t.Fatalf("witness %+v", w)
	}
	// In the witness the senders keep the seal: no vote of a choice is
	// sent after its close.
	closed := map[string]int{}
	for _, in := range w.A.Inputs {
		if strings.HasPrefix(in.Fact, "close(") {
			c := in.Fact[strings.LastIndex(in.Fact, ",")+1:]
			closed[strings.TrimSuffix(strings.TrimSpace(c), ")")] = in.Tick
		}
	}
	for _, in := range w.A.Inputs {
		if strings.HasPrefix(in.Fact, "vote(") {
			c := strings.TrimSuffix(strings.TrimSpace(in.Fact[strings.LastIndex(in.Fact, ",")+1:]), ")")
			if t0, ok := closed[c]; ok && in.Tick >= t0 {
				t.Errorf("vote %s at t%d after the close of its choice at t%d", in.Fact, in.Tick, t0)
			}
		}
	}
}

// The built-in SealedCart keeps its seal: nothing broken.
func TestSealedCartKeepsItsSeal(t *testing.T) {
	rep := verifyProgram(t, builtinLib(t), "sealed-cart", Options{Seed: 1, Schedules: 300,
		ProtocolWorkloads: []*executor.Workload{builtinWorkload(t, "sealed-cart")}})
	for _, f := range rep.Findings {
		if f.Broken != "" {
			t.Errorf("%s at %s: %s (witness %s)", f.Check, f.Pos, f.Broken, f.Witness)
		}
	}
}

// Every witness of the built-in library replays (as calmcheck run
// --replay does, from its replay file) to the same two executions: the
// same deliveries and output facts as recorded, and two different
// outcomes.
func TestEveryBuiltinWitnessReplays(t *testing.T) {
	lib := builtinLib(t)
	var names []string
	for n := range lib.Programs {
		names = append(names, n)
	}
	slices.Sort(names)
	witnesses := 0
	for _, name := range names {
		p, ds := lib.ComposeProgram(name)
		if ds.HasErrors() {
			continue
		}
		rep := verifyComposed(t, p, Options{Seed: 1, Schedules: 200, Workloads: 3})
		for _, w := range rep.Witnesses {
			witnesses++
			rf := &ReplayFile{Format: ReplayFormat, Program: name, Seed: 1, Witness: w}
			back, err := ParseReplay(rf.Marshal())
			if err != nil {
				t.Fatal(err)
			}
			wa, wb, sa, sb, err := back.Runs()
			if err != nil {
				t.Fatal(err)
			}
			var outs []string
			for i, x := range []struct {
				w *executor.Workload
				s *executor.Schedule
				e *Execution
			}{{wa, sa, &back.Witness.A}, {wb, sb, &back.Witness.B}} {
				s, ds := executor.Prepare(lib, x.w)
				if ds.HasErrors() {
					t.Fatalf("%s %s: %v", name, w.ID, ds)
				}
				res := s.Run(context.Background(), executor.Options{Scheduler: x.s, Deliveries: true})
				if diffs := x.e.Check(res); len(diffs) > 0 {
					t.Errorf("%s witness %s, execution %d: %v", name, w.ID, i, diffs)
				}
				outs = append(outs, outcomeOf(res, nil).key())
			}
			if outs[0] == outs[1] {
				t.Errorf("%s witness %s: the two executions replay to the same outputs", name, w.ID)
			}
		}
	}
	if witnesses < 10 {
		t.Errorf("only %d witnesses in the built-in library", witnesses)
	}
	t.Logf("%d witnesses of %d programs replayed", witnesses, len(names))
}

// Generated workloads worth running: a column compared with a constant
// takes it and other values; a table only a deletion writes is filled; a
// role table (the sequencer) names one node everywhere, so that the
// ordered delivery's runs do not end in key conflicts; and every workload
// reports its rule coverage.
func TestGeneratedWorkloadsWorthRunning(t *testing.T) {
	p, _ := loadCase(t, "harmless-filter")
	gen := newGenerator(monotonic.Analyze(p, monotonic.Analyzers).Graph)
	values := map[string]bool{}
	for j := range 6 {
		for _, in := range gen.generate(1, j, 100).inputs {
			values[in.Fact.Args[1].String()] = true
		}
	}
	if !values[`"spam"`] || len(values) < 2 {
		t.Errorf("x takes %v: want the constant spam and other values", values)
	}

	p, _ = loadCase(t, "deletion-only-table")
	gen = newGenerator(monotonic.Analyze(p, monotonic.Analyzers).Graph)
	if w := gen.generate(1, 0, 100); len(w.facts) == 0 || w.facts[0].Fact.Collection != "allowed" {
		t.Errorf("allowed is not filled: %v", w.facts)
	}
	rep := verifyComposed(t, p, Options{Seed: 1, Schedules: 50, Workloads: 2})
	for _, w := range rep.Workloads {
		if w.RulesTotal != 2 || w.Rules+len(w.Unreached) != 2 {
			t.Errorf("workload %s: coverage %d of %d, unreached %v", w.Name, w.Rules, w.RulesTotal, w.Unreached)
		}
	}
	if pr := pathByPair(t, rep, "req", "ok"); pr.Verdict == NotTested {
		t.Errorf("req -> ok not tested: %s", pr.Why)
	}

	lib := builtinLib(t)
	rep = verifyProgram(t, lib, "delivery-ordered", Options{Seed: 1, Schedules: 100})
	if len(rep.Errors) > 0 {
		t.Errorf("delivery-ordered: runs ended in errors: %v", rep.Errors)
	}
	op, _ := lib.ComposeProgram("delivery-ordered")
	gen = newGenerator(monotonic.Analyze(op, monotonic.Analyzers).Graph)
	w := gen.generate(1, 1, 100)
	seqr := map[string]bool{}
	for _, f := range w.facts {
		if f.Fact.Collection == "sequencer" {
			seqr[f.Fact.Args[0].String()] = true
		}
	}
	if len(seqr) != 1 {
		t.Errorf("sequencers %v, want one", seqr)
	}
}

// A Bot pair whose output diverges with every input fixed is contradicted,
// unless a snapshot read on its paths explains it: every differing fact
// derived through the snapshot rule by monotone rules only (stale, never
// wrong), which the sound-labels analysis marks with a snapshot-read note.
func TestContextContradictionAndSnapshotRead(t *testing.T) {
	p, w := loadCase(t, "snapshot-read")
	res := monotonic.Analyze(p, monotonic.Analyzers)
	fs := monotonic.Finish(p, res.Findings, monotonic.Options{})
	run := func(fs []monotonic.Finding) PathReport {
		rep, ds := Verify(context.Background(), p, res, fs, Options{Seed: 1, Schedules: 100, Workload: w})
		if rep == nil {
			t.Fatal(ds)
		}
		return pathByPair(t, rep, "get", "resp")
	}
	// The analysis reports the snapshot read; without its note, the
	// divergence is a contradiction.
	without := slices.DeleteFunc(slices.Clone(fs), func(f monotonic.Finding) bool { return f.Check == "snapshot-read" })
	if len(without) == len(fs) {
		t.Errorf("the analysis reports no snapshot read on the get")
	}
	if pr := run(without); pr.Label != "Bot" || pr.Verdict != Contradiction {
		t.Fatalf("without a snapshot read: get -> resp (%s) %s", pr.Label, pr.Verdict)
	}
	var get *modules.Rule
	for _, r := range p.Rules {
		if strings.HasPrefix(r.Text, "resp(") {
			get = r
		}
	}
	snap := monotonic.Finding{Check: "snapshot-read", Rule: get, Pos: get.Pos, Severity: modules.Note}
	pr := run(append(without, snap))
	if pr.Verdict == Contradiction || pr.Stale == 0 {
		t.Errorf("with a snapshot read: get -> resp %s, %d stale divergences", pr.Verdict, pr.Stale)
	}
}

// A D pair whose input causes the divergence only by an absence (the
// tick, arriving first, suppresses the answer through a notin; no
// differing fact has it in its lineage) is confirmed, with a witness,
// by replaying both executions without the input; an input that reaches
// the same notin but whose removal changes nothing is not.
func TestInputCausesByAbsence(t *testing.T) {
	rep := verifyCase(t, "absence-input", Options{Schedules: 300})
	p := pathByPair(t, rep, "tick", "open")
	if p.Verdict != Confirmed || p.Witness == "" {
		t.Fatalf("tick -> open: %s, witness %q", p.Verdict, p.Witness)
	}
	w := witness(rep, p.Witness)
	hasTick := false
	for _, in := range w.A.Inputs {
		hasTick = hasTick || strings.HasPrefix(in.Fact, "tick(")
	}
	if !hasTick || len(w.Differs) == 0 {
		t.Errorf("witness %s: tick among its inputs %v, differences %v", w.ID, hasTick, w.Differs)
	}
	if p := pathByPair(t, rep, "skip", "open"); p.Verdict == Confirmed {
		t.Errorf("skip -> open confirmed (witness %s)", p.Witness)
	}
	if p := pathByPair(t, rep, "ask", "open"); p.Verdict != Confirmed {
		t.Errorf("ask -> open: %s", p.Verdict)
	}
}

// A point of order that a declared coordination covers, confirmed by a
// schedule experiment on a workload that follows the protocol, is a
// broken coordination (its acknowledgement does not hide it), with a
// witness whose two executions have the same inputs; the mechanism of a
// coordination is never blamed.
func TestBrokenCoordination(t *testing.T) {
	rep := verifyCase(t, "broken-coordination", Options{Schedules: 200})
	f := caseFinding(t, "broken-coordination", rep, "count<X>")
	if f.Verdict != Confirmed || f.Broken != "broken-coordination" || f.Acknowledged == "" {
		t.Fatalf("the coordinated count: %s, broken %q, acknowledged %q", f.Verdict, f.Broken, f.Acknowledged)
	}
	w := witness(rep, f.Witness)
	if w == nil || w.Kind != "schedule" || fmt.Sprint(w.A.Inputs) != fmt.Sprint(w.B.Inputs) || len(w.Differs) == 0 {
		t.Fatalf("witness %+v", w)
	}
	// A generated workload need not follow the protocol: nothing is
	// called broken on one.
	p, _ := loadCase(t, "broken-coordination")
	for _, f := range verifyComposed(t, p, Options{Seed: 1, Schedules: 100, Workloads: 2}).Findings {
		if f.Broken != "" {
			t.Errorf("generated workloads: %s at %s is %s", f.Check, f.Pos, f.Broken)
		}
	}
}

// The built-in ordered cart and the ordered to-do list keep their
// coordination on the workloads that follow it (one sequencer): nothing
// broken, and the covered points of order were tried there.
func TestOrderedDeliveryKeepsItsCoordination(t *testing.T) {
	rep := verifyProgram(t, builtinLib(t), "ordered-cart", Options{Seed: 1, Schedules: 300,
		ProtocolWorkloads: []*executor.Workload{builtinWorkload(t, "ordered-cart")}})
	tried := 0
	for _, f := range rep.Findings {
		if f.Broken != "" {
			t.Errorf("%s at %s: %s (witness %s)", f.Check, f.Pos, f.Broken, f.Witness)
		}
		if strings.HasPrefix(f.Acknowledged, "coordinated") && f.Check == "point-of-order" {
			// The 6 generated workloads and the built-in one.
			if f.Workloads != DefaultWorkloads+1 {
				t.Errorf("%s at %s tried on %d workloads", f.Check, f.Pos, f.Workloads)
			}
			tried++
		}
	}
	if tried == 0 {
		t.Errorf("no coordinated point of order")
	}
}

// Generated workloads keep the program's keys and reach its outputs:
// VoteCollector keeps vote_request(txn) => (n) in vote_wait(txn) => (n),
// so a generated transaction has one n (and a voter one vote), and n is
// a small integer (a bound ge compares a size with); the ordered cart's
// actions go through pipe_in's payload list [I, A] and the cart compares
// A with "A" and "D" on the other side, so the actions take those
// values. Their pairs are then tested, not "not tested". A store that
// overwrites a key itself (a deletion) still gets two values for a key.
// The lattice store's watches meet the values put.
func TestGeneratedWorkloadsKeepKeys(t *testing.T) {
	lib := builtinLib(t)
	rep := verifyProgram(t, lib, "vote-collector", Options{Seed: 1, Schedules: 100})
	if len(rep.Errors) > 0 {
		t.Errorf("vote-collector: runs ended in errors: %v", rep.Errors)
	}
	for _, p := range rep.Paths {
		if p.Verdict == NotTested {
			t.Errorf("vote-collector %s -> %s: not tested: %s", p.From, p.To, p.Why)
		}
	}
	rep = verifyProgram(t, lib, "ordered-cart", Options{Seed: 1, Schedules: 100})
	for _, in := range []string{"client_action", "client_checkout"} {
		if p := pathByPair(t, rep, in, "client_response"); p.Verdict == NotTested {
			t.Errorf("ordered-cart %s -> client_response: not tested: %s", in, p.Why)
		}
	}
	op, _ := lib.ComposeProgram("ordered-cart")
	gen := newGenerator(monotonic.Analyze(op, monotonic.Analyzers).Graph)
	actions := map[string]bool{}
	for j := range 6 {
		for _, in := range gen.generate(1, j, 100).inputs {
			if in.Fact.Collection == "client_action" {
				actions[in.Fact.Args[4].String()] = true
			}
		}
	}
	if !actions[`"A"`] || !actions[`"D"`] {
		t.Errorf("the ordered cart's actions take %v, want \"A\" and \"D\" among them", actions)
	}

	vp, _ := lib.ComposeProgram("vote-collector")
	gen = newGenerator(monotonic.Analyze(vp, monotonic.Analyzers).Graph)
	for j := range 6 {
		n := map[string]string{}
		for _, in := range gen.generate(1, j, 100).inputs {
			if in.Fact.Collection != "vote_request" {
				continue
			}
			txn, v := in.Fact.Args[0].String(), in.Fact.Args[1]
			if old, ok := n[txn]; ok && old != v.String() {
				t.Errorf("workload %d: vote_request(%s) with n %s and %s", j, txn, old, v)
			}
			n[txn] = v.String()
			if _, ok := v.AsInt(); !ok {
				t.Errorf("workload %d: n = %s, not an integer", j, v)
			}
		}
	}

	// A watch of a value meets the puts of that value: the value columns
	// of the two inputs are one class (contains(Vs, V) with lkv_store(K,
	// [V])), drawn from a small domain, not fresh per input.
	rep = verifyProgram(t, lib, "lattice-kvs", Options{Seed: 1, Schedules: 100})
	for _, in := range []string{"lkv_put", "lkv_watch"} {
		if p := pathByPair(t, rep, in, "lkv_watch_response"); p.Verdict == NotTested {
			t.Errorf("lattice-kvs %s -> lkv_watch_response: not tested: %s", in, p.Why)
		}
	}

	kp, _ := lib.ComposeProgram("basic-kvs")
	gen = newGenerator(monotonic.Analyze(kp, monotonic.Analyzers).Graph)
	overwritten := false
	for j := range 6 {
		vals := map[string]string{}
		for _, in := range gen.generate(1, j, 100).inputs {
			if in.Fact.Collection == "kvput" {
				k, v := in.Fact.Args[1].String(), in.Fact.Args[3].String()
				if old, ok := vals[k]; ok && old != v {
					overwritten = true
				}
				vals[k] = v
			}
		}
	}
	if !overwritten {
		t.Errorf("basic-kvs: no key is put twice with different values")
	}
}

// Stale reads that the soundness test took for contradictions, each a
// spec with a workload in testdata: the pair is not contradicted, and
// its divergences were judged stale snapshot reads (allowed).
//   - stale-local-count (seed 7, program 693): a message reads a table a
//     count over a local input fills; no message reaches the count, so
//     under schedules alone it derives the same facts at the same
//     timesteps.
//   - stale-filled-through-notin (seed 13, program 489): a query reads a
//     table a rule with a notin fills from another input; moving the
//     asks does not reach the notin. Without the snapshot-read note the
//     same divergence is a contradiction: the experiment could fail.
//   - stale-through-empty-notin (seed 13, program 489): the notin is of a
//     collection that never holds a fact: it negates nothing.
func TestStaleReads(t *testing.T) {
	for _, c := range []struct {
		name, from, to, label string
		control               bool // also check the divergence without the snapshot-read note
	}{
		{"stale-local-count", "in1", "o2", "N", false},
		{"stale-filled-through-notin", "ask", "answer", "Bot", true},
		{"stale-through-empty-notin", "fill", "answer", "Bot", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep := verifyCase(t, c.name, Options{Schedules: 200})
			pr := pathByPair(t, rep, c.from, c.to)
			if pr.Label != c.label || pr.Verdict == Contradiction || pr.Stale == 0 {
				t.Errorf("%s -> %s (%s): %s, %d stale divergences", c.from, c.to, pr.Label, pr.Verdict, pr.Stale)
			}
			for _, p := range rep.Paths {
				if p.Verdict == Contradiction {
					t.Errorf("%s -> %s (%s): contradiction", p.From, p.To, p.Label)
				}
			}
			if !c.control {
				return
			}
			p, w := loadCase(t, c.name)
			res := monotonic.Analyze(p, monotonic.Analyzers)
			fs := monotonic.Finish(p, res.Findings, monotonic.Options{})
			without := slices.DeleteFunc(slices.Clone(fs), func(f monotonic.Finding) bool { return f.Check == monotonic.CheckSnapshotRead })
			if len(without) == len(fs) {
				t.Fatal("the analysis reports no snapshot read")
			}
			r2, ds := Verify(context.Background(), p, res, without, Options{Seed: 1, Schedules: 200, Workload: w})
			if r2 == nil {
				t.Fatal(ds)
			}
			if pr := pathByPair(t, r2, c.from, c.to); pr.Verdict != Contradiction {
				t.Errorf("without the snapshot read: %s -> %s %s", c.from, c.to, pr.Verdict)
			}
		})
	}
}

// A stale read beside another input's race (soundness test with
// periodics, seed 21, program 32): the differing facts that only in1
// derives (through a periodic meeting a message) are no evidence about
// in2's pair, whose own differing facts are stale reads.
func TestStaleReadBesideOtherRace(t *testing.T) {
	rep := verifyCase(t, "stale-beside-other-race", Options{Schedules: 200})
	in2 := pathByPair(t, rep, "in2", "o1")
	if in2.Verdict == Contradiction || in2.Stale == 0 {
		t.Errorf("in2 -> o1 (%s): %s, %d stale divergences", in2.Label, in2.Verdict, in2.Stale)
	}
	if in1 := pathByPair(t, rep, "in1", "o1"); in1.Label != "D" || in1.Verdict != Confirmed {
		t.Errorf("in1 -> o1 (%s): %s", in1.Label, in1.Verdict)
	}
}
