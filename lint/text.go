package lint

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

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
// grouped by program, each program followed by its path-label table, and
// a summary line.
type Text struct {
	Color bool // ANSI colours

	w         *errWriter
	n         int
	workspace bool
}

func (f *Text) Start(w io.Writer, r *Report) error {
	f.w, f.n, f.workspace = &errWriter{w: w}, 0, len(r.Workspace) > 0
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
	f.w.printf("%s %s: %s (%d collection%s, %d rule%s)\n", p.paint(ansiBold, "program"), p.paint(ansiBold, prog.Name),
		strings.Join(prog.Roots, ", "), len(prog.Collections), plural(len(prog.Collections)), len(prog.Rules), plural(len(prog.Rules)))
	for _, x := range pr.Findings {
		f.finding(&x)
	}
	writeTextPaths(f.w, pr.Result)
	return f.w.err
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
	f.w.printf("\n")
	return f.w.err
}

func (f *Text) finding(x *monotonic.Finding) {
	p := painter(f.Color)
	f.w.printf("%s: %s: %s [%s]", x.Pos, p.severity(x.Severity), x.Message, x.Check)
	if x.Acknowledged != "" {
		f.w.printf(" %s", p.paint(ansiDim, fmt.Sprintf("(acknowledged: %s)", x.Acknowledged)))
	}
	if x.Expected {
		f.w.printf(" %s", p.paint(ansiDim, "(expected)"))
	}
	f.w.printf("\n")
}

// writeTextPaths prints, per output, the inputs that reach it with their
// label, and for a D where coordination is missing, or what covers it.
func writeTextPaths(w io.Writer, res *monotonic.Result) {
	g := res.Graph
	if len(res.Verdicts) == 0 {
		fmt.Fprintln(w, "  paths: none (no input reaches an output)")
		return
	}
	fmt.Fprintln(w, "  paths:")
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "    OUTPUT\tINPUT\tLABEL\tCOORDINATE AT")
	prev := -1
	for _, v := range res.Verdicts {
		out := g.Nodes[v.To].Name
		if v.To == prev {
			out = ""
		}
		prev = v.To
		coord := ""
		switch {
		case v.Effective == monotonic.D && v.Missing.Coordinate >= 0:
			coord = coordinateAt(res, v.Missing.Coordinate)
		case v.Label == monotonic.D:
			coord = v.Covered
		}
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", out, g.Nodes[v.From].Name, v.Label, coord)
	}
	tw.Flush()
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line != "" {
			fmt.Fprintln(w, strings.TrimRight(line, " \n"))
		}
	}
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
	return fmt.Sprintf("%s (%s into %s)", e.UsePos(), e.Reason(), g.Nodes[e.To].Name)
}
