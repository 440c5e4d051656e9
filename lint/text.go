package lint

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/internal/par"
	"github.com/calmcheck/calmcheck/internal/textsafe"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// ANSI colours for text output.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

type painter bool

func (p painter) paint(code, s string) string {
	if !p {
		return s
	}
	return code + s + ansiReset
}

func (p painter) severity(s modules.Severity) string {
	switch s {
	case modules.Error:
		return p.paint(ansiBold+ansiRed, s.String())
	case modules.Warning:
		return p.paint(ansiBold+ansiYellow, s.String())
	}
	return p.paint(ansiBold+ansiCyan, s.String())
}

// Text prints findings as file:line:col: severity: message [check],
// grouped by program, each program followed by its path-label table, then
// a summary line and a one-line verdict. A program's expected findings
// (declared in its expect: list) are summed up in one line unless
// ShowExpected lists them.
type Text struct {
	Color        bool // ANSI colours
	ShowExpected bool // list expected findings, not only count them
	// Width wraps a finding's message at this many columns, continuation
	// lines indented; 0 keeps each finding on one line.
	Width int
	// Paths selects the rows of each program's path table.
	Paths Paths

	w         *errWriter
	n         int
	workspace bool
	builtin   bool   // every program so far is of the built-in library
	line      []byte // finding's buffer
}

func (f *Text) Start(w io.Writer, r *Report) error {
	f.w, f.n, f.workspace, f.builtin = &errWriter{w: w}, 0, len(r.Workspace) > 0, true
	for _, x := range r.Workspace {
		f.finding(&x)
	}
	return f.w.err
}

func (f *Text) Program(w io.Writer, pr *Program) error {
	p := painter(f.Color)
	if f.n > 0 || f.workspace {
		f.w.printf("\n")
	}
	f.n++
	prog := pr.Result.Program
	about := fmt.Sprintf("%s (%d collection%s, %d rule%s)", strings.Join(prog.Roots, ", "),
		len(prog.Collections), plural(len(prog.Collections)), len(prog.Rules), plural(len(prog.Rules)))
	if f.Width > 0 {
		about = wrap(about, len("program "+prog.Name+": "), f.Width, "    ")
	}
	f.w.printf("%s %s: %s\n", p.paint(ansiBold, "program"), p.paint(ansiBold, prog.Name), about)
	f.builtin = f.builtin && prog.Spec != nil && prog.Spec.Builtin
	var expected []monotonic.Finding
	var shown []int
	for i := range pr.Findings {
		if x := &pr.Findings[i]; x.Expected && !f.ShowExpected {
			expected = append(expected, *x)
			continue
		}
		shown = append(shown, i)
	}
	// One line each, in batches on every core.
	f.w.batches(len(shown), func(_ *errWriter, b []byte, i int) []byte {
		return f.appendFinding(b, &pr.Findings[shown[i]])
	})
	if len(expected) > 0 {
		sum := expectedSummary(expected)
		if f.Width > 0 {
			sum = wrap(sum, len("  expected: "), f.Width, "    ")
		}
		f.w.printf("  %s %s\n", p.paint(ansiDim, "expected:"), sum)
	}
	f.writePaths(pr.Result)
	return f.w.err
}

// expectedSummary sums up a program's expected findings by severity and
// check: "1 error (contract), 3 warnings (missing-coordination, 2
// point-of-order)".
func expectedSummary(fs []monotonic.Finding) string {
	var parts []string
	for _, sev := range []modules.Severity{modules.Error, modules.Warning, modules.Note} {
		var checks []monotonic.Check
		n := map[monotonic.Check]int{}
		total := 0
		for _, x := range fs {
			if x.Severity != sev {
				continue
			}
			if n[x.Check] == 0 {
				checks = append(checks, x.Check)
			}
			n[x.Check]++
			total++
		}
		if total == 0 {
			continue
		}
		words := make([]string, len(checks))
		for i, c := range checks {
			words[i] = string(c)
			if n[c] > 1 {
				words[i] = fmt.Sprintf("%d %s", n[c], c)
			}
		}
		parts = append(parts, fmt.Sprintf("%d %s%s (%s)", total, sev, plural(total), strings.Join(words, ", ")))
	}
	return strings.Join(parts, ", ")
}

