package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// The JSON report, version 2. docs/lint-json.md documents it field by
// field and holds its JSON Schema, which a test validates the output
// against. Add fields freely; renaming or removing one needs version 3.

const JSONVersion = 2

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
	Rules          []JSONRule       `json:"rules"`
	Edges          []JSONEdge       `json:"edges"`
	Sources        []string         `json:"sources"`
	Sinks          []string         `json:"sinks"`
	Underspecified []JSONDangling   `json:"underspecified"`
	Paths          []JSONPaths      `json:"paths"`
	Coordination   []JSONCoordDecl  `json:"coordination,omitempty"`
	Seals          []JSONSeal       `json:"seals,omitempty"`
	Contracts      []JSONContract   `json:"contracts,omitempty"`
	Instances      []JSONInstance   `json:"instances,omitempty"`
	// InputSets are the sets of inputs that reach the points of order,
	// each once: a point-of-order finding names its set by index
	// (input_set), so that the report does not grow with points x inputs.
	InputSets [][]string    `json:"input_sets,omitempty"`
	Findings  []JSONFinding `json:"findings"`
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
	// Stratum is absent when the program is unstratifiable.
	Stratum *int   `json:"stratum,omitempty"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
}

type JSONEdge struct {
	From         string `json:"from"`
	To           string `json:"to"`
	Op           string `json:"op"`
	Temporal     bool   `json:"temporal"`
	Async        bool   `json:"async"`
	Nonmonotonic bool   `json:"nonmonotonic"`
	Reason       string `json:"reason,omitempty"`
	Rule         int    `json:"rule"` // index in JSONProgram.Rules
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

// JSONPaths are the inputs that reach one output, grouped by label (and,
// for a D, by where it becomes D).
type JSONPaths struct {
	To     string          `json:"to"`
	Inputs []JSONPathGroup `json:"inputs"`
}

type JSONPathGroup struct {
	Label      string     `json:"label"`
	Effective  string     `json:"effective"`
	Covered    string     `json:"covered,omitempty"`
	Contract   bool       `json:"contract,omitempty"`
	Stale      bool       `json:"stale,omitempty"`
	Coordinate *JSONCoord `json:"coordinate,omitempty"`
	From       []string   `json:"from"`
}

type JSONCoord struct {
	Collection string `json:"collection"`
	Reason     string `json:"reason"`
	Rule       *int   `json:"rule,omitempty"` // index in JSONProgram.Rules
	Contract   string `json:"contract,omitempty"`
	After      string `json:"after,omitempty"`
}

type JSONFinding struct {
	Check       monotonic.Check `json:"check"`
	Severity    string          `json:"severity"`
	Message     string          `json:"message"`
	File        string          `json:"file"`
	Line        int             `json:"line"`
	Column      int             `json:"column"`
	Program     string          `json:"program"`
	Module      string          `json:"module"`
	Collections []string        `json:"collections"`
	Inputs      []string        `json:"inputs,omitempty"`
	// InputSet is, for a point of order, the index of its inputs in the
	// program's input_sets (Inputs is then left out).
	InputSet     *int       `json:"input_set,omitempty"`
	Pairs        []JSONPair `json:"pairs,omitempty"`
	Expected     bool       `json:"expected"`
	Acknowledged string     `json:"acknowledged,omitempty"`
	Fingerprint  string     `json:"fingerprint"`
	Flow         []JSONStep `json:"flow,omitempty"`
	OtherFlow    []JSONStep `json:"other_flow,omitempty"`
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
// labels, coordination and findings. The JSON formatter writes the same
// document element by element.
func ProgramJSON(pr *Program) JSONProgram {
	x := newProgramDoc(pr)
	jp := JSONProgram{
		Name: x.p.Name, Doc: x.p.Doc, Roots: x.roots(), Modules: x.modules(),
		Sources: x.sources(), Sinks: x.sinks(), Underspecified: x.underspecified(),
		Coordination: x.coordination(), Seals: x.seals(), Contracts: x.contracts(), Instances: x.instances(),
		Collections: make([]JSONCollection, len(x.g.Nodes)), Rules: make([]JSONRule, len(x.p.Rules)),
		Edges: make([]JSONEdge, len(x.g.Edges)), Paths: []JSONPaths{}, Findings: FindingsJSON(pr.Findings),
	}
	sets, idx := inputSets(pr.Findings)
	jp.InputSets = sets
	for i := range jp.Findings {
		if k := idx[i]; k >= 0 {
			jp.Findings[i].Inputs, jp.Findings[i].InputSet = nil, &k
		}
	}
	for i := range jp.Collections {
		jp.Collections[i] = x.collection(i)
	}
	for i := range jp.Rules {
		jp.Rules[i] = toJSONRule(x.p.Rules[i])
	}
	for i := range jp.Edges {
		jp.Edges[i] = x.edge(i)
	}
	x.paths(func(p JSONPaths) { jp.Paths = append(jp.Paths, p) })
	return jp
}

// programDoc converts one program's parts for the JSON report, element
// by element, so that the formatter never holds the whole document.
type programDoc struct {
	pr  *Program
	res *monotonic.Result
	p   *modules.Program
	g   *depgraph.Graph

	coords map[int]JSONCoord // coord's descriptions, once per edge
}

func newProgramDoc(pr *Program) *programDoc {
	return &programDoc{pr: pr, res: pr.Result, p: pr.Result.Program, g: pr.Result.Graph}
}

func (x *programDoc) roots() []string { return nonNil(x.p.Roots) }

func (x *programDoc) modules() []string {
	out := []string{}
	for _, m := range x.p.Modules {
		out = append(out, m.Name)
	}
	return out
}

func (x *programDoc) sources() []string { return nonNil(x.g.Names(x.g.Sources())) }
func (x *programDoc) sinks() []string   { return nonNil(x.g.Names(x.g.Sinks())) }

func (x *programDoc) collection(i int) JSONCollection {
	n := &x.g.Nodes[i]
	d := n.Decl
	jc := JSONCollection{Name: n.Name, Kind: n.Kind.String(), Module: n.Module, Instance: d.Instance, Key: colNames(d.Key), Val: colNames(d.Val),
		Every: d.Every, File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Col}
	if x.res.Strata != nil {
		s := x.res.Strata[i]
		jc.Stratum = &s
	}
	return jc
}

func (x *programDoc) edge(i int) JSONEdge {
	g := x.g
	e := &g.Edges[i]
	return JSONEdge{From: g.Nodes[e.From].Name, To: g.Nodes[e.To].Name, Op: e.Op.String(),
		Temporal: e.Temporal, Async: e.Async, Nonmonotonic: e.Nonmonotonic, Reason: e.Reason(), Rule: e.RuleID}
}

func (x *programDoc) underspecified() []JSONDangling {
	out := []JSONDangling{}
	for _, d := range x.g.Underspecified() {
		out = append(out, JSONDangling{Collection: x.g.Nodes[d.Node].Name, Direction: string(d.Direction)})
	}
	return out
}

// paths calls emit once per output, in the order of the verdicts (by
// output, then input), with its inputs grouped by label, effective label,
// what covers it and where it becomes D: O(pairs).
func (x *programDoc) paths(emit func(JSONPaths)) {
	groupPaths(x.res, true, func(to int, groups []pathGroup) { emit(x.pathsOf(to, groups, &x.coords)) })
}

// pathsOf is the JSON of the groups of output to's inputs; coords caches
// the coordinates' descriptions (one cache per goroutine).
func (x *programDoc) pathsOf(to int, groups []pathGroup, coords *map[int]JSONCoord) JSONPaths {
	g := x.g
	jp := JSONPaths{To: g.Nodes[to].Name, Inputs: make([]JSONPathGroup, len(groups))}
	for i, grp := range groups {
		v := grp.v
		jg := JSONPathGroup{Label: v.Label.String(), Effective: v.Effective.String(), Covered: v.Covered, Contract: v.Contract, Stale: v.Stale,
			From: g.Names(grp.from)}
		if grp.coord >= 0 {
			jg.Coordinate = x.coord(grp.coord, coords)
			if grp.async >= 0 {
				jg.Coordinate.After = edgeHead(x.res, grp.async)
			}
		}
		jp.Inputs[i] = jg
	}
	return jp
}

// pathGroup is the inputs of one output that share a label, an effective
// label, what covers them, and (for a D) where they become D.
type pathGroup struct {
	v            *monotonic.Verdict // the first pair's verdict
	coord, async int                // the D's coordinate and asynchronous edges, or -1
	from         []int              // the inputs
}

// groupPaths calls emit once per output with the groups of its inputs, in
// the order of the verdicts (by output, then input): O(pairs). With
// byAsync, the inputs of a group also share the asynchronous edge before
// their D's coordinate.
func groupPaths(res *monotonic.Result, byAsync bool, emit func(to int, groups []pathGroup)) {
	var gr grouper
	for _, r := range outputRanges(res) {
		emit(res.Verdicts[r[0]].To, gr.group(res.Verdicts[r[0]:r[1]], byAsync))
	}
}

// outputRanges are the ranges of the verdicts (ordered by output) of
// each output.
func outputRanges(res *monotonic.Result) [][2]int {
	vs := res.Verdicts
	var out [][2]int
	for i := 0; i < len(vs); {
		j := i
		for j < len(vs) && vs[j].To == vs[i].To {
			j++
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// grouper groups the verdicts of one output (groupPaths), reusing its
// index and groups from one output to the next: one per goroutine.
type grouper struct {
	groups []pathGroup
	index  map[groupKey]int
}

type groupKey struct {
	label, effective monotonic.Label
	covered          string
	contract, stale  bool
	coord, async     int
}

// group returns the groups of vs, the verdicts of one output; they are
// valid until the next call.
func (gr *grouper) group(vs []monotonic.Verdict, byAsync bool) []pathGroup {
	if gr.index == nil {
		gr.index = map[groupKey]int{}
	}
	gr.groups = gr.groups[:0]
	clear(gr.index)
	for k := range vs {
		v := &vs[k]
		kk := groupKey{label: v.Label, effective: v.Effective, covered: v.Covered, contract: v.Contract, stale: v.Stale, coord: -1, async: -1}
		w := v.Declared
		if v.Effective == monotonic.D {
			w = v.Missing
		}
		if v.Label == monotonic.D && w.Coordinate >= 0 {
			kk.coord = w.Coordinate
			if byAsync {
				kk.async = w.Async
			}
		}
		gi, ok := gr.index[kk]
		if !ok {
			gi = len(gr.groups)
			gr.index[kk] = gi
			gr.groups = append(gr.groups, pathGroup{v: v, coord: kk.coord, async: kk.async})
		}
		gr.groups[gi].from = append(gr.groups[gi].from, v.From)
	}
	return gr.groups
}

// coord describes where a path becomes D: a rule, or a contract standing
// in for an implementation.
func (x *programDoc) coord(ei int, coords *map[int]JSONCoord) *JSONCoord {
	// Described once per edge (a large program has hundreds of thousands
	// of groups, most at a few thousand places); each caller gets its own
	// copy, to set After on.
	c, ok := (*coords)[ei]
	if !ok {
		c = *x.describeCoord(ei)
		if *coords == nil {
			*coords = map[int]JSONCoord{}
		}
		(*coords)[ei] = c
	}
	return &c
}

func (x *programDoc) describeCoord(ei int) *JSONCoord {
	g := x.g
	if ei >= len(g.Edges) {
		ce := x.res.ContractEdges[ei-len(g.Edges)]
		return &JSONCoord{Collection: g.Nodes[ce.To].Name, Reason: "contract", Contract: ce.Contract.Module + ": " + ce.Contract.String()}
	}
	e := &g.Edges[ei]
	r := e.RuleID
	return &JSONCoord{Collection: g.Nodes[e.To].Name, Reason: x.res.StepReason(ei), Rule: &r}
}

func (x *programDoc) coordination() []JSONCoordDecl {
	var out []JSONCoordDecl
	for _, u := range x.res.Coordination {
		c := u.Decl
		out = append(out, JSONCoordDecl{Kind: c.Kind, On: c.Names(), Module: c.Module, Block: c.Block,
			Needed: u.Needed, File: c.Pos.File, Line: c.Pos.Line, Column: c.Pos.Col})
	}
	return out
}

func (x *programDoc) seals() []JSONSeal {
	g := x.g
	var out []JSONSeal
	for _, u := range x.res.Seals {
		s := u.Seal
		js := JSONSeal{Collection: s.Collection.Name, Key: nonNil(s.KeyNames()), By: s.By.Name, Module: s.Module,
			Covers: []string{}, File: s.Pos.File, Line: s.Pos.Line, Column: s.Pos.Col}
		for _, ei := range u.Covers {
			e := &g.Edges[ei]
			js.Covers = append(js.Covers, g.Nodes[e.To].Name)
		}
		out = append(out, js)
	}
	return out
}

func (x *programDoc) contracts() []JSONContract {
	virtual := map[*modules.Contract]bool{}
	for _, ce := range x.res.ContractEdges {
		virtual[ce.Contract] = true
	}
	var out []JSONContract
	for _, c := range x.p.Contracts {
		out = append(out, JSONContract{Input: c.Input.Name, Output: c.Output.Name, Label: c.Label, Module: c.Module,
			Realized: !virtual[c], File: c.Pos.File, Line: c.Pos.Line, Column: c.Pos.Col})
	}
	return out
}

func (x *programDoc) instances() []JSONInstance {
	var out []JSONInstance
	for _, in := range x.p.Instances {
		out = append(out, JSONInstance{Path: in.Path, Module: in.Module, Parent: in.Parent, Importer: in.Importer,
			File: in.Pos.File, Line: in.Pos.Line, Column: in.Pos.Col})
	}
	return out
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

// inputSets gathers the inputs of a program's points of order into sets,
// each once, in the order of the findings: idx[i] is the set of finding
// i, or -1 when it has none (another check, or no inputs). The analysis
// shares one list between the points that the same inputs reach, so the
// sets are found by list first and by content only for a new list.
func inputSets(fs []monotonic.Finding) (sets [][]string, idx []int) {
	type list struct {
		first *string
		n     int
	}
	byList := map[list]int{}
	byContent := map[string]int{}
	idx = make([]int, len(fs))
	for i := range fs {
		f := &fs[i]
		idx[i] = -1
		if f.Check != monotonic.CheckPointOfOrder || len(f.Inputs) == 0 {
			continue
		}
		l := list{&f.Inputs[0], len(f.Inputs)}
		k, ok := byList[l]
		if !ok {
			key := strings.Join(f.Inputs, "\x00")
			if k, ok = byContent[key]; !ok {
				k = len(sets)
				sets = append(sets, f.Inputs)
				byContent[key] = k
			}
			byList[l] = k
		}
		idx[i] = k
	}
	return sets, idx
}

// FindingsJSON converts findings for the JSON report (never nil).
func FindingsJSON(fs []monotonic.Finding) []JSONFinding {
	out := make([]JSONFinding, len(fs))
	for i := range fs {
		out[i] = findingJSON(&fs[i])
	}
	return out
}

func findingJSON(f *monotonic.Finding) JSONFinding {
	var jf JSONFinding
	fillFindingJSON(&jf, f)
	return jf
}

// fillFindingJSON sets jf to f's JSON form, reusing jf's slices (the
// JSON formatter converts every finding into one JSONFinding). An empty
// list of pairs or steps is nil in a fresh jf, empty in a reused one:
// both are left out of the JSON.
func fillFindingJSON(jf *JSONFinding, f *monotonic.Finding) {
	pairs, flow, other := jf.Pairs[:0], jf.Flow[:0], jf.OtherFlow[:0]
	*jf = JSONFinding{Check: f.Check, Severity: f.Severity.String(), Message: f.Message,
		File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Col, Program: f.Program, Module: f.Module,
		Collections: nonNil(f.Collections), Inputs: f.Inputs, Expected: f.Expected, Acknowledged: f.Acknowledged,
		Fingerprint: f.Fingerprint}
	for _, p := range f.Pairs {
		pairs = append(pairs, JSONPair{From: p.From, To: p.To})
	}
	if len(pairs) > 0 {
		jf.Pairs = pairs
	}
	jf.Flow, jf.OtherFlow = jsonSteps(flow, f.Flow), jsonSteps(other, f.OtherFlow)
}

// jsonSteps converts a finding's flow, appending to out (nil for none
// when out is nil).
func jsonSteps(out []JSONStep, steps []monotonic.Step) []JSONStep {
	for _, s := range steps {
		out = append(out, JSONStep{From: s.From, To: s.To, Op: s.Op, Note: s.Note, File: s.Pos.File, Line: s.Pos.Line, Column: s.Pos.Col})
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

// JSONPathRow is one (input, output) pair of a program's paths, with the
// rule of its coordinate resolved: a row of the report's table.
type JSONPathRow struct {
	From, To, Label, Effective, Covered string
	Contract                            bool
	Coordinate                          *JSONCoord
	Rule                                *JSONRule // the coordinate's rule, if any
}

// PathRows expands the program's paths into one row per (input, output)
// pair, by output, then input in the order of the sources.
func (jp *JSONProgram) PathRows() []JSONPathRow {
	order := map[string]int{}
	for i, s := range jp.Sources {
		order[s] = i
	}
	var out []JSONPathRow
	for _, pa := range jp.Paths {
		start := len(out)
		for _, grp := range pa.Inputs {
			var rule *JSONRule
			if c := grp.Coordinate; c != nil && c.Rule != nil && *c.Rule < len(jp.Rules) {
				rule = &jp.Rules[*c.Rule]
			}
			for _, from := range grp.From {
				out = append(out, JSONPathRow{From: from, To: pa.To, Label: grp.Label, Effective: grp.Effective,
					Covered: grp.Covered, Contract: grp.Contract, Coordinate: grp.Coordinate, Rule: rule})
			}
		}
		rows := out[start:]
		sort.SliceStable(rows, func(i, j int) bool { return order[rows[i].From] < order[rows[j].From] })
	}
	return out
}
