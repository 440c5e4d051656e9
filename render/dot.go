package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Colours. Named colours are ones SVG knows too, so that Graphviz writes
// them as they are; the others are hex.
const (
	colBlack     = "black"
	colRed       = "red"
	colBlue      = "blue"
	colWhite     = "white"
	colDiffluent = "#e66100" // orange: on a D path
	colBoundary  = "#777777" // a timestep boundary (--strata)
	colCluster   = "#999999"
	colModuleBg  = "#f5f5f5"
	colStratumBg = "#eef3fb"
	colText      = "#333333"
)

// LegendEntry is one line of the legend.
type LegendEntry struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// legendEntries lists the talk's legend, then the entries for what is
// beyond it, when the picture has some.
func legendEntries(v *View) []LegendEntry {
	out := []LegendEntry{
		{"scratch", "scratch-like collection (scratch, input, output, channel, periodic)"},
		{"table", "persistent table"},
		{"edge", "B is in the head, A in the body of a rule R"},
		{"temporal", "R is temporal (<+, <-, <+-)"},
		{"async", "R is asynchronous (<~)"},
		{"nonmonotonic", "R is nonmonotonic (notin, aggregation, deletion): a point of order"},
		{"ends", "dataflow source (S) and sink (T)"},
		{"underspecified", "underspecified dataflow"},
	}
	var red, comp, diff bool
	for _, p := range v.Programs {
		for _, n := range p.Nodes {
			red = red || n.Unstratifiable
			comp = comp || n.Kind == KindComponent
		}
		for _, e := range p.Edges {
			diff = diff || e.Diffluent
		}
	}
	if red {
		out = append(out, LegendEntry{"unstratifiable", "unstratifiable cycle: nonmonotonic, no temporal edge"})
	}
	if comp {
		out = append(out, LegendEntry{"component", "strongly connected component (collapsed)"})
	}
	if v.Options.Highlight == "D" {
		t := "on a diffluent (D) path: asynchrony, then nonmonotonicity"
		if !diff {
			t += " (none here)"
		}
		out = append(out, LegendEntry{"diffluent", t})
	}
	if v.Options.Strata {
		out = append(out, LegendEntry{"boundary", "timestep boundary (temporal edge): not a point of order"})
	}
	return out
}

// dotWriter writes DOT, remembering the first write error.
type dotWriter struct {
	w   *bufio.Writer
	err error
}

func (d *dotWriter) printf(format string, args ...any) {
	if d.err == nil {
		_, d.err = fmt.Fprintf(d.w, format, args...)
	}
}

// attrs writes [k=v k=v] from pairs whose values are already quoted.
func attrs(kv ...string) string {
	var b strings.Builder
	b.WriteByte('[')
	first := true
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		b.WriteString(kv[i])
		b.WriteByte('=')
		b.WriteString(kv[i+1])
	}
	b.WriteByte(']')
	return b.String()
}

// q quotes a plain attribute value (colours, shapes, ids, classes: never
// user text, which goes through dotText).
func q(s string) string { return dotID(s) }

