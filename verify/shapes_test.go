package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// The shapes of the sound-labels issue (11), written as specs with
// workloads in monotonic/testdata (each under the check it triggers): the
// label of every (input, output) pair must be at least as strong as what
// executions of the workload show, and verify must find no contradiction
// on it.
//
// What executions show, with the workload's inputs fixed (the evidence,
// as `calmcheck run --seeds 1..200` shows it, plus input orders):
//
//   - schedules: seeds 1..200 of the workload's network; an output fact
//     present in some runs and not in others is a divergence; every input
//     in its lineage must then be in a D pair with the output, or the pair
//     is stale and the fact was derived through a snapshot read by
//     monotone rules only (the snapshot guarantee);
//   - timing: an output fact present in every run, but at timesteps that
//     differ: every input in its lineage is at least A with the output;
//   - input orders: the facts of one input collection swapped among their
//     own timesteps (every other input fixed, fifo network): an output
//     whose set changes is at least N with that input (or stale, as
//     above).
//
// shapeCases pins, for each spec, the labels (text form, "A stale") and
// what the workload must show, so that a workload that stops exercising
// its shape, or a label that gets more cautious, is noticed.
var shapeCases = map[string]struct {
	labels map[string]string // "input -> output": label ("D (effective N)" when they differ)
	shows  string            // "schedule", "order", "timing" or "" (agreement)
}{
	// (a) a query joined with a table gossip messages fill.
	"snapshot-read/query-gossip": {map[string]string{"add -> answer": "A stale", "ask -> answer": "A stale"}, "schedule"},
	// (b) docs/verify.md's Ephemeral: a message joined with a table
	// earlier messages fill.
	"snapshot-read/ephemeral": {map[string]string{"in -> pairs": "A stale"}, "schedule"},
	// (c) a notin over a table an input fills locally, raced by a message.
	"missing-coordination/notin-race": {map[string]string{"in -> fresh": "D"}, "schedule"},
	// Found by the soundness gate: a notin over a scratch, in a rule that
	// reads only a table, holds in the timesteps the schedule decides exist.
	"missing-coordination/idle-tick": {map[string]string{"in1 -> o1": "D stale", "in1 -> o2": "D"}, "schedule"},
	// (d) a table messages fill joined with a table deletions shrink.
	"missing-coordination/deletion-race": {map[string]string{"put -> out": "D", "add -> out": "D", "del -> out": "D"}, "schedule"},
	// A positive filter of the same messages, joined with them: which
	// messages arrive together decides the pairs.
	"point-of-order/same-source-pairs": {map[string]string{"send -> inbox": "D"}, "schedule"},
	// Exempt: a negated filter of the same message (no timing join;
	// Bud's notin after a <~ is D).
	"point-of-order/filter-by-negation": {map[string]string{"send -> inbox": "D"}, "timing"},
	// Found by the soundness gate: a table that initial facts fill and a
	// deletion empties changes on its own; an input that joins it is
	// order-sensitive.
	"point-of-order/deleted-initial-facts": {map[string]string{"ask -> answer": "N"}, "order"},
	// An input joined with a periodic: answered only when the timer fires.
	"point-of-order/input-meets-periodic": {map[string]string{"ask -> answer": "N"}, "order"},
	// Exempt: static tables.
	"point-of-order/static-table": {map[string]string{"send -> out": "A"}, "timing"},
	// Exempt: the retransmission idiom.
	"snapshot-read/retransmit": {map[string]string{"send -> got": "A"}, "timing"},
	// A seal covers a timing join only on its key: the workload keeps the
	// seal, so the effective labels are checked against it too.
	"missing-coordination/seal-wrong-key": {map[string]string{
		"vote -> result": "D stale (effective N)", "close -> result": "D stale (effective N)",
		"vote -> early": "D stale", "close -> early": "D stale"}, "schedule"},
}

// shapeProtocol: the workloads that keep the program's seals and
// coordination, whose effective labels must hold as well.
var shapeProtocol = map[string]bool{"missing-coordination/seal-wrong-key": true}

// shapeExempt: the exemptions, where the analysis finds no timing join
// and no snapshot read at all.
var shapeExempt = map[string]bool{"point-of-order/filter-by-negation": true, "point-of-order/static-table": true, "snapshot-read/retransmit": true}

const shapeSeeds = 200

