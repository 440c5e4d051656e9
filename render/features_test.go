package render

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

func TestDotQuoting(t *testing.T) {
	tests := []struct{ in, id, text string }{
		{"plain", `"plain"`, `"plain"`},
		{`a"b`, `"a\"b"`, `"a\"b"`},
		{`back\slash\`, `"back\\slash\\"`, `"back\\slash\\"`},
		{"two\nlines", `"two\nlines"`, `"two\nlines"`},
		{"cr\r\nlf\rx", `"cr\nlf\nx"`, `"cr\nlf\nx"`},
		{"tab\there", `"tab here"`, `"tab here"`},
		{"<b>&amp;</b>", `"<b>&amp;</b>"`, `"<b>&amp;amp;</b>"`},
		{`\N \G \L`, `"\\N \\G \\L"`, `"\\N \\G \\L"`},
		{"nul\x00bell\x07", "\"nul\ufffdbell\ufffd\"", "\"nul\ufffdbell\ufffd\""},
		{"bad\xffutf8", "\"bad\ufffdutf8\"", "\"bad\ufffdutf8\""},
		{"Ünïcode 日本", `"Ünïcode 日本"`, `"Ünïcode 日本"`},
		{"", `""`, `""`},
	}
	for _, tc := range tests {
		if got := dotID(tc.in); got != tc.id {
			t.Errorf("dotID(%q) = %s, want %s", tc.in, got, tc.id)
		}
		if got := dotText(tc.in); got != tc.text {
			t.Errorf("dotText(%q) = %s, want %s", tc.in, got, tc.text)
		}
	}
	// Injective: different names, different IDs.
	seen := map[string]string{}
	for _, s := range []string{`a\nb`, "a\nb", `a\"b`, `a"b`, `a\`, `a\\`} {
		id := dotID(s)
		if prev, ok := seen[id]; ok {
			t.Errorf("dotID(%q) = dotID(%q) = %s", s, prev, id)
		}
		seen[id] = s
	}
}

func TestMermaidText(t *testing.T) {
	for in, want := range map[string]string{
		`say "hi"`:    "say #quot;hi#quot;",
		"<b>&</b>":    "#lt;b#gt;#amp;#lt;/b#gt;",
		"a\nb":        "a<br>b",
		"#1 [x] {y}|": "#35;1 [x] {y}|",
		"Ünïcode":     "Ünïcode",
	} {
		if got := mermaidText(in); got != want {
			t.Errorf("mermaidText(%q) = %q, want %q", in, got, want)
		}
	}
}

// weirdSpec has non-ASCII names, and quotes, backslashes, HTML, entities
// and a line break in its doc and rule texts.
const weirdSpec = `modules:
  Ünïcode_Mod:
    doc: |-
      Quotes " and \ backslashes, <b>HTML</b> &amp; entities &lt;, 日本語.
      Second "line".
    state:
      - table  café_表(k) => (v)
      - input  entrée(k, v)
      - output sortie(k, v)
    rules:
      r:
        - 'café_表(K, V) <= entrée(K, V), V != "<b>\"x\"</b> & \\N &amp;\n"'
        - sortie(K, V) <= café_表(K, V)
`

// TestEscapingSpec: a spec whose names and texts need escaping renders,
// and the SVG shows every name and text exactly as written.
func TestEscapingSpec(t *testing.T) {
	p := specProgram(t, weirdSpec, "Ünïcode_Mod")
	v := build(t, []Program{p}, defaults)
	svg := svgOf(t, v)
	root := parseSVG(t, svg)
	names := map[string]bool{}
	for _, n := range groups(root, "collection") {
		names[n.texts()] = true
	}
	for _, want := range []string{"café_表", "entrée", "sortie"} {
		if !names[want] {
			t.Errorf("collection %q not drawn (drawn: %v)", want, keys(names))
		}
	}
	var cluster *xnode
	for _, c := range groups(root, "module") {
		cluster = c
	}
	if cluster == nil || cluster.texts() != "Ünïcode_Mod" {
		t.Fatalf("module cluster not drawn")
	}
	doc := modules.FirstSentence("Quotes \" and \\ backslashes, <b>HTML</b> &amp; entities &lt;, 日本語.\nSecond \"line\".")
	if want := "module Ünïcode_Mod (test.yaml:2)\n" + doc; cluster.title() != want {
		t.Errorf("cluster tooltip\n%q, want\n%q", cluster.title(), want)
	}
	rule := p.Graph.Program.Rules[0].Text
	if !strings.Contains(rule, `"<b>\"x\"</b> & \\N &amp;\n"`) {
		t.Fatalf("rule text %q", rule)
	}
	found := false
	for _, e := range groups(root, "edge") {
		if strings.HasPrefix(e.title(), "entrée -> café_表\n") {
			found = true
			if !strings.Contains(e.title(), rule) {
				t.Errorf("edge tooltip %q lacks the rule %q", e.title(), rule)
			}
		}
	}
	if !found {
		t.Errorf("edge entrée -> café_表 not drawn")
	}
	// The xlink:title Graphviz writes on nodes holds the same text.
	if !bytes.Contains(svg, []byte(`xlink:title="table café_表(k) =&gt; (v)&#10;module Ünïcode_Mod (test.yaml:7)`)) {
		t.Errorf("no Graphviz tooltip on the node")
	}
}

// hostileProgram is a program built by hand (the spec language would
// reject these names) with names that break naive DOT and SVG writers.
func hostileProgram(t *testing.T, names []string) Program {
	t.Helper()
	p := &modules.Program{Name: `prog "x" <y>`, Doc: "a\nb"}
	for i, n := range names {
		kind := modules.Scratch
		if i%2 == 1 {
			kind = modules.Table
		}
		p.Collections = append(p.Collections, &modules.Decl{Kind: kind, Name: n, Module: "M<&>\"", Pos: modules.Pos{File: "f\"<.yaml", Line: i + 1, Col: 1}})
	}
	for i := 1; i < len(names); i++ {
		p.Rules = append(p.Rules, &modules.Rule{
			Head: modules.Atom{Pred: names[i]}, Op: modules.OpMerge, Module: "M<&>\"", Block: "b\nc",
			Body: []modules.Literal{&modules.AtomLit{Atom: modules.Atom{Pred: names[i-1]}, Negated: i%3 == 0}},
			Text: names[i] + ` <= "` + names[i-1] + "\" ]]> -->",
		})
	}
	return analyze(t, p)
}

var hostileNames = []string{
	`quote"in"name`, `back\slash\`, "two\nlines", "<b>html</b>", "&amp;entity&lt;", "tab\tname",
	"nul\x00byte", "bad\xffutf8", "Ünïcode 日本", "node", "graph", "--", "]]>", `\N\G`, "x -> y", "",
}

// TestEscapingHostile: names with quotes, backslashes, newlines, HTML,
// entities, control characters, invalid UTF-8, DOT keywords and XML
// markup render, and the SVG shows them as written (control characters
// and invalid bytes as U+FFFD, tabs as spaces).
func TestEscapingHostile(t *testing.T) {
	p := hostileProgram(t, hostileNames)
	for _, opt := range []Options{defaults, {Legend: true, Clusters: true, Highlight: "D", Collapse: true}, {}} {
		v := build(t, []Program{p}, opt)
		root := parseSVG(t, svgOf(t, v))
		got := map[string]bool{}
		for _, n := range groups(root, "collection") {
			got[n.texts()] = true
		}
		for _, n := range hostileNames {
			want := strings.ReplaceAll(clean(n), "\t", " ")
			if n == "" {
				want = " " // go-graphviz labels a node with an empty label with its ID
			}
			if !got[want] {
				t.Errorf("%+v: name %q not drawn as %q; drawn: %q", opt, n, want, keys(got))
			}
		}
		if len(groups(root, "edge")) < len(hostileNames)-1 {
			t.Errorf("edges missing")
		}
		for _, f := range []func(*bytes.Buffer, *View) error{
			func(b *bytes.Buffer, v *View) error { return WriteMermaid(b, v) },
			func(b *bytes.Buffer, v *View) error { return WriteJSON(b, v) },
		} {
			var b bytes.Buffer
			if err := f(&b, v); err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(b.Bytes()) {
				t.Errorf("invalid UTF-8 in output")
			}
		}
		var b bytes.Buffer
		if err := WriteMermaid(&b, v); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(b.String(), "\n") {
			// Every quoted label closes on its line and holds no quote.
			if strings.Count(l, `"`)%2 != 0 || strings.Contains(l, "\x00") {
				t.Errorf("mermaid line %q", l)
			}
		}
	}
}

