package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/lint"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const builtinNote = "calmcheck: no PATH and no ./calmcheck.yaml: using the built-in library\n"

// The golden tests run in an empty directory, so that the built-in library
// is the workspace.

func TestLintGoldenText(t *testing.T) {
	code, out, errs := runCLI(t, t.TempDir(), "lint")
	if code != 0 {
		t.Fatalf("lint of the built-in library: exit %d, want 0 (every finding expected)\n%s%s", code, errs, out)
	}
	if errs != builtinNote {
		t.Errorf("stderr %q", errs)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour codes in output that is not a terminal")
	}
	golden(t, "lint.txt", []byte(out))
}

func TestLintGoldenGitHub(t *testing.T) {
	code, out, errs := runCLI(t, t.TempDir(), "lint", "--format", "github")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(line, "::") && !strings.HasPrefix(line, "calmcheck: ") {
			t.Errorf("not a workflow command: %q", line)
		}
	}
	golden(t, "lint.github", []byte(out))
}

// goldenPrograms are the programs of the JSON and SARIF golden files: one
// of each kind (a store, the cart and its replication).
var goldenPrograms = []string{"-p", "basic-kvs", "-p", "disorderly-cart", "-p", "replicated-disorderly-cart"}

func TestLintGoldenJSON(t *testing.T) {
	code, out, errs := runCLI(t, t.TempDir(), append([]string{"lint", "--format", "json"}, goldenPrograms...)...)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	golden(t, "lint.json", []byte(out))
}

func TestLintGoldenSARIF(t *testing.T) {
	code, out, errs := runCLI(t, t.TempDir(), append([]string{"lint", "--format", "sarif"}, goldenPrograms...)...)
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	golden(t, "lint.sarif", []byte(out))
}

func compileSchema(t *testing.T, url string, schema []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		t.Fatalf("schema %s: %v", url, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile %s: %v", url, err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, out string) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("output does not validate: %v", err)
	}
}

// jsonSchema extracts the schema from docs/lint-json.md: the first json
// code block after the "## Schema" heading.
func jsonSchema(t *testing.T) []byte {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(testdata, "..", "..", "..", "docs", "lint-json.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)\n## Schema\n.*?```json\n(.*?)\n```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/lint-json.md has no json code block under ## Schema")
	}
	return m[1]
}

// TestJSONSchema validates the JSON report of every built-in program, and
// of a user project with acknowledgements, workspace warnings and an
// unstratifiable program, against the schema documented in
// docs/lint-json.md.
func TestJSONSchema(t *testing.T) {
	s := compileSchema(t, "https://github.com/calmcheck/calmcheck/docs/lint-json.md", jsonSchema(t))
	_, out, _ := runCLI(t, t.TempDir(), "lint", "--format", "json")
	validate(t, s, out)
	var doc lint.JSONReport
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	lib := modules.NewLibrary()
	lib.LoadFS(specs.FS, "specs")
	if len(doc.Programs) != len(lib.Programs) || doc.Summary.Failed || doc.Summary.Expected == 0 {
		t.Errorf("summary %+v of %d programs", doc.Summary, len(doc.Programs))
	}
	_, out, _ = runCLI(t, userProject(t), "lint", "--format", "json", "--fail-on", "never")
	validate(t, s, out)
	if !strings.Contains(out, `"acknowledged":"checkout is sealed by the client"`) || !strings.Contains(out, `"check":"shadow"`) {
		t.Errorf("user project report lacks the acknowledgement or the workspace warning:\n%s", out)
	}
}

