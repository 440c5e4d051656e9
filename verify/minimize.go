package verify

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/executor"
)

// pairOf is a candidate witness while it is minimized: the two
// executions, which share nodes and initial facts.
type pairOf struct {
	nodes    []string
	facts    []executor.WorkloadFact
	inA, inB []executor.WorkloadFact // the same facts, index by index (ticks may differ)
	dA, dB   delays
}

func (c *pairOf) specs() (spec, spec) {
	nonNil := func(fs []executor.WorkloadFact) []executor.WorkloadFact {
		if fs == nil {
			return []executor.WorkloadFact{}
		}
		return fs
	}
	a := spec{nodes: c.nodes, facts: nonNil(c.facts), inputs: nonNil(c.inA), sched: c.dA.schedule(), delays: c.dA}
	b := spec{nodes: c.nodes, facts: nonNil(c.facts), inputs: nonNil(c.inB), sched: c.dB.schedule(), delays: c.dB}
	return a, b
}

// holds runs both executions and reports whether they still show what t
// needs: both quiesce, their outputs differ, and the difference is
// explained by t (or, for a contradiction, is in t's output).
func (v *verifier) holds(e *experiment, t *target, c *pairOf) (bool, *executor.Result, *executor.Result) {
	sa, sb := c.specs()
	lin := !t.contradiction || t.context
	ra := v.execute(e, sa, true, lin)
	if ra.Stop != "quiescent" || ra.Err != nil {
		return false, nil, nil
	}
	rb := v.execute(e, sb, true, lin)
	if rb.Stop != "quiescent" || rb.Err != nil {
		return false, nil, nil
	}
	oa, ob := outcomeOf(ra, v.sinks), outcomeOf(rb, v.sinks)
	if oa.key() == ob.key() {
		return false, nil, nil
	}
	rr := &runResult{ok: true, out: ob, differs: true}
	if lin {
		rr.attr = attribute(ra, rb, v.sinks)
		v.attributeRun(e, sa, sb, oa, rr, []*target{t}, nil)
	}
	ok, _ := v.matches(oa, t, rr, v.fixedRules(e))
	return ok, ra, rb
}

func (v *verifier) minimizeAll() {
	var fs []*found
	for _, ps := range v.paths {
		for _, f := range []*found{ps.contra, ps.found} {
			if f != nil {
				fs = append(fs, f)
			}
		}
	}
	for _, f := range v.finds {
		for _, x := range []*found{f.found, f.brokenFound} {
			if x != nil {
				fs = append(fs, x)
			}
		}
	}
	v.total.Add(int64(len(fs)))
	v.parallel(len(fs), func(i int) {
		fs[i].w = v.minimize(fs[i])
		v.done.Add(1)
		v.progress(false)
	})
	// One witness per distinct pair of executions, in the order of the
	// claims (paths, then findings); IDs w1, w2, ...
	byKey := map[string]*Witness{}
	for _, f := range fs {
		w := f.w
		if w == nil {
			continue
		}
		k := witnessKey(w)
		if old, ok := byKey[k]; ok {
			for _, c := range w.Confirms {
				if !slices.Contains(old.Confirms, c) {
					old.Confirms = append(old.Confirms, c)
				}
			}
			for _, c := range w.Contradicts {
				if !slices.Contains(old.Contradicts, c) {
					old.Contradicts = append(old.Contradicts, c)
				}
			}
			f.w = old
			continue
		}
		byKey[k] = w
		w.ID = fmt.Sprintf("w%d", len(v.witnesses)+1)
		v.witnesses = append(v.witnesses, w)
	}
	for _, w := range v.witnesses {
		w.Rules = v.ruleInfo(w)
	}
	v.progress(true)
}

func witnessKey(w *Witness) string {
	var b strings.Builder
	fmt.Fprintln(&b, w.Kind, w.Input, w.Nodes, w.Facts)
	for _, x := range []*Execution{&w.A, &w.B} {
		fmt.Fprintln(&b, x.Inputs)
		keys := make([]string, 0, len(x.Delays))
		for k, d := range x.Delays {
			keys = append(keys, fmt.Sprintf("%s=%d", k, d))
		}
		sort.Strings(keys)
		fmt.Fprintln(&b, keys)
	}
	return b.String()
}

