// Package verify confirms or refutes the findings of the CALM analysis by
// executing the program: calmcheck verify (docs/verify.md).
//
// For every (input, output) pair of a program, the analysis gives a path
// label, and for every point of order a rule. verify runs experiments on
// workloads (a given one, or ones generated from the program's schemas)
// under many network schedules and input orders, compares the output
// facts of the runs, and reports per pair and per finding:
//
//   - confirmed: two executions whose outputs differ, caused by the
//     finding (replayed with its rule neutralized, part of the
//     difference goes away: counterfactual.go), minimized by delta
//     debugging: the witness; for a pair, a differing fact of its output
//     has its input in its lineage and a point of order on its paths is
//     so credited;
//   - not reproduced: how many workloads, schedules and input orders were
//     tried without a difference, in experiments that could have shown
//     one (the input was fed, the output or the rule was reached, runs
//     completed);
//   - not tested: no experiment could have shown a difference (why is
//     said: the input was never fed, the output was always empty, the
//     rule never derived a fact, every run ended in a runtime error);
//   - contradiction: an execution diverged where the label promised it
//     could not (a Bot, A or N pair varied alone; with every input fixed,
//     a Bot or A pair's output varied through its input and no point of
//     order on its paths explains it): a bug in the analysis;
//   - a point of order that a seal covers, confirmed in runs whose senders
//     keep the seal, is a broken seal (seal.go).
//
// The layers: domains.go and generate.go make workloads; schedule.go the
// random schedules and the systematic exploration of delivery orders with
// partial-order reduction; outcome.go compares runs and attributes
// differences through lineage, counterfactual.go through replays with a
// rule neutralized; seal.go checks seals; explore.go runs the experiments in
// parallel, deterministically; minimize.go and ddmin.go shrink witnesses;
// witness.go records them as replay files; svg.go draws them as
// spacetime diagrams.
package verify

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// Defaults of the options.
const (
	DefaultSchedules = 1000
	DefaultWorkloads = 6
	DefaultMaxTicks  = 500
)

// Exploration modes.
const (
	ExploreAuto       = "auto"       // systematic for half the budget, then random
	ExploreRandom     = "random"     // random schedules only
	ExploreSystematic = "systematic" // delivery orders only (until exhausted or the budget is spent)
)

// Options configure a verification. The zero Options verify with the
// defaults and seed 0.
type Options struct {
	Seed uint64
	// Schedules is the number of executions per experiment (schedules,
	// or input orders); 0: DefaultSchedules.
	Schedules int
	// Workloads is the number of workloads generated per program when
	// none is given; 0: DefaultWorkloads.
	Workloads int
	// Workload, when set, is the one workload the experiments run.
	Workload *executor.Workload
	// ProtocolWorkloads are workloads that follow the program's
	// protocols (the built-in workloads of a built-in program): the seals
	// are checked on them, and on Workload (see seal.go).
	ProtocolWorkloads []*executor.Workload
	// Jobs is the number of executions in parallel; 0: GOMAXPROCS.
	Jobs int
	// Explore is ExploreAuto (""), ExploreRandom or ExploreSystematic.
	Explore string
	// MaxTicks bounds each execution; 0: DefaultMaxTicks (or the given
	// workload's max_ticks).
	MaxTicks int
	// MaxDelay bounds the delays of random schedules, drawn from
	// [1, MaxDelay]; 0: the given workload's delay range, else 5.
	MaxDelay int
	// FirstWitness stops the verification at the first confirmed finding
	// or pair, unminimized (for measuring how fast a witness is found).
	FirstWitness bool
	// Progress, when set, is called now and then with the executions done
	// and the executions planned (which shrinks when experiments end
	// early); from one goroutine at a time.
	Progress func(done, total int64)
}

// Verdict is the result of verifying a finding or a pair.
type Verdict string

// The verdicts.
const (
	Confirmed     Verdict = "confirmed"
	NotReproduced Verdict = "not reproduced"
	Contradiction Verdict = "contradiction"
	// NotTested: the experiments ran, but none could have shown a
	// difference (the Why of the verdict says which).
	NotTested  Verdict = "not tested"
	NotChecked Verdict = "not checked"
)

// ErrorCount is one kind of runtime error (or bound) that ended runs of
// the experiments: its check, its position (the rule, or the workload for
// bounds), the first message seen, and how many runs it ended.
type ErrorCount struct {
	Check   string
	Pos     modules.Pos
	Message string
	Runs    int
}

// String is "POS: CHECK: MESSAGE (N runs)".
func (e ErrorCount) String() string {
	return fmt.Sprintf("%s: %s: %s (%d run%s)", e.Pos, e.Check, e.Message, e.Runs, plural(e.Runs))
}

