package main

import (
	"fmt"
	"github.com/calmcheck/calmcheck/internal/textsafe"
	"github.com/calmcheck/calmcheck/lint"
	"io"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
)

// loadWorkspace loads the built-in library and the user's paths, printing
// load diagnostics to stderr. It fails (status 2) when any is an error.
func loadWorkspace(paths []string, stderr io.Writer) (*modules.Workspace, error) {
	w, ds := modules.LoadWorkspace(specs.FS, "specs", paths)
	if w.Builtin {
		fmt.Fprintln(stderr, "calmcheck: no PATH and no ./calmcheck.yaml: using the built-in library")
	}
	if err := report(ds, stderr); err != nil {
		return nil, err
	}
	return w, nil
}

// loadPrograms loads the built-in library and the user's paths, says on
// stderr when it falls back to the built-in library (when tell is set), and
// composes the selected programs. Load and composition errors are printed
// (with the warnings) and give exit status 2; otherwise the warnings are
// returned, to be reported as findings.
func loadPrograms(paths, programs, mods []string, stderr io.Writer, tell bool) ([]*modules.Program, modules.Diagnostics, error) {
	w, lds := modules.LoadWorkspace(specs.FS, "specs", paths)
	if w.Builtin && tell {
		fmt.Fprintln(stderr, "calmcheck: no PATH and no ./calmcheck.yaml: using the built-in library")
	}
	if lds.HasErrors() {
		return nil, nil, report(lds, stderr)
	}
	progs, cds := w.Select(programs, mods)
	ds := append(lds, cds...)
	if cds.HasErrors() {
		return nil, nil, report(ds, stderr)
	}
	return progs, ds.Dedup(), nil
}

// report prints diagnostics (deduplicated, sorted) and returns an exit
// error with status 2 when one of them is an error.
func report(ds modules.Diagnostics, w io.Writer) error {
	ds = ds.Dedup()
	for _, d := range ds {
		if gw, ok := w.(githubDiagnostics); ok {
			lint.WriteGitHubDiagnostic(gw.w, d)
			continue
		}
		// (a diagnostic about the command line, an unknown --program,
		// prints as "calmcheck: error: ...", not as a file's)
		fmt.Fprintln(w, textsafe.Line(d.String())) // one line, whatever a file name holds
	}
	if ds.HasErrors() {
		n := len(ds.Errors())
		fmt.Fprintf(w, "calmcheck: %d error%s\n", n, plural(n))
		return exitError{exitTrouble}
	}
	return nil
}

// githubDiagnostics is the stderr of lint --format github: report prints
// diagnostics to w as workflow commands; other text goes to w as it is.
type githubDiagnostics struct{ w io.Writer }

func (g githubDiagnostics) Write(p []byte) (int, error) { return g.w.Write(p) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
