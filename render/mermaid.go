package render

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteMermaid writes the view as a Mermaid flowchart, to paste into a
// Markdown file or a pull request. Shapes follow the legend as far as
// Mermaid has them: tables are rectangles, scratch-like collections
// stadiums, S, T and ?? rhombi, collapsed components hexagons; temporal
// edges are labelled +/-, asynchronous ones dotted, nonmonotonic ones end
// in a circle (--o). Node ids are generated (n0, n1, ...), every label is
// quoted and escaped, so no name can break the chart. Mermaid has no
// tooltips without scripts: they are in -T svg.
func WriteMermaid(w io.Writer, v *View) error {
	bw := bufio.NewWriter(w)
	m := &mermaid{w: bw}
	m.line("", "flowchart TB")
	if len(v.Legend) > 0 {
		m.legend(v)
	}
	for _, p := range v.Programs {
		indent := "  "
		if len(v.Programs) > 1 {
			m.line("  ", fmt.Sprintf("subgraph %s[\"%s\"]", p.ID, mermaidText(p.Name)))
			indent = "    "
		}
		for gi, g := range p.Groups {
			m.line(indent, fmt.Sprintf("subgraph %s[\"%s\"]", g.ID, mermaidText(g.Label)))
			for _, n := range p.Nodes {
				if n.Group == gi {
					m.node(indent+"  ", n)
				}
			}
			m.line(indent, "end")
		}
		for _, n := range p.Nodes {
			if n.Group < 0 {
				m.node(indent, n)
			}
		}
		if len(v.Programs) > 1 {
			m.line("  ", "end")
		}
	}
	for _, p := range v.Programs {
		for _, e := range p.Edges {
			m.edge(v, p.Nodes[e.From].ID, p.Nodes[e.To].ID, e)
		}
	}
	m.line("  ", "classDef ends stroke:#0000ff,color:#0000ff,stroke-width:2px")
	m.line("  ", "classDef underspecified stroke:#ff0000,color:#ff0000,stroke-width:2px")
	m.line("  ", "classDef unstratifiable stroke:#ff0000,color:#ff0000,stroke-width:2px")
	m.line("  ", "classDef legendText fill:none,stroke:none")
	for _, c := range []string{"ends", "underspecified", "unstratifiable", "legendText"} {
		if ids := m.classes[c]; len(ids) > 0 {
			m.line("  ", "class "+strings.Join(ids, ",")+" "+c)
		}
	}
	for _, s := range m.linkStyles {
		m.line("  ", s)
	}
	if m.err == nil {
		m.err = bw.Flush()
	}
	return m.err
}

type mermaid struct {
	w          *bufio.Writer
	err        error
	links      int
	classes    map[string][]string
	linkStyles []string
}

func (m *mermaid) line(indent, s string) {
	if m.err == nil {
		_, m.err = m.w.WriteString(indent + s + "\n")
	}
}

func (m *mermaid) class(id, c string) {
	if m.classes == nil {
		m.classes = map[string][]string{}
	}
	m.classes[c] = append(m.classes[c], id)
}

func (m *mermaid) node(indent string, n *Node) {
	t := mermaidText(n.Name)
	var s string
	switch n.Kind {
	case "table":
		s = n.ID + `["` + t + `"]`
	case KindSource, KindSink:
		s = n.ID + `{"` + t + `"}`
		m.class(n.ID, "ends")
	case KindUnderspecified:
		s = n.ID + `{"` + t + `"}`
		m.class(n.ID, "underspecified")
	case KindComponent:
		s = n.ID + `{{"` + mermaidText(componentLabel(n.Members)) + `"}}`
	default:
		s = n.ID + `(["` + t + `"])`
	}
	if n.Unstratifiable {
		m.class(n.ID, "unstratifiable")
	}
	m.line(indent, s)
}

