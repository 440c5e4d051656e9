package render

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/fogleman/gg"
	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// PNG is drawn from the SVG, not by go-graphviz's own PNG renderer: that
// one (v0.2.10) receives every shape as filled, so it strokes no outline,
// draws no edge line, and picks fonts from the system, which would make
// the picture depend on the machine. Rasterizing the SVG that Graphviz
// wrote (a small, fixed subset: polygons, ellipses, Bézier paths,
// polylines and text) with the Go fonts gives the same picture as the SVG
// and the same bytes on every machine.

// pngScale is pixels per point: 96 dpi, Graphviz's default for bitmaps.
const pngScale = 96.0 / 72.0

// WritePNG writes the view as a PNG image.
func WritePNG(ctx context.Context, w io.Writer, v *View) error {
	svg, err := SVG(ctx, v)
	if err != nil {
		return err
	}
	return rasterize(w, svg, pngScale)
}

// rasterize draws a Graphviz SVG at scale pixels per point.
func rasterize(w io.Writer, svg []byte, scale float64) error {
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	var (
		dc   *gg.Context
		tx   []float64 // translation stack, x
		ty   []float64
		text *xml.StartElement
		buf  strings.Builder
	)
	tr := func(x, y float64) (float64, float64) {
		var ox, oy float64
		if len(tx) > 0 {
			ox, oy = tx[len(tx)-1], ty[len(ty)-1]
		}
		return (x + ox) * scale, (y + oy) * scale
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the SVG: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			a := attrMap(t.Attr)
			switch t.Name.Local {
			case "svg":
				wpt, hpt := ptSize(a["width"]), ptSize(a["height"])
				if wpt <= 0 || hpt <= 0 || wpt*hpt*scale*scale > 400e6 {
					return fmt.Errorf("picture too large for PNG (%gx%g pt): use -T svg", wpt, hpt)
				}
				dc = gg.NewContext(int(wpt*scale+0.5), int(hpt*scale+0.5))
				dc.SetColor(color.White)
				dc.Clear()
			case "g":
				x, y := 0.0, 0.0
				if len(tx) > 0 {
					x, y = tx[len(tx)-1], ty[len(ty)-1]
				}
				if tf := a["transform"]; tf != "" {
					if i := strings.Index(tf, "translate("); i >= 0 {
						f := numbers(tf[i+len("translate("):])
						if len(f) >= 2 {
							x, y = x+f[0], y+f[1]
						}
					}
				}
				tx, ty = append(tx, x), append(ty, y)
			case "text":
				text = &t
				buf.Reset()
			default:
				if dc != nil {
					drawShape(dc.Image().(*image.RGBA), t.Name.Local, a, tr, scale)
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "g":
				if len(tx) > 0 {
					tx, ty = tx[:len(tx)-1], ty[:len(ty)-1]
				}
			case "text":
				if dc != nil && text != nil {
					drawText(dc, attrMap(text.Attr), buf.String(), tr, scale)
				}
				text = nil
			}
		case xml.CharData:
			if text != nil {
				buf.Write(t)
			}
		}
	}
	if dc == nil {
		return fmt.Errorf("no <svg> element in Graphviz's output")
	}
	// Fast compression: a third of the time of the default level, for
	// files about 10% larger.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, dc.Image())
}

func attrMap(as []xml.Attr) map[string]string {
	m := make(map[string]string, len(as))
	for _, a := range as {
		m[a.Name.Local] = a.Value
	}
	return m
}

// ptSize parses "123.4pt" (or a bare number).
func ptSize(s string) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "pt"), 64)
	return f
}

