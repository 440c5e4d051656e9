package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/verify"
)

// votesSpec counts remote votes as they arrive: the count is a point of
// order reached through a channel (vote -> result is D), which verify
// confirms.
const votesSpec = `modules:
  Votes:
    doc: Remote votes, counted as they arrive.
    state:
      - input   vote(server, voter, choice)
      - channel ballot(@server, voter, choice)
      - scratch tally(choice) => (n)
      - output  result(choice, n)
    rules:
      send:
        - ballot(S, V, C) <~ vote(S, V, C)
      count:
        - tally(C, count<V>) <= ballot(_, V, C)
        - result(C, N) <= tally(C, N)
programs:
  votes: [Votes]
`

// ephemeralSpec joins each message with a table of the messages before
// it: monotonic, labelled A, yet its output depends on the schedule.
const ephemeralSpec = `modules:
  Ephemeral:
    state:
      - input   in(to, x)
      - channel c(@to, x)
      - table   seen(x)
      - output  pairs(x, y)
    rules:
      r:
        - c(T, X) <~ in(T, X)
        - seen(X) <+ c(_, X)
        - pairs(X, Y) <= c(_, X), seen(Y)
programs:
  ephemeral: [Ephemeral]
`

func project(t *testing.T, spec string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "calmcheck.yaml", spec)
	return dir
}

var smallVerify = []string{"--schedules", "50", "--workloads", "2"}

func TestVerifyGolden(t *testing.T) {
	dir := project(t, votesSpec)
	code, out, errs := runCLI(t, dir, append([]string{"verify", "--witness-dir", "w"}, smallVerify...)...)
	if code != 1 || errs != "" {
		t.Fatalf("exit %d (want 1: a confirmed finding nobody expects), stderr %q", code, errs)
	}
	golden(t, "verify_votes.golden", []byte(out))
	for _, f := range []string{"votes-w1.json", "votes-w1.svg"} {
		data, err := os.ReadFile(filepath.Join(dir, "w", f))
		if err != nil || len(data) == 0 {
			t.Errorf("witness file %s: %v", f, err)
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "w", "votes-w1.svg"))
	golden(t, "verify_votes_w1.svg", svg)
}

// The JSON document is lint's, with the verification section added; it
// validates against the schema of docs/lint-json.md.
func TestVerifyJSON(t *testing.T) {
	dir := project(t, votesSpec)
	code, out, errs := runCLI(t, dir, append([]string{"verify", "--format", "json"}, smallVerify...)...)
	if code != 1 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	validate(t, compileSchema(t, "https://github.com/calmcheck/calmcheck/docs/lint-json.md", jsonSchema(t)), out)
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	var v jsonVerification
	if err := json.Unmarshal(doc["verification"], &v); err != nil {
		t.Fatal(err)
	}
	if v.Summary.Confirmed == 0 || !v.Summary.Failed || len(v.Programs) != 1 || len(v.Programs[0].Witnesses) == 0 {
		t.Errorf("verification %+v", v)
	}
	delete(doc, "verification")
	_, lint, _ := runCLI(t, dir, "lint", "--format", "json")
	var ldoc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(lint), &ldoc); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(doc)
	b, _ := json.Marshal(ldoc)
	if string(a) != string(b) {
		t.Errorf("verify's document without its verification section differs from lint's:\n%s\n%s", a, b)
	}
	golden(t, "verify_votes_json.golden", []byte(out))
}

