package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/internal/textsafe"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
	"github.com/spf13/cobra"
)

type runOptions struct {
	seed     uint64
	seeds    string
	policy   string
	trace    bool
	format   string
	maxTicks int
	maxFacts int
	runFacts int
	memoryMB int64
	timeout  time.Duration
	replay   string
}

// maxSeeds bounds --seeds.
const maxSeeds = 100_000

func init() { commands = append(commands, newRunCmd) }

func newRunCmd() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run [WORKLOAD]",
		Short: "Execute a workload: a program on nodes over a simulated network",
		Long: `Execute a workload: every node runs the whole composed program, timestep by
timestep, under Bloom's semantics (docs/semantics.md), and channel facts
travel over a simulated network that can delay, reorder, duplicate and lose
them. A run ends at quiescence or at --max-ticks.

WORKLOAD is a YAML file with a top-level workload: key (the file may also
hold the modules and programs it runs), or the name of a built-in workload;
with no WORKLOAD, the built-in workloads are listed.

One run prints, per node, the output facts (with the timesteps they were
emitted in) and the final tables; --trace prints every timestep first. All
randomness comes from --seed: the same workload and seed give the same
output, byte for byte.

--seeds A..B (or --seeds N for 1..N) runs one execution per seed, in
parallel, and reports whether the outcomes (each node's set of output facts
and final tables; not the timesteps) agree, showing the first two that
differ side by side.

--replay FILE re-executes the two executions of a witness that 'calmcheck
verify --witness-dir' saved, each with the exact delivery order it
recorded, checks that every message and output is as recorded, and shows
the two outcomes side by side (no WORKLOAD argument).

Exit status: 0 the run quiesced (with --seeds: every run quiesced and all
agree; with --replay: both executions were reproduced as recorded, whether
their outputs differ, as a witness's do, or not); 1 with --seeds, the
outcomes differ or some run ended in a runtime error; 2 the
workload could not be loaded, a run ended in a runtime error (one run), a
bound was hit (--max-ticks, --max-facts, --timeout), or a replay did not
reproduce its record.`,
		Example: `  calmcheck run                                   # list the built-in workloads
  calmcheck run replicated-disorderly-cart --seed 7
  calmcheck run disorderly-cart --seeds 1..200
  calmcheck run disorderly-cart --seeds 1..200 --policy fifo
  calmcheck run my-workload.yaml --trace --format json
  calmcheck run --replay witnesses/disorderly-cart-w1.json --trace`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.replay != "" {
				if len(args) > 0 {
					return fmt.Errorf("--replay runs the workload of its file; give no WORKLOAD")
				}
				return runReplay(cmd, o)
			}
			if len(args) == 0 {
				return listWorkloads(cmd.OutOrStdout())
			}
			return runWorkload(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&o.seed, "seed", 1, "the seed of the network's randomness")
	f.StringVar(&o.seeds, "seeds", "", "run once per seed of `A..B` (or 1..N) and compare the outcomes")
	f.StringVar(&o.policy, "policy", "", "delivery `policy`: fifo (next timestep, in order) or random (the workload's delay range); default: the workload's")
	f.BoolVar(&o.trace, "trace", false, "print every timestep: deliveries, inputs, timers, table changes, outputs, sends")
	f.StringVar(&o.format, "format", "text", "output `format`: text or json")
	f.IntVar(&o.maxTicks, "max-ticks", 0, fmt.Sprintf("stop a run that has not quiesced after `N` timesteps (default: the workload's max_ticks, else %d)", executor.DefaultMaxTicks))
	f.IntVar(&o.maxFacts, "max-facts", executor.DefaultMaxFacts, "stop a run when a collection at a node holds more than `N` facts")
	f.IntVar(&o.runFacts, "max-run-facts", executor.DefaultMaxRunFacts, "stop a run when all nodes and collections together hold more than `N` facts")
	f.Int64Var(&o.memoryMB, "max-memory", executor.DefaultMaxMemory>>20, "stop a run when the heap grows past `MiB` mebibytes")
	f.DurationVar(&o.timeout, "timeout", time.Minute, "stop a run that takes longer than `D`, loading included (wall clock)")
	f.StringVar(&o.replay, "replay", "", "re-execute the two executions of a witness saved by calmcheck verify (replay `FILE`)")
	return cmd
}

