package lint

import (
	"io"
	"strconv"
	"strings"

	"github.com/calmcheck/calmcheck/internal/textsafe"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// GitHub prints one GitHub Actions workflow command per finding (::error,
// ::warning, ::notice with file, line, col and title), so that the
// findings show as annotations on the spec lines of a pull request.
// Expected findings are notices; the summary is a plain line.
type GitHub struct {
	w *errWriter
}

func (f *GitHub) Start(w io.Writer, r *Report) error {
	f.w = &errWriter{w: w}
	f.findings(r.Workspace)
	return f.w.err
}

func (f *GitHub) Program(w io.Writer, p *Program) error {
	f.findings(p.Findings)
	return f.w.err
}

// findings writes one command per finding, in batches on every core.
func (f *GitHub) findings(fs []monotonic.Finding) {
	f.w.batches(len(fs), func(_ *errWriter, b []byte, i int) []byte {
		return append(b, f.finding(&fs[i])...)
	})
}

func (f *GitHub) End(w io.Writer, r *Report) error {
	e, wn, n, x := r.Counts()
	f.w.printf("calmcheck: %d program%s: %d error%s, %d warning%s, %d note%s (%d expected)\n",
		len(r.Programs), plural(len(r.Programs)), e, plural(e), wn, plural(wn), n, plural(n), x)
	return f.w.err
}

// finding is the command of one finding.
func (f *GitHub) finding(x *monotonic.Finding) string {
	cmd := "notice"
	switch {
	case x.Expected:
	case x.Severity == modules.Error:
		cmd = "error"
	case x.Severity == modules.Warning:
		cmd = "warning"
	}
	title := "calmcheck " + string(x.Check)
	if x.Program != "" {
		title += " (" + x.Program + ")"
	}
	msg := x.Message
	if x.Expected {
		msg = "expected " + x.Severity.String() + ": " + msg
	}
	if x.Acknowledged != "" {
		msg += " (acknowledged: " + x.Acknowledged + ")"
	}
	return ghCommand(cmd, x.Pos, title, msg)
}

// ghCommand is one workflow command line: ::cmd file=...,line=...,col=...,title=...::msg
func ghCommand(cmd string, pos modules.Pos, title, msg string) string {
	var props []string
	if pos.File != "" {
		props = append(props, "file="+ghProperty(pos.File))
	}
	if pos.IsValid() {
		props = append(props, "line="+strconv.Itoa(pos.Line))
		if pos.Col > 0 {
			props = append(props, "col="+strconv.Itoa(pos.Col))
		}
	}
	props = append(props, "title="+ghProperty(title))
	return "::" + cmd + " " + strings.Join(props, ",") + "::" + ghData(msg) + "\n"
}

// ghData escapes a workflow command's message: %, CR and LF as the runner
// decodes them, every other control character visibly (textsafe), so that
// nothing in a message can start a workflow command or drive the log.
func ghData(s string) string { return textsafe.Text(ghDataEscapes.Replace(s)) }

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string { return textsafe.Text(ghPropertyEscapes.Replace(s)) }

// The escapes of workflow commands, made once (a Replacer is safe for
// concurrent use, and costly to make: a large program has a hundred
// thousand findings).
var (
	ghDataEscapes     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	ghPropertyEscapes = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// WriteGitHubDiagnostic prints a load or composition diagnostic as a
// workflow command, escaped as findings are (a file name holding a line
// break must not print a workflow command of its own).
func WriteGitHubDiagnostic(w io.Writer, d modules.Diagnostic) error {
	cmd := "notice"
	switch d.Severity {
	case modules.Error:
		cmd = "error"
	case modules.Warning:
		cmd = "warning"
	}
	_, err := io.WriteString(w, ghCommand(cmd, d.Pos, "calmcheck "+d.Check, d.Message))
	return err
}
