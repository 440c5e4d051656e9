package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// foldChecks asserts what every folded view must be: every drawn
// collection exactly once (a node, a member of a component, a member of
// a folded node), within the budget when one is given, deterministic.
func foldChecks(t *testing.T, p Program, opt Options) *View {
	t.Helper()
	v := build(t, []Program{p}, opt)
	pv := v.Programs[0]
	seen := map[string]int{}
	for _, n := range pv.Nodes {
		switch n.Kind {
		case KindSource, KindSink, KindUnderspecified:
		case KindComponent, KindFolded:
			if len(n.Members) == 0 {
				t.Errorf("%s %q without members", n.Kind, n.Name)
			}
			for _, m := range n.Members {
				seen[m]++
			}
		default:
			seen[n.Name]++
		}
	}
	if opt.Focus == "" {
		for _, n := range p.Graph.Nodes {
			if seen[n.Name] != 1 {
				t.Errorf("collection %s drawn %d times", n.Name, seen[n.Name])
			}
		}
		if len(seen) != len(p.Graph.Nodes) {
			t.Errorf("%d collections drawn, the program has %d", len(seen), len(p.Graph.Nodes))
		}
	}
	if opt.MaxNodes > 0 && !pv.Fast {
		if len(pv.Nodes) > opt.MaxNodes || opt.MaxEdges > 0 && len(pv.Edges)-len(pv.Nodes) > opt.MaxEdges {
			t.Errorf("%d nodes and %d edges drawn, over the budget of %d nodes and %d edges beyond one per node", len(pv.Nodes), len(pv.Edges), opt.MaxNodes, opt.MaxEdges)
		}
	}
	if !bytes.Equal(dotOf(t, v), dotOf(t, build(t, []Program{p}, opt))) {
		t.Error("two builds differ")
	}
	return v
}

// layeredSpec is n layers of w collections each, in modules of m layers
// (all in one module when m is 0); each collection reads two of the
// layer before, and every tenth layer's first collection is read through
// a notin (a point of order, whose collections are the findings').
func layeredSpec(n, w, m int) string {
	var b strings.Builder
	b.WriteString("modules:\n")
	mod := func(l int) int {
		if m == 0 {
			return 0
		}
		return l / m
	}
	for l := 0; l < n; l++ {
		if l == 0 || mod(l) != mod(l-1) {
			fmt.Fprintf(&b, "  M%d:\n    state:\n", mod(l))
			for ll := l; ll < n && mod(ll) == mod(l); ll++ {
				for i := 0; i < w; i++ {
					kind := "scratch"
					switch {
					case ll == 0:
						kind = "input"
					case ll == n-1:
						kind = "output"
					case i%3 == 0:
						kind = "table"
					}
					fmt.Fprintf(&b, "      - %s c%d_%d(k)\n", kind, ll, i)
				}
			}
			var rules strings.Builder
			for ll := max(l, 1); ll < n && mod(ll) == mod(l); ll++ {
				for i := 0; i < w; i++ {
					if i == 0 && ll%10 == 5 {
						fmt.Fprintf(&rules, "        - c%d_%d(K) <= c%d_%d(K), notin c%d_%d(K)\n", ll, i, ll-1, i, ll-1, (i+1)%w)
						continue
					}
					fmt.Fprintf(&rules, "        - c%d_%d(K) <= c%d_%d(K)\n", ll, i, ll-1, i)
					fmt.Fprintf(&rules, "        - c%d_%d(K) <= c%d_%d(K)\n", ll, i, ll-1, (i+w-1)%w)
				}
			}
			if rules.Len() == 0 {
				b.WriteString("    rules:\n      r: []\n")
			} else {
				b.WriteString("    rules:\n      r:\n" + rules.String())
			}
		}
	}
	return b.String()
}

func layeredProgram(t testing.TB, n, w, m int) Program {
	t.Helper()
	nmods := 1
	if m > 0 {
		nmods = (n + m - 1) / m
	}
	var mods []string
	for i := range nmods {
		mods = append(mods, fmt.Sprintf("M%d", i))
	}
	return specProgram(t, layeredSpec(n, w, m), mods...)
}

// TestFoldLargeProgram: a program still too large once its components
// are collapsed is folded by module, a large module in parts; the
// findings' collections stay expanded, as many as the budget allows; a
// note says what was done and how to see the rest.
func TestFoldLargeProgram(t *testing.T) {
	p := layeredProgram(t, 100, 8, 25) // 800 collections, 4 modules of 200
	opt := Options{Legend: true, Clusters: true, MaxNodes: 120, MaxEdges: 60}
	v := foldChecks(t, p, opt)
	pv := v.Programs[0]
	if pv.FoldedBy == "" || pv.Fast {
		t.Fatalf("folded by %q, fast %v; notes %q", pv.FoldedBy, pv.Fast, v.Notes)
	}
	if len(v.Notes) != 2 || !strings.Contains(v.Notes[1], "--collapse=module") || !strings.Contains(v.Notes[1], "--focus COLLECTION") {
		t.Errorf("notes %q", v.Notes)
	}
	if pv.Wanted == 0 || pv.Kept == 0 {
		t.Errorf("kept %d of %d findings' collections", pv.Kept, pv.Wanted)
	}
	if want := fmt.Sprintf("%d of the %d collections the findings are about kept expanded", pv.Kept, pv.Wanted); pv.Kept < pv.Wanted && !strings.Contains(v.Notes[1], want) {
		t.Errorf("note %q, want %q", v.Notes[1], want)
	}
	folded := 0
	for _, n := range pv.Nodes {
		if n.Kind == KindFolded {
			folded++
			if !strings.HasPrefix(n.Name, "module M") || !strings.Contains(n.Tooltip, "--focus COLLECTION") {
				t.Errorf("folded node %q, tooltip %q", n.Name, n.Tooltip)
			}
			if n.Group < 0 {
				t.Errorf("folded node %q outside its module's cluster", n.Name)
			}
		}
	}
	if folded < 4 {
		t.Errorf("%d folded nodes for 4 modules", folded)
	}
	// The first point of order's collections are kept: c5_0 (its head)
	// and its two body collections.
	names := map[string]bool{}
	for _, n := range pv.Nodes {
		names[n.Name] = true
	}
	for _, c := range []string{"c5_0", "c4_0", "c4_1"} {
		if !names[c] {
			t.Errorf("%s (a finding's collection) folded", c)
		}
	}
	parseSVG(t, svgOf(t, v))
}