func TestShapes(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "monotonic", "testdata", "*", "*.yaml"))
	seen := map[string]bool{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "\nworkload:") {
			continue
		}
		name := strings.TrimSuffix(filepath.ToSlash(file), ".yaml")
		name = name[strings.Index(name, "testdata/")+len("testdata/"):]
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := shapeCases[name]
			if !ok {
				t.Fatalf("%s has a workload but no entry in shapeCases", file)
			}
			res := checkShape(t, file, data, want.labels, want.shows, shapeProtocol[name])
			if shapeExempt[name] && len(res.TimingJoins) > 0 {
				t.Errorf("an exemption, but the analysis finds %d timing joins or snapshot reads (the first: %s)", len(res.TimingJoins), res.TimingJoins[0].Rule)
			}
		})
	}
	for name := range shapeCases {
		if !seen[name] {
			t.Errorf("shapeCases names %s: no such spec with a workload", name)
		}
	}
}

// pairKey is "input -> output".
func pairKey(from, to string) string { return from + " -> " + to }

// shapeEvidence is what the executions of a workload showed, per pair.
type shapeEvidence struct {
	schedule map[string]bool // a divergence under schedules through the input (not a stale one)
	stale    map[string]bool // a divergence under schedules that the snapshot guarantee allows
	timing   map[string]bool // the same facts at other timesteps
	order    map[string]bool // an input order changed the output (not a stale difference)
}

