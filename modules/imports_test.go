package modules

import (
	"strings"
	"testing"
)

const importSpec = `modules:
  Proto:
    state:
      - input  p_in(a) => (b)
      - output p_out(a) => (b)
  Impl:
    include: [Proto]
    state:
      - table mem(a) => (b)
    rules:
      keep:
        - mem <= p_in
      out:
        - p_out <= mem
  Twice:
    import:
      x: Impl
      y: {module: Impl}
    state:
      - input  in(a) => (b)
      - output out(a) => (b)
    rules:
      route:
        - x.p_in <= in
        - y.p_in(A, B) <= x.p_out(A, B)
        - out <= y.p_out
  Outer:
    import:
      t: Twice
    state:
      - input  go(a) => (b)
      - output done(a) => (b)
    rules:
      r:
        - t.in <= go
        - done <= t.out
        - done(A, B) <= t.x.mem(A, B)
`

func TestImportComposition(t *testing.T) {
	_, p, ds := load(t, importSpec, "Twice")
	wantDiags(t, ds)
	var names []string
	for _, d := range p.Collections {
		names = append(names, d.Name+"@"+d.Instance)
	}
	want := "x.p_in@x x.p_out@x x.mem@x y.p_in@y y.p_out@y y.mem@y in@ out@"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("collections:\n got %s\nwant %s", got, want)
	}
	var rules []string
	for _, r := range p.Rules {
		rules = append(rules, r.Instance+"|"+r.Module+"."+r.Block+"|"+r.Text)
	}
	wantRules := []string{
		"x|Impl.keep|x.mem <= x.p_in",
		"x|Impl.out|x.p_out <= x.mem",
		"y|Impl.keep|y.mem <= y.p_in",
		"y|Impl.out|y.p_out <= y.mem",
		"|Twice.route|x.p_in <= in",
		"|Twice.route|y.p_in(A, B) <= x.p_out(A, B)",
		"|Twice.route|out <= y.p_out",
	}
	if got := strings.Join(rules, "\n"); got != strings.Join(wantRules, "\n") {
		t.Errorf("rules:\n got %s\nwant %s", got, strings.Join(wantRules, "\n"))
	}
	// The instances' rules are copies: the module's own rules keep their
	// names, and the two instances share nothing.
	if p.Rules[0] == p.Rules[2] || p.Rules[0].Head.Pred == p.Rules[2].Head.Pred {
		t.Error("two instances share a rule")
	}
	if m := p.Module("Impl"); m == nil || p.Instance("y").Module != "Impl" || p.Instance("y").Label() != "y: Impl" {
		t.Errorf("instance lookup: %v %+v", m, p.Instance("y"))
	}

	_, p, ds = load(t, importSpec, "Outer")
	wantDiags(t, ds)
	var paths []string
	for _, in := range p.Instances {
		paths = append(paths, in.Path+"<"+in.Parent+">"+in.Module)
	}
	if got := strings.Join(paths, " "); got != "t<>Twice t.x<t>Impl t.y<t>Impl" {
		t.Errorf("nested instances: %s", got)
	}
	if d := p.Collection("t.x.mem"); d == nil || d.Instance != "t.x" || d.Local() != "mem" || d.Module != "Impl" {
		t.Errorf("nested collection: %+v", d)
	}
	if r := p.Rules[len(p.Rules)-1]; r.Text != "done(A, B) <= t.x.mem(A, B)" {
		t.Errorf("importer's own rule: %q", r.Text)
	}
	found := false
	for _, r := range p.Rules {
		if r.Text == "t.y.p_in(A, B) <= t.x.p_out(A, B)" && r.Instance == "t" {
			found = true
		}
	}
	if !found {
		t.Error("the nested importer's rules are qualified twice")
	}
}

// TestImportErrors: every error of import, with its position.
func TestImportErrors(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		roots []string
		want  []string
	}{
		{"unknown module", importSpec + "  Bad:\n    import: {z: Implx}\n", []string{"Bad"},
			[]string{"39:17: error: module Bad imports unknown module Implx (did you mean Impl?)"}},
		{"instance clashes with a collection", importSpec + "  Bad:\n    import: {mem: Impl}\n    state: [table mem(a)]\n", []string{"Bad"},
			[]string{"39:14: error: instance name mem clashes with the collection mem declared in Bad at t.yaml:40:13; rename one of them"}},
		{"qualified name into no instance", importSpec + "  Bad:\n    import: {x: Impl}\n    rules:\n      r:\n        - z.p_in <= x.p_out\n", []string{"Bad"},
			[]string{"42:11: error: unknown collection z.p_in in Bad.r: the program imports no instance z (did you mean x?)"}},
		{"qualified name into a program without imports", "modules:\n  A:\n    state: [table t(a)]\n    rules:\n      r: ['t <= bed.t']\n", []string{"A"},
			[]string{"5:17: error: unknown collection bed.t in A.r: bed.t names a collection of the instance bed, but the program imports no module (add `import: {bed: SomeModule}`)"}},
		{"misspelt collection of an instance", importSpec + "  Bad:\n    import: {bed: Impl}\n    state: [input i(a) => (b)]\n    rules:\n      r:\n        - bed.p_inn <= i\n", []string{"Bad"},
			[]string{"43:11: error: unknown collection bed.p_inn in Bad.r (did you mean bed.p_in?)"}},
		{"importer's names are invisible to the instance", "modules:\n  In:\n    state: [table t(a)]\n    rules:\n      r: ['t <= secret']\n  Out:\n    import: {i: In}\n    state: [table secret(a)]\n", []string{"Out"},
			[]string{"5:17: error: unknown collection secret in In.r"}},
		{"cycle", "modules:\n  A:\n    import: {b: B}\n  B:\n    include: [C]\n  C:\n    import: {a: A}\n", []string{"A"},
			[]string{"3:14: error: import cycle: B -> a: A -> b: B (an instance would contain itself)"}},
		{"self import", "modules:\n  A:\n    import: {me: A}\n", []string{"A"},
			[]string{"3:14: error: import cycle: A -> me: A (an instance would contain itself)"}},
		{"conflicting imports", importSpec + "  L:\n    import: {z: Impl}\n  R:\n    import: {z: Proto}\n  Both:\n    include: [L, R]\n", []string{"Both"},
			[]string{"41:14: error: conflicting imports: R imports Proto as z, but L imports Impl as z (t.yaml:39:14)"}},
		{"instance name", "modules:\n  A:\n    import: {Bed: B}\n  B: {}\n", nil,
			[]string{`3:14: error: instance name "Bed" must start with a lowercase letter, then letters, digits or _ (it qualifies the instance's collections: Bed.pipe_in)`}},
		{"import without module", "modules:\n  A:\n    import: {b: {mod: B}}\n", nil,
			[]string{`3:18: error: unknown key "mod" in the import b (known keys: module)`, "3:14: error: the import b needs a module: `b: {module: SomeModule}`"}},
		{"qualified declaration", "modules:\n  A:\n    state: [table b.t(a)]\n", nil,
			[]string{`3:19: error: a declared collection name cannot be qualified: "b.t" names a collection of the imported instance b, which its own module declares`}},
		{"dot without a name", "modules:\n  A:\n    state: [table t(a)]\n    rules:\n      r: ['t <= b.T']\n", nil,
			[]string{`5:18: error: expected a lowercase name after '.' in the qualified name "b."`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, ds := load(t, tc.src, tc.roots...)
			wantDiags(t, ds, tc.want...)
		})
	}
}