// TestSARIFSchema validates the SARIF log of every built-in program, and
// of the user project, against the SARIF 2.1.0 JSON schema (vendored from
// Microsoft's SARIF SDK, testdata/sarif-schema-2.1.0.json).
func TestSARIFSchema(t *testing.T) {
	schema, err := os.ReadFile(filepath.Join(testdata, "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := compileSchema(t, "https://json.schemastore.org/sarif-2.1.0.json", schema)
	_, out, _ := runCLI(t, t.TempDir(), "lint", "--format", "sarif")
	validate(t, s, out)
	// the parts of the log the test reads
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				RuleIndex           int               `json:"ruleIndex"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation struct {
						Region *struct{} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				CodeFlows []any `json:"codeFlows"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	flows, results := 0, log.Runs[0].Results
	for _, r := range results {
		if r.PartialFingerprints["calmcheck/v1"] == "" || len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.Region == nil {
			t.Errorf("result without fingerprint or region: %+v", r)
		}
		if r.RuleID != log.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID {
			t.Errorf("ruleIndex %d of %s points at %s", r.RuleIndex, r.RuleID, log.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID)
		}
		if (r.RuleID == "diffluent-path" || r.RuleID == "nonmonotonic-cycle") && len(r.CodeFlows) == 0 {
			t.Errorf("%s result without a codeFlow", r.RuleID)
		}
		flows += len(r.CodeFlows)
	}
	if len(results) == 0 || flows == 0 {
		t.Errorf("%d results, %d code flows", len(results), flows)
	}
	_, out, _ = runCLI(t, userProject(t), "lint", "--format", "sarif", "--fail-on", "never")
	validate(t, s, out)
	if !strings.Contains(out, `"kind":"inSource"`) {
		t.Errorf("acknowledged finding is not suppressed in source:\n%s", out)
	}
}

// userProject writes a project with an acknowledged block, a stale
// acknowledgement, a block override of an unrelated module, a module
// shadowing a built-in one that no program uses, an unstratifiable module
// and an expectation that matches nothing.
func userProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "specs/shop.yaml", `modules:
  Shop:
    include: [CartClient]
    state:
      - table   log(session, item)
      - scratch cnt(session) => (n)
    rules:
      keep:
        - {rule: "log(S, I) <= action_msg(_, _, S, I, _, _)", coordinated: nothing to coordinate here}
      count:
        coordinated: checkout is sealed by the client
        rules:
          - cnt(S, count<I>) <= log(S, I)
      answer:
        - response_msg(C, Sv, S, "all", N) <~ checkout_msg(Sv, C, S, _), cnt(S, N)
  Other:
    state: [table x(a)]
    rules:
      keep: ["x(A) <+ x(A)"]
  Loop:
    state: ['input in(a)', 'scratch a(x)', 'scratch b(x)', 'output out(x)']
    rules:
      r:
        - a(X) <= in(X)
        - a(X) <= b(X)
        - b(X) <= in(X), notin a(X)
        - out(X) <= b(X)
  BasicKVS:
    doc: A user module that shadows the built-in one.
    state: [table y(a)]
`)
	write(t, dir, "calmcheck.yaml", `specs: [specs]
programs:
  shop:
    modules: [Other, Shop]
    expect:
      - {check: point-of-order, collection: cnt}
      - {check: unused, collection: nothing_like_it}
  loop: [Loop]
`)
	return dir
}

