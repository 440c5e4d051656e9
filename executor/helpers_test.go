package executor

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
)

// prepare loads spec (a YAML spec file's text) and the workload text into
// a Setup, failing the test on any error.
func prepare(t testing.TB, spec, workload string) *Setup {
	t.Helper()
	s, ds := tryPrepare(spec, workload)
	if ds.HasErrors() {
		t.Fatalf("prepare: %v", ds)
	}
	return s
}

func tryPrepare(spec, workload string) (*Setup, modules.Diagnostics) {
	lib := modules.NewLibrary()
	if spec != "" {
		if ds := lib.LoadData("spec.yaml", []byte(spec)); ds.HasErrors() {
			return nil, ds
		}
	}
	w, ds := ParseWorkload("workload.yaml", []byte(workload))
	if ds.HasErrors() {
		return nil, ds
	}
	return Prepare(lib, w)
}

// builtin prepares a built-in workload against the built-in library.
func builtin(t testing.TB, name string) *Setup {
	t.Helper()
	lib := modules.NewLibrary()
	if ds := lib.LoadFS(specs.FS, "specs"); ds.HasErrors() {
		t.Fatalf("built-in library: %v", ds)
	}
	data, err := specs.Workloads.ReadFile("workloads/" + name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, ds := ParseWorkload("specs/workloads/"+name+".yaml", data)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	s, ds := Prepare(lib, w)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return s
}

func exec(t testing.TB, s *Setup, o Options) *Result {
	t.Helper()
	return s.Run(context.Background(), o)
}

// mustRun runs and fails the test unless the run quiesced without error.
func mustRun(t testing.TB, s *Setup, o Options) *Result {
	t.Helper()
	res := exec(t, s, o)
	if res.Err != nil || !res.Quiescent {
		t.Fatalf("run stopped (%s): %v", res.Stop, res.Err)
	}
	return res
}

// outputs renders a node's outputs as "tick fact" lines joined by "; ".
func outputs(res *Result, node string) string {
	for _, n := range res.Nodes {
		if n.Node == node {
			var parts []string
			for _, o := range n.Outputs {
				parts = append(parts, fmt.Sprintf("%d %s", o.Tick, o.Fact))
			}
			return strings.Join(parts, "; ")
		}
	}
	return "(no node " + node + ")"
}

// tables renders a node's final tables (of the named collection, or all)
// joined by "; ".
func tables(res *Result, node, coll string) string {
	for _, n := range res.Nodes {
		if n.Node == node {
			var parts []string
			for _, f := range n.Tables {
				if coll == "" || f.Collection == coll {
					parts = append(parts, f.String())
				}
			}
			return strings.Join(parts, "; ")
		}
	}
	return "(no node " + node + ")"
}

func traceText(res *Result) string {
	var b strings.Builder
	res.Trace.WriteText(&b)
	return b.String()
}