// WriteDOT writes the view as a DOT digraph. The same view always gives
// the same bytes.
func WriteDOT(w io.Writer, v *View) error {
	d := &dotWriter{w: bufio.NewWriter(w)}
	name := "calmcheck"
	if len(v.Programs) == 1 {
		name = v.Programs[0].Name
	}
	d.printf("digraph %s {\n", dotID(name))
	d.printf("\tgraph %s;\n", attrs("fontname", q("Helvetica"), "fontsize", "12", "rankdir", "TB", "newrank", "true",
		"nodesep", "0.3", "ranksep", "0.45", "tooltip", dotText(graphTooltip(v)), "bgcolor", colWhite))
	d.printf("\tnode %s;\n", attrs("fontname", q("Helvetica"), "fontsize", "12", "shape", "ellipse", "style", "filled",
		"fillcolor", colWhite, "color", colBlack, "fontcolor", colBlack, "penwidth", "1", "height", "0.4"))
	d.printf("\tedge %s;\n", attrs("fontname", q("Helvetica"), "fontsize", "10", "arrowhead", "vee", "color", colBlack, "fontcolor", colBlack, "penwidth", "1.2"))
	for _, p := range v.Programs {
		if p.Fast {
			// Bounded network simplex and crossing minimization, straight
			// edges: minutes become seconds on thousands of nodes.
			d.printf("\tgraph %s;\n", attrs("mclimit", "0.05", "nslimit", "0.5", "nslimit1", "0.5", "remincross", "false", "searchsize", "10", "splines", "line"))
			break
		}
	}
	if len(v.Programs) == 1 {
		p := v.Programs[0]
		label := p.Name
		d.printf("\tgraph %s;\n", attrs("label", dotText(label), "labelloc", "t", "fontsize", "14"))
	}
	if len(v.Legend) > 0 {
		writeLegend(d, v)
	}
	for _, p := range v.Programs {
		indent := "\t"
		if len(v.Programs) > 1 {
			d.printf("\tsubgraph %s {\n", dotID("cluster_"+p.ID))
			tip := p.Name
			if p.Doc != "" {
				tip += "\n" + p.Doc
			}
			d.printf("\t\tgraph %s;\n", attrs("id", q(p.ID), "class", q("program"), "label", dotText(p.Name), "tooltip", dotText(tip),
				"style", q("filled"), "fillcolor", colWhite, "color", q("#444444"), "fontsize", "14", "labelloc", "t"))
			indent = "\t\t"
		}
		writeProgram(d, v, p, indent)
		if len(v.Programs) > 1 {
			d.printf("\t}\n")
		}
	}
	d.printf("}\n")
	if d.err == nil {
		d.err = d.w.Flush()
	}
	return d.err
}

func graphTooltip(v *View) string {
	var names []string
	for _, p := range v.Programs {
		s := p.Name
		if p.Doc != "" {
			s += ": " + p.Doc
		}
		names = append(names, s)
	}
	return strings.Join(names, "\n")
}

func writeProgram(d *dotWriter, v *View, p *ProgramView, indent string) {
	for gi, gr := range p.Groups {
		d.printf("%ssubgraph %s {\n", indent, dotID("cluster_"+gr.ID))
		bg := colModuleBg
		if gr.Kind == "stratum" {
			bg = colStratumBg
		}
		d.printf("%s\tgraph %s;\n", indent, attrs("id", q(gr.ID), "class", q(gr.Kind), "label", dotText(gr.Label), "tooltip", dotText(gr.Tooltip),
			"style", q("rounded,filled"), "fillcolor", q(bg), "color", q(colCluster), "fontcolor", q(colText), "fontsize", "11"))
		for _, n := range p.Nodes {
			if n.Group == gi {
				writeNode(d, n, indent+"\t")
			}
		}
		d.printf("%s}\n", indent)
	}
	for _, n := range p.Nodes {
		if n.Group < 0 {
			writeNode(d, n, indent)
		}
	}
	for _, e := range p.Edges {
		writeEdge(d, v, p, e, indent)
	}
}

func nodeClass(n *Node) string {
	c := n.Kind
	switch n.Kind {
	case KindSource, KindSink, KindUnderspecified, KindComponent:
	default:
		c = "collection " + n.Kind
	}
	if n.Unstratifiable {
		c += " unstratifiable"
	}
	if n.Focus {
		c += " focus"
	}
	return c
}

// componentLabel lists a component's members, three to a line, at most
// twelve.
func componentLabel(ms []string) string {
	var b strings.Builder
	for i, m := range ms {
		if i == 12 {
			fmt.Fprintf(&b, ",\n… %d more", len(ms)-12)
			break
		}
		if i > 0 {
			if i%3 == 0 {
				b.WriteString(",\n")
			} else {
				b.WriteString(", ")
			}
		}
		b.WriteString(m)
	}
	return b.String()
}