func checkShape(t *testing.T, file string, data []byte, labels map[string]string, shows string, protocol bool) *monotonic.Result {
	lib := modules.NewLibrary()
	if ds := lib.LoadData(file, data); ds.HasErrors() {
		t.Fatal(ds)
	}
	w, ds := executor.ParseWorkload(file, data)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	s, ds := executor.Prepare(lib, w)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	p := s.Program().Source()
	res := monotonic.Analyze(p, monotonic.Analyzers)
	g := res.Graph

	got := map[string]monotonic.Verdict{}
	for _, v := range res.Verdicts {
		got[pairKey(g.Nodes[v.From].Name, g.Nodes[v.To].Name)] = v
	}
	text := func(v monotonic.Verdict) string {
		s := v.Label.String()
		if v.Stale {
			s += " stale"
		}
		if v.Effective != v.Label {
			s += " (effective " + v.Effective.String() + ")"
		}
		return s
	}
	for k, want := range labels {
		v, ok := got[k]
		if !ok {
			t.Errorf("no pair %s", k)
		} else if text(v) != want {
			t.Errorf("%s: labelled %s, want %s", k, text(v), want)
		}
	}
	if len(got) != len(labels) {
		t.Errorf("%d pairs, want %d (%v)", len(got), len(labels), labels)
	}

	// Rules that keep the snapshot guarantee: the snapshot reads, and the
	// monotone rules.
	snapshot := map[*modules.Rule]bool{}
	for _, tj := range res.TimingJoins {
		if tj.Snapshot {
			snapshot[tj.Rule] = true
		}
	}
	monotone := func(r *modules.Rule) bool {
		if r.HasAggregate() || r.Op.Nonmonotonic() {
			return false
		}
		for _, a := range r.BodyAtoms() {
			if r.NonmonotonicUse(a) {
				return false
			}
		}
		return true
	}
	staleOK := func(l executor.FactLineage) bool {
		through := false
		for _, ri := range l.Rules {
			r := p.Rules[ri]
			if !monotone(r) {
				return false
			}
			through = through || snapshot[r]
		}
		return through
	}

	ev := shapeEvidence{map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}}
	ctx := context.Background()
	run := func(s *executor.Setup, o executor.Options) map[string]outFact {
		o.Lineage, o.NoTables = true, true
		r := s.Run(ctx, o)
		if r.Err != nil || !r.Quiescent {
			t.Fatalf("seed %d: the run stopped (%s): %v", o.Seed, r.Stop, r.Err)
		}
		return outFacts(r)
	}

	// Schedules.
	runs := make([]map[string]outFact, shapeSeeds)
	for i := range runs {
		runs[i] = run(s, executor.Options{Seed: uint64(i + 1)})
	}
	all := map[string]outFact{}
	for _, r := range runs {
		for k, f := range r {
			all[k] = f
		}
	}
	for k, f := range all {
		in, ticks := 0, map[string]bool{}
		for _, r := range runs {
			if rf, ok := r[k]; ok {
				in++
				ticks[fmt.Sprint(rf.ticks)] = true
			}
		}
		for _, input := range f.lin.Inputs {
			pk := pairKey(input, f.lin.Fact.Collection)
			switch {
			case in < len(runs) && staleOK(f.lin):
				ev.stale[pk] = true
			case in < len(runs):
				ev.schedule[pk] = true
			case len(ticks) > 1:
				ev.timing[pk] = true
			}
		}
	}

	// Input orders: the facts of one input collection, at two different
	// timesteps, swapped; a fifo network.
	base := run(s, executor.Options{Seed: 1, Policy: executor.PolicyFIFO})
	byColl := map[string][]int{}
	for i, in := range w.Inputs {
		byColl[in.Fact.Collection] = append(byColl[in.Fact.Collection], i)
	}
	for coll, idx := range byColl {
		for a := 0; a < len(idx); a++ {
			for b := a + 1; b < len(idx); b++ {
				i, j := idx[a], idx[b]
				if w.Inputs[i].Tick == w.Inputs[j].Tick {
					continue
				}
				w2 := *w
				w2.Inputs = slices.Clone(w.Inputs)
				w2.Inputs[i].Fact, w2.Inputs[j].Fact = w.Inputs[j].Fact, w.Inputs[i].Fact
				w2.Inputs[i].Node, w2.Inputs[j].Node = w.Inputs[j].Node, w.Inputs[i].Node
				s2, ds := executor.Bind(s.Program(), &w2)
				if ds.HasErrors() {
					t.Fatal(ds)
				}
				other := run(s2, executor.Options{Seed: 1, Policy: executor.PolicyFIFO})
				for k, f := range base {
					if _, ok := other[k]; !ok {
						markOrder(&ev, coll, f, staleOK(f.lin))
					}
				}
				for k, f := range other {
					if _, ok := base[k]; !ok {
						markOrder(&ev, coll, f, staleOK(f.lin))
					}
				}
			}
		}
	}

	// The labels are at least as strong as the evidence.
	for pk, v := range got {
		lab := v.Label
		if protocol {
			lab = v.Effective
		}
		switch {
		case ev.schedule[pk] && lab != monotonic.D:
			t.Errorf("%s: labelled %s, but the output differs under schedules through the input", pk, text(v))
		case ev.stale[pk] && lab != monotonic.D && !v.Stale:
			t.Errorf("%s: labelled %s, not stale, but the output differs under schedules through a snapshot read", pk, text(v))
		case ev.order[pk] && lab < monotonic.N && !v.Stale:
			t.Errorf("%s: labelled %s, but an order of the input's facts changes the output", pk, text(v))
		case ev.timing[pk] && lab == monotonic.Bot:
			t.Errorf("%s: labelled Bot, but the output's timesteps depend on the schedule", pk)
		}
	}
	shown := func(m map[string]bool) bool { return len(m) > 0 }
	switch shows {
	case "schedule":
		if !shown(ev.schedule) && !shown(ev.stale) {
			t.Errorf("the workload shows no divergence under %d schedules", shapeSeeds)
		}
	case "order":
		if !shown(ev.order) {
			t.Errorf("the workload shows no input order that changes the output")
		}
	case "timing":
		if shown(ev.schedule) || shown(ev.stale) || shown(ev.order) || !shown(ev.timing) {
			t.Errorf("the workload should agree on the outputs at timesteps that differ: %+v", ev)
		}
	}
	t.Logf("labels %v; evidence: schedules %v, stale %v, orders %v, timing %v", labels, keys(ev.schedule), keys(ev.stale), keys(ev.order), keys(ev.timing))

	// verify, on the same workload, finds no contradiction.
	fs := monotonic.Finish(p, res.Findings, monotonic.Options{})
	rep, vds := Verify(ctx, p, res, fs, Options{Seed: 1, Schedules: 200, Workload: w})
	if rep == nil {
		t.Fatal(vds)
	}
	for _, pr := range rep.Paths {
		if pr.Verdict == Contradiction {
			w := witness(rep, pr.Witness)
			t.Errorf("verify: CONTRADICTION on %s (%s): witness %+v", pairKey(pr.From, pr.To), pr.Label, w)
		}
	}
	return res
}

func markOrder(ev *shapeEvidence, coll string, f outFact, stale bool) {
	pk := pairKey(coll, f.lin.Fact.Collection)
	if stale {
		ev.stale[pk] = true
	} else {
		ev.order[pk] = true
	}
}

// outFact is an output fact at a node over a run: its lineage and the
// timesteps it was output at.
type outFact struct {
	lin   executor.FactLineage
	ticks []int
}

// outFacts returns a run's output facts by "node fact".
func outFacts(r *executor.Result) map[string]outFact {
	m := map[string]outFact{}
	for _, l := range r.Lineage.Outputs {
		m[l.Node+" "+l.Fact.String()] = outFact{lin: l}
	}
	for _, n := range r.Nodes {
		for _, o := range n.Outputs {
			k := n.Node + " " + o.Fact.String()
			f := m[k]
			f.ticks = append(f.ticks, o.Tick)
			m[k] = f
		}
	}
	return m
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