func listWorkloads(out io.Writer) error {
	fmt.Fprintln(out, "Built-in workloads (calmcheck run NAME):")
	for _, name := range builtinWorkloads() {
		data, err := specs.Workloads.ReadFile("workloads/" + name + ".yaml")
		if err != nil {
			continue
		}
		doc := ""
		if w, _ := executor.ParseWorkload(name+".yaml", data); w != nil {
			doc = modules.FirstSentence(w.Doc)
		}
		fmt.Fprintf(out, "  %-30s %s\n", name, doc)
	}
	return nil
}

// loadRunWorkload reads the workload (a file, else a built-in name) and
// prepares it against the built-in library plus, for a file, the specs it
// holds or names and ./calmcheck.yaml.
func loadRunWorkload(arg string, stderr io.Writer) (*executor.Setup, error) {
	w, err := loadWorkloadArg(arg, stderr)
	if err != nil {
		return nil, err
	}
	var paths []string
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		// A workload file may hold or name specs: load it, and the
		// project file, beside the built-in library.
		if _, err := os.Stat(modules.ProjectFile); err == nil && path.Clean(arg) != modules.ProjectFile {
			paths = append(paths, modules.ProjectFile)
		}
		paths = append(paths, arg)
	}
	var lib *modules.Library
	if len(paths) == 0 {
		// A built-in workload runs on the built-in library alone, whatever
		// the current directory holds.
		lib = modules.NewLibrary()
		if err := report(lib.LoadFS(specs.FS, "specs").Errors(), stderr); err != nil {
			return nil, err
		}
	} else {
		ws, lds := modules.LoadWorkspace(specs.FS, "specs", paths)
		if err := report(lds, stderr); err != nil {
			return nil, err
		}
		lib = ws.Lib
	}
	s, pds := executor.Prepare(lib, w)
	if len(paths) > 0 {
		hintWorkloadSpecs(arg, pds)
	}
	if err := report(pds, stderr); err != nil {
		return nil, err
	}
	return s, nil
}