// TestCollapse: a strongly connected component is one octagon; edges into
// and out of it are kept, the edges inside it are not.
func TestCollapse(t *testing.T) {
	p := specProgram(t, `modules:
  Cyc:
    state: [input in(k), scratch a(k), scratch b(k), table c(k), output out(k)]
    rules:
      r:
        - a(K) <= in(K)
        - a(K) <= c(K)
        - b(K) <= a(K)
        - c(K) <= b(K)
        - out(K) <= c(K)
`, "Cyc")
	v := build(t, []Program{p}, Options{Legend: true, Clusters: true, Collapse: true})
	pv := v.Programs[0]
	var comp *Node
	for _, n := range pv.Nodes {
		if n.Kind == KindComponent {
			if comp != nil {
				t.Fatal("two components")
			}
			comp = n
		}
	}
	if comp == nil || strings.Join(comp.Members, ",") != "a,b,c" {
		t.Fatalf("component %+v", comp)
	}
	var edges []string
	for _, e := range pv.Edges {
		edges = append(edges, pv.Nodes[e.From].Name+" -> "+pv.Nodes[e.To].Name)
	}
	if got, want := strings.Join(edges, "; "), "in -> a, b, c; a, b, c -> out; S -> in; out -> T"; got != want {
		t.Errorf("edges %s, want %s", got, want)
	}
	root := parseSVG(t, svgOf(t, v))
	oct := groups(root, "component")
	if len(oct) != 1 || shapeOf(t, oct[0]) != "octagon" || oct[0].texts() != "a, b, c" {
		t.Errorf("octagon not drawn")
	}
	if !strings.Contains(oct[0].title(), "table c(k)") {
		t.Errorf("component tooltip %q", oct[0].title())
	}
	found := false
	for _, l := range v.Legend {
		found = found || l.ID == "component"
	}
	if !found {
		t.Errorf("no legend entry for the octagon")
	}
}

