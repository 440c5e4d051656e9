package lint

import (
	"fmt"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// The JSON report, version 1. docs/lint-json.md documents it field by
// field and holds its JSON Schema, which a test validates the output
// against. Add fields freely; renaming or removing one needs version 2.

const JSONVersion = 1

type JSONReport struct {
	Version  int           `json:"version"`
	Tool     JSONTool      `json:"tool"`
	Programs []JSONProgram `json:"programs"`
	Findings []JSONFinding `json:"findings"`
	Summary  JSONSummary   `json:"summary"`
}

type JSONTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type JSONProgram struct {
	Name           string           `json:"name"`
	Doc            string           `json:"doc,omitempty"`
	Roots          []string         `json:"roots"`
	Modules        []string         `json:"modules"`
	Collections    []JSONCollection `json:"collections"`
	Edges          []JSONEdge       `json:"edges"`
	Sources        []string         `json:"sources"`
	Sinks          []string         `json:"sinks"`
	Underspecified []JSONDangling   `json:"underspecified"`
	Strata         *map[string]int  `json:"strata,omitempty"`
	Paths          []JSONPath       `json:"paths"`
	Coordination   []JSONCoordDecl  `json:"coordination,omitempty"`
	Seals          []JSONSeal       `json:"seals,omitempty"`
	Contracts      []JSONContract   `json:"contracts,omitempty"`
	Instances      []JSONInstance   `json:"instances,omitempty"`
	Findings       []JSONFinding    `json:"findings"`
}

// JSONInstance is an imported instance (import: {bed: BestEffortDelivery}).
type JSONInstance struct {
	Path     string `json:"path"`
	Module   string `json:"module"`
	Parent   string `json:"parent,omitempty"`
	Importer string `json:"importer"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

type JSONCoordDecl struct {
	Kind   string   `json:"kind"`
	On     []string `json:"on"`
	Module string   `json:"module"`
	Block  string   `json:"block,omitempty"`
	Needed bool     `json:"needed"`
	File   string   `json:"file"`
	Line   int      `json:"line"`
	Column int      `json:"column"`
}

type JSONSeal struct {
	Collection string   `json:"collection"`
	Key        []string `json:"key"`
	By         string   `json:"by"`
	Module     string   `json:"module"`
	Covers     []string `json:"covers"`
	File       string   `json:"file"`
	Line       int      `json:"line"`
	Column     int      `json:"column"`
}

type JSONContract struct {
	Input    string `json:"input"`
	Output   string `json:"output"`
	Label    string `json:"label"`
	Module   string `json:"module"`
	Realized bool   `json:"realized"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

type JSONCollection struct {
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Module   string   `json:"module"`
	Instance string   `json:"instance,omitempty"`
	Key      []string `json:"key"`
	Val      []string `json:"val"`
	Every    int64    `json:"every,omitempty"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
}

type JSONEdge struct {
	From         string   `json:"from"`
	To           string   `json:"to"`
	Op           string   `json:"op"`
	Temporal     bool     `json:"temporal"`
	Async        bool     `json:"async"`
	Nonmonotonic bool     `json:"nonmonotonic"`
	Reason       string   `json:"reason,omitempty"`
	Rule         JSONRule `json:"rule"`
}

type JSONRule struct {
	Module   string `json:"module"`
	Instance string `json:"instance,omitempty"`
	Block    string `json:"block"`
	Index    int    `json:"index"`
	Text     string `json:"text"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
}

type JSONDangling struct {
	Collection string `json:"collection"`
	Direction  string `json:"direction"`
}

type JSONPath struct {
	From       string     `json:"from"`
	To         string     `json:"to"`
	Label      string     `json:"label"`
	Effective  string     `json:"effective"`
	Covered    string     `json:"covered,omitempty"`
	Contract   bool       `json:"contract,omitempty"`
	Coordinate *JSONCoord `json:"coordinate,omitempty"`
}

type JSONCoord struct {
	Collection string    `json:"collection"`
	Reason     string    `json:"reason"`
	Rule       *JSONRule `json:"rule,omitempty"`
	Contract   string    `json:"contract,omitempty"`
	After      string    `json:"after,omitempty"`
}

type JSONFinding struct {
	Check        string     `json:"check"`
	Severity     string     `json:"severity"`
	Message      string     `json:"message"`
	File         string     `json:"file"`
	Line         int        `json:"line"`
	Column       int        `json:"column"`
	Program      string     `json:"program"`
	Module       string     `json:"module"`
	Collections  []string   `json:"collections"`
	Inputs       []string   `json:"inputs,omitempty"`
	Pairs        []JSONPair `json:"pairs,omitempty"`
	Expected     bool       `json:"expected"`
	Acknowledged string     `json:"acknowledged,omitempty"`
	Fingerprint  string     `json:"fingerprint"`
	Flow         []JSONStep `json:"flow,omitempty"`
}

type JSONStep struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Op     string `json:"op"`
	Note   string `json:"note,omitempty"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

type JSONSummary struct {
	Programs  int  `json:"programs"`
	Errors    int  `json:"errors"`
	Warnings  int  `json:"warnings"`
	Notes     int  `json:"notes"`
	Expected  int  `json:"expected"`
	Baselined int  `json:"baselined"`
	Failed    bool `json:"failed"`
}

// ProgramJSON is a program's part of the JSON report: its graph, path
// labels, coordination and findings.
func ProgramJSON(pr *Program) JSONProgram {
	res := pr.Result
	p, g := res.Program, res.Graph
	jp := JSONProgram{
		Name: p.Name, Doc: p.Doc,
		Roots: nonNil(p.Roots), Modules: []string{},
		Collections: []JSONCollection{}, Edges: []JSONEdge{},
		Sources: nonNil(g.Names(g.Sources())), Sinks: nonNil(g.Names(g.Sinks())),
		Underspecified: []JSONDangling{}, Paths: []JSONPath{},
		Findings: FindingsJSON(pr.Findings),
	}
	for _, m := range p.Modules {
		jp.Modules = append(jp.Modules, m.Name)
	}
	for _, in := range p.Instances {
		jp.Instances = append(jp.Instances, JSONInstance{Path: in.Path, Module: in.Module, Parent: in.Parent, Importer: in.Importer,
			File: in.Pos.File, Line: in.Pos.Line, Column: in.Pos.Col})
	}
	for _, n := range g.Nodes {
		d := n.Decl
		jc := JSONCollection{Name: n.Name, Kind: n.Kind.String(), Module: n.Module, Instance: d.Instance, Key: colNames(d.Key), Val: colNames(d.Val),
			Every: d.Every, File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Col}
		jp.Collections = append(jp.Collections, jc)
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		jp.Edges = append(jp.Edges, JSONEdge{From: g.Nodes[e.From].Name, To: g.Nodes[e.To].Name, Op: e.Op.String(),
			Temporal: e.Temporal, Async: e.Async, Nonmonotonic: e.Nonmonotonic, Reason: e.Reason(), Rule: toJSONRule(e.Rule)})
	}
	for _, d := range g.Underspecified() {
		jp.Underspecified = append(jp.Underspecified, JSONDangling{Collection: g.Nodes[d.Node].Name, Direction: string(d.Direction)})
	}
	if res.Strata != nil {
		m := map[string]int{}
		for v, s := range res.Strata {
			m[g.Nodes[v].Name] = s
		}
		jp.Strata = &m
	}
	for _, v := range res.Verdicts {
		jpl := JSONPath{From: g.Nodes[v.From].Name, To: g.Nodes[v.To].Name, Label: v.Label.String(),
			Effective: v.Effective.String(), Covered: v.Covered, Contract: v.Contract}
		w := v.Declared
		if v.Effective == monotonic.D {
			w = v.Missing
		}
		if v.Label == monotonic.D && w.Coordinate >= 0 {
			jpl.Coordinate = toJSONCoord(res, w.Coordinate)
			if w.Async >= 0 {
				jpl.Coordinate.After = edgeHead(res, w.Async)
			}
		}
		jp.Paths = append(jp.Paths, jpl)
	}
	for _, u := range res.Coordination {
		c := u.Decl
		jp.Coordination = append(jp.Coordination, JSONCoordDecl{Kind: c.Kind, On: c.Names(), Module: c.Module, Block: c.Block,
			Needed: u.Needed, File: c.Pos.File, Line: c.Pos.Line, Column: c.Pos.Col})
	}
	for _, u := range res.Seals {
		s := u.Seal
		js := JSONSeal{Collection: s.Collection.Name, Key: nonNil(s.KeyNames()), By: s.By.Name, Module: s.Module,
			Covers: []string{}, File: s.Pos.File, Line: s.Pos.Line, Column: s.Pos.Col}
		for _, ei := range u.Covers {
			e := &g.Edges[ei]
			js.Covers = append(js.Covers, g.Nodes[e.To].Name)
		}
		jp.Seals = append(jp.Seals, js)
	}
	virtual := map[*modules.Contract]bool{}
	for _, ce := range res.ContractEdges {
		virtual[ce.Contract] = true
	}
	for _, c := range p.Contracts {
		jp.Contracts = append(jp.Contracts, JSONContract{Input: c.Input.Name, Output: c.Output.Name, Label: c.Label, Module: c.Module,
			Realized: !virtual[c], File: c.Pos.File, Line: c.Pos.Line, Column: c.Pos.Col})
	}
	return jp
}

// toJSONCoord describes where a path becomes D: a rule, or a contract
// standing in for an implementation.
func toJSONCoord(res *monotonic.Result, ei int) *JSONCoord {
	g := res.Graph
	if ei >= len(g.Edges) {
		ce := res.ContractEdges[ei-len(g.Edges)]
		return &JSONCoord{Collection: g.Nodes[ce.To].Name, Reason: "contract", Contract: ce.Contract.Module + ": " + ce.Contract.String()}
	}
	e := &g.Edges[ei]
	r := toJSONRule(e.Rule)
	return &JSONCoord{Collection: g.Nodes[e.To].Name, Reason: e.Reason(), Rule: &r}
}

// edgeHead names the head of an edge or contract edge.
func edgeHead(res *monotonic.Result, ei int) string {
	g := res.Graph
	if ei >= len(g.Edges) {
		return g.Nodes[res.ContractEdges[ei-len(g.Edges)].To].Name
	}
	return g.Nodes[g.Edges[ei].To].Name
}

func toJSONRule(r *modules.Rule) JSONRule {
	return JSONRule{Module: r.Module, Instance: r.Instance, Block: r.Block, Index: r.Index, Text: r.Text, File: r.Pos.File, Line: r.Pos.Line, Column: r.Pos.Col}
}

// FindingsJSON converts findings for the JSON report (never nil).
func FindingsJSON(fs []monotonic.Finding) []JSONFinding {
	out := []JSONFinding{}
	for _, f := range fs {
		jf := JSONFinding{Check: f.Check, Severity: f.Severity.String(), Message: f.Message,
			File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Col, Program: f.Program, Module: f.Module,
			Collections: nonNil(f.Collections), Inputs: f.Inputs, Expected: f.Expected, Acknowledged: f.Acknowledged,
			Fingerprint: f.Fingerprint}
		for _, p := range f.Pairs {
			jf.Pairs = append(jf.Pairs, JSONPair{From: p.From, To: p.To})
		}
		for _, s := range f.Flow {
			jf.Flow = append(jf.Flow, JSONStep{From: s.From, To: s.To, Op: s.Op, Note: s.Note, File: s.Pos.File, Line: s.Pos.Line, Column: s.Pos.Col})
		}
		out = append(out, jf)
	}
	return out
}

type JSONPair struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func colNames(cols []modules.Column) []string {
	out := []string{}
	for _, c := range cols {
		n := c.Name
		if c.Addr {
			n = "@" + n
		}
		out = append(out, n)
	}
	return out
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// position writes a place in a spec file as calmcheck prints it:
// file:line:col, file:line or file ("" for none).
func position(file string, line, col int) string {
	switch {
	case file == "":
		return ""
	case line <= 0:
		return file
	case col <= 0:
		return fmt.Sprintf("%s:%d", file, line)
	}
	return fmt.Sprintf("%s:%d:%d", file, line, col)
}

// fileLine writes a place as file:line (file alone without a line).
func fileLine(file string, line int) string {
	if line <= 0 {
		return file
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// Location is the finding's position: file:line:col.
func (f *JSONFinding) Location() string { return position(f.File, f.Line, f.Column) }

// Location is the step's rule's position: file:line:col.
func (s JSONStep) Location() string { return position(s.File, s.Line, s.Column) }

// FileLine is the step's rule's position as file:line.
func (s JSONStep) FileLine() string { return fileLine(s.File, s.Line) }

// Location is the rule's position: file:line:col.
func (r *JSONRule) Location() string { return position(r.File, r.Line, r.Column) }

// FileLine is the rule's position as file:line.
func (r *JSONRule) FileLine() string { return fileLine(r.File, r.Line) }

// Location is the declaration's position: file:line:col.
func (c *JSONCollection) Location() string { return position(c.File, c.Line, c.Column) }

// Decl is the declaration as the spec language writes it:
// "table cart(session) => (item) every 5".
func (c *JSONCollection) Decl() string {
	s := c.Kind + " " + c.Name + "(" + strings.Join(c.Key, ", ") + ")"
	if len(c.Val) > 0 {
		s += " => (" + strings.Join(c.Val, ", ") + ")"
	}
	if c.Every > 0 {
		s += fmt.Sprintf(" every %d", c.Every)
	}
	return s
}