func TestLintUserProject(t *testing.T) {
	dir := userProject(t)
	code, out, errs := runCLI(t, dir, "lint", "--show-expected")
	if code != 1 {
		t.Errorf("exit %d, want 1 (an unmatched expectation and an unstratifiable program)", code)
	}
	if errs != "" {
		t.Errorf("stderr %q", errs)
	}
	for _, want := range []string{
		"specs/shop.yaml:28:3: warning: module BasicKVS shadows the built-in module of the same name (" + specPos(t, "kvs.yaml", "BasicKVS:") + ") [shadow]",
		"specs/shop.yaml:13:20: note: point of order: count<I> in cnt <= log (specs/shop.yaml:13) is reached asynchronously from client_action through action_msg",
		"[point-of-order] (acknowledged: checkout is sealed by the client) (expected)",
		"[missing-coordination] (acknowledged: checkout is sealed by the client)\n",
		"specs/shop.yaml:9:63: warning: acknowledgement (coordinated: \"nothing to coordinate here\") matches no finding in Shop.keep",
		"specs/shop.yaml:8:7: warning: block \"keep\" of Shop replaces block \"keep\" of Other (specs/shop.yaml:19:7)",
		"specs/shop.yaml:17:19: note: table x is never read or written by the program's rules [unused]",
		"calmcheck.yaml:7:9: error: expected finding {check unused, collection nothing_like_it} did not occur [expect]",
		"specs/shop.yaml:26:26: error: unstratifiable: cycle a -> b -> a with no temporal edge, through the nonmonotonic notin a in b <= in, notin a (specs/shop.yaml:26)",
		"a -> b (<= at specs/shop.yaml:26, notin), b -> a (<= at specs/shop.yaml:25)",
		"2 programs: 2 errors, 6 warnings, 3 notes (2 expected)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestLintExitStatus(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		out  string // a substring of stdout or stderr
	}{
		{"built-in library, expectations declared", []string{"lint"}, 0, "ok: all "},
		{"the issue's gate", []string{"lint", "--program", "replicated-disorderly-cart", "--fail-on", "warning", "--no-expect"}, 1, "[point-of-order]"},
		{"expected warnings pass the warning gate", []string{"lint", "--program", "replicated-disorderly-cart", "--fail-on", "warning"}, 0, "expected: "},
		{"underspecified is an error", []string{"lint", "-p", "cart-client", "--no-expect"}, 1, "[underspecified]"},
		{"notes pass the default gate", []string{"lint", "-p", "basic-kvs", "--no-expect", "--disable", "point-of-order"}, 0, "[nonmonotonic-cycle]"},
		{"note gate", []string{"lint", "-p", "basic-kvs", "--no-expect", "--disable", "point-of-order", "--fail-on", "note"}, 1, "[nonmonotonic-cycle]"},
		{"never", []string{"lint", "-p", "cart-client", "--no-expect", "--fail-on", "never"}, 0, "[underspecified]"},
		{"only some checks", []string{"lint", "-p", "disorderly-cart", "--no-expect", "--checks", "underspecified,unused", "--fail-on", "note"}, 0, "0 errors, 0 warnings, 0 notes"},
		{"ad hoc modules", []string{"lint", "--module", "DisorderlyCart,CartClient", "--fail-on", "warning"}, 1, "program DisorderlyCart+CartClient"},
		{"--checks keeps unmatched expectations of the checks that ran", []string{"lint", "-p", "disorderly-cart", "--checks", "point-of-order", "--format", "json"}, 0, `"expected": 3`},
		{"bad --fail-on", []string{"lint", "--fail-on", "sometimes"}, 2, `unknown --fail-on "sometimes"`},
		{"bad --format", []string{"lint", "--format", "xml"}, 2, `unknown --format "xml"`},
		{"bad --checks", []string{"lint", "--checks", "point-of-orde"}, 2, `unknown check "point-of-orde"`},
		{"bad --disable", []string{"lint", "--disable", "nope"}, 2, `unknown check "nope"`},
		{"bad --color", []string{"lint", "--color", "pink"}, 2, `unknown --color "pink"`},
		{"missing baseline", []string{"lint", "--baseline", "nope.json"}, 2, "--baseline: stat nope.json: no such file or directory"},
		{"checks", []string{"checks"}, 0, "point-of-order (warning)"},
		{"checks --short", []string{"checks", "--short"}, 0, "coordinated            warning"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, t.TempDir(), tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, errs, out)
			}
			if !strings.Contains(out+errs, tc.out) {
				t.Errorf("output lacks %q:\n%s%s", tc.out, errs, out)
			}
		})
	}
}