func writeNode(d *dotWriter, n *Node, indent string) {
	shape, color, pen, label := "ellipse", colBlack, "", n.Name
	switch n.Kind {
	case "table":
		shape = "box"
	case KindSource, KindSink:
		shape, color, pen = "diamond", colBlue, "2"
	case KindUnderspecified:
		shape, color, pen = "diamond", colRed, "2"
	case KindComponent:
		shape, pen, label = "octagon", "2", componentLabel(n.Members)
	}
	if n.Unstratifiable {
		color, pen = colRed, "2"
	}
	if n.Focus {
		pen = "3"
	}
	fontcolor := ""
	if color != colBlack {
		fontcolor = color
	}
	if shape == "ellipse" {
		shape = ""
	}
	if label == "" {
		label = " " // go-graphviz would show the node's ID instead
	}
	if color == colBlack {
		color = ""
	}
	d.printf("%s%s %s;\n", indent, dotID(n.dotID), attrs("id", q(n.ID), "class", q(nodeClass(n)), "label", dotText(label), "shape", shape,
		"color", color, "fontcolor", fontcolor, "penwidth", pen, "tooltip", dotText(n.Tooltip)))
}

func edgeClass(e *Edge) string {
	c := e.Kind
	for _, f := range []struct {
		on   bool
		name string
	}{{e.Temporal, "temporal"}, {e.Async, "async"}, {e.Nonmonotonic, "nonmonotonic"}, {e.Unstratifiable, "unstratifiable"}, {e.Diffluent, "diffluent"}} {
		if f.on {
			c += " " + f.name
		}
	}
	return c
}

func writeEdge(d *dotWriter, v *View, p *ProgramView, e *Edge, indent string) {
	from, to := p.Nodes[e.From], p.Nodes[e.To]
	var label, style, arrow, color, pen, constraint string
	switch e.Kind {
	case EdgeSource, EdgeSink:
		color = colBlue
	case EdgeUnderspecified:
		color = colRed
	default:
		if e.Temporal && !e.Async {
			label = "+/-"
		}
		if e.Async {
			style = "dashed"
		}
		if e.Nonmonotonic {
			arrow = "veeodot"
		}
		if v.Options.Strata && e.Temporal {
			constraint = "false"
			if !e.Async {
				color, label = colBoundary+":invis:"+colBoundary, "+/- next timestep"
			}
		}
		if e.Diffluent {
			color, pen = colDiffluent, "2.5"
		}
		if e.Unstratifiable {
			color, pen = colRed, "2.5"
		}
	}
	fontcolor := ""
	if color != "" && !strings.Contains(color, ":") {
		fontcolor = color
	} else if color != "" {
		fontcolor = colBoundary
	}
	lbl := ""
	if label != "" {
		lbl = dotText(label)
	}
	quote := func(s string) string {
		if s == "" {
			return ""
		}
		return q(s)
	}
	d.printf("%s%s -> %s %s;\n", indent, dotID(from.dotID), dotID(to.dotID), attrs("id", q(e.ID), "class", q(edgeClass(e)), "label", lbl,
		"style", style, "arrowhead", arrow, "color", quote(color), "fontcolor", quote(fontcolor), "penwidth", pen,
		"constraint", constraint, "tooltip", dotText(e.Tooltip)))
}

