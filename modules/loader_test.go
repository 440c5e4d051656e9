package modules

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// load loads src as t.yaml and composes roots (if any); it returns the
// library, the program and every diagnostic as "line:col: severity: msg".
func load(t *testing.T, src string, roots ...string) (*Library, *Program, []string) {
	t.Helper()
	lib := NewLibrary()
	ds := lib.LoadData("t.yaml", []byte(src))
	var p *Program
	if len(roots) > 0 {
		var refs []Ref
		for _, r := range roots {
			refs = append(refs, Ref{Name: r})
		}
		var cds Diagnostics
		p, cds = lib.Compose("p", refs)
		ds = append(ds, cds...)
	}
	var out []string
	for _, d := range ds {
		s := d.Pos.String()
		s = strings.TrimPrefix(s, "t.yaml:")
		out = append(out, s+": "+d.Severity.String()+": "+d.Message)
	}
	return lib, p, out
}

func wantDiags(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

const deliverySpec = `
modules:
  DeliveryProtocol:
    doc: Abstract point-to-point delivery. Second sentence.
    state:
      - input   pipe_in(dst, src, ident) => (payload)
      - output  pipe_out(dst, src, ident) => (payload)
      - channel pipe_chan(@dst, src, ident) => (payload)
  BestEffortDelivery:
    include: [DeliveryProtocol]
    rules:
      snd:
        - pipe_chan <~ pipe_in
      done:
        - pipe_out <= pipe_chan
  ReliableDelivery:
    include: [BestEffortDelivery]
    state:
      - table   pipe(dst, src, ident) => (payload)
      - channel ack(@src, dst, ident)
    rules:
      remember:
        - pipe <= pipe_in
      done:
        - ack(S, D, I) <~ pipe_chan(D, S, I, _)
        - pipe_out(D, S, I, P) <= ack(S, D, I), pipe(D, S, I, P)
`

func TestLoadAndComposeDesignExample(t *testing.T) {
	lib, p, ds := load(t, deliverySpec, "ReliableDelivery")
	wantDiags(t, ds)
	m := lib.Modules["DeliveryProtocol"]
	if m.Pos != (Pos{"t.yaml", 3, 3}) || m.FirstSentence() != "Abstract point-to-point delivery." {
		t.Errorf("module at %v doc %q", m.Pos, m.FirstSentence())
	}
	var names []string
	for _, mod := range p.Modules {
		names = append(names, mod.Name)
	}
	if got := strings.Join(names, " "); got != "DeliveryProtocol BestEffortDelivery ReliableDelivery" {
		t.Errorf("linearization %s", got)
	}
	var rules []string
	for _, r := range p.Rules {
		rules = append(rules, r.Module+"."+r.Block+": "+r.String())
	}
	want := []string{
		"BestEffortDelivery.snd: pipe_chan <~ pipe_in",
		"ReliableDelivery.done: ack(S, D, I) <~ pipe_chan(D, S, I, _)",
		"ReliableDelivery.done: pipe_out(D, S, I, P) <= ack(S, D, I), pipe(D, S, I, P)",
		"ReliableDelivery.remember: pipe <= pipe_in",
	}
	if strings.Join(rules, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s\nwant:\n%s", strings.Join(rules, "\n"), strings.Join(want, "\n"))
	}
	// Bare atoms are expanded with the program's arity.
	if got := p.Rules[0].Head.Args; len(got) != 4 || got[0].String() != "$1" {
		t.Errorf("bare head expanded to %v", got)
	}
	if d := p.Collection("pipe_chan"); d == nil || d.Module != "DeliveryProtocol" || d.Pos != (Pos{"t.yaml", 8, 9}) {
		t.Errorf("pipe_chan = %+v", d)
	}
	if len(p.Collections) != 5 {
		t.Errorf("%d collections", len(p.Collections))
	}
}

func TestComposeDiamondOverrideCycle(t *testing.T) {
	const src = `
modules:
  Base:
    state: [table t(a)]
    rules:
      r: ["t(X) <= s(X)"]
      keep: ["t(X) <= u(X)"]
    # s and u come from elsewhere
  Left:
    include: [Base]
    state: ["scratch s(a)", "scratch u(a)"]
  Right:
    include: [Base]
    state: ["scratch s(a)"]
    rules:
      r: ["t(X) <= s(X), X > 1"]
  Top:
    include: [Left, Right]
  Emptier:
    include: [Top]
    rules:
      r: []
      nothing: []
  A:
    include: [B]
  B:
    include: [C]
  C:
    include: [A]
  Stranger:
    rules:
      keep: ["t(X) <= s(X), X < 0"]
`
	t.Run("diamond", func(t *testing.T) {
		_, p, ds := load(t, src, "Top")
		wantDiags(t, ds)
		if n := len(p.Modules); n != 4 {
			t.Errorf("Base included once through two paths: %d modules", n)
		}
		// Right's block r replaces Base's (Right comes later than Base).
		var rules []string
		for _, r := range p.Rules {
			rules = append(rules, r.Module+"."+r.Block)
		}
		if got := strings.Join(rules, " "); got != "Right.r Base.keep" {
			t.Errorf("rules %s", got)
		}
		if len(p.Collections) != 3 {
			t.Errorf("s declared twice the same way is one collection: %d", len(p.Collections))
		}
	})
	t.Run("empty override", func(t *testing.T) {
		_, p, ds := load(t, src, "Emptier")
		wantDiags(t, ds, `23:7: warning: empty block "nothing" of Emptier replaces no inherited block`)
		if len(p.Rules) != 1 || p.Rules[0].Block != "keep" {
			t.Errorf("r emptied, keep kept: %v", p.Rules)
		}
	})
	t.Run("cycle", func(t *testing.T) {
		_, _, ds := load(t, src, "A")
		wantDiags(t, ds, "29:15: error: include cycle: A -> B -> C -> A")
	})
	t.Run("override of a module not included", func(t *testing.T) {
		_, _, ds := load(t, src, "Top", "Stranger")
		wantDiags(t, ds, `32:7: warning: block "keep" of Stranger replaces block "keep" of Base (t.yaml:7:7), which Stranger does not include; rename one of them if this is not meant`)
	})
	t.Run("unknown root", func(t *testing.T) {
		_, p, ds := load(t, src, "Topp")
		if p != nil {
			t.Error("no program from unknown modules")
		}
		wantDiags(t, ds, "-: error: unknown module Topp (did you mean Top?)")
	})
}

func TestShadowing(t *testing.T) {
	lib := NewLibrary()
	builtin := fstest.MapFS{"a.yaml": {Data: []byte("modules:\n  Cart:\n    state: [table t(a)]\nprograms:\n  p: [Cart]\n")}}
	if ds := lib.LoadFS(builtin, "specs"); len(ds) > 0 {
		t.Fatal(ds)
	}
	if !lib.Modules["Cart"].Builtin || lib.Modules["Cart"].Pos.File != "specs/a.yaml" {
		t.Fatalf("built-in module: %+v", lib.Modules["Cart"])
	}
	ds := lib.LoadData("user.yaml", []byte("modules:\n  Cart:\n    state: [table u(a)]\n  Cart2:\n    include: [Cart]\n"))
	if len(ds) != 1 || ds[0].String() != "user.yaml:2:3: warning: module Cart shadows the built-in module of the same name (specs/a.yaml:2:3) [shadow]" {
		t.Errorf("shadow: %v", ds)
	}
	if lib.Modules["Cart"].Builtin {
		t.Error("the user's module wins")
	}
	ds = lib.LoadData("other.yaml", []byte("modules:\n  Cart:\n    state: [table v(a)]\n"))
	if len(ds) != 1 || ds[0].String() != "other.yaml:2:3: error: duplicate module Cart (first declared at user.yaml:2:3) [duplicate-module]" {
		t.Errorf("duplicate: %v", ds)
	}
}

// TestWellFormednessErrors: every error and warning class of the design,
// with the exact line:col of the offending token, several per run.
func TestWellFormednessErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"yaml syntax", "modules:\n  A: [\n", []string{"2:1: error: invalid YAML: did not find expected node content"}},
		{"tab indentation", "modules:\n\tA: {}\n", []string{"2:1: error: invalid YAML: found character that cannot start any token"}},
		{"unknown top key", "module:\n  A: {}\n", []string{`1:1: error: unknown key "module" in the file (known keys: specs, lattices, modules, programs, workload)`}},
		{"unknown module key", "modules:\n  A:\n    stat: []\n", []string{`3:5: error: unknown key "stat" in module A (known keys: doc, include, import, state, contract, coordination, seals, rules)`}},
		{"wrong type state", "modules:\n  A:\n    state: {x: 1}\n", []string{"3:12: error: state must be a list of strings, found a mapping"}},
		{"wrong type doc", "modules:\n  A:\n    doc: [x]\n", []string{"3:10: error: doc must be a string, found a list"}},
		{"wrong type rules", "modules:\n  A:\n    rules: [x]\n", []string{"3:12: error: rules of A must be a mapping, found a list"}},
		{"null block", "modules:\n  A:\n    rules:\n      r:\n", []string{"4:7: error: block \"r\" has no rules: write `r: []` for an empty block"}},
		{"duplicate key", "modules:\n  A: {}\n  A: {}\n", []string{`3:3: error: duplicate key "A" in modules (first at t.yaml:2:3)`}},
		{"module name", "modules:\n  cart: {}\n", []string{`2:3: error: module name "cart" must be CamelCase: a capital letter, then letters, digits or _`}},
		{"two documents", "modules: {}\n---\nmodules: {}\n", []string{"2:1: error: a file holds one YAML document; found another"}},
		{"rule syntax in block scalar", "modules:\n  A:\n    state: [table t(a)]\n    rules:\n      r:\n        - >-\n          t(X) <= t(X),\n            X == #\n", []string{`8:18: error: unexpected character "#"`}},
		{"decl syntax", "modules:\n  A:\n    state:\n      - tabel t(a)\n", []string{`4:9: error: unknown collection kind "tabel" (want table, scratch, input, output, channel, periodic or lattice)`}},
		{"several errors", "modules:\n  A:\n    state:\n      - tabel t(a)\n      - table u(a, a)\n    rules:\n      r: ['u(X, Y) <= u(X Y)']\n", []string{
			`4:9: error: unknown collection kind "tabel" (want table, scratch, input, output, channel, periodic or lattice)`,
			`5:20: error: duplicate column "a" in u`,
			`7:27: error: expected ',' or ')' in argument list, found "Y"`,
		}},
		{"program unknown key", "programs:\n  p:\n    modules: [A]\n    mods: []\n", []string{`4:5: error: unknown key "mods" in program p (known keys: doc, modules, expect)`}},
		{"program no modules", "programs:\n  p: {doc: x}\n", []string{"2:3: error: program p names no modules"}},
		{"expect without check", "programs:\n  p:\n    modules: [A]\n    expect: [{collection: x}]\n", []string{"4:14: error: an expected finding needs a check"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, ds := load(t, tc.src)
			wantDiags(t, ds, tc.want...)
		})
	}
}