func runWorkload(cmd *cobra.Command, arg string, o runOptions) error {
	stderr := cmd.ErrOrStderr()
	// Buffered: a run prints one line per fact (a transitive closure made
	// half a million write calls unbuffered).
	out := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
	defer out.Flush()
	var stdout io.Writer = out
	if o.format != "text" && o.format != "json" {
		return fmt.Errorf("unknown --format %q (want text or json)", o.format)
	}
	if o.policy != "" && o.policy != executor.PolicyFIFO && o.policy != executor.PolicyRandom {
		return fmt.Errorf("unknown --policy %q (want fifo or random)", o.policy)
	}
	if o.maxTicks < 0 || o.maxFacts <= 0 || o.runFacts <= 0 || o.memoryMB <= 0 || o.timeout <= 0 {
		return fmt.Errorf("--max-ticks, --max-facts, --max-run-facts, --max-memory and --timeout must be positive")
	}
	var seeds []uint64
	if o.seeds != "" {
		var err error
		if seeds, err = parseSeeds(o.seeds); err != nil {
			return err
		}
		if o.trace {
			return fmt.Errorf("--trace prints one run; use it with --seed, not --seeds")
		}
	}
	start := time.Now()
	s, err := withTimeout(o.timeout, "loading the workload", func() (*executor.Setup, error) { return loadRunWorkload(arg, stderr) })
	if err != nil {
		return err
	}
	opts := executor.Options{Policy: o.policy, MaxTicks: o.maxTicks, MaxFacts: o.maxFacts, MaxRunFacts: o.runFacts,
		MaxMemory: o.memoryMB << 20, Timeout: o.timeout, Trace: o.trace}
	if seeds == nil {
		// One run: loading and running share --timeout.
		opts.Timeout = max(o.timeout-time.Since(start), time.Nanosecond)
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if seeds == nil {
		opts.Seed = o.seed
		res := s.Run(ctx, opts)
		if o.format == "json" {
			if err := writeRunJSON(stdout, res); err != nil {
				return err
			}
		} else {
			stdout := textsafe.NewWriter(stdout)
			if res.Trace != nil {
				res.Trace.WriteText(stdout)
				fmt.Fprintln(stdout)
			}
			writeRunResult(stdout, s, res)
		}
		if res.Err != nil {
			fmt.Fprintln(stderr, res.Err.Diagnostic().String())
			return exitError{exitTrouble}
		}
		return nil
	}
	sum := runSeeds(ctx, s, opts, seeds)
	if o.format == "json" {
		if err := writeRunJSON(stdout, sum.json(s)); err != nil {
			return err
		}
	} else {
		writeSeedSummary(textsafe.NewWriter(stdout), s, sum)
	}
	switch {
	case sum.bound != nil:
		fmt.Fprintln(stderr, sum.bound.Err.Diagnostic().String())
		return exitError{exitTrouble}
	case len(sum.outcomes) > 1 || sum.errors > 0:
		return exitError{exitFindings}
	}
	return nil
}

// withTimeout runs load, and gives up with a timeout error if it has not
// finished within d (a huge or hostile workload file must not hold a run
// past --timeout before it even starts).
func withTimeout[T any](d time.Duration, what string, load func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := load()
		done <- result{v, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, fmt.Errorf("%s took longer than --timeout %s", what, d)
	}
}

// parseSeeds parses A..B or N (1..N).
func parseSeeds(s string) ([]uint64, error) {
	lo, hi := uint64(1), uint64(0)
	var err error
	if a, b, ok := strings.Cut(s, ".."); ok {
		lo, err = strconv.ParseUint(strings.TrimSpace(a), 10, 64)
		if err == nil {
			hi, err = strconv.ParseUint(strings.TrimSpace(b), 10, 64)
		}
	} else {
		hi, err = strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	}
	if err != nil || hi < lo {
		return nil, fmt.Errorf("--seeds %q: want A..B with A <= B (e.g. 1..100), or N for 1..N", s)
	}
	if hi-lo >= maxSeeds {
		return nil, fmt.Errorf("--seeds %q: at most %d seeds", s, maxSeeds)
	}
	out := make([]uint64, 0, hi-lo+1)
	for x := lo; ; x++ {
		out = append(out, x)
		if x == hi {
			break
		}
	}
	return out, nil
}

// seedChunk is how many runs of --seeds are in memory at once: they run
// on every core, then the summary keeps what it needs of each, in seed
// order, and drops the rest.
const seedChunk = 256

// runSeeds runs one execution per seed on every core and adds each to a
// summary in seed order, a chunk at a time, so that memory does not grow
// with the number of seeds (beyond a few words per run).
func runSeeds(ctx context.Context, s *executor.Setup, opts executor.Options, seeds []uint64) *seedSummary {
	sum := newSeedSummary()
	results := make([]*executor.Result, min(seedChunk, len(seeds)))
	for base := 0; base < len(seeds); base += seedChunk {
		chunk := seeds[base:min(base+seedChunk, len(seeds))]
		var wg sync.WaitGroup
		next := make(chan int)
		for range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					o := opts
					o.Seed = chunk[i]
					results[i] = s.Run(ctx, o)
				}
			}()
		}
		for i := range chunk {
			next <- i
		}
		close(next)
		wg.Wait()
		for i := range chunk {
			sum.add(results[i])
			results[i] = nil
		}
	}
	return sum
}

func writeRunJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

func describeRunNetwork(n executor.NetworkSpec) string {
	s := n.Policy
	if n.Policy == executor.PolicyRandom {
		s += fmt.Sprintf(", delay %d..%d", n.Delay[0], n.Delay[1])
	}
	return s + fmt.Sprintf(", duplicate %g, drop %g", n.Duplicate, n.Drop)
}

func describeRunStop(res *executor.Result) string {
	switch res.Stop {
	case "quiescent":
		return fmt.Sprintf("quiescent after %d ticks", res.Ticks)
	case "max-ticks":
		return fmt.Sprintf("not quiescent: stopped at --max-ticks %d", res.Ticks)
	}
	return fmt.Sprintf("stopped at tick %d: %s", res.Ticks, res.Stop)
}

func writeRunHeader(w io.Writer, s *executor.Setup, net executor.NetworkSpec) {
	wl := s.Workload()
	fmt.Fprintf(w, "workload  %s (%s)\n", wl.Name, wl.File)
	fmt.Fprintf(w, "program   %s\n", s.Program().Name())
	fmt.Fprintf(w, "nodes     %s\n", strings.Join(wl.Nodes, ", "))
	fmt.Fprintf(w, "network   %s\n", describeRunNetwork(net))
}