// minimize shrinks a divergent pair of executions by delta debugging, in
// this order: the inputs and initial facts, then the messages the second
// schedule delays (back to the next timestep), then the delays
// themselves, then the nodes nothing mentions any more, then idle
// timesteps before the first input; each step keeps what the target needs
// (holds). It returns the witness, with both executions recorded.
func (v *verifier) minimize(f *found) *Witness {
	e, t := f.exp, f.t
	runs := 0
	holds := func(c *pairOf) (bool, *executor.Result, *executor.Result) {
		runs += 2
		return v.holds(e, t, c)
	}
	c := &pairOf{nodes: e.wl.nodes, facts: e.wl.facts, inA: e.wl.inputs, inB: e.wl.inputs, dA: delays{}}
	if f.a.inputs != nil {
		c.inA = f.a.inputs
	}
	if f.b.inputs != nil {
		c.inB = f.b.inputs
	}
	if f.a.delays != nil {
		c.dA = f.a.delays
	}
	if f.b.delays != nil {
		c.dB = f.b.delays
	} else {
		// A random schedule: record it explicitly.
		_, sb := c.specs()
		sb.sched = f.b.sched
		rb := v.execute(e, sb, true, false)
		runs++
		c.dB = delaysOf(rb.Deliveries)
	}
	ok, _, rb := holds(c)
	if !ok {
		// Not reproducible with the explicit schedule (should not
		// happen): keep the witness as found.
		return nil
	}
	size := Size{Inputs: len(c.inB), Messages: len(rb.Deliveries)}

	// 1. Inputs and initial facts.
	nf := len(c.facts)
	keepItems := func(keep []int) *pairOf {
		d := *c
		d.facts, d.inA, d.inB = nil, nil, nil
		for _, k := range keep {
			if k < nf {
				d.facts = append(d.facts, c.facts[k])
			} else {
				d.inA = append(d.inA, c.inA[k-nf])
				d.inB = append(d.inB, c.inB[k-nf])
			}
		}
		if e.kind == varyOrders {
			// B stays a permutation of A: the kept facts of the input
			// take A's timesteps in B's order.
			d.inB = permuteLike(d.inA, d.inB, e.input)
		}
		return &d
	}
	keep := ddmin(nf+len(c.inA), func(keep []int) bool {
		ok, _, _ := holds(keepItems(keep))
		return ok
	})
	c = keepItems(keep)

	// 2. The messages B delays (and A, for input orders: none).
	for _, side := range []*delays{&c.dB, &c.dA} {
		keys := side.nonDefault()
		if len(keys) == 0 {
			continue
		}
		with := func(keep []int) delays {
			d := delays{}
			for _, k := range keep {
				d[keys[k]] = (*side)[keys[k]]
			}
			return d
		}
		old := *side
		kept := ddmin(len(keys), func(keep []int) bool {
			*side = with(keep)
			ok, _, _ := holds(c)
			*side = old
			return ok
		})
		*side = with(kept)
	}

	// 3. Shorter delays.
	for _, side := range []*delays{&c.dB, &c.dA} {
		for _, k := range side.nonDefault() {
			for (*side)[k] > 2 {
				(*side)[k]--
				if ok, _, _ := holds(c); !ok {
					(*side)[k]++
					break
				}
			}
		}
	}

	// 4. Nodes nothing mentions.
	used := map[string]bool{}
	for _, fs := range [][]executor.WorkloadFact{c.facts, c.inA, c.inB} {
		for _, f := range fs {
			used[f.Node] = true
			for _, a := range f.Fact.Args {
				mentions(a, used)
			}
		}
	}
	var nodes []string
	for _, n := range c.nodes {
		if used[n] {
			nodes = append(nodes, n)
		}
	}
	if len(nodes) < len(c.nodes) && len(nodes) > 0 {
		old := c.nodes
		c.nodes = nodes
		if ok, _, _ := holds(c); !ok {
			c.nodes = old
		}
	}

	// 5. Idle timesteps before the first input.
	if first := firstTick(c.inA, c.inB); first > 1 {
		shift := func(fs []executor.WorkloadFact, by int) []executor.WorkloadFact {
			out := slices.Clone(fs)
			for i := range out {
				out[i].Tick -= by
			}
			return out
		}
		oldA, oldB := c.inA, c.inB
		c.inA, c.inB = shift(oldA, first-1), shift(oldB, first-1)
		if ok, _, _ := holds(c); !ok {
			c.inA, c.inB = oldA, oldB
		}
	}

	ok, ra, rb := holds(c)
	if !ok {
		return nil
	}
	sa, sb := c.specs()
	if t.contradiction {
		// Record the lineage of the differences too, to explain them.
		ra, rb = v.execute(e, sa, true, true), v.execute(e, sb, true, true)
		runs += 2
	}
	w := &Witness{Program: v.prog.Name, Kind: "schedule", Workload: e.wl.name, Found: f.desc, Before: size,
		Nodes: slices.Clone(c.nodes), Facts: wfacts(c.facts, false), MaxTicks: e.wl.maxTicks,
		A: execution(sa.inputs, c.dA, ra), B: execution(sb.inputs, c.dB, rb)}
	if e.kind == varyOrders {
		w.Kind = "input order"
		w.Input = e.input
	}
	if e.isolated {
		w.Input = e.input
	}
	w.MinimizeRuns = runs
	claim := v.claim(t)
	w.Differs = differences(ra, rb, v.sinks, true)
	if t.contradiction {
		w.Contradicts = []Claim{claim}
		w.Note = contradictionNote
	} else {
		w.Confirms = []Claim{claim}
	}
	return w
}

