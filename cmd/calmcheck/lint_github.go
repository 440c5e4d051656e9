package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// writeGitHub prints one GitHub Actions workflow command per finding
// (::error, ::warning, ::notice with file, line, col and title), so that
// the findings show as annotations on the spec lines of a pull request.
// Expected findings are notices; the summary is a plain line.
func writeGitHub(w io.Writer, r *lintReport) {
	for _, f := range r.all() {
		cmd := "notice"
		switch {
		case f.Expected:
		case f.Severity == modules.Error:
			cmd = "error"
		case f.Severity == modules.Warning:
			cmd = "warning"
		}
		title := "calmcheck " + f.Check
		if f.Program != "" {
			title += " (" + f.Program + ")"
		}
		msg := f.Message
		if f.Expected {
			msg = "expected " + f.Severity.String() + ": " + msg
		}
		if f.Acknowledged != "" {
			msg += " (acknowledged: " + f.Acknowledged + ")"
		}
		var props []string
		if f.Pos.File != "" {
			props = append(props, "file="+ghProperty(f.Pos.File))
		}
		if f.Pos.IsValid() {
			props = append(props, fmt.Sprintf("line=%d", f.Pos.Line))
			if f.Pos.Col > 0 {
				props = append(props, fmt.Sprintf("col=%d", f.Pos.Col))
			}
		}
		props = append(props, "title="+ghProperty(title))
		fmt.Fprintf(w, "::%s %s::%s\n", cmd, strings.Join(props, ","), ghData(msg))
	}
	e, wn, n, x := r.counts()
	fmt.Fprintf(w, "calmcheck: %d program%s: %d error%s, %d warning%s, %d note%s (%d expected)\n",
		len(r.Programs), plural(len(r.Programs)), e, plural(e), wn, plural(wn), n, plural(n), x)
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
