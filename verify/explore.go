package verify

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// pathState is what is known of one (input, output) pair.
type pathState struct {
	from, to   string
	label      monotonic.Label
	effective  monotonic.Label // what coordination and seals leave of label
	covered    string          // how coordination or a seal covers a D label
	found      *found          // a confirmation
	contra     *found          // a contradiction
	exhaustive bool
	isoRuns    int // runs of its isolated experiments
	isoFull    int // of which the output was not empty
	// onPath: the points of order (rule indexes) on a path from the
	// input to the output; snap: the snapshot reads on one (the pair is
	// stale: its answers may lag, but never be wrong).
	onPath []int
	snap   []int
	// stale counts divergences of the context experiments explained by a
	// snapshot read (every differing fact derived monotonically through
	// one, so derivable from the final state).
	stale int
	tally
}

// tally is what the experiments on a target did: executions per kind, on
// which workloads, how many were compared (quiesced without error), how
// many of those had the output non-empty (pairs), and the runs that ended
// in errors, by error.
type tally struct {
	schedules int
	orders    int
	workloads map[string]bool
	fed       int // experiments in whose workload the pair's input had facts
	compared  int
	nonempty  int
	errors    int
	errs      errTally
}

// errTally groups runtime errors by check and position, in the order they
// were first seen.
type errTally struct {
	list  []ErrorCount
	index map[string]int
}

func (t *errTally) add(e ErrorCount) {
	k := e.Check + "\x00" + e.Pos.String()
	if i, ok := t.index[k]; ok {
		t.list[i].Runs += e.Runs
		return
	}
	if t.index == nil {
		t.index = map[string]int{}
	}
	t.index[k] = len(t.list)
	t.list = append(t.list, e)
}

func (t *errTally) merge(o *errTally) {
	for _, e := range o.list {
		t.add(e)
	}
}

// sorted returns the errors, most frequent first.
func (t *errTally) sorted() []ErrorCount {
	out := slices.Clone(t.list)
	slices.SortStableFunc(out, func(a, b ErrorCount) int { return b.Runs - a.Runs })
	return out
}

// errorOf describes how a run ended, when it did not quiesce.
func errorOf(res *executor.Result) ErrorCount {
	if e := res.Err; e != nil {
		msg := e.Msg
		return ErrorCount{Check: e.Check, Pos: e.Pos, Message: msg, Runs: 1}
	}
	return ErrorCount{Check: res.Stop, Message: "the run stopped: " + res.Stop, Runs: 1}
}

// findingState is what is known of one finding.
type findingState struct {
	f       monotonic.Finding
	rule    int        // index in Program.Rules of a point of order's rule; -1 otherwise
	path    *pathState // a diffluent path's pair
	found   *found
	reached bool // its rule derived a fact in some run
	// broken: confirmed in runs whose senders kept the seal that covers it
	// ("broken-seal"), with that witness.
	broken      string
	brokenFound *found
	tally
}

// A target is what an experiment tries to confirm (a pair or a point of
// order) or to refute (a pair whose label says it cannot diverge).
type target struct {
	path          *pathState
	finding       *findingState
	contradiction bool
	// context: a contradiction sought with every input fixed (the pair's
	// input among the others): the divergence must be attributed to the
	// pair (its input in the lineage of a differing fact of its output)
	// and to no point of order on its paths.
	context bool
	// broken: a covered point of order sought in runs that keep its seal
	// ("broken-seal").
	broken string
}

func (t *target) found() *found {
	switch {
	case t.broken != "":
		return t.finding.brokenFound
	case t.finding != nil:
		return t.finding.found
	case t.contradiction:
		return t.path.contra
	}
	return t.path.found
}

func (t *target) setFound(f *found) {
	switch {
	case t.broken != "":
		t.finding.broken, t.finding.brokenFound = t.broken, f
	case t.finding != nil:
		t.finding.found = f
	case t.contradiction:
		t.path.contra = f
	default:
		t.path.found = f
	}
}

// found is a divergent pair of executions: the experiment's baseline (a)
// and a variant (b).
type found struct {
	exp  *experiment
	a, b spec
	desc string
	t    *target
	w    *Witness // after minimization
}

// spec is one execution of an experiment: its inputs (with their
// timesteps) and its schedule.
type spec struct {
	nodes  []string                // nil: the workload's
	facts  []executor.WorkloadFact // nil: the workload's
	inputs []executor.WorkloadFact // nil: the workload's
	sched  executor.Scheduler
	delays delays // when the schedule is explicit
}

type varyKind int

const (
	varySchedules varyKind = iota // fixed inputs, schedules vary
	varyOrders                    // FIFO network, the ticks of one input's facts are permuted
)

// experiment runs one workload many times.
type experiment struct {
	name     string
	kind     varyKind
	wl       *workload
	input    string // the input whose order varies, or the one the workload is restricted to
	isolated bool
	targets  []*target
	budget   int

	setup      *executor.Setup
	base       *executor.Result
	baseOut    outcome
	baseLin    *executor.Result
	linOnce    sync.Once
	ran        int
	compared   int
	errors     int
	errs       errTally
	nonempty   map[string]int // output collection -> compared runs where it was not empty
	exhaustive bool
	note       string
}

type verifier struct {
	ctx   context.Context
	opts  Options
	prog  *modules.Program
	cp    *executor.Program
	res   *monotonic.Result
	g     *depgraph.Graph
	sinks map[string]bool // the outputs compared (nil: all)
	wls   []*workload
	wrep  []WorkloadReport
	paths []*pathState
	finds []*findingState
	exps  []*experiment
	// reached: the rules that derived a fact in some workload's baseline
	// run (coverage); covRes: those baseline runs, with lineage, which
	// the experiments on the workload as it is reuse.
	reached []bool
	covRes  map[*workload]*executor.Result
	// points: the rules of the points of order; pointRule marks them.
	points    []int
	pointRule []bool
	// snapRule marks the rules of snapshot reads (snapshot-read notes).
	snapRule []bool
	// monotoneRule: no negation, aggregate, deletion or upsert.
	monotoneRule []bool
	// fixedBy: per varied source (fixedSchedules: the messages; an
	// input's name: that input's order), the rules that the variation
	// cannot reach (fixedRules), made on first use under fixedMu.
	fixedBy map[fixedKey][]bool
	// dPointsOf: per output, the points of order on its D pairs' paths
	// (dPoints), made on first use under fixedMu.
	dPointsOf map[string][]int
	// inputEvent: inputEvents, made on first use under fixedMu.
	inputEvent []bool
	fixedMu    sync.Mutex
	// outs: per point of order, the compared outputs its head reaches;
	// persisted: as the analysis says (monotonic.OrderPoint).
	outs      [][]string
	persisted []bool
	neutralMu sync.Mutex
	neutrals  map[int]*neutral

	runs      atomic.Int64
	done      atomic.Int64
	total     atomic.Int64
	start     time.Time
	first     time.Duration
	stop      bool
	progMu    sync.Mutex
	lastProg  time.Time
	witnesses []*Witness
}

