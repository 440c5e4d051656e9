package main

import (
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/lint"
)

// reportOf runs calmcheck report in dir with args and returns the page.
func reportOf(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, "report.html")
	code, _, errs := runCLI(t, dir, append(append([]string{"report"}, args...), "-o", out)...)
	if code != 0 {
		t.Fatalf("report %v: exit %d: %s", args, code, errs)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

var (
	findingRow  = regexp.MustCompile(`<tr class="finding selectable [^"]*" tabindex="0" data-check="([^"]*)" data-severity="([^"]*)" data-detail="([^"]*)" data-nodes="([^"]*)" data-edges="([^"]*)">`)
	svgGroup    = regexp.MustCompile(`<g id="(p[0-9]+_[^"]*)" class="(node|edge)[ "]`) // the programs' (not the legend's)
	detailID    = regexp.MustCompile(`<div class="detail detail-(collection|node|edge|finding)" id="d-([^"]*)"`)
	dataIDLists = regexp.MustCompile(`data-(?:nodes|edges)="([^"]*)"`)
)

// TestReportAgreesWithLint: the report of every built-in program shows
// lint's findings (check, severity, message, location) in lint's order,
// a detail for every node and edge drawn, and names only ids that are in
// its pictures.
func TestReportAgreesWithLint(t *testing.T) {
	dir := t.TempDir()
	page := reportOf(t, dir)
	code, out, errs := runCLI(t, dir, "lint", "--format", "json", "--fail-on", "never")
	if code != 0 {
		t.Fatalf("lint: exit %d: %s", code, errs)
	}
	var doc lint.JSONReport
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	rows := findingRow.FindAllStringSubmatch(page, -1)
	text := html.UnescapeString(page) // as a browser shows it
	var want []lint.JSONFinding
	for _, p := range doc.Programs {
		want = append(want, p.Findings...)
		if !strings.Contains(page, "<h2>"+p.Name+" <span class=\"counts\">") {
			t.Errorf("no section for program %s", p.Name)
		}
	}
	if len(rows) != len(want) {
		t.Fatalf("%d finding rows, lint has %d findings", len(rows), len(want))
	}
	for i, f := range want {
		if rows[i][1] != string(f.Check) || rows[i][2] != f.Severity {
			t.Errorf("row %d: %s %s, lint: %s %s", i, rows[i][1], rows[i][2], f.Check, f.Severity)
		}
		loc := f.File + ":" + itoa(f.Line) + ":" + itoa(f.Column)
		if !strings.Contains(text, f.Message) || !strings.Contains(page, `<td class="location">`+loc+`</td>`) {
			t.Errorf("finding %s at %s: message or location missing", f.Check, loc)
		}
		if f.Flow != nil && rows[i][5] == "" {
			t.Errorf("finding %s at %s has a flow and highlights no edge", f.Check, loc)
		}
	}
	groups := map[string]bool{}
	for _, m := range svgGroup.FindAllStringSubmatch(page, -1) {
		groups[m[1]] = true
	}
	details := map[string]bool{}
	for _, m := range detailID.FindAllStringSubmatch(page, -1) {
		details[m[2]] = true
	}
	for id := range groups {
		if !details[id] {
			t.Errorf("node or edge %s has no detail", id)
		}
	}
	for _, m := range dataIDLists.FindAllStringSubmatch(page, -1) {
		for _, id := range strings.Fields(m[1]) {
			if !groups[id] {
				t.Errorf("the page names %s, which no picture holds", id)
			}
		}
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d scripts in the page", n)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestReportCart checks the replicated disorderly cart's page: the
// collection's rules, the finding's highlight, the path labels.
func TestReportCart(t *testing.T) {
	page := reportOf(t, t.TempDir(), "--program", "replicated-disorderly-cart", "--title", "The cart & co")
	saved := specPos(t, "cart.yaml", "cart_action(S, I, A, R) <= action_msg(_, _, S, I, A, R)")
	count := specPos(t, "cart.yaml", "action_cnt(S, I, A, count<R>) <= cart_action(S, I, A, R)")
	countLine := specLine(t, "cart.yaml", "action_cnt(S, I, A, count<R>) <= cart_action(S, I, A, R)")
	for _, want := range []string{
		"<title>The cart &amp; co</title>",
		`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`,
		// the legend, once, and the picture
		`<details class="legend" id="legend" open><summary>Legend: how the graphs are drawn</summary><div class="legend-picture"><svg`,
		`<div class="graph-view"><svg`,
		// cart_action: its declaration and the rules that write and read it
		`<code class="decl">table cart_action(session, item, action, reqid)</code>`,
		`<li><code>cart_action(S, I, A, R) &lt;= action_msg(_, _, S, I, A, R)</code><br><span class="pos">` + saved + `</span> <span class="where">DisorderlyCart.saved</span></li>`,
		`<li><code>action_cnt(S, I, A, count&lt;R&gt;) &lt;= cart_action(S, I, A, R)</code><br><span class="pos">` + count + `</span> <span class="where">DisorderlyCart.saved</span> <span class="tag nonmonotonic">nonmonotonic: count&lt;R&gt;</span></li>`,
		// the path labels, with where coordination goes
		`<td>client_action</td><td>client_response</td><td class="label">D</td><td class="label">D</td><td>action_cnt: count&lt;R&gt; (` + countLine + `), after action_msg<br><code>action_cnt(S, I, A, count&lt;R&gt;) &lt;= cart_action(S, I, A, R)</code></td>`,
		// the filter
		`<option value="missing-coordination">missing-coordination</option><option value="point-of-order">point-of-order</option>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	rows := findingRow.FindAllStringSubmatch(page, -1)
	if len(rows) != 5 || rows[0][1] != "missing-coordination" {
		t.Fatalf("finding rows %q", rows)
	}
	if n := len(strings.Fields(rows[0][4])); n != 7 {
		t.Errorf("the missing-coordination finding highlights %d collections, want its 7 (named and on its flow)", n)
	}
	if n := len(strings.Fields(rows[0][5])); n != 6 {
		t.Errorf("the missing-coordination finding highlights %d edges, want the 6 of its flow", n)
	}
	if strings.Contains(page, "Verification") {
		t.Error("a verification section without --verify")
	}
}

// TestReportVerify: --verify adds verify's verdicts and witnesses.
func TestReportVerify(t *testing.T) {
	page := reportOf(t, t.TempDir(), "--program", "disorderly-cart", "--verify", "--schedules", "100", "--seed", "3")
	count := specPos(t, "cart.yaml", "count<R>) <= cart_action(S, I, A, R)")
	for _, want := range []string{
		`<h3>Verification</h3>`,
		`calmcheck verify: 6 workloads generated from the schemas, seed 3, 100 executions per experiment (auto).`,
		`<td class="verdict">confirmed</td><td>missing-coordination at ` + count + `</td><td>(expected)</td><td><a href="#w-p0-0">w1</a></td>`,
		// one witness confirms both D pairs: the count, and the checkout's
		// timing join (the checkout meets the counts in one timestep)
		`<details class="witness" id="w-p0-0"><summary>Witness w1 (schedule): confirms path client_checkout -&gt; client_response (D); confirms path client_action -&gt; client_response (D)`,
		`<img class="spacetime" alt="spacetime diagram of the two executions" src="data:image/svg&#43;xml;base64,`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if again := reportOf(t, t.TempDir(), "--program", "disorderly-cart", "--verify", "--schedules", "100", "--seed", "3"); again != page {
		t.Error("two reports with --verify and one seed differ")
	}
}

func TestReportDeterministic(t *testing.T) {
	a := reportOf(t, t.TempDir(), "--program", "replicated-kvs", "--program", "sealed-cart")
	b := reportOf(t, t.TempDir(), "--program", "replicated-kvs", "--program", "sealed-cart")
	if a != b {
		t.Error("two reports of the same programs differ")
	}
	if !strings.Contains(a, `<a href="#p1-section">sealed-cart</a>`) {
		t.Error("no link to the second program")
	}
}

// TestReportHostileSpec: docs and rule strings of a spec are text in the
// page (the browser test checks that they stay text in Chromium).
func TestReportHostileSpec(t *testing.T) {
	dir := t.TempDir()
	writeHostileSpecs(t, dir)
	page := reportOf(t, dir)
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d <script in the page", n)
	}
	for _, bad := range []string{"<img", "<iframe", "<b>", "<svg onload", "window.__pwned=1</script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %s", bad)
		}
	}
	for _, want := range []string{
		// the program's doc
		`<p class="doc">&lt;iframe src=javascript:window.__pwned=7&gt;&lt;/iframe&gt;&lt;a href=javascript:window.__pwned=8&gt;x&lt;/a&gt;</p>`,
		// a rule, in the panel
		`<code>evil_t(A) &lt;= evil_in(A), A != &#34;&lt;script&gt;window.__pwned=3&lt;/script&gt;&#34;</code>`,
		// the module's doc, in the picture's tooltip of the module
		`&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror="window.__pwned=2"&gt; &amp; &lt;b&gt;bold&lt;/b&gt;`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not show %s", want)
		}
	}
}

