// Package lint is calmcheck's driver: it runs the analysis of package
// monotonic on composed programs and turns its findings into one Report,
// with the load and composition warnings, the programs' expectations and
// acknowledgements, fingerprints, check selection and a baseline applied.
// The Formatters (text, json, sarif, github) write a Report to a stream.
//
// Every command that shows findings (lint, dot, report, verify) and the
// docs' picture generator call Run; package main only parses flags,
// reads and writes files and sets the exit status.
package lint

import (
	"regexp"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// Options select what Run does. The zero value runs every check and
// applies the programs' expectations.
type Options struct {
	// Enabled reports whether a check runs; nil runs every check (see
	// SelectChecks).
	Enabled func(monotonic.Check) bool
	// NoExpect ignores the programs' expect: lists.
	NoExpect bool
	// Baseline holds the findings to hide (see ReadBaseline).
	Baseline *Baseline
	// Gate is the severity at or above which an unexpected finding fails
	// the run.
	Gate Gate
	// NoFlows leaves the findings' flows out (monotonic.Config): for the
	// formats that do not print them (FormatPrintsFlows).
	NoFlows bool
}

// FormatPrintsFlows reports whether a --format prints the findings'
// flows (json, sarif), so that the analysis computes them.
func FormatPrintsFlows(format string) bool { return format == "json" || format == "sarif" }

// Gate is the --fail-on setting: findings at or above Severity fail the
// run, unless Never.
type Gate struct {
	Severity modules.Severity
	Never    bool
}

// ParseGate parses a --fail-on value: error, warning, note or never.
func ParseGate(s string) (Gate, bool) {
	if s == "never" {
		return Gate{Never: true}, true
	}
	sev, ok := modules.ParseSeverity(s)
	return Gate{Severity: sev}, ok
}

// Report is everything the analysis found, in the order it is printed.
type Report struct {
	Programs  []*Program
	Workspace []monotonic.Finding // load warnings that belong to no program
	Baselined int                 // findings hidden by the baseline
	Gate      Gate
}

// Program is the analysis of one program and its findings, with
// expectations, acknowledgements and the baseline applied.
type Program struct {
	Result   *monotonic.Result
	Findings []monotonic.Finding
}

// Run analyses the programs: it builds each one's dependency graph, runs
// the enabled analyzers, attributes the load and composition warnings to
// the programs they are about (the others are the workspace's findings),
// applies expectations and acknowledgements, fingerprints every finding,
// and drops the findings of disabled checks and those in the baseline.
func Run(progs []*modules.Program, warnings modules.Diagnostics, opt Options) *Report {
	enabled := opt.Enabled
	if enabled == nil {
		enabled = func(monotonic.Check) bool { return true }
	}
	var analyzers []*monotonic.Analyzer
	for _, a := range monotonic.Analyzers {
		if enabled(a.Name) {
			analyzers = append(analyzers, a)
		}
	}
	rep := &Report{Gate: opt.Gate}
	attributed := make([]bool, len(warnings))
	for _, p := range progs {
		res := monotonic.AnalyzeGraphConfig(depgraph.Build(p), analyzers, monotonic.Config{NoFlows: opt.NoFlows})
		fs := res.Findings
		for i, d := range warnings {
			if f, ok := warningFinding(p, d); ok {
				attributed[i] = true
				fs = append(fs, f)
			}
		}
		fs = monotonic.Finish(p, fs, monotonic.Options{NoExpect: opt.NoExpect, Enabled: enabled})
		rep.Programs = append(rep.Programs, &Program{Result: res, Findings: rep.filter(fs, enabled, opt.Baseline)})
	}
	var ws []monotonic.Finding
	for i, d := range warnings {
		if !attributed[i] {
			// the fingerprint's key: the message without the positions in it
			key := positionsInMessage.ReplaceAllString(d.Message, "")
			ws = append(ws, monotonic.Finding{Check: monotonic.Check(d.Check), Severity: d.Severity, Pos: d.Pos, Message: d.Message, Key: key})
		}
	}
	monotonic.SortFindings(ws)
	for i := range ws {
		ws[i].Fingerprint = monotonic.Fingerprint(&ws[i])
	}
	rep.Workspace = rep.filter(ws, enabled, opt.Baseline)
	return rep
}

// filter drops the findings of disabled checks and counts and drops those
// in the baseline.
func (r *Report) filter(fs []monotonic.Finding, enabled func(monotonic.Check) bool, base *Baseline) []monotonic.Finding {
	out := fs[:0]
	for _, f := range fs {
		if !enabled(f.Check) {
			continue
		}
		if base.Has(&f) {
			r.Baselined++
			continue
		}
		out = append(out, f)
	}
	return out
}

// Failed reports whether a finding that is not expected is at or above
// the gate.
func (r *Report) Failed() bool {
	if r.Gate.Never {
		return false
	}
	failed := false
	r.each(func(f *monotonic.Finding) {
		failed = failed || !f.Expected && f.Severity >= r.Gate.Severity
	})
	return failed
}

// each calls fn for every finding, in the order of All, without a copy
// of them all.
func (r *Report) each(fn func(f *monotonic.Finding)) {
	for i := range r.Workspace {
		fn(&r.Workspace[i])
	}
	for _, p := range r.Programs {
		for i := range p.Findings {
			fn(&p.Findings[i])
		}
	}
}

// All returns every finding: the workspace's first, then by program.
func (r *Report) All() []monotonic.Finding {
	out := append([]monotonic.Finding(nil), r.Workspace...)
	for _, p := range r.Programs {
		out = append(out, p.Findings...)
	}
	return out
}

// Counts returns the number of findings per severity, and of expected
// ones.
func (r *Report) Counts() (errors, warnings, notes, expected int) {
	r.each(func(f *monotonic.Finding) {
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
	})
	return
}

// warningFinding turns a load or composition warning into a finding of
// program p when it is about p: a block override or a shadowing module of
// p, or p itself shadowing a built-in program.
func warningFinding(p *modules.Program, d modules.Diagnostic) (monotonic.Finding, bool) {
	f := monotonic.Finding{Check: monotonic.Check(d.Check), Severity: d.Severity, Pos: d.Pos, Message: d.Message, Program: p.Name}
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

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
