package modules

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a diagnostic. Higher is more severe.
type Severity int

// Severities, in increasing order.
const (
	Note Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Note:
		return "note"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "invalid"
}

// ParseSeverity parses note, warning or error.
func ParseSeverity(s string) (Severity, bool) {
	switch s {
	case "note":
		return Note, true
	case "warning":
		return Warning, true
	case "error":
		return Error, true
	}
	return 0, false
}

// Diagnostic is a message about a spec at a position.
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	Message  string
	Check    string // short class name, e.g. "syntax", "unknown-collection"
}

func (d Diagnostic) String() string {
	where := d.Pos.String()
	if !d.Pos.IsValid() && d.Pos.File == "" {
		// Not from a file (a name on the command line): attributed to
		// calmcheck, not to a file named "-".
		where = "calmcheck"
	}
	s := fmt.Sprintf("%s: %s: %s", where, d.Severity, d.Message)
	if d.Check != "" {
		s += " [" + d.Check + "]"
	}
	return s
}

// Diagnostics is a list of diagnostics.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the errors.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders by position, then severity (errors first), then message.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Pos != b.Pos {
			return a.Pos.Before(b.Pos)
		}
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return a.Message < b.Message
	})
}

// Dedup sorts and removes exact duplicates (the same module checked in two
// programs reports its errors once).
func (ds Diagnostics) Dedup() Diagnostics {
	ds.Sort()
	out := ds[:0]
	for i, d := range ds {
		if i > 0 && d == ds[i-1] {
			continue
		}
		out = append(out, d)
	}
	return out
}

// Error makes Diagnostics usable as an error: one diagnostic a line.
func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// diagList collects diagnostics.
type diagList struct {
	ds Diagnostics
}

func (l *diagList) add(sev Severity, check string, pos Pos, format string, args ...any) {
	l.ds = append(l.ds, Diagnostic{Pos: pos, Severity: sev, Message: fmt.Sprintf(format, args...), Check: check})
}

func (l *diagList) errorf(check string, pos Pos, format string, args ...any) {
	l.add(Error, check, pos, format, args...)
}

func (l *diagList) warnf(check string, pos Pos, format string, args ...any) {
	l.add(Warning, check, pos, format, args...)
}