// permuteLike returns execution B's inputs for inputs inA: every input
// keeps its timestep in A, except the facts of input s, which take the
// timesteps A gives them in the order inB gives them (ranks; ties by
// position). So B is always a permutation of A's facts of s among their
// own timesteps, every other input fixed: the same permutation, restricted
// to the facts kept.
func permuteLike(inA, inB []executor.WorkloadFact, s string) []executor.WorkloadFact {
	out := slices.Clone(inA)
	var idx, ticks []int
	for i, f := range inA {
		if f.Fact.Collection == s {
			idx = append(idx, i)
			ticks = append(ticks, f.Tick)
		}
	}
	slices.Sort(ticks)
	order := slices.Clone(idx)
	slices.SortStableFunc(order, func(a, b int) int { return inB[a].Tick - inB[b].Tick })
	for rank, i := range order {
		out[i].Tick = ticks[rank]
	}
	return out
}

func firstTick(lists ...[]executor.WorkloadFact) int {
	first := 0
	for _, l := range lists {
		for _, f := range l {
			if first == 0 || f.Tick < first {
				first = f.Tick
			}
		}
	}
	return first
}

// mentions adds the strings in a value (node addresses) to used.
func mentions(v executor.Value, used map[string]bool) {
	if s, ok := v.AsString(); ok {
		used[s] = true
	}
	if l, ok := v.AsList(); ok {
		for _, x := range l {
			mentions(x, used)
		}
	}
}

func (v *verifier) claim(t *target) Claim {
	if t.finding != nil {
		f := &t.finding.f
		return Claim{Kind: "finding", Check: string(f.Check), Fingerprint: f.Fingerprint, Pos: f.Pos.String()}
	}
	return Claim{Kind: "path", From: t.path.from, To: t.path.to, Label: t.path.label.String()}
}

// differences lists the output facts only one run has, with their lineage
// (when the runs recorded it).
func differences(a, b *executor.Result, sinks map[string]bool, lineage bool) []Diff {
	oa, ob := outcomeOf(a, sinks), outcomeOf(b, sinks)
	onlyA, onlyB := diff(oa, ob)
	lin := func(res *executor.Result) map[string]*executor.FactLineage {
		m := map[string]*executor.FactLineage{}
		if res.Lineage != nil {
			for i := range res.Lineage.Outputs {
				fl := &res.Lineage.Outputs[i]
				m[fl.Node+"\t"+fl.Fact.String()] = fl
			}
		}
		return m
	}
	la, lb := lin(a), lin(b)
	var out []Diff
	add := func(entries []string, in string, l map[string]*executor.FactLineage) {
		for _, e := range entries {
			node, fact, _ := strings.Cut(e, "\t")
			d := Diff{Node: node, Fact: fact, In: in, Rules: []int{}, Inputs: []string{}}
			if fl := l[e]; fl != nil && lineage {
				d.Rules, d.Inputs = fl.Rules, fl.Inputs
			}
			out = append(out, d)
		}
	}
	add(onlyA, "A", la)
	add(onlyB, "B", lb)
	return out
}

// ruleInfo describes the rules in the lineage of a witness's differences.
func (v *verifier) ruleInfo(w *Witness) []RuleInfo {
	points := map[int]string{} // rule -> the position of its confirmed point of order
	for _, c := range w.Confirms {
		for _, fs := range v.finds {
			if fs.rule >= 0 && fs.f.Fingerprint == c.Fingerprint && c.Kind == "finding" {
				points[fs.rule] = fs.f.Pos.String()
			}
		}
	}
	seen := map[int]bool{}
	for _, d := range w.Differs {
		for _, r := range d.Rules {
			seen[r] = true
		}
	}
	var idx []int
	for r := range seen {
		idx = append(idx, r)
	}
	sort.Ints(idx)
	var out []RuleInfo
	for _, i := range idx {
		r := v.prog.Rules[i]
		ri := RuleInfo{Index: i, Text: r.Text, Pos: r.Pos.String()}
		if pos, ok := points[i]; ok {
			ri.Pos, ri.Point = pos, true
		}
		out = append(out, ri)
	}
	return out
}

// contradictionNote is what a contradiction's witness says: no rule
// explains it away. A label promises what docs/checks.md states ("What
// the labels guarantee"); an execution that breaks the promise is a bug in
// the analysis (or the executor), never a limit to live with.
const contradictionNote = "the label's guarantee (docs/checks.md, What the labels guarantee) does not hold on this execution: a bug in calmcheck's analysis or executor; please report it with this witness"