// TestUnstratifiableRed: the edges and nodes of a cycle through a
// nonmonotonic edge with no temporal edge are red, and nothing else.
func TestUnstratifiableRed(t *testing.T) {
	p := specProgram(t, `modules:
  Bad:
    state: [input in(k), scratch a(k), scratch b(k), table d(k), output out(k)]
    rules:
      r:
        - a(K) <= in(K), notin b(K)
        - b(K) <= a(K)
        - d(K) <+ b(K)
        - out(K) <= d(K)
`, "Bad")
	if p.Strata != nil {
		t.Fatal("the analysis finds this program stratifiable")
	}
	v := build(t, []Program{p}, Options{Legend: true, Clusters: true, Strata: true})
	if len(v.Notes) != 1 || !strings.Contains(v.Notes[0], "unstratifiable") {
		t.Errorf("notes %q", v.Notes)
	}
	root := parseSVG(t, svgOf(t, v))
	red := map[string]bool{}
	for _, e := range groups(root, "edge") {
		if e.hasClass("legend") {
			continue
		}
		isRed := e.find("path")[0].attr("stroke") == "red"
		if isRed != e.hasClass("unstratifiable") {
			t.Errorf("edge %s: red %v, class %q", e.attr("id"), isRed, e.attr("class"))
		}
		if isRed {
			red[strings.SplitN(e.title(), "\n", 2)[0]] = true
		}
	}
	if want := map[string]bool{"a -> b": true, "b -> a": true}; !sameKeys(red, want) {
		t.Errorf("red edges %v, want %v", keys(red), keys(want))
	}
	for _, n := range groups(root, "collection") {
		want := n.texts() == "a" || n.texts() == "b"
		if got := n.hasClass("unstratifiable"); got != want {
			t.Errorf("node %s unstratifiable %v", n.texts(), got)
		}
	}
	if !strings.Contains(string(dotOf(t, v)), `"#legend/unstratifiable/A"`) {
		t.Errorf("no legend entry for red cycles")
	}
}

// TestStrata: --strata clusters by stratum and draws a temporal edge as a
// timestep boundary, not as a point of order.
func TestStrata(t *testing.T) {
	p := builtinProgram(t, "disorderly-cart")
	v := build(t, []Program{p}, Options{Legend: true, Strata: true})
	pv := v.Programs[0]
	var labels []string
	for _, g := range pv.Groups {
		labels = append(labels, g.Label)
	}
	if strings.Join(labels, ",") != "stratum 0,stratum 1" {
		t.Fatalf("groups %v", labels)
	}
	for _, n := range pv.Nodes {
		if n.Kind == KindSource || n.Kind == KindSink {
			continue
		}
		if want := fmt.Sprintf("stratum %d", n.Stratum); n.Group < 0 || pv.Groups[n.Group].Label != want {
			t.Errorf("%s in group %d, want %s", n.Name, n.Group, want)
		}
	}
	kvs := build(t, []Program{builtinProgram(t, "basic-kvs")}, Options{Strata: true})
	dot := string(dotOf(t, kvs))
	for _, l := range strings.Split(dot, "\n") {
		if !strings.Contains(l, " -> ") || !strings.Contains(l, "temporal") {
			continue
		}
		if !strings.Contains(l, "constraint=false") || !strings.Contains(l, `label="+/- next timestep"`) || !strings.Contains(l, `:invis:`) {
			t.Errorf("temporal edge not drawn as a timestep boundary: %s", l)
		}
		if strings.Contains(l, "<+ ") && strings.Contains(l, "veeodot") {
			t.Errorf("a <+ drawn as a point of order: %s", l)
		}
	}
}