func (f *Text) End(w io.Writer, r *Report) error {
	e, wn, n, x := r.Counts()
	f.w.printf("\n%d program%s: %d error%s, %d warning%s, %d note%s", len(r.Programs), plural(len(r.Programs)),
		e, plural(e), wn, plural(wn), n, plural(n))
	if x > 0 {
		f.w.printf(" (%d expected)", x)
	}
	if r.Baselined > 0 {
		f.w.printf("; %d hidden by the baseline", r.Baselined)
	}
	f.w.printf("\n%s\n", f.verdict(r))
	return f.w.err
}

// verdict is the report's last line: whether the gate passed, and why.
func (f *Text) verdict(r *Report) string {
	p := painter(f.Color)
	var failing, unexpected, all int
	r.each(func(x *monotonic.Finding) {
		all++
		if x.Expected {
			return
		}
		unexpected++
		if !r.Gate.Never && x.Severity >= r.Gate.Severity {
			failing++
		}
	})
	gate := "--fail-on " + r.Gate.Severity.String()
	if r.Gate.Never {
		gate = "--fail-on never"
	}
	switch {
	case failing > 0:
		return fmt.Sprintf("%s %d finding%s at or above %s that no expect: list declares", p.paint(ansiBold+ansiRed, "FAIL:"), failing, plural(failing), gate)
	case all == 0:
		return p.paint(ansiBold, "ok:") + " no findings"
	case unexpected > 0:
		return fmt.Sprintf("%s nothing at or above %s; %d finding%s below it to read", p.paint(ansiBold, "ok:"), gate, unexpected, plural(unexpected))
	}
	v := fmt.Sprintf("%s all %d finding%s expected", p.paint(ansiBold, "ok:"), all, plural(all))
	if !f.ShowExpected {
		v += " (--show-expected lists them)"
	}
	if f.builtin && len(r.Programs) > 0 {
		v += ": the built-in library is as the talk describes"
	}
	return v
}

func (f *Text) finding(x *monotonic.Finding) {
	f.line = f.appendFinding(f.line[:0], x)
	f.w.Write(f.line)
}

// appendFinding appends the line of a finding to b. It only reads f:
// findings are written concurrently.
func (f *Text) appendFinding(b []byte, x *monotonic.Finding) []byte {
	p := painter(f.Color)
	// Messages, reasons and file names come from specs and the command
	// line: escaped, so that they can neither drive the terminal nor
	// forge a line.
	pos := textsafe.Line(x.Pos.String())
	var notes []string
	if x.Acknowledged != "" {
		notes = append(notes, fmt.Sprintf("(acknowledged: %s)", textsafe.Line(x.Acknowledged)))
	}
	if x.Expected {
		notes = append(notes, "(expected)")
	}
	b = append(b, pos...)
	b = append(b, ": "...)
	b = append(b, p.severity(x.Severity)...)
	b = append(b, ": "...)
	if f.Width > 0 {
		// the notes wrap with the message (and lose their dimming)
		msg := textsafe.Line(x.Message) + " [" + string(x.Check) + "]"
		prefix := len(pos) + len(": ") + len(x.Severity.String()) + len(": ")
		b = append(b, wrap(strings.Join(append([]string{msg}, notes...), " "), prefix, f.Width, "    ")...)
		notes = nil
	} else {
		b = append(b, textsafe.Line(x.Message)...)
		b = append(b, " ["...)
		b = append(b, x.Check...)
		b = append(b, ']')
	}
	for _, n := range notes {
		b = append(b, ' ')
		b = append(b, p.paint(ansiDim, n)...)
	}
	return append(b, '\n')
}

