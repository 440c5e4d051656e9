package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
	"github.com/spf13/cobra"
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
they are shown marked as expected and do not fail the gate, and an expected
finding that does not occur is an error (--no-expect ignores expectations).
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
	f.StringVar(&o.color, "color", "auto", "colour text output: auto (on a terminal, unless NO_COLOR is set), always or never")
	return cmd
}

// lintReport is everything lint found, in the order it is printed.
type lintReport struct {
	Programs  []*programReport
	Workspace []monotonic.Finding // load warnings that belong to no program
	Baselined int                 // findings hidden by --baseline
	Gate      modules.Severity
	NoGate    bool
}

type programReport struct {
	Result   *monotonic.Result
	Findings []monotonic.Finding
}

func runLint(cmd *cobra.Command, args []string, o *lintOptions) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	switch o.format {
	case "text", "json", "sarif", "github":
	default:
		return usageError(stderr, "unknown --format %q: want text, json, sarif or github", o.format)
	}
	rep := &lintReport{}
	if o.failOn == "never" {
		rep.NoGate = true
	} else if sev, ok := modules.ParseSeverity(o.failOn); ok {
		rep.Gate = sev
	} else {
		return usageError(stderr, "unknown --fail-on %q: want error, warning, note or never", o.failOn)
	}
	switch o.color {
	case "auto", "always", "never":
	default:
		return usageError(stderr, "unknown --color %q: want auto, always or never", o.color)
	}
	enabled, err := selectChecks(o.checks, o.disable)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	var base map[string]bool
	if o.baseline != "" {
		if base, err = readBaseline(o.baseline); err != nil {
			fmt.Fprintf(stderr, "calmcheck: --baseline: %v\n", err)
			return exitError{exitTrouble}
		}
	}

	progs, warnings, err := loadPrograms(args, o.programs, o.modules, stderr, o.format == "text")
	if err != nil {
		return err
	}

	var analyzers []*monotonic.Analyzer
	for _, a := range monotonic.Analyzers {
		if enabled(a.Name) {
			analyzers = append(analyzers, a)
		}
	}
	attributed := make([]bool, len(warnings))
	for _, p := range progs {
		res := monotonic.AnalyzeGraph(depgraph.Build(p), analyzers)
		fs := res.Findings
		for i, d := range warnings {
			if f, ok := warningFinding(p, d); ok {
				attributed[i] = true
				fs = append(fs, f)
			}
		}
		fs = monotonic.Finish(p, fs, monotonic.Options{NoExpect: o.noExpect, Enabled: enabled})
		rep.Programs = append(rep.Programs, &programReport{Result: res, Findings: filterFindings(fs, enabled, base, &rep.Baselined)})
	}
	var ws []monotonic.Finding
	for i, d := range warnings {
		if !attributed[i] {
			// the fingerprint's key: the message without the positions in it
			key := positionsInMessage.ReplaceAllString(d.Message, "")
			ws = append(ws, monotonic.Finding{Check: d.Check, Severity: d.Severity, Pos: d.Pos, Message: d.Message, Key: key})
		}
	}
	monotonic.SortFindings(ws)
	for i := range ws {
		ws[i].Fingerprint = monotonic.Fingerprint(&ws[i])
	}
	rep.Workspace = filterFindings(ws, enabled, base, &rep.Baselined)

	switch o.format {
	case "json":
		err = writeJSON(stdout, rep)
	case "sarif":
		err = writeSARIF(stdout, rep)
	case "github":
		writeGitHub(stdout, rep)
	default:
		writeText(stdout, rep, useColor(o.color, stdout))
	}
	if err != nil {
		fmt.Fprintf(stderr, "calmcheck: %v\n", err)
		return exitError{exitTrouble}
	}
	if rep.failed() {
		return exitError{exitFindings}
	}
	return nil
}

func usageError(stderr io.Writer, format string, args ...any) error {
	fmt.Fprintf(stderr, "calmcheck: "+format+"\n", args...)
	return exitError{exitTrouble}
}

// failed reports whether a finding that is not expected is at or above
// the gate.
func (r *lintReport) failed() bool {
	if r.NoGate {
		return false
	}
	for _, f := range r.all() {
		if !f.Expected && f.Severity >= r.Gate {
			return true
		}
	}
	return false
}

// all returns every finding: workspace first, then by program.
func (r *lintReport) all() []monotonic.Finding {
	out := append([]monotonic.Finding(nil), r.Workspace...)
	for _, p := range r.Programs {
		out = append(out, p.Findings...)
	}
	return out
}

// counts returns the number of findings per severity, and of expected
// ones.
func (r *lintReport) counts() (errors, warnings, notes, expected int) {
	for _, f := range r.all() {
		switch f.Severity {
		case modules.Error:
			errors++
		case modules.Warning:
			warnings++
		default:
			notes++
		}
		if f.Expected {
			expected++
		}
	}
	return
}