// arrow returns the Mermaid link for an edge's style.
func arrow(async, nonmonotonic bool, label string) string {
	a := "-->"
	switch {
	case async && nonmonotonic:
		a = "-.-o"
	case async:
		a = "-.->"
	case nonmonotonic:
		a = "--o"
	}
	if label != "" {
		a += `|"` + mermaidText(label) + `"|`
	}
	return a
}

func (m *mermaid) edge(v *View, from, to string, e *Edge) {
	label := ""
	if e.Kind == EdgeRule && e.Temporal && !e.Async {
		label = "+/-"
	}
	m.line("  ", from+" "+arrow(e.Async, e.Nonmonotonic, label)+" "+to)
	style := ""
	switch {
	case e.Unstratifiable:
		style = "stroke:#ff0000,stroke-width:2.5px"
	case e.Diffluent:
		style = "stroke:" + colDiffluent + ",stroke-width:2.5px"
	case e.Kind == EdgeSource || e.Kind == EdgeSink:
		style = "stroke:#0000ff"
	case e.Kind == EdgeUnderspecified:
		style = "stroke:#ff0000"
	case v.Options.Strata && e.Temporal && !e.Async:
		style = "stroke:" + colBoundary + ",stroke-dasharray:1 3"
	}
	if style != "" {
		m.linkStyles = append(m.linkStyles, fmt.Sprintf("linkStyle %d %s", m.links, style))
	}
	m.links++
}

// legend writes the legend as a subgraph of samples, each with its
// meaning.
func (m *mermaid) legend(v *View) {
	m.line("  ", `subgraph legend["Legend"]`)
	for _, en := range v.Legend {
		id := "legend_" + en.ID
		text := id + `_text["` + mermaidText(en.Text) + `"]`
		m.class(id+"_text", "legendText")
		edge := func(async, nonmonotonic bool, label string) {
			m.line("    ", id+`_a(["A"]) `+arrow(async, nonmonotonic, label)+" "+id+`_b(["B"])`)
			m.line("    ", id+"_b ~~~ "+text)
			m.links += 2
		}
		switch en.ID {
		case "scratch":
			m.line("    ", id+`(["scratch"]) ~~~ `+text)
			m.links++
		case "table":
			m.line("    ", id+`["table"] ~~~ `+text)
			m.links++
		case "edge":
			edge(false, false, "")
		case "temporal":
			edge(false, false, "+/-")
		case "async":
			edge(true, false, "")
		case "nonmonotonic", "unstratifiable":
			edge(false, true, "")
			if en.ID == "unstratifiable" {
				m.linkStyles = append(m.linkStyles, fmt.Sprintf("linkStyle %d stroke:#ff0000,stroke-width:2.5px", m.links-2))
			}
		case "diffluent":
			edge(false, false, "")
			m.linkStyles = append(m.linkStyles, fmt.Sprintf("linkStyle %d stroke:%s,stroke-width:2.5px", m.links-2, colDiffluent))
		case "boundary":
			edge(false, false, "+/-")
			m.linkStyles = append(m.linkStyles, fmt.Sprintf("linkStyle %d stroke:%s,stroke-dasharray:1 3", m.links-2, colBoundary))
		case "ends":
			m.line("    ", id+`_s{"S"} ~~~ `+id+`_t{"T"} ~~~ `+text)
			m.class(id+"_s", "ends")
			m.class(id+"_t", "ends")
			m.links += 2
		case "underspecified":
			m.line("    ", id+`_u{"??"} ~~~ `+text)
			m.class(id+"_u", "underspecified")
			m.links++
		case "component":
			m.line("    ", id+`{{"A, B"}} ~~~ `+text)
			m.links++
		}
	}
	m.line("  ", "end")
}

// WriteJSON writes the view as JSON: the programs with their groups,
// nodes (collections with kind, schema, module, position, stratum; S, T,
// ??; collapsed components) and edges (with their rules, flags and
// tooltips), the legend and the notes. Indented, the same bytes for the
// same view.
func WriteJSON(w io.Writer, v *View) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
