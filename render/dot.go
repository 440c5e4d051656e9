package render

import (
	"bufio"
	"fmt"
	"io"
	"slices"
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
	colCoord     = "#1a7f37" // green: a coordinated collection
	colUnneeded  = "#b8860b" // dark goldenrod: unneeded coordination (a warning)
	colMechanism = "#a0a0a0" // grey: a coordination protocol's own rule
	colSeal      = "#7b2cbf" // purple: a seal, and the rules it covers
	colContract  = "#6d4c41" // brown: a contract standing in for an implementation
)

// lock marks a coordinated collection, before its kinds.
const lock = "🔒"

// dashDot is the SVG dash pattern of a contract edge. DOT has no dash-dot
// style: a contract edge is dashed in the DOT, and SVG rewrites the
// pattern of the edges of class contract (see dashDotContracts).
const dashDot = "8,3,2,3"

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
		{"nonmonotonic", "R is nonmonotonic (notin, aggregation, deletion) or a timing join: a point of order"},
		{"ends", "dataflow source (S) and sink (T)"},
		{"underspecified", "underspecified dataflow"},
	}
	var red, comp, folded, diff, coord, unneeded, mech, seal, sealed, contract, lat, snap bool
	for _, p := range v.Programs {
		for _, n := range p.Nodes {
			lat = lat || n.Lattice
			red = red || n.Unstratifiable
			comp = comp || n.Kind == KindComponent
			folded = folded || n.Kind == KindFolded
			if len(n.Coordinated) > 0 {
				if needed(n.Coordinated) {
					coord = true
				} else {
					unneeded = true
				}
			}
		}
		for _, e := range p.Edges {
			diff = diff || e.Diffluent
			mech = mech || e.Mechanism != nil
			sealed = sealed || e.Sealed != nil
			seal = seal || e.Kind == EdgeSeal
			contract = contract || e.Kind == EdgeContract
			snap = snap || e.Snapshot
		}
	}
	if snap {
		out = append(out, LegendEntry{"snapshot", "R is a snapshot read: a transient fact reads grow-only state that timing fills (stale, never wrong)"})
	}
	if lat {
		out = append(out, LegendEntry{"lattice", "lattice collection (Bloom^L): values merge, read through monotone functions and thresholds"})
	}
	if red {
		out = append(out, LegendEntry{"unstratifiable", "unstratifiable cycle: nonmonotonic, no temporal edge"})
	}
	if comp {
		out = append(out, LegendEntry{"component", "strongly connected component (collapsed)"})
	}
	if folded {
		out = append(out, LegendEntry{"folded", "a module's collections, folded (--focus draws one in full)"})
	}
	if coord {
		out = append(out, LegendEntry{"coordinated", "ordered or agreed on by a coordination protocol of that kind (total-order, consensus, voting, barrier)"})
	}
	if unneeded {
		out = append(out, LegendEntry{"unneeded", "coordination that changes no path's label: unneeded"})
	}
	if mech {
		out = append(out, LegendEntry{"mechanism", "R is part of a coordination protocol: not a point of order of the program"})
	}
	if seal {
		out = append(out, LegendEntry{"seal", "seal: once A has arrived for a key, no more B arrive for it"})
	}
	if sealed {
		out = append(out, LegendEntry{"sealed", "R is nonmonotonic, but reads groups a seal completes: no coordination needed"})
	}
	if contract {
		out = append(out, LegendEntry{"contract", "a protocol's contract, standing in for its missing implementation, with its label"})
	}
	if v.Options.Highlight == "D" {
		t := "on a diffluent (D) path: asynchrony, then nonmonotonicity"
		if v.Options.Effective {
			t = "on a path still diffluent (D) with coordination and seals: coordination is missing"
		}
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
		// Graphviz's second crossing minimization over the whole graph
		// (remincross) reorders the legend's entries, whatever the
		// legend's own constraints say.
		d.printf("\tgraph %s;\n", attrs("remincross", "false"))
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
	if len(v.Legend) > 0 && legendBelow(v) {
		// A small graph beside the legend would be a fraction of the
		// picture's width: hang the legend below its bottom nodes.
		anchor := dotID("#legend/row0")
		for _, p := range v.Programs {
			out := make([]bool, len(p.Nodes))
			for _, e := range p.Edges {
				out[e.From] = true
			}
			for i, n := range p.Nodes {
				if !out[i] {
					d.printf("\t%s -> %s %s;\n", dotID(n.dotID), anchor, attrs("style", "invis", "weight", "0"))
				}
			}
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
		if gr.parent < 0 {
			writeGroup(d, p, gi, indent)
		}
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

// writeGroup writes cluster gi with its nodes and, nested, the clusters
// inside it (the instances an instance imports).
func writeGroup(d *dotWriter, p *ProgramView, gi int, indent string) {
	gr := p.Groups[gi]
	d.printf("%ssubgraph %s {\n", indent, dotID("cluster_"+gr.ID))
	bg, style := colModuleBg, "rounded,filled"
	switch gr.Kind {
	case "stratum":
		bg = colStratumBg
	case "instance":
		style = "rounded,filled,dashed"
	}
	d.printf("%s\tgraph %s;\n", indent, attrs("id", q(gr.ID), "class", q(gr.Kind), "label", dotText(gr.Label), "tooltip", dotText(gr.Tooltip),
		"style", q(style), "fillcolor", q(bg), "color", q(colCluster), "fontcolor", q(colText), "fontsize", "11"))
	for _, n := range p.Nodes {
		if n.Group == gi {
			writeNode(d, n, indent+"\t")
		}
	}
	for ci, c := range p.Groups {
		if c.parent == gi {
			writeGroup(d, p, ci, indent+"\t")
		}
	}
	d.printf("%s}\n", indent)
}

func nodeClass(n *Node) string {
	c := n.Kind
	switch n.Kind {
	case KindSource, KindSink, KindUnderspecified, KindComponent:
	default:
		c = "collection " + n.Kind
		if n.Lattice {
			c += " lattice"
		}
	}
	if n.Unstratifiable {
		c += " unstratifiable"
	}
	if len(n.Coordinated) > 0 {
		c += " coordinated"
		if !needed(n.Coordinated) {
			c += " unneeded"
		}
	}
	if n.Focus {
		c += " focus"
	}
	return c
}

// needed reports whether some of the declarations is needed.
func needed(cs []*CoordinationInfo) bool {
	for _, c := range cs {
		if c.Needed {
			return true
		}
	}
	return false
}

// lockLine is the line under a coordinated collection's name: the lock
// and the kinds of its coordination, "(unneeded)" after an unneeded one.
func lockLine(cs []*CoordinationInfo) string {
	var kinds []string
	for _, c := range cs {
		k := c.Kind
		if !c.Needed {
			k += " (unneeded)"
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return lock + " " + strings.Join(kinds, ", ")
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

// foldLabel is the label of a folded node: its module (or band) over
// the number of collections.
func foldLabel(n *Node) string {
	if n.label != "" {
		return n.label
	}
	return n.Name
}

func writeNode(d *dotWriter, n *Node, indent string) {
	shape, color, pen, label := "ellipse", colBlack, "", n.Name
	if n.Persistent {
		shape = "box"
		if n.Lattice {
			shape = "box3d"
		}
	}
	switch n.Kind {
	case KindSource, KindSink:
		shape, color, pen = "diamond", colBlue, "2"
	case KindUnderspecified:
		shape, color, pen = "diamond", colRed, "2"
	case KindComponent:
		shape, pen, label = "octagon", "2", componentLabel(n.Members)
	case KindFolded:
		shape, pen, label = "folder", "2", foldLabel(n)
	}
	fontcolor := ""
	if color != colBlack {
		fontcolor = color
	}
	peripheries := ""
	if len(n.Coordinated) > 0 {
		// The border only: the name stays black.
		label += "\n" + lockLine(n.Coordinated)
		peripheries, color = "2", colCoord
		if pen == "" {
			pen = "1.5"
		}
		if !needed(n.Coordinated) {
			color = colUnneeded
		}
	}
	if n.Unstratifiable {
		color, fontcolor, pen = colRed, colRed, "2"
	}
	if n.Focus {
		pen = "3"
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
		"color", qc(color), "fontcolor", qc(fontcolor), "penwidth", pen, "peripheries", peripheries, "tooltip", dotText(n.Tooltip)))
}

// qc quotes a colour for an attribute: a name as it is, a hex colour
// quoted, none as "" (no attribute).
func qc(c string) string {
	if c == "" || plainIdent(c) {
		return c
	}
	return q(c)
}

func edgeClass(e *Edge) string {
	c := e.Kind
	for _, f := range []struct {
		on   bool
		name string
	}{{e.Temporal, "temporal"}, {e.Async, "async"}, {e.Nonmonotonic, "nonmonotonic"}, {e.TimingJoin, "timing"}, {e.Snapshot, "snapshot"}, {e.Mechanism != nil, "mechanism"}, {e.Sealed != nil, "sealed"},
		{e.MissedSeal != nil, "unsealed"}, {e.Unstratifiable, "unstratifiable"}, {e.Diffluent, "diffluent"}} {
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
	case EdgeSeal:
		// Not dataflow: it does not move the collections it joins.
		style, arrow, color, constraint = "dotted", "tee", colSeal, "false"
		label = sealLabel(e.Seal)
		pen = "1.5"
	case EdgeContract:
		// Dashed in the DOT, dash-dot in the SVG (dashDotContracts).
		style, color = "dashed", colContract
		label = e.Contract.Label + " (contract)"
		if e.Contract.Label == "N" || e.Contract.Label == "D" {
			arrow = "veeodot"
		}
		if e.Diffluent {
			color, pen = colDiffluent, "2.5"
		}
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
		switch {
		case e.Mechanism != nil:
			color = colMechanism
		case e.Sealed != nil:
			color = colSeal
		}
		if v.Options.Strata && e.Temporal {
			constraint = "false"
			if !e.Async {
				color, label = colBoundary+":invis:"+colBoundary, "+/- next timestep"
			}
		}
		if e.Sealed != nil {
			label = strings.TrimSpace(label + " sealed")
		}
		if e.Snapshot {
			label = strings.TrimSpace(label + " snapshot")
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

// sealLabel is the label of a seal edge: its key.
func sealLabel(s *SealInfo) string {
	if len(s.Key) == 0 {
		return "seal (all)"
	}
	return "seal (" + strings.Join(s.Key, ", ") + ")"
}

// LegendBelowNodes is the number of nodes up to which a picture has its
// legend below the graph rather than beside it: a small graph is
// narrower than the legend.
const LegendBelowNodes = 30

func legendBelow(v *View) bool {
	n := 0
	for _, p := range v.Programs {
		n += len(p.Nodes)
	}
	return n > 0 && n <= LegendBelowNodes
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
	// Two rows (the talk's legend and a few more entries), more when
	// there are more than twelve entries.
	rows := max(2, (len(v.Legend)+5)/6)
	perRow := (len(v.Legend) + rows - 1) / rows
	// Each row hangs from an invisible anchor; the first nodes of its
	// entries are on one rank, chained left to right by invisible edges,
	// so that the entries stay in the order of the talk.
	var texts []string
	var tops [][]string // per row, the first nodes of its entries
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
			tops = append(tops, nil)
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
		case "lattice":
			shape("sample", "lattice", "shape", "box3d")
		case "edge":
			edge()
		case "temporal":
			edge("label", dotText("+/-"))
		case "async":
			edge("style", "dashed")
		case "nonmonotonic":
			edge("arrowhead", "veeodot")
		case "snapshot":
			edge("label", dotText("snapshot"))
		case "ends":
			shape("S", "S", "shape", "diamond", "color", colBlue, "fontcolor", colBlue, "penwidth", "2")
			shape("T", "T", "shape", "diamond", "color", colBlue, "fontcolor", colBlue, "penwidth", "2")
		case "underspecified":
			shape("U", "??", "shape", "diamond", "color", colRed, "fontcolor", colRed, "penwidth", "2")
		case "unstratifiable":
			edge("color", colRed, "fontcolor", colRed, "penwidth", "2.5", "arrowhead", "veeodot")
		case "component":
			shape("sample", "A, B", "shape", "octagon", "penwidth", "2")
		case "folded":
			shape("sample", "module M\n12 collections", "shape", "folder", "penwidth", "2")
		case "coordinated":
			shape("sample", "A\n"+lock+" kind", "color", q(colCoord), "peripheries", "2", "penwidth", "1.5")
		case "unneeded":
			shape("sample", "A\n"+lock+" kind (unneeded)", "color", q(colUnneeded), "peripheries", "2", "penwidth", "1.5")
		case "mechanism":
			edge("color", q(colMechanism), "arrowhead", "veeodot")
		case "seal":
			edge("color", q(colSeal), "fontcolor", q(colSeal), "style", "dotted", "arrowhead", "tee", "penwidth", "1.5", "label", dotText("seal (key)"))
		case "sealed":
			edge("color", q(colSeal), "fontcolor", q(colSeal), "arrowhead", "veeodot", "label", dotText("sealed"))
		case "contract":
			edge("class", q("legend contract"), "color", q(colContract), "fontcolor", q(colContract), "style", "dashed", "arrowhead", "veeodot", "label", dotText("N (contract)"))
		case "diffluent":
			edge("color", q(colDiffluent), "penwidth", "2.5")
		case "boundary":
			edge("color", q(colBoundary+":invis:"+colBoundary), "fontcolor", q(colBoundary), "label", dotText("+/-"))
		}
		if i >= perRow {
			// Below the entry above, too: columns line up.
			d.printf("\t\t%s -> %s %s;\n", texts[i-perRow], top[0], attrs("style", "invis"))
		}
		tops[len(tops)-1] = append(tops[len(tops)-1], top...)
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
	for _, row := range tops {
		d.printf("\t\t{ rank=same; %s }\n", strings.Join(row, " "))
		for i := 1; i < len(row); i++ {
			d.printf("\t\t%s -> %s %s;\n", row[i-1], row[i], attrs("style", "invis"))
		}
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
