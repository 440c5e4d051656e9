package render

import (
	"bytes"
	"context"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// wrongKeySpec seals log per k: the count per k is sealed, the count per
// v is not (a seal on another key), and stays a point of order.
const wrongKeySpec = `modules:
  Cnt:
    state:
      - input   put(a, k, v)
      - input   fin(a, k)
      - channel msg(@a, k, v)
      - channel done(@a, k)
      - table   log(k, v)
      - scratch per_v(v) => (n)
      - scratch per_k(k) => (n)
      - output  out(k, n)
      - output  out2(v, n)
    seals:
      - {collection: log, key: [k], by: done}
    rules:
      r:
        - msg <~ put
        - done <~ fin
        - log(K, V) <= msg(_, K, V)
        - per_k(K, count<V>) <= log(K, V)
        - per_v(V, count<K>) <= log(K, V)
        - out(K, N) <= per_k(K, N), done(_, K)
        - out2(V, N) <= per_v(V, N), done(_, _)
`

// edgeBetween returns the drawn edges from a to b.
func edgeBetween(pv *ProgramView, a, b string) []*Edge {
	var out []*Edge
	for _, e := range pv.Edges {
		if pv.Nodes[e.From].Name == a && pv.Nodes[e.To].Name == b {
			out = append(out, e)
		}
	}
	return out
}

func nodeNamed(pv *ProgramView, name string) *Node {
	for _, n := range pv.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// TestCoordinationView: what the view says of coordination, seals and
// contracts, and what the tooltips tell, on the carts of the talk.
func TestCoordinationView(t *testing.T) {
	// The reliable cart: the voting on mcast_done is unneeded, its
	// counts are its mechanism.
	pv := build(t, []Program{builtinProgram(t, "replicated-disorderly-cart-reliable")}, defaults).Programs[0]
	done := nodeNamed(pv, "mcast_done")
	if len(done.Coordinated) != 1 || done.Coordinated[0].Kind != "voting" || done.Coordinated[0].Needed || done.Coordinated[0].Where != "ReliableMulticast" {
		t.Fatalf("mcast_done coordinated %+v", done.Coordinated)
	}
	for _, want := range []string{"coordinated: voting coordination of ReliableMulticast on mcast_done (specs/multicast.yaml:", "unneeded: it changes no path's label"} {
		if !strings.Contains(done.Tooltip, want) {
			t.Errorf("mcast_done tooltip lacks %q:\n%s", want, done.Tooltip)
		}
	}
	for _, e := range [][2]string{{"mcast_votes", "mcast_vote_cnt"}, {"members", "member_cnt"}} {
		es := edgeBetween(pv, e[0], e[1])
		if len(es) != 1 || es[0].Mechanism != done.Coordinated[0] || !strings.Contains(es[0].Tooltip, "part of the voting coordination of ReliableMulticast on mcast_done") {
			t.Errorf("%s -> %s: %+v", e[0], e[1], es)
		}
	}
	if cnt := edgeBetween(pv, "cart_action", "action_cnt"); len(cnt) != 1 || cnt[0].Mechanism != nil || cnt[0].Sealed != nil || !strings.Contains(cnt[0].Tooltip, "nonmonotonic: a point of order") {
		t.Errorf("the checkout's count is no longer a point of order: %+v", cnt)
	}
	if len(pv.Coordination) != 1 || len(pv.Seals) != 0 {
		t.Errorf("program coordination %+v, seals %+v", pv.Coordination, pv.Seals)
	}

	// The ordered cart: pipe_out is ordered, and needed.
	pv = build(t, []Program{builtinProgram(t, "ordered-cart")}, defaults).Programs[0]
	if out := nodeNamed(pv, "pipe_out"); len(out.Coordinated) != 1 || out.Coordinated[0].Kind != "total-order" || !out.Coordinated[0].Needed {
		t.Errorf("pipe_out coordinated %+v", out.Coordinated)
	}

	// The sealed cart: a seal edge checkout_msg -> cart_action, the
	// counts it covers sealed.
	p := builtinProgram(t, "sealed-cart")
	pv = build(t, []Program{p}, defaults).Programs[0]
	seal := edgeBetween(pv, "checkout_msg", "cart_action")
	if len(seal) != 1 || seal[0].Kind != EdgeSeal || seal[0].Seal.String() != "cart_action per (session) by checkout_msg" || seal[0].Seal.Module != "SealedCart" {
		t.Fatalf("seal edge %+v", seal)
	}
	if len(p.Seals) != 1 || len(p.Seals[0].Covers) == 0 {
		t.Fatalf("the analysis finds no covered rule: %+v", p.Seals)
	}
	for _, ei := range p.Seals[0].Covers {
		e := &p.Graph.Edges[ei]
		if !strings.Contains(seal[0].Tooltip, e.Rule.Text) {
			t.Errorf("seal tooltip lacks the covered rule %s:\n%s", e.Rule.Text, seal[0].Tooltip)
		}
		es := edgeBetween(pv, p.Graph.Nodes[e.From].Name, p.Graph.Nodes[e.To].Name)
		if len(es) != 1 || es[0].Sealed != seal[0].Seal || !strings.Contains(es[0].Tooltip, "nonmonotonic, but sealed: cart_action per (session) by checkout_msg") {
			t.Errorf("covered edge %+v", es)
		}
	}
	for name, want := range map[string]string{
		"cart_action":  "sealed per (session) by checkout_msg",
		"checkout_msg": "seals cart_action per (session)",
	} {
		if n := nodeNamed(pv, name); !strings.Contains(n.Tooltip, want) {
			t.Errorf("%s tooltip lacks %q:\n%s", name, want, n.Tooltip)
		}
	}

	// A seal on another key covers nothing it is not keyed by.
	pv = build(t, []Program{specProgram(t, wrongKeySpec, "Cnt")}, defaults).Programs[0]
	perK, perV := edgeBetween(pv, "log", "per_k"), edgeBetween(pv, "log", "per_v")
	if len(perK) != 1 || perK[0].Sealed == nil || perK[0].MissedSeal != nil {
		t.Errorf("log -> per_k: %+v", perK)
	}
	if len(perV) != 1 || perV[0].Sealed != nil || perV[0].MissedSeal == nil || !strings.Contains(perV[0].Tooltip, "nonmonotonic: a point of order") ||
		!strings.Contains(perV[0].Tooltip, "the seal log per (k) by done (test.yaml:14) does not cover it") {
		t.Errorf("log -> per_v: %+v", perV)
	}
	seal = edgeBetween(pv, "done", "log")
	if len(seal) != 1 || !strings.Contains(seal[0].Tooltip, "covers (evaluated per its key: no coordination needed):\n  per_k(K, count<V>) <= log(K, V)") ||
		!strings.Contains(seal[0].Tooltip, "does not cover (evaluated per another key: still points of order):\n  per_v(V, count<K>) <= log(K, V)") {
		t.Errorf("seal tooltip:\n%s", seal[0].Tooltip)
	}
	if dot := string(dotOf(t, build(t, []Program{specProgram(t, wrongKeySpec, "Cnt")}, defaults))); !strings.Contains(dot, `class="rule nonmonotonic unsealed"`) {
		t.Errorf("no unsealed edge in the DOT")
	}

	// The abstract destructive cart: KVSProtocol's contracts stand in
	// for the store.
	pv = build(t, []Program{builtinProgram(t, "destructive-cart")}, defaults).Programs[0]
	put := edgeBetween(pv, "kvput", "kvget_response")
	if len(put) != 1 || put[0].Kind != EdgeContract || put[0].Contract.Label != "N" || put[0].Contract.Module != "KVSProtocol" ||
		!strings.Contains(put[0].Tooltip, "contract of KVSProtocol (specs/kvs.yaml:") || !strings.Contains(put[0].Tooltip, "a point of order implied by the abstraction") {
		t.Errorf("contract edge %+v", put)
	}
}

// TestCoordinationFocusCollapse: seal and contract edges are drawn only
// between drawn nodes, and a collapsed component keeps the coordination
// of its members.
func TestCoordinationFocusCollapse(t *testing.T) {
	p := builtinProgram(t, "sealed-cart")
	v := build(t, []Program{p}, Options{Focus: "sealed"})
	if len(edgeBetween(v.Programs[0], "checkout_msg", "cart_action")) != 1 {
		t.Errorf("the seal is not drawn with both its collections")
	}
	v = build(t, []Program{p}, Options{Focus: "checkout_wait"})
	for _, e := range v.Programs[0].Edges {
		if e.Kind == EdgeSeal {
			t.Errorf("seal drawn without cart_action")
		}
	}
	v = build(t, []Program{builtinProgram(t, "ordered-cart")}, Options{Collapse: true})
	n := 0
	for _, nd := range v.Programs[0].Nodes {
		if len(nd.Coordinated) > 0 {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d coordinated nodes once collapsed", n)
	}
}

// TestLegendOrder: the legend's entries are drawn in order, left to right
// then row by row, whatever the picture next to them.
func TestLegendOrder(t *testing.T) {
	var progs []Program
	for _, name := range []string{"sealed-cart", "ordered-cart", "replicated-disorderly-cart-reliable", "destructive-cart"} {
		progs = append(progs, builtinProgram(t, name))
	}
	for _, opt := range []Options{defaults, {Legend: true, Clusters: true, Highlight: "D", Effective: true, Collapse: true}} {
		v := build(t, progs, opt)
		var ids []string
		for _, l := range v.Legend {
			ids = append(ids, l.ID)
		}
		for _, want := range []string{"coordinated", "unneeded", "mechanism", "seal", "sealed", "contract"} {
			if !strings.Contains(" "+strings.Join(ids, " ")+" ", " "+want+" ") {
				t.Errorf("legend %v lacks %s", ids, want)
			}
		}
		root := parseSVG(t, svgOf(t, v))
		pos := map[string][2]float64{}
		for _, n := range groups(root, "node") {
			id := n.attr("id")
			if !strings.HasPrefix(id, "legend_") || strings.HasSuffix(id, "_text") || strings.HasSuffix(id, "_B") || strings.HasPrefix(id, "legend_row") {
				continue
			}
			entry := strings.TrimPrefix(id, "legend_")
			entry = entry[:strings.LastIndex(entry, "_")]
			var x, y float64
			if e := n.find("ellipse"); len(e) > 0 {
				x, _ = strconv.ParseFloat(e[0].attr("cx"), 64)
				y, _ = strconv.ParseFloat(e[0].attr("cy"), 64)
			} else {
				// The centre of the polygon's box.
				x0, y0, x1, y1 := 1e9, 1e9, -1e9, -1e9
				for _, pt := range strings.Fields(n.find("polygon")[0].attr("points")) {
					xs, ys, _ := strings.Cut(pt, ",")
					px, _ := strconv.ParseFloat(xs, 64)
					py, _ := strconv.ParseFloat(ys, 64)
					x0, y0, x1, y1 = min(x0, px), min(y0, py), max(x1, px), max(y1, py)
				}
				x, y = (x0+x1)/2, (y0+y1)/2
			}
			if p, ok := pos[entry]; !ok || x < p[0] {
				pos[entry] = [2]float64{x, y}
			}
		}
		for i := 1; i < len(ids); i++ {
			a, b := pos[ids[i-1]], pos[ids[i]]
			sameRow := b[1]-a[1] < 20 && a[1]-b[1] < 20
			if sameRow && b[0] <= a[0] || !sameRow && (b[1] <= a[1] || b[0] >= a[0]) {
				t.Errorf("%+v: legend entry %s at %v, after %s at %v", opt, ids[i], b, ids[i-1], a)
			}
		}
	}
}

// TestCoordinationHostile: what a program declares is drawn whatever its
// names and kinds hold, and ids out of range, nil declarations and
// contract edges the analysis does not know are ignored, never a panic.
func TestCoordinationHostile(t *testing.T) {
	p := hostileProgram(t, hostileNames)
	g := p.Graph
	kind := "to\"tal<&>\\N\norder"
	p.Coordination = []monotonic.CoordinationUse{
		{Decl: &modules.Coordination{Kind: kind, On: []modules.Ref{{Name: hostileNames[1]}}, Module: "M<&>\"", Pos: modules.Pos{File: "f\"<.yaml", Line: 3}}, Nodes: []int{1, 3, 99, -1}, Mechanism: []int{2, 1000, -5}},
		{Nodes: []int{3}, Mechanism: []int{len(g.Edges)}, Needed: true},
	}
	p.Seals = []monotonic.SealUse{
		{Seal: &modules.Seal{Collection: modules.Ref{Name: hostileNames[4]}, Key: []modules.Ref{{Name: `k"e\y`}}, By: modules.Ref{Name: hostileNames[0]}, Module: "M<&>\""},
			Collection: 4, By: 0, Covers: []int{3, 77, -1}, Misses: []int{5, 1 << 30}},
		{Collection: 500, By: -3, Covers: []int{4}},
		{Collection: 2, By: 5},
	}
	p.ContractEdges = []monotonic.ContractEdge{
		{From: 0, To: 6, Label: monotonic.N, Contract: &modules.Contract{Module: "<P>", Label: "N"}},
		{From: -1, To: 1000},
		{From: 7, To: 8},
		{From: 1, To: 2, Label: 9},
	}
	for _, opt := range []Options{defaults, {Legend: true, Clusters: true, Highlight: "D", Effective: true, Collapse: true}, {Focus: hostileNames[3]}} {
		v := build(t, []Program{p}, opt)
		root := parseSVG(t, svgOf(t, v))
		if opt.Focus == "" && !opt.Collapse {
			want := lock + " " + strings.ReplaceAll(kind, "\n", " ") + " (unneeded)"
			found := false
			for _, n := range groups(root, "coordinated") {
				_, l := nameAndLock(n)
				found = found || strings.Join(strings.Fields(strings.ReplaceAll(l, "\u00a0", " ")), " ") == strings.Join(strings.Fields(want), " ")
			}
			if len(groups(root, "coordinated")) != 2 || !found {
				t.Errorf("%+v: coordinated nodes %d, lock line %q not found", opt, len(groups(root, "coordinated")), want)
			}
			if n := len(groups(root, EdgeSeal)); n != 2 {
				t.Errorf("%+v: %d seal edges, want 2", opt, n)
			}
			n := 0
			for _, e := range groups(root, EdgeContract) {
				if !e.hasClass("legend") {
					n++
				}
			}
			if n != 3 {
				t.Errorf("%+v: %d contract edges, want 3 (two have no contract: drawn all the same)", opt, n)
			}
		}
		var b bytes.Buffer
		if err := WriteMermaid(&b, v); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(b.String(), "\n") {
			if strings.Count(l, `"`)%2 != 0 {
				t.Errorf("mermaid line %q", l)
			}
		}
		b.Reset()
		if err := WriteJSON(&b, v); err != nil {
			t.Fatal(err)
		}
		if err := WritePNG(context.Background(), &b, v); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPNGLock: the Go fonts have no lock; the PNG draws one where the
// SVG writes it, in the colour of the text.
func TestPNGLock(t *testing.T) {
	green := color.NRGBA{0x1a, 0x7f, 0x37, 255}
	count := func(text string) int {
		svg := `<svg width="60pt" height="24pt"><text x="4" y="18" font-size="14" fill="#1a7f37">` + text + `</text></svg>`
		var b bytes.Buffer
		if err := rasterize(&b, []byte(svg), pngScale); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&b)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				if color.NRGBAModel.Convert(img.At(x, y)) == green {
					n++
				}
			}
		}
		return n
	}
	if n := count(lock); n < 40 {
		t.Errorf("%d pixels of the lock's colour: no lock drawn", n)
	}
	if a, b := count("x"), count(lock+" x"); b < a+40 {
		t.Errorf("the lock before a word adds %d pixels", b-a)
	}
}
