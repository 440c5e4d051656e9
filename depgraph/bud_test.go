package depgraph

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
)

// budReliableDelivery is Bud 0.9.9's t_depends for bud-sandbox's
// ReliableDelivery (delivery/reliable.rb, which imports BestEffortDelivery
// as bed), one row per (rule, body collection): lhs, op, body, nm. The
// rows of the instance come first, qualified by resolve_imports.
var budReliableDelivery = []string{
	"bed.pipe_chan <~ bed.pipe_in",
	"bed.pipe_out <= bed.pipe_chan",
	"bed.pipe_sent <= bed.pipe_in",
	"bed.pipe_in <= pipe_in",
	"bed.pipe_in <= buf",
	"bed.pipe_in <= clock",
	"pipe_out <= bed.pipe_out",
	"ack <~ bed.pipe_out",
	"msg_acked <= buf",
	"msg_acked <= ack",
	"pipe_sent <= msg_acked",
	"buf <- msg_acked nm",
	"buf <= pipe_in",
}

func builtinProgram(t *testing.T, name string) *modules.Program {
	t.Helper()
	lib := modules.NewLibrary()
	if ds := lib.LoadFS(specs.FS, "specs"); ds.HasErrors() {
		t.Fatal(ds)
	}
	p, ds := lib.ComposeProgram(name)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return p
}

// TestBudTDependsReliableDelivery: the import-based ReliableDelivery of the
// built-in library has Bud's dependency edges, row for row (the same
// multiset of rows; Bud's table has no order).
func TestBudTDependsReliableDelivery(t *testing.T) {
	g := Build(builtinProgram(t, "delivery-reliable-import"))
	var got []string
	for _, e := range g.Edges {
		row := fmt.Sprintf("%s %s %s", g.Nodes[e.To].Name, e.Op, g.Nodes[e.From].Name)
		if e.Nonmonotonic {
			row += " nm"
		}
		got = append(got, row)
	}
	want := slices.Clone(budReliableDelivery)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("t_depends:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	// Bud's t_provides, qualified: the instance's interfaces are there,
	// but the importer connects them (all but bed.pipe_sent), so the
	// program's sources and sinks are its own interfaces only.
	wantEnds(t, g, "pipe_in", "pipe_sent pipe_out", "bed.pipe_sent output")
}

// wantEnds checks the sources, the sinks and the dangling ends of g, each
// given as space-separated names (a dangling end with its direction).
func wantEnds(t *testing.T, g *Graph, sources, sinks, dangling string) {
	t.Helper()
	var dang []string
	for _, d := range g.Underspecified() {
		dang = append(dang, g.Nodes[d.Node].Name+" "+string(d.Direction))
	}
	for _, c := range []struct{ what, got, want string }{
		{"sources", strings.Join(g.Names(g.Sources()), " "), sources},
		{"sinks", strings.Join(g.Names(g.Sinks()), " "), sinks},
		{"underspecified", strings.Join(dang, " "), dangling},
	} {
		if c.got != c.want {
			t.Errorf("%s %q, want %q", c.what, c.got, c.want)
		}
	}
}

// TestImportedInterfaces: an instance's input that the importer never
// writes, and its output that the importer never reads, dangle; when the
// importer connects them they are internal.
func TestImportedInterfaces(t *testing.T) {
	const src = `modules:
  Echo:
    state:
      - input  i(a)
      - output o(a)
    rules:
      r: ['o <= i']
  Two:
    import: {x: Echo, y: Echo}
    state:
      - input  in(a)
      - output out(a)
    rules:
      r:
        - x.i <= in
        - out <= y.o
`
	g := Build(compose(t, src, "Two"))
	wantEnds(t, g, "in", "out", "x.o output y.i input")
	// y.i is still an entry: facts may be given to it directly.
	if got := g.Names(g.Entries()); !slices.Equal(got, []string{"y.i", "in"}) {
		t.Errorf("entries %v", got)
	}
}
