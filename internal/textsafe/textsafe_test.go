package textsafe

import (
	"strings"
	"testing"
)

func TestLineAndText(t *testing.T) {
	for _, tc := range []struct{ in, line, text string }{
		{"plain é ü 日本", "plain é ü 日本", "plain é ü 日本"},
		{"a\x1b[31mb", `a\x1b[31mb`, `a\x1b[31mb`},
		{"bel\a cr\r nul\x00 del\x7f", `bel\x07 cr\r nul\x00 del\x7f`, `bel\x07 cr\r nul\x00 del\x7f`},
		{"two\nlines\ttab", `two\nlines\ttab`, "two\nlines\ttab"},
		{"c1 \u0085 \u009b ls \u2028 ps \u2029", `c1 \u0085 \u009b ls \u2028 ps \u2029`, `c1 \u0085 \u009b ls \u2028 ps \u2029`},
		{"bidi \u202e \u2066", `bidi \u202e \u2066`, `bidi \u202e \u2066`},
		{"bad \xff\xc3", `bad \xff\xc3`, `bad \xff\xc3`},
	} {
		if got := Line(tc.in); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
		if got := Text(tc.in); got != tc.text {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
		}
	}
}

// TestWriterSplitsRunes: a character written in two pieces is kept whole
// (not escaped as two invalid bytes), and control characters are escaped
// whatever the write boundaries.
func TestWriterSplitsRunes(t *testing.T) {
	in := "é\x1b日本\u2028x\n"
	for cut := range len(in) + 1 {
		var b strings.Builder
		w := NewWriter(&b)
		w.Write([]byte(in[:cut]))
		w.Write([]byte(in[cut:]))
		if got, want := b.String(), "é\\x1b日本\\u2028x\n"; got != want {
			t.Errorf("cut %d: %q, want %q", cut, got, want)
		}
	}
	if NewWriter(NewWriter(&strings.Builder{})).(*Writer).Underlying() == nil {
		t.Error("no underlying writer")
	}
}
