package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/calmcheck/calmcheck/internal/textsafe"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/internal/atomicfile"
	"github.com/calmcheck/calmcheck/lint"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
	"github.com/calmcheck/calmcheck/verify"
	"github.com/spf13/cobra"
)

type verifyOptions struct {
	programs   []string
	modules    []string
	workload   string
	schedules  int
	workloads  int
	seed       uint64
	jobs       int
	format     string
	explore    string
	witnessDir string
	maxTicks   int
	noExpect   bool
	progress   string
	// requireTested: a finding or pair that is not tested fails the gate.
	requireTested bool
}

func init() { commands = append(commands, newVerifyCmd) }

func newVerifyCmd() *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [PATH...]",
		Short: "Confirm or refute every finding by executing the program",
		Long: `Run the CALM analysis, then confirm or refute its findings by execution
(docs/verify.md). For every (input, output) pair and every point of order,
verify runs experiments on workloads (--workload, or workloads generated
from the program's schemas) under many network schedules and input orders,
compares the output facts, and gives a verdict:

  confirmed       two executions whose outputs differ, explained by the
                  finding (the differing facts were derived through its
                  rule, or from its input), minimized by delta debugging
  not reproduced  no difference in the schedules and input orders tried,
                  in experiments that could have shown one
  not tested      no experiment could have shown a difference: the input
                  was never fed, the output was empty in every run, the
                  rule never derived a fact, or every run ended in a
                  runtime error (the verdict says which, and how to give a
                  workload that tests it)
  contradiction   an execution diverged where the label promised it could
                  not: a Bot, A or N pair's output varied with its input
                  alone, or, with every input fixed, a Bot or A pair's
                  output varied through its input (lineage) and no point
                  of order on its paths explains it: a bug in calmcheck's
                  analysis

Experiments per pair label: D, with all inputs fixed, some network schedule
changes the output; N, some order of one input's facts changes it; A, with
that input alone, no schedule changes it; Bot, neither schedules nor input
orders do. Schedules are random (delays drawn per message) and, for small
workloads, systematic: delivery orders enumerated by reversing races
between messages to the same node. Everything is deterministic for a given
--seed, whatever --jobs.

--witness-dir DIR saves every witness as a replay file (NAME.json, which
'calmcheck run --replay' re-executes exactly) and a spacetime diagram
(NAME.svg). --format json prints lint's JSON document with a verification
section (docs/lint-json.md).

Runs that end in a runtime error are not compared; they are summarized by
error (check, position, message, runs).

Exit status: 0 no finding confirmed, or only expected or acknowledged ones;
1 a finding that is neither expected nor acknowledged is confirmed, a
declared seal or coordination is broken (broken-seal, broken-coordination:
an acknowledgement does not hide it), or, with --require-tested, a finding
or pair is not tested; 2 a contradiction (a bug in the analysis), or the
specs, the workload or the flags could not be used.`,
		Example: `  calmcheck verify --program disorderly-cart
  calmcheck verify --program replicated-destructive-cart --witness-dir witnesses
  calmcheck verify --workload disorderly-cart --schedules 5000 --seed 7
  calmcheck verify --format json > verification.json
  calmcheck verify --workload my-workload.yaml --require-tested   # CI: fail on untested findings`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd, args, &o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.programs, "program", "p", nil, "verify the named `PROGRAM` (repeatable)")
	f.StringArrayVarP(&o.modules, "module", "m", nil, "verify an ad hoc program of `MODULE`s (repeatable, or comma-separated)")
	f.StringVarP(&o.workload, "workload", "w", "", "run the experiments on `WORKLOAD` (a workload file or a built-in workload's name) instead of generated ones; with no --program, verify its program")
	f.IntVar(&o.schedules, "schedules", verify.DefaultSchedules, "executions per experiment (schedules or input orders): `N`")
	f.IntVar(&o.workloads, "workloads", verify.DefaultWorkloads, "workloads to generate per program when none is given: `N`")
	f.Uint64Var(&o.seed, "seed", 1, "the `SEED` of generated workloads and random schedules")
	f.IntVarP(&o.jobs, "jobs", "j", runtime.GOMAXPROCS(0), "executions in parallel: `J`")
	f.StringVarP(&o.format, "format", "f", "text", "output `FORMAT`: text or json")
	f.StringVar(&o.explore, "explore", verify.ExploreAuto, "schedules: auto (delivery orders systematically for half the budget, then random), random or systematic")
	f.StringVar(&o.witnessDir, "witness-dir", "", "save each witness as DIR/PROGRAM-ID.json (replay file) and .svg (spacetime diagram)")
	f.IntVar(&o.maxTicks, "max-ticks", 0, fmt.Sprintf("bound each execution to `N` timesteps (default: the workload's max_ticks, else %d)", verify.DefaultMaxTicks))
	f.BoolVar(&o.noExpect, "no-expect", false, "ignore the programs' expect: lists (expected findings then count for the exit status)")
	f.StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (on a terminal), always or never")
	f.BoolVar(&o.requireTested, "require-tested", false, "exit 1 when a finding or pair is not tested (no experiment could have shown a difference), for CI")
	return cmd
}