// numbers returns the numbers in s, separated by anything else.
func numbers(s string) []float64 {
	var out []float64
	start := -1
	flush := func(i int) {
		if start >= 0 {
			if f, err := strconv.ParseFloat(s[start:i], 64); err == nil {
				out = append(out, f)
			}
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		num := c >= '0' && c <= '9' || c == '.' || c == 'e' && start >= 0 || (c == '-' || c == '+') && (start < 0 || s[i-1] == 'e')
		if c == '-' && start >= 0 && s[i-1] != 'e' {
			flush(i)
			start = i
			continue
		}
		if num {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		if c == ')' {
			break
		}
	}
	flush(len(s))
	return out
}

var namedColors = map[string]color.NRGBA{
	"black": {0, 0, 0, 255}, "white": {255, 255, 255, 255}, "red": {255, 0, 0, 255},
	"blue": {0, 0, 255, 255}, "green": {0, 128, 0, 255}, "gray": {128, 128, 128, 255},
	"grey": {128, 128, 128, 255}, "lightgrey": {211, 211, 211, 255}, "lightgray": {211, 211, 211, 255},
	"orange": {255, 165, 0, 255}, "yellow": {255, 255, 0, 255},
}

// parseColor parses an SVG paint: none, transparent, a name, #rgb or
// #rrggbb; ok is false for no paint.
func parseColor(s string) (color.NRGBA, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "", "none", "transparent":
		return color.NRGBA{}, false
	}
	if c, ok := namedColors[s]; ok {
		return c, true
	}
	if strings.HasPrefix(s, "#") {
		h := s[1:]
		if len(h) == 3 {
			h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
		}
		if len(h) == 6 || len(h) == 8 {
			v, err := strconv.ParseUint(h[:6], 16, 32)
			if err == nil {
				c := color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
				if len(h) == 8 {
					if a, err := strconv.ParseUint(h[6:], 16, 8); err == nil {
						c.A = uint8(a)
					}
				}
				return c, true
			}
		}
	}
	return color.NRGBA{0, 0, 0, 255}, true
}

// op is one path operation, in pixels: M(ove), L(ine), C(ubic), Z
// (close), E(llipse: centre and radii).
type op struct {
	kind byte
	p    [6]float64
}

// shapePath returns the path of a polygon, ellipse, path or polyline.
func shapePath(name string, a map[string]string, tr func(x, y float64) (float64, float64), scale float64) []op {
	var ops []op
	pt := func(kind byte, f ...float64) {
		o := op{kind: kind}
		for i := 0; i+1 < len(f); i += 2 {
			o.p[i], o.p[i+1] = tr(f[i], f[i+1])
		}
		ops = append(ops, o)
	}
	switch name {
	case "polygon", "polyline":
		f := numbers(a["points"])
		if len(f) < 4 {
			return nil
		}
		for i := 0; i+1 < len(f); i += 2 {
			if i == 0 {
				pt('M', f[i], f[i+1])
			} else {
				pt('L', f[i], f[i+1])
			}
		}
		if name == "polygon" {
			ops = append(ops, op{kind: 'Z'})
		}
	case "ellipse":
		f := numbers(a["cx"] + " " + a["cy"] + " " + a["rx"] + " " + a["ry"])
		if len(f) != 4 {
			return nil
		}
		x, y := tr(f[0], f[1])
		ops = append(ops, op{kind: 'E', p: [6]float64{x, y, f[2] * scale, f[3] * scale}})
	case "path":
		d := a["d"]
		cmd, start := byte(0), 0
		for i := 0; i <= len(d); i++ {
			if i < len(d) && strings.IndexByte("MLCZz", d[i]) < 0 {
				continue
			}
			nums := numbers(d[start:i])
			switch cmd {
			case 'M', 'L':
				for k := 0; k+1 < len(nums); k += 2 {
					c := cmd
					if k > 0 {
						c = 'L'
					}
					pt(c, nums[k], nums[k+1])
				}
			case 'C':
				for k := 0; k+5 < len(nums); k += 6 {
					pt('C', nums[k:k+6]...)
				}
			case 'Z', 'z':
				ops = append(ops, op{kind: 'Z'})
			}
			if i < len(d) {
				cmd, start = d[i], i+1
			}
		}
	}
	return ops
}

// bounds returns the box that holds the path (the control points of a
// Bézier curve hold it).
func bounds(ops []op) (x0, y0, x1, y1 float64) {
	x0, y0, x1, y1 = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	add := func(x, y float64) {
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
	}
	for _, o := range ops {
		switch o.kind {
		case 'M', 'L':
			add(o.p[0], o.p[1])
		case 'C':
			add(o.p[0], o.p[1])
			add(o.p[2], o.p[3])
			add(o.p[4], o.p[5])
		case 'E':
			add(o.p[0]-o.p[2], o.p[1]-o.p[3])
			add(o.p[0]+o.p[2], o.p[1]+o.p[3])
		}
	}
	return
}

// drawShape draws a polygon, ellipse, path or polyline: fill, then
// stroke, as SVG does. gg rasterizes over its whole canvas for every fill
// and stroke, so each shape is drawn on a canvas the size of its box and
// composited: the cost follows the shape, not the picture.
func drawShape(dst *image.RGBA, name string, a map[string]string, tr func(x, y float64) (float64, float64), scale float64) {
	ops := shapePath(name, a, tr, scale)
	if len(ops) == 0 {
		return
	}
	fill, hasFill := parseColor(a["fill"])
	if _, ok := a["fill"]; !ok {
		fill, hasFill = color.NRGBA{0, 0, 0, 255}, true // SVG's default
	}
	if name == "polyline" {
		hasFill = false
	}
	stroke, hasStroke := parseColor(a["stroke"])
	width := 1.0
	if w := numbers(a["stroke-width"]); len(w) == 1 {
		width = w[0]
	}
	width *= scale
	bx0, by0, bx1, by1 := bounds(ops)
	if db := dst.Bounds(); hasFill && !hasStroke && fill == (color.NRGBA{255, 255, 255, 255}) &&
		bx0 <= float64(db.Min.X)+1 && by0 <= float64(db.Min.Y)+1 && bx1 >= float64(db.Max.X)-1 && by1 >= float64(db.Max.Y)-1 {
		return // the white page, on the white canvas
	}
	pad := width + 2
	r := image.Rect(int(math.Floor(bx0-pad)), int(math.Floor(by0-pad)), int(math.Ceil(bx1+pad)), int(math.Ceil(by1+pad))).Intersect(dst.Bounds())
	if r.Empty() {
		return
	}
	dc := gg.NewContext(r.Dx(), r.Dy())
	ox, oy := float64(r.Min.X), float64(r.Min.Y)
	for _, o := range ops {
		switch o.kind {
		case 'M':
			dc.MoveTo(o.p[0]-ox, o.p[1]-oy)
		case 'L':
			dc.LineTo(o.p[0]-ox, o.p[1]-oy)
		case 'C':
			dc.CubicTo(o.p[0]-ox, o.p[1]-oy, o.p[2]-ox, o.p[3]-oy, o.p[4]-ox, o.p[5]-oy)
		case 'Z':
			dc.ClosePath()
		case 'E':
			dc.DrawEllipse(o.p[0]-ox, o.p[1]-oy, o.p[2], o.p[3])
		}
	}
	if hasFill {
		dc.SetColor(fill)
		if hasStroke {
			dc.FillPreserve()
		} else {
			dc.Fill()
		}
	}
	if hasStroke {
		dc.SetLineWidth(width)
		if da := numbers(a["stroke-dasharray"]); len(da) > 0 {
			for i := range da {
				da[i] *= scale
			}
			dc.SetDash(da...)
		}
		dc.SetLineCapButt() // SVG's default; gg's round caps would fill short gaps
		dc.SetColor(stroke)
		dc.Stroke()
	}
	draw.Draw(dst, r, dc.Image(), image.Point{}, draw.Over)
}

var fonts struct {
	sync.Mutex
	regular, bold *truetype.Font
	faces         map[[2]int]font.Face
}

// face returns the Go font (regular or bold) at size pixels.
func face(bold bool, size float64) font.Face {
	fonts.Lock()
	defer fonts.Unlock()
	if fonts.faces == nil {
		fonts.regular, _ = truetype.Parse(goregular.TTF)
		fonts.bold, _ = truetype.Parse(gobold.TTF)
		fonts.faces = map[[2]int]font.Face{}
	}
	b := 0
	f := fonts.regular
	if bold {
		b, f = 1, fonts.bold
	}
	key := [2]int{b, int(size * 100)}
	if fc, ok := fonts.faces[key]; ok {
		return fc
	}
	fc := truetype.NewFace(f, &truetype.Options{Size: size, Hinting: font.HintingNone})
	fonts.faces[key] = fc
	return fc
}

func drawText(dc *gg.Context, a map[string]string, s string, tr func(x, y float64) (float64, float64), scale float64) {
	if s == "" {
		return
	}
	xy := numbers(a["x"] + " " + a["y"])
	if len(xy) != 2 {
		return
	}
	size := 14.0
	if f := numbers(a["font-size"]); len(f) == 1 && f[0] > 0 {
		size = f[0]
	}
	// Graphviz's Helvetica metrics are a little narrower than Go Regular:
	// 0.94 keeps the text inside the shapes sized for it.
	fc := face(a["font-weight"] == "bold", size*scale*0.94)
	dc.SetFontFace(fc)
	c, ok := parseColor(a["fill"])
	if !ok {
		c = color.NRGBA{0, 0, 0, 255}
	}
	if _, has := a["fill"]; !has {
		c = color.NRGBA{0, 0, 0, 255}
	}
	dc.SetColor(c)
	x, y := tr(xy[0], xy[1])
	ax := 0.0
	switch a["text-anchor"] {
	case "middle":
		ax = 0.5
	case "end":
		ax = 1
	}
	if !strings.Contains(s, lock) {
		dc.DrawStringAnchored(s, x, y, ax, 0)
		return
	}
	// The Go fonts have no lock: it is drawn, one em wide, as Graphviz
	// measured it, and the text around it is written piece by piece.
	em := size * scale
	parts := strings.Split(s, lock)
	w := em * float64(len(parts)-1)
	for _, p := range parts {
		pw, _ := dc.MeasureString(p)
		w += pw
	}
	x -= ax * w
	for i, p := range parts {
		if i > 0 {
			drawLock(dc, x, y, em, c)
			x += em
		}
		dc.DrawStringAnchored(p, x, y, 0, 0)
		pw, _ := dc.MeasureString(p)
		x += pw
	}
}

// drawLock draws a padlock in a box one em wide whose baseline is at y:
// a body and a shackle.
func drawLock(dc *gg.Context, x, y, em float64, c color.Color) {
	bw, bh := em*0.62, em*0.42
	bx, by := x+(em-bw)/2, y-bh
	dc.SetColor(c)
	dc.DrawRoundedRectangle(bx, by, bw, bh, em*0.06)
	dc.Fill()
	r := bw * 0.3
	cx := x + em/2
	dc.SetLineWidth(em * 0.09)
	dc.MoveTo(cx-r, by)
	dc.LineTo(cx-r, by-em*0.14)
	dc.DrawArc(cx, by-em*0.14, r, math.Pi, 2*math.Pi)
	dc.LineTo(cx+r, by)
	dc.Stroke()
}
