// Package report writes calmcheck report's HTML: one self-contained file
// (inline SVG, CSS and a little plain JavaScript; nothing loaded from the
// network) that shows, per program, the dependency graph drawn by render,
// the findings, the path labels and, when given, verify's verdicts and
// witnesses. Clicking a collection highlights its edges and lists its
// declaration and the rules that read and write it; clicking a finding
// highlights the collections and edges it names; the findings can be
// filtered by check and severity.
//
// Every text that comes from a spec (names, docs, rule strings, messages
// that quote them) goes through html/template's contextual escaping; the
// pictures are checked (embedSVG) to hold only drawing elements and no
// event handler or link before they are embedded, and the page's Content
// Security Policy runs only its own script, by hash. A spec cannot put
// markup or script into a report.
//
// The package analyses nothing: Build fills a Document from lint's report
// (its findings, collections and path labels are lint's JSON types),
// render's drawing and verify's reports, and Write lays it out.
package report

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/lint"
	"github.com/calmcheck/calmcheck/render"
)

// Document is a whole report.
type Document struct {
	// Title heads the page.
	Title string
	// Generator names the tool and version that wrote the report.
	Generator string
	// Legend is the SVG of the legend (render, a view with no program),
	// shown once for all programs; nil for none.
	Legend []byte
	// Notes are what the reader should be told about the drawing.
	Notes    []string
	Programs []Program
	// Findings are the findings of no program (load warnings).
	Findings []Finding
}

// Program is one program's part of the report.
type Program struct {
	Name string
	Doc  string
	// View is the program as render drew it: its node and edge IDs are
	// the ids of SVG's groups, which the report highlights.
	View *render.ProgramView
	// SVG is the picture of View (render.SVG of a view of this program
	// alone).
	SVG []byte
	// Collections are the program's collections, in declaration order.
	Collections []Collection
	// Rules are the program's rules, in block order.
	Rules    []Rule
	Findings []Finding
	Paths    []Path
	// Verification is what calmcheck verify found; nil when the program
	// was not verified.
	Verification *Verification
}

// Pos is a place in a spec file.
type Pos struct {
	File         string
	Line, Column int
}

func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line <= 0:
		return p.File
	case p.Column <= 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// fileLine is the position as render writes it in its views: file:line.
func (p Pos) fileLine() string {
	if p.Line <= 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// The report shows lint's findings, collections and path labels as
// lint's JSON report has them: one model from the analysis to every
// output.
type (
	Finding    = lint.JSONFinding
	Step       = lint.JSONStep
	Collection = lint.JSONCollection
	Path       = lint.JSONPathRow
	Coordinate = lint.JSONCoord
)

// Rule is a rule of the program.
type Rule struct {
	Text   string
	Op     string
	Module string
	Block  string
	Pos    Pos
	// Head is the collection the rule writes; Body the collections it
	// reads.
	Head string
	Body []string
	// Nonmonotonic says why the rule is nonmonotonic ("" if it is not).
	Nonmonotonic string
}

// Verification is what calmcheck verify found about one program.
type Verification struct {
	// Summary says what was run (seed, schedules, executions, time).
	Summary   string
	Verdicts  []Verdict
	Witnesses []Witness
}

// Verdict is verify's verdict on a path or a finding.
type Verdict struct {
	// Subject names what was verified: a path, or a finding.
	Subject string
	// Verdict is confirmed, not reproduced, not tested, contradiction or
	// not checked.
	Verdict string
	// Detail says what the experiments tried.
	Detail string
	// Witness is the ID of the witness (in Witnesses), if any.
	Witness string
	// Collections are highlighted when the verdict is clicked.
	Collections []string
}

// Witness is two executions whose outputs differ.
type Witness struct {
	ID    string
	Title string
	// Text describes the executions (preformatted).
	Text string
	// SVG is its spacetime diagram; it is shown as an image, never
	// inline.
	SVG []byte
}

//go:embed report.css
var css string

//go:embed report.js
var js string

//go:embed report.html
var page string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"join": func(s []string) string { return strings.Join(s, " ") },
}).Parse(page))