func runVerify(cmd *cobra.Command, args []string, o *verifyOptions) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	switch {
	case o.format != "text" && o.format != "json":
		return usageError(stderr, "unknown --format %q: want text or json", o.format)
	case o.explore != verify.ExploreAuto && o.explore != verify.ExploreRandom && o.explore != verify.ExploreSystematic:
		return usageError(stderr, "unknown --explore %q: want auto, random or systematic", o.explore)
	case o.progress != "auto" && o.progress != "always" && o.progress != "never":
		return usageError(stderr, "unknown --progress %q: want auto, always or never", o.progress)
	case o.schedules < 1 || o.schedules > 10_000_000:
		return usageError(stderr, "--schedules must be from 1 to 10000000")
	case o.workloads < 1 || o.workloads > 1000:
		return usageError(stderr, "--workloads must be from 1 to 1000")
	case o.jobs < 1 || o.jobs > 1024:
		return usageError(stderr, "--jobs must be from 1 to 1024")
	case o.maxTicks < 0:
		return usageError(stderr, "--max-ticks must not be negative")
	}
	var wl *executor.Workload
	if o.workload != "" {
		var err error
		if wl, err = loadWorkloadArg(o.workload, stderr); err != nil {
			return err
		}
		if len(o.programs) == 0 && len(o.modules) == 0 {
			if wl.Program != "" {
				o.programs = []string{wl.Program}
			} else {
				for _, m := range wl.Modules {
					o.modules = append(o.modules, m.Name)
				}
			}
		}
	}
	paths := args
	if wl != nil && len(args) == 0 && !strings.HasPrefix(wl.File, "specs/workloads/") {
		// A workload file may hold the modules and programs it runs.
		if _, err := os.Stat(modules.ProjectFile); err == nil && filepath.Clean(wl.File) != modules.ProjectFile {
			paths = append(paths, modules.ProjectFile)
		}
		paths = append(paths, wl.File)
	}
	if wl != nil && len(args) == 0 && !strings.HasPrefix(wl.File, "specs/workloads/") {
		if err := checkWorkloadProgram(wl, paths, stderr); err != nil {
			return err
		}
	}
	progs, warnings, err := loadPrograms(paths, o.programs, o.modules, stderr, o.format == "text")
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	// Executions allocate briskly and keep little: collecting less often
	// leaves the cores to the executions (docs/performance.md).
	defer setGCPercent(400)()
	bar := newProgressBar(stderr, o.progress)
	// verify's JSON document is lint's, gated at error.
	rep := lint.Run(progs, warnings, lint.Options{NoExpect: o.noExpect, Gate: lint.Gate{Severity: modules.Error}})
	var vreps []*verify.Report
	trouble := false
	for i, p := range progs {
		res, fs := rep.Programs[i].Result, rep.Programs[i].Findings
		opts := verify.Options{Seed: o.seed, Schedules: o.schedules, Workloads: o.workloads, Workload: wl, Jobs: o.jobs,
			Explore: o.explore, MaxTicks: o.maxTicks, ProtocolWorkloads: protocolWorkloads(p)}
		if bar != nil {
			label := fmt.Sprintf("verify %s (%d/%d)", p.Name, i+1, len(progs))
			opts.Progress = func(done, total int64) { bar.update(label, done, total) }
		}
		vr, ds := verify.Verify(ctx, p, res, fs, opts)
		if bar != nil {
			bar.clear()
		}
		if vr == nil {
			report(ds, stderr)
			fmt.Fprintf(stderr, "calmcheck: program %s cannot be verified\n", p.Name)
			trouble = true
			vreps = append(vreps, &verify.Report{Program: p.Name, Seed: o.seed, Schedules: o.schedules, Explore: o.explore})
			continue
		}
		vreps = append(vreps, vr)
	}
	var files []string
	if o.witnessDir != "" {
		var err error
		if files, err = writeWitnesses(o.witnessDir, vreps, progs, paths, o.seed); err != nil {
			fmt.Fprintf(stderr, "calmcheck: --witness-dir: %v\n", err)
			return exitError{exitTrouble}
		}
	}
	if o.format == "json" {
		err = writeVerifyJSON(stdout, rep, vreps, o.requireTested)
	} else {
		writeVerifyText(textsafe.NewWriter(stdout), rep, vreps, o.witnessDir)
		if len(files) > 0 {
			fmt.Fprintf(stdout, "\n%d witness file%s written to %s\n", len(files), plural(len(files)), o.witnessDir)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "calmcheck: %v\n", err)
		return exitError{exitTrouble}
	}
	contradictions := 0
	for _, vr := range vreps {
		contradictions += reportContradictions(stderr, vr)
	}
	switch {
	case contradictions > 0 || trouble:
		return exitError{exitTrouble}
	case verifyFailed(vreps, o.requireTested):
		return exitError{exitFindings}
	}
	return nil
}