// writeLegend draws the legend in two rows of entries side by side, each
// entry a column of three ranks: the sample (a node, or two nodes A above
// B with the edge between them) and, below, its meaning. The rows are
// stacked by invisible edges. Sample edges are drawn top down, as in the
// picture, so that none is ever drawn backwards.
func writeLegend(d *dotWriter, v *View) {
	d.printf("\tsubgraph %s {\n", dotID("cluster_legend"))
	d.printf("\t\tgraph %s;\n", attrs("id", q("legend"), "class", q("legend"), "label", dotText("Legend"), "tooltip", dotText("The predicate dependency graph legend of the Bloom talk, and calmcheck's additions"),
		"style", q("filled"), "fillcolor", colWhite, "color", q("#444444"), "fontsize", "12", "labeljust", "l"))
	d.printf("\t\tnode %s;\n", attrs("fontsize", "10", "height", "0.3", "class", q("legend")))
	d.printf("\t\tedge %s;\n", attrs("class", q("legend"), "fontsize", "10"))
	perRow := (len(v.Legend) + 1) / 2
	// Each row hangs from an invisible anchor whose out-edges keep their
	// order (ordering=out): the entries stay in the order of the talk.
	var texts []string
	anchor := ""
	for i, en := range v.Legend {
		if i%perRow == 0 {
			anchor = dotID(fmt.Sprintf("#legend/row%d", i/perRow))
			d.printf("\t\t%s %s;\n", anchor, attrs("id", q(fmt.Sprintf("legend_row%d", i/perRow)), "label", dotText(""), "style", "invis", "width", "0.01", "height", "0.01", "ordering", "out"))
			if i > 0 {
				for _, t := range texts[i-perRow:] {
					d.printf("\t\t%s -> %s %s;\n", t, anchor, attrs("style", "invis"))
				}
			}
		}
		id := func(s string) string { return dotID("#legend/" + en.ID + "/" + s) }
		sid := func(s string) string { return q("legend_" + en.ID + "_" + s) }
		var top []string              // the nodes on the entry's first rank
		bottom := ""                  // the node on its second rank, if any
		group := q("legend_" + en.ID) // keeps an entry's column straight
		node := func(name, label string, extra ...string) {
			d.printf("\t\t%s %s;\n", id(name), attrs(append([]string{"id", sid(name), "label", dotText(label), "tooltip", dotText(en.Text), "group", group}, extra...)...))
		}
		shape := func(name, label string, extra ...string) {
			node(name, label, extra...)
			top = append(top, id(name))
			d.printf("\t\t%s -> %s %s;\n", anchor, id(name), attrs("style", "invis"))
		}
		edge := func(extra ...string) {
			shape("A", "A", "width", "0.4")
			node("B", "B", "width", "0.4")
			bottom = id("B")
			d.printf("\t\t%s -> %s %s;\n", id("A"), id("B"), attrs(append([]string{"id", sid("edge"), "tooltip", dotText(en.Text)}, extra...)...))
		}
		switch en.ID {
		case "scratch":
			shape("sample", "scratch")
		case "table":
			shape("sample", "table", "shape", "box")
		case "edge":
			edge()
		case "temporal":
			edge("label", dotText("+/-"))
		case "async":
			edge("style", "dashed")
		case "nonmonotonic":
			edge("arrowhead", "veeodot")
		case "ends":
			shape("S", "S", "shape", "diamond", "color", colBlue, "fontcolor", colBlue, "penwidth", "2")
			shape("T", "T", "shape", "diamond", "color", colBlue, "fontcolor", colBlue, "penwidth", "2")
		case "underspecified":
			shape("U", "??", "shape", "diamond", "color", colRed, "fontcolor", colRed, "penwidth", "2")
		case "unstratifiable":
			edge("color", colRed, "fontcolor", colRed, "penwidth", "2.5", "arrowhead", "veeodot")
		case "component":
			shape("sample", "A, B", "shape", "octagon", "penwidth", "2")
		case "diffluent":
			edge("color", q(colDiffluent), "penwidth", "2.5")
		case "boundary":
			edge("color", q(colBoundary+":invis:"+colBoundary), "fontcolor", q(colBoundary), "label", dotText("+/-"))
		}
		if i >= perRow {
			// Below the entry above, too: columns line up.
			d.printf("\t\t%s -> %s %s;\n", texts[i-perRow], top[0], attrs("style", "invis"))
		}
		text := id("text")
		d.printf("\t\t%s %s;\n", text, attrs("id", sid("text"), "label", dotText(wrap(en.Text, 26)), "shape", "plaintext", "tooltip", dotText(en.Text), "group", group))
		if bottom != "" {
			d.printf("\t\t%s -> %s %s;\n", bottom, text, attrs("style", "invis"))
		} else {
			for _, t := range top {
				d.printf("\t\t%s -> %s %s;\n", t, text, attrs("style", "invis", "minlen", "2"))
			}
		}
		texts = append(texts, text)
	}
	d.printf("\t}\n")
}

// wrap breaks s into lines of at most width runes, at spaces.
func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		l := len([]rune(w))
		if i > 0 {
			if n+1+l > width {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}