// wrap breaks s at spaces so that no line is longer than width, the first
// line starting at column first (after a prefix), the others after indent.
// A word longer than a line stays whole.
func wrap(s string, first, width int, indent string) string {
	var b strings.Builder
	col := first
	for i, word := range strings.Split(s, " ") {
		if i > 0 {
			if col+1+len(word) > width && col > len(indent) {
				b.WriteString("\n" + indent)
				col = len(indent)
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

// Paths selects the rows of text output's path table (--paths).
type Paths uint8

const (
	// PathsFindings lists the inputs and outputs connected by a D path
	// (they carry the findings) and sums up the others in one line.
	PathsFindings Paths = iota
	// PathsAll lists every input and output connected by a path.
	PathsAll
	// PathsNone prints no path table.
	PathsNone
)

// ParsePaths parses a --paths value: findings, all or none.
func ParsePaths(s string) (Paths, bool) {
	switch s {
	case "findings":
		return PathsFindings, true
	case "all":
		return PathsAll, true
	case "none":
		return PathsNone, true
	}
	return 0, false
}

// maxInputsInRow is how many inputs a row of the path table names.
const maxInputsInRow = 3

// writePaths prints, per output, the inputs that reach it grouped by
// label, and for a D where coordination is missing, or what covers it:
// one row per group, naming its first inputs and how many more (all of
// them with PathsAll). With PathsFindings only the D groups are rows, and
// one line counts the other pairs. The table is O(outputs x groups),
// whatever the number of inputs.
func (f *Text) writePaths(res *monotonic.Result) {
	if f.Paths == PathsNone {
		return
	}
	w := f.w
	g := res.Graph
	if len(res.Verdicts) == 0 {
		fmt.Fprintf(w, "  paths: none (%s)\n", whyNoPaths(res))
		return
	}
	// The rows, kept until the columns' widths are known, as small
	// records (the inputs' ids, the coordinate's description shared
	// between rows: one per coordinate edge); their cells are made twice
	// into reused buffers, to measure and to write, so that the table
	// costs little beyond its own text, which is written row by row.
	type pathRow struct {
		out   int32 // the output, -1 on its later rows
		from  []int
		label monotonic.Label
		stale bool
		coord string
	}
	rows := make([]pathRow, 0, min(len(res.Verdicts), 1<<16))
	coords := map[int]string{}
	var hidden [monotonic.D + 1]int // pairs not listed, by label
	groupPaths(res, false, func(to int, groups []pathGroup) {
		out := int32(to)
		for _, grp := range groups {
			v := grp.v
			if f.Paths == PathsFindings && v.Label != monotonic.D {
				hidden[v.Label] += len(grp.from)
				continue
			}
			coord := ""
			switch {
			case v.Effective == monotonic.D && grp.coord >= 0:
				c, ok := coords[grp.coord]
				if !ok {
					c = coordinateAt(res, grp.coord)
					coords[grp.coord] = c
				}
				coord = c
			case v.Label == monotonic.D:
				coord = v.Covered
			}
			rows = append(rows, pathRow{out: out, from: grp.from, label: v.Label, stale: v.Stale, coord: coord})
			out = -1
		}
	})
	if len(rows) > 0 {
		fmt.Fprintln(w, "  paths:")
		writeTableFunc(w, len(rows)+1, func(i int, c *[4][]byte) {
			if i == 0 {
				c[0] = append(c[0][:0], "    OUTPUT"...)
				c[1] = append(c[1][:0], "INPUT"...)
				c[2] = append(c[2][:0], "LABEL"...)
				c[3] = append(c[3][:0], "COORDINATE AT"...)
				return
			}
			r := &rows[i-1]
			c[0] = append(c[0][:0], "    "...)
			if r.out >= 0 {
				c[0] = append(c[0], g.Nodes[r.out].Name...)
			}
			from := r.from
			if f.Paths != PathsAll && len(from) > maxInputsInRow {
				from = from[:maxInputsInRow]
			}
			c[1] = c[1][:0]
			for k, v := range from {
				if k > 0 {
					c[1] = append(c[1], ", "...)
				}
				c[1] = append(c[1], g.Nodes[v].Name...)
			}
			if len(from) < len(r.from) {
				c[1] = fmt.Appendf(c[1], " and %d more", len(r.from)-len(from))
			}
			c[2] = append(c[2][:0], r.label.String()...)
			if r.stale {
				c[2] = append(c[2], " stale"...) // a snapshot read on the way (docs/checks.md)
			}
			c[3] = append(c[3][:0], r.coord...)
		})
	}
	var parts []string
	total := 0
	for l := monotonic.D; ; l-- {
		if hidden[l] > 0 {
			parts = append(parts, fmt.Sprintf("%d %v", hidden[l], l))
			total += hidden[l]
		}
		if l == monotonic.Bot {
			break
		}
	}
	if total > 0 {
		lead := "  paths: "
		if len(rows) > 0 {
			lead = "    and "
		}
		fmt.Fprintf(w, "%s%d (input, output) pair%s without a D path (%s): --paths all lists them\n", lead, total, plural(total), strings.Join(parts, ", "))
	}
}

// writeTable writes rows of cells as text/tabwriter does with minimum
// width 0, padding 2 and spaces (every cell but the last padded to its
// column's widest, in runes, plus 2), each line without trailing spaces,
// but one line at a time: tabwriter keeps the whole table (and its
// cells) until it is flushed. A table with a cell that tabwriter would
// read as more than text (a tab, a line break, an escape) goes through
// tabwriter itself.
func writeTable(w io.Writer, rows [][4]string) {
	writeTableFunc(w, len(rows), func(i int, c *[4][]byte) {
		for j := range c {
			c[j] = append(c[j][:0], rows[i][j]...)
		}
	})
}

// writeTableFunc is writeTable for n rows whose cells cell makes, into
// the buffers it is given, when asked (twice per row: to measure, then to
// write).
func writeTableFunc(w io.Writer, n int, cell func(i int, c *[4][]byte)) {
	// Measure the columns (in chunks on every core: cell only reads).
	var mu sync.Mutex
	var width [3]int
	odd := false
	par.Chunks(n, 4096, func(lo, hi int) {
		var c [4][]byte
		var wd [3]int
		bad := false
		for i := lo; i < hi && !bad; i++ {
			cell(i, &c)
			for j := range c {
				bad = bad || bytes.ContainsAny(c[j], "\t\n\v\f\xff")
				if j < 3 {
					wd[j] = max(wd[j], utf8.RuneCount(c[j])+2)
				}
			}
		}
		mu.Lock()
		defer mu.Unlock()
		odd = odd || bad
		for j := range wd {
			width[j] = max(width[j], wd[j])
		}
	})
	if odd {
		var c [4][]byte
		rows := make([][4]string, n)
		for k := range rows {
			cell(k, &c)
			for j := range c {
				rows[k][j] = string(c[j])
			}
		}
		writeTabwriter(w, rows)
		return
	}
	row := func(line []byte, c *[4][]byte) []byte {
		start := len(line)
		for j := range c {
			line = append(line, c[j]...)
			if j < 3 {
				for k := utf8.RuneCount(c[j]); k < width[j]; k++ {
					line = append(line, ' ')
				}
			}
		}
		line = append(line[:start], bytes.TrimRight(line[start:], " ")...)
		return append(line, '\n')
	}
	e, ok := w.(*errWriter)
	if !ok {
		e = &errWriter{w: w}
	}
	// The rows in batches on every core, written in order.
	e.batches(n, func(s *errWriter, b []byte, i int) []byte {
		c, _ := s.local.(*[4][]byte)
		if c == nil {
			c = new([4][]byte)
			s.local = c
		}
		cell(i, c)
		return row(b, c)
	})
}

// writeTabwriter is writeTable through text/tabwriter.
func writeTabwriter(w io.Writer, rows [][4]string) {
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 8, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r[0], r[1], r[2], r[3])
	}
	tw.Flush()
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line != "" {
			fmt.Fprintln(w, strings.TrimRight(line, " \n"))
		}
	}
}

// whyNoPaths says why a program has no path to label.
func whyNoPaths(res *monotonic.Result) string {
	g := res.Graph
	switch {
	case res.Strata == nil && len(g.Nodes) > 0:
		return "the program is unstratifiable: fix the cycle first"
	case len(g.Sources()) == 0 && len(g.Sinks()) == 0:
		return noEnd(g, modules.Input) + " and " + noEnd(g, modules.Output)
	case len(g.Sources()) == 0:
		return noEnd(g, modules.Input)
	case len(g.Sinks()) == 0:
		return noEnd(g, modules.Output)
	}
	return "no input reaches an output"
}

// noEnd says that the program has no source (kind Input) or no sink
// (Output): it declares no such interface, or every one it declares is
// written (an input) or read (an output) by its own rules, so none is an
// end of its dataflow (the underspecified check says which).
func noEnd(g *depgraph.Graph, kind modules.Kind) string {
	n := 0
	for _, nd := range g.Nodes {
		if nd.Kind == kind && !nd.Imported() {
			n++
		}
	}
	what, by := "input", "written"
	if kind == modules.Output {
		what, by = "output", "read"
	}
	if n == 0 {
		return "no " + what + " interface"
	}
	return "every " + what + " is " + by + " by the program's own rules"
}

// coordinateAt describes the place where a path becomes D: a rule's
// nonmonotonic use, or a contract standing in for an implementation.
func coordinateAt(res *monotonic.Result, ei int) string {
	g := res.Graph
	if ei >= len(g.Edges) {
		c := res.ContractEdges[ei-len(g.Edges)].Contract
		return fmt.Sprintf("%s (contract %s of %s)", c.Pos, c, c.Module)
	}
	e := &g.Edges[ei]
	pos := e.UsePos()
	if !e.Nonmonotonic {
		pos = e.Pos // a timing join: the literal that meets the other
	}
	return fmt.Sprintf("%s (%s into %s)", pos, res.StepReason(ei), g.Nodes[e.To].Name)
}
