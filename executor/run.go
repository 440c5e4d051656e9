package executor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/metrics"
	"slices"
	"time"

	"github.com/calmcheck/calmcheck/modules"
)

// Defaults of the bounds.
const (
	DefaultMaxTicks      = 1000
	DefaultMaxFacts      = 100_000
	DefaultMaxValueCells = 16 << 20 // list elements and string words a run may intern
	DefaultQuietRounds   = 4
	// DefaultMaxRunFacts bounds the facts of a whole run: every
	// collection at every node, the messages being sent and in flight.
	DefaultMaxRunFacts = 4_000_000
	// DefaultMaxMemory bounds the process's Go heap while a run goes on.
	DefaultMaxMemory = 4 << 30
)

// Policies of the network.
const (
	PolicyFIFO   = "fifo"
	PolicyRandom = "random"
)

// Options configure one run. The zero Options run the workload as written
// with seed 0 and the default bounds.
type Options struct {
	Seed   uint64
	Policy string // "fifo" or "random"; "" keeps the workload's
	// MaxTicks bounds the timesteps (0: the workload's max_ticks, else
	// DefaultMaxTicks). A run that has not quiesced by then stops with a
	// max-ticks error.
	MaxTicks int
	// MaxFacts bounds the facts of one collection at one node (and the
	// messages in flight per node); 0: DefaultMaxFacts.
	MaxFacts int
	// MaxRunFacts bounds the facts of the whole run, all nodes and
	// collections together, messages in flight included; 0:
	// DefaultMaxRunFacts.
	MaxRunFacts int
	// MaxMemory bounds the Go heap of the process, in bytes, checked while
	// the run goes on (every timestep and every 64k evaluation steps); 0:
	// DefaultMaxMemory. Runs in parallel share the process's heap.
	MaxMemory int64
	// MaxValueCells bounds the list elements and string words a run
	// creates (lists that grow without end); 0: DefaultMaxValueCells.
	MaxValueCells int
	// Timeout bounds the run's wall-clock time (0: none besides ctx).
	Timeout time.Duration
	// Trace records every timestep in Result.Trace.
	Trace bool
	// QuietRounds is how many quiet windows a program with periodic
	// collections must stay quiet to be quiescent (0: DefaultQuietRounds);
	// see docs/semantics.md.
	QuietRounds int
	// Scheduler, when set, decides when each message arrives, in place of
	// the network policy: nothing is lost or duplicated (see Scheduler).
	Scheduler Scheduler
	// Deliveries records every message in Result.Deliveries.
	Deliveries bool
	// Lineage records the lineage of every output fact, and the facts
	// each rule derived, in Result.Lineage (see Lineage). It slows the
	// run down; it is meant for explaining a few runs.
	Lineage bool
	// NoTables leaves the final tables out of the Result (NodeResult.Tables
	// is nil): a run that only compares outputs saves converting them.
	NoTables bool
}

// Result is the outcome of one run.
type Result struct {
	Workload  string       `json:"workload"`
	Program   string       `json:"program"`
	Seed      uint64       `json:"seed"`
	Network   NetworkSpec  `json:"network"`
	Ticks     int          `json:"ticks"`     // timesteps executed
	Quiescent bool         `json:"quiescent"` // stopped at quiescence
	Stop      string       `json:"stop"`      // quiescent, max-ticks, max-facts, timeout, error
	Err       *RunError    `json:"error,omitempty"`
	Nodes     []NodeResult `json:"nodes"`
	Stats     Stats        `json:"stats"`
	Trace     *Trace       `json:"trace,omitempty"`
	// Deliveries lists every message in the order it was sent
	// (Options.Deliveries).
	Deliveries []Message `json:"deliveries,omitempty"`
	// Lineage is recorded with Options.Lineage.
	Lineage *Lineage `json:"lineage,omitempty"`
}

// NodeResult is what one node observed: its output facts with the
// timesteps they were emitted in, and its tables at the end.
type NodeResult struct {
	Node    string   `json:"node"`
	Outputs []Output `json:"outputs"`
	Tables  []Fact   `json:"tables"`
}

// Output is an output interface fact emitted in a timestep.
type Output struct {
	Tick int  `json:"tick"`
	Fact Fact `json:"fact"`
}

// Stats counts what the network and the evaluation did.
type Stats struct {
	Sent        int `json:"sent"`
	Delivered   int `json:"delivered"`
	Dropped     int `json:"dropped"`
	Duplicated  int `json:"duplicated"`
	Derivations int `json:"derivations"` // head facts derived, repeats included
}