// TestFocus: only what reaches or is reached from the focus is drawn.
func TestFocus(t *testing.T) {
	p := builtinProgram(t, "replicated-disorderly-cart")
	g := p.Graph
	f, _ := g.Lookup("cart_action")
	v := build(t, []Program{p}, Options{Legend: true, Clusters: true, Focus: "cart_action"})
	fwd, bwd := g.Reach([]int{f}, false, 0), g.Reach([]int{f}, true, 0)
	want := map[string]bool{}
	for i, n := range g.Nodes {
		if fwd[i] || bwd[i] {
			want[n.Name] = true
		}
	}
	got := map[string]bool{}
	for _, n := range v.Programs[0].Nodes {
		if n.Kind != KindSource && n.Kind != KindSink && n.Kind != KindUnderspecified {
			got[n.Name] = true
		}
		if n.Focus != (n.Name == "cart_action") {
			t.Errorf("%s: focus %v", n.Name, n.Focus)
		}
	}
	if !sameKeys(got, want) || len(got) == len(g.Nodes) {
		t.Errorf("focus drew %v, want %v (of %d)", keys(got), keys(want), len(g.Nodes))
	}
	for _, e := range v.Programs[0].Edges {
		from, to := v.Programs[0].Nodes[e.From].Name, v.Programs[0].Nodes[e.To].Name
		if e.Kind == EdgeRule && !(want[from] && want[to]) {
			t.Errorf("edge %s -> %s outside the focus", from, to)
		}
	}
	if _, err := Build([]Program{p}, Options{Focus: "cart_acton"}); err == nil || !strings.Contains(err.Error(), `did you mean "cart_action"`) {
		t.Errorf("unknown focus: %v", err)
	}
	v = build(t, []Program{p, builtinProgram(t, "basic-kvs")}, Options{Focus: "cart_action"})
	if len(v.Programs) != 1 || len(v.Notes) != 1 || !strings.Contains(v.Notes[0], "basic-kvs has no collection cart_action") {
		t.Errorf("programs %d, notes %q", len(v.Programs), v.Notes)
	}
	if _, err := Build([]Program{p}, Options{Highlight: "N"}); err == nil {
		t.Errorf("--highlight N accepted")
	}
}

