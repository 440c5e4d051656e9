package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// drawing lists the SVG elements a picture may hold: what Graphviz writes
// for render's views. Anything else (script, foreignObject, image, use,
// animate, style...) is refused rather than embedded.
var drawing = map[string]bool{
	"svg": true, "g": true, "title": true, "desc": true, "a": true,
	"path": true, "polygon": true, "polyline": true, "ellipse": true, "circle": true, "rect": true, "line": true,
	"text": true, "tspan": true,
	"defs": true, "linearGradient": true, "radialGradient": true, "stop": true,
}

// embedSVG returns an SVG document as an element to put inline in HTML:
// from <svg> on, without the XML declaration, the DOCTYPE and the
// comments (Graphviz writes names in them). It fails when the picture
// is not well-formed XML, holds an element that is not a drawing, an
// event handler attribute (on...), a link (href) or a style attribute:
// the picture is data, and must not be able to run or load anything in
// the report.
func embedSVG(svg []byte) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	var out bytes.Buffer
	out.Grow(len(svg))
	var prev int64
	var open []string // the elements not closed yet
	roots := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not a well-formed SVG: %w", err)
		}
		off := d.InputOffset()
		raw := svg[prev:off]
		prev = off
		switch t := tok.(type) {
		case xml.Comment, xml.ProcInst, xml.Directive:
			continue
		case xml.StartElement:
			if len(open) == 0 {
				if t.Name.Local != "svg" || roots > 0 {
					return nil, fmt.Errorf("not an SVG picture: <%s> at the top", t.Name.Local)
				}
				roots++
			}
			if !drawing[t.Name.Local] {
				return nil, fmt.Errorf("an SVG picture may not hold <%s>", t.Name.Local)
			}
			for _, a := range t.Attr {
				name := strings.ToLower(a.Name.Local)
				if strings.HasPrefix(name, "on") || name == "href" || name == "style" || name == "src" {
					return nil, fmt.Errorf("an SVG picture may not hold the attribute %s on <%s>", attrName(a.Name), t.Name.Local)
				}
			}
			open = append(open, attrName(t.Name))
		case xml.EndElement:
			// RawToken reports a self-closing element as a start and an
			// end, and checks no nesting: an end must close the last
			// element opened.
			if len(open) == 0 || open[len(open)-1] != attrName(t.Name) {
				return nil, fmt.Errorf("not a well-formed SVG: </%s> closes no open element", attrName(t.Name))
			}
			open = open[:len(open)-1]
		case xml.CharData:
			if bytes.HasPrefix(raw, []byte("<![CDATA[")) {
				return nil, errors.New("an SVG picture may not hold a CDATA section")
			}
			if len(open) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, errors.New("not an SVG picture: text outside <svg>")
				}
				continue
			}
		}
		out.Write(raw)
	}
	if roots == 0 {
		return nil, errors.New("not an SVG picture: no <svg>")
	}
	if len(open) > 0 {
		return nil, fmt.Errorf("not a well-formed SVG: <%s> is not closed", open[len(open)-1])
	}
	return bytes.TrimSpace(out.Bytes()), nil
}

func attrName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}