func TestLintBaseline(t *testing.T) {
	dir := t.TempDir()
	args := []string{"lint", "-p", "disorderly-cart", "-p", "basic-kvs", "--no-expect", "--fail-on", "note"}
	code, out, _ := runCLI(t, dir, append(args, "--format", "json")...)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	base := filepath.Join(dir, "baseline.json")
	if err := os.WriteFile(base, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, dir, append(args, "--baseline", base)...)
	if code != 0 || !strings.Contains(out, "0 errors, 0 warnings, 0 notes; 8 hidden by the baseline") {
		t.Errorf("with its own baseline: exit %d\n%s%s", code, errs, out)
	}
	// A finding the baseline does not have is still reported.
	code, out, _ = runCLI(t, dir, "lint", "-p", "replicated-kvs", "--no-expect", "--baseline", base, "--fail-on", "note")
	if code != 1 || !strings.Contains(out, "[missing-coordination]") {
		t.Errorf("new findings hidden by an unrelated baseline: exit %d\n%s", code, out)
	}
	// A version 1 report had one finding per (input, output) pair: its
	// pairs' findings hide the finding about their rule.
	v1 := `{"version": 1, "programs": [{"name": "replicated-disorderly-cart", "findings": [{"check": "missing-coordination",
		"program": "replicated-disorderly-cart", "module": "DisorderlyCart", "fingerprint": "4b8b02f1b87c79b68077484a",
		"collections": ["client_response", "client_action", "action_cnt", "cart_action"]}]}]}`
	if err := os.WriteFile(base, []byte(v1), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI(t, dir, "lint", "-p", "replicated-disorderly-cart", "--no-expect", "--baseline", base, "--fail-on", "warning")
	// (the checkout's timing join is another place, and not in it)
	if strings.Contains(out, "before the\n    nonmonotonic count<R>") || strings.Contains(out, "nonmonotonic count<R> in action_cnt <= cart_action (specs/cart.yaml:111); cheapest fix") ||
		!strings.Contains(out, "timing join in status") || !strings.Contains(out, "; 1 hidden by the baseline") {
		t.Errorf("a version 1 baseline does not hide the finding about its pairs' rule: exit %d\n%s%s", code, errs, out)
	}
	if err := os.WriteFile(base, []byte(`{"version": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, dir, append(args, "--baseline", base)...); code != 2 || !strings.Contains(errs, "unsupported report version 3") {
		t.Errorf("baseline of another version: exit %d, %s", code, errs)
	}
	if err := os.WriteFile(base, []byte(`not json`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, dir, append(args, "--baseline", base)...); code != 2 || !strings.Contains(errs, "is not a calmcheck JSON report") {
		t.Errorf("baseline that is not JSON: exit %d, %s", code, errs)
	}
}

func TestLintDeterministic(t *testing.T) {
	for _, format := range []string{"text", "json", "sarif", "github"} {
		_, first, _ := runCLI(t, t.TempDir(), "lint", "--format", format)
		for i := 0; i < 3; i++ {
			if _, again, _ := runCLI(t, t.TempDir(), "lint", "--format", format); again != first {
				t.Fatalf("%s output differs between runs", format)
			}
		}
	}
}

func TestLintColor(t *testing.T) {
	_, out, _ := runCLI(t, t.TempDir(), "lint", "-p", "basic-kvs", "--color", "always", "--show-expected")
	if !strings.Contains(out, "\x1b[1;33m") && !strings.Contains(out, "\x1b[1m\x1b[33mwarning") {
		t.Errorf("--color always: no colour:\n%q", out)
	}
	_, out, _ = runCLI(t, t.TempDir(), "lint", "-p", "basic-kvs", "--color", "never")
	if strings.Contains(out, "\x1b[") {
		t.Error("--color never: colour codes")
	}
	t.Setenv("NO_COLOR", "1")
	if useColor("auto", os.Stdout) {
		t.Error("NO_COLOR set, yet auto colours")
	}
	if !useColor("always", &bytes.Buffer{}) || useColor("auto", &bytes.Buffer{}) {
		t.Error("always must colour, auto must not colour a buffer")
	}
}

// TestChecksDocExamples runs the example of every check in docs/checks.md:
// the first yaml block of each check's section, as a calmcheck.yaml in an
// empty directory, must report that check, and the first line of the
// section's next code block (the sample output) must appear verbatim. Every
// check lint can report has a section.
func TestChecksDocExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testdata, "..", "..", "..", "docs", "checks.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := regexp.MustCompile("(?m)^## `([a-z-]+)`\n").FindAllSubmatchIndex(doc, -1)
	documented := map[string]bool{}
	for i, m := range sections {
		name := string(doc[m[2]:m[3]])
		end := len(doc)
		if i+1 < len(sections) {
			end = sections[i+1][0]
		}
		body := string(doc[m[1]:end])
		documented[name] = true
		ex := regexp.MustCompile("(?s)```yaml\n(.*?)```\n\n```\n(.*?)\n").FindStringSubmatch(body)
		if ex == nil {
			t.Errorf("%s: no yaml example followed by its output", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "calmcheck.yaml", ex[1])
			code, out, errs := runCLI(t, dir, "lint", "--fail-on", "never")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if !strings.Contains(out, "["+name+"]") {
				t.Errorf("the example does not report %s:\n%s", name, out)
			}
			if !strings.Contains(out, ex[2]) {
				t.Errorf("output lacks the documented line\n%s\ngot:\n%s", ex[2], out)
			}
		})
	}
	for _, c := range lint.Checks() {
		if !documented[string(c.Name)] {
			t.Errorf("check %s has no section in docs/checks.md", c.Name)
		}
	}
}

// TestLintFirstRunReadsAsSuccess: the first command of the README, on the
// built-in library, reads as success: no error lines (the expected
// findings are counted, one line per program), short lines, and a last
// line that says so. It printed 204 lines, 17 of them "error:", lines up
// to 586 characters, and ended with "17 errors, 34 warnings, ...".
func TestLintFirstRunReadsAsSuccess(t *testing.T) {
	code, out, _ := runCLI(t, t.TempDir(), "lint")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		if strings.Contains(l, "error:") || strings.Contains(l, "warning:") {
			t.Errorf("an expected finding is listed without --show-expected: %s", l)
		}
	}
	_, jsonOut, _ := runCLI(t, t.TempDir(), "lint", "--format", "json")
	var rep struct {
		Programs []struct{ Name string } `json:"programs"`
		Summary  struct{ Expected int }  `json:"summary"`
	}
	if err := json.Unmarshal([]byte(jsonOut), &rep); err != nil || rep.Summary.Expected == 0 {
		t.Fatalf("json: %v %+v", err, rep.Summary)
	}
	if got := strings.Count(out, "\n  expected: "); got == 0 || got > len(rep.Programs) {
		t.Errorf("%d expected-summary lines for %d programs", got, len(rep.Programs))
	}
	last := lines[len(lines)-1]
	want := fmt.Sprintf("ok: all %d findings expected (--show-expected lists them): the built-in library is as the talk describes", rep.Summary.Expected)
	if last != want {
		t.Errorf("last line %q, want %q", last, want)
	}
	if len(lines) > 8*len(rep.Programs) {
		t.Errorf("%d lines for %d programs", len(lines), len(rep.Programs))
	}
	// --show-expected lists every one of them, marked.
	_, all, _ := runCLI(t, t.TempDir(), "lint", "--show-expected")
	if n := strings.Count(all, " (expected)\n"); n != rep.Summary.Expected {
		t.Errorf("--show-expected lists %d expected findings, want %d", n, rep.Summary.Expected)
	}
}