// TestDiffluentMatchesMonotonic: the edges highlighted as on a D path
// are monotonic's, in both modes: with Bud's labels (contracts standing
// in for missing implementations, Verdict.Label) and, with Effective,
// once coordination and seals count (Verdict.Effective). Every witness
// path of a D pair is highlighted, contract edges included, and a
// program has a highlighted edge exactly when it has a D pair.
func TestDiffluentMatchesMonotonic(t *testing.T) {
	anyD, anyCovered, anyContract := false, false, false
	for _, name := range builtinPrograms(t) {
		p := builtinProgram(t, name)
		g := p.Graph
		res := monotonic.AnalyzeGraph(g, monotonic.Analyzers)
		timing := map[int]bool{} // order-sensitive timing joins: drawn nonmonotonic
		for _, tj := range res.TimingJoins {
			timing[tj.Edge] = timing[tj.Edge] || !tj.Snapshot
		}
		for _, effective := range []bool{false, true} {
			pv := build(t, []Program{p}, Options{Highlight: "D", Effective: effective}).Programs[0]
			// drawn returns the drawn edge of a graph or contract edge.
			drawn := func(ei int) *Edge {
				if ei >= len(g.Edges) {
					id := fmt.Sprintf("%s_k%d", pv.ID, ei-len(g.Edges))
					for _, de := range pv.Edges {
						if de.Kind == EdgeContract && de.ID == id {
							return de
						}
					}
					return nil
				}
				e := &g.Edges[ei]
				for _, de := range pv.Edges {
					if de.Kind != EdgeRule || pv.Nodes[de.From].Name != g.Nodes[e.From].Name || pv.Nodes[de.To].Name != g.Nodes[e.To].Name ||
						de.Temporal != e.Temporal || de.Async != e.Async || de.Nonmonotonic != (e.Nonmonotonic || timing[ei]) {
						continue
					}
					for _, r := range de.Rules {
						if r.Text == e.Rule.Text && r.Pos == posLine(e.Rule.Pos) {
							return de
						}
					}
				}
				return nil
			}
			pairs := 0
			for _, v := range res.Verdicts {
				w, d := v.Declared, v.Label == monotonic.D
				if effective {
					w, d = v.Missing, v.Effective == monotonic.D
				}
				if v.Label == monotonic.D && v.Effective != monotonic.D {
					anyCovered = true
				}
				if !d {
					continue
				}
				pairs++
				anyD = true
				for _, ei := range w.Path {
					anyContract = anyContract || ei >= len(g.Edges)
					if de := drawn(ei); de == nil || !de.Diffluent {
						t.Errorf("%s (effective %v): edge %d of the D witness %s -> %s not drawn highlighted", name, effective, ei, g.Nodes[v.From].Name, g.Nodes[v.To].Name)
					}
				}
			}
			n := 0
			for _, de := range pv.Edges {
				if de.Diffluent {
					n++
				}
			}
			if (n > 0) != (pairs > 0) {
				t.Errorf("%s (effective %v): %d highlighted edges, %d D pairs", name, effective, n, pairs)
			}
		}
	}
	if !anyD || !anyCovered || !anyContract {
		t.Fatalf("the built-in programs lack a D path (%v), a covered one (%v) or one through a contract (%v)", anyD, anyCovered, anyContract)
	}
	// And in the picture: the highlighted edges are orange; the sealed
	// cart's D path (Bud's) is covered once the seal counts.
	root := parseSVG(t, svgOf(t, build(t, []Program{builtinProgram(t, "replicated-disorderly-cart")}, Options{Highlight: "D"})))
	n := 0
	for _, e := range groups(root, "diffluent") {
		n++
		if s := e.find("path")[0].attr("stroke"); s != colDiffluent {
			t.Errorf("diffluent edge stroke %s", s)
		}
	}
	if n == 0 {
		t.Errorf("no diffluent edge drawn")
	}
	sealed := builtinProgram(t, "sealed-cart")
	if n := len(groups(parseSVG(t, svgOf(t, build(t, []Program{sealed}, Options{Highlight: "D"}))), "diffluent")); n == 0 {
		t.Errorf("sealed-cart: no D edge in Bud's labels")
	}
	v := build(t, []Program{sealed}, Options{Legend: true, Highlight: "D", Effective: true})
	if n := len(groups(parseSVG(t, svgOf(t, v)), "diffluent")); n != 0 {
		t.Errorf("sealed-cart: %d D edges once the seal counts", n)
	}
	if l := v.Legend[len(v.Legend)-1]; l.ID != "diffluent" || !strings.Contains(l.Text, "still diffluent") || !strings.HasSuffix(l.Text, "(none here)") {
		t.Errorf("legend %+v", l)
	}
	if _, err := Build([]Program{sealed}, Options{Effective: true}); err == nil {
		t.Errorf("Effective without Highlight D accepted")
	}
}

// TestSideBySide: two programs are two clusters, with their own S and T,
// and node ids that do not clash.
func TestSideBySide(t *testing.T) {
	a, b := builtinProgram(t, "basic-kvs"), builtinProgram(t, "replicated-kvs")
	v := build(t, []Program{a, b}, defaults)
	root := parseSVG(t, svgOf(t, v))
	progs := groups(root, "program")
	if len(progs) != 2 || progs[0].texts() != "basic-kvs" || progs[1].texts() != "replicated-kvs" {
		t.Fatalf("program clusters %d", len(progs))
	}
	n := 0
	for _, s := range groups(root, KindSource) {
		if s.hasClass("node") && !s.hasClass("legend") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d S nodes, want 2", n)
	}
	if got := len(groups(root, "collection")); got != len(a.Graph.Nodes)+len(b.Graph.Nodes) {
		t.Errorf("%d collections drawn", got)
	}
}

// TestMermaidJSONGolden: Mermaid and JSON of a program, of two side by
// side, and of three carts with coordination and seals.
func TestMermaidJSONGolden(t *testing.T) {
	one := build(t, []Program{builtinProgram(t, "disorderly-cart")}, Options{Legend: true, Clusters: true, Highlight: "D"})
	two := build(t, []Program{builtinProgram(t, "basic-kvs"), builtinProgram(t, "destructive-cart")}, defaults)
	// Coordination, seals, mechanisms and the effective D paths.
	coord := build(t, []Program{builtinProgram(t, "sealed-cart"), builtinProgram(t, "replicated-disorderly-cart-reliable"), builtinProgram(t, "ordered-cart")},
		Options{Legend: true, Clusters: true, Highlight: "D", Effective: true})
	for name, v := range map[string]*View{"disorderly-cart": one, "two": two, "coordination": coord} {
		var m, j bytes.Buffer
		if err := WriteMermaid(&m, v); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&j, v); err != nil {
			t.Fatal(err)
		}
		golden(t, "mermaid/"+name+".mmd", m.Bytes())
		golden(t, "json/"+name+".json", j.Bytes())
		var back View
		if err := json.Unmarshal(j.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		if len(back.Programs) != len(v.Programs) || len(back.Programs[0].Nodes) != len(v.Programs[0].Nodes) {
			t.Errorf("JSON round trip lost nodes")
		}
	}
}