func newVerifier(ctx context.Context, p *modules.Program, cp *executor.Program, res *monotonic.Result, findings []monotonic.Finding, opts Options) *verifier {
	v := &verifier{ctx: ctx, opts: opts, prog: p, cp: cp, res: res, g: res.Graph, start: time.Now()}
	if sinks := v.g.Sinks(); len(sinks) > 0 {
		v.sinks = map[string]bool{}
		for _, s := range sinks {
			v.sinks[v.g.Nodes[s].Name] = true
		}
	}
	byPair := map[[2]string]*pathState{}
	for _, pl := range pairLabels(res) {
		ps := &pathState{from: pl.from, to: pl.to, label: pl.label, effective: pl.label}
		v.paths = append(v.paths, ps)
		byPair[[2]string{pl.from, pl.to}] = ps
	}
	for _, vd := range res.Verdicts {
		if ps := byPair[[2]string{v.g.Nodes[vd.From].Name, v.g.Nodes[vd.To].Name}]; ps != nil {
			ps.effective, ps.covered = vd.Effective, vd.Covered
		}
	}
	v.neutrals = map[int]*neutral{}
	v.persisted = make([]bool, len(p.Rules))
	v.pointRule = make([]bool, len(p.Rules))
	v.snapRule = make([]bool, len(p.Rules))
	v.monotoneRule = make([]bool, len(p.Rules))
	for i, r := range p.Rules {
		mono := !r.Op.Nonmonotonic() && len(r.Aggregates()) == 0
		for a := range r.Atoms() {
			mono = mono && !a.Negated
		}
		v.monotoneRule[i] = mono
	}

	for _, f := range findings {
		fs := &findingState{f: f, rule: -1}
		switch f.Check {
		case monotonic.CheckPointOfOrder:
			if op := res.OrderPointOf(f.Rule); op != nil {
				fs.rule = op.RuleID
				v.persisted[op.RuleID] = op.Persisted
			}
			if fs.rule >= 0 && !v.pointRule[fs.rule] {
				v.pointRule[fs.rule] = true
				v.points = append(v.points, fs.rule)
			}
		case monotonic.CheckSnapshotRead:
			// The sound-labels analysis's note: a transient fact joined
			// with grow-only state that timing fills (docs/checks.md).
			if i := slices.Index(p.Rules, f.Rule); f.Rule != nil && i >= 0 {
				v.snapRule[i] = true
			}
			v.finds = append(v.finds, fs)
			continue
		default:
			// A finding about a place where paths become diffluent
			// takes the verdict of its first pair (the one its flow
			// shows).
			if len(f.Pairs) > 0 {
				fs.path = byPair[[2]string{f.Pairs[0].From, f.Pairs[0].To}]
			}
		}
		v.finds = append(v.finds, fs)
	}
	slices.Sort(v.points)
	var snaps []int
	for i, s := range v.snapRule {
		if s {
			snaps = append(snaps, i)
		}
	}
	for _, ps := range v.paths {
		ps.onPath = rulesOnPaths(v.g, p.Rules, v.points, ps.from, ps.to)
		ps.snap = rulesOnPaths(v.g, p.Rules, snaps, ps.from, ps.to)
	}
	v.outs = make([][]string, len(p.Rules))
	for _, i := range v.points {
		h, ok := v.g.Lookup(p.Rules[i].Head.Pred)
		if !ok {
			continue
		}
		for c, ok := range v.g.Reach([]int{h}, false, 0) {
			if n := v.g.Nodes[c]; ok && (v.sinks == nil || v.sinks[n.Name]) {
				v.outs[i] = append(v.outs[i], n.Name)
			}
		}
	}
	return v
}

type pairLabel struct {
	from, to string
	label    monotonic.Label
}

// pairLabels are the static labels the experiments check: one per
// (input, output) pair connected by a path, Bud's labels (coordination and
// seals hold only when the workload follows their protocol, which a
// generated workload need not; their effect is reported beside).
func pairLabels(res *monotonic.Result) []pairLabel {
	g := res.Graph
	var out []pairLabel
	for _, pl := range res.Paths {
		out = append(out, pairLabel{from: g.Nodes[pl.From].Name, to: g.Nodes[pl.To].Name, label: pl.Label})
	}
	return out
}

// workloads prepares the given workload, or generates them.
func (v *verifier) workloads() modules.Diagnostics {
	if w := v.opts.Workload; w != nil {
		wl := fromWorkload(w, v.opts.MaxTicks)
		if wl.maxTicks <= 0 {
			wl.maxTicks = DefaultMaxTicks
		}
		if v.opts.MaxDelay > 0 {
			wl.delay = [2]int{1, v.opts.MaxDelay}
		}
		if _, ds := executor.Bind(v.cp, wl.executor(wl.inputs)); ds.HasErrors() {
			return ds
		}
		v.wls = append(v.wls, wl)
	} else {
		gen := newGenerator(v.g)
		mt := v.opts.MaxTicks
		if mt <= 0 {
			mt = DefaultMaxTicks
		}
		for j := range v.opts.Workloads {
			wl := gen.generate(subSeed(v.opts.Seed, "workload", v.prog.Name), j, mt)
			if v.opts.MaxDelay > 0 {
				wl.delay = [2]int{1, v.opts.MaxDelay}
			}
			v.wls = append(v.wls, wl)
		}
	}
	for _, wl := range v.wls {
		v.wrep = append(v.wrep, WorkloadReport{Name: wl.name, Generated: wl.generated, Nodes: wl.nodes, Facts: len(wl.facts), Inputs: len(wl.inputs)})
	}
	return nil
}

// coverage runs every workload once (FIFO network, inputs as given) with
// lineage and notes which rules derived a fact: the workload's rule
// coverage, and whether each finding's rule was reached at all.
func (v *verifier) coverage() {
	v.reached = make([]bool, len(v.prog.Rules))
	res := make([]*executor.Result, len(v.wls))
	v.parallel(len(v.wls), func(i int) {
		e := &experiment{wl: v.wls[i]}
		res[i] = v.execute(e, spec{}, false, true)
	})
	v.covRes = map[*workload]*executor.Result{}
	for i, r := range res {
		v.covRes[v.wls[i]] = r
		wr := &v.wrep[i]
		wr.RulesTotal = len(v.prog.Rules)
		if r.Lineage == nil {
			continue
		}
		hit := make([]bool, len(v.prog.Rules))
		for _, rf := range r.Lineage.Derived {
			if rf.Rule >= 0 && rf.Rule < len(hit) && len(rf.Facts) > 0 {
				hit[rf.Rule] = true
				v.reached[rf.Rule] = true
			}
		}
		for j, h := range hit {
			if h {
				wr.Rules++
			} else {
				wr.Unreached = append(wr.Unreached, v.prog.Rules[j].Pos.String())
			}
		}
	}
	for _, fs := range v.finds {
		if fs.rule >= 0 && v.reached[fs.rule] {
			fs.reached = true
		}
	}
}