// A witness's replay file re-executes both executions exactly; a replay
// file whose record the program does not reproduce is an error.
func TestVerifyReplay(t *testing.T) {
	dir := project(t, votesSpec)
	if code, _, errs := runCLI(t, dir, append([]string{"verify", "--witness-dir", "w"}, smallVerify...)...); code != 1 {
		t.Fatalf("verify: exit %d: %s", code, errs)
	}
	file := filepath.Join("w", "votes-w1.json")
	code, out, errs := runCLI(t, dir, "run", "--replay", file)
	if code != 0 || errs != "" {
		t.Fatalf("replay: exit %d (want 0: it reproduced the witness; it was 1), stderr %q", code, errs)
	}
	if strings.Count(out, "reproduced its record exactly") != 2 || !strings.Contains(out, "the two executions differ") {
		t.Errorf("replay output:\n%s", out)
	}
	code, js, _ := runCLI(t, dir, "run", "--replay", file, "--format", "json")
	if code != 0 || !json.Valid([]byte(js)) || !strings.Contains(js, `"reproduced": true`) {
		t.Errorf("replay --format json: exit %d\n%s", code, js)
	}
	// Tamper with the record: a message arrives later than recorded.
	data, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	var rf map[string]any
	if err := json.Unmarshal(data, &rf); err != nil {
		t.Fatal(err)
	}
	b := rf["witness"].(map[string]any)["b"].(map[string]any)
	d := b["deliveries"].([]any)[0].(map[string]any)
	d["arrives"] = d["arrives"].(float64) + 7
	bad, _ := json.Marshal(rf)
	write(t, dir, "bad.json", string(bad))
	code, _, errs = runCLI(t, dir, "run", "--replay", "bad.json")
	if code != 2 || !strings.Contains(errs, "bad.json: error: execution A did not reproduce its record") &&
		!strings.Contains(errs, "bad.json: error: execution B did not reproduce its record") {
		t.Errorf("tampered replay: exit %d, stderr %q", code, errs)
	}
	for _, tc := range []struct{ file, data, want string }{
		{"empty.json", "", "empty.json: error: not a replay file"},
		{"other.json", `{"format": "x"}`, `other.json: error: not a replay file (format "x"`},
		{"missing.json", "", "missing.json: error: no such file or directory"},
	} {
		if tc.file != "missing.json" {
			write(t, dir, tc.file, tc.data)
		}
		code, _, errs := runCLI(t, dir, "run", "--replay", tc.file)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q", tc.file, code, errs)
		}
	}
	if code, _, errs := runCLI(t, dir, "run", "kvs", "--replay", file); code != 2 || !strings.Contains(errs, "give no WORKLOAD") {
		t.Errorf("WORKLOAD with --replay: exit %d, %q", code, errs)
	}
}

// The ephemeral join (a message joined with a table of the messages
// before it) diverges under schedules, but the analysis marks it a
// snapshot read (A stale): every divergence is a stale answer, allowed,
// and verify exits 0. A contradiction is reported loudly on stderr (the
// library's TestContradiction makes one by dropping the snapshot-read
// note; here, reportContradictions on such a report) and exits 2.
func TestVerifyContradiction(t *testing.T) {
	dir := project(t, ephemeralSpec)
	code, out, errs := runCLI(t, dir, append([]string{"verify"}, smallVerify...)...)
	if code != 0 || strings.Contains(errs+out, "CONTRADICTION") || !strings.Contains(out, "divergences stale (snapshot reads: allowed)") {
		t.Fatalf("exit %d, stderr %q\n%s", code, errs, out)
	}
	var b strings.Builder
	rep := &verify.Report{Program: "ephemeral", Paths: []verify.PathReport{{From: "in", To: "pairs", Label: "A", Verdict: verify.Contradiction, Witness: "w1"}}}
	if n := reportContradictions(&b, rep); n != 1 || !strings.Contains(b.String(), "CONTRADICTION in ephemeral: path in -> pairs is labelled A") || !strings.Contains(b.String(), "(witness w1)") {
		t.Errorf("%d contradictions: %q", n, b.String())
	}
}

