package executor

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/metrics"
	"slices"
	"sort"
	"strings"
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

// ---------------------------------------------------------------------------

type message struct {
	from, to int
	ch       int
	t        []V
	rule     int32
	sent     int
	lin      []uint64
}

type network struct {
	spec     NetworkSpec
	rng      *rand.Rand
	buckets  map[int][]message
	inflight int
	maxDelay int
}

type pendSet struct {
	ins, del, ups *relation
}

type netChange struct {
	dels    []int // indexes into the relation, ascending
	ins     []V
	origins []int32
	lin     []uint64 // lineage mode: of each insertion
	delLin  []uint64 // lineage mode: of the deletions (a table's taint)
}

type node struct {
	// latDirty are the lattice collections that gained versions since
	// they were last compacted (see compactLattices).
	latDirty []int
	idx      int
	addr     string
	addrV    V
	rels     []*relation
	pend     []*pendSet
	pendC    []int
	change   []*netChange
	changeC  []int
	outbox   []*relation
	outC     []int
	dirty    []int // non-table collections holding facts
	isDirty  []bool

	tableChanged bool
	sent         bool
	silent       bool
	outSet       []*relation // per output collection: its distinct facts
	outRecs      []outRec
	seenDeliv    []*tupleSet // periodic mode: per channel
	seenOut      []*tupleSet // periodic mode: per output
	tr           *NodeTrace
	taint        [][]uint64 // lineage mode: per table, the rules that removed facts of it
	outLin       [][]uint64 // lineage mode: per output, the lineage of each fact of outSet
}

type outRec struct{ tick, coll, idx int32 }

