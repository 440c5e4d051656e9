package modules

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// deepTerms are rules whose terms nest n levels, in every way a term
// nests: parentheses, lists, unary minus, built-in calls, aggregates'
// arguments, binary operators. Before the depth limit, 300,000 levels
// ended in "fatal error: stack overflow".
func deepTerms(n int) map[string]string {
	return map[string]string{
		"parens":       "t(" + strings.Repeat("(", n) + "A" + strings.Repeat(")", n) + ") <= i(A)",
		"plus parens":  "t(" + strings.Repeat("A+(", n) + "A" + strings.Repeat(")", n) + ") <= i(A)",
		"lists":        "t(" + strings.Repeat("[", n) + "A" + strings.Repeat("]", n) + ") <= i(A)",
		"unary minus":  "t(" + strings.Repeat("-", n) + "A) <= i(A)",
		"spaced minus": "t(" + strings.Repeat("- ", n) + "A) <= i(A)",
		"len":          "t(A) <= i(A), " + strings.Repeat("len(", n) + "A" + strings.Repeat(")", n) + " > 0",
		"aggregate":    "t(sum<" + strings.Repeat("(", n) + "A" + strings.Repeat(")", n) + ">) <= i(A)",
		"body binding": "t(B) <= i(A), B = " + strings.Repeat("[", n) + "A" + strings.Repeat("]", n),
	}
}

func TestTermDepthLimit(t *testing.T) {
	for name, src := range deepTerms(300_000) {
		t.Run(name, func(t *testing.T) {
			r, ds := ParseRule(src, LinePos("f", 3, 10))
			if r != nil || len(ds) != 1 || !strings.Contains(ds[0].Message, fmt.Sprintf("nested deeper than %d levels", MaxTermDepth)) {
				t.Fatalf("got %v, %v", r, ds)
			}
			if ds[0].Pos.Line != 3 || ds[0].Pos.Col < 10 || ds[0].Pos.Col > 10+len(src) {
				t.Errorf("position %v outside the rule", ds[0].Pos)
			}
		})
	}
	// At the limit the rules parse, and their rendering parses again.
	for name, src := range deepTerms(MaxTermDepth - 3) {
		t.Run(name+" at the limit", func(t *testing.T) {
			r, ds := ParseRule(src, nil)
			if len(ds) > 0 {
				t.Fatalf("%v", ds)
			}
			if _, ds := ParseRule(r.String(), nil); len(ds) > 0 {
				t.Fatalf("rendering does not parse: %v", ds)
			}
		})
	}
	// In a spec file the error names file:line:col, and fmt refuses it.
	src := "modules:\n  A:\n    state: [input i(a), table t(a)]\n    rules:\n      r:\n        - \"" + deepTerms(200_000)["parens"] + "\"\n"
	ds := NewLibrary().LoadData("deep.yaml", []byte(src))
	if len(ds) != 1 || !strings.HasPrefix(ds[0].String(), fmt.Sprintf("deep.yaml:6:%d: error: parentheses nested deeper than %d levels", 14+MaxTermDepth, MaxTermDepth)) {
		t.Errorf("%v", ds)
	}
	if out, ds := Format("deep.yaml", []byte(src)); out != nil || len(ds) != 1 {
		t.Errorf("fmt of a too deep rule: %d bytes, %v", len(out), ds)
	}
}

// TestManyItemsOnOneLine: positions are found in time linear in the file,
// however many nodes stand on one line (a column was found by walking
// its line from the start, for every node: 40,000 declarations in one
// flow list took 23.6 s). A line with a non-ASCII character takes the
// slower path. The deadline is far above the linear time (well under a
// second) and far below the quadratic one (minutes).
func TestManyItemsOnOneLine(t *testing.T) {
	const n = 150_000
	var b strings.Builder
	b.WriteString("modules:\n  A:\n    doc: é\n    state: [")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "'table é%d(a)'", i)
	}
	b.WriteString(", 'table'")
	b.WriteString("]\n")
	src := b.String()
	done := make(chan Diagnostics, 1)
	go func() { done <- NewLibrary().LoadData("wide.yaml", []byte(src)) }()
	select {
	case ds := <-done:
		line4 := strings.Index(src, "    state:")
		want := fmt.Sprintf("wide.yaml:4:%d: error:", len(src)-len("]\n")-len("'")-line4+1)
		if len(ds) != 1 || !strings.HasPrefix(ds[0].String(), want) {
			t.Errorf("got %v, want one error %s", ds, want)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("loading 150,000 items on one line took over a minute")
	}
}

