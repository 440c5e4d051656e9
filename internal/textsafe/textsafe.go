// Package textsafe makes text from specs, workloads and file names safe to
// print on a terminal or in a CI log: control characters (ESC, BEL, CR,
// NUL, DEL, the C1 controls), Unicode line and paragraph separators,
// bidirectional overrides and bytes that are not UTF-8 are shown as
// visible escapes (\x1b, \u2028), so that no input can move the cursor,
// recolour the terminal, hide text or forge an output line.
package textsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// unsafeRune reports whether r must be escaped (line breaks and tabs
// aside, which the callers decide about).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidirectional controls
	}
	return false
}

func escape(b *strings.Builder, r rune) {
	switch {
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\t':
		b.WriteString(`\t`)
	case r < 0x80:
		fmt.Fprintf(b, `\x%02x`, r)
	default:
		fmt.Fprintf(b, `\u%04x`, r)
	}
}

// Line returns s for a one-line field: every unsafe character, line
// breaks and tabs included, is escaped.
func Line(s string) string { return escapeString(s, false) }

// Text returns s with every unsafe character escaped except line breaks
// (\n) and tabs, for text of several lines.
func Text(s string) string { return escapeString(s, true) }

func escapeString(s string, keepBreaks bool) string {
	if clean(s, keepBreaks) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepBreaks && (r == '\n' || r == '\t'), !unsafeRune(r):
			b.WriteRune(r)
		default:
			escape(&b, r)
		}
		i += w
	}
	return b.String()
}

func clean(s string, keepBreaks bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			continue
		}
		if keepBreaks && (c == '\n' || c == '\t') {
			continue
		}
		if c < utf8.RuneSelf {
			return false
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 || unsafeRune(r) {
			return false
		}
		i += w - 1
	}
	return true
}

// Writer escapes what is written through it as Text does. A character
// split between two writes is escaped whole; Flush is not needed for
// complete UTF-8 (an incomplete sequence at the very end is held back
// until the next write).
type Writer struct {
	w       io.Writer
	pending []byte
}

// NewWriter returns a Writer to w (w itself if it already is one).
func NewWriter(w io.Writer) io.Writer {
	if _, ok := w.(*Writer); ok {
		return w
	}
	return &Writer{w: w}
}

// Underlying is the writer escaped text goes to (for output that must
// reach the terminal as it is, such as a progress bar).
func (w *Writer) Underlying() io.Writer { return w.w }

func (w *Writer) Write(p []byte) (int, error) {
	data := p
	if len(w.pending) > 0 {
		data = append(w.pending, p...)
		w.pending = nil
	}
	// Hold back an incomplete UTF-8 sequence at the end.
	cut := len(data)
	for k := 1; k <= 3 && k <= len(data); k++ {
		c := data[len(data)-k]
		if c < utf8.RuneSelf {
			break
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(data[len(data)-k:]) {
				cut = len(data) - k
			}
			break
		}
	}
	if cut < len(data) {
		w.pending = append([]byte(nil), data[cut:]...)
	}
	if _, err := io.WriteString(w.w, Text(string(data[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Underlying returns the writer beneath any textsafe Writer.
func Underlying(w io.Writer) io.Writer {
	if t, ok := w.(*Writer); ok {
		return t.w
	}
	return w
}
