package render

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	goldenfile "github.com/calmcheck/calmcheck/internal/golden"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
	"github.com/calmcheck/calmcheck/specs"
)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func firstDiff(got, want []byte) string { return goldenfile.FirstDiff(got, want) }

var builtin struct {
	once sync.Once
	lib  *modules.Library
	err  error
}

// library returns the built-in library, loaded once.
func library(t testing.TB) *modules.Library {
	t.Helper()
	builtin.once.Do(func() {
		lib := modules.NewLibrary()
		if ds := lib.LoadFS(specs.FS, "specs"); ds.HasErrors() {
			builtin.err = ds
		}
		builtin.lib = lib
	})
	if builtin.err != nil {
		t.Fatal(builtin.err)
	}
	return builtin.lib
}

func builtinPrograms(t testing.TB) []string {
	var names []string
	for _, p := range library(t).SortedPrograms() {
		names = append(names, p.Name)
	}
	if len(names) < 10 {
		t.Fatalf("only %d built-in programs", len(names))
	}
	return names
}

// analyze composes and analyses a program as calmcheck dot does.
func analyze(t testing.TB, p *modules.Program) Program {
	t.Helper()
	res := monotonic.AnalyzeGraph(depgraph.Build(p), monotonic.Analyzers)
	rp := FromResult(res)
	rp.Findings = monotonic.Finish(p, res.Findings, monotonic.Options{})
	return rp
}

func builtinProgram(t testing.TB, name string) Program {
	t.Helper()
	p, ds := library(t).ComposeProgram(name)
	if p == nil || ds.HasErrors() {
		t.Fatalf("compose %s: %v", name, ds)
	}
	return analyze(t, p)
}

// specProgram loads one spec text and composes the given modules.
func specProgram(t testing.TB, src string, mods ...string) Program {
	t.Helper()
	lib := modules.NewLibrary()
	if ds := lib.LoadData("test.yaml", []byte(src)); ds.HasErrors() {
		t.Fatalf("load: %v", ds)
	}
	var refs []modules.Ref
	for _, m := range mods {
		refs = append(refs, modules.Ref{Name: m})
	}
	p, ds := lib.Compose(strings.Join(mods, "+"), refs)
	if p == nil || ds.HasErrors() {
		t.Fatalf("compose: %v", ds)
	}
	return analyze(t, p)
}