// protocolWorkloads are the workloads a seal is checked on: the given
// workload and Options.ProtocolWorkloads, written by people who know the
// protocol the seal stands for (a generated workload does not: SealedCart's
// checkout must say how many actions it follows).
func (v *verifier) protocolWorkloads() []*workload {
	var out []*workload
	if v.opts.Workload != nil {
		out = append(out, v.wls...)
	}
	for _, w := range v.opts.ProtocolWorkloads {
		if v.opts.Workload != nil && w.Name == v.opts.Workload.Name {
			continue
		}
		wl := fromWorkload(w, v.opts.MaxTicks)
		if wl.maxTicks <= 0 {
			wl.maxTicks = DefaultMaxTicks
		}
		if _, ds := executor.Bind(v.cp, wl.executor(wl.inputs)); ds.HasErrors() {
			continue
		}
		out = append(out, wl)
	}
	return out
}

// inputsOf returns the inputs of collection c.
func inputsOf(inputs []executor.WorkloadFact, c string) []executor.WorkloadFact {
	var out []executor.WorkloadFact
	for _, in := range inputs {
		if in.Fact.Collection == c {
			out = append(out, in)
		}
	}
	return out
}

// plan lays out the experiments: per kind, per workload.
func (v *verifier) plan() {
	var dPairs, pooTargets, ctxSched []*target
	nPairs := map[string][]*target{}
	ctxOrders := map[string][]*target{} // input orders with context: Bot
	iso := map[string][]*target{}       // schedules: Bot, A, N
	isoBot := map[string][]*target{}    // orders: Bot
	for _, ps := range v.paths {
		switch ps.label {
		case monotonic.D:
			dPairs = append(dPairs, &target{path: ps})
		case monotonic.N:
			nPairs[ps.from] = append(nPairs[ps.from], &target{path: ps})
		}
		if ps.label != monotonic.D {
			iso[ps.from] = append(iso[ps.from], &target{path: ps, contradiction: true})
		}
		if ps.label == monotonic.Bot || ps.label == monotonic.A {
			ctxSched = append(ctxSched, &target{path: ps, contradiction: true, context: true})
		}
		if ps.label == monotonic.Bot {
			isoBot[ps.from] = append(isoBot[ps.from], &target{path: ps, contradiction: true})
			ctxOrders[ps.from] = append(ctxOrders[ps.from], &target{path: ps, contradiction: true, context: true})
		}
	}
	for _, fs := range v.finds {
		if fs.rule >= 0 {
			pooTargets = append(pooTargets, &target{finding: fs})
		}
	}
	var sources []string
	for _, s := range v.g.Sources() {
		sources = append(sources, v.g.Nodes[s].Name)
	}
	n := v.opts.Schedules
	add := func(e *experiment) {
		if len(e.targets) > 0 {
			e.budget = n
			v.exps = append(v.exps, e)
			v.total.Add(int64(n))
		}
	}
	// Coordination checked by execution (coordination.go): on the given
	// workload, the schedule experiment seeks it too; on the protocol's
	// other workloads, an experiment of its own.
	coordTargets := func() []*target {
		var ts []*target
		for _, fs := range v.planCoordination() {
			ts = append(ts, &target{finding: fs, broken: "broken-coordination"})
		}
		return ts
	}()
	for _, wl := range v.wls {
		ts := slices.Concat(dPairs, pooTargets, ctxSched)
		if v.opts.Workload != nil {
			ts = append(ts, coordTargets...)
		}
		add(&experiment{name: "schedules", kind: varySchedules, wl: wl, targets: ts})
	}
	if len(coordTargets) > 0 {
		for _, wl := range v.protocolWorkloads() {
			if !slices.Contains(v.wls, wl) {
				add(&experiment{name: "schedules, on a workload that follows the coordination", kind: varySchedules, wl: wl, targets: coordTargets})
			}
		}
	}
	for _, wl := range v.wls {
		for _, s := range sources {
			if len(inputsOf(wl.inputs, s)) >= 2 {
				add(&experiment{name: "input order of " + s, kind: varyOrders, wl: wl, input: s, targets: slices.Concat(nPairs[s], pooTargets, ctxOrders[s])})
			}
		}
	}
	if seals := v.planSeals(); len(seals) > 0 {
		dom := inferDomains(v.prog)
		for _, sc := range seals {
			var ts []*target
			for _, fs := range sc.findings {
				ts = append(ts, &target{finding: fs, broken: "broken-seal"})
			}
			for _, wl := range v.protocolWorkloads() {
				if sw := v.respecting(wl, sc, dom); sw != nil {
					add(&experiment{name: "schedules, the senders keeping the seal on " + sc.seal.Collection.Name, kind: varySchedules, wl: sw, targets: ts})
				}
			}
		}
	}
	for _, wl := range v.wls {
		for _, s := range sources {
			ins := inputsOf(wl.inputs, s)
			if len(ins) == 0 {
				continue
			}
			iw := wl.with(wl.facts, ins)
			add(&experiment{name: s + " alone, schedules", kind: varySchedules, wl: iw, input: s, isolated: true, targets: iso[s]})
			if len(ins) >= 2 {
				add(&experiment{name: s + " alone, input orders", kind: varyOrders, wl: iw, input: s, isolated: true, targets: isoBot[s]})
			}
		}
	}
}

func (v *verifier) exploreAll() {
	for _, e := range v.exps {
		if v.stop || v.ctx.Err() != nil {
			v.skip(int64(e.budget))
			continue
		}
		v.explore(e)
		counted := map[*tally]bool{} // a finding sought twice (as itself and as a broken declaration) counts once
		for _, t := range e.targets {
			var tl *tally
			if t.finding != nil {
				tl = &t.finding.tally
				if counted[tl] {
					continue
				}
				counted[tl] = true
			} else {
				tl = &t.path.tally
				if len(inputsOf(e.wl.inputs, t.path.from)) == 0 {
					// The pair's input was not fed: these runs say
					// nothing of the pair.
					continue
				}
				tl.fed++
				tl.nonempty += e.nonempty[t.path.to]
				if e.exhaustive {
					t.path.exhaustive = true
				}
			}
			if e.ran > 0 {
				if tl.workloads == nil {
					tl.workloads = map[string]bool{}
				}
				tl.workloads[e.wl.name] = true
			}
			if e.kind == varySchedules {
				tl.schedules += e.ran
			} else {
				tl.orders += e.ran
			}
			tl.compared += e.compared
			tl.errors += e.errors
			tl.errs.merge(&e.errs)
		}
	}
	v.progress(true)
}