// TestReportExitStatus: 0 written, 1 written with findings at or above
// --fail-on, 2 nothing written.
func TestReportExitStatus(t *testing.T) {
	dir := t.TempDir()
	writeHostileSpecs(t, dir) // evil-prog has a point-of-order warning nobody expects
	write(t, dir, "bad.yaml", "modules:\n  A:\n    state: [table t(a)]\n    rules:\n      r: ['t(X) <= u(X)']\n")
	tests := []struct {
		name    string
		builtin bool // in a directory without a project file
		args    []string
		code    int
		err     string
	}{
		{"clean", false, []string{"--program", "evil-prog"}, 0, ""},
		{"gate", false, []string{"--program", "evil-prog", "--fail-on", "warning"}, 1, ""},
		{"expected findings pass the gate", true, []string{"--program", "delivery-protocol", "--fail-on", "note"}, 0, ""},
		{"bad gate", false, []string{"--fail-on", "sometimes"}, 2, `unknown --fail-on "sometimes"`},
		{"bad flag", false, []string{"--bogus"}, 2, "unknown flag: --bogus"},
		{"unknown program", false, []string{"--program", "nope"}, 2, `unknown program "nope"`},
		{"bad spec", false, []string{"bad.yaml"}, 2, "bad.yaml:5:20: error: unknown collection u in A.r"},
		{"schedules", false, []string{"--verify", "--schedules", "0"}, 2, "--schedules must be from 1"},
		{"unwritable", false, []string{"--program", "evil-prog", "-o", filepath.Join(dir, "missing", "r.html")}, 2, "r.html: error: no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wd := dir
			if tc.builtin {
				wd = t.TempDir()
			}
			out := filepath.Join(wd, "r.html")
			args := append([]string{"report"}, tc.args...)
			if !slices.Contains(tc.args, "-o") {
				args = append(args, "-o", out)
			}
			os.Remove(out)
			code, _, errs := runCLI(t, wd, args...)
			if code != tc.code || !strings.Contains(errs, tc.err) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, tc.code, tc.err)
			}
			if strings.Contains(errs, "panic") || strings.Contains(errs, "goroutine") {
				t.Errorf("stack trace: %s", errs)
			}
			if _, err := os.Stat(out); (err == nil) != (tc.code < 2) && !slices.Contains(tc.args, "-o") {
				t.Errorf("exit %d, report written: %v", code, err == nil)
			}
			left, _ := filepath.Glob(filepath.Join(wd, ".r.html.tmp*"))
			if len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// TestReportStdout: without -o, the page goes to stdout.
func TestReportStdout(t *testing.T) {
	code, out, errs := runCLI(t, t.TempDir(), "report", "--program", "basic-kvs")
	if code != 0 || !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.HasSuffix(out, "</html>\n") {
		t.Errorf("exit %d, %s, stdout %.60q", code, errs, out)
	}
}

// TestReportLegendOpenMessagesWhole: the legend is open when the page
// loads (A and D were not explained on the page), and no rule of the
// style cuts a finding's message short (three lines were shown).
func TestReportLegendOpenMessagesWhole(t *testing.T) {
	page := reportOf(t, t.TempDir(), "--program", "disorderly-cart")
	if !strings.Contains(page, `<details class="legend" id="legend" open>`) {
		t.Error("the legend is closed")
	}
	for _, cut := range []string{"line-clamp", "text-overflow", "ellipsis"} {
		if strings.Contains(page, cut) {
			t.Errorf("the page's style has %s", cut)
		}
	}
}
