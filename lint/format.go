package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// A Formatter writes a Report to a stream as the pipeline produces it:
// Start once the workspace's findings are known, Program once per
// program in order, End when the report is complete (its counts and
// Failed). A Formatter writes each part as it gets it and keeps no
// document in memory; it holds the state of one report, so use a new one
// per report.
type Formatter interface {
	Start(w io.Writer, r *Report) error
	Program(w io.Writer, p *Program) error
	End(w io.Writer, r *Report) error
}

// Formats are the names NewFormatter accepts, for --format.
var Formats = []string{"text", "json", "sarif", "github"}

// NewFormatter returns the formatter of a --format name (text, json,
// sarif or github); version is the tool's version that json and sarif
// name, color colours text. It returns nil for an unknown name.
func NewFormatter(name, version string, color bool) Formatter {
	switch name {
	case "text":
		return &Text{Color: color}
	case "json":
		return &JSON{ToolVersion: version}
	case "sarif":
		return &SARIF{ToolVersion: version}
	case "github":
		return &GitHub{}
	}
	return nil
}

// Write writes a complete report with f.
func Write(w io.Writer, f Formatter, r *Report) error {
	if err := f.Start(w, r); err != nil {
		return err
	}
	for _, p := range r.Programs {
		if err := f.Program(w, p); err != nil {
			return err
		}
	}
	return f.End(w, r)
}

// errWriter keeps the first write error, so that a formatter can print
// freely and check once.
type errWriter struct {
	w   io.Writer
	err error

	buf bytes.Buffer  // compact's
	enc *json.Encoder // on buf

	sbuf  bytes.Buffer  // appendStringSlow's
	senc  *json.Encoder // on sbuf
	bytes []byte        // compact's for findings
	// jf is the finding being written, reused: no garbage per finding (a
	// large program has hundreds of thousands).
	jf JSONFinding
	// local is a formatter's own state for batches' encoders (a
	// goroutine's: results are encoded concurrently).
	local any
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

// compact writes v as compact JSON on one line (HTML characters are not
// escaped), reusing one buffer.
func (e *errWriter) compact(v any) {
	e.bytes = e.appendCompact(e.bytes[:0], v)
	e.Write(e.bytes)
}

// appendCompact appends v as compact JSON (HTML characters are not
// escaped), with e's encoder; an error is kept in e.err.
func (e *errWriter) appendCompact(b []byte, v any) []byte {
	if x, ok := v.(JSONFinding); ok {
		return e.appendFinding(b, &x)
	}
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.buf)
		e.enc.SetEscapeHTML(false)
	}
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		if e.err == nil {
			e.err = err
		}
		return b
	}
	return append(b, bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))...)
}

// array writes an array of n elements at a depth (its brackets at depth,
// its elements one compact line each at depth+1), getting each element
// when it is written; elem must be safe to call concurrently (the
// elements are encoded in batches on every core).
func (e *errWriter) array(depth, n int, elem func(i int) any) {
	e.lines(depth, n, func(s *errWriter, b []byte, i int) []byte { return s.appendCompact(b, elem(i)) })
}

// lines writes an array of n elements at a depth, element i one line
// appended by enc, in batches on every core (batches).
func (e *errWriter) lines(depth, n int, enc encodeFunc) {
	e.Write([]byte{'['})
	e.elements(depth+1, 0, n, enc)
	e.endArray(depth, n)
}

// elements writes n elements of an array, one line each at a depth, the
// first of them the array's element number first (an array written in
// parts), in batches on every core.
func (e *errWriter) elements(depth, first, n int, enc encodeFunc) {
	sep := "\n" + strings.Repeat("  ", depth)
	e.batches(n, func(s *errWriter, b []byte, i int) []byte {
		if first+i > 0 {
			b = append(b, ',')
		}
		return enc(s, append(b, sep...), i)
	})
}

// value writes v as indented JSON at the given depth of the document (an
// element of the top-level object is at depth 1), without the newline
// after it: a part of a document that json.Encoder would write whole with
// SetIndent("", "  ").
func (e *errWriter) value(depth int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(strings.Repeat("  ", depth), "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		if e.err == nil {
			e.err = err
		}
		return
	}
	e.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// key writes an object key at a depth: `,\n  "name": ` (first: no comma).
func (e *errWriter) key(depth int, name string, first bool) {
	if !first {
		e.Write([]byte{','})
	}
	e.Write([]byte("\n" + strings.Repeat("  ", depth)))
	e.value(0, name)
	e.Write([]byte(": "))
}

// element starts the n-th element of an array at a depth.
func (e *errWriter) element(depth, n int) {
	if n > 0 {
		e.Write([]byte{','})
	}
	e.Write([]byte("\n" + strings.Repeat("  ", depth)))
}

// endArray closes an array of n elements whose brackets are at a depth.
func (e *errWriter) endArray(depth, n int) {
	if n > 0 {
		e.Write([]byte("\n" + strings.Repeat("  ", depth)))
	}
	e.Write([]byte{']'})
}
