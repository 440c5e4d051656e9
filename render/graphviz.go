package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-graphviz"
)

// go-graphviz runs one Graphviz, compiled to WebAssembly, for the whole
// process: its module is compiled and instantiated once, when the first
// drawing needs it (loadGraphviz), and is not safe for concurrent use. Every call into it goes through gv,
// under its mutex; the Graphviz context is created on first use and kept.
var gv struct {
	sync.Mutex
	g   *graphviz.Graphviz
	err error
}

// LayoutTimeout bounds one Graphviz layout.
var LayoutTimeout = 2 * time.Minute

func graphvizInstance(ctx context.Context) (*graphviz.Graphviz, error) {
	if gv.g == nil && gv.err == nil {
		if gv.err = loadGraphviz(); gv.err == nil {
			gv.g, gv.err = graphviz.New(ctx)
		}
		if gv.err != nil {
			gv.err = fmt.Errorf("starting Graphviz: %w", gv.err)
		}
	}
	return gv.g, gv.err
}

// layoutSVG lays out DOT text with Graphviz's dot and returns the SVG as
// Graphviz writes it.
func layoutSVG(ctx context.Context, dot []byte) (out []byte, err error) {
	gv.Lock()
	defer gv.Unlock()
	defer func() {
		// A bug in the WebAssembly bridge panics rather than returning an
		// error; it must not take the command down with a stack trace.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("graphviz failed: %v", r)
		}
	}()
	g, err := graphvizInstance(ctx)
	if err != nil {
		return nil, err
	}
	// The last safety net under the layout budget (Options.MaxNodes,
	// MaxEdges): a layout that runs past LayoutTimeout is stopped (the
	// WebAssembly module is closed: Graphviz draws nothing more in this
	// process).
	ctx, cancel := context.WithTimeout(ctx, LayoutTimeout)
	defer cancel()
	defer func() {
		if err != nil && ctx.Err() == context.DeadlineExceeded {
			out, err = nil, fmt.Errorf("Graphviz's layout took longer than %s: too large to draw; use --focus COLLECTION or --collapse, or -T dot", LayoutTimeout)
			gv.err = err // the module is closed
		}
	}()
	graph, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, fmt.Errorf("graphviz could not read the DOT: %w", err)
	}
	defer graph.Close()
	var buf bytes.Buffer
	if err := g.Render(ctx, graph, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("graphviz: %w", err)
	}
	if buf.Len() == 0 {
		return nil, errors.New("graphviz wrote no SVG")
	}
	return buf.Bytes(), nil
}

// SVG lays out the view with Graphviz and returns the picture as SVG. The
// <title> of every node, edge and cluster holds its tooltip (Graphviz
// puts the DOT identifier there), so that any SVG viewer shows it on
// hover.
func SVG(ctx context.Context, v *View) ([]byte, error) {
	var dot bytes.Buffer
	if err := WriteDOT(&dot, v); err != nil {
		return nil, err
	}
	svg, err := layoutSVG(ctx, dot.Bytes())
	if err != nil {
		return nil, err
	}
	return dashDotContracts(retitle(svg, tooltips(v))), nil
}

// dashDotContracts draws the edges of class contract dash-dot: Graphviz
// has no such style, so they are dashed in the DOT, and their dash
// pattern is rewritten here. Graphviz writes an edge's group, its title,
// the group of its link, then its shapes, one a line.
func dashDotContracts(svg []byte) []byte {
	if !bytes.Contains(svg, []byte(" contract")) {
		return svg
	}
	lines := bytes.SplitAfter(svg, []byte("\n"))
	in := false
	for i, l := range lines {
		switch {
		case bytes.HasPrefix(l, []byte(`<g id="`)):
			// An element's group has a class; the group of its link
			// (tooltip), inside it, has none.
			if _, rest, ok := bytes.Cut(l, []byte(` class="`)); ok {
				c, _, _ := bytes.Cut(rest, []byte(`"`))
				classes := strings.Fields(string(c))
				in = slices.Contains(classes, "edge") && slices.Contains(classes, "contract")
			}
		case bytes.HasPrefix(l, []byte("</g>")):
			in = false
		case in:
			lines[i] = bytes.Replace(l, []byte(`stroke-dasharray="5,2"`), []byte(`stroke-dasharray="`+dashDot+`"`), 1)
		}
	}
	return bytes.Join(lines, nil)
}

// WriteSVG writes the view as SVG.
func WriteSVG(ctx context.Context, w io.Writer, v *View) error {
	svg, err := SVG(ctx, v)
	if err != nil {
		return err
	}
	_, err = w.Write(svg)
	return err
}

// tooltips maps the SVG id of every element of the view to its tooltip.
func tooltips(v *View) map[string]string {
	m := map[string]string{}
	for _, p := range v.Programs {
		if len(v.Programs) > 1 {
			m[p.ID] = p.Name
			if p.Doc != "" {
				m[p.ID] += "\n" + p.Doc
			}
		}
		for _, g := range p.Groups {
			m[g.ID] = g.Tooltip
		}
		for _, n := range p.Nodes {
			m[n.ID] = n.Tooltip
		}
		for _, e := range p.Edges {
			m[e.ID] = e.Tooltip
		}
	}
	return m
}

// retitle replaces the text of the <title> that follows each <g id="X">
// whose X has a tooltip. Graphviz writes the group and its title on two
// consecutive lines.
func retitle(svg []byte, tips map[string]string) []byte {
	lines := bytes.SplitAfter(svg, []byte("\n"))
	var out bytes.Buffer
	out.Grow(len(svg) + len(svg)/4)
	pending := ""
	have := false
	for _, l := range lines {
		if have && bytes.HasPrefix(l, []byte("<title>")) {
			out.WriteString("<title>")
			out.WriteString(xmlText(pending))
			out.WriteString("</title>\n")
			have = false
			continue
		}
		have = false
		if bytes.HasPrefix(l, []byte(`<g id="`)) {
			rest := l[len(`<g id="`):]
			if i := bytes.IndexByte(rest, '"'); i >= 0 {
				id := html.UnescapeString(string(rest[:i]))
				pending, have = tips[id]
			}
		}
		out.Write(l)
	}
	return out.Bytes()
}

// xmlText escapes s for XML character data; line breaks stay (SVG
// viewers show them in tooltips).
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range clean(s) {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
