package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/calmcheck/calmcheck/internal/golden"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
	"github.com/calmcheck/calmcheck/specs"
)

// builtinLib loads the built-in library.
func builtinLib(t testing.TB) *modules.Library {
	t.Helper()
	lib := modules.NewLibrary()
	if ds := lib.LoadFS(specs.FS, "specs"); ds.HasErrors() {
		t.Fatal(ds)
	}
	return lib
}

// verifyProgram composes, analyses and verifies a program.
func verifyProgram(t testing.TB, lib *modules.Library, name string, opts Options) *Report {
	t.Helper()
	p, ds := lib.ComposeProgram(name)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return verifyComposed(t, p, opts)
}

func verifyComposed(t testing.TB, p *modules.Program, opts Options) *Report {
	t.Helper()
	res := monotonic.Analyze(p, monotonic.Analyzers)
	fs := monotonic.Finish(p, res.Findings, monotonic.Options{})
	rep, ds := Verify(context.Background(), p, res, fs, opts)
	if rep == nil {
		t.Fatalf("%s: %v", p.Name, ds)
	}
	return rep
}

func findingByPos(t testing.TB, rep *Report, check, pos string) FindingReport {
	t.Helper()
	for _, f := range rep.Findings {
		if string(f.Check) == check && f.Pos.String() == pos {
			return f
		}
	}
	t.Fatalf("%s: no %s finding at %s", rep.Program, check, pos)
	return FindingReport{}
}

func witness(rep *Report, id string) *Witness {
	for _, w := range rep.Witnesses {
		if w.ID == id {
			return w
		}
	}
	return nil
}

// pointOfOrder returns the position of the point-of-order finding on the
// rule whose text contains text.
func pointOfOrder(t testing.TB, lib *modules.Library, program, text string) string {
	t.Helper()
	p, _ := lib.ComposeProgram(program)
	res := monotonic.Analyze(p, monotonic.Analyzers)
	for _, f := range res.Findings {
		if f.Check == "point-of-order" && f.Rule != nil && strings.Contains(f.Rule.Text, text) {
			return f.Pos.String()
		}
	}
	t.Fatalf("%s: no point of order on a rule with %q", program, text)
	return ""
}

// The acceptance of issue 6: the destructive cart's update-path point of
// order and the disorderly cart's checkout point of order are confirmed
// with witnesses of at most 3 inputs and 4 messages; no contradiction.
func TestCartPointsOfOrderConfirmed(t *testing.T) {
	lib := builtinLib(t)
	for _, tc := range []struct {
		program, rule string
	}{
		{"destructive-cart-basic-kvs", `kvput(C, S, R, [I]) <= action_msg(_, C, S, I, "A", R)`},
		{"replicated-destructive-cart", `kvput(C, S, R, [I]) <= action_msg(_, C, S, I, "A", R)`},
		{"disorderly-cart", "count<R>"},
		{"replicated-disorderly-cart", "count<R>"},
	} {
		t.Run(tc.program, func(t *testing.T) {
			rep := verifyProgram(t, lib, tc.program, Options{Seed: 1})
			pos := pointOfOrder(t, lib, tc.program, tc.rule)
			f := findingByPos(t, rep, "point-of-order", pos)
			if f.Verdict != Confirmed {
				t.Fatalf("point of order at %s: %s", pos, f.Verdict)
			}
			w := witness(rep, f.Witness)
			if w == nil {
				t.Fatalf("no witness %q", f.Witness)
			}
			for _, x := range []*Execution{&w.A, &w.B} {
				if len(x.Inputs) > 3 || x.Messages() > 4 {
					t.Errorf("witness %s: %d inputs and %d messages, want at most 3 and 4", w.ID, len(x.Inputs), x.Messages())
				}
			}
			if len(w.Differs) == 0 {
				t.Error("witness without differing output facts")
			}
			for _, p := range rep.Paths {
				if p.Verdict == Contradiction {
					t.Errorf("contradiction: %+v", p)
				}
			}
		})
	}
}

