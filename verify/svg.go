package verify

import (
	"fmt"
	"html"
	"sort"
	"strings"
)

// SVG draws a witness as a spacetime diagram, the way Molly draws its
// counterexamples: the two executions side by side; in each, one
// vertical line per node with timesteps going down, inputs as squares,
// messages as arrows from the sender at the timestep they were sent to
// the receiver at the timestep they arrived (the ones the schedule
// delays beyond the next timestep in orange, each labelled with its
// channel), and output facts as circles; the output facts only one
// execution has are red, and listed in full below. Hovering over anything
// shows its full text.
func (w *Witness) SVG() []byte {
	const (
		nodeGap  = 260
		tickGap  = 44
		left     = 70
		panelGap = 40
		maxLabel = 44
	)
	var claims []string
	for _, c := range w.Confirms {
		claims = append(claims, "confirms "+c.String())
	}
	for _, c := range w.Contradicts {
		claims = append(claims, "CONTRADICTS "+c.String())
	}
	top := 110 + 16*len(claims)
	ticks := 1
	for _, x := range []*Execution{&w.A, &w.B} {
		ticks = max(ticks, x.Ticks)
		for _, m := range x.Deliveries {
			ticks = max(ticks, m.Arrives)
		}
	}
	nodes := w.Nodes
	panelW := left + nodeGap*len(nodes) + 140
	width := 2*panelW + panelGap
	differs := map[string]bool{}
	only := map[string]int{}
	for _, d := range w.Differs {
		differs[d.In+"\t"+d.Node+"\t"+d.Fact] = true
		only[d.In]++
	}
	height := top + tickGap*(ticks+1) + 70 + 16*max(only["A"], only["B"])
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", width, height, width, height)
	b.WriteString(`<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker>
<marker id="arrow-late" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#d97706"/></marker>
</defs>
<rect width="100%" height="100%" fill="white"/>
`)
	title := fmt.Sprintf("%s: witness %s (%s)", w.Program, w.ID, w.Kind)
	fmt.Fprintf(&b, `<text x="20" y="28" font-size="16" font-weight="bold">%s</text>`+"\n", esc(title))
	for i, c := range claims {
		fmt.Fprintf(&b, `<text x="20" y="%d" fill="#444">%s</text>`+"\n", 50+16*i, esc(c))
	}
	for i, x := range []*Execution{&w.A, &w.B} {
		name := []string{"A", "B"}[i]
		ox := 20 + i*(panelW+panelGap)
		w.svgPanel(&b, x, name, ox, top, nodeGap, tickGap, left, ticks, maxLabel, differs)
	}
	// Legend.
	ly := height - 20
	fmt.Fprintf(&b, `<g transform="translate(20,%d)" fill="#333">`, ly)
	b.WriteString(`<rect x="0" y="-9" width="10" height="10" fill="#2563eb"/><text x="16" y="0">input</text>`)
	b.WriteString(`<line x1="70" y1="-4" x2="110" y2="-4" stroke="#333" marker-end="url(#arrow)"/><text x="116" y="0">message (next timestep)</text>`)
	b.WriteString(`<line x1="270" y1="-4" x2="310" y2="-4" stroke="#d97706" stroke-width="2" marker-end="url(#arrow-late)"/><text x="316" y="0">message the schedule delays</text>`)
	b.WriteString(`<circle cx="505" cy="-4" r="5" fill="#16a34a"/><text x="516" y="0">output</text>`)
	b.WriteString(`<circle cx="575" cy="-4" r="6" fill="#dc2626"/><text x="586" y="0">output only this execution has</text>`)
	b.WriteString("</g>\n</svg>\n")
	return []byte(b.String())
}

