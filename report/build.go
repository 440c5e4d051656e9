package report

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/calmcheck/calmcheck/lint"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/render"
	"github.com/calmcheck/calmcheck/verify"
)

// reportDrawing is how the report draws each program: as 'calmcheck dot
// --highlight D --no-legend' does, with the legend drawn once apart.
var reportDrawing = render.Options{Clusters: true, Highlight: "D", Legend: true}

// Build makes the document of lint's report: per program, the data of
// lint's JSON document (lint.ProgramJSON), the rules, render's drawing,
// and, with vreps (one per program, nil for a program that could not be
// verified), verify's verdicts and witnesses; the legend is drawn once.
// generator names the tool and its version.
func Build(ctx context.Context, rep *lint.Report, vreps []*verify.Report, title, generator string) (*Document, error) {
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
	doc := &Document{Title: title, Generator: generator, Notes: v.Notes}
	if len(v.Legend) > 0 {
		// A view with the legend and no program draws the legend alone.
		if doc.Legend, err = render.SVG(ctx, &render.View{Options: v.Options, Legend: v.Legend}); err != nil {
			return nil, fmt.Errorf("drawing the legend: %w", err)
		}
	}
	doc.Findings = lint.FindingsJSON(rep.Workspace)
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
func toReportProgram(pr *lint.Program, pv *render.ProgramView, svg []byte) Program {
	jp := lint.ProgramJSON(pr)
	p := Program{Name: jp.Name, Doc: jp.Doc, View: pv, SVG: svg, Findings: jp.Findings, Collections: jp.Collections, Paths: jp.PathRows()}
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
		p.Rules = append(p.Rules, Rule{Text: r.Text, Op: r.Op.String(), Module: r.Module, Block: r.Block,
			Pos: Pos{File: r.Pos.File, Line: r.Pos.Line, Column: r.Pos.Col}, Head: r.Head.Pred, Body: body[r],
			Nonmonotonic: strings.Join(reasons[r], ", ")})
	}
	return p
}

// toReportVerification describes verify's report of a program as
// 'calmcheck verify' prints it: the verdicts on the findings, then on the
// pairs, and the witnesses (their text and spacetime diagram). It gives
// nothing that depends on timing, so that the report stays deterministic
// for a seed. A nil report is a program that could not be verified.
func toReportVerification(vr *verify.Report, pr *lint.Program) *Verification {
	if vr == nil {
		return &Verification{Summary: "The program could not be verified: it cannot be compiled for execution (see the messages of calmcheck report --verify)."}
	}
	v := &Verification{Summary: fmt.Sprintf("calmcheck verify: %s, seed %d, %s executions per experiment (%s).",
		vr.WorkloadSummary(), vr.Seed, verify.Thousands(vr.Schedules), vr.Explore)}
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
			detail = verify.Tried(f.Schedules, f.Orders, false, false, f.Errors)
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
		v.Verdicts = append(v.Verdicts, Verdict{Subject: string(f.Check) + " at " + f.Pos.String(), Verdict: string(f.Verdict),
			Detail: detail, Witness: f.Witness, Collections: byPrint[f.Fingerprint+"\t"+f.Pos.String()]})
	}
	for _, p := range vr.Paths {
		detail := p.How
		if p.Verdict == verify.NotTested {
			detail += ": " + p.Why
		} else if p.Verdict != verify.Confirmed {
			if t := verify.Tried(p.Schedules, p.Orders, p.Exhaustive, p.Empty, p.Errors); t != "" {
				detail += ": " + t
			}
		}
		v.Verdicts = append(v.Verdicts, Verdict{Subject: fmt.Sprintf("path %s -> %s (%s)", p.From, p.To, p.Label),
			Verdict: string(p.Verdict), Detail: detail, Witness: p.Witness, Collections: []string{p.From, p.To}})
	}
	for _, w := range vr.Witnesses {
		var buf strings.Builder
		w.WriteText(&buf, "")
		v.Witnesses = append(v.Witnesses, Witness{ID: w.ID, Title: w.Title(), Text: strings.TrimRight(buf.String(), "\n"), SVG: w.SVG()})
	}
	return v
}