// RunError is a runtime error or a bound hit by a run: where (the rule,
// or the workload for bounds), at which node and timestep, and what.
type RunError struct {
	Check string      `json:"check"` // eval, key-conflict, address, max-facts, max-ticks, timeout, value-budget, memory
	Pos   modules.Pos `json:"-"`
	Where string      `json:"pos"`
	Node  string      `json:"node,omitempty"`
	Tick  int         `json:"tick"`
	Msg   string      `json:"message"`
}

func (e *RunError) Error() string { return fmt.Sprintf("%s: error: %s", e.Pos, e.Msg) }

// Diagnostic returns the error as a diagnostic.
func (e *RunError) Diagnostic() modules.Diagnostic {
	return modules.Diagnostic{Pos: e.Pos, Severity: modules.Error, Check: e.Check, Message: e.Msg}
}

// run is the state of one execution of a Setup.
type run struct {
	s     *Setup
	p     *Program
	ctx   context.Context
	opts  Options
	in    *interner
	ev    *evaluator
	nodes []*node
	// byAddr maps a node's address to its index in nodes.
	byAddr map[V]int
	net    *network
	tick   int
	res    *Result
	trace  *Trace
	values map[V]Value // conversions of interned values, for results

	budget       // the time and step bounds (this file)
	quiescence   // when the run is over (quiescence.go)
	lineageState // lineage mode's bookkeeping (lineage.go)
	sending      // the messages' numbering, text and buffers (network.go)
	evalScratch  // a node's evaluation buffers (node.go, lattice.go)
}

// budget is what the run counts against Options' bounds.
type budget struct {
	deadline time.Time
	steps    int
	// budgetSteps counts the clock checks; every 16th checks the budget.
	budgetSteps int
}

type msgFact struct {
	fact Fact
	text string
}

// Run executes the workload once. It never panics on bad programs or
// workloads: runtime errors and bounds end the run with Result.Err set.
// Runs share nothing mutable: any number may execute in parallel.
func (s *Setup) Run(ctx context.Context, opts Options) *Result {
	if ctx == nil {
		ctx = context.Background()
	}
	r := &run{s: s, p: s.prog, ctx: ctx, opts: opts}
	r.init()
	r.res = &Result{Workload: s.w.Name, Program: s.prog.src.Name, Seed: opts.Seed, Network: r.net.spec}
	if opts.Trace {
		r.trace = &Trace{}
		r.res.Trace = r.trace
	}
	r.execute()
	return r.res
}

func (r *run) init() {
	o := &r.opts
	if o.MaxTicks <= 0 {
		o.MaxTicks = r.s.w.MaxTicks
		if o.MaxTicks <= 0 {
			o.MaxTicks = DefaultMaxTicks
		}
	}
	if o.MaxFacts <= 0 {
		o.MaxFacts = DefaultMaxFacts
	}
	if o.MaxValueCells <= 0 {
		o.MaxValueCells = DefaultMaxValueCells
	}
	if o.MaxRunFacts <= 0 {
		o.MaxRunFacts = DefaultMaxRunFacts
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = DefaultMaxMemory
	}
	if o.QuietRounds <= 0 {
		o.QuietRounds = DefaultQuietRounds
	}
	if o.Timeout > 0 {
		r.deadline = time.Now().Add(o.Timeout)
	}
	if d, ok := r.ctx.Deadline(); ok && (r.deadline.IsZero() || d.Before(r.deadline)) {
		r.deadline = d
	}
	r.in = newInterner(r.p.consts, o.MaxValueCells)
	r.values = map[V]Value{}
	spec := r.s.w.Network
	if o.Policy != "" {
		spec.Policy = o.Policy
	}
	if spec.Policy == PolicyRandom && spec.Delay == [2]int{} {
		spec.Delay = DefaultRandomDelay
	}
	if spec.Policy == PolicyFIFO {
		spec.Delay = [2]int{1, 1}
	}
	r.net = &network{spec: spec, buckets: map[int][]message{}}
	r.net.maxDelay = spec.Delay[1]
	if spec.Policy == PolicyFIFO && spec.Duplicate > 0 {
		r.net.maxDelay = 2
	}
	r.net.faults = &policyFaults{spec: spec, rng: rand.New(rand.NewPCG(o.Seed, 0x63616c6d))}
	if o.Scheduler != nil {
		r.net.maxDelay = min(max(1, o.Scheduler.MaxDelay()), MaxDelay)
		r.net.faults = &scheduledFaults{s: o.Scheduler, maxDelay: r.net.maxDelay}
	}
	if o.Scheduler != nil || o.Deliveries {
		r.seqs = map[string]int{}
	}
	if o.Lineage {
		r.lw = r.p.lineageWords()
		r.derived = make([][]*tupleSet, len(r.p.rules))
	}
	nc := len(r.p.colls)
	r.lo, r.hi, r.mark = make([]int, nc), make([]int, nc), make([]int, nc)
	r.ev = &evaluator{r: r, in: r.in, regs: make([]V, r.p.slots), scr: make([]V, r.p.scratch), aggs: make([]*aggState, len(r.p.rules)), lw: r.lw}
	r.byAddr = map[V]int{}
	for i, a := range r.s.nodes {
		n := &node{idx: i, addr: a, addrV: r.in.str(a), rels: make([]*relation, nc), pend: make([]*pendSet, nc),
			change: make([]*netChange, nc), outbox: make([]*relation, nc), isDirty: make([]bool, nc), outSet: make([]*relation, nc)}
		for j, c := range r.p.colls {
			n.rels[j] = r.newRel(c.arity, c.key, c.joins)
		}
		if r.lw > 0 {
			n.outLin = make([][]uint64, nc)
		}
		r.nodes = append(r.nodes, n)
		r.byAddr[n.addrV] = i
	}
	r.periodic = len(r.p.periodics) > 0
	if r.periodic {
		r.quiet = quietWindow(o.QuietRounds, r.p.maxEvery, r.net.maxDelay)
		for _, n := range r.nodes {
			n.seenDeliv = make([]*tupleSet, nc)
			n.seenOut = make([]*tupleSet, nc)
		}
	}
}