func writeRunResult(w io.Writer, s *executor.Setup, res *executor.Result) {
	writeRunHeader(w, s, res.Network)
	fmt.Fprintf(w, "seed      %d\n", res.Seed)
	st := res.Stats
	fmt.Fprintf(w, "result    %s; %d messages sent, %d delivered, %d lost, %d duplicated\n",
		describeRunStop(res), st.Sent, st.Delivered, st.Dropped, st.Duplicated)
	writeRunNodes(w, res)
}

// writeRunNodes prints each node's outputs and final tables.
func writeRunNodes(w io.Writer, res *executor.Result) {
	for _, n := range res.Nodes {
		fmt.Fprintf(w, "\nnode %s\n", n.Node)
		fmt.Fprintln(w, "  outputs")
		outs := groupOutputs(n.Outputs)
		if len(outs) == 0 {
			fmt.Fprintln(w, "    (none)")
		}
		width := 0
		for _, o := range outs {
			width = max(width, len(o.fact))
		}
		for _, o := range outs {
			fmt.Fprintf(w, "    %-*s  %s\n", width, o.fact, describeTicks(o.ticks))
		}
		fmt.Fprintln(w, "  tables")
		if len(n.Tables) == 0 {
			fmt.Fprintln(w, "    (none)")
		}
		for _, f := range n.Tables {
			fmt.Fprintf(w, "    %s\n", f)
		}
	}
}

type groupedOutput struct {
	fact  string
	ticks []int
}

// groupOutputs lists each distinct output fact once, in order of first
// emission, with the timesteps it was emitted in.
func groupOutputs(outs []executor.Output) []groupedOutput {
	var gs []groupedOutput
	at := map[string]int{}
	for _, o := range outs {
		k := o.Fact.String()
		i, ok := at[k]
		if !ok {
			i = len(gs)
			at[k] = i
			gs = append(gs, groupedOutput{fact: k})
		}
		gs[i].ticks = append(gs[i].ticks, o.Tick)
	}
	return gs
}

func describeTicks(ticks []int) string {
	const show = 8
	var parts []string
	for i, t := range ticks {
		if i == show {
			parts = append(parts, fmt.Sprintf("and %d more", len(ticks)-show))
			break
		}
		parts = append(parts, strconv.Itoa(t))
	}
	if len(ticks) == 1 {
		return "tick " + parts[0]
	}
	return "ticks " + strings.Join(parts, ", ")
}

// ---------------------------------------------------------------------------
// Comparing runs.

type seedOutcome struct {
	lines []string // for the side-by-side view: the first two outcomes only
	seeds []uint64
	first *executor.Result // its first run, without trace, deliveries and lineage
}

// seedRun is what the summary keeps of every run.
type seedRun struct {
	seed    uint64
	stop    string
	ticks   int
	outcome int // 1, 2, ... for a quiescent run; 0 otherwise
}

// seedSummary is what runs with --seeds show: each run's seed, stop and
// timesteps, the distinct outcomes (by a hash of their canonical text,
// with the first run of each), the errors and the first run that hit a
// bound. It keeps no other run.
type seedSummary struct {
	network  executor.NetworkSpec
	runs     []seedRun
	outcomes []*seedOutcome // quiescent runs, by first seed
	byHash   map[[32]byte]int
	errs     []*executor.Result // runs that ended in a runtime error (their outputs dropped)
	errors   int
	bound    *executor.Result // the first run that hit a bound
}

func newSeedSummary() *seedSummary { return &seedSummary{byHash: map[[32]byte]int{}} }

// seedOutcomeLines renders what is compared between runs: per node, the set
// of output facts and the final tables.
func seedOutcomeLines(res *executor.Result) []string {
	var lines []string
	for _, n := range res.Nodes {
		outs := groupOutputs(n.Outputs)
		facts := make([]string, len(outs))
		for i, o := range outs {
			facts[i] = o.fact
		}
		sort.Strings(facts)
		lines = append(lines, "node "+n.Node+" outputs")
		for _, f := range facts {
			lines = append(lines, "  "+f)
		}
		lines = append(lines, "node "+n.Node+" tables")
		for _, f := range n.Tables {
			lines = append(lines, "  "+f.String())
		}
	}
	return lines
}

