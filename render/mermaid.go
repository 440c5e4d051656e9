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
// tooltips without scripts: they are in -T svg. Coordinated collections
// have a thick green border (dark yellow when unneeded) and a line with
// the lock and their kinds; a coordination protocol's own nonmonotonic
// rules are grey; a seal is a dotted purple link from the collection that
// seals to the sealed one (-.-x), labelled with its key, and the rules it
// covers are purple and labelled sealed; a contract that stands in for a
// missing implementation is a dash-dot brown link labelled with its label.
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
			if g.parent < 0 {
				m.group(p, gi, indent)
			}
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
	// The classes of coordination only when used: plain programs keep
	// their charts.
	if len(m.classes["coordinated"]) > 0 {
		m.line("  ", "classDef coordinated stroke:"+colCoord+",stroke-width:3px")
	}
	if len(m.classes["unneeded"]) > 0 {
		m.line("  ", "classDef unneeded stroke:"+colUnneeded+",stroke-width:3px")
	}
	for _, c := range []string{"ends", "underspecified", "unstratifiable", "legendText", "coordinated", "unneeded"} {
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
	name := n.Name
	if len(n.Coordinated) > 0 {
		name += "\n" + lockLine(n.Coordinated)
	}
	t := mermaidText(name)
	var s string
	switch {
	case n.Persistent && n.Lattice:
		s = n.ID + `[["` + t + `"]]`
	case n.Persistent:
		s = n.ID + `["` + t + `"]`
	case n.Kind == KindSource || n.Kind == KindSink:
		s = n.ID + `{"` + t + `"}`
		m.class(n.ID, "ends")
	case n.Kind == KindUnderspecified:
		s = n.ID + `{"` + t + `"}`
		m.class(n.ID, "underspecified")
	case n.Kind == KindComponent:
		label := componentLabel(n.Members)
		if len(n.Coordinated) > 0 {
			label += "\n" + lockLine(n.Coordinated)
		}
		s = n.ID + `{{"` + mermaidText(label) + `"}}`
	case n.Kind == KindFolded:
		label := foldLabel(n)
		if len(n.Coordinated) > 0 {
			label += "\n" + lockLine(n.Coordinated)
		}
		s = n.ID + `[/"` + mermaidText(label) + `"/]`
	default:
		s = n.ID + `(["` + t + `"])`
	}
	switch {
	case n.Unstratifiable:
		m.class(n.ID, "unstratifiable")
	case len(n.Coordinated) > 0 && needed(n.Coordinated):
		m.class(n.ID, "coordinated")
	case len(n.Coordinated) > 0:
		m.class(n.ID, "unneeded")
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

// Link styles of what the program declares about coordination.
const (
	mmdMechanism = "stroke:" + colMechanism
	mmdSealed    = "stroke:" + colSeal
	mmdSeal      = "stroke:" + colSeal + ",stroke-dasharray:2 3"
	mmdContract  = "stroke:" + colContract + ",stroke-dasharray:8 3 2 3"
)

func (m *mermaid) edge(v *View, from, to string, e *Edge) {
	label := ""
	if e.Kind == EdgeRule && e.Temporal && !e.Async {
		label = "+/-"
	}
	if e.Sealed != nil {
		label = strings.TrimSpace(label + " sealed")
	}
	if e.Snapshot {
		label = strings.TrimSpace(label + " snapshot")
	}
	link := arrow(e.Async, e.Nonmonotonic, label)
	switch e.Kind {
	case EdgeSeal:
		link = `-.-x|"` + mermaidText(sealLabel(e.Seal)) + `"|`
	case EdgeContract:
		nm := e.Contract.Label == "N" || e.Contract.Label == "D"
		link = arrow(true, nm, e.Contract.Label+" (contract)")
	}
	m.line("  ", from+" "+link+" "+to)
	style := ""
	switch {
	case e.Unstratifiable:
		style = "stroke:#ff0000,stroke-width:2.5px"
	case e.Diffluent && e.Kind == EdgeContract:
		style = "stroke:" + colDiffluent + ",stroke-width:2.5px,stroke-dasharray:8 3 2 3"
	case e.Diffluent:
		style = "stroke:" + colDiffluent + ",stroke-width:2.5px"
	case e.Kind == EdgeSource || e.Kind == EdgeSink:
		style = "stroke:#0000ff"
	case e.Kind == EdgeUnderspecified:
		style = "stroke:#ff0000"
	case e.Kind == EdgeSeal:
		style = mmdSeal
	case e.Kind == EdgeContract:
		style = mmdContract
	case e.Mechanism != nil:
		style = mmdMechanism
	case e.Sealed != nil:
		style = mmdSealed
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
		case "lattice":
			m.line("    ", id+`[["lattice"]] ~~~ `+text)
			m.links++
		case "edge":
			edge(false, false, "")
		case "temporal":
			edge(false, false, "+/-")
		case "async":
			edge(true, false, "")
		case "snapshot":
			edge(false, false, "snapshot")
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
		case "folded":
			m.line("    ", id+`[/"module M\n12 collections"/] ~~~ `+text)
			m.links++
		case "coordinated", "unneeded":
			l := lock + " kind"
			if en.ID == "unneeded" {
				l += " (unneeded)"
			}
			m.line("    ", id+`(["`+mermaidText("A\n"+l)+`"]) ~~~ `+text)
			m.class(id, en.ID)
			m.links++
		case "mechanism":
			edge(false, true, "")
			m.linkStyles = append(m.linkStyles, fmt.Sprintf("linkStyle %d %s", m.links-2, mmdMechanism))
		case "sealed":
			edge(false, true, "sealed")
			m.linkStyles = append(m.linkStyles, fmt.Sprintf("linkStyle %d %s", m.links-2, mmdSealed))
		case "seal":
			m.line("    ", id+`_a(["A"]) -.-x|"seal (key)"| `+id+`_b(["B"])`)
			m.line("    ", id+"_b ~~~ "+text)
			m.links += 2
			m.linkStyles = append(m.linkStyles, fmt.Sprintf("linkStyle %d %s", m.links-2, mmdSeal))
		case "contract":
			edge(true, true, "N (contract)")
			m.linkStyles = append(m.linkStyles, fmt.Sprintf("linkStyle %d %s", m.links-2, mmdContract))
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

// group writes subgraph gi with its nodes and, nested, the subgraphs
// inside it (the instances an instance imports).
func (m *mermaid) group(p *ProgramView, gi int, indent string) {
	g := p.Groups[gi]
	m.line(indent, fmt.Sprintf("subgraph %s[\"%s\"]", g.ID, mermaidText(g.Label)))
	for _, n := range p.Nodes {
		if n.Group == gi {
			m.node(indent+"  ", n)
		}
	}
	for ci, c := range p.Groups {
		if c.parent == gi {
			m.group(p, ci, indent+"  ")
		}
	}
	m.line(indent, "end")
}