// TestLintVerdict: the last line of text output says whether the gate
// passed and why.
func TestLintVerdict(t *testing.T) {
	tests := []struct {
		args []string
		code int
		last string
	}{
		{[]string{"lint", "-p", "cart-client", "--no-expect"}, 1, "FAIL: 3 findings at or above --fail-on error that no expect: list declares"},
		{[]string{"lint", "-p", "basic-kvs", "--no-expect"}, 0, "ok: nothing at or above --fail-on error; 3 findings below it to read"},
		{[]string{"lint", "-p", "delivery-best-effort"}, 0, "ok: no findings"},
		{[]string{"lint", "-p", "basic-kvs", "--show-expected"}, 0, "ok: all 3 findings expected: the built-in library is as the talk describes"},
	}
	for _, tc := range tests {
		code, out, _ := runCLI(t, t.TempDir(), tc.args...)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if code != tc.code || lines[len(lines)-1] != tc.last {
			t.Errorf("%v: exit %d, last line %q; want %d, %q", tc.args, code, lines[len(lines)-1], tc.code, tc.last)
		}
	}
}

// TestLintWrapsLongMessages: --width wraps a finding's message, the
// continuation lines indented; JSON keeps it whole.
func TestLintWrapsLongMessages(t *testing.T) {
	args := []string{"lint", "-p", "replicated-disorderly-cart", "--no-expect"}
	_, long, _ := runCLI(t, t.TempDir(), args...)
	if !strings.Contains(long, "[missing-coordination]") {
		t.Fatalf("no finding to wrap:\n%s", long)
	}
	_, out, _ := runCLI(t, t.TempDir(), append(args, "--width", "80")...)
	inFindings := true
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  paths:") {
			inFindings = false // the table's rows are not wrapped
		}
		if strings.HasPrefix(l, "program ") {
			inFindings = true
		}
		if inFindings && len(l) > 80 && strings.Contains(l, " ") {
			t.Errorf("line of %d columns: %s", len(l), l)
		}
	}
	if !strings.Contains(out, "\n    ") {
		t.Error("no continuation line")
	}
	// The words are the same.
	if strings.Join(strings.Fields(out), " ") != strings.Join(strings.Fields(long), " ") {
		t.Error("wrapping changed the text")
	}
	_, js, _ := runCLI(t, t.TempDir(), append(args, "--width", "80", "--format", "json")...)
	if strings.Contains(js, `\n    `) {
		t.Error("JSON messages wrapped")
	}
}