func (v *verifier) skip(n int64) {
	v.done.Add(n)
	v.progress(false)
}

func (v *verifier) progress(force bool) {
	if v.opts.Progress == nil {
		return
	}
	v.progMu.Lock()
	defer v.progMu.Unlock()
	if now := time.Now(); force || now.Sub(v.lastProg) > 100*time.Millisecond {
		v.lastProg = now
		v.opts.Progress(v.done.Load(), v.total.Load())
	}
}

// execute runs one spec of an experiment.
func (v *verifier) execute(e *experiment, sp spec, deliveries, lineage bool) *executor.Result {
	return v.executeOn(nil, e, sp, deliveries, lineage)
}

// executeOn runs one spec of an experiment on compiled program cp (nil:
// the program's own compilation, and the experiment's bound setup when
// the spec keeps its workload).
func (v *verifier) executeOn(cp *executor.Program, e *experiment, sp spec, deliveries, lineage bool) *executor.Result {
	v.runs.Add(1)
	s := e.setup
	if cp == nil {
		cp = v.cp
	} else {
		s = nil
	}
	if sp.inputs != nil || sp.facts != nil || sp.nodes != nil || s == nil {
		facts, inputs := e.wl.facts, e.wl.inputs
		if sp.facts != nil {
			facts = sp.facts
		}
		if sp.inputs != nil {
			inputs = sp.inputs
		}
		wl := e.wl.with(facts, inputs)
		if sp.nodes != nil {
			wl.nodes = sp.nodes
		}
		var ds modules.Diagnostics
		s, ds = executor.Bind(cp, wl.executor(inputs))
		if s == nil {
			msg := "the workload does not bind"
			if errs := ds.Errors(); len(errs) > 0 {
				msg = errs[0].String()
			}
			return &executor.Result{Stop: "error", Err: &executor.RunError{Check: "workload", Msg: msg}}
		}
	}
	sched := sp.sched
	if sched == nil {
		sched = fifo
	}
	return s.Run(v.ctx, executor.Options{Scheduler: sched, Deliveries: deliveries, Lineage: lineage, MaxTicks: e.wl.maxTicks, NoTables: !lineage})
}

// fifo delivers every message in the next timestep.
var fifo = &executor.Schedule{Default: 1}

type runResult struct {
	ok      bool
	err     ErrorCount // when not ok
	out     outcome
	differs bool
	attr    *attribution
	// credits: per rule whose effect was neutralized in a replay of both
	// executions, the outputs where the difference went away or changed
	// (see credit); a rule absent was not tried.
	credits map[int]map[string]bool
	// replayed: the rules of credits that were replayed (the others acted
	// alike in both runs: no cause, and no replay spent).
	replayed map[int]bool
	// varied: the input whose facts alone the two executions order
	// differently (an input-order experiment), the cause of any
	// difference; inputCredit: per input whose facts were removed from a
	// replay of both executions, the outputs where part of the difference
	// went away (see inputCredits).
	varied      string
	inputCredit map[string]map[string]bool
	// The systematic exploration's: the run's delivery order and the
	// schedules that reverse its races (computed by the worker).
	sig      string
	children []reversal
}

// maxCounterfactuals bounds, per experiment and target, the divergent
// runs on which counterfactual replays are tried (each costs two runs per
// rule): a rule that did not cause the first ones is unlikely to cause
// the next.
const maxCounterfactuals = 16

// baselineLineage runs the baseline again with lineage (once).
func (v *verifier) baselineLineage(e *experiment) *executor.Result {
	e.linOnce.Do(func() {
		if r := v.covRes[e.wl]; r != nil {
			e.baseLin = r
			return
		}
		e.baseLin = v.execute(e, spec{}, false, true)
	})
	return e.baseLin
}

// runOne executes a variant and compares it with the baseline; when the
// outputs differ (outside isolated experiments), it attributes the
// difference: lineage, and counterfactual replays for the rules the
// pending targets need (pending and tries: as of the batch's start).
func (v *verifier) runOne(e *experiment, sp spec, deliveries bool, pending []*target, tries map[*target]int) *runResult {
	res := v.execute(e, sp, deliveries, false)
	rr := &runResult{ok: res.Stop == "quiescent" && res.Err == nil}
	if !rr.ok {
		rr.err = errorOf(res)
		v.done.Add(1)
		return rr
	}
	rr.out = outcomeOf(res, v.sinks)
	if deliveries {
		inputs := e.wl.inputs
		if sp.inputs != nil {
			inputs = sp.inputs
		}
		rr.sig = orderSignature(e.wl.nodes, res.Deliveries, inputs)
		rr.children = reversals(res.Deliveries, inputs, maxSystematicDelay)
	}
	rr.differs = rr.out.key() != e.baseOut.key()
	if rr.differs && e.isolated && staleAlone(e.baseOut, rr.out, pending) {
		// The input alone diverged on a stale pair: lineage says whether
		// every differing fact is a stale snapshot read (allowed).
		lin := v.execute(e, sp, false, true)
		base := v.baselineLineage(e)
		if lin.Stop == "quiescent" && base.Stop == "quiescent" {
			rr.attr = attribute(base, lin, v.sinks)
		}
	}
	if rr.differs && !e.isolated && v.wantsLineage(e.baseOut, rr.out, pending, tries) {
		lin := v.execute(e, sp, false, true)
		base := v.baselineLineage(e)
		if lin.Stop == "quiescent" && base.Stop == "quiescent" {
			rr.attr = attribute(base, lin, v.sinks)
			v.attributeRun(e, spec{}, sp, e.baseOut, rr, pending, tries)
		}
	}
	v.done.Add(1)
	v.progress(false)
	return rr
}

// attributeRun fills in the counterfactual credits of a divergent run rr
// (rr.attr set, rr.out its outcome) against a (whose outcome is oa): the
// points of order the pending targets need (candidates), and the inputs
// of the pairs that lineage does not connect to the difference
// (inputCredits).
func (v *verifier) attributeRun(e *experiment, a, b spec, oa outcome, rr *runResult, pending []*target, tries map[*target]int) {
	rr.credits = map[int]map[string]bool{}
	rr.replayed = map[int]bool{}
	if e.kind == varyOrders {
		rr.varied = e.input
	}
	for _, r := range v.candidates(oa, rr.out, rr.attr, pending, tries) {
		rr.credits[r] = nil
		if v.actedDifferently(rr.attr, r) {
			rr.credits[r] = v.credit(e, a, b, oa, rr.out, rr.attr, r)
			rr.replayed[r] = true
		}
	}
	v.inputCredits(e, a, b, oa, rr, pending, tries)
}