// Write writes the document as one HTML page. The same document always
// gives the same bytes. It fails when a picture holds something that is
// not a drawing (embedSVG), or when w does.
func Write(w io.Writer, d *Document) error {
	data, err := prepare(d)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// The template's data.
type pageData struct {
	Title, Generator string
	CSP              string
	CSS              template.CSS
	JS               template.JS
	Legend           template.HTML
	Notes            []string
	Checks           []string
	Counts           counts
	Workspace        []findingRow
	Programs         []*programData
}

type counts struct {
	Errors, Warnings, Notes, Expected int
}

func (c *counts) add(f *Finding) {
	switch f.Severity {
	case "error":
		c.Errors++
	case "warning":
		c.Warnings++
	default:
		c.Notes++
	}
	if f.Expected {
		c.Expected++
	}
}

type programData struct {
	ID, Name, Doc string
	SVG           template.HTML
	Counts        counts
	Details       []detail
	Findings      []findingRow
	Paths         []pathRow
	Verification  *verificationData
}

// detail is what the side panel shows for a selected node, edge or
// finding; Nodes and Edges are the SVG ids it highlights.
type detail struct {
	ID           string // the element's id: "d-" + the SVG id, or "d-" + program + "_f" + index
	Kind         string // collection, edge, node, finding
	Title        string
	Decl         string
	Module       string
	Severity     string // of a finding
	Pos          string
	Lines        []string // other facts, one a line
	Writes       []ruleRef
	Reads        []ruleRef
	Findings     []string // "severity check" of the findings about it
	Flow         []Step
	Pairs        []string // of a finding about a place: "input → output", the first maxPairs
	Message      string
	Acknowledged string
	Nodes, Edges []string
}

// maxPairs is how many of a finding's (input, output) pairs its detail
// lists (the JSON report has them all).
const maxPairs = 100

type ruleRef struct {
	Text, Pos, Where, Nonmonotonic string
}

type findingRow struct {
	Finding
	SevClass     string
	Location     string
	Detail       string // id of the detail element
	Nodes, Edges []string
}

type pathRow struct {
	Path
	Class        string
	Where        string
	Nodes, Edges []string
}

type verificationData struct {
	Summary   string
	Verdicts  []verdictRow
	Witnesses []witnessRow
}

type verdictRow struct {
	Verdict
	Class   string
	Anchor  string // the witness's element id, if any
	Nodes   []string
	Missing bool // the witness is not in the report
}

type witnessRow struct {
	Anchor, ID, Title, Text string
	Image                   template.URL
}

func prepare(d *Document) (*pageData, error) {
	pd := &pageData{Title: d.Title, Generator: d.Generator, Notes: d.Notes, CSS: template.CSS(css), JS: template.JS(js)}
	pd.CSP = contentSecurityPolicy(css, js)
	if len(d.Legend) > 0 {
		svg, err := embedSVG(d.Legend)
		if err != nil {
			return nil, fmt.Errorf("the legend: %w", err)
		}
		pd.Legend = template.HTML(svg)
	}
	checks := map[string]bool{}
	for i := range d.Findings {
		f := &d.Findings[i]
		checks[string(f.Check)] = true
		pd.Counts.add(f)
		pd.Workspace = append(pd.Workspace, findingRow{Finding: *f, SevClass: sevClass(f.Severity), Location: f.Location()})
	}
	for i := range d.Programs {
		p := &d.Programs[i]
		prog, err := prepareProgram(p, i)
		if err != nil {
			return nil, fmt.Errorf("program %s: %w", p.Name, err)
		}
		for _, f := range p.Findings {
			checks[string(f.Check)] = true
		}
		pd.Counts.Errors += prog.Counts.Errors
		pd.Counts.Warnings += prog.Counts.Warnings
		pd.Counts.Notes += prog.Counts.Notes
		pd.Counts.Expected += prog.Counts.Expected
		pd.Programs = append(pd.Programs, prog)
	}
	for c := range checks {
		pd.Checks = append(pd.Checks, c)
	}
	sort.Strings(pd.Checks)
	return pd, nil
}

// contentSecurityPolicy allows the page's own style sheet and script (by
// hash) and data: images (the witnesses' diagrams), nothing else: no
// network, no inline event handler, no other script.
func contentSecurityPolicy(css, js string) string {
	h := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return "default-src 'none'; img-src data:; style-src " + h(css) + "; script-src " + h(js) + "; base-uri 'none'; form-action 'none'"
}

func sevClass(s string) string {
	switch s {
	case "error", "warning", "note":
		return "sev-" + s
	}
	return "sev-other"
}

// graphIndex finds the drawn nodes and edges of a program's view by
// collection names and rule positions.
type graphIndex struct {
	v      *render.ProgramView
	byName map[string]int // collection name -> node (its own, or its component's)
}

func newGraphIndex(v *render.ProgramView) *graphIndex {
	gi := &graphIndex{v: v, byName: map[string]int{}}
	if v == nil {
		return gi
	}
	for i, n := range v.Nodes {
		switch n.Kind {
		case render.KindSource, render.KindSink, render.KindUnderspecified:
		case render.KindComponent:
			for _, m := range n.Members {
				gi.byName[m] = i
			}
		default:
			gi.byName[n.Name] = i
		}
	}
	return gi
}

// edges returns the drawn edges (none without a view).
func (gi *graphIndex) edges() []*render.Edge {
	if gi.v == nil {
		return nil
	}
	return gi.v.Edges
}

// nodes returns the SVG ids of the nodes of the collections, each once.
func (gi *graphIndex) nodes(names ...string) []string {
	var out []string
	seen := map[int]bool{}
	for _, n := range names {
		if i, ok := gi.byName[n]; ok && !seen[i] {
			seen[i] = true
			out = append(out, gi.v.Nodes[i].ID)
		}
	}
	return out
}

// ruleEdges returns the SVG ids of the drawn rule edges from one
// collection to another; of those with a rule at pos (file:line) if
// some have one.
func (gi *graphIndex) ruleEdges(from, to string, pos string) []string {
	fi, ok1 := gi.byName[from]
	ti, ok2 := gi.byName[to]
	if !ok1 || !ok2 {
		return nil
	}
	var all, at []string
	for _, e := range gi.edges() {
		if e.Kind != render.EdgeRule && e.Kind != render.EdgeContract || e.From != fi || e.To != ti {
			continue
		}
		all = append(all, e.ID)
		for _, r := range e.Rules {
			if r.Pos == pos {
				at = append(at, e.ID)
				break
			}
		}
	}
	if len(at) > 0 {
		return at
	}
	return all
}

// flowEdges returns the SVG ids of the edges of a flow, each once.
func (gi *graphIndex) flowEdges(flow []Step) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range flow {
		for _, id := range gi.ruleEdges(s.From, s.To, s.FileLine()) {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

func prepareProgram(p *Program, idx int) (*programData, error) {
	v := p.View
	id := fmt.Sprintf("p%d", idx)
	if v != nil {
		id = v.ID
	}
	pd := &programData{ID: id, Name: p.Name, Doc: p.Doc}
	if len(p.SVG) > 0 {
		svg, err := embedSVG(p.SVG)
		if err != nil {
			return nil, fmt.Errorf("the picture: %w", err)
		}
		pd.SVG = template.HTML(svg)
	}
	gi := newGraphIndex(v)

	// Findings.
	findingsOf := map[string][]string{}
	for i := range p.Findings {
		f := &p.Findings[i]
		pd.Counts.add(f)
		// The collections it names, then those its flow goes through.
		// A timing join's other side (other_flow) is highlighted too.
		names := append([]string(nil), f.Collections...)
		flow := append(append([]Step(nil), f.Flow...), f.OtherFlow...)
		for _, s := range flow {
			names = append(names, s.From, s.To)
		}
		row := findingRow{Finding: *f, SevClass: sevClass(f.Severity), Location: f.Location(),
			Detail: fmt.Sprintf("d-%s_f%d", id, i), Nodes: gi.nodes(names...), Edges: gi.flowEdges(flow)}
		pd.Findings = append(pd.Findings, row)
		label := f.Severity + " " + string(f.Check)
		for _, c := range f.Collections {
			if l := findingsOf[c]; len(l) == 0 || l[len(l)-1] != label {
				findingsOf[c] = append(findingsOf[c], label)
			}
		}
		sev := f.Severity
		if f.Expected {
			sev += " (expected)"
		}
		var pairs []string
		for j, pr := range f.Pairs {
			if j == maxPairs {
				pairs = append(pairs, fmt.Sprintf("and %d more", len(f.Pairs)-maxPairs))
				break
			}
			pairs = append(pairs, pr.From+" → "+pr.To)
		}
		pd.Details = append(pd.Details, detail{ID: row.Detail, Kind: "finding", Title: string(f.Check), Severity: sev, Pos: row.Location,
			Message: f.Message, Acknowledged: f.Acknowledged, Flow: f.Flow, Pairs: pairs, Nodes: row.Nodes, Edges: row.Edges})
	}

	// Nodes and edges of the picture.
	if v != nil {
		colls := map[string]*Collection{}
		for i := range p.Collections {
			colls[p.Collections[i].Name] = &p.Collections[i]
		}
		writes, reads := map[string][]ruleRef{}, map[string][]ruleRef{}
		for _, r := range p.Rules {
			ref := ruleRef{Text: r.Text, Pos: r.Pos.String(), Where: r.Module + "." + r.Block, Nonmonotonic: r.Nonmonotonic}
			writes[r.Head] = append(writes[r.Head], ref)
			seen := map[string]bool{}
			for _, b := range r.Body {
				if !seen[b] {
					seen[b] = true
					reads[b] = append(reads[b], ref)
				}
			}
		}
		incident := make([][]string, len(v.Nodes))
		for _, e := range v.Edges {
			incident[e.From] = append(incident[e.From], e.ID)
			if e.To != e.From {
				incident[e.To] = append(incident[e.To], e.ID)
			}
		}
		for i, n := range v.Nodes {
			d := detail{ID: "d-" + n.ID, Nodes: []string{n.ID}, Edges: incident[i], Title: n.Name, Module: n.Module}
			switch n.Kind {
			case render.KindSource, render.KindSink, render.KindUnderspecified, render.KindComponent:
				d.Kind = "node"
				d.Lines = strings.Split(n.Tooltip, "\n")
				if n.Kind == render.KindComponent {
					d.Title = fmt.Sprintf("component of %d collections", len(n.Members))
					for _, m := range n.Members {
						d.Writes = append(d.Writes, writes[m]...)
						d.Reads = append(d.Reads, reads[m]...)
						d.Findings = append(d.Findings, findingsOf[m]...)
					}
				}
			default:
				d.Kind = "collection"
				if c := colls[n.Name]; c != nil {
					d.Decl = c.Decl()
					d.Pos = c.Location()
					d.Module = c.Module
				}
				if n.Stratum >= 0 {
					d.Lines = append(d.Lines, fmt.Sprintf("stratum %d", n.Stratum))
				}
				if n.Unstratifiable {
					d.Lines = append(d.Lines, "unstratifiable: on a cycle through a nonmonotonic edge with no temporal edge")
				}
				for _, c := range n.Coordinated {
					l := "coordinated: " + c.Kind + " on " + strings.Join(c.On, ", ") + " (" + c.Where + ", " + c.Pos + ")"
					if !c.Needed {
						l += ": unneeded, it changes no path's label"
					}
					d.Lines = append(d.Lines, l)
				}
				for _, sl := range v.Seals {
					if sl.Collection == n.Name || sl.By == n.Name {
						d.Lines = append(d.Lines, "seal: "+sl.String()+" ("+sl.Module+", "+sl.Pos+")")
					}
				}
				d.Writes = writes[n.Name]
				d.Reads = reads[n.Name]
				d.Findings = findingsOf[n.Name]
			}
			pd.Details = append(pd.Details, d)
		}
		for _, e := range v.Edges {
			from, to := v.Nodes[e.From], v.Nodes[e.To]
			d := detail{ID: "d-" + e.ID, Kind: "edge", Title: from.Name + " → " + to.Name,
				Nodes: []string{from.ID, to.ID}, Edges: []string{e.ID}}
			for _, l := range strings.Split(e.Tooltip, "\n")[1:] {
				if strings.HasPrefix(l, "  ") || len(e.Rules) > 0 && isRuleLine(l, e.Rules) {
					continue // the rules are listed below
				}
				d.Lines = append(d.Lines, l)
			}
			for _, r := range e.Rules {
				d.Writes = append(d.Writes, ruleRef{Text: r.Text, Pos: r.Pos, Where: r.Module + "." + r.Block, Nonmonotonic: r.Reason})
			}
			pd.Details = append(pd.Details, d)
		}
	}

	// Path labels.
	for _, pa := range p.Paths {
		row := pathRow{Path: pa, Class: "label-" + labelClass(pa.Effective), Nodes: gi.nodes(pa.From, pa.To)}
		if c := pa.Coordinate; c != nil {
			row.Nodes = gi.nodes(pa.From, pa.To, c.Collection)
			switch {
			case c.Contract != "":
				row.Where = c.Collection + " (contract " + c.Contract + ")"
			default:
				row.Where = c.Collection + ": " + c.Reason
				if pa.Rule != nil && pa.Rule.File != "" {
					row.Where += " (" + pa.Rule.FileLine() + ")"
				}
				to, ok := gi.byName[c.Collection]
				for _, e := range gi.edges() {
					if !ok || e.Kind != render.EdgeRule || e.To != to {
						continue
					}
					for _, r := range e.Rules {
						if pa.Rule != nil && r.Pos == pa.Rule.FileLine() && r.Text == pa.Rule.Text {
							row.Edges = append(row.Edges, e.ID)
							break
						}
					}
				}
			}
			if c.After != "" {
				row.Where += ", after " + c.After
			}
		}
		pd.Paths = append(pd.Paths, row)
	}

	if vr := p.Verification; vr != nil {
		vd := &verificationData{Summary: vr.Summary}
		anchors := map[string]string{}
		for i, w := range vr.Witnesses {
			a := fmt.Sprintf("w-%s-%d", id, i)
			if _, dup := anchors[w.ID]; !dup {
				anchors[w.ID] = a
			}
			wr := witnessRow{Anchor: a, ID: w.ID, Title: w.Title, Text: w.Text}
			if len(w.SVG) > 0 {
				// An image, not inline: an SVG shown by <img> runs no
				// script and loads nothing.
				wr.Image = template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(w.SVG))
			}
			vd.Witnesses = append(vd.Witnesses, wr)
		}
		for _, vt := range vr.Verdicts {
			row := verdictRow{Verdict: vt, Class: verdictClass(vt.Verdict), Nodes: gi.nodes(vt.Collections...)}
			if vt.Witness != "" {
				row.Anchor = anchors[vt.Witness]
				row.Missing = row.Anchor == ""
			}
			vd.Verdicts = append(vd.Verdicts, row)
		}
		pd.Verification = vd
	}
	return pd, nil
}

// isRuleLine reports whether a tooltip line is the text of one of the
// edge's rules (render lists them in the tooltip; the panel lists them
// with their positions).
func isRuleLine(l string, rules []render.RuleInfo) bool {
	for _, r := range rules {
		if l == r.Text {
			return true
		}
	}
	return false
}

func labelClass(l string) string {
	switch l {
	case "Bot", "A", "N", "D":
		return strings.ToLower(l)
	}
	return "other"
}

func verdictClass(v string) string {
	switch v {
	case "confirmed":
		return "v-confirmed"
	case "not reproduced":
		return "v-not-reproduced"
	case "contradiction":
		return "v-contradiction"
	case "not checked":
		return "v-not-checked"
	case "not tested":
		return "v-not-tested"
	}
	return "v-other"
}