// add adds a run to the summary (runs come in seed order).
func (sum *seedSummary) add(res *executor.Result) {
	if len(sum.runs) == 0 {
		sum.network = res.Network
	}
	run := seedRun{seed: res.Seed, stop: res.Stop, ticks: res.Ticks}
	defer func() { sum.runs = append(sum.runs, run) }()
	switch res.Stop {
	case "quiescent":
	case "error":
		sum.errors++
		sum.errs = append(sum.errs, &executor.Result{Seed: res.Seed, Err: res.Err})
		return
	default:
		if sum.bound == nil {
			sum.bound = res
		}
		return
	}
	lines := seedOutcomeLines(res)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	var key [32]byte
	h.Sum(key[:0])
	i, ok := sum.byHash[key]
	if !ok {
		i = len(sum.outcomes)
		sum.byHash[key] = i
		first := *res
		first.Trace, first.Deliveries, first.Lineage = nil, nil, nil
		o := &seedOutcome{first: &first}
		if i < 2 {
			o.lines = lines
		}
		sum.outcomes = append(sum.outcomes, o)
	}
	sum.outcomes[i].seeds = append(sum.outcomes[i].seeds, res.Seed)
	run.outcome = i + 1
}

func seedList(seeds []uint64) string {
	const show = 12
	var parts []string
	for i, s := range seeds {
		if i == show {
			parts = append(parts, fmt.Sprintf("... (%d more)", len(seeds)-show))
			break
		}
		parts = append(parts, strconv.FormatUint(s, 10))
	}
	return strings.Join(parts, ", ")
}

func writeSeedSummary(w io.Writer, s *executor.Setup, sum *seedSummary) {
	writeRunHeader(w, s, sum.network)
	first, last := sum.runs[0].seed, sum.runs[len(sum.runs)-1].seed
	fmt.Fprintf(w, "runs      %d (seeds %d..%d)\n\n", len(sum.runs), first, last)
	switch {
	case len(sum.outcomes) == 1 && sum.errors == 0 && sum.bound == nil:
		fmt.Fprintf(w, "all %d runs quiesced and agree: the same output facts and final tables at every node\n", len(sum.runs))
	case len(sum.outcomes) == 0:
		fmt.Fprintln(w, "no run quiesced")
	case len(sum.outcomes) == 1 && len(sum.outcomes[0].seeds) == 1:
		fmt.Fprintln(w, "one run quiesced")
	case len(sum.outcomes) == 1:
		fmt.Fprintf(w, "the %d quiesced runs agree\n", len(sum.outcomes[0].seeds))
	default:
		fmt.Fprintf(w, "the quiesced runs DISAGREE: %d different outcomes\n", len(sum.outcomes))
	}
	for i, o := range sum.outcomes {
		fmt.Fprintf(w, "  outcome %d: %d run%s, seeds %s\n", i+1, len(o.seeds), plural(len(o.seeds)), seedList(o.seeds))
	}
	if sum.errors > 0 {
		var seeds []uint64
		for _, r := range sum.errs {
			seeds = append(seeds, r.Seed)
		}
		fmt.Fprintf(w, "  runtime errors: %d run%s, seeds %s\n", sum.errors, plural(sum.errors), seedList(seeds))
		fmt.Fprintf(w, "    first (seed %d): %s\n", sum.errs[0].Seed, sum.errs[0].Err.Diagnostic())
	}
	if sum.bound != nil {
		fmt.Fprintf(w, "  a run hit a bound (seed %d): %s\n", sum.bound.Seed, sum.bound.Err.Diagnostic())
	}
	if len(sum.outcomes) > 1 {
		a, b := sum.outcomes[0], sum.outcomes[1]
		fmt.Fprintf(w, "\nthe first two that differ, side by side (~ different, - only in seed %d, + only in seed %d):\n\n", a.first.Seed, b.first.Seed)
		sideBySide(w, fmt.Sprintf("seed %d", a.first.Seed), fmt.Sprintf("seed %d", b.first.Seed), a.lines, b.lines)
	}
}