// A monotonic program: nothing to confirm, exit 0; the same seed gives
// the same report whatever the number of jobs.
func TestVerifyCleanAndDeterministic(t *testing.T) {
	dir := project(t, userSpec+"programs:\n  echo: [Echo]\n")
	code, out, errs := runCLI(t, dir, append([]string{"verify", "--jobs", "1"}, smallVerify...)...)
	if code != 0 || errs != "" || !strings.Contains(out, "not reproduced") {
		t.Fatalf("exit %d, stderr %q\n%s", code, errs, out)
	}
	_, again, _ := runCLI(t, dir, append([]string{"verify", "--jobs", "2"}, smallVerify...)...)
	if again != out {
		t.Errorf("--jobs 1 and --jobs 2 differ:\n%s\n%s", out, again)
	}
	dir = project(t, votesSpec)
	_, a, _ := runCLI(t, dir, append([]string{"verify", "--seed", "5", "--format", "json"}, smallVerify...)...)
	_, b, _ := runCLI(t, dir, append([]string{"verify", "--seed", "5", "--format", "json", "--jobs", "3"}, smallVerify...)...)
	if a != b {
		t.Error("two runs with one seed printed different documents")
	}
}

// The sealed cart's built-in workload follows its protocol: its checkout
// never diverges (issue 7), and its findings are expected: exit 0.
func TestVerifyBuiltinWorkload(t *testing.T) {
	if _, err := os.Stat(filepath.Join(testdata, "..", "..", "..", "specs", "workloads", "sealed-cart.yaml")); err != nil {
		t.Skip("no sealed-cart workload")
	}
	code, out, errs := runCLI(t, t.TempDir(), "verify", "--workload", "sealed-cart")
	if code != 0 || strings.Contains(out, " confirmed ") || !strings.Contains(out, "program sealed-cart: workload sealed-cart") {
		t.Errorf("exit %d, stderr %q\n%s", code, errs, out)
	}
}

func TestVerifyErrors(t *testing.T) {
	dir := project(t, votesSpec)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--format", "xml"}, `calmcheck: unknown --format "xml": want text or json`},
		{[]string{"verify", "--explore", "dfs"}, `calmcheck: unknown --explore "dfs": want auto, random or systematic`},
		{[]string{"verify", "--schedules", "0"}, "calmcheck: --schedules must be from 1 to 10000000"},
		{[]string{"verify", "--jobs", "0"}, "calmcheck: --jobs must be from 1 to 1024"},
		{[]string{"verify", "--progress", "maybe"}, `calmcheck: unknown --progress "maybe"`},
		{[]string{"verify", "--program", "nope"}, `unknown program "nope"`},
		{[]string{"verify", "--workload", "nope"}, `nope: error: no workload file or built-in workload named "nope"`},
	}
	for _, tc := range tests {
		code, _, errs := runCLI(t, dir, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, errs, tc.want)
		}
	}
	// A workload for another program than --program's does not bind.
	write(t, dir, "w.yaml", "workload:\n  program: votes\n  nodes: [a]\n  inputs: [{node: a, tick: 1, fact: 'nothing(1)'}]\n")
	code, _, errs := runCLI(t, dir, "verify", "--workload", "w.yaml")
	if code != 2 || !strings.Contains(errs, "w.yaml:4:") || !strings.Contains(errs, "has no collection nothing") {
		t.Errorf("bad workload: exit %d, stderr %q", code, errs)
	}
}

// The progress bar redraws one line in place, and is not drawn at all
// when stderr is not a terminal.
func TestProgressBar(t *testing.T) {
	var buf strings.Builder
	if newProgressBar(&buf, "auto") != nil || newProgressBar(&buf, "never") != nil {
		t.Error("a progress bar on something that is not a terminal")
	}
	p := newProgressBar(&buf, "always")
	p.update("verify x (1/1)", 250, 1000)
	p.update("verify x (1/1)", 1000, 1000)
	p.clear()
	out := buf.String()
	if !strings.HasPrefix(out, "\rverify x (1/1)  [######------------------]  25%  250/1,000") ||
		!strings.Contains(out, "[########################] 100%  1,000/1,000") || !strings.HasSuffix(out, "\r\x1b[K") {
		t.Errorf("progress output %q", out)
	}
}

