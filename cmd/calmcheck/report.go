package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/calmcheck/calmcheck/internal/atomicfile"
	"github.com/calmcheck/calmcheck/lint"
	htmlreport "github.com/calmcheck/calmcheck/report"
	"github.com/calmcheck/calmcheck/verify"
	"github.com/spf13/cobra"
)

type reportOptions struct {
	programs []string
	modules  []string
	output   string
	force    bool
	title    string
	failOn   string
	noExpect bool
	// verify: run calmcheck verify's experiments and show the verdicts.
	verify    bool
	seed      uint64
	schedules int
	workloads int
}

func init() { commands = append(commands, newReportCmd) }

func newReportCmd() *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report [PATH...]",
		Short: "Write an HTML report to explore: graphs, findings, path labels",
		Long: `Write one self-contained HTML file about the selected programs: per
program, the dependency graph as 'calmcheck dot --highlight D' draws it,
the findings of 'calmcheck lint' (severity, check, message, spec location)
and the path label of every input and output. The file needs no network
to open: the pictures are inline SVG, with the page's own CSS and a little
plain JavaScript.

In the page, clicking a collection highlights its edges and lists its
declaration and the rules that write and read it (text and file:line);
clicking an edge lists its rules; clicking a finding highlights the
collections and edges it names and shows its flow; clicking a path label
highlights its input, output and where coordination goes. The findings can
be filtered by check and severity. Names, docs and rules from the specs are
escaped: a spec cannot put markup or script into the report.

Programs are selected as for 'calmcheck lint': --program, --module, else
the programs of the given specs (or ./calmcheck.yaml), else the built-in
library's. docs/report.md describes the page.

--verify runs 'calmcheck verify' on every program (--seed, --schedules
and --workloads as there) and adds its verdicts on the findings and pairs,
and its witnesses with their spacetime diagrams; the report is the same
for the same seed.

Output: the file -o FILE, written whole or not at all (stdout without -o).

Exit status: 0 the report was written and no finding is at or above
--fail-on (default never: the report is written whatever the analysis
found), 1 the report was written and some finding is, 2 the specs could
not be loaded or composed, bad flags, or the report could not be written;
with --verify, also 2 when a program could not be verified or verify
found a contradiction (the report is written all the same).`,
		Example: `  calmcheck report --program replicated-disorderly-cart -o cart.html
  calmcheck report -o report.html                  # every program of ./calmcheck.yaml
  calmcheck report specs/ --module MyCart,BestEffortDelivery -o mycart.html
  calmcheck report -o report.html --fail-on error  # a CI artifact and a gate
  calmcheck report --program disorderly-cart --verify -o cart.html`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd, args, &o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.programs, "program", "p", nil, "report on the named `PROGRAM` of a project file (repeatable)")
	f.StringArrayVarP(&o.modules, "module", "m", nil, "report on an ad hoc program of `MODULE`s (repeatable, or comma-separated)")
	f.StringVarP(&o.output, "output", "o", "", "write to `FILE` (atomically; through a symbolic link to its target) instead of stdout")
	f.BoolVar(&o.force, "force", false, "with -o, replace a read-only FILE")
	f.StringVar(&o.title, "title", "", "the page's `TITLE` (default: calmcheck report: the programs)")
	f.StringVar(&o.failOn, "fail-on", "never", "exit 1 on findings at or above `SEVERITY`: error, warning, note or never")
	f.BoolVar(&o.noExpect, "no-expect", false, "ignore the programs' expect: lists")
	f.BoolVar(&o.verify, "verify", false, "verify the findings by execution, as 'calmcheck verify' does, and show the verdicts and witnesses")
	f.Uint64Var(&o.seed, "seed", 1, "--verify: the `SEED` of generated workloads and random schedules")
	f.IntVar(&o.schedules, "schedules", verify.DefaultSchedules, "--verify: executions per experiment (schedules or input orders): `N`")
	f.IntVar(&o.workloads, "workloads", verify.DefaultWorkloads, "--verify: workloads to generate per program: `N`")
	return cmd
}

func runReport(cmd *cobra.Command, args []string, o *reportOptions) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	gate, ok := lint.ParseGate(o.failOn)
	if !ok {
		return usageError(stderr, "unknown --fail-on %q: want error, warning, note or never", o.failOn)
	}
	switch {
	case o.schedules < 1 || o.schedules > 10_000_000:
		return usageError(stderr, "--schedules must be from 1 to 10000000")
	case o.workloads < 1 || o.workloads > 1000:
		return usageError(stderr, "--workloads must be from 1 to 1000")
	}

	progs, warnings, err := loadPrograms(args, o.programs, o.modules, stderr, true)
	if err != nil {
		return err
	}
	if len(progs) == 0 {
		fmt.Fprintln(stderr, "calmcheck: no program to report on: give --program or --module")
		return exitError{exitTrouble}
	}
	rep := lint.Run(progs, warnings, lint.Options{NoExpect: o.noExpect, Gate: gate})

	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	var vreps []*verify.Report
	trouble := false
	if o.verify {
		opts := verify.Options{Seed: o.seed, Schedules: o.schedules, Workloads: o.workloads}
		for i, pr := range rep.Programs {
			opts.ProtocolWorkloads = protocolWorkloads(progs[i])
			vr, ds := verify.Verify(ctx, progs[i], pr.Result, pr.Findings, opts)
			if vr == nil {
				report(ds, stderr)
				fmt.Fprintf(stderr, "calmcheck: program %s cannot be verified\n", progs[i].Name)
				trouble = true
			}
			vreps = append(vreps, vr)
			if reportContradictions(stderr, vr) > 0 {
				trouble = true
			}
		}
	}

	doc, err := htmlreport.Build(ctx, rep, vreps, o.title, "calmcheck "+Version)
	if err != nil {
		fmt.Fprintf(stderr, "calmcheck: %v\n", err)
		return exitError{exitTrouble}
	}
	for _, n := range doc.Notes {
		fmt.Fprintf(stderr, "calmcheck: note: %s\n", n)
	}
	var buf bytes.Buffer
	if err := htmlreport.Write(&buf, doc); err != nil {
		fmt.Fprintf(stderr, "calmcheck: writing the report: %v\n", err)
		return exitError{exitTrouble}
	}
	if o.output == "" || o.output == "-" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintf(stderr, "calmcheck: writing the report: %v\n", err)
			return exitError{exitTrouble}
		}
	} else if err := atomicfile.WriteFile(o.output, buf.Bytes(), 0o644, atomicfile.Options{Force: o.force}); err != nil {
		fmt.Fprintf(stderr, "%s: error: %s\n", o.output, ioError(err))
		return exitError{exitTrouble}
	}
	switch {
	case trouble:
		return exitError{exitTrouble}
	case rep.Failed():
		return exitError{exitFindings}
	}
	return nil
}