// sideBySide prints two outcomes in two columns, aligned section by
// section (the facts of a section are sorted, so a merge aligns them);
// runs of lines that are the same on both sides are counted, not shown;
// lines that differ are paired up (~), or stand alone (- left only, +
// right only).
func sideBySide(w io.Writer, ta, tb string, a, b []string) {
	type row struct {
		l, r string
		mark byte
	}
	var rows []row
	sections := func(lines []string) ([]string, map[string][]string) {
		var order []string
		m := map[string][]string{}
		cur := ""
		for _, l := range lines {
			if !strings.HasPrefix(l, "  ") {
				cur = l
				order = append(order, l)
				m[cur] = []string{}
				continue
			}
			m[cur] = append(m[cur], l)
		}
		return order, m
	}
	order, ma := sections(a)
	_, mb := sections(b)
	for _, sec := range order {
		la, lb := ma[sec], mb[sec]
		rows = append(rows, row{sec, sec, ' '})
		same := 0
		var onlyA, onlyB []string
		flush := func() {
			for k := 0; k < len(onlyA) || k < len(onlyB); k++ {
				r := row{mark: '~'}
				if k < len(onlyA) {
					r.l = onlyA[k]
				} else {
					r.mark = '+'
				}
				if k < len(onlyB) {
					r.r = onlyB[k]
				} else {
					r.mark = '-'
				}
				rows = append(rows, r)
			}
			onlyA, onlyB = onlyA[:0], onlyB[:0]
		}
		flushSame := func() {
			if same > 0 {
				rows = append(rows, row{fmt.Sprintf("    (%d the same)", same), fmt.Sprintf("    (%d the same)", same), ' '})
				same = 0
			}
		}
		i, j := 0, 0
		for i < len(la) || j < len(lb) {
			switch {
			case j >= len(lb) || (i < len(la) && la[i] < lb[j]):
				flushSame()
				onlyA = append(onlyA, la[i])
				i++
			case i >= len(la) || lb[j] < la[i]:
				flushSame()
				onlyB = append(onlyB, lb[j])
				j++
			default:
				flush()
				same++
				i++
				j++
			}
		}
		flush()
		flushSame()
	}
	width := len(ta)
	for _, r := range rows {
		width = max(width, len(r.l))
	}
	fmt.Fprintf(w, "  %-*s | %s\n", width, ta, tb)
	fmt.Fprintf(w, "  %s-+-%s\n", strings.Repeat("-", width), strings.Repeat("-", max(len(tb), 8)))
	for _, r := range rows {
		fmt.Fprintf(w, "%c %-*s | %s\n", r.mark, width, r.l, r.r)
	}
}

type runJSONOutcome struct {
	Seeds []uint64              `json:"seeds"`
	Nodes []executor.NodeResult `json:"nodes"`
}

type runJSONSummary struct {
	Workload string               `json:"workload"`
	Program  string               `json:"program"`
	Network  executor.NetworkSpec `json:"network"`
	Runs     int                  `json:"runs"`
	Agree    bool                 `json:"agree"`
	Outcomes []runJSONOutcome     `json:"outcomes"`
	Errors   []*executor.RunError `json:"errors"`
	Bound    *executor.RunError   `json:"bound,omitempty"`
	Results  []runJSONSeed        `json:"results"`
}

type runJSONSeed struct {
	Seed    uint64 `json:"seed"`
	Stop    string `json:"stop"`
	Ticks   int    `json:"ticks"`
	Outcome int    `json:"outcome"` // 1-based; 0 for runs that did not quiesce
}

func (sum *seedSummary) json(s *executor.Setup) runJSONSummary {
	js := runJSONSummary{Workload: s.Workload().Name, Program: s.Program().Name(), Network: sum.network,
		Runs: len(sum.runs), Outcomes: []runJSONOutcome{}, Errors: []*executor.RunError{}, Results: []runJSONSeed{}}
	js.Agree = len(sum.outcomes) == 1 && sum.errors == 0 && sum.bound == nil
	for _, o := range sum.outcomes {
		js.Outcomes = append(js.Outcomes, runJSONOutcome{Seeds: o.seeds, Nodes: o.first.Nodes})
	}
	for _, r := range sum.errs {
		js.Errors = append(js.Errors, r.Err)
	}
	if sum.bound != nil {
		js.Bound = sum.bound.Err
	}
	for _, r := range sum.runs {
		js.Results = append(js.Results, runJSONSeed{Seed: r.seed, Stop: r.stop, Ticks: r.ticks, Outcome: r.outcome})
	}
	return js
}
