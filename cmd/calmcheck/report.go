package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/calmcheck/calmcheck/internal/atomicfile"
	"github.com/calmcheck/calmcheck/lint"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/render"
	htmlreport "github.com/calmcheck/calmcheck/report"
	"github.com/calmcheck/calmcheck/verify"
	"github.com/spf13/cobra"
)

type reportOptions struct {
	programs []string
	modules  []string
	output   string
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
	f.StringVarP(&o.output, "output", "o", "", "write to `FILE` (atomically) instead of stdout")
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
			vr, ds := verify.Verify(ctx, progs[i], pr.Result, pr.Findings, opts)
			if vr == nil {
				report(ds, stderr)
				fmt.Fprintf(stderr, "calmcheck: program %s cannot be verified\n", progs[i].Name)
				trouble = true
			}
			vreps = append(vreps, vr)
			for _, p := range contradictions(vr) {
				trouble = true
				fmt.Fprintf(stderr, "calmcheck: CONTRADICTION in %s: path %s -> %s is labelled %s, but the output diverged with the input alone (witness %s): this is a bug in calmcheck's analysis; please report it with the witness\n",
					vr.Program, p.From, p.To, p.Label, p.Witness)
			}
		}
	}

	doc, err := buildReport(ctx, rep, vreps, o.title)
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
	} else if err := atomicfile.WriteFile(o.output, buf.Bytes(), 0o644); err != nil {
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

// contradictions returns the pairs verify contradicted (none of a nil
// report).
func contradictions(vr *verify.Report) []verify.PathReport {
	var out []verify.PathReport
	if vr != nil {
		for _, p := range vr.Paths {
			if p.Verdict == verify.Contradiction {
				out = append(out, p)
			}
		}
	}
	return out
}

// reportDrawing is how the report draws each program: as 'calmcheck dot
// --highlight D --no-legend' does, with the legend drawn once apart.
var reportDrawing = render.Options{Clusters: true, Highlight: "D", Legend: true}

// buildReport makes the report's document from lint's report: the data of
// its JSON document (lint.ProgramJSON), the rules of each program, and
// render's drawing of each program and of the legend.
func buildReport(ctx context.Context, rep *lint.Report, vreps []*verify.Report, title string) (*htmlreport.Document, error) {
	rps := render.FromReport(rep)
	var names []string
	for _, pr := range rep.Programs {
		names = append(names, pr.Result.Program.Name)
	}
	v, err := render.Build(rps, reportDrawing)
	if err != nil {
		return nil, err
	}
	if title == "" {
		title = "calmcheck report: " + strings.Join(names, ", ")
		if len(names) > 4 {
			title = fmt.Sprintf("calmcheck report: %d programs", len(names))
		}
	}
	doc := &htmlreport.Document{Title: title, Generator: "calmcheck " + Version, Notes: v.Notes}
	if len(v.Legend) > 0 {
		// A view with the legend and no program draws the legend alone.
		if doc.Legend, err = render.SVG(ctx, &render.View{Options: v.Options, Legend: v.Legend}); err != nil {
			return nil, fmt.Errorf("drawing the legend: %w", err)
		}
	}
	doc.Findings = toReportFindings(lint.FindingsJSON(rep.Workspace))
	for i, pr := range rep.Programs {
		pv := v.Programs[i]
		svg, err := render.SVG(ctx, &render.View{Options: v.Options, Programs: []*render.ProgramView{pv}})
		if err != nil {
			return nil, fmt.Errorf("drawing program %s: %w", pv.Name, err)
		}
		p := toReportProgram(pr, pv, svg)
		if vreps != nil {
			p.Verification = toReportVerification(vreps[i], pr)
		}
		doc.Programs = append(doc.Programs, p)
	}
	return doc, nil
}

// toReportProgram converts a program's part of lint's JSON document, and
// its rules, for the report.
func toReportProgram(pr *lint.Program, pv *render.ProgramView, svg []byte) htmlreport.Program {
	jp := lint.ProgramJSON(pr)
	p := htmlreport.Program{Name: jp.Name, Doc: jp.Doc, View: pv, SVG: svg, Findings: toReportFindings(jp.Findings)}
	for _, c := range jp.Collections {
		p.Collections = append(p.Collections, htmlreport.Collection{Name: c.Name, Kind: c.Kind, Module: c.Module,
			Key: c.Key, Val: c.Val, Every: c.Every, Pos: htmlreport.Pos{File: c.File, Line: c.Line, Column: c.Column}})
	}
	for _, pa := range jp.Paths {
		rp := htmlreport.Path{From: pa.From, To: pa.To, Label: pa.Label, Effective: pa.Effective, Covered: pa.Covered, Contract: pa.Contract}
		if c := pa.Coordinate; c != nil {
			rc := &htmlreport.Coordinate{Collection: c.Collection, Reason: c.Reason, Contract: c.Contract, After: c.After}
			if c.Rule != nil {
				rc.Rule = c.Rule.Text
				rc.Pos = htmlreport.Pos{File: c.Rule.File, Line: c.Rule.Line, Column: c.Rule.Column}
			}
			rp.Coordinate = rc
		}
		p.Paths = append(p.Paths, rp)
	}
	// The rules: every rule of the program, with the collections it reads
	// (the edges of lint's graph) and why it is nonmonotonic.
	res := pr.Result
	g := res.Graph
	body := map[*modules.Rule][]string{}
	reasons := map[*modules.Rule][]string{}
	for i := range g.Edges {
		e := &g.Edges[i]
		body[e.Rule] = append(body[e.Rule], g.Nodes[e.From].Name)
		if r := e.Reason(); r != "" && !slices.Contains(reasons[e.Rule], r) {
			reasons[e.Rule] = append(reasons[e.Rule], r)
		}
	}
	for _, r := range res.Program.Rules {
		p.Rules = append(p.Rules, htmlreport.Rule{Text: r.Text, Op: r.Op.String(), Module: r.Module, Block: r.Block,
			Pos: htmlreport.Pos{File: r.Pos.File, Line: r.Pos.Line, Column: r.Pos.Col}, Head: r.Head.Pred, Body: body[r],
			Nonmonotonic: strings.Join(reasons[r], ", ")})
	}
	return p
}

func toReportFindings(fs []lint.JSONFinding) []htmlreport.Finding {
	var out []htmlreport.Finding
	for _, f := range fs {
		rf := htmlreport.Finding{Check: f.Check, Severity: f.Severity, Message: f.Message,
			Pos: htmlreport.Pos{File: f.File, Line: f.Line, Column: f.Column}, Collections: f.Collections,
			Expected: f.Expected, Acknowledged: f.Acknowledged}
		for _, s := range f.Flow {
			rf.Flow = append(rf.Flow, htmlreport.Step{From: s.From, To: s.To, Op: s.Op, Note: s.Note,
				Pos: htmlreport.Pos{File: s.File, Line: s.Line, Column: s.Column}})
		}
		out = append(out, rf)
	}
	return out
}

// toReportVerification describes verify's report of a program as
// 'calmcheck verify' prints it: the verdicts on the findings, then on the
// pairs, and the witnesses (their text and spacetime diagram). It gives
// nothing that depends on timing, so that the report stays deterministic
// for a seed. A nil report is a program that could not be verified.
func toReportVerification(vr *verify.Report, pr *lint.Program) *htmlreport.Verification {
	if vr == nil {
		return &htmlreport.Verification{Summary: "The program could not be verified: it cannot be compiled for execution (see the messages of calmcheck report --verify)."}
	}
	v := &htmlreport.Verification{Summary: fmt.Sprintf("calmcheck verify: %s, seed %d, %s executions per experiment (%s).",
		workloadSummary(vr), vr.Seed, thousands(vr.Schedules), vr.Explore)}
	byPrint := map[string][]string{}
	for _, f := range pr.Findings {
		if f.Fingerprint != "" {
			byPrint[f.Fingerprint+"\t"+f.Pos.String()] = f.Collections
		}
	}
	for _, f := range vr.Findings {
		if f.Verdict == verify.NotChecked {
			continue
		}
		detail := ""
		switch f.Verdict {
		case verify.NotTested:
			detail = f.Why
		case verify.Confirmed:
		default:
			detail = tried(f.Schedules, f.Orders, false, false, f.Errors)
		}
		if f.Broken != "" {
			detail = strings.TrimSpace(f.Broken + ": the declaration that covers it does not hold. " + detail)
		}
		if f.Expected {
			detail = strings.TrimSpace(detail + " (expected)")
		}
		if f.Acknowledged != "" {
			detail = strings.TrimSpace(detail + " (acknowledged: " + f.Acknowledged + ")")
		}
		v.Verdicts = append(v.Verdicts, htmlreport.Verdict{Subject: f.Check + " at " + f.Pos.String(), Verdict: string(f.Verdict),
			Detail: detail, Witness: f.Witness, Collections: byPrint[f.Fingerprint+"\t"+f.Pos.String()]})
	}
	for _, p := range vr.Paths {
		detail := p.How
		if p.Verdict == verify.NotTested {
			detail += ": " + p.Why
		} else if p.Verdict != verify.Confirmed {
			if t := tried(p.Schedules, p.Orders, p.Exhaustive, p.Empty, p.Errors); t != "" {
				detail += ": " + t
			}
		}
		v.Verdicts = append(v.Verdicts, htmlreport.Verdict{Subject: fmt.Sprintf("path %s -> %s (%s)", p.From, p.To, p.Label),
			Verdict: string(p.Verdict), Detail: detail, Witness: p.Witness, Collections: []string{p.From, p.To}})
	}
	for _, w := range vr.Witnesses {
		var buf bytes.Buffer
		writeWitnessText(&buf, vr, w, "")
		lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
		title := strings.TrimPrefix(lines[0], "  witness "+w.ID+" ")
		for i, l := range lines[1:] {
			lines[i+1] = strings.TrimPrefix(l, "    ")
		}
		v.Witnesses = append(v.Witnesses, htmlreport.Witness{ID: w.ID, Title: title, Text: strings.Join(lines[1:], "\n"), SVG: w.SVG()})
	}
	return v
}