// TestPNG: the PNG has the size of the SVG at 96 dpi, outlines and edges
// drawn (the blue of S and T), and the same bytes every time.
func TestPNG(t *testing.T) {
	v := build(t, []Program{builtinProgram(t, "basic-kvs")}, defaults)
	var a, b bytes.Buffer
	if err := WritePNG(context.Background(), &a, v); err != nil {
		t.Fatal(err)
	}
	if err := WritePNG(context.Background(), &b, v); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("PNG differs between runs")
	}
	img, err := png.Decode(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, svgOf(t, v))
	w, h := ptSize(root.attr("width"))*pngScale, ptSize(root.attr("height"))*pngScale
	if bx := img.Bounds(); math.Abs(float64(bx.Dx())-w) > 1 || math.Abs(float64(bx.Dy())-h) > 1 {
		t.Errorf("PNG %v, want %.0fx%.0f", bx, w, h)
	}
	blue, dark := count(img)
	if blue < 50 {
		t.Errorf("%d blue pixels: S and T outlines not drawn", blue)
	}
	if dark < 2000 {
		t.Errorf("%d dark pixels: edges and outlines not drawn", dark)
	}
}

func count(img image.Image) (blue, dark int) {
	bx := img.Bounds()
	for y := bx.Min.Y; y < bx.Max.Y; y++ {
		for x := bx.Min.X; x < bx.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r < 0x2000 && g < 0x2000 && b > 0xe000 {
				blue++
			}
			if r < 0x4000 && g < 0x4000 && b < 0x4000 {
				dark++
			}
		}
	}
	return
}

// genSpec generates a program of n collections in modules of 50: in each
// module a chain of rules from an input to an output, every 10th
// collection a table, every 13th a channel (written with <~), every 7th
// collection also reading one of the previous module, every 11th rule
// with notin, every 17th aggregating, and every 15th collection feeding
// back 12 places up the chain through <+ (temporal cycles). Deterministic.
func genSpec(n int) (string, []string) {
	const per = 50
	var b strings.Builder
	b.WriteString("modules:\n")
	var mods []string
	kind := func(m, j int) string {
		switch {
		case j == 0:
			return "input"
		case j == per-1:
			return "output"
		case j%13 == 0:
			return "channel"
		case j%10 == 0:
			return "table"
		}
		return "scratch"
	}
	name := func(m, j int) string { return fmt.Sprintf("c%d_%d", m, j) }
	for m := 0; m*per < n; m++ {
		mod := fmt.Sprintf("Gen%d", m)
		mods = append(mods, mod)
		fmt.Fprintf(&b, "  %s:\n    state:\n", mod)
		for j := 0; j < per; j++ {
			cols := "(k, v)"
			if kind(m, j) == "channel" {
				cols = "(@k, v)"
			}
			fmt.Fprintf(&b, "      - %s %s%s\n", kind(m, j), name(m, j), cols)
		}
		fmt.Fprintf(&b, "    rules:\n      r%d:\n", m) // block names are program-wide
		for j := 1; j < per; j++ {
			op := "<="
			if kind(m, j) == "channel" {
				op = "<~"
			}
			head := fmt.Sprintf("%s(K, V)", name(m, j))
			body := fmt.Sprintf("%s(K, V)", name(m, j-1))
			switch {
			case j%17 == 0 && op == "<=":
				head = fmt.Sprintf("%s(K, count<V>)", name(m, j))
			case j%11 == 0:
				body += fmt.Sprintf(", notin %s(K, V)", name(m, (j+per/2)%per))
			}
			if j%7 == 0 && m > 0 {
				body += fmt.Sprintf(", %s(K, _)", name(m-1, j))
			}
			fmt.Fprintf(&b, "        - '%s %s %s'\n", head, op, body)
			if j%15 == 0 && j >= 12 && kind(m, j-12) != "channel" && kind(m, j-12) != "input" {
				fmt.Fprintf(&b, "        - '%s(K, V) <+ %s(K, V)'\n", name(m, j-12), name(m, j))
			}
		}
	}
	return b.String(), mods
}

