package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/internal/textsafe"
	"github.com/calmcheck/calmcheck/lint"
	"gopkg.in/yaml.v3"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
)

// loadWorkspace loads the built-in library and the user's paths, printing
// load diagnostics to stderr. It fails (status 2) when any is an error.
func loadWorkspace(paths []string, stderr io.Writer) (*modules.Workspace, error) {
	defer loosenGC()()
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
	defer loosenGC()()
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

// builtinWorkloads returns the names of the built-in workloads, sorted.
func builtinWorkloads() []string {
	entries, _ := fs.ReadDir(specs.Workloads, "workloads")
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}

// hintWorkloadSpecs adds to an unknown program or module of a workload
// file that names no spec files how to name them.
func hintWorkloadSpecs(file string, ds modules.Diagnostics) {
	data, err := os.ReadFile(file)
	if err != nil {
		return
	}
	var top struct {
		Specs    any `yaml:"specs"`
		Modules  any `yaml:"modules"`
		Programs any `yaml:"programs"`
	}
	if yaml.Unmarshal(data, &top) != nil || top.Specs != nil || top.Modules != nil || top.Programs != nil {
		return
	}
	for i := range ds {
		if ds[i].Check == "unknown-program" || ds[i].Check == "unknown-module" {
			ds[i].Message += fmt.Sprintf("; %s names no spec files, so only the built-in library and ./%s are loaded: "+
				"add `specs: [FILE.yaml]` at its top (paths relative to it; see docs/spec.md, Workloads), "+
				"or put its workload: key into the spec file", file, modules.ProjectFile)
		}
	}
}

// loadWorkloadArg reads a workload named on the command line (run's
// argument, verify's --workload): a file, else a built-in workload.
func loadWorkloadArg(arg string, stderr io.Writer) (*executor.Workload, error) {
	var w *executor.Workload
	var ds modules.Diagnostics
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		w, ds = executor.LoadWorkload(arg)
	} else if data, err := specs.Workloads.ReadFile("workloads/" + arg + ".yaml"); err == nil && !strings.ContainsAny(arg, "/\\") {
		w, ds = executor.ParseWorkload("specs/workloads/"+arg+".yaml", data)
	} else {
		msg := fmt.Sprintf("no workload file or built-in workload named %q", arg)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			msg += ": " + err.Error()
		}
		return nil, report(modules.Diagnostics{{Pos: modules.Pos{File: arg}, Severity: modules.Error, Check: "io",
			Message: msg + " (built-in workloads: " + strings.Join(builtinWorkloads(), ", ") + ")"}}, stderr)
	}
	if err := report(ds, stderr); err != nil {
		return nil, err
	}
	return w, nil
}

// protocolWorkloads returns the built-in workloads of a built-in program:
// they follow its protocols, and verify checks its seals on them.
func protocolWorkloads(p *modules.Program) []*executor.Workload {
	if p.Spec == nil {
		return nil
	}
	var out []*executor.Workload
	for _, name := range builtinWorkloads() {
		data, err := specs.Workloads.ReadFile("workloads/" + name + ".yaml")
		if err != nil {
			continue
		}
		w, ds := executor.ParseWorkload("specs/workloads/"+name+".yaml", data)
		if w != nil && !ds.HasErrors() && w.Program == p.Name {
			out = append(out, w)
		}
	}
	return out
}

// loosenGC lets the heap grow further than usual between collections
// while specs are loaded, and returns the function that restores the
// collector's setting. Loading builds the program's tree at once, so the
// usual pacing (a collection each time the heap doubles, from a few
// megabytes on) collects many times while there is almost no garbage;
// the phases after it hold the peak of memory. A GOGC set in the
// environment is left as it is.
func loosenGC() (restore func()) { return setGCPercent(loadGCPercent) }

// setGCPercent sets the collector's target (GOGC) to percent, unless GOGC
// is set in the environment, and returns the function that restores it.
func setGCPercent(percent int) (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(percent)
	return func() { debug.SetGCPercent(old) }
}

// loadGCPercent is the GOGC of loading.
const loadGCPercent = 400

// heapCap is the soft memory limit of lint's analysis for programs up to
// about 100,000 rules; larger ones get heapPerItem per rule and
// collection (capHeap). analysisGCPercent is the GOGC under the limit.
const (
	heapCap           = 850 << 20
	heapPerItem       = 5 << 10
	analysisGCPercent = 300
)

// capHeap sets how the collector runs for lint's analysis of progs, and
// returns the function that restores it: a soft memory limit
// (runtime/debug.SetMemoryLimit) of heapCap, or heapPerItem per rule and
// collection of the programs when that is more, unless GOMEMLIMIT is
// set; and under that limit, unless GOGC is set, GOGC=300.
//
// The collector lets the heap grow to 1 + GOGC/100 times what is live
// before it collects: at GOGC=100 a program whose analysis holds 600 MB
// live would peak past 1 GB, while most programs, far from the limit,
// spend a fifth of their CPU collecting. Under the limit the collector
// collects less often while there is room and sooner when there is not
// (the wide 100,000-rule program: 2.0 s -> 1.6 s; the dense one stays
// under 900 MB). A larger program gets a limit in proportion to its size
// (its analysis holds 2 to 4 KB per rule and collection), so that the
// collector never runs without pause for want of room.
func capHeap(progs []*modules.Program) (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	items := 0
	for _, p := range progs {
		items += len(p.Rules) + len(p.Collections)
	}
	limit := max(int64(heapCap), int64(items)*heapPerItem)
	oldLimit := debug.SetMemoryLimit(limit)
	restorePercent := setGCPercent(analysisGCPercent)
	return func() {
		debug.SetMemoryLimit(oldLimit)
		restorePercent()
	}
}
