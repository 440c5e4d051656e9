//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/calmcheck/calmcheck/modules"
)

// TestRunJSONControlCharacters: run --format json is valid JSON whatever
// the values hold (strconv.Quote wrote \x1b, which JSON forbids:
// "json: error calling MarshalJSON ... invalid character 'x'").
func TestRunJSONControlCharacters(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "w.yaml", `modules:
  Echo:
    state: [input i(a), output o(a)]
    rules:
      r: ['o(A) <= i(A)']
workload:
  modules: [Echo]
  nodes: [n]
  inputs:
    - {node: n, tick: 1, fact: "i(\"esc \e bel \a nul \0 del \x7f c1 \N ls \L <&>\")"}
`)
	code, out, errs := runCLI(t, dir, "run", "w.yaml", "--format", "json")
	if code != 0 || !json.Valid([]byte(out)) {
		t.Fatalf("exit %d, valid %v: %s\n%s", code, json.Valid([]byte(out)), errs, out)
	}
	var v struct {
		Nodes []struct {
			Outputs []struct {
				Fact struct {
					Args []string `json:"args"`
				} `json:"fact"`
			} `json:"outputs"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	want := "esc \x1b bel \x07 nul \x00 del \x7f c1 \u0085 ls \u2028 <&>"
	if len(v.Nodes) != 1 || len(v.Nodes[0].Outputs) != 1 || v.Nodes[0].Outputs[0].Fact.Args[0] != want {
		t.Errorf("value did not round-trip: %+v", v)
	}
	// The text output shows the characters as escapes.
	code, out, _ = runCLI(t, dir, "run", "w.yaml", "--trace")
	if code != 0 || strings.ContainsAny(out, "\x1b\x07\x00\x7f\u0085\u2028") {
		t.Errorf("exit %d; raw control characters in the text output:\n%q", code, out)
	}
}

// TestRunBoundsAreExit2: --timeout 0 is refused; a run that hits a bound
// exits 2 under --seeds as on its own (the value budget exited 1 under
// --seeds, as if the outcomes differed).
func TestRunBoundsAreExit2(t *testing.T) {
	code, _, errs := runCLI(t, t.TempDir(), "run", "kvs", "--timeout", "0")
	if code != 2 || !strings.Contains(errs, "--timeout must be positive") && !strings.Contains(errs, "must be positive") {
		t.Errorf("--timeout 0: exit %d: %s", code, errs)
	}
	dir := t.TempDir()
	write(t, dir, "grow.yaml", `modules:
  Grow:
    state: [table l(x), output o(x)]
    rules:
      r: ['l(append(L, 1)) <= l(L)']
workload:
  modules: [Grow]
  nodes: [n]
  facts: {n: ['l([])']}
`)
	for _, args := range [][]string{{"run", "grow.yaml"}, {"run", "grow.yaml", "--seeds", "1..2"}} {
		code, _, errs := runCLI(t, dir, args...)
		if code != 2 || !strings.Contains(errs, "list elements and string words") {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errs)
		}
	}
}

// evilSpec puts ESC, BEL, CR and line breaks everywhere a spec holds free
// text: a doc, an acknowledgement reason, an expectation's contains.
const evilSpec = `modules:
  Evil:
    doc: "Doc \e[31mred\a\rCR"
    state: [input i(a), output o(a), table t(a), table u(a)]
    rules:
      r:
        - rule: t(A) <= i(A), notin u(A)
          coordinated: "reason \e[2J\n::error file=x::injected"
        - o(A) <= t(A)
programs:
  evil:
    modules: [Evil]
    expect:
      - {check: missing-coordination, contains: "x\e[1m\n::error::forged"}
`

// TestNoTerminalInjection: text from specs and file names reaches no
// output raw: no ESC, BEL or CR, and no line break that starts a line of
// its own (a reason's "\n::error file=x::injected" forged a GitHub
// annotation).
func TestNoTerminalInjection(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "evil.yaml", evilSpec)
	check := func(name, s string) {
		t.Helper()
		if strings.ContainsAny(s, "\x1b\x07\r") {
			t.Errorf("%s: raw control characters:\n%q", name, s)
		}
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(l, "::error file=x::") || strings.HasPrefix(l, "::error file=evil::") || strings.HasPrefix(l, "::error::forged") {
				t.Errorf("%s: forged line %q", name, l)
			}
		}
	}
	for _, args := range [][]string{
		{"lint", "evil.yaml"},
		{"lint", "evil.yaml", "--format", "github"},
		{"lint", "evil.yaml", "--format", "sarif"},
		{"modules", "evil.yaml"},
	} {
		_, out, errs := runCLI(t, dir, args...)
		check(strings.Join(args, " ")+" stdout", out)
		check(strings.Join(args, " ")+" stderr", errs)
		if !strings.Contains(out+errs, `\x1b`) && !strings.Contains(out, `\u001b`) {
			t.Errorf("%v: the escape is not shown visibly:\n%s\n%s", args, out, errs)
		}
	}
	// A load error in a file whose name holds a line break and a workflow
	// command: with --format github it is a workflow command, escaped.
	name := "x\n::error file=evil::forged\x1b.yaml"
	write(t, dir, name, "modules: [\n")
	code, out, errs := runCLI(t, dir, "lint", name, "--format", "github")
	check("github load error stdout", out)
	check("github load error stderr", errs)
	if code != 2 || !strings.HasPrefix(out, "::error file=x%0A%3A%3Aerror file=evil%3A%3Aforged\\x1b.yaml,line=1,col=1,title=calmcheck yaml::invalid YAML") {
		t.Errorf("exit %d: %q %q", code, out, errs)
	}
	code, _, errs = runCLI(t, dir, "lint", name)
	check("text load error", errs)
	if code != 2 {
		t.Errorf("exit %d", code)
	}
}

// TestFileReadLimits: every file calmcheck reads is a regular file of
// bounded size: /dev/zero as --baseline was read until the process was
// killed at 23 GB; a FIFO given as a spec blocked forever.
func TestFileReadLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(modules.MaxJSONFileSize + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	bigSpec := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(bigSpec, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(bigSpec, modules.MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"lint", "--baseline", "/dev/zero"}, "is a device, not a regular file"},
		{[]string{"lint", "--baseline", big}, "larger than 64 MiB"},
		{[]string{"lint", "--baseline", dir}, "is a directory"},
		{[]string{"run", "--replay", "/dev/zero"}, "is a device, not a regular file"},
		{[]string{"run", "--replay", big}, "larger than 64 MiB"},
		{[]string{"lint", fifo}, "is a named pipe (FIFO)"},
		{[]string{"fmt", fifo}, "is a named pipe (FIFO)"},
		{[]string{"run", fifo}, "is a named pipe (FIFO)"},
		{[]string{"lint", bigSpec}, "larger than 16 MiB"},
		{[]string{"run", bigSpec}, "larger than 16 MiB"},
	} {
		done := make(chan struct{})
		var code int
		var errs string
		go func() {
			defer close(done)
			var out bytes.Buffer
			var eb bytes.Buffer
			code = run(tc.args, &out, &eb)
			errs = eb.String()
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%v did not return", tc.args)
		}
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, want 2 and %q: %s", tc.args, code, tc.want, errs)
		}
	}
}

// TestCommandLineErrorsNotAttributedToDash: a name on the command line
// that names nothing is calmcheck's error, not one of a file named "-".
func TestCommandLineErrorsNotAttributedToDash(t *testing.T) {
	for _, args := range [][]string{{"lint", "--module", "Nope"}, {"lint", "--program", "nope"}, {"dot", "--program", "nope"}} {
		code, _, errs := runCLI(t, t.TempDir(), args...)
		if code != 2 || strings.Contains(errs, "-: error") || !strings.Contains(errs, "calmcheck: error: unknown") {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
}

// TestFmtWriteSafety: fmt -w leaves a file that fails composition alone
// (it was formatted although it does not compose), refuses a read-only
// file unless --force, and writes through a symbolic link to its target;
// dot -o shares the writer.
func TestFmtWriteSafety(t *testing.T) {
	dir := t.TempDir()
	messy := "modules:\n  A:\n    state: [ 'table t(a)' ]\n    rules:\n      r: [ 't(X)   <=   u(X)' ]\n"
	write(t, dir, "bad.yaml", messy) // u is unknown: composition fails
	code, _, errs := runCLI(t, dir, "fmt", "-w", "bad.yaml")
	if data, _ := os.ReadFile(filepath.Join(dir, "bad.yaml")); code != 2 || string(data) != messy || !strings.Contains(errs, "unknown collection u") {
		t.Errorf("file with errors: exit %d, %s\n%q", code, errs, data)
	}
	good := strings.Replace(messy, "u(X)", "t(X)", 1)
	write(t, dir, "ro.yaml", good)
	os.Chmod(filepath.Join(dir, "ro.yaml"), 0o444)
	code, _, errs = runCLI(t, dir, "fmt", "-w", "ro.yaml")
	if data, _ := os.ReadFile(filepath.Join(dir, "ro.yaml")); code != 2 || string(data) != good || !strings.Contains(errs, "read-only") {
		t.Errorf("read-only: exit %d, %s", code, errs)
	}
	code, _, errs = runCLI(t, dir, "fmt", "-w", "--force", "ro.yaml")
	if data, _ := os.ReadFile(filepath.Join(dir, "ro.yaml")); code != 0 || string(data) == good {
		t.Errorf("--force: exit %d, %s", code, errs)
	}
	write(t, dir, "real/target.yaml", good)
	os.Symlink("real/target.yaml", filepath.Join(dir, "link.yaml"))
	if code, _, errs := runCLI(t, dir, "fmt", "-w", "link.yaml"); code != 0 {
		t.Fatalf("through a link: exit %d, %s", code, errs)
	}
	fi, _ := os.Lstat(filepath.Join(dir, "link.yaml"))
	data, _ := os.ReadFile(filepath.Join(dir, "real/target.yaml"))
	if fi.Mode()&os.ModeSymlink == 0 || string(data) == good {
		t.Errorf("the link was replaced or its target not formatted: %v %q", fi.Mode(), data)
	}
	os.Symlink("real/out.dot", filepath.Join(dir, "out.dot"))
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	if code, _, errs := runCLI(t, dir, "dot", "--program", "basic-kvs", "-T", "dot", "-o", "out.dot"); code != 0 {
		t.Fatalf("dot -o: exit %d, %s", code, errs)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "real/out.dot")); !strings.HasPrefix(string(data), "digraph") {
		t.Errorf("dot -o through a link: %q", data)
	}
}

// TestDotEdgeBudget: dot applies the edge budget (--max-edges) as it does
// --max-nodes, with notes; 0 turns it off; -T dot gives the whole graph.
func TestDotEdgeBudget(t *testing.T) {
	dir := t.TempDir()
	var st, rules []string
	for i := range 8 {
		st = append(st, fmt.Sprintf("table t%d(a)", i))
		for j := range i {
			rules = append(rules, fmt.Sprintf("'t%d(A) <= t%d(A)'", i, j))
		}
	}
	write(t, dir, "dense.yaml", "modules:\n  D:\n    state: ["+strings.Join(st, ", ")+"]\n    rules:\n      r: ["+strings.Join(rules, ", ")+"]\n")
	code, _, errs := runCLI(t, dir, "dot", "dense.yaml", "--max-edges", "10", "-T", "mermaid")
	if code != 0 || !strings.Contains(errs, "10 edges beyond one per node") || !strings.Contains(errs, "--collapse=module") {
		t.Errorf("exit %d: %s", code, errs)
	}
	for _, args := range [][]string{{"--max-edges", "0", "-T", "mermaid"}, {"--max-edges", "10", "-T", "dot"}} {
		code, _, errs = runCLI(t, dir, append([]string{"dot", "dense.yaml"}, args...)...)
		if code != 0 || strings.Contains(errs, "note:") {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
}