// TestLargeProgram: a generated program of 2,000 collections renders to
// SVG in well under 30 s: above DefaultMaxNodes drawn nodes it falls back
// to collapsed components, and says so.
func TestLargeProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	src, mods := genSpec(2000)
	p := specProgram(t, src, mods...)
	if len(p.Graph.Nodes) != 2000 {
		t.Fatalf("%d collections", len(p.Graph.Nodes))
	}
	start := time.Now()
	v := build(t, []Program{p}, defaults)
	if len(v.Notes) != 1 || !strings.Contains(v.Notes[0], "collapsed") {
		t.Errorf("notes %q", v.Notes)
	}
	svg := svgOf(t, v)
	d := time.Since(start)
	t.Logf("2,000 collections: %d nodes drawn, %d edges, %d bytes of SVG in %v", len(v.Programs[0].Nodes), len(v.Programs[0].Edges), len(svg), d)
	if d > 30*time.Second {
		t.Errorf("took %v", d)
	}
	parseSVG(t, svg)
}

// TestFastLayout: a program too large to lay out and not collapsed
// (Options.NoCollapse) is drawn without clusters and with Graphviz's fast
// settings.
func TestFastLayout(t *testing.T) {
	var b strings.Builder
	b.WriteString("modules:\n  Chain:\n    state: [input c0(k)")
	for i := 1; i < 30; i++ {
		fmt.Fprintf(&b, ", scratch c%d(k)", i)
	}
	b.WriteString(", output out(k)]\n    rules:\n      r:\n")
	for i := 1; i < 30; i++ {
		fmt.Fprintf(&b, "        - c%d(K) <= c%d(K)\n", i, i-1)
	}
	b.WriteString("        - out(K) <= c29(K)\n")
	p := specProgram(t, b.String(), "Chain")
	// Folded by default; with NoCollapse, the fast layout.
	if v := build(t, []Program{p}, Options{Legend: true, Clusters: true, MaxNodes: 10}); len(v.Notes) != 2 || !strings.Contains(v.Notes[1], "--collapse=module") || v.Programs[0].Fast {
		t.Errorf("notes %q", v.Notes)
	}
	v := build(t, []Program{p}, Options{Legend: true, Clusters: true, MaxNodes: 10, NoCollapse: true})
	if len(v.Notes) != 1 || !strings.Contains(v.Notes[0], "fast layout") {
		t.Errorf("notes %q", v.Notes)
	}
	if !v.Programs[0].Fast || len(v.Programs[0].Groups) != 0 {
		t.Errorf("fast %v, %d groups", v.Programs[0].Fast, len(v.Programs[0].Groups))
	}
	if dot := string(dotOf(t, v)); !strings.Contains(dot, "nslimit=0.5") || strings.Contains(dot, "cluster_p0") {
		t.Errorf("DOT without the fast settings or with clusters")
	}
	parseSVG(t, svgOf(t, v))
	if v := build(t, []Program{p}, Options{MaxNodes: -1}); len(v.Notes) != 0 || v.Programs[0].Fast {
		t.Errorf("MaxNodes -1: notes %q", v.Notes)
	}
}

// FuzzNames: any collection names (split from the input at '|') render:
// Graphviz accepts the DOT, the SVG is well-formed XML, and each node
// shows its name (control characters and invalid UTF-8 as U+FFFD, tabs as
// spaces).
func FuzzNames(f *testing.F) {
	for _, s := range []string{"a|b", "quote\"|back\\slash\\", "two\nlines|<b>&amp;</b>", "nul\x00|\xff\xfe", "Ünïcode|日本|--|]]>|\\N", "node|graph|edge|subgraph|strict",
		"esc\x1b[2J|bidi\u202e|" + strings.Repeat("é", 150)} { // hostile and long names
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		names := strings.Split(in, "|")
		if len(names) > 20 {
			names = names[:20]
		}
		seen := map[string]bool{}
		var uniq []string
		for _, n := range names {
			if !seen[n] && n != "" && len(n) < 200 {
				seen[n] = true
				uniq = append(uniq, n)
			}
		}
		if len(uniq) < 2 {
			return
		}
		p := hostileProgram(t, uniq)
		v, err := Build([]Program{p}, defaults)
		if err != nil {
			t.Fatal(err)
		}
		svg, err := SVG(context.Background(), v)
		if err != nil {
			t.Fatalf("names %q: %v", uniq, err)
		}
		root := parseSVG(t, svg)
		// Graphviz draws no text for a blank line, may keep or drop the
		// spaces around a line, and writes runs of spaces with no-break
		// spaces, so that SVG viewers keep them.
		lines := func(s string) string {
			var out []string
			for _, l := range strings.Split(strings.ReplaceAll(s, "\u00a0", " "), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					out = append(out, l)
				}
			}
			return strings.Join(out, "\n")
		}
		got := map[string]bool{}
		for _, n := range groups(root, "collection") {
			got[lines(n.texts())] = true
		}
		for _, n := range uniq {
			want := lines(strings.ReplaceAll(clean(n), "\t", " "))
			if want == "" {
				continue
			}
			if !got[want] {
				t.Errorf("name %q not drawn as %q; drawn %q", n, want, keys(got))
			}
		}
	})
}

