package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escaping. Everything calmcheck writes into DOT goes through one of the
// functions below, so that no name, doc or rule text can produce
// malformed DOT, or DOT that Graphviz reads differently from what was
// meant:
//
//   - dotID quotes an identifier. In a DOT quoted string the only escape
//     is \" (and backslash-newline, a line continuation); every other
//     backslash is kept. Backslashes are doubled and newlines written as
//     \n, which makes the quoting injective: two different names never
//     give the same ID.
//   - dotText quotes text for an escString attribute (label, tooltip).
//     Graphviz interprets \\ \n \N \G ... and HTML entities (&amp; &lt;
//     ...) in such text, so a backslash is written \\, a line break \n,
//     and & as &amp;, which shows every character as written.
//
// Both also replace invalid UTF-8 and control characters, which Graphviz
// would pass through into the SVG and make it invalid XML.

// clean replaces invalid UTF-8 and control characters other than newline
// with U+FFFD and folds CR LF and CR to LF, tabs to a space.
func clean(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\n' || c == 0x7f || c >= 0x80 {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(unicode.ReplacementChar)
		case r == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				n = 2
			}
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n':
			b.WriteByte('\n')
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\ufeff':
			b.WriteRune(unicode.ReplacementChar)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// dotID returns s as a quoted DOT identifier.
func dotID(s string) string { return dotQuote(s, false) }

// dotText returns s as a quoted DOT escString that Graphviz displays as
// s, line breaks included (centred lines); & is written as an entity,
// since Graphviz reads entities in labels.
func dotText(s string) string { return dotQuote(s, true) }

// dotQuote quotes s for DOT: quotes, backslashes and line breaks escaped,
// and & as &amp; when amp is set.
func dotQuote(s string, amp bool) string {
	s = clean(s)
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			b.WriteString(`\"`)
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '&' && amp:
			b.WriteString(`&amp;`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// mermaidText returns s for a Mermaid label in double quotes: Mermaid
// reads #name; and #123; as entities and HTML in labels, so quotes, <, >,
// & and # are written as entities, line breaks as <br>.
func mermaidText(s string) string {
	s = clean(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString("#quot;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '&':
			b.WriteString("#amp;")
		case '#':
			b.WriteString("#35;")
		case '\n':
			b.WriteString("<br>")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainIdent reports whether s is a non-empty identifier of letters,
// digits and _, as the spec language's collection names are.
func plainIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