// TestComposeErrors: the checks that need the composed program.
func TestComposeErrors(t *testing.T) {
	const head = "modules:\n  A:\n    state:\n      - table t(a, b)\n      - scratch s(a)\n      - channel c(@d, x)\n      - periodic tick(id) => (time) every 3\n      - input in(a)\n      - table t(a, b)\n    rules:\n      r:\n"
	// Rules start on line 12, column 11 (after "        - ").
	tests := []struct {
		name string
		rule string
		want []string
	}{
		{"ok", "t(X, Y) <= s(X), in(Y)", nil},
		{"unknown collection", "t(X, Y) <= s(X), q(Y)", []string{"12:28: error: unknown collection q in A.r (did you mean c?)"}},
		{"unknown collection suggestion", "t(X, Y) <= s(X), inn(Y)", []string{"12:28: error: unknown collection inn in A.r (did you mean in?)"}},
		{"arity head", "t(X) <= s(X)", []string{"12:11: error: t has 2 columns (a, b), found 1 argument"}},
		{"arity body", "s(X) <= t(X, Y, Z)", []string{"12:19: error: t has 2 columns (a, b), found 3 arguments"}},
		{"async into table", "t(X, X) <~ s(X)", []string{"12:19: error: <~ sends over the network, so its head must be a channel; t is a table"}},
		{"merge into channel", "c(X, X) <= s(X)", []string{"12:19: error: c is a channel: write it with <~, not <="}},
		{"write periodic", "tick(X, X) <+ s(X)", []string{"12:11: error: tick is periodic: a timer fills it, no rule may write it"}},
		{"unsafe head", "t(X, Y) <= s(X)", []string{"12:16: error: variable Y in the head is not bound by a positive body atom or a binding (unsafe rule)"}},
		{"wildcard head", "t(X, _) <= s(X)", []string{"12:16: error: _ cannot stand in the head: it matches anything and binds nothing"}},
		{"unsafe notin", "s(X) <= s(X), notin t(X, Y)", []string{"12:36: error: variable Y under notin is not bound by a positive body atom or a binding (unsafe rule)"}},
		{"notin wildcard ok", "s(X) <= s(X), notin t(X, _)", nil},
		{"unsafe comparison", "s(X) <= s(X), Y > 1", []string{"12:25: error: variable Y in a comparison is not bound by a positive body atom or a binding (unsafe rule)"}},
		{"binding binds", "t(X, Y) <= s(X), Y = X * 2", nil},
		{"binding chain", "t(X, Z) <= s(X), Z = Y + 1, Y = X", nil},
		{"unsafe binding", "t(X, Y) <= s(X), Y = W + 1", []string{
			"12:16: error: variable Y in the head is not bound by a positive body atom or a binding (unsafe rule)",
			"12:32: error: variable W in the binding of Y is not bound by a positive body atom or a binding (unsafe rule)",
		}},
		{"computed body term", "t(X, Y) <= t(X, Y + 1)", []string{
			"12:16: error: variable Y in the head is not bound by a positive body atom or a binding (unsafe rule)",
			"12:27: error: variable Y in a computed term of a body atom is not bound by a positive body atom or a binding (unsafe rule)"}},
		{"computed body term bound", "t(X, Y) <= t(X, Y), s(Y + 1)", nil},
		{"list pattern binds", "t(X, Y) <= s([X, Y])", nil},
		{"aggregate variable", "t(X, count<Y>) <= s(X)", []string{"12:22: error: variable Y in the head is not bound by a positive body atom or a binding (unsafe rule)"}},
		{"bare arity mismatch", "s <= in2", []string{"12:16: error: unknown collection in2 in A.r (did you mean in?)"}},
		{"bare different arity", "t <= s", []string{"12:11: error: t <= s copies whole tuples, but t has 2 columns and s has 1; give the arguments"}},
		{"me and calls", "t(me(), L) <= s(X), L = append([X], len([X]))", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, p, ds := load(t, head+"        - "+tc.rule+"\n", "A")
			wantDiags(t, ds, tc.want...)
			if len(tc.want) == 0 && len(p.Rules) != 1 {
				t.Errorf("rule dropped")
			}
			if len(tc.want) > 0 && p != nil && len(p.Rules) != 0 {
				t.Errorf("a rule with errors stays out of the program")
			}
		})
	}
}

