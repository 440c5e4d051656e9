package executor

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// lineageOf renders the lineage of each output fact as
// "node fact: rule,rule | input,input".
func lineageOf(s *Setup, res *Result) []string {
	var out []string
	for _, fl := range res.Lineage.Outputs {
		var rules []string
		for _, i := range fl.Rules {
			r := s.Program().Source().Rules[i]
			rules = append(rules, r.Block+fmt.Sprint(r.Index))
		}
		out = append(out, fmt.Sprintf("%s %s: %s | %s", fl.Node, fl.Fact, strings.Join(rules, ","), strings.Join(fl.Inputs, ",")))
	}
	return out
}

// The lineage of an output fact: the rules and inputs it was derived
// through, across messages, deferred changes and tables; a negation adds
// its rule but not what it negates; a fact derived twice has both
// lineages; an aggregate has the lineage of its group's matches.
func TestLineage(t *testing.T) {
	spec := `
modules:
  M:
    state:
      - input   put(to, x)
      - input   block(x)
      - channel pass(@to, x)
      - table   kept(x)
      - table   blocked(x)
      - scratch direct(x)
      - output  out(x)
      - output  total(n)
    rules:
      send:
        - pass(T, X) <~ put(T, X)
      keep:
        - kept(X) <+ pass(_, X)
        - blocked(X) <= block(X)
      show:
        - out(X) <= kept(X), notin blocked(X)
        - direct(X) <= block(X)
        - out(X) <= direct(X)
        - total(count<X>) <= kept(X)
`
	s := prepare(t, spec, `
workload:
  modules: [M]
  nodes: [a, b]
  inputs:
    - {node: a, tick: 1, fact: 'put("b", 1)'}
    - {node: b, tick: 6, fact: 'block(2)'}
    - {node: b, tick: 6, fact: 'block(1)'}
`)
	res := mustRun(t, s, Options{Lineage: true})
	got := lineageOf(s, res)
	want := []string{
		`b out(1): send0,keep0,show0,show1,show2 | put,block`,
		`b out(2): show1,show2 | block`,
		`b total(1): send0,keep0,show3 | put`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lineage\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without Options.Lineage nothing is recorded.
	if res := mustRun(t, s, Options{}); res.Lineage != nil {
		t.Error("lineage recorded without Options.Lineage")
	}
}

// A table fact read after a deletion carries the deleting rule; the
// facts each rule derived are listed per node.
func TestLineageDeletionAndDerived(t *testing.T) {
	s := prepare(t, `
modules:
  M:
    state:
      - input  set(k, v)
      - input  get(k)
      - table  reg(k, v)
      - output val(k, v)
    rules:
      w:
        - reg(K, V) <+ set(K, V)
        - reg(K, V) <- reg(K, V), set(K, _)
      r:
        - val(K, V) <= get(K), reg(K, V)
`, oneNode+`
  inputs:
    - {node: n, tick: 1, fact: 'set(1, "x")'}
    - {node: n, tick: 2, fact: 'get(1)'}
    - {node: n, tick: 3, fact: 'set(1, "y")'}
    - {node: n, tick: 5, fact: 'get(1)'}
`)
	res := mustRun(t, s, Options{Lineage: true})
	got := lineageOf(s, res)
	want := []string{
		`n val(1, "x"): w0,r0 | set,get`,
		`n val(1, "y"): w0,w1,r0 | set,get`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lineage\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var derived []string
	for _, rf := range res.Lineage.Derived {
		for _, nf := range rf.Facts {
			derived = append(derived, fmt.Sprintf("%d %s %s", rf.Rule, nf.Node, nf.Fact))
		}
	}
	wantD := []string{`0 n reg(1, "x")`, `0 n reg(1, "y")`, `1 n reg(1, "x")`, `2 n val(1, "x")`, `2 n val(1, "y")`}
	if !reflect.DeepEqual(derived, wantD) {
		t.Errorf("derived %q, want %q", derived, wantD)
	}
}

// Lineage changes nothing else: the same outputs, tables and counts.
func TestLineageSameRun(t *testing.T) {
	s := builtin(t, "replicated-disorderly-cart")
	for seed := uint64(1); seed <= 5; seed++ {
		a := mustRun(t, s, Options{Seed: seed})
		b := mustRun(t, s, Options{Seed: seed, Lineage: true})
		if !reflect.DeepEqual(a.Nodes, b.Nodes) || a.Stats != b.Stats || a.Ticks != b.Ticks {
			t.Fatalf("seed %d: lineage changed the run", seed)
		}
		if len(b.Lineage.Outputs) == 0 {
			t.Fatal("no output lineage")
		}
	}
}