// TestInstanceClusters: an imported instance is a cluster labelled
// "name: Module" inside the cluster of its importer, and an instance that
// an instance imports is nested inside it; two instances of one module
// are two clusters.
func TestInstanceClusters(t *testing.T) {
	p := specProgram(t, `modules:
  Impl:
    state: [input p_in(a), output p_out(a), table mem(a)]
    rules:
      r: ['mem <= p_in', 'p_out <= mem']
  Twice:
    import: {x: Impl, y: Impl}
    state: [input in(a), output out(a)]
    rules:
      r: ['x.p_in <= in', 'y.p_in <= x.p_out', 'out <= y.p_out']
  Outer:
    import: {t: Twice}
    state: [input go(a), output done(a)]
    rules:
      r: ['t.in <= go', 'done <= t.out']
`, "Outer")
	v := build(t, []Program{p}, Options{Clusters: true})
	pv := v.Programs[0]
	var got []string
	for _, g := range pv.Groups {
		got = append(got, g.ID+" "+g.Kind+" "+g.Label+" in "+g.Parent)
	}
	want := []string{"p0_m0 module Outer in ", "p0_i1 instance t: Twice in p0_m0", "p0_i2 instance x: Impl in p0_i1", "p0_i3 instance y: Impl in p0_i1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("groups:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	in := map[string]string{}
	for _, n := range pv.Nodes {
		if n.Group >= 0 {
			in[n.Name] = pv.Groups[n.Group].Label
		}
	}
	for name, label := range map[string]string{"t.x.mem": "x: Impl", "t.y.p_in": "y: Impl", "t.in": "t: Twice", "go": "Outer"} {
		if in[name] != label {
			t.Errorf("%s drawn in %q, want %q", name, in[name], label)
		}
	}
	// In DOT, the clusters nest: t inside Outer, x and y inside t.
	dot := string(dotOf(t, v))
	depth, seen := 0, map[string]int{}
	for _, line := range strings.Split(dot, "\n") {
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trim, `subgraph "cluster_p0`):
			depth++
			seen[strings.TrimSuffix(strings.TrimPrefix(trim, `subgraph "cluster_`), `" {`)] = depth
		case trim == "}" && depth > 0:
			depth--
		}
	}
	if seen["p0_m0"] != 1 || seen["p0_i1"] != 2 || seen["p0_i2"] != 3 || seen["p0_i3"] != 3 {
		t.Errorf("cluster depths %v", seen)
	}
	if !strings.Contains(dot, `label="t: Twice"`) || !strings.Contains(dot, `class="instance"`) {
		t.Error("no instance cluster label in the DOT")
	}
}

// TestLegendBelowSmallGraph: the legend of a small graph is drawn below
// it (beside it, it took most of the picture's width), that of a large one
// beside it.
func TestLegendBelowSmallGraph(t *testing.T) {
	legendTop := regexp.MustCompile(`<g id="legend"[\s\S]*?<polygon [^>]*points="([^"]*)"`)
	nodeY := regexp.MustCompile(`<g id="p0_n\d+"[\s\S]*?c?y="(-?[\d.]+)"`)
	check := func(wantBelow bool, names ...string) {
		var progs []Program
		for _, n := range names {
			progs = append(progs, builtinProgram(t, n))
		}
		name := strings.Join(names, "+")
		svg := string(svgOf(t, build(t, progs, Options{Legend: true, Clusters: true})))
		m := legendTop.FindStringSubmatch(svg)
		if m == nil {
			t.Fatalf("%s: no legend", name)
		}
		top := 0.0
		for _, pt := range strings.Fields(m[1]) {
			_, y, _ := strings.Cut(pt, ",")
			if v, _ := strconv.ParseFloat(y, 64); v < top {
				top = v // SVG y grows downwards; Graphviz's are negative
			}
		}
		below := true
		for _, n := range nodeY.FindAllStringSubmatch(svg, -1) {
			if y, _ := strconv.ParseFloat(n[1], 64); y >= top {
				below = false
			}
		}
		if below != wantBelow {
			t.Errorf("%s: legend below the graph %v, want %v", name, below, wantBelow)
		}
	}
	check(true, "basic-kvs")
	check(false, "ordered-cart", "replicated-disorderly-cart-reliable") // more than LegendBelowNodes
}