func TestDuplicateCollectionDifferently(t *testing.T) {
	const src = "modules:\n  A:\n    state: [table t(a)]\n  B:\n    state: ['table t(a) => (b)']\n  C:\n    include: [A, B]\n"
	_, _, ds := load(t, src, "C")
	wantDiags(t, ds, "5:14: error: t is declared differently in B (table t(a) => (b)) and in A at t.yaml:3:13 (table t(a))")
}

func TestPositionsInScalars(t *testing.T) {
	// The column of the offending token, in every scalar style.
	tests := []struct {
		name, rule string
		want       string
	}{
		{"plain", "        - t(X) <= s(X), q(X)\n", "12:25"},
		{"single-quoted", "        - 't(X) <= s(X), q(X)'\n", "12:26"},
		{"double-quoted", "        - \"t(X) <= s(X), q(X)\"\n", "12:26"},
		{"double-quoted escapes", "        - \"t(X) <= s(X), X != \\\"a\\\", q(X)\"\n", "12:38"},
		{"plain multi-line", "        - t(X) <= s(X),\n            q(X)\n", "13:13"},
		{"folded", "        - >-\n          t(X) <= s(X),\n            q(X)\n", "14:13"},
		{"literal", "        - |\n          t(X) <= s(X),\n          q(X)\n", "14:11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "modules:\n  A:\n    state:\n      - table t(a, b)\n      - scratch s(a)\n      - channel c(@d, x)\n      - periodic tick(id) => (time) every 3\n      - input in(a)\n      - table t(a, b)\n    rules:\n      r:\n" + tc.rule
			src = strings.Replace(src, "t(a, b)", "t(a)", -1)
			_, _, ds := load(t, src, "A")
			if len(ds) != 1 || !strings.HasPrefix(ds[0], tc.want+": error: unknown collection q") {
				t.Errorf("got %v, want one error at %s", ds, tc.want)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	t.Run("size", func(t *testing.T) {
		dir := t.TempDir()
		f := filepath.Join(dir, "big.yaml")
		if err := os.WriteFile(f, make([]byte, MaxFileSize+1), 0o644); err != nil {
			t.Fatal(err)
		}
		ds := NewLibrary().LoadPath(f)
		if len(ds) != 1 || !strings.Contains(ds[0].Message, "larger than 16 MiB") || ds[0].Pos.File != f {
			t.Errorf("%v", ds)
		}
	})
	t.Run("alias bomb", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i < 12; i++ {
			b.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " [")
			for j := 0; j < 10; j++ {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("*a" + strconv.Itoa(i-1))
			}
			b.WriteString("]\n")
		}
		_, _, ds := load(t, b.String())
		if len(ds) != 1 || !strings.Contains(ds[0], "alias bomb") {
			t.Errorf("%v", ds)
		}
	})
	t.Run("depth", func(t *testing.T) {
		src := "modules: " + strings.Repeat("[", 1500) + strings.Repeat("]", 1500) + "\n"
		_, _, ds := load(t, src)
		if len(ds) != 1 || !strings.Contains(ds[0], "nested deeper than 1000 levels") {
			t.Errorf("%v", ds)
		}
	})
	t.Run("depth beyond yaml's own limit", func(t *testing.T) {
		src := "modules: " + strings.Repeat("[", 20000) + "\n"
		_, _, ds := load(t, src)
		if len(ds) != 1 || !strings.Contains(ds[0], "nested deeper than 1000 levels") {
			t.Errorf("%v", ds)
		}
	})
}

func TestLoadPathDirectoryAndProjectSpecs(t *testing.T) {
	dir := t.TempDir()
	must := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must("specs/a.yaml", "modules:\n  A:\n    state: [table t(a)]\n")
	must("specs/sub/b.yaml", "modules:\n  B:\n    include: [A]\n")
	must("specs/notes.txt", "not yaml")
	must("calmcheck.yaml", "specs: [specs/, missing.yaml]\nprograms:\n  p: {modules: [B]}\n")
	lib := NewLibrary()
	ds := lib.LoadPath(filepath.Join(dir, "calmcheck.yaml"))
	if len(ds) != 1 || !strings.Contains(ds[0].Message, `specs entry "missing.yaml": no such file or directory`) || ds[0].Pos.Line != 1 || ds[0].Pos.Col != 17 {
		t.Errorf("diagnostics %v", ds)
	}
	if lib.Modules["A"] == nil || lib.Modules["B"] == nil || lib.Programs["p"] == nil {
		t.Errorf("modules %v programs %v", lib.Modules, lib.Programs)
	}
	// Loading the same file twice is a no-op, not a duplicate module.
	if ds := lib.LoadPath(filepath.Join(dir, "specs")); len(ds) != 0 {
		t.Errorf("reloading: %v", ds)
	}
	if ds := NewLibrary().LoadPath(filepath.Join(dir, "nope")); len(ds) != 1 || ds[0].Message != "no such file or directory" {
		t.Errorf("%v", ds)
	}
}

func TestWorkspaceSelect(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.yaml"), []byte("modules:\n  A:\n    state: [table t(a)]\n  B:\n    include: [A]\n  C:\n    state: [table u(a)]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	builtin := fstest.MapFS{"lib.yaml": {Data: []byte("modules:\n  L:\n    state: [table l(a)]\nprograms:\n  lp: [L]\n")}}
	w, ds := LoadWorkspace(builtin, "specs", []string{dir})
	if len(ds) > 0 || w.Builtin {
		t.Fatal(ds, w.Builtin)
	}
	progs, ds := w.Select(nil, nil)
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	var names []string
	for _, p := range progs {
		names = append(names, p.Name)
	}
	if got := strings.Join(names, ","); got != "B,C" {
		t.Errorf("root modules as programs: %s", got)
	}
	progs, _ = w.Select([]string{"lp"}, []string{"A,C", "L"})
	if len(progs) != 2 || progs[0].Name != "lp" || progs[1].Name != "A+C+L" || len(progs[1].Collections) != 3 {
		t.Errorf("selected %v", progs)
	}
	_, ds = w.Select([]string{"nope"}, nil)
	if len(ds) != 1 || ds[0].Message != `unknown program "nope"` {
		t.Errorf("%v", ds)
	}
}