// inputCredits credits the inputs of pending D and N pairs whose output
// differs but whose input is in the lineage of no differing fact of it:
// the input may still be a cause, through an absence (a tick that, by
// arriving before the question, suppresses an answer through a notin
// leaves nothing in the lineage of the answer the other execution
// gives). Both executions are replayed without the input's facts (every
// other message keeps its delay: schedules are keyed by message); when
// part of the difference in the output goes away and nothing new
// differs (changed), the difference depends on the input. Only tried
// when a point of order on the pair's paths is credited with the
// difference (or the pair has none), since the pair needs that too.
func (v *verifier) inputCredits(e *experiment, a, b spec, oa outcome, rr *runResult, pending []*target, tries map[*target]int) {
	differing := differingColls(oa, rr.out)
	for _, t := range pending {
		if t.path == nil || t.contradiction || t.finding != nil || tries[t] >= maxCounterfactuals {
			continue
		}
		from, to := t.path.from, t.path.to
		if !differing[to] || rr.varied == from || rr.attr.pair(from, to) {
			continue
		}
		if _, done := rr.inputCredit[from]; done {
			continue
		}
		credited := len(t.path.onPath) == 0
		for _, r := range t.path.onPath {
			credited = credited || rr.credits[r][to]
		}
		if !credited {
			continue
		}
		if rr.inputCredit == nil {
			rr.inputCredit = map[string]map[string]bool{}
		}
		rr.inputCredit[from] = nil
		without := func(sp spec) spec {
			ins := sp.inputs
			if ins == nil {
				ins = e.wl.inputs
			}
			out := []executor.WorkloadFact{}
			for _, in := range ins {
				if in.Fact.Collection != from {
					out = append(out, in)
				}
			}
			sp.inputs = out
			return sp
		}
		ra := v.execute(e, without(a), false, false)
		if ra.Stop != "quiescent" || ra.Err != nil {
			continue
		}
		rb := v.execute(e, without(b), false, false)
		if rb.Stop != "quiescent" || rb.Err != nil {
			continue
		}
		rr.inputCredit[from] = changed(oa, rr.out, outcomeOf(ra, v.sinks), outcomeOf(rb, v.sinks))
	}
}

// caused reports whether the difference in output to depends on input
// from: a differing fact of to has from in its lineage, or only the order
// of from's facts differs between the executions, or removing from's
// facts from both removes part of the difference (inputCredits).
func (rr *runResult) caused(from, to string) bool {
	return rr.attr.pair(from, to) || rr.varied == from || rr.inputCredit[from][to]
}