// TestPositionsUnderEscapes: an error after an escape in a double-quoted
// scalar points at the offending token in the file, whatever the escape
// (they shifted the column, even past the end of the file).
func TestPositionsUnderEscapes(t *testing.T) {
	escapes := []string{`\u00e9`, `\x41`, `\e`, `\U0001F600`, `\N`, `\_`, `\L`, `\P`, `\t`, `\\\"`, `\\\\`, `\0`, `\a`, `\ `,
		`\u00e9\x41\e\\\\`, "\\\n          "}
	for _, esc := range escapes {
		t.Run(esc, func(t *testing.T) {
			line := `        - "t(X) <= i(X), X != \"` + esc + `\", zz(X)"` + "\n"
			src := "modules:\n  A:\n    state: [input i(a), table t(a)]\n    rules:\n      r:\n" + line
			ds := NewLibrary().LoadData("e.yaml", []byte(src))
			// zz's line and column in the file.
			off := strings.Index(src, "zz(")
			ln := strings.Count(src[:off], "\n") + 1
			col := off - strings.LastIndex(src[:off], "\n")
			want := fmt.Sprintf("e.yaml:%d:%d: error: unknown collection zz", ln, col)
			_, cds := func() (*Program, Diagnostics) {
				lib := NewLibrary()
				lib.LoadData("e.yaml", []byte(src))
				return lib.Compose("p", []Ref{{Name: "A"}})
			}()
			ds = append(ds, cds...)
			if len(ds) != 1 || !strings.HasPrefix(ds[0].String(), want) {
				t.Errorf("got %v\nwant %s", ds, want)
			}
		})
	}
}

// TestBadCharactersLocated: a NUL, another control character or a byte
// that is not UTF-8 is reported where it stands (it was reported at 1:1).
func TestBadCharactersLocated(t *testing.T) {
	for _, tc := range []struct{ bad, want string }{
		{"\x00", "control character U+0000"},
		{"\x1b", "control character U+001B"},
		{"\x7f", "control character U+007F"},
		{"\u0090", "control character U+0090"},
		{"\xff", "invalid UTF-8 byte 0xff"},
		{"\xc3", "invalid UTF-8 byte 0xc3"},
	} {
		src := "modules:\n  A:\n    doc: ok é\n    state: [table t(a)]  # x" + tc.bad + "y\n"
		ds := NewLibrary().LoadData("b.yaml", []byte(src))
		want := fmt.Sprintf("b.yaml:4:%d: error: invalid YAML: %s", len("    state: [table t(a)]  # x")+1, tc.want)
		if len(ds) != 1 || !strings.HasPrefix(ds[0].String(), want) {
			t.Errorf("%q: got %v, want %s", tc.bad, ds, want)
		}
	}
}

// TestPositionsInsideTheFile: errors at the end of a file are placed on
// its last line, never on the line after it.
func TestPositionsInsideTheFile(t *testing.T) {
	for _, src := range []string{
		"modules:\n  A: [\n",
		"modules:\n  A:\n    doc: \"unclosed\n",
		"modules:\n  A:\n    state: ['table t(a)', \"x \\\n",
		"modules:\n  A:\n    rules:\n      r: [\"t(X) <= \\\n\"]\n",
		"a:\r  b: [\r",
	} {
		ds := NewLibrary().LoadData("f.yaml", []byte(src))
		if len(ds) == 0 {
			t.Errorf("%q: no error", src)
		}
		for _, d := range ds {
			checkInside(t, []byte(src), d)
		}
	}
}

// checkInside fails unless d's position is on a line of data (line breaks
// as YAML counts them: LF, CRLF, a lone CR; a final break ends the last
// line, it does not start one) and at most one column past its end.
func checkInside(t *testing.T, data []byte, d Diagnostic) {
	t.Helper()
	lines := regexp.MustCompile(`\r\n|\r|\n`).Split(string(data), -1)
	if len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if d.Pos.Line < 1 || d.Pos.Line > len(lines) {
		t.Fatalf("%v: line outside the file's %d lines", d, len(lines))
	}
	if l := lines[d.Pos.Line-1]; d.Pos.Col < 1 || d.Pos.Col > len(l)+1 {
		t.Fatalf("%v: column outside line %d (%q)", d, d.Pos.Line, l)
	}
}

// TestEmptyInputs: an empty spec file, one with only comments or an
// empty mapping, and a directory without spec files are errors (they
// linted clean); a single string where the language has only lists is an
// error (state: "input req(id)" was read as a list of one).
func TestEmptyInputs(t *testing.T) {
	for _, src := range []string{"", "\n\n", "# only a comment\n", "{}\n", "---\n"} {
		ds := NewLibrary().LoadData("e.yaml", []byte(src))
		if len(ds) != 1 || !strings.HasPrefix(ds[0].String(), "e.yaml:1:1: error: empty spec file") {
			t.Errorf("%q: %v", src, ds)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ds := NewLibrary().LoadPath(dir)
	if len(ds) != 1 || ds[0].Pos.File != dir || !strings.Contains(ds[0].Message, "no spec files") {
		t.Errorf("empty directory: %v", ds)
	}
	_, _, got := load(t, "modules:\n  A:\n    state: \"input req(id)\"\n")
	if len(got) != 1 || got[0] != "3:12: error: state must be a list of strings, found a scalar" {
		t.Errorf("state as a string: %v", got)
	}
}
