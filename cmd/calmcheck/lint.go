package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/calmcheck/calmcheck/lint"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

type lintOptions struct {
	programs []string
	modules  []string
	format   string
	failOn   string
	checks   []string
	disable  []string
	noExpect bool
	baseline string
	color    string
	showExp  bool
	paths    string
	width    int
}

func init() { commands = append(commands, newLintCmd) }

func newLintCmd() *cobra.Command {
	var o lintOptions
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Find the points of order of programs and check that they are well-formed",
		Long: `Load the spec files, compose the selected programs, and run the CALM analysis
on each: well-formedness (unstratifiable cycles, underspecified dataflow),
points of order (nonmonotonic rules that inputs reach asynchronously), path
labels from each input to each output (Bot, A, N, D) and diffluent paths.
'calmcheck checks' lists every check.

Programs: --program names a program of a project file; --module composes an
ad hoc program from modules (repeat the flag or separate with commas).
With neither: the programs of the given specs (or ./calmcheck.yaml), else
every module that no other module includes; with no PATH and no project
file, every program of the built-in library.

A program may declare the findings it expects (expect: in calmcheck.yaml):
they do not fail the gate, text output counts them in one line per program
(--show-expected lists them, marked as expected), and an expected finding
that does not occur is an error (--no-expect ignores expectations). Text
output ends with a one-line verdict; long messages wrap on a terminal
(--width), JSON and SARIF always carry them whole.

A finding about paths (diffluent-path, missing-coordination) is reported
once per rule where paths become diffluent, with the (input, output) pairs
it affects (the first few in text, all in JSON) and the shortest of their
paths. Each program's path table groups the inputs of each output by
label; by default it lists only the groups labelled D (the ones findings
are about) and counts the others (--paths all lists every group, --paths
none leaves the table out).

A rule or block acknowledged with coordinated: "why" turns its findings into
notes that show the reason; an acknowledgement that matches no finding is
reported. --baseline FILE (a previous --format json report) hides the
findings it already has, matched by fingerprint.

Exit status: 0 no finding at or above --fail-on (default error), 1 some, 2
the specs could not be loaded or composed, or bad flags.`,
		Example: `  calmcheck lint
  calmcheck lint --program replicated-disorderly-cart --fail-on warning
  calmcheck lint myspecs/ --module MyCart --module BestEffortDelivery
  calmcheck lint --format sarif > calmcheck.sarif
  calmcheck lint --program ordered-cart --paths all
  calmcheck lint --format json > baseline.json; calmcheck lint --baseline baseline.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(cmd, args, &o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.programs, "program", "p", nil, "analyse the named `PROGRAM` of a project file (repeatable)")
	f.StringArrayVarP(&o.modules, "module", "m", nil, "compose an ad hoc program of `MODULE`s (repeatable, or comma-separated)")
	f.StringVarP(&o.format, "format", "f", "text", "output `FORMAT`: text, json, sarif or github")
	f.StringVar(&o.failOn, "fail-on", "error", "exit 1 on findings at or above `SEVERITY`: error, warning, note or never")
	f.StringSliceVar(&o.checks, "checks", nil, "run only these `CHECKS` (comma-separated; see 'calmcheck checks')")
	f.StringSliceVar(&o.disable, "disable", nil, "do not run these `CHECKS` (comma-separated)")
	f.BoolVar(&o.noExpect, "no-expect", false, "ignore the programs' expect: lists")
	f.StringVar(&o.baseline, "baseline", "", "report only findings not in `FILE`, a previous --format json report")
	f.BoolVar(&o.showExp, "show-expected", false, "list the expected findings (text output; by default one line per program counts them)")
	f.StringVar(&o.paths, "paths", "findings", "text output's path table: `ROWS` findings (the inputs and outputs connected by a D path, and a count of the others), all, or none")
	f.IntVar(&o.width, "width", -1, "wrap messages at `N` columns in text output (0: never; default: the terminal's width on a terminal, else never)")
	f.StringVar(&o.color, "color", "auto", "colour text output: auto (on a terminal, unless NO_COLOR is set), always or never")
	return cmd
}

func runLint(cmd *cobra.Command, args []string, o *lintOptions) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if !slices.Contains(lint.Formats, o.format) {
		return usageError(stderr, "unknown --format %q: want text, json, sarif or github", o.format)
	}
	gate, ok := lint.ParseGate(o.failOn)
	if !ok {
		return usageError(stderr, "unknown --fail-on %q: want error, warning, note or never", o.failOn)
	}
	paths, ok := lint.ParsePaths(o.paths)
	if !ok {
		return usageError(stderr, "unknown --paths %q: want findings, all or none", o.paths)
	}
	switch o.color {
	case "auto", "always", "never":
	default:
		return usageError(stderr, "unknown --color %q: want auto, always or never", o.color)
	}
	enabled, err := lint.SelectChecks(o.checks, o.disable)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	var base *lint.Baseline
	if o.baseline != "" {
		if base, err = lint.ReadBaseline(o.baseline); err != nil {
			fmt.Fprintf(stderr, "calmcheck: --baseline: %v\n", err)
			return exitError{exitTrouble}
		}
	}

	diags := stderr
	if o.format == "github" {
		diags = githubDiagnostics{stdout}
	}
	progs, warnings, err := loadPrograms(args, o.programs, o.modules, diags, o.format == "text")
	if err != nil {
		return err
	}
	defer capHeap(progs)()
	rep := lint.Run(progs, warnings, lint.Options{Enabled: enabled, NoExpect: o.noExpect, Baseline: base, Gate: gate,
		NoFlows: !lint.FormatPrintsFlows(o.format)})
	f := lint.NewFormatter(o.format, Version, useColor(o.color, stdout))
	if t, ok := f.(*lint.Text); ok {
		t.ShowExpected, t.Width, t.Paths = o.showExp, o.width, paths
		if o.width < 0 {
			t.Width = terminalWidth(stdout)
		}
	}
	// Buffered: the formatters write many small pieces.
	out := bufio.NewWriterSize(stdout, 64<<10)
	err = lint.Write(out, f, rep)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		fmt.Fprintf(stderr, "calmcheck: %v\n", err)
		return exitError{exitTrouble}
	}
	if rep.Failed() {
		return exitError{exitFindings}
	}
	return nil
}

// terminalWidth is the width to wrap text output at: $COLUMNS, or 100,
// when w is a terminal; 0 (no wrapping) otherwise.
func terminalWidth(w io.Writer) int {
	if !isTerminal(w) {
		return 0
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n >= 40 {
		return n
	}
	return 100
}

// isTerminal reports whether w is a terminal: a character device that
// answers the terminal ioctls (x/term), not merely a character device
// (/dev/null is one: output sent there was wrapped and coloured).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// useColor decides whether text output is coloured.
func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	return isTerminal(w)
}