// TestLintUnstratifiableNoPaths: an unstratifiable program is not said to
// have no path from an input to an output ("paths: none (no input reaches
// an output)" was printed under the unstratifiable error).
func TestLintUnstratifiableNoPaths(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "loop.yaml", "modules:\n  Loop:\n    state: [input in(x), output out(x), scratch a(x), scratch b(x)]\n"+
		"    rules:\n      r:\n        - a(X) <= in(X), notin b(X)\n        - b(X) <= a(X)\n")
	code, out, _ := runCLI(t, dir, "lint", "loop.yaml")
	if code != 1 || !strings.Contains(out, "[unstratifiable]") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "  paths: none (the program is unstratifiable: fix the cycle first)\n") || strings.Contains(out, "no input reaches an output") {
		t.Errorf("paths line:\n%s", out)
	}
}

// TestLintNoPathsWhy: the paths line says why there is no path: no
// interface declared, or interfaces that the program's own rules write
// or read (x <= x), which are no ends of its dataflow ("no input and no
// output interface" was printed beside the declared ones).
func TestLintNoPathsWhy(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ state, rules, want string }{
		{"[input x(k), output y(k)]", "[\"x(K) <= x(K)\", \"y(K) <= y(K)\"]", "paths: none (every input is written by the program's own rules and every output is read by the program's own rules)"},
		{"[input x(k), output y(k), table t(k)]", "[\"x(K) <= x(K)\", \"t(K) <= t(K)\"]", "paths: none (every input is written by the program's own rules)"},
		{"[table a(k), table b(k)]", "[\"b(K) <= a(K)\"]", "paths: none (no input interface and no output interface)"},
	} {
		write(t, dir, "s.yaml", "modules:\n  S:\n    state: "+tc.state+"\n    rules:\n      r: "+tc.rules+"\n")
		_, out, _ := runCLI(t, dir, "lint", "s.yaml")
		if !strings.Contains(out, "  "+tc.want+"\n") {
			t.Errorf("%s: want %q in\n%s", tc.state, tc.want, out)
		}
	}
}

// --paths: the D groups and a count of the others by default, every
// group with all, no table with none.
func TestLintPaths(t *testing.T) {
	dir := t.TempDir()
	// replicated-kvs: two D pairs (the put's deletion, the get's timing
	// join) and one Bot pair.
	args := []string{"lint", "-p", "replicated-kvs", "--no-expect", "--fail-on", "never", "--width", "0"}
	_, def, _ := runCLI(t, dir, args...)
	_, all, _ := runCLI(t, dir, append(args, "--paths", "all")...)
	_, none, _ := runCLI(t, dir, append(args, "--paths", "none")...)
	if !strings.Contains(def, "kvget_response  kvput  D") || !strings.Contains(def, "and 1 (input, output) pair without a D path (1 Bot): --paths all lists them") ||
		strings.Contains(def, "pipe_sent       kvput  Bot") {
		t.Errorf("default --paths findings:\n%s", def)
	}
	if !strings.Contains(all, "pipe_sent       kvput  Bot") || !strings.Contains(all, "kvget  D") || strings.Contains(all, "without a D path") {
		t.Errorf("--paths all:\n%s", all)
	}
	if strings.Contains(none, "paths") || strings.Contains(none, "OUTPUT") {
		t.Errorf("--paths none:\n%s", none)
	}
}