// A program the executor cannot run (unstratifiable) cannot be verified:
// its error, exit 2.
func TestVerifyUnstratifiable(t *testing.T) {
	dir := project(t, `modules:
  M:
    state:
      - input   join(node)
      - scratch member(node)
      - scratch candidate(node)
      - output  members(node)
    rules:
      admit:
        - candidate(N) <= join(N), notin member(N)
        - member(N) <= candidate(N)
        - members(N) <= member(N)
programs:
  m: [M]
`)
	code, _, errs := runCLI(t, dir, "verify")
	if code != 2 || !strings.Contains(errs, "error: unstratifiable") || !strings.Contains(errs, "program m cannot be verified") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// A pair whose input the workload never feeds is "not tested", never "not
// reproduced": exit 0, unless --require-tested (exit 1, for CI).
func TestVerifyRequireTested(t *testing.T) {
	dir := project(t, `modules:
  Two:
    state:
      - input  a(x)
      - input  b(x)
      - output o(x)
    rules:
      r:
        - o(X) <= a(X)
        - o(X) <= b(X)
programs:
  two: [Two]
`)
	write(t, dir, "w.yaml", "workload:\n  program: two\n  nodes: [n1]\n  inputs: [{node: n1, tick: 1, fact: 'a(1)'}]\n")
	code, out, errs := runCLI(t, dir, "verify", "--workload", "w.yaml", "--schedules", "20")
	if code != 0 || !strings.Contains(out, "not tested") || !strings.Contains(out, "no workload has facts of b") {
		t.Fatalf("exit %d, stderr %q\n%s", code, errs, out)
	}
	code, out, _ = runCLI(t, dir, "verify", "--workload", "w.yaml", "--schedules", "20", "--require-tested", "--format", "json")
	if code != 1 || !strings.Contains(out, `"paths_not_tested": 1`) || !strings.Contains(out, `"failed": true`) {
		t.Errorf("--require-tested: exit %d\n%s", code, out)
	}
}

// TestVerifyTextWords: verify's text writes verdicts in one casing, and a
// path finding's row names its pair (two rows for one rule looked alike).
func TestVerifyTextWords(t *testing.T) {
	dir := project(t, votesSpec)
	_, out, _ := runCLI(t, dir, append([]string{"verify"}, smallVerify...)...)
	if strings.Contains(out, "Confirmed") || strings.Contains(out, "Not reproduced") || strings.Contains(out, "Not tested") {
		t.Errorf("verdicts capitalized:\n%s", out)
	}
	if !strings.Contains(out, "missing-coordination (vote -> result)") {
		t.Errorf("the path finding's row does not name its pair:\n%s", out)
	}
}

// A seal that an execution breaks fails the gate, although its
// acknowledgement turned the point of order into a note.
func TestVerifyBrokenSealFailsTheGate(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "verify", "testdata", "broken-seal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := project(t, string(data))
	code, out, errs := runCLI(t, dir, "verify", "--workload", "calmcheck.yaml", "--schedules", "100", "--format", "json")
	if code == 0 || !strings.Contains(out, `"broken": "broken-seal"`) || !strings.Contains(out, `"failed": true`) {
		t.Errorf("exit %d, stderr %q\n%s", code, errs, out)
	}
}

// A coordination that an execution breaks fails the gate too, although
// its acknowledgement turned the point of order into a note.
func TestVerifyBrokenCoordinationFailsTheGate(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "verify", "testdata", "broken-coordination.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := project(t, string(data))
	code, out, errs := runCLI(t, dir, "verify", "--workload", "calmcheck.yaml", "--schedules", "100", "--format", "json")
	if code != 1 || !strings.Contains(out, `"broken": "broken-coordination"`) || !strings.Contains(out, `"failed": true`) {
		t.Errorf("exit %d, stderr %q\n%s", code, errs, out)
	}
}