// Report is the verification of one program.
type Report struct {
	Program   string
	Seed      uint64
	Schedules int
	Explore   string
	Workloads []WorkloadReport
	Paths     []PathReport
	Findings  []FindingReport
	Witnesses []*Witness
	// Errors groups every run that ended in a runtime error (or hit a
	// bound), by error, most frequent first.
	Errors []ErrorCount
	// Runs counts every execution, minimization included.
	Runs    int64
	Elapsed time.Duration
	// FirstWitness is when the first confirmation was found (0: none).
	FirstWitness time.Duration
}

// WorkloadReport describes a workload the experiments ran.
type WorkloadReport struct {
	Name      string
	Generated bool
	Nodes     []string
	Facts     int
	Inputs    int
	// Note says why experiments on it were skipped (its baseline run
	// failed), if they were.
	Note string
	// Rules is how many of the program's rules derived a fact in its
	// baseline run (all inputs, FIFO network), of RulesTotal; Unreached
	// lists the positions of the others (rule coverage).
	Rules, RulesTotal int
	Unreached         []string
}

// PathReport is the verdict on one (input, output) pair.
type PathReport struct {
	From, To string
	Label    string
	// Effective is what the program's coordination and seals leave of
	// Label, and Covered how they cover a D label ("" when they do not).
	// The experiments check Label: coordination holds only when the
	// workload follows its protocol.
	Effective string
	Covered   string
	Verdict   Verdict
	Witness   string // the witness's ID, when confirmed or contradicted
	// Schedules and Orders count the executions of the experiments that
	// could have confirmed or refuted the pair (schedules, input orders),
	// on Workloads workloads.
	Schedules int
	Orders    int
	Workloads int
	// Exhaustive: in some workload every delivery order (or input
	// order) of the experiment was explored.
	Exhaustive bool
	// Empty: the output was empty in every execution of the pair's
	// isolated experiments (the input alone produces nothing there).
	Empty bool
	// Errors counts executions that ended in a runtime error or hit a
	// bound; they are not compared. ErrorKinds groups them by error.
	Errors     int
	ErrorKinds []ErrorCount
	// How says what the experiments varied.
	How string
	// Why says why the pair is not tested, and how to test it.
	Why string
	// Stale counts the divergences of its context experiments that were
	// stale snapshot reads (every differing fact derived monotonically
	// through a snapshot read on its paths): allowed, not contradictions.
	Stale int
}

// FindingReport is the verdict on one finding.
type FindingReport struct {
	Check        monotonic.Check
	Pos          modules.Pos
	Message      string
	Fingerprint  string
	Expected     bool
	Acknowledged string
	Verdict      Verdict
	Witness      string
	Schedules    int
	Orders       int
	Workloads    int
	Errors       int
	ErrorKinds   []ErrorCount
	// Why says why the finding is not tested, and how to test it.
	Why string
	// Broken is set on a finding that a declared seal or coordination
	// claims to cover and that an execution respecting the declaration
	// confirmed: "broken-seal" or "broken-coordination".
	Broken string
	// Path is the input -> output pair a path finding (diffluent-path,
	// missing-coordination) was tried on, "" for a point of order.
	Path string
}

// Contradicted reports whether some pair was contradicted.
func (r *Report) Contradicted() bool {
	for _, p := range r.Paths {
		if p.Verdict == Contradiction {
			return true
		}
	}
	return false
}

// Verify verifies program p: res is its analysis (monotonic.Analyze) and
// findings its finished findings (monotonic.Finish), whose points of
// order and diffluent paths get verdicts. It returns an error only when
// the program cannot be compiled for execution, or the given workload
// cannot be bound to it.
func Verify(ctx context.Context, p *modules.Program, res *monotonic.Result, findings []monotonic.Finding, opts Options) (*Report, modules.Diagnostics) {
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.Schedules <= 0 {
		opts.Schedules = DefaultSchedules
	}
	if opts.Workloads <= 0 {
		opts.Workloads = DefaultWorkloads
	}
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.GOMAXPROCS(0)
	}
	if opts.Explore == "" {
		opts.Explore = ExploreAuto
	}
	cp, ds := executor.Compile(p)
	if cp == nil || ds.HasErrors() {
		return nil, ds
	}
	v := newVerifier(ctx, p, cp, res, findings, opts)
	if bds := v.workloads(); bds.HasErrors() {
		return nil, bds
	}
	v.coverage()
	v.plan()
	v.exploreAll()
	if !opts.FirstWitness {
		v.minimizeAll()
	}
	return v.report(), ds
}