func (w *Witness) svgPanel(b *strings.Builder, x *Execution, name string, ox, top, nodeGap, tickGap, left, ticks, maxLabel int, differs map[string]bool) {
	nx := map[string]int{}
	for i, n := range w.Nodes {
		nx[n] = ox + left + nodeGap*i + nodeGap/2 - 40
	}
	y := func(t int) int { return top + tickGap*t }
	fmt.Fprintf(b, `<g id="execution-%s">`+"\n", name)
	desc := "the schedule delivers every message in the next timestep"
	if len(x.Delays) > 0 {
		desc = fmt.Sprintf("the schedule delays %d message%s", len(x.Delays), plural(len(x.Delays)))
	}
	if w.Kind == "input order" {
		desc = "inputs of " + w.Input + " in this order; every message in the next timestep"
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="14" font-weight="bold">Execution %s</text>`+"\n", ox, top-44, name)
	fmt.Fprintf(b, `<text x="%d" y="%d" fill="#555">%s</text>`+"\n", ox, top-28, esc(desc))
	// Timesteps.
	for t := 1; t <= ticks; t++ {
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#eee"/>`, ox+left-20, y(t), ox+left+nodeGap*len(w.Nodes)-60, y(t))
		fmt.Fprintf(b, `<text x="%d" y="%d" fill="#888" text-anchor="end">t%d</text>`+"\n", ox+left-24, y(t)+4, t)
	}
	// Node lines.
	for _, n := range w.Nodes {
		fmt.Fprintf(b, `<text x="%d" y="%d" font-weight="bold" text-anchor="middle">%s</text>`, nx[n], top-4, esc(n))
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999" stroke-width="2"/>`+"\n", nx[n], top+4, nx[n], y(ticks)+10)
	}
	// Messages.
	late := map[string]bool{}
	for k := range x.Delays {
		late[k] = true
	}
	placed := map[[2]int]bool{} // label cells taken
	for _, m := range x.Deliveries {
		fx, tx := nx[m.From], nx[m.To]
		y1, y2 := y(m.Sent), y(m.Arrives)
		color, marker, width := "#333", "arrow", 1
		if late[m.Key()] {
			color, marker, width = "#d97706", "arrow-late", 2
		}
		if fx == tx {
			tx += 30 // to itself: a loop to the right
		}
		full := fmt.Sprintf("%s -> %s: %s, sent at %d, arrives at %d", m.From, m.To, m.Fact, m.Sent, m.Arrives)
		fmt.Fprintf(b, `<g><title>%s</title><line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="%d" marker-end="url(#%s)"/>`,
			esc(full), fx, y1, tx, y2, color, width, marker)
		// Labelled with the channel, as Molly does; the message is in
		// the tooltip.
		channel := m.Fact
		if i := strings.IndexByte(channel, '('); i >= 0 {
			channel = channel[:i]
		}
		mx, my := (fx+tx)/2, (y1+y2)/2-3
		for placed[[2]int{mx / 40, my / 11}] {
			my += 11 // another label is there: below it
		}
		placed[[2]int{mx / 40, my / 11}] = true
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="10" fill="%s" text-anchor="middle">%s</text></g>`+"\n", mx, my, color, esc(channel))
	}
	// Inputs.
	for _, in := range x.Inputs {
		px := nx[in.Node]
		fmt.Fprintf(b, `<g><title>%s</title><rect x="%d" y="%d" width="10" height="10" fill="#2563eb"/>`, esc(fmt.Sprintf("input at %s, t%d: %s", in.Node, in.Tick, in.Fact)), px-5, y(in.Tick)-5)
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="10" fill="#2563eb" text-anchor="end">%s</text></g>`+"\n", px-9, y(in.Tick)+4, esc(short(in.Fact, maxLabel)))
	}
	// Outputs: each distinct fact at the first timestep it appears.
	type out struct {
		node, fact string
		tick       int
	}
	var outs []out
	seen := map[string]bool{}
	for _, o := range x.Outputs {
		if k := o.Node + "\t" + o.Fact; !seen[k] {
			seen[k] = true
			outs = append(outs, out{o.Node, o.Fact, o.Tick})
		}
	}
	sort.SliceStable(outs, func(i, j int) bool { return outs[i].tick < outs[j].tick })
	stack := map[string]int{}
	for _, o := range outs {
		px := nx[o.node]
		k := fmt.Sprintf("%s@%d", o.node, o.tick)
		dy := stack[k] * 12
		stack[k]++
		color, r, weight := "#16a34a", 5, "normal"
		if differs[name+"\t"+o.node+"\t"+o.fact] {
			color, r, weight = "#dc2626", 6, "bold"
		}
		fmt.Fprintf(b, `<g><title>%s</title><circle cx="%d" cy="%d" r="%d" fill="%s"/>`, esc(fmt.Sprintf("output at %s, t%d: %s", o.node, o.tick, o.fact)), px, y(o.tick), r, color)
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="10" fill="%s" font-weight="%s">%s</text></g>`+"\n", px+9, y(o.tick)+4+dy, color, weight, esc(short(o.fact, maxLabel)))
	}
	// The differing facts, in full.
	ly := y(ticks) + 40
	for _, d := range w.Differs {
		if d.In == name {
			fmt.Fprintf(b, `<text x="%d" y="%d" fill="#dc2626">only here, at %s: %s</text>`+"\n", ox, ly, esc(d.Node), esc(d.Fact))
			ly += 16
		}
	}
	b.WriteString("</g>\n")
}

func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return html.EscapeString(s) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