// TestFoldManyModules: more modules than the budget has nodes: bands of
// the dataflow instead.
func TestFoldManyModules(t *testing.T) {
	p := layeredProgram(t, 60, 2, 1) // 60 modules of 2 collections
	opt := Options{Legend: true, Clusters: true, MaxNodes: 20, MaxEdges: 10}
	v := foldChecks(t, p, opt)
	pv := v.Programs[0]
	if pv.FoldedBy != "dataflow" || !strings.Contains(v.Notes[len(v.Notes)-1], "bands of the dataflow") {
		t.Errorf("folded by %q; notes %q", pv.FoldedBy, v.Notes)
	}
	for _, n := range pv.Nodes {
		if n.Kind == KindFolded && (n.Group != -1 || !strings.HasPrefix(n.Name, "components ")) {
			t.Errorf("band %q in group %d", n.Name, n.Group)
		}
	}
}

// TestFoldBudgets: whatever the budget (of at least 4 nodes: S, T, ??
// and one), the folded picture fits it and draws every collection once.
func TestFoldBudgets(t *testing.T) {
	progs := map[string]Program{
		"layered":      layeredProgram(t, 40, 5, 7),
		"one module":   layeredProgram(t, 40, 5, 0),
		"dense DAG":    specProgram(t, denseSpec(40, false), "K"),
		"complete":     specProgram(t, denseSpec(30, true), "K"),
		"many modules": layeredProgram(t, 40, 1, 1),
	}
	for name, p := range progs {
		for _, b := range [][2]int{{4, 0}, {6, 2}, {10, 5}, {25, 10}, {60, 30}, {200, 100}} {
			t.Run(fmt.Sprintf("%s/%d,%d", name, b[0], b[1]), func(t *testing.T) {
				v := foldChecks(t, p, Options{Clusters: true, MaxNodes: b[0], MaxEdges: b[1]})
				if v.Programs[0].Fast {
					t.Errorf("still too large once folded: %q", v.Notes)
				}
			})
		}
	}
}

// TestFoldExplicit: Options.Fold on a small program folds each module
// whole and, with no budget, keeps every finding's collection expanded.
func TestFoldExplicit(t *testing.T) {
	p := builtinProgram(t, "replicated-disorderly-cart")
	v := foldChecks(t, p, Options{Legend: true, Clusters: true, Fold: true, MaxNodes: -1})
	pv := v.Programs[0]
	if pv.Kept != pv.Wanted || pv.Wanted == 0 {
		t.Errorf("kept %d of %d", pv.Kept, pv.Wanted)
	}
	names := map[string]string{}
	for _, n := range pv.Nodes {
		names[n.Name] = n.Kind
	}
	for _, c := range []string{"status", "action_cnt", "checkout_msg", "cart_action"} {
		if names[c] == "" {
			t.Errorf("%s folded (nodes %v)", c, names)
		}
	}
	if names["module DeliveryProtocol (4 collections)"] != KindFolded {
		t.Errorf("DeliveryProtocol not folded whole: %v", names)
	}
	if len(v.Notes) != 0 {
		t.Errorf("notes %q", v.Notes)
	}
	if !strings.Contains(string(dotOf(t, v)), "shape=folder") {
		t.Error("no folder in the DOT")
	}
	var m bytes.Buffer
	if err := WriteMermaid(&m, v); err != nil || !strings.Contains(m.String(), `[/"module DeliveryProtocol`) {
		t.Errorf("mermaid: %v\n%s", err, m.String())
	}
}

// FuzzFold: layered programs of any size, module split and budget fold
// within the budget, drawing every collection once, deterministically:
//
//	go test ./render -run '^$' -fuzz FuzzFold -fuzztime 1m
func FuzzFold(f *testing.F) {
	f.Add(uint8(40), uint8(5), uint8(7), uint16(10), uint16(5), false)
	f.Add(uint8(60), uint8(1), uint8(1), uint16(20), uint16(10), true)
	f.Add(uint8(3), uint8(3), uint8(0), uint16(4), uint16(0), false)
	f.Fuzz(func(t *testing.T, layers, width, perModule uint8, maxNodes, maxEdges uint16, fold bool) {
		n, w, m := 2+int(layers)%60, 1+int(width)%8, int(perModule)%12
		p := layeredProgram(t, n, w, m)
		opt := Options{Clusters: true, Fold: fold, MaxNodes: 4 + int(maxNodes)%300, MaxEdges: int(maxEdges) % 200}
		v := foldChecks(t, p, opt)
		if pv := v.Programs[0]; pv.Fast {
			t.Errorf("still too large once folded: %q", v.Notes)
		}
	})
}