// verifyFailed reports whether the gate fails: a confirmed finding is
// neither expected nor acknowledged, a declared seal or coordination is
// broken (whatever acknowledges it), or, with requireTested, a finding or
// pair is not tested.
func verifyFailed(vreps []*verify.Report, requireTested bool) bool {
	for _, vr := range vreps {
		for _, f := range vr.Findings {
			if f.Verdict == verify.Confirmed && !f.Expected && f.Acknowledged == "" || f.Broken != "" {
				return true
			}
			if requireTested && f.Verdict == verify.NotTested {
				return true
			}
		}
		for _, p := range vr.Paths {
			if requireTested && p.Verdict == verify.NotTested {
				return true
			}
		}
	}
	return false
}

// checkWorkloadProgram reports, as run does, a workload file's unknown
// program or module at its line, with how to name the spec files when the
// file names none.
func checkWorkloadProgram(wl *executor.Workload, paths []string, stderr io.Writer) error {
	ws, lds := modules.LoadWorkspace(specs.FS, "specs", paths)
	if lds.HasErrors() {
		return nil // loadPrograms reports them
	}
	var ds modules.Diagnostics
	if wl.Program != "" && ws.Lib.Programs[wl.Program] == nil {
		ds = append(ds, modules.Diagnostic{Pos: wl.ProgramPos, Severity: modules.Error, Check: "unknown-program", Message: fmt.Sprintf("unknown program %q", wl.Program)})
	}
	for _, m := range wl.Modules {
		if ws.Lib.Modules[m.Name] == nil {
			ds = append(ds, modules.Diagnostic{Pos: m.Pos, Severity: modules.Error, Check: "unknown-module", Message: "unknown module " + m.Name})
		}
	}
	if len(ds) == 0 {
		return nil
	}
	hintWorkloadSpecs(wl.File, ds)
	return report(ds, stderr)
}

// writeWitnesses saves every witness as a replay file and a diagram.
func writeWitnesses(dir string, vreps []*verify.Report, progs []*modules.Program, paths []string, seed uint64) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for i, vr := range vreps {
		p := progs[i]
		for _, w := range vr.Witnesses {
			rf := &verify.ReplayFile{Format: verify.ReplayFormat, Seed: seed, Specs: paths, Witness: w}
			if p.Spec != nil {
				rf.Program = p.Name
			} else {
				rf.Modules = p.Roots
			}
			base := filepath.Join(dir, fileName(p.Name)+"-"+w.ID)
			if err := atomicfile.WriteFile(base+".json", rf.Marshal(), 0o644); err != nil {
				return files, err
			}
			if err := atomicfile.WriteFile(base+".svg", w.SVG(), 0o644); err != nil {
				return files, err
			}
			files = append(files, base+".json", base+".svg")
		}
	}
	return files, nil
}

// fileName makes a program name safe as a file name (ad hoc programs are
// named a+b).
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r == ' ' {
			return '_'
		}
		return r
	}, s)
}