// newRel makes a relation that keeps lineage in lineage mode.
func (r *run) newRel(arity int, key []int, joins [][]int) *relation {
	rel := newRelation(arity, key, joins)
	rel.lw = r.lw
	return rel
}

// runStop unwinds a run that hit an error or a bound.
type runStop struct{ err *RunError }

func (r *run) errorf(check string, pos modules.Pos, format string, args ...any) runStop {
	msg := fmt.Sprintf(format, args...)
	e := &RunError{Check: check, Pos: pos, Where: pos.String(), Tick: r.tick, Msg: msg}
	if r.ev != nil && r.ev.node != nil {
		e.Node = r.ev.node.addr
		e.Msg = fmt.Sprintf("at node %s, tick %d: %s", e.Node, r.tick, msg)
	} else if r.tick > 0 {
		e.Msg = fmt.Sprintf("at tick %d: %s", r.tick, msg)
	}
	return runStop{e}
}

func (r *run) execute() {
	defer func() {
		if x := recover(); x != nil {
			switch x := x.(type) {
			case runStop:
				r.stop(x.err)
			case budgetError:
				r.stop(r.errorf("value-budget", r.ruleOrWorkloadPos(), "the run created more than %d list elements and string words, or a list of more than 1/256 of that written out (its nested lists counted as often as they occur); a list or string grows without end? (raise the bound with the library's Options.MaxValueCells)", x.cells).err)
			default:
				panic(x)
			}
		}
	}()
	r.loadInitial()
	for r.tick = 1; ; r.tick++ {
		if r.tick > r.opts.MaxTicks {
			r.tick = r.opts.MaxTicks
			r.stopBound("max-ticks", "the run did not quiesce within %d ticks (--max-ticks): something is still in flight, pending or changing; see the trace (--trace)", r.opts.MaxTicks)
			return
		}
		r.checkTime()
		r.step()
		r.checkBudget()
		if r.quiescent() {
			r.res.Quiescent = true
			r.res.Stop = "quiescent"
			r.finish()
			return
		}
	}
}

func (r *run) ruleOrWorkloadPos() modules.Pos {
	if r.ev.cr != nil {
		return r.ev.cr.rule.Pos
	}
	return r.s.w.Pos
}

func (r *run) stopBound(check, format string, args ...any) {
	r.ev.node = nil
	r.stop(r.errorf(check, r.s.w.Pos, format, args...).err)
}

func (r *run) stop(e *RunError) {
	r.res.Err = e
	r.res.Stop = e.Check
	if !IsBound(e.Check) {
		r.res.Stop = "error"
	}
	r.finish()
}

// IsBound reports whether a run stopped by check hit one of its bounds
// (rather than a runtime error of the program).
func IsBound(check string) bool {
	switch check {
	case "max-ticks", "max-facts", "timeout", "value-budget", "memory":
		return true
	}
	return false
}