// candidates returns the rules whose counterfactual the pending targets
// need on a divergent run: for a point of order, its rule; for a D or N
// pair, and a contradiction sought with context, the points of order on
// the pair's paths (a contradiction only when lineage alone does not
// explain the difference). Only rules that derived a fact in one of the
// two runs and whose head reaches a differing output are tried.
func (v *verifier) candidates(oa, ob outcome, at *attribution, pending []*target, tries map[*target]int) []int {
	differing := differingColls(oa, ob)
	want := map[int]bool{}
	consider := func(r int) {
		if want[r] || !at.derived(r) {
			return
		}
		for _, o := range v.outs[r] {
			if differing[o] {
				want[r] = true
				return
			}
		}
	}
	for _, t := range pending {
		if tries[t] >= maxCounterfactuals {
			continue
		}
		switch {
		case t.finding != nil:
			consider(t.finding.rule)

		case t.context:
			if differing[t.path.to] && at.pair(t.path.from, t.path.to) && !at.anyRule(t.path.to, t.path.onPath) {
				for _, r := range t.path.onPath {
					consider(r)
				}
				// And the points of order of the D pairs into the
				// output: another input's race may explain it.
				for _, r := range v.dPoints(t.path.to) {
					consider(r)
				}
			}
		case !t.contradiction:
			// Also when the input is in no differing fact's lineage:
			// it may have caused the difference by an absence
			// (inputCredits, which needs these credits).
			if differing[t.path.to] {
				for _, r := range t.path.onPath {
					consider(r)
				}
			}
		}
	}
	var out []int
	for r := range want {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// needsCounterfactual reports whether judging target t on a divergent run
// counts as one of its counterfactual tries.
func needsCounterfactual(t *target) bool {
	return !t.contradiction || t.context
}

// matches reports whether a divergent run confirms (or refutes) target t:
//
//   - a point of order: replaying both runs with its rule neutralized
//     removes or changes part of the difference (credit);
//   - a D or N pair: a differing fact of the output has the input in its
//     lineage, and a point of order on the pair's paths is credited with
//     part of the difference in the output (a pair with no point of order
//     on its paths, which the analysis labels D through a contract or a
//     protocol, by lineage alone);
//   - a contradiction, input alone: the output differs;
//   - a contradiction with context: a differing fact of the output has the
//     input in its lineage, and no point of order on the pair's paths is
//     in the lineage or credited, and the difference is not a stale
//     snapshot read (stale reports it).
func (v *verifier) matches(base outcome, t *target, rr *runResult, fixed []bool) (ok, stale bool) {
	if t.contradiction && !t.context {
		if !differsIn(base, rr.out, t.path.to) {
			return false, false
		}
		if rr.attr != nil && v.staleRead(t.path, rr.attr, fixed) {
			return false, true // the snapshot guarantee allows it
		}
		return true, false
	}
	if rr.attr == nil {
		return false, false
	}
	credited := func(r int, out string) bool {
		cs, tried := rr.credits[r]
		return tried && (out == "" && len(cs) > 0 || cs[out])
	}
	switch {
	case t.finding != nil:
		return credited(t.finding.rule, ""), false
	case t.context:
		if !differsIn(base, rr.out, t.path.to) || !rr.attr.pair(t.path.from, t.path.to) || rr.attr.anyRule(t.path.to, t.path.onPath) {
			return false, false
		}
		for _, r := range t.path.onPath {
			if credited(r, t.path.to) {
				return false, false
			}
			if _, tried := rr.credits[r]; !tried && rr.attr.derived(r) {
				// Not tried (the bound on counterfactuals): cannot
				// tell, so no contradiction.
				return false, false
			}
		}
		// A point of order on the path of a D pair into the output, in
		// the difference's lineage (or credited with it): that pair's
		// race, which the analysis reports, explains it (docs/checks.md:
		// if the schedule changes O's set, some pair into O is D),
		// however this pair's input took part in the facts.
		for _, r := range v.dPoints(t.path.to) {
			if rr.attr.rules[t.path.to][r] || credited(r, t.path.to) {
				return false, false
			}
		}
		if v.staleRead(t.path, rr.attr, fixed) {
			return false, true
		}
		return true, false
	}
	if !rr.caused(t.path.from, t.path.to) {
		return false, false
	}
	if len(t.path.onPath) == 0 {
		return true, false
	}
	for _, r := range t.path.onPath {
		if credited(r, t.path.to) {
			return true, false
		}
	}
	return false, false
}

// dPoints returns the points of order on the paths of the D pairs into
// output out (Bud's labels), in rule order; computed once per output.
func (v *verifier) dPoints(out string) []int {
	v.fixedMu.Lock()
	defer v.fixedMu.Unlock()
	if v.dPointsOf == nil {
		v.dPointsOf = map[string][]int{}
		for _, ps := range v.paths {
			if ps.label != monotonic.D {
				continue
			}
			rs := v.dPointsOf[ps.to]
			for _, r := range ps.onPath {
				if !slices.Contains(rs, r) {
					rs = append(rs, r)
				}
			}
			slices.Sort(rs)
			v.dPointsOf[ps.to] = rs
		}
	}
	return v.dPointsOf[out]
}

// fixedKey is what fixedRules depends on: the varied source and the
// workload (its initial facts).
type fixedKey struct {
	source string
	wl     *workload
}

// fixedSchedules is the key of fixedBy for the schedule experiments.
const fixedSchedules = "\x00schedules"

// fixedRules returns the nonmonotonic rules that act as monotone ones
// under the experiment's variation: those whose facts it cannot change
// (with all inputs fixed and only the schedule varying, the rules that no
// message reaches; with one input's facts moved among its own timesteps,
// a FIFO network, the rules that input does not reach; each also with a
// positive atom over an input, or a scratch derived only from inputs, so
// that it fires only in the timesteps its input's facts arrive, the same
// in both executions, and not in idle ones, or over tables only, which
// idle timesteps leave as they were),
// and those whose only nonmonotonic part is a negation of a collection
// that holds no fact in any run of the workload.
func (v *verifier) fixedRules(e *experiment) []bool {
	key := fixedSchedules
	if e.kind == varyOrders {
		key = e.input
	}
	v.fixedMu.Lock()
	defer v.fixedMu.Unlock()
	if r, ok := v.fixedBy[fixedKey{key, e.wl}]; ok {
		return r
	}
	empty := v.neverFilled(e.wl)
	g := v.g
	var from []int
	if key == fixedSchedules {
		for i := range g.Edges {
			if e := &g.Edges[i]; e.Async {
				from = append(from, e.To)
			}
		}
	} else if c, ok := g.Lookup(key); ok {
		from = append(from, c)
	}
	reached := g.Reach(from, false, 0)
	rules := v.prog.Rules
	inputEvent := v.inputEvents()
	out := make([]bool, len(rules))
	for i, r := range rules {
		fixed, input, tables := true, false, true
		for a := range r.Atoms() {
			c, ok := g.Lookup(a.Pred)
			if !ok || reached[c] {
				fixed = false
				break
			}
			input = input || !a.Negated && inputEvent[c]
			tables = tables && g.Nodes[c].Kind.Persistent()
		}
		out[i] = fixed && (input || tables)
		if !out[i] && !r.Op.Nonmonotonic() && len(r.Aggregates()) == 0 {
			// Nonmonotonic only through negations of collections that
			// hold no fact in any run of the workload: true in every
			// timestep of both executions, so monotone here.
			constant := true
			for a := range r.Atoms() {
				if c, ok := g.Lookup(a.Pred); a.Negated && (!ok || !empty[c]) {
					constant = false
				}
			}
			out[i] = constant
		}
	}
	if v.fixedBy == nil {
		v.fixedBy = map[fixedKey][]bool{}
	}
	v.fixedBy[fixedKey{key, e.wl}] = out
	return out
}

// inputEvents marks the inputs, and the scratches every rule of which
// reads one positively: they hold facts only in the timesteps after
// inputs arrive, never in idle ones (a least fixpoint, computed once;
// the caller holds fixedMu).
func (v *verifier) inputEvents() []bool {
	if v.inputEvent != nil {
		return v.inputEvent
	}
	g, rules := v.g, v.prog.Rules
	inputEvent := make([]bool, len(g.Nodes))
	derives := make([][]*modules.Rule, len(g.Nodes))
	for _, r := range rules {
		if h, ok := g.Lookup(r.Head.Pred); ok {
			derives[h] = append(derives[h], r)
		}
	}
	for i, nd := range g.Nodes {
		inputEvent[i] = nd.Kind == modules.Input
	}
	for changed := true; changed; {
		changed = false
		for i, nd := range g.Nodes {
			if inputEvent[i] || nd.Kind != modules.Scratch || len(derives[i]) == 0 {
				continue
			}
			all := true
			for _, r := range derives[i] {
				reads := false
				for a := range r.Atoms() {
					if c, ok := g.Lookup(a.Pred); ok && !a.Negated && inputEvent[c] {
						reads = true
						break
					}
				}
				all = all && reads
			}
			if all {
				inputEvent[i], changed = true, true
			}
		}
	}
	v.inputEvent = inputEvent
	return inputEvent
}

// neverFilled returns the collections that hold no fact in any run of
// workload w: not an input, a channel's or periodic's, no initial fact,
// and every rule that derives one reads (positively) one that holds none
// (the least fixpoint of "may hold a fact").
func (v *verifier) neverFilled(w *workload) []bool {
	g := v.g
	may := make([]bool, len(g.Nodes))
	for i, n := range g.Nodes {
		switch n.Kind {
		case modules.Input, modules.Periodic:
			may[i] = true
		}
	}
	if w != nil {
		for _, f := range w.facts {
			if c, ok := g.Lookup(f.Fact.Collection); ok {
				may[c] = true
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, r := range v.prog.Rules {
			h, ok := g.Lookup(r.Head.Pred)
			if !ok || may[h] {
				continue
			}
			all := true
			for a := range r.Atoms() {
				if c, ok := g.Lookup(a.Pred); !a.Negated && (!ok || !may[c]) {
					all = false
					break
				}
			}
			if all {
				may[h], changed = true, true
			}
		}
	}
	empty := make([]bool, len(may))
	for i, m := range may {
		empty[i] = !m
	}
	return empty
}

// staleRead reports whether every differing fact of the pair's output
// that its input (or no input) derives is a stale snapshot read: derived through a snapshot read on the pair's
// paths and through monotone rules only (no negation, aggregate, deletion
// or upsert in its lineage, and no table it read shrank), so the facts it
// was derived from persist and the final state derives it too: the
// guarantee of docs/checks.md. A nonmonotonic rule that the
// experiment's variation cannot reach (fixed, from fixedRules) counts as
// monotone: it derives the same facts at the same timesteps in both
// executions (a count over a local input that fills the state a message
// then reads; a notin in the rule that fills the table a moved input
// reads).
func (v *verifier) staleRead(ps *pathState, at *attribution, fixed []bool) bool {
	if len(ps.snap) == 0 {
		return false
	}
	facts := at.facts[ps.to]
	if len(facts) == 0 {
		return false
	}
	for _, fl := range facts {
		if len(fl.inputs) > 0 && !slices.Contains(fl.inputs, ps.from) {
			// Derived from other inputs only: no evidence about this
			// pair (its own pairs are judged on it).
			continue
		}
		snap := false
		for _, r := range fl.rules {
			if r < 0 || r >= len(v.monotoneRule) || !v.monotoneRule[r] && !(fixed != nil && fixed[r]) {
				return false
			}
			snap = snap || slices.Contains(ps.snap, r)
		}
		if !snap {
			return false
		}
	}
	return true
}

// explore runs an experiment: its baseline, then variants in batches run
// in parallel, each batch judged in order, so that what is found (the
// first variant that confirms each target) does not depend on the number
// of jobs.
func (v *verifier) explore(e *experiment) {
	pending := 0
	for _, t := range e.targets {
		if t.found() == nil {
			pending++
		}
	}
	if pending == 0 {
		v.skip(int64(e.budget))
		return
	}
	if e.kind == varySchedules {
		if s, _ := executor.Bind(v.cp, e.wl.executor(e.wl.inputs)); s != nil {
			e.setup = s
		}
	}
	e.base = v.execute(e, spec{}, true, false)
	e.ran = 1
	v.done.Add(1)
	if e.base.Stop != "quiescent" || e.base.Err != nil {
		e.note = "the baseline run (FIFO network, inputs as given) failed: " + describeStop(e.base)
		e.errors++
		e.errs.add(errorOf(e.base))
		v.skip(int64(e.budget - 1))
		return
	}
	e.baseOut = outcomeOf(e.base, v.sinks)
	v.countNonempty(e, e.baseOut)
	var gen variantSource
	if e.kind == varySchedules {
		gen = v.scheduleSource(e)
	} else {
		gen = v.orderSource(e)
	}
	batch := 4 * v.opts.Jobs
	tries := map[*target]int{}
	for e.ran < e.budget && !v.stop && v.ctx.Err() == nil {
		vs := gen.next(min(batch, e.budget-e.ran))
		if len(vs) == 0 {
			break
		}
		batch = min(2*batch, 64*v.opts.Jobs)
		var open []*target
		for _, t := range e.targets {
			if t.found() == nil {
				open = append(open, t)
			}
		}
		snapshot := maps.Clone(tries)
		results := make([]*runResult, len(vs))
		v.parallel(len(vs), func(i int) { results[i] = v.runOne(e, vs[i].spec, vs[i].deliveries, open, snapshot) })
		done := false
		for i, rr := range results {
			e.ran++
			gen.feed(vs[i], rr)
			if !rr.ok {
				e.errors++
				e.errs.add(rr.err)
				continue
			}
			v.countNonempty(e, rr.out)
			if !rr.differs {
				continue
			}
			pending = 0
			for _, t := range e.targets {
				if t.found() != nil {
					continue
				}
				ok := false
				if rr.attr != nil && needsCounterfactual(t) {
					// Judged in order, with the bound on tries, so that
					// what is found does not depend on the batches.
					if tries[t] < maxCounterfactuals {
						var stale bool
						ok, stale = v.matches(e.baseOut, t, rr, v.fixedRules(e))
						if stale {
							t.path.stale++
						}
						if v.triedFor(e.baseOut, t, rr) {
							tries[t]++
						}
					}
				} else if rr.attr != nil || !needsCounterfactual(t) {
					var stale bool
					ok, stale = v.matches(e.baseOut, t, rr, v.fixedRules(e))
					if stale {
						t.path.stale++
					}
				}
				if ok {
					t.setFound(&found{exp: e, a: spec{}, b: vs[i].spec, desc: vs[i].desc, t: t})
					if !t.contradiction && v.first == 0 {
						v.first = time.Since(v.start)
						if v.opts.FirstWitness {
							v.stop = true
						}
					}
				}
				if t.found() == nil && !(needsCounterfactual(t) && tries[t] >= maxCounterfactuals) {
					pending++
				}
			}
			if pending == 0 || v.stop {
				done = true
				break
			}
		}
		if done {
			break
		}
	}
	e.exhaustive = gen.exhausted()
	v.skip(int64(e.budget - e.ran))
}

// countNonempty counts a compared run: per output a target of the
// experiment reads, whether it was not empty.
// triedFor reports whether judging target t on a divergent run counts
// towards maxCounterfactuals: a counterfactual replay was run for it, or,
// for a contradiction sought with context, its output differed and was
// attributed. Once a target has had its tries in an experiment it is no
// longer pending there, and an experiment with nothing pending ends.
func (v *verifier) triedFor(base outcome, t *target, rr *runResult) bool {
	if t.context {
		return differsIn(base, rr.out, t.path.to)
	}
	if t.finding != nil {
		return rr.replayed[t.finding.rule]
	}
	for _, r := range t.path.onPath {
		if rr.replayed[r] {
			return true
		}
	}
	return false
}

// staleAlone reports whether an open target is a stale pair (one with a
// snapshot read on its paths) sought with its input alone, whose output
// differs: lineage then tells a stale answer from a contradiction.
func staleAlone(base, out outcome, open []*target) bool {
	var differing map[string]bool
	for _, t := range open {
		if t.path != nil && t.contradiction && !t.context && len(t.path.snap) > 0 {
			if differing == nil {
				differing = differingColls(base, out)
			}
			if differing[t.path.to] {
				return true
			}
		}
	}
	return false
}

// wantsLineage reports whether some open target (one with tries left)
// can use the attribution of a divergent run: a point of order whose head
// reaches a differing output, a pair whose output differs.
func (v *verifier) wantsLineage(base, out outcome, open []*target, tries map[*target]int) bool {
	differing := differingColls(base, out)
	for _, t := range open {
		if needsCounterfactual(t) && tries[t] >= maxCounterfactuals {
			continue
		}
		if t.finding != nil {
			for _, o := range v.outs[t.finding.rule] {
				if differing[o] {
					return true
				}
			}
			continue
		}
		if t.path != nil && !(t.contradiction && !t.context) && differing[t.path.to] {
			return true
		}
	}
	return false
}

func (v *verifier) countNonempty(e *experiment, out outcome) {
	e.compared++
	if e.nonempty == nil {
		e.nonempty = map[string]int{}
	}
	for _, t := range e.targets {
		if t.path == nil {
			continue
		}
		if _, ok := e.nonempty[t.path.to]; !ok {
			e.nonempty[t.path.to] = 0
		}
	}
	for c := range e.nonempty {
		if out.has(c) {
			e.nonempty[c]++
		}
	}
	if e.isolated {
		for _, t := range e.targets {
			if t.path != nil {
				t.path.isoRuns++
				if out.has(t.path.to) {
					t.path.isoFull++
				}
			}
		}
	}
}

func describeStop(res *executor.Result) string {
	if res.Err != nil {
		return res.Err.Error()
	}
	return res.Stop
}

// parallel calls f(0..n-1) on the verifier's jobs.
func (v *verifier) parallel(n int, f func(i int)) {
	jobs := min(v.opts.Jobs, n)
	if jobs <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}

// ---------------------------------------------------------------------------
// Variants.

type variant struct {
	spec       spec
	desc       string
	deliveries bool // record the deliveries (the systematic exploration needs them)
}

type variantSource interface {
	next(n int) []variant
	feed(v variant, rr *runResult)
	exhausted() bool
}

// scheduleSource explores schedules: first delivery orders systematically
// (breadth first, each new order reversing one race of an order already
// run), then random schedules.
type scheduleSource struct {
	v         *verifier
	e         *experiment
	sysBudget int
	sysRan    int
	frontier  []reversal
	queued    map[uint64]bool
	visited   map[string]bool
	sysDone   bool
	randIndex int
	lo, hi    int
}

func (v *verifier) scheduleSource(e *experiment) *scheduleSource {
	s := &scheduleSource{v: v, e: e, queued: map[uint64]bool{0: true}, visited: map[string]bool{}, lo: 1, hi: e.wl.delay[1]}
	s.hi = max(s.hi, 2)
	switch v.opts.Explore {
	case ExploreRandom:
		s.sysBudget = 0
	case ExploreSystematic:
		s.sysBudget = e.budget
	default:
		s.sysBudget = e.budget / 2
	}
	if s.sysBudget > 1 && len(e.base.Deliveries) <= maxSystematicMessages {
		s.sysRan = 1 // the baseline is the first delivery order
		s.visit(orderSignature(e.wl.nodes, e.base.Deliveries, e.wl.inputs), reversals(e.base.Deliveries, e.wl.inputs, maxSystematicDelay))
	} else {
		s.sysDone, s.sysBudget = true, 0
	}
	return s
}

// The systematic exploration is for small workloads: it runs when the
// baseline sends at most maxSystematicMessages messages, and delays a
// message by at most maxSystematicDelay timesteps.
const (
	maxSystematicMessages = 64
	maxSystematicDelay    = 16
)

// visit notes a run's delivery order; a new order's reversals join the
// frontier (breadth first), unless their schedule was queued before.
func (s *scheduleSource) visit(sig string, children []reversal) {
	if s.visited[sig] {
		return
	}
	s.visited[sig] = true
	for _, r := range children {
		if !s.queued[r.hash] {
			s.queued[r.hash] = true
			s.frontier = append(s.frontier, r)
		}
	}
}

func (s *scheduleSource) next(n int) []variant {
	var out []variant
	for len(out) < n && !s.sysDone && s.sysRan < s.sysBudget && len(s.frontier) > 0 {
		d := s.frontier[0].delays()
		s.frontier = s.frontier[1:]
		s.sysRan++
		out = append(out, variant{spec: spec{sched: d.schedule(), delays: d}, desc: fmt.Sprintf("delivery order %d", s.sysRan), deliveries: true})
	}
	if len(out) > 0 {
		return out
	}
	if !s.sysDone && (len(s.frontier) == 0 || s.sysRan >= s.sysBudget) {
		s.sysDone = true
	}
	if s.v.opts.Explore == ExploreSystematic {
		return nil
	}
	for len(out) < n {
		s.randIndex++
		seed := subSeed(s.v.opts.Seed, "schedule", s.e.name, s.e.wl.name, s.randIndex)
		out = append(out, variant{spec: spec{sched: randomSchedule{seed: seed, lo: s.lo, hi: s.hi}}, desc: fmt.Sprintf("random schedule %d", s.randIndex)})
	}
	return out
}

func (s *scheduleSource) feed(v variant, rr *runResult) {
	if v.deliveries && rr.ok {
		s.visit(rr.sig, rr.children)
	}
}

// exhausted: every delivery order reachable by reversing races was run.
func (s *scheduleSource) exhausted() bool { return s.sysBudget > 1 && len(s.frontier) == 0 }

// orderSource explores input orders: the facts of one input change
// timesteps among themselves (each keeps its node); every permutation
// when there are at most as many as the budget, else random ones.
type orderSource struct {
	v      *verifier
	e      *experiment
	pos    []int // indexes of the input's facts in the workload's inputs
	ticks  []int
	total  int // permutations (0: more than the budget)
	index  int
	seen   map[string]bool
	rng    *rand.Rand
	failed int
}

func (v *verifier) orderSource(e *experiment) *orderSource {
	o := &orderSource{v: v, e: e, seen: map[string]bool{}}
	for i, in := range e.wl.inputs {
		if in.Fact.Collection == e.input {
			o.pos = append(o.pos, i)
			o.ticks = append(o.ticks, in.Tick)
		}
	}
	o.total = 1
	for k := 2; k <= len(o.pos); k++ {
		o.total *= k
		if o.total > e.budget {
			o.total = 0
			break
		}
	}
	o.seen[fmt.Sprint(o.ticks)] = true
	o.rng = rand.New(rand.NewPCG(subSeed(v.opts.Seed, "orders", e.name, e.wl.name), 1))
	return o
}

func (o *orderSource) next(n int) []variant {
	var out []variant
	for len(out) < n {
		var perm []int
		if o.total > 0 {
			o.index++
			if o.index >= o.total {
				break
			}
			perm = nthPermutation(len(o.pos), o.index)
		} else {
			if o.failed > 1000 {
				break
			}
			perm = o.rng.Perm(len(o.pos))
		}
		ticks := make([]int, len(perm))
		for i, p := range perm {
			ticks[i] = o.ticks[p]
		}
		k := fmt.Sprint(ticks)
		if o.seen[k] {
			o.failed++
			continue
		}
		o.seen[k] = true
		inputs := slices.Clone(o.e.wl.inputs) // in the same order: A's and B's inputs correspond
		for i, p := range o.pos {
			inputs[p].Tick = ticks[i]
		}
		out = append(out, variant{spec: spec{inputs: inputs}, desc: fmt.Sprintf("input order %d", len(o.seen)-1)})
	}
	return out
}

func (o *orderSource) feed(variant, *runResult) {}

// exhausted: every distinct order was run.
func (o *orderSource) exhausted() bool { return o.total > 0 && o.index >= o.total }

// nthPermutation returns permutation number k of 0..n-1 in lexicographic
// order (0 is the identity).
func nthPermutation(n, k int) []int {
	elems := make([]int, n)
	for i := range elems {
		elems[i] = i
	}
	fact := make([]int, n+1)
	fact[0] = 1
	for i := 1; i <= n; i++ {
		fact[i] = fact[i-1] * i
	}
	out := make([]int, 0, n)
	for i := n; i > 0; i-- {
		q := k / fact[i-1]
		k %= fact[i-1]
		out = append(out, elems[q])
		elems = append(elems[:q], elems[q+1:]...)
	}
	return out
}