func build(t testing.TB, progs []Program, opt Options) *View {
	t.Helper()
	v, err := Build(progs, opt)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func dotOf(t testing.TB, v *View) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteDOT(&b, v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func svgOf(t testing.TB, v *View) []byte {
	t.Helper()
	svg, err := SVG(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	return svg
}

var defaults = Options{Legend: true, Clusters: true}

// The variants of the golden DOT files: the default picture, and each
// option on its own.
var variants = []struct {
	name string
	opt  Options
}{
	{"default (legend, clusters)", defaults},
	{"no legend", Options{Clusters: true}},
	{"no clusters", Options{Legend: true}},
	{"collapsed", Options{Legend: true, Clusters: true, Collapse: true}},
	{"folded by module", Options{Legend: true, Clusters: true, Collapse: true, Fold: true}},
	{"highlighted D", Options{Legend: true, Clusters: true, Highlight: "D"}},
	{"strata", Options{Legend: true, Strata: true}},
}

// TestGoldenDOT: the DOT of every built-in program, in every variant.
func TestGoldenDOT(t *testing.T) {
	for _, name := range builtinPrograms(t) {
		t.Run(name, func(t *testing.T) {
			p := builtinProgram(t, name)
			var out bytes.Buffer
			for _, va := range variants {
				fmt.Fprintf(&out, "// ---- %s\n", va.name)
				out.Write(dotOf(t, build(t, []Program{p}, va.opt)))
			}
			golden(t, filepath.Join("dot", name+".dot"), out.Bytes())
		})
	}
}

// TestDeterministic: the same input gives the same DOT and SVG bytes,
// across builds and across Graphviz instances.
func TestDeterministic(t *testing.T) {
	for _, name := range []string{"replicated-disorderly-cart-reliable", "basic-kvs"} {
		dot1 := dotOf(t, build(t, []Program{builtinProgram(t, name)}, Options{Legend: true, Clusters: true, Highlight: "D"}))
		dot2 := dotOf(t, build(t, []Program{builtinProgram(t, name)}, Options{Legend: true, Clusters: true, Highlight: "D"}))
		if !bytes.Equal(dot1, dot2) {
			t.Fatalf("%s: DOT differs between runs:\n%s", name, firstDiff(dot1, dot2))
		}
		v := build(t, []Program{builtinProgram(t, name)}, Options{Legend: true, Clusters: true, Highlight: "D"})
		svg1 := svgOf(t, v)
		svg2 := svgOf(t, v)
		resetGraphviz(t)
		svg3 := svgOf(t, build(t, []Program{builtinProgram(t, name)}, Options{Legend: true, Clusters: true, Highlight: "D"}))
		if !bytes.Equal(svg1, svg2) || !bytes.Equal(svg1, svg3) {
			t.Fatalf("%s: SVG differs between runs:\n%s\n%s", name, firstDiff(svg1, svg2), firstDiff(svg1, svg3))
		}
	}
}

// resetGraphviz closes the shared Graphviz context, so that the next
// rendering starts a new one.
func resetGraphviz(t *testing.T) {
	gv.Lock()
	defer gv.Unlock()
	if gv.g != nil {
		if err := gv.g.Close(); err != nil {
			t.Fatal(err)
		}
	}
	gv.g, gv.err = nil, nil
}

// xnode is a parsed XML element.
type xnode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []*xnode   `xml:",any"`
}

func (n *xnode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n *xnode) walk(f func(*xnode)) {
	f(n)
	for _, c := range n.Nodes {
		c.walk(f)
	}
}

// find returns the descendants named name.
func (n *xnode) find(name string) []*xnode {
	var out []*xnode
	n.walk(func(c *xnode) {
		if c != n && c.XMLName.Local == name {
			out = append(out, c)
		}
	})
	return out
}

// texts returns the text lines drawn in n, joined by newlines.
func (n *xnode) texts() string {
	var lines []string
	for _, t := range n.find("text") {
		lines = append(lines, t.Text)
	}
	return strings.Join(lines, "\n")
}

func (n *xnode) title() string {
	for _, c := range n.Nodes {
		if c.XMLName.Local == "title" {
			return c.Text
		}
	}
	return ""
}

func (n *xnode) hasClass(c string) bool {
	for _, f := range strings.Fields(n.attr("class")) {
		if f == c {
			return true
		}
	}
	return false
}

func parseSVG(t *testing.T, svg []byte) *xnode {
	t.Helper()
	var root xnode
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = true
	dec.Entity = map[string]string{} // no entities but XML's own
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v", err)
	}
	if root.XMLName.Local != "svg" {
		t.Fatalf("root element %s", root.XMLName.Local)
	}
	return &root
}

// groups returns the <g> elements of the class (node, edge, cluster).
func groups(root *xnode, class string) []*xnode {
	var out []*xnode
	root.walk(func(n *xnode) {
		if n.XMLName.Local == "g" && n.hasClass(class) {
			out = append(out, n)
		}
	})
	return out
}

// shapeOf says what a node is drawn as: ellipse, box, diamond or octagon.
func shapeOf(t *testing.T, g *xnode) string {
	t.Helper()
	if len(g.find("ellipse")) > 0 {
		return "ellipse"
	}
	ps := g.find("polygon")
	if len(ps) == 0 {
		return "none"
	}
	pts := strings.Fields(ps[0].attr("points"))
	// Graphviz closes polygons: the first point is repeated.
	switch n := len(pts) - 1; {
	case n == 4 && isDiamond(pts):
		return "diamond"
	case n == 4:
		return "box"
	case n == 8:
		return "octagon"
	default:
		return fmt.Sprintf("polygon(%d)", n)
	}
}

// isDiamond: no two consecutive points share an x or a y.
func isDiamond(pts []string) bool {
	xy := func(s string) (string, string) {
		x, y, _ := strings.Cut(s, ",")
		return x, y
	}
	x0, y0 := xy(pts[0])
	x1, y1 := xy(pts[1])
	return x0 != x1 && y0 != y1
}

// nameAndLock splits the text of a drawn collection into its name and
// the line of its lock ("" when it has none).
func nameAndLock(n *xnode) (string, string) {
	text := n.texts()
	if i := strings.LastIndex(text, "\n"+lock+" "); i >= 0 {
		return text[:i], text[i+1:]
	}
	return text, ""
}

// outlines counts the outlines of a drawn node (2: a double border).
func outlines(n *xnode) int { return len(n.find("ellipse")) + len(n.find("polygon")) }

// TestSVGStructure parses the SVG of every built-in program and checks it
// against the analysis: one node per collection with the right shape, the
// legend, S, T and ?? exactly where the graph has sources, sinks and
// dangling ends, and a circle (veeodot) on exactly the nonmonotonic
// edges; a double border and a lock with the kinds on exactly the
// coordinated collections, in the warning colour when unneeded; the
// mechanisms of coordination grey, the rules a seal covers purple and
// labelled sealed, a dotted seal edge per seal and a dash-dot contract
// edge per contract that stands in for a missing implementation.
func TestSVGStructure(t *testing.T) {
	for _, name := range builtinPrograms(t) {
		t.Run(name, func(t *testing.T) {
			p := builtinProgram(t, name)
			g := p.Graph
			root := parseSVG(t, svgOf(t, build(t, []Program{p}, defaults)))

			// Collections.
			byName := map[string]*xnode{}
			locks := map[string]string{}
			for _, n := range groups(root, "node") {
				if !n.hasClass("collection") {
					continue
				}
				name, l := nameAndLock(n)
				if byName[name] != nil {
					t.Errorf("collection %s drawn twice", name)
				}
				byName[name] = n
				locks[name] = l
			}
			// The coordinated collections, and their lines.
			wantLock := map[string]string{}
			wantNeeded := map[string]bool{}
			for _, u := range p.Coordination {
				for _, v := range u.Nodes {
					n := g.Nodes[v].Name
					k := u.Decl.Kind
					if !u.Needed {
						k += " (unneeded)"
					}
					if wantLock[n] == "" {
						wantLock[n] = lock + " " + k
					} else if !strings.Contains(wantLock[n], k) {
						wantLock[n] += ", " + k
					}
					wantNeeded[n] = wantNeeded[n] || u.Needed
				}
			}
			if len(byName) != len(g.Nodes) {
				t.Errorf("%d collection nodes, want %d", len(byName), len(g.Nodes))
			}
			for _, n := range g.Nodes {
				sg := byName[n.Name]
				if sg == nil {
					t.Errorf("collection %s not drawn", n.Name)
					continue
				}
				want := "ellipse"
				if n.Kind == modules.Table {
					want = "box"
				}
				if n.Decl != nil && n.Decl.Lattice {
					want = "polygon(6)" // box3d: a lattice collection
					if !sg.hasClass("lattice") {
						t.Errorf("%s: class %q lacks lattice", n.Name, sg.attr("class"))
					}
				}
				if got := shapeOf(t, sg); got != want {
					t.Errorf("%s (%s) drawn as %s, want %s", n.Name, n.Kind, got, want)
				}
				if !sg.hasClass(n.Kind.String()) {
					t.Errorf("%s: class %q lacks %s", n.Name, sg.attr("class"), n.Kind)
				}
				if locks[n.Name] != wantLock[n.Name] || sg.hasClass("coordinated") != (wantLock[n.Name] != "") {
					t.Errorf("%s: lock %q, class %q; want lock %q", n.Name, locks[n.Name], sg.attr("class"), wantLock[n.Name])
				}
				wantOutlines, stroke := 1, ""
				if wantLock[n.Name] != "" {
					wantOutlines, stroke = 2, colCoord
					if !wantNeeded[n.Name] {
						stroke = colUnneeded
					}
				}
				if got := outlines(sg); got != wantOutlines {
					t.Errorf("%s: %d outlines, want %d", n.Name, got, wantOutlines)
				}
				if shapes := append(sg.find("ellipse"), sg.find("polygon")...); stroke != "" && shapes[len(shapes)-1].attr("stroke") != stroke {
					t.Errorf("%s: stroke %s, want %s", n.Name, shapes[len(shapes)-1].attr("stroke"), stroke)
				}
				tip := sg.title()
				if !strings.Contains(tip, n.Decl.String()) || !strings.Contains(tip, "module "+n.Module) {
					t.Errorf("%s: tooltip %q lacks the declaration or the module", n.Name, tip)
				}
			}

			// The legend.
			legend := groups(root, "legend")
			if len(legend) == 0 || legend[0].attr("id") != "legend" || !legend[0].hasClass("cluster") || legend[0].texts() != "Legend" {
				t.Fatalf("no legend cluster")
			}
			var lts []string
			for _, l := range legend[1:] {
				lts = append(lts, l.texts())
			}
			lt := strings.Join(lts, "\n")
			for _, want := range []string{"scratch", "table", "+/-", "S", "T", "??", "persistent table", "nonmonotonic", "asynchronous", "source (S)", "sink (T)", "underspecified dataflow"} {
				if !strings.Contains(lt, want) {
					t.Errorf("legend lacks %q", want)
				}
			}

			// S, T and ??.
			ends := map[string]*xnode{}
			for _, n := range groups(root, "node") {
				for _, k := range []string{KindSource, KindSink, KindUnderspecified} {
					if n.hasClass(k) && !n.hasClass("legend") {
						if ends[k] != nil {
							t.Errorf("two %s nodes", k)
						}
						ends[k] = n
					}
				}
			}
			for _, c := range []struct {
				kind, label, color string
				want               bool
			}{
				{KindSource, "S", "blue", len(g.Sources()) > 0},
				{KindSink, "T", "blue", len(g.Sinks()) > 0},
				{KindUnderspecified, "??", "red", len(g.Underspecified()) > 0},
			} {
				n := ends[c.kind]
				if (n != nil) != c.want {
					t.Errorf("%s drawn: %v, want %v", c.label, n != nil, c.want)
					continue
				}
				if n == nil {
					continue
				}
				if n.texts() != c.label || shapeOf(t, n) != "diamond" || n.find("polygon")[0].attr("stroke") != c.color {
					t.Errorf("%s: text %q, shape %s, stroke %s; want a %s diamond", c.label, n.texts(), shapeOf(t, n), n.find("polygon")[0].attr("stroke"), c.color)
				}
			}
			wantEnds := map[string]bool{}
			for _, n := range g.Sources() {
				wantEnds["S -> "+g.Nodes[n].Name] = true
			}
			for _, n := range g.Sinks() {
				wantEnds[g.Nodes[n].Name+" -> T"] = true
			}
			for _, d := range g.Underspecified() {
				if d.Direction == depgraph.DirInput {
					wantEnds["?? -> "+g.Nodes[d.Node].Name] = true
				} else {
					wantEnds[g.Nodes[d.Node].Name+" -> ??"] = true
				}
			}

			// Edges: a circle exactly on the nonmonotonic ones; the
			// mechanisms and the sealed ones drawn apart from the others.
			type key struct {
				from, to                string
				temporal, async         bool
				mechanism, sealed, miss bool
			}
			mech, sealed, missed := map[int]bool{}, map[int]bool{}, map[int]bool{}
			for _, u := range p.Coordination {
				for _, ei := range u.Mechanism {
					mech[ei] = true
				}
			}
			wantSeals, wantContracts := map[string]bool{}, map[string]string{}
			for _, u := range p.Seals {
				for _, ei := range u.Covers {
					sealed[ei] = !mech[ei]
				}
				for _, ei := range u.Misses {
					missed[ei] = true
				}
				wantSeals[u.Seal.By.Name+" -> "+u.Seal.Collection.Name] = true
			}
			for _, ce := range p.ContractEdges {
				wantContracts[g.Nodes[ce.From].Name+" -> "+g.Nodes[ce.To].Name] = ce.Label.String()
			}
			// Order-sensitive timing joins are points of order too: drawn
			// nonmonotonic, muted or sealed when every join on the edge is
			// covered by a mechanism or a seal.
			timing, open := map[int]bool{}, map[int]bool{}
			for _, tj := range p.Result.TimingJoins {
				if tj.Snapshot {
					continue
				}
				timing[tj.Edge] = true
				switch {
				case tj.Coordination != nil:
					mech[tj.Edge] = mech[tj.Edge] || !g.Edges[tj.Edge].Nonmonotonic
				case tj.Seal != nil:
					sealed[tj.Edge] = sealed[tj.Edge] || !g.Edges[tj.Edge].Nonmonotonic
				default:
					open[tj.Edge] = true
				}
			}
			for ei := range open {
				if !g.Edges[ei].Nonmonotonic {
					mech[ei], sealed[ei] = false, false
				}
			}
			for ei := range mech {
				if mech[ei] && !g.Edges[ei].Nonmonotonic {
					sealed[ei] = false
				}
			}
			wantNM, wantAll := map[key]bool{}, map[key]bool{}
			for i, e := range g.Edges {
				nm := e.Nonmonotonic || timing[i]
				k := key{g.Nodes[e.From].Name, g.Nodes[e.To].Name, e.Temporal, e.Async, nm && mech[i], nm && sealed[i], nm && missed[i]}
				wantAll[k] = true
				if nm {
					wantNM[k] = true
				}
			}
			gotNM, gotAll, gotEnds := map[key]bool{}, map[key]bool{}, map[string]bool{}
			gotSeals, gotContracts := map[string]bool{}, map[string]string{}
			for _, e := range groups(root, "edge") {
				if e.hasClass("legend") {
					continue
				}
				from, to, ok := strings.Cut(strings.SplitN(e.title(), "\n", 2)[0], " -> ")
				if !ok {
					t.Errorf("edge %s: title %q", e.attr("id"), e.title())
					continue
				}
				l := from + " -> " + to
				circle := len(e.find("ellipse")) > 0
				dash := e.find("path")[0].attr("stroke-dasharray")
				switch {
				case e.hasClass(EdgeSeal):
					gotSeals[l] = true
					if dash != "1,5" || circle || !strings.HasPrefix(e.texts(), "seal (") || e.find("path")[0].attr("stroke") != colSeal {
						t.Errorf("seal %s: dashes %q, circle %v, text %q", l, dash, circle, e.texts())
					}
					continue
				case e.hasClass(EdgeContract):
					lab := strings.TrimSuffix(e.texts(), " (contract)")
					gotContracts[l] = lab
					if dash != dashDot || circle != (lab == "N" || lab == "D") {
						t.Errorf("contract %s: dashes %q, circle %v, text %q", l, dash, circle, e.texts())
					}
					continue
				}
				if !e.hasClass("rule") {
					l := from + " -> " + to
					gotEnds[l] = true
					if circle {
						t.Errorf("%s has a circle", l)
					}
					continue
				}
				k := key{from, to, e.hasClass("temporal"), e.hasClass("async"), e.hasClass("mechanism"), e.hasClass("sealed"), e.hasClass("unsealed")}
				stroke := e.find("path")[0].attr("stroke")
				switch {
				case k.mechanism && stroke != colMechanism, k.sealed && stroke != colSeal, !k.mechanism && !k.sealed && stroke != "black":
					t.Errorf("edge %v: stroke %s", k, stroke)
				}
				if k.sealed != strings.Contains(e.texts(), "sealed") {
					t.Errorf("edge %v: text %q", k, e.texts())
				}
				if gotAll[k] && gotNM[k] == circle {
					t.Errorf("edge %v drawn twice", k)
				}
				gotAll[k] = true
				if circle {
					if gotNM[k] {
						t.Errorf("two veeodot edges %v", k)
					}
					gotNM[k] = true
					if !e.hasClass("nonmonotonic") {
						t.Errorf("edge %v has a circle but not the class nonmonotonic", k)
					}
				}
				if got := strings.Contains(e.texts(), "+/-"); got != (k.temporal && !k.async) {
					t.Errorf("edge %v: +/- label %v", k, got)
				}
				if dashed := dash != ""; dashed != k.async {
					t.Errorf("edge %v: dashed %v", k, dashed)
				}
			}
			if !sameKeys(gotSeals, wantSeals) {
				t.Errorf("seal edges %v, want %v", keys(gotSeals), keys(wantSeals))
			}
			if fmt.Sprint(gotContracts) != fmt.Sprint(wantContracts) {
				t.Errorf("contract edges %v, want %v", gotContracts, wantContracts)
			}
			if !sameKeys(gotNM, wantNM) {
				t.Errorf("veeodot edges %v, want the nonmonotonic edges %v", keys(gotNM), keys(wantNM))
			}
			if !sameKeys(gotAll, wantAll) {
				t.Errorf("edges %v, want %v", keys(gotAll), keys(wantAll))
			}
			if !sameKeys(gotEnds, wantEnds) {
				t.Errorf("S/T/?? edges %v, want %v", keys(gotEnds), keys(wantEnds))
			}
		})
	}
}

func sameKeys[K comparable](a, b map[K]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func keys[K comparable](m map[K]bool) []string {
	var out []string
	for k := range m {
		out = append(out, fmt.Sprint(k))
	}
	sort.Strings(out)
	return out
}