// checkBudget enforces the run's fact budget (all nodes together) and the
// memory bound.
func (r *run) checkBudget() {
	total := r.net.inflight
	for _, n := range r.nodes {
		for c, rel := range n.rels {
			total += rel.n
			if ob := n.outbox[c]; ob != nil {
				total += ob.n
			}
		}
	}
	if total > r.opts.MaxRunFacts {
		panic(r.errorf("max-facts", r.ruleOrWorkloadPos(), "more than %d facts in the run, all nodes and collections together (--max-run-facts); a rule that derives without end?", r.opts.MaxRunFacts))
	}
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(heap)
	if v := heap[0].Value; v.Kind() == metrics.KindUint64 && v.Uint64() > uint64(r.opts.MaxMemory) {
		panic(r.errorf("memory", r.ruleOrWorkloadPos(), "the heap grew past %d MiB (--max-memory); stopping before the machine runs out of memory", r.opts.MaxMemory>>20))
	}
}

func (r *run) checkTime() {
	if !r.deadline.IsZero() && time.Now().After(r.deadline) {
		r.timeout()
	}
	select {
	case <-r.ctx.Done():
		r.timeout()
	default:
	}
}

func (r *run) timeout() {
	node := r.ev.node
	r.ev.node = nil
	msg := "the run exceeded its time limit (--timeout)"
	if r.opts.Timeout > 0 {
		msg = fmt.Sprintf("the run exceeded --timeout %s", r.opts.Timeout)
	} else if r.ctx.Err() == context.Canceled {
		msg = "the run was canceled"
	}
	if node != nil {
		msg += fmt.Sprintf(" while node %s evaluated", node.addr)
	}
	panic(r.errorf("timeout", r.s.w.Pos, "%s", msg))
}

// work counts a unit of evaluation (a candidate tuple, a derivation) and
// looks at the clock every few thousand, so that a join that runs long,
// whether it derives anything or not, still stops at the timeout.
func (r *run) work() {
	r.steps--
	if r.steps <= 0 {
		r.steps = 4096
		r.checkTime()
		r.budgetSteps++
		if r.budgetSteps%16 == 0 {
			r.checkBudget()
		}
	}
}

// finish records the final tables and sorts the outputs.
func (r *run) finish() {
	r.res.Ticks = r.tick
	r.res.Nodes = nil
	for _, n := range r.nodes {
		size := 0
		for c, cl := range r.p.colls {
			if cl.kind == modules.Table {
				size += n.rels[c].n
			}
		}
		nr := NodeResult{Node: n.addr, Outputs: r.outputList(n)}
		if !r.opts.NoTables {
			nr.Tables = make([]Fact, 0, size)
		}
		for c, cl := range r.p.colls {
			if cl.kind != modules.Table || r.opts.NoTables {
				continue
			}
			nr.Tables = append(nr.Tables, r.sortedFacts(c, n.rels[c])...)
		}
		r.res.Nodes = append(r.res.Nodes, nr)
	}
	if r.lw > 0 {
		r.res.Lineage = r.lineage()
	}
}

func (r *run) sortedFacts(c int, rel *relation) []Fact {
	idx := make([]int, rel.n)
	for i := range idx {
		idx[i] = i
	}
	if allInline(rel.data) {
		// Only small integers: compare them directly.
		slices.SortFunc(idx, func(a, b int) int {
			ta, tb := rel.tuple(a), rel.tuple(b)
			for k := range ta {
				if ta[k] != tb[k] {
					return cmpInt(inlineKey(ta[k]), inlineKey(tb[k]))
				}
			}
			return 0
		})
	} else {
		slices.SortFunc(idx, func(a, b int) int { return r.in.compareTuples(rel.tuple(a), rel.tuple(b)) })
	}
	out := make([]Fact, len(idx))
	args := make([]Value, len(idx)*rel.arity)
	name := r.p.colls[c].name
	for i, j := range idx {
		a := args[i*rel.arity : (i+1)*rel.arity : (i+1)*rel.arity]
		for k, v := range rel.tuple(j) {
			a[k] = r.valueOf(v)
		}
		out[i] = Fact{Collection: name, Args: a}
	}
	return out
}

// allInline reports whether every value is an inline integer.
func allInline(vs []V) bool {
	for _, v := range vs {
		if v&tagMask != tagInt {
			return false
		}
	}
	return true
}

// inlineKey orders inline integers as integers.
func inlineKey(v V) int64 { return int64(uint64(v)<<2) >> 2 }