type run struct {
	latBuf, latBuf2 []V // tuple buffers of lattice merges
	s               *Setup
	p               *Program
	ctx             context.Context
	opts            Options
	in              *interner
	ev              *evaluator
	nodes           []*node
	byAddr          map[V]int
	net             *network
	tick            int
	res             *Result

	deadline time.Time
	steps    int
	// budgetSteps counts the clock checks; every 16th checks the budget.
	budgetSteps int

	lo, hi, mark []int

	periodic     bool
	quiet        int
	lastActivity int
	noise        bool // exact mode: something happened this tick
	activity     bool // periodic mode: something new happened this tick
	trace        *Trace
	values       map[V]Value // conversions of interned values, for results
	idxBuf       []int
	arena        []V

	lw      int                // lineage words per fact (0: no lineage)
	derived [][]*tupleSet      // lineage mode: per rule, per node, the facts it derived
	seqs    map[string]int     // messages sent so far per channel, tuple, sender and receiver
	msgText map[string]msgFact // messages' facts and their text, by channel and tuple
	keyBuf  []byte
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
	r.net = &network{spec: spec, rng: rand.New(rand.NewPCG(o.Seed, 0x63616c6d)), buckets: map[int][]message{}}
	r.net.maxDelay = spec.Delay[1]
	if spec.Policy == PolicyFIFO && spec.Duplicate > 0 {
		r.net.maxDelay = 2
	}
	if o.Scheduler != nil {
		r.net.maxDelay = min(max(1, o.Scheduler.MaxDelay()), MaxDelay)
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

// quietWindow is rounds × (every + 2 × delay) timesteps, saturated at
// math.MaxInt32 (longer than any run): a huge period must not wrap the
// window around to a small number.
func quietWindow(rounds int, every int64, delay int) int {
	const limit = math.MaxInt32
	w := uint64(max(every, 0)) + 2*uint64(max(delay, 0))
	if w > limit || uint64(rounds)*w > limit {
		return limit
	}
	return rounds * int(w)
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
				r.stop(r.errorf("value-budget", r.ruleOrWorkloadPos(), "the run created more than %d list elements and string words; a list or string grows without end? (raise the bound with the library's Options.MaxValueCells)", x.cells).err)
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

// step runs one timestep at every node, in address order of the workload.
func (r *run) step() {
	t := r.tick
	r.noise, r.activity = false, false
	deliveries := r.net.buckets[t]
	delete(r.net.buckets, t)
	r.net.inflight -= len(deliveries)
	var tt *TickTrace
	if r.trace != nil {
		r.trace.Ticks = append(r.trace.Ticks, TickTrace{Tick: t})
		tt = &r.trace.Ticks[len(r.trace.Ticks)-1]
	}
	// Group deliveries by destination, keeping send order.
	byNode := make([][]message, len(r.nodes))
	for _, m := range deliveries {
		byNode[m.to] = append(byNode[m.to], m)
	}
	inputs := r.s.inputsAt(t)
	var firing []int
	for _, c := range r.p.periodics {
		if int64(t)%r.p.colls[c].decl.Every == 0 {
			firing = append(firing, c)
		}
	}
	for _, n := range r.nodes {
		var in []binput
		for _, b := range inputs {
			if b.node == n.idx {
				in = append(in, b)
			}
		}
		r.stepNode(n, byNode[n.idx], in, firing, tt)
	}
	if tt != nil {
		r.sortTrace(tt)
	}
}

func (r *run) stepNode(n *node, deliveries []message, inputs []binput, firing []int, tt *TickTrace) {
	external := len(deliveries) > 0 || len(inputs) > 0 || len(firing) > 0 || len(n.changeC) > 0
	if !external && n.silent {
		return // the same state and no input: the same (empty) timestep again
	}
	r.ev.node = n
	r.ev.cr = nil
	n.tableChanged, n.sent = false, false
	if tt != nil {
		tt.Nodes = append(tt.Nodes, NodeTrace{Node: n.addr})
		n.tr = &tt.Nodes[len(tt.Nodes)-1]
	}
	if len(inputs) > 0 {
		r.noise, r.activity = true, true
	}
	if len(deliveries) > 0 {
		r.noise = true
	}
	// 1. Deferred changes, deliveries, inputs, timers.
	r.applyChanges(n)
	for _, m := range deliveries {
		r.deliver(n, m)
	}
	for _, b := range inputs {
		t := r.internAll(b.vals)
		if n.tr != nil {
			n.tr.Inputs = append(n.tr.Inputs, r.in.fact(r.p.colls[b.coll].name, t))
		}
		var lin []uint64
		if r.lw > 0 {
			lin = r.newLin()
			setBit(lin, r.p.inputBit(b.coll))
		}
		r.insertExternal(n, b.coll, t, b.origin, lin)
	}
	for _, c := range firing {
		r.fire(n, c)
	}
	// 2. The fixpoint, stratum by stratum.
	for _, s := range r.p.strata {
		r.evalStratum(n, s)
	}
	if len(n.latDirty) > 0 {
		r.compactLattices(n)
	}
	// 3. Deferred facts and messages.
	for _, cr := range r.p.temporal {
		if r.emptyBody(n, cr) {
			continue
		}
		r.ev.evalRule(cr, cr.full, 0, 0)
	}
	r.ev.cr = nil
	r.settle(n)
	r.send(n)
	// 4. Outputs.
	outputs := r.recordOutputs(n)
	// 5. Empty the scratches.
	for _, c := range n.dirty {
		n.rels[c].reset()
		n.isDirty[c] = false
	}
	n.dirty = n.dirty[:0]
	if n.tableChanged {
		r.noise, r.activity = true, true
		if r.periodic {
			for _, s := range n.seenDeliv {
				if s != nil {
					s.reset()
				}
			}
			for _, s := range n.seenOut {
				if s != nil {
					s.reset()
				}
			}
		}
	}
	if len(n.changeC) > 0 {
		r.activity = true
	}
	n.silent = !external && !n.tableChanged && !n.sent && !outputs && len(n.changeC) == 0
	n.tr = nil
	r.ev.node = nil
}

func (r *run) emptyBody(n *node, cr *crule) bool {
	for _, c := range cr.atoms {
		if n.rels[c].n == 0 {
			return true
		}
	}
	return false
}

// evalStratum computes a stratum's fixpoint semi-naively: every rule once
// in full, then, while facts are new, each recursive rule with one body
// atom restricted to the facts the previous round added.
func (r *run) evalStratum(n *node, s *stratum) {
	if len(n.latDirty) > 0 {
		r.compactLattices(n)
	}
	for _, c := range s.growing {
		r.mark[c] = n.rels[c].n
	}
	for _, cr := range s.rules {
		if r.emptyBody(n, cr) {
			continue
		}
		r.ev.evalRule(cr, cr.full, 0, 0)
	}
	for {
		more := false
		for _, c := range s.growing {
			r.lo[c], r.hi[c] = r.mark[c], n.rels[c].n
			r.mark[c] = r.hi[c]
			if r.hi[c] > r.lo[c] {
				more = true
			}
		}
		if !more {
			return
		}
		r.checkTime()
		for _, cr := range s.rules {
			for _, dp := range cr.deltas {
				c := dp.deltaC
				if r.hi[c] == r.lo[c] || r.emptyBody(n, cr) {
					continue
				}
				r.ev.evalRule(cr, dp, r.lo[c], r.hi[c])
			}
		}
	}
}

// derive handles a head tuple of rule cr at node n, with its lineage
// (nil outside lineage mode).
func (r *run) derive(n *node, cr *crule, t []V, lin []uint64) {
	c := cr.head
	origin := int32(cr.idx)
	if r.lw > 0 {
		r.recordDerived(n, cr, t)
	}
	switch cr.op {
	case modules.OpMerge:
		rel := n.rels[c]
		added, conflict := r.insertInto(n, rel, c, t, origin, lin, cr.rule.Pos)
		if conflict >= 0 {
			panic(r.keyConflict(n, c, rel.tuple(conflict), rel.origin[conflict], t, origin, cr.rule.Pos))
		}
		if added {
			r.added(n, c, t, cr)
		}
	case modules.OpAsync:
		ob := n.outbox[c]
		if ob == nil {
			cl := r.p.colls[c]
			ob = r.newRel(cl.arity, cl.key, nil)
			n.outbox[c] = ob
		}
		if ob.n == 0 {
			n.outC = append(n.outC, c)
		}
		added, conflict := r.insertInto(nil, ob, c, t, origin, lin, cr.rule.Pos)
		if conflict >= 0 {
			panic(r.keyConflict(n, c, ob.tuple(conflict), ob.origin[conflict], t, origin, cr.rule.Pos))
		}
		if added {
			r.checkSize(n, ob.n, cr, "messages on ", c)
		}
	default:
		ps := n.pend[c]
		if ps == nil {
			a := r.p.colls[c].arity
			all := allCols(a)
			ps = &pendSet{ins: r.newRel(a, all, nil), del: r.newRel(a, all, nil), ups: r.newRel(a, all, nil)}
			n.pend[c] = ps
		}
		if ps.ins.n+ps.del.n+ps.ups.n == 0 {
			n.pendC = append(n.pendC, c)
		}
		var rel *relation
		switch cr.op {
		case modules.OpDefer:
			rel = ps.ins
		case modules.OpDelete:
			rel = ps.del
		default:
			rel = ps.ups
		}
		if added, _ := rel.insertL(t, origin, lin); added {
			r.checkSize(n, rel.n, cr, "deferred facts for ", c)
		}
	}
}

// added accounts for a fact newly in collection c at node n.
func (r *run) added(n *node, c int, t []V, cr *crule) {
	rel := n.rels[c]
	r.checkSize(n, rel.n, cr, "", c)
	if r.p.colls[c].lat != nil {
		t = rel.tuple(rel.n - 1) // the merged value, appended last
	}
	if r.p.colls[c].kind == modules.Table {
		n.tableChanged = true
		if n.tr != nil {
			n.tr.Inserted = append(n.tr.Inserted, r.in.fact(r.p.colls[c].name, t))
		}
	} else if !n.isDirty[c] {
		n.isDirty[c] = true
		n.dirty = append(n.dirty, c)
	}
}

// checkSize enforces --max-facts on a collection or buffer: what names it
// (followed by collection c's name when c >= 0).
func (r *run) checkSize(n *node, size int, cr *crule, what string, c int) {
	if size <= r.opts.MaxFacts {
		return
	}
	if c >= 0 {
		what += r.p.colls[c].name
	}
	pos := r.s.w.Pos
	if cr != nil {
		pos = cr.rule.Pos
	}
	panic(r.errorf("max-facts", pos, "more than %d %s (--max-facts); a rule that derives without end?", r.opts.MaxFacts, what))
}

// insertExternal adds a fact from outside the rules (initial fact,
// delivery, input, timer, deferred change).
func (r *run) insertExternal(n *node, c int, t []V, origin int32, lin []uint64) {
	rel := n.rels[c]
	added, conflict := r.insertInto(n, rel, c, t, origin, lin, r.originPos(origin))
	if conflict >= 0 {
		panic(r.keyConflict(n, c, rel.tuple(conflict), rel.origin[conflict], t, origin, r.originPos(origin)))
	}
	if added {
		r.added(n, c, t, nil)
	}
}

func (r *run) fire(n *node, c int) {
	cl := r.p.colls[c]
	every := cl.decl.Every
	vals := []V{r.in.int(int64(r.tick) / every), r.in.int(int64(r.tick))}
	t := vals[:cl.arity]
	if cl.arity == 1 {
		t = vals[:1]
	}
	if n.tr != nil {
		n.tr.Timers = append(n.tr.Timers, r.in.fact(cl.name, t))
	}
	r.insertExternal(n, c, t, originTimer, nil)
}

// deliver adds a message arriving at n.
func (r *run) deliver(n *node, m message) {
	r.res.Stats.Delivered++
	if n.tr != nil {
		n.tr.Delivered = append(n.tr.Delivered, Delivery{From: r.nodes[m.from].addr, Sent: m.sent, Fact: r.in.fact(r.p.colls[m.ch].name, m.t)})
	}
	if r.periodic {
		s := n.seenDeliv[m.ch]
		if s == nil {
			s = newTupleSet(len(m.t))
			n.seenDeliv[m.ch] = s
		}
		if s.add(m.t) {
			r.activity = true
		}
	}
	rel := n.rels[m.ch]
	added, conflict := r.insertInto(n, rel, m.ch, m.t, m.rule, m.lin, r.originPos(m.rule))
	if conflict >= 0 {
		panic(r.keyConflict(n, m.ch, rel.tuple(conflict), rel.origin[conflict], m.t, m.rule, r.originPos(m.rule)))
	}
	if added {
		r.added(n, m.ch, m.t, nil)
	}
}

// settle turns the deferred facts of the timestep into the changes of the
// next: deletions first, then insertions and upserts (an upsert replaces
// the tuple with the same key). Two different facts for one key, or an
// insertion whose key is held by a fact that is not deleted, are key
// conflicts. Only changes that change something are kept.
func (r *run) settle(n *node) {
	for _, c := range n.pendC {
		ps := n.pend[c]
		cl := r.p.colls[c]
		rel := n.rels[c]
		persistent := cl.kind == modules.Table
		nextKey := cl.key
		if cl.lat != nil {
			nextKey = allCols(cl.arity) // merged on insert, never a conflict
		}
		next := r.newRel(cl.arity, nextKey, nil)
		var fromUpsert []bool
		for _, src := range []*relation{ps.ins, ps.ups} {
			for i := 0; i < src.n; i++ {
				t := src.tuple(i)
				added, conflict := next.insertL(t, src.origin[i], src.tupleLin(i))
				if conflict >= 0 {
					panic(r.keyConflict(n, c, next.tuple(conflict), next.origin[conflict], t, src.origin[i], r.originPos(src.origin[i])))
				}
				if added {
					fromUpsert = append(fromUpsert, src == ps.ups)
				}
			}
		}
		ch := &netChange{}
		var deleted map[int]bool
		var delLin map[int][]uint64 // lineage mode: of each deletion
		if r.lw > 0 {
			delLin = map[int][]uint64{}
		}
		if persistent {
			deleted = map[int]bool{}
			for i := 0; i < ps.del.n; i++ {
				if j := rel.findKey(ps.del.tuple(i)); j >= 0 && rel.equalTuple(j, ps.del.tuple(i)) {
					deleted[j] = true
					if delLin != nil {
						delLin[j] = ps.del.tupleLin(i)
					}
				}
			}
		}
		for i := 0; i < next.n; i++ {
			t := next.tuple(i)
			if persistent {
				if e := rel.findKey(t); e >= 0 {
					switch {
					case rel.equalTuple(e, t):
						delete(deleted, e) // deleted and inserted again: it stays
						if r.lw > 0 {
							orLin(rel.tupleLin(e), next.tupleLin(i))
						}
						continue
					case deleted[e]:
					case fromUpsert[i]:
						deleted[e] = true
						if delLin != nil {
							delLin[e] = next.tupleLin(i)
						}
					case cl.lat != nil:
						// a lattice: merged into the present fact
					default:
						panic(r.keyConflict(n, c, rel.tuple(e), rel.origin[e], t, next.origin[i], r.originPos(next.origin[i])))
					}
				}
			}
			ch.ins = append(ch.ins, t...)
			ch.origins = append(ch.origins, next.origin[i])
			ch.lin = append(ch.lin, next.tupleLin(i)...)
		}
		for j := range deleted {
			ch.dels = append(ch.dels, j)
			if delLin != nil {
				if ch.delLin == nil {
					ch.delLin = r.newLin()
				}
				orLin(ch.delLin, delLin[j])
			}
		}
		sort.Ints(ch.dels)
		ps.ins.reset()
		ps.del.reset()
		ps.ups.reset()
		if len(ch.dels) > 0 || len(ch.ins) > 0 {
			n.change[c] = ch
			n.changeC = append(n.changeC, c)
		}
	}
	n.pendC = n.pendC[:0]
}

// applyChanges applies the changes settled in the previous timestep.
func (r *run) applyChanges(n *node) {
	for _, c := range n.changeC {
		ch := n.change[c]
		rel := n.rels[c]
		name := r.p.colls[c].name
		if len(ch.dels) > 0 {
			del := map[int]bool{}
			for _, j := range ch.dels {
				del[j] = true
				if n.tr != nil {
					n.tr.Deleted = append(n.tr.Deleted, r.in.fact(name, rel.tuple(j)))
				}
			}
			rel.retain(func(i int) bool { return !del[i] })
			if r.p.colls[c].kind == modules.Table {
				n.tableChanged = true
			}
			if ch.delLin != nil {
				r.addTaint(n, c, ch.delLin)
			}
		}
		a := r.p.colls[c].arity
		for i, o := range ch.origins {
			var lin []uint64
			if r.lw > 0 {
				lin = ch.lin[i*r.lw : (i+1)*r.lw]
			}
			r.insertExternal(n, c, ch.ins[i*a:(i+1)*a], o, lin)
		}
		n.change[c] = nil
	}
	n.changeC = n.changeC[:0]
}

// send hands the timestep's channel facts to the network, in a canonical
// order (channel, then value order), so that the random draws, and thus
// the whole run, depend only on the seed and the facts.
func (r *run) send(n *node) {
	sort.Ints(n.outC)
	for _, c := range n.outC {
		ob := n.outbox[c]
		cl := r.p.colls[c]
		if cl.lat != nil {
			compactRel(ob) // one merged message per key
		}
		idx := r.idxBuf[:0]
		for i := 0; i < ob.n; i++ {
			idx = append(idx, i)
		}
		r.idxBuf = idx
		if len(idx) > 1 {
			slices.SortFunc(idx, func(a, b int) int { return r.in.compareTuples(ob.tuple(a), ob.tuple(b)) })
		}
		for _, i := range idx {
			t := ob.tuple(i)
			to, ok := r.byAddr[t[cl.addr]]
			if !ok {
				rule := r.p.rules[ob.origin[i]].rule
				panic(r.errorf("address", rule.Pos, "rule %q sends %s to %s, which is not a node of the workload (nodes: %s)",
					rule.Text, r.in.showTuple(cl.name, t), r.in.show(t[cl.addr]), strings.Join(r.s.nodes, ", ")))
			}
			m := message{from: n.idx, to: to, ch: c, t: r.copyTuple(t), rule: ob.origin[i], sent: r.tick}
			if r.lw > 0 {
				m.lin = append([]uint64(nil), ob.tupleLin(i)...)
			}
			r.transmit(n, m)
		}
		ob.reset()
	}
	n.outC = n.outC[:0]
}

// transmit draws the message's fate: lost or delivered after a delay, and
// perhaps duplicated. Every message draws the same five numbers, so that
// changing one probability does not reshuffle the rest of the run.
func (r *run) transmit(n *node, m message) {
	net := r.net
	spec := &net.spec
	r.res.Stats.Sent++
	r.noise = true
	n.sent = true
	if r.periodic {
		if s := r.nodes[m.to].seenDeliv[m.ch]; s == nil || !s.has(m.t) {
			r.activity = true
		}
	}
	var arrivalBuf [2]int
	arrivals := arrivalBuf[:0]
	dropped := 0
	var info *Message
	if r.seqs != nil {
		info = r.messageInfo(n, m)
	}
	if r.opts.Scheduler != nil {
		at := r.opts.Scheduler.Arrival(info)
		at = min(max(at, r.tick+1), r.tick+r.net.maxDelay)
		arrivals = append(arrivals, at)
		info.Arrives = at
	} else {
		drop1, delay1 := net.rng.Float64(), net.delay()
		dup := net.rng.Float64()
		drop2, delay2 := net.rng.Float64(), net.delay()
		if drop1 < spec.Drop {
			dropped++
		} else {
			arrivals = append(arrivals, r.tick+delay1)
			if info != nil {
				info.Arrives = r.tick + delay1
			}
		}
		if dup < spec.Duplicate {
			r.res.Stats.Duplicated++
			if spec.Policy == PolicyFIFO {
				delay2 = 2
			}
			if drop2 < spec.Drop {
				dropped++
			} else {
				arrivals = append(arrivals, r.tick+delay2)
				if info != nil {
					info.Duplicate = r.tick + delay2
				}
			}
		}
	}
	if info != nil && r.opts.Deliveries {
		r.res.Deliveries = append(r.res.Deliveries, *info)
	}
	r.res.Stats.Dropped += dropped
	for _, at := range arrivals {
		net.buckets[at] = append(net.buckets[at], m)
		net.inflight++
	}
	if net.inflight > r.opts.MaxFacts*len(r.nodes) {
		panic(r.errorf("max-facts", r.p.rules[m.rule].rule.Pos, "more than %d messages in flight (--max-facts times the number of nodes)", r.opts.MaxFacts*len(r.nodes)))
	}
	if n.tr != nil {
		n.tr.Sent = append(n.tr.Sent, Send{To: r.nodes[m.to].addr, Fact: r.in.fact(r.p.colls[m.ch].name, m.t), Arrives: append([]int{}, arrivals...), Dropped: dropped})
	}
}

// messageInfo describes a message for a Scheduler and Result.Deliveries,
// numbering the messages with the same sender, receiver and fact.
func (r *run) messageInfo(n *node, m message) *Message {
	// The message's words (channel, tuple), then sender and receiver:
	// a message sent again (a retransmission, a periodic resend) is
	// converted once, and numbered without building its text.
	kb := r.keyBuf[:0]
	put := func(v uint64) {
		for i := 0; i < 8; i++ {
			kb = append(kb, byte(v>>(8*i)))
		}
	}
	put(uint64(m.ch))
	for _, v := range m.t {
		put(uint64(v))
	}
	mf, ok := r.msgText[string(kb)]
	if !ok {
		mf.fact = r.factOf(r.p.colls[m.ch].name, m.t)
		mf.text = mf.fact.String()
		if r.msgText == nil {
			r.msgText = map[string]msgFact{}
		}
		r.msgText[string(kb)] = mf
	}
	put(uint64(n.idx))
	put(uint64(m.to))
	r.keyBuf = kb
	seq := r.seqs[string(kb)] + 1
	r.seqs[string(kb)] = seq
	info := &Message{From: n.addr, To: r.nodes[m.to].addr, Fact: mf.fact, Sent: r.tick, Seq: seq}
	info.key = MessageKey(info.From, info.To, mf.text, seq)
	return info
}

// copyTuple copies t into the run's arena (messages live until they are
// delivered; the arena is dropped with the run).
func (r *run) copyTuple(t []V) []V {
	if len(r.arena) < len(t) {
		r.arena = make([]V, max(1024, len(t)))
	}
	c := r.arena[:len(t):len(t)]
	r.arena = r.arena[len(t):]
	copy(c, t)
	return c
}

func (net *network) delay() int {
	lo, hi := net.spec.Delay[0], net.spec.Delay[1]
	if net.spec.Policy != PolicyRandom || hi <= lo {
		// Draw anyway, to keep the stream aligned across policies.
		net.rng.Uint64()
		return lo
	}
	return lo + int(net.rng.Uint64N(uint64(hi-lo+1)))
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
// per run and shared (Values are immutable).
func (r *run) valueOf(v V) Value {
	if v&tagMask != tagRef {
		return r.in.value(v)
	}
	if x, ok := r.values[v]; ok {
		return x
	}
	x := r.in.value(v)
	r.values[v] = x
	return x
}

// quiescent decides, at the end of a timestep, whether the run is over;
// see docs/semantics.md ("Quiescence").
func (r *run) quiescent() bool {
	t := r.tick
	if r.activity {
		r.lastActivity = t
	}
	if t < r.s.lastInput {
		return false
	}
	for _, n := range r.nodes {
		if len(n.changeC) > 0 {
			return false
		}
	}
	if !r.periodic {
		return r.net.inflight == 0 && !r.noise
	}
	if t-r.lastActivity < r.quiet {
		return false
	}
	for _, ms := range r.net.buckets {
		for _, m := range ms {
			if s := r.nodes[m.to].seenDeliv[m.ch]; s == nil || !s.has(m.t) {
				return false
			}
		}
	}
	return true
}

// ---------------------------------------------------------------------------
// Provenance.

const originTimer = int32(-1 << 30)

func (r *run) originPos(o int32) modules.Pos {
	switch {
	case o >= 0:
		return r.p.rules[o].rule.Pos
	case o == originTimer:
		return r.s.w.Pos
	}
	return r.s.origins[-1-o].pos
}

func (r *run) describeOrigin(o int32) string {
	switch {
	case o >= 0:
		cr := r.p.rules[o]
		return fmt.Sprintf("rule %q (%s.%s, %s)", cr.rule.Text, cr.rule.Module, cr.rule.Block, cr.rule.Pos)
	case o == originTimer:
		return "the timer"
	}
	w := r.s.origins[-1-o]
	return fmt.Sprintf("the workload's %s (%s)", w.what, w.pos)
}

func (r *run) keyConflict(n *node, c int, old []V, oldOrigin int32, t []V, origin int32, pos modules.Pos) runStop {
	cl := r.p.colls[c]
	key := make([]string, len(cl.decl.Key))
	for i := range key {
		key[i] = r.in.show(t[i])
	}
	return r.errorf("key-conflict", pos, "key conflict in %s: key (%s) would hold two different facts: %s from %s, and %s from %s",
		cl.name, strings.Join(key, ", "),
		r.in.showTuple(cl.name, old), r.describeOrigin(oldOrigin),
		r.in.showTuple(cl.name, t), r.describeOrigin(origin))
}
