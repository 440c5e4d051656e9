package render

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// denseSpec is a module of n tables where each reads every earlier one
// (a DAG: no component to collapse) or, with cycles, every other one.
func denseSpec(n int, cycles bool) string {
	var st, rules []string
	for i := range n {
		st = append(st, fmt.Sprintf("table t%d(a)", i))
		for j := range n {
			if j < i || cycles && j != i {
				rules = append(rules, fmt.Sprintf("        - 't%d(A) <= t%d(A)'\n", i, j))
			}
		}
	}
	return "modules:\n  K:\n    state: [" + strings.Join(st, ", ") + "]\n    rules:\n      r:\n" + strings.Join(rules, "")
}

// TestLayoutBudgetByEdges: the layout budget counts edges too (a complete
// graph of 50 collections, 2,450 rules, ran over 250 s): a dense program
// is collapsed and, if that does not help, folded (a module in parts
// along its dataflow), each with a note.
func TestLayoutBudgetByEdges(t *testing.T) {
	complete := build(t, []Program{specProgram(t, denseSpec(50, true), "K")}, defaults)
	if len(complete.Notes) != 1 || !strings.Contains(complete.Notes[0], "strongly connected components collapsed") {
		t.Errorf("complete graph: notes %q", complete.Notes)
	}
	if n := len(complete.Programs[0].Nodes); n > 5 {
		t.Errorf("complete graph: %d nodes drawn", n)
	}
	parseSVG(t, svgOf(t, complete))
	dag := build(t, []Program{specProgram(t, denseSpec(50, false), "K")}, defaults)
	if len(dag.Notes) != 2 || !strings.Contains(dag.Notes[1], "--collapse=module") || dag.Programs[0].Fast {
		t.Errorf("dense DAG: notes %q", dag.Notes)
	}
	if pv := dag.Programs[0]; len(pv.Nodes) > DefaultMaxNodes || len(pv.Edges)-len(pv.Nodes) > DefaultMaxEdges {
		t.Errorf("dense DAG: %d nodes and %d edges drawn", len(pv.Nodes), len(pv.Edges))
	}
	parseSVG(t, svgOf(t, dag))
	// Sparse programs keep the careful layout.
	small := build(t, []Program{specProgram(t, denseSpec(12, false), "K")}, defaults)
	if len(small.Notes) != 0 {
		t.Errorf("66 edges: notes %q", small.Notes)
	}
	// A negative bound turns the edge budget off.
	o := defaults
	o.MaxEdges = -1
	if v := build(t, []Program{specProgram(t, denseSpec(50, false), "K")}, o); len(v.Notes) != 0 {
		t.Errorf("MaxEdges -1: notes %q", v.Notes)
	}
}

// TestLayoutTimeout: a layout that runs past LayoutTimeout stops with an
// error that says what to do, whatever its shape. In a child process: the
// stopped module draws nothing more.
func TestLayoutTimeout(t *testing.T) {
	if os.Getenv("RENDER_TEST_LAYOUT_TIMEOUT") != "" {
		LayoutTimeout = 50 * time.Millisecond
		o := defaults
		o.MaxNodes, o.MaxEdges = -1, -1
		v := build(t, []Program{specProgram(t, denseSpec(40, false), "K")}, o)
		start := time.Now()
		_, err := SVG(context.Background(), v)
		fmt.Printf("elapsed=%v err=%v\n", time.Since(start).Round(time.Second), err)
		_, err = SVG(context.Background(), build(t, []Program{specProgram(t, denseSpec(2, false), "K")}, defaults))
		fmt.Printf("after=%v\n", err)
		return
	}
	if testing.Short() {
		t.Skip("compiles Graphviz in a child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLayoutTimeout$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "RENDER_TEST_LAYOUT_TIMEOUT=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "err=Graphviz's layout took longer than 50ms: too large to draw") || !strings.Contains(s, "after=Graphviz's layout took longer") {
		t.Errorf("%s", s)
	}
	if strings.Contains(s, "elapsed=") && !strings.Contains(s, "elapsed=0s") && !strings.Contains(s, "elapsed=1s") && !strings.Contains(s, "elapsed=2s") {
		t.Errorf("the layout was not stopped promptly: %s", s)
	}
}