func filterFindings(fs []monotonic.Finding, enabled func(string) bool, base map[string]bool, hidden *int) []monotonic.Finding {
	out := fs[:0]
	for _, f := range fs {
		if !enabled(f.Check) {
			continue
		}
		if base[f.Fingerprint] {
			*hidden++
			continue
		}
		out = append(out, f)
	}
	return out
}

// warningFinding turns a load or composition warning into a finding of
// program p when it is about p: a block override or a shadowing module of
// p, or p itself shadowing a built-in program.
func warningFinding(p *modules.Program, d modules.Diagnostic) (monotonic.Finding, bool) {
	f := monotonic.Finding{Check: d.Check, Severity: d.Severity, Pos: d.Pos, Message: d.Message, Program: p.Name}
	if p.Spec != nil && p.Spec.Pos == d.Pos {
		f.Key = "program " + p.Name
		return f, true
	}
	for _, m := range p.Modules {
		if m.Pos == d.Pos {
			f.Module, f.Key = m.Name, "module "+m.Name
			return f, true
		}
		for _, b := range m.Blocks {
			if b.Pos == d.Pos {
				f.Module, f.Key = m.Name, "block "+m.Name+"."+b.Name
				return f, true
			}
		}
	}
	return f, false
}

// positionsInMessage matches the positions a load warning quotes, e.g.
// " (specs/kvs.yaml:18:3)".
var positionsInMessage = regexp.MustCompile(` \([^()]*:[0-9]+:[0-9]+\)`)

// extraChecks are the checks lint reports besides the analyzers.
var extraChecks = []checkDoc{
	{Name: "override", Severity: modules.Warning, Doc: `A block override that may not be meant (from composition).

A block with the same name as an inherited one replaces it. Composition
warns when a module replaces a block of a module it does not include (two
unrelated modules happen to use one block name), or when an empty block
replaces nothing. Rename one of the blocks, or drop the empty block.`},
	{Name: "shadow", Severity: modules.Warning, Doc: `A user module or program with the name of a built-in one (from loading).

The user's definition wins everywhere, including in built-in modules that
include it by name. Rename it unless replacing the built-in is the point.`},
	{Name: monotonic.CheckExpect, Severity: modules.Error, Doc: `An expected finding (expect: on a program) that did not occur.

Programs declare the findings they expect, as Go's analysistest does with
// want comments; an expectation that no finding matches means the program
or the analysis changed. Update the expect: list.`},
	{Name: monotonic.CheckStale, Severity: modules.Warning, Doc: `An acknowledgement (coordinated: "why") that matches no finding.

Like staticcheck's unused //lint:ignore: a rule or block says its
coordination is handled, but no finding of it remains, so the
acknowledgement would silently hide a future one. Remove it.`},
}

type checkDoc struct {
	Name     string
	Severity modules.Severity
	Doc      string
}

// allChecks lists every check lint can report: the analyzers, then the
// others.
func allChecks() []checkDoc {
	var out []checkDoc
	for _, a := range monotonic.Analyzers {
		out = append(out, checkDoc{Name: a.Name, Severity: a.Severity, Doc: a.Doc})
	}
	return append(out, extraChecks...)
}

// selectChecks returns the predicate of enabled checks.
func selectChecks(only, disable []string) (func(string) bool, error) {
	known := map[string]bool{}
	var names []string
	for _, c := range allChecks() {
		known[c.Name] = true
		names = append(names, c.Name)
	}
	check := func(list []string) (map[string]bool, error) {
		set := map[string]bool{}
		for _, c := range list {
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			if !known[c] {
				return nil, fmt.Errorf("unknown check %q; the checks are %s", c, strings.Join(names, ", "))
			}
			set[c] = true
		}
		return set, nil
	}
	onlySet, err := check(only)
	if err != nil {
		return nil, err
	}
	off, err := check(disable)
	if err != nil {
		return nil, err
	}
	return func(c string) bool {
		if off[c] {
			return false
		}
		// expect and coordinated report on the checks that ran, so
		// --checks does not turn them off; --disable does.
		meta := c == monotonic.CheckExpect || c == monotonic.CheckStale
		return len(onlySet) == 0 || onlySet[c] || meta || !known[c]
	}, nil
}

// readBaseline reads the fingerprints of a previous JSON report.
func readBaseline(file string) (map[string]bool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc jsonReport
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not a calmcheck JSON report: %v", file, err)
	}
	if doc.Version != 1 {
		return nil, fmt.Errorf("%s: unsupported report version %d (want 1)", file, doc.Version)
	}
	set := map[string]bool{}
	add := func(fs []jsonFinding) {
		for _, f := range fs {
			if f.Fingerprint != "" {
				set[f.Fingerprint] = true
			}
		}
	}
	add(doc.Findings)
	for _, p := range doc.Programs {
		add(p.Findings)
	}
	return set, nil
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
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