// The acceptance of issue 6: every Bot and A path of the delivery modules
// is not reproduced across at least 1,000 schedules.
func TestDeliveryPathsNotReproduced(t *testing.T) {
	lib := builtinLib(t)
	for _, name := range []string{"delivery-best-effort", "delivery-reliable", "delivery-ordered"} {
		if _, ok := lib.Programs[name]; !ok {
			t.Logf("no program %s", name)
			continue
		}
		rep := verifyProgram(t, lib, name, Options{Seed: 1, Workloads: 2})
		if len(rep.Paths) == 0 {
			t.Fatalf("%s: no paths", name)
		}
		for _, p := range rep.Paths {
			if p.Label != "Bot" && p.Label != "A" {
				continue
			}
			if p.Verdict != NotReproduced || p.Schedules < 1000 {
				t.Errorf("%s: path %s -> %s (%s): %s after %d schedules", name, p.From, p.To, p.Label, p.Verdict, p.Schedules)
			}
		}
	}
}

// Verdicts and witnesses are the same for a seed, whatever the number of
// jobs; another seed explores other workloads.
func TestDeterministic(t *testing.T) {
	lib := builtinLib(t)
	render := func(rep *Report) string {
		data, err := json.Marshal(struct {
			P []PathReport
			F []FindingReport
			W []*Witness
		}{rep.Paths, rep.Findings, rep.Witnesses})
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	opts := Options{Seed: 3, Schedules: 200, Workloads: 3}
	opts.Jobs = 1
	a := render(verifyProgram(t, lib, "replicated-destructive-cart", opts))
	opts.Jobs = 4
	b := render(verifyProgram(t, lib, "replicated-destructive-cart", opts))
	if a != b {
		t.Errorf("--jobs 1 and --jobs 4 differ:\n%s\n%s", a, b)
	}
	opts.Seed = 4
	if c := render(verifyProgram(t, lib, "replicated-destructive-cart", opts)); c == a {
		t.Error("seeds 3 and 4 gave the same report")
	}
}

const ephemeralSpec = `
modules:
  Ephemeral:
    state:
      - input   in(to, x)
      - channel c(@to, x)
      - table   seen(x)
      - output  pairs(x, y)
    rules:
      r:
        - c(T, X) <~ in(T, X)
        - seen(X) <+ c(_, X)
        - pairs(X, Y) <= c(_, X), seen(Y)
programs:
  ephemeral: [Ephemeral]
`

// A path the analysis labels A whose output depends on the schedule is a
// contradiction, with a witness: a message (ephemeral) joined with a table
// of the messages before it. The analysis marks that join a snapshot read
// (stale, never wrong: verify then allows the divergence, see
// TestShapes); without its note, the divergence is a contradiction.
func TestContradiction(t *testing.T) {
	lib := modules.NewLibrary()
	if ds := lib.LoadData("spec.yaml", []byte(ephemeralSpec)); ds.HasErrors() {
		t.Fatal(ds)
	}
	p, ds := lib.ComposeProgram("ephemeral")
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	res := monotonic.Analyze(p, monotonic.Analyzers)
	fs := monotonic.Finish(p, res.Findings, monotonic.Options{})
	opts := Options{Seed: 1, Schedules: 100, Workloads: 2}
	if rep, _ := Verify(context.Background(), p, res, fs, opts); rep == nil || rep.Contradicted() {
		t.Fatalf("with the analysis's snapshot-read note: %+v", rep)
	}
	without := slices.DeleteFunc(slices.Clone(fs), func(f monotonic.Finding) bool { return f.Check == "snapshot-read" })
	if len(without) == len(fs) {
		t.Fatal("the analysis reports no snapshot read on the ephemeral join")
	}
	rep, _ := Verify(context.Background(), p, res, without, opts)
	if len(rep.Paths) != 1 || rep.Paths[0].Verdict != Contradiction || !rep.Contradicted() {
		t.Fatalf("paths %+v", rep.Paths)
	}
	w := witness(rep, rep.Paths[0].Witness)
	if w == nil || len(w.Contradicts) != 1 || len(w.Differs) == 0 {
		t.Fatalf("witness %+v", w)
	}
	if !strings.Contains(w.Note, "does not hold on this execution: a bug in calmcheck") {
		t.Errorf("the witness explains the contradiction away: %q", w.Note)
	}
}

// A replay file re-executes both runs of a witness exactly.
func TestReplayRoundTrip(t *testing.T) {
	lib := builtinLib(t)
	rep := verifyProgram(t, lib, "disorderly-cart", Options{Seed: 1, Schedules: 200, Workloads: 2})
	if len(rep.Witnesses) == 0 {
		t.Fatal("no witness")
	}
	for _, w := range rep.Witnesses {
		rf := &ReplayFile{Format: ReplayFormat, Program: "disorderly-cart", Seed: 1, Witness: w}
		back, err := ParseReplay(rf.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, rf) {
			t.Fatalf("the replay file does not round-trip")
		}
		wa, wb, sa, sb, err := back.Runs()
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range []struct {
			w *executor.Workload
			s *executor.Schedule
			e *Execution
		}{{wa, sa, &w.A}, {wb, sb, &w.B}} {
			s, ds := executor.Prepare(lib, x.w)
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			res := s.Run(context.Background(), executor.Options{Scheduler: x.s, Deliveries: true})
			if diffs := x.e.Check(res); len(diffs) > 0 {
				t.Errorf("witness %s, execution %d: %v", w.ID, i, diffs)
			}
		}
	}
	for _, bad := range []string{"", "{}", `{"format": "calmcheck-replay/1"}`, `{"format": "other"}`} {
		if _, err := ParseReplay([]byte(bad)); err == nil {
			t.Errorf("ParseReplay(%q) accepted it", bad)
		}
	}
}

func TestDdmin(t *testing.T) {
	tests := []struct {
		n    int
		need []int
	}{
		{8, []int{3}},
		{8, []int{0, 7}},
		{10, []int{1, 4, 5}},
		{5, nil},
		{1, []int{0}},
		{0, nil},
	}
	for _, tc := range tests {
		calls := 0
		got := ddmin(tc.n, func(keep []int) bool {
			calls++
			have := map[int]bool{}
			for _, k := range keep {
				have[k] = true
			}
			for _, x := range tc.need {
				if !have[x] {
					return false
				}
			}
			return true
		})
		if fmt.Sprint(got) != fmt.Sprint(tc.need) && !(len(got) == 0 && len(tc.need) == 0) {
			t.Errorf("ddmin(%d, need %v) = %v", tc.n, tc.need, got)
		}
		if calls > 4*tc.n*tc.n+2 {
			t.Errorf("ddmin(%d): %d tests", tc.n, calls)
		}
	}
}

func TestNthPermutation(t *testing.T) {
	seen := map[string]bool{}
	for k := range 24 {
		p := fmt.Sprint(nthPermutation(4, k))
		if seen[p] {
			t.Fatalf("permutation %d repeats %s", k, p)
		}
		seen[p] = true
	}
	if got := fmt.Sprint(nthPermutation(3, 0)); got != "[0 1 2]" {
		t.Errorf("first permutation %s", got)
	}
	if got := fmt.Sprint(nthPermutation(3, 5)); got != "[2 1 0]" {
		t.Errorf("last permutation %s", got)
	}
}

// Races: only messages to the same node are reordered, one adjacent pair
// at a time, and never against a message that may depend on them.
func TestReversals(t *testing.T) {
	msg := func(from, to string, x int64, sent, arrives int) executor.Message {
		return executor.Message{From: from, To: to, Fact: executor.Fact{Collection: "m", Args: []executor.Value{executor.Int(x)}}, Seq: 1, Sent: sent, Arrives: arrives}
	}
	ms := []executor.Message{
		msg("a", "c", 1, 1, 2),
		msg("b", "c", 2, 1, 3),
		msg("a", "d", 3, 1, 2),
		msg("c", "c", 4, 2, 4), // sent after 1 arrived: may depend on it
	}
	var got []string
	for _, r := range reversals(ms, nil, 16) {
		d := r.delays()
		if r.hash != d.hash() {
			t.Errorf("reversal hash %x, schedule hash %x", r.hash, d.hash())
		}
		var parts []string
		for _, k := range d.nonDefault() {
			parts = append(parts, fmt.Sprintf("%s=%d", k, d[k]))
		}
		got = append(got, strings.Join(parts, " "))
	}
	want := []string{
		// m(1) with m(2): together at 3, after it at 4 (m(4), sent at 2,
		// is not reordered against m(1)).
		`a>c m(1)#1=2 b>c m(2)#1=2 c>c m(4)#1=2`,
		`a>c m(1)#1=3 b>c m(2)#1=2 c>c m(4)#1=2`,
		// m(2) with m(4): together at 4, after it at 5.
		`b>c m(2)#1=3 c>c m(4)#1=2`,
		`b>c m(2)#1=4 c>c m(4)#1=2`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reversals\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Domains: the cart's action column takes the constants its rules test,
// the server and client columns hold node addresses, request ids are
// fresh; static membership tables list the other nodes.
func TestGeneratedWorkloads(t *testing.T) {
	lib := builtinLib(t)
	p, _ := lib.ComposeProgram("replicated-disorderly-cart")
	res := monotonic.Analyze(p, monotonic.Analyzers)
	gen := newGenerator(res.Graph)
	w := gen.generate(7, 3, 100)
	if len(w.nodes) != 3 || len(w.inputs) != 9 {
		t.Fatalf("nodes %v, %d inputs", w.nodes, len(w.inputs))
	}
	ids := map[string]bool{}
	for _, in := range w.inputs {
		args := in.Fact.Args
		if in.Fact.Collection == "client_action" {
			if a, _ := args[4].AsString(); a != "A" && a != "D" && !strings.HasPrefix(a, "action") {
				t.Errorf("action %s", args[4])
			}
		}
		server, _ := args[0].AsString()
		client, _ := args[1].AsString()
		if !strings.HasPrefix(server, "n") || client != in.Node || server == client {
			t.Errorf("input %s at %s: server and client should be other nodes, the client the node it is injected at", in.Fact, in.Node)
		}
		id := args[len(args)-1].String()
		if ids[id] {
			t.Errorf("request id %s repeats", id)
		}
		ids[id] = true
	}
	if len(w.facts) != 6 {
		t.Errorf("members facts %v", w.facts)
	}
	for _, f := range w.facts {
		if f.Fact.Collection != "members" || f.Fact.Args[0].String() == `"`+f.Node+`"` {
			t.Errorf("fact %s at %s", f.Fact, f.Node)
		}
	}
	// Deterministic.
	if w2 := gen.generate(7, 3, 100); !reflect.DeepEqual(w, w2) {
		t.Error("two generations with one seed differ")
	}
}

// A message depends on another when its sender sent it after the other
// (or something it caused) reached the sender.
func TestDependents(t *testing.T) {
	msg := func(from, to string, sent, arrives int) executor.Message {
		return executor.Message{From: from, To: to, Fact: executor.Fact{Collection: "m"}, Seq: sent, Sent: sent, Arrives: arrives}
	}
	ms := []executor.Message{
		msg("a", "b", 1, 3), // 0
		msg("c", "b", 3, 4), // 1: c was never affected: independent
		msg("b", "c", 3, 5), // 2: b sends once 0 arrived: depends on 0
		msg("c", "a", 5, 6), // 3: c sends once 2 arrived: depends on 0 and 2
		msg("c", "a", 4, 5), // 4: c sends before 2 arrived: independent of 0
	}
	deps := dependents(ms)
	var got []string
	for i, d := range deps {
		for j, x := range d {
			if x {
				got = append(got, fmt.Sprintf("%d<-%d", j, i))
			}
		}
	}
	if want := "[2<-0 3<-0 3<-2]"; fmt.Sprint(got) != want {
		t.Errorf("dependents %v, want %s", got, want)
	}
}

// builtinWorkload parses a built-in workload, or skips the test when the
// library has none of that name.
func builtinWorkload(t testing.TB, name string) *executor.Workload {
	t.Helper()
	data, err := specs.Workloads.ReadFile("workloads/" + name + ".yaml")
	if err != nil {
		t.Skipf("no built-in workload %s", name)
	}
	w, ds := executor.ParseWorkload("specs/workloads/"+name+".yaml", data)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return w
}

// Issue 7's coordinated carts, run with their workloads (which follow the
// protocols: the sealed checkout counts the actions; every request goes
// through totally ordered delivery): the checkout never diverges across
// 1,000 schedules and every order of the actions, although Bud's label of
// client_action -> client_response is D; the disorderly cart's same
// workload diverges.
func TestCoordinatedCartsNeverDiverge(t *testing.T) {
	lib := builtinLib(t)
	for _, name := range []string{"sealed-cart", "ordered-cart"} {
		t.Run(name, func(t *testing.T) {
			w := builtinWorkload(t, name)
			rep := verifyProgram(t, lib, w.Program, Options{Seed: 1, Workload: w})
			checked := false
			for _, p := range rep.Paths {
				if p.To != "client_response" {
					continue
				}
				if p.Verdict == NotTested && p.Label != "D" {
					// The checkout alone never answers.
					continue
				}
				if p.Verdict != NotReproduced || p.Schedules < 1000 {
					t.Errorf("path %s -> %s (%s, effective %s): %s after %d schedules", p.From, p.To, p.Label, p.Effective, p.Verdict, p.Schedules)
				}
				if p.Label == "D" {
					checked = true
					if p.Covered == "" || p.Effective == "D" {
						t.Errorf("path %s -> %s: D not covered (effective %s)", p.From, p.To, p.Effective)
					}
				}
			}
			if !checked {
				t.Errorf("no D pair into client_response: %+v", rep.Paths)
			}
			for _, f := range rep.Findings {
				if f.Verdict == Confirmed {
					t.Errorf("finding %s at %s confirmed (witness %s)", f.Check, f.Pos, f.Witness)
				}
			}
		})
	}
	// The same actions and checkout on the disorderly cart do diverge.
	w := builtinWorkload(t, "disorderly-cart")
	rep := verifyProgram(t, lib, w.Program, Options{Seed: 1, Workload: w, Schedules: 200})
	for _, p := range rep.Paths {
		if p.From == "client_action" && p.Verdict != Confirmed {
			t.Errorf("disorderly cart: %s -> %s %s", p.From, p.To, p.Verdict)
		}
	}
}

// TestDocPicture: docs/verify.md shows the witness that confirms the
// destructive cart's update-path point of order, as calmcheck verify
// --program destructive-cart-basic-kvs --witness-dir draws it (-update
// redraws it).
func TestDocPicture(t *testing.T) {
	lib := builtinLib(t)
	rep := verifyProgram(t, lib, "destructive-cart-basic-kvs", Options{Seed: 1})
	f := findingByPos(t, rep, "point-of-order", pointOfOrder(t, lib, "destructive-cart-basic-kvs", `kvput(C, S, R, [I]) <= action_msg(_, C, S, I, "A", R)`))
	w := witness(rep, f.Witness)
	if w == nil {
		t.Fatal("no witness")
	}
	path := filepath.Join("..", "docs", "img", "verify-destructive-cart-"+w.ID+".svg")
	golden.Check(t, path, w.SVG())
}