// loadInitial puts the workload's initial facts into the tables.
func (r *run) loadInitial() {
	var tt *TickTrace
	if r.trace != nil {
		r.trace.Ticks = append(r.trace.Ticks, TickTrace{Tick: 0})
		tt = &r.trace.Ticks[0]
	}
	for _, f := range r.s.facts {
		n := r.nodes[f.node]
		r.ev.node = n
		if tt != nil && n.tr == nil {
			tt.Nodes = append(tt.Nodes, NodeTrace{Node: n.addr})
			n.tr = &tt.Nodes[len(tt.Nodes)-1]
		}
		r.insertExternal(n, f.coll, r.internAll(f.vals), f.origin, nil)
	}
	for _, n := range r.nodes {
		n.tr = nil
	}
	r.ev.node = nil
	if tt != nil {
		r.sortTrace(tt)
	}
}

func (r *run) internAll(vs []Value) []V {
	out := make([]V, len(vs))
	for i, v := range vs {
		out[i] = r.in.intern(v)
	}
	return out
}

// recordOutputs records the output interfaces' facts (the program's own:
// an imported instance's outputs are read by its importer); reports
// whether there were any.
func (r *run) recordOutputs(n *node) bool {
	any := false
	for _, c := range n.dirty {
		cl := r.p.colls[c]
		if cl.kind != modules.Output || cl.decl.Instance != "" {
			continue // an imported instance's outputs are internal
		}
		rel := n.rels[c]
		if rel.n == 0 {
			continue
		}
		any = true
		set := n.outSet[c]
		if set == nil {
			set = newRelation(cl.arity, allCols(cl.arity), nil)
			n.outSet[c] = set
		}
		for i := 0; i < rel.n; i++ {
			t := rel.tuple(i)
			j := set.findKey(t)
			if j < 0 {
				j = set.n
				set.append(t, 0)
				if r.lw > 0 {
					n.outLin[c] = append(n.outLin[c], make([]uint64, r.lw)...)
				}
			}
			if r.lw > 0 {
				orLin(n.outLin[c][j*r.lw:(j+1)*r.lw], rel.tupleLin(i))
			}
			n.outRecs = append(n.outRecs, outRec{tick: int32(r.tick), coll: int32(c), idx: int32(j)})
		}
		if n.tr != nil {
			n.tr.Outputs = append(n.tr.Outputs, r.sortedFacts(c, rel)...)
		}
		if r.periodic {
			s := n.seenOut[c]
			if s == nil {
				s = newTupleSet(cl.arity)
				n.seenOut[c] = s
			}
			for i := 0; i < rel.n; i++ {
				if s.add(rel.tuple(i)) {
					r.activity = true
				}
			}
		}
	}
	return any
}

// outputList converts a node's output records to Outputs: each distinct
// fact once, in timestep order, facts of a timestep in value order.
func (r *run) outputList(n *node) []Output {
	facts := make([][]Fact, len(n.outSet))
	out := make([]Output, len(n.outRecs))
	for i, rec := range n.outRecs {
		fs := facts[rec.coll]
		if fs == nil {
			set := n.outSet[rec.coll]
			fs = make([]Fact, set.n)
			for j := range fs {
				fs[j] = r.factOf(r.p.colls[rec.coll].name, set.tuple(j))
			}
			facts[rec.coll] = fs
		}
		out[i] = Output{Tick: int(rec.tick), Fact: fs[rec.idx]}
	}
	slices.SortStableFunc(out, func(a, b Output) int {
		if a.Tick != b.Tick {
			return cmpInt(int64(a.Tick), int64(b.Tick))
		}
		return a.Fact.Compare(b.Fact)
	})
	return out
}

// factOf converts a tuple, sharing the conversion of values seen before.
func (r *run) factOf(name string, t []V) Fact {
	f := Fact{Collection: name, Args: make([]Value, len(t))}
	for i, v := range t {
		f.Args[i] = r.valueOf(v)
	}
	return f
}

// valueOf converts an interned value; strings and lists are converted once
// per run and shared (Values are immutable), nested lists too: a list
// that holds the one before it twice costs its cells, not its size
// written out.
func (r *run) valueOf(v V) Value {
	if v&tagMask != tagRef {
		return r.in.value(v)
	}
	if x, ok := r.values[v]; ok {
		return x
	}
	var x Value
	if e := r.in.entry(v); e.kind == ListKind {
		l := make([]Value, len(e.l))
		for i, el := range e.l {
			l[i] = r.valueOf(el)
		}
		x = Value{kind: ListKind, l: l}
	} else {
		x = r.in.value(v)
	}
	r.values[v] = x
	return x
}
