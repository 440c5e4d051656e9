package monotonic

import (
	"fmt"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
)

// spec writes a spec file of one module M with the given state and one
// rule block r.
func spec(state []string, rules ...string) string {
	var b strings.Builder
	b.WriteString("modules:\n  M:\n    state:\n")
	for _, s := range state {
		fmt.Fprintf(&b, "      - '%s'\n", s)
	}
	b.WriteString("    rules:\n      r:\n")
	if len(rules) == 0 {
		b.WriteString("        []\n")
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "        - '%s'\n", r)
	}
	return b.String()
}

// compose loads one spec file and composes the given root modules (M
// when none is given).
func compose(t testing.TB, src string, roots ...string) *modules.Program {
	t.Helper()
	lib := modules.NewLibrary()
	if ds := lib.LoadData("t.yaml", []byte(src)); ds.HasErrors() {
		t.Fatalf("load: %v\n%s", ds, src)
	}
	if len(roots) == 0 {
		roots = []string{"M"}
	}
	var refs []modules.Ref
	for _, r := range roots {
		refs = append(refs, modules.Ref{Name: r})
	}
	p, ds := lib.Compose("t", refs)
	if ds.HasErrors() {
		t.Fatalf("compose: %v\n%s", ds, src)
	}
	return p
}

// run analyses a program with the given analyzers (all when none) and
// finishes its findings.
func run(t testing.TB, p *modules.Program, as ...*Analyzer) (*Result, []Finding) {
	t.Helper()
	if len(as) == 0 {
		as = Analyzers
	}
	res := Analyze(p, as)
	return res, Finish(p, res.Findings, Options{})
}

// builtin composes a program of the built-in library.
func builtin(t testing.TB, name string) *modules.Program {
	t.Helper()
	lib := modules.NewLibrary()
	if ds := lib.LoadFS(specs.FS, "specs"); ds.HasErrors() {
		t.Fatalf("built-in library: %v", ds)
	}
	p, ds := lib.ComposeProgram(name)
	if ds.HasErrors() {
		t.Fatalf("program %s: %v", name, ds)
	}
	return p
}

// builtinModules composes built-in modules into an ad hoc program.
func builtinModules(t testing.TB, mods ...string) *modules.Program {
	t.Helper()
	lib := modules.NewLibrary()
	if ds := lib.LoadFS(specs.FS, "specs"); ds.HasErrors() {
		t.Fatalf("built-in library: %v", ds)
	}
	var refs []modules.Ref
	for _, m := range mods {
		refs = append(refs, modules.Ref{Name: m})
	}
	p, ds := lib.Compose(strings.Join(mods, "+"), refs)
	if ds.HasErrors() {
		t.Fatalf("modules %v: %v", mods, ds)
	}
	return p
}

// of returns the findings of one check.
func of(fs []Finding, check Check) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Check == check {
			out = append(out, f)
		}
	}
	return out
}

// keys renders findings as "check: collections" for comparisons.
func keys(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Check)+": "+strings.Join(f.Collections, ","))
	}
	return out
}

// labelOf returns the label of the path from the collection from to the
// collection to (and false if there is none).
func labelOf(t testing.TB, res *Result, from, to string) (Label, bool) {
	t.Helper()
	g := res.Graph
	for _, p := range res.Paths {
		if g.Nodes[p.From].Name == from && g.Nodes[p.To].Name == to {
			return p.Label, true
		}
	}
	return Bot, false
}
