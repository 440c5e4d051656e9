package modules

import (
	"errors"
	"io/fs"
	"os"
	"strings"
)

// ProjectFile is the project file looked for in the current directory.
const ProjectFile = "calmcheck.yaml"

// Workspace is what a command works on: the built-in library plus the
// user's spec files, and which programs to analyse by default.
type Workspace struct {
	Lib *Library
	// Builtin is true when no path was given and there is no project
	// file: the built-in library's programs are the default selection.
	Builtin bool
	// Paths are the user's paths that were loaded.
	Paths []string
}

// LoadWorkspace loads the built-in library (always: built-in modules can be
// included by name from user specs), then the given paths; with no path,
// ./calmcheck.yaml if it exists.
func LoadWorkspace(builtin fs.FS, builtinDir string, paths []string) (*Workspace, Diagnostics) {
	w := &Workspace{Lib: NewLibrary()}
	var ds Diagnostics
	if builtin != nil {
		ds = append(ds, w.Lib.LoadFS(builtin, builtinDir)...)
	}
	if len(paths) == 0 {
		if _, err := os.Stat(ProjectFile); err == nil {
			paths = []string{ProjectFile}
		} else if !errors.Is(err, fs.ErrNotExist) {
			ds = append(ds, Diagnostic{Pos: Pos{File: ProjectFile}, Severity: Error, Check: "io", Message: ioMessage(err)})
		} else {
			w.Builtin = true
		}
	}
	w.Paths = paths
	w.Lib.prefetchFiles(paths)
	for _, p := range paths {
		ds = append(ds, w.Lib.LoadPath(p)...)
	}
	return w, ds
}

// Select composes the programs to analyse. Named programs and an ad hoc
// program of the named modules come first; with neither, the default:
// the built-in programs (built-in mode), else the user's programs, else
// every user module that no other user module includes, as a program of
// its own.
func (w *Workspace) Select(programs, mods []string) ([]*Program, Diagnostics) {
	var out []*Program
	var ds Diagnostics
	compose := func(p *Program, pds Diagnostics) {
		ds = append(ds, pds...)
		if p != nil {
			out = append(out, p)
		}
	}
	for _, name := range programs {
		compose(w.Lib.ComposeProgram(name))
	}
	var refs []Ref
	for _, m := range mods {
		for _, part := range strings.Split(m, ",") {
			if part = strings.TrimSpace(part); part != "" {
				refs = append(refs, Ref{Name: part})
			}
		}
	}
	if len(refs) > 0 {
		names := make([]string, len(refs))
		for i, r := range refs {
			names[i] = r.Name
		}
		compose(w.Lib.Compose(strings.Join(names, "+"), refs))
	}
	if len(programs) > 0 || len(refs) > 0 {
		return out, ds
	}
	for _, ps := range w.Lib.SortedPrograms() {
		if ps.Builtin == w.Builtin {
			compose(w.Lib.ComposeProgram(ps.Name))
		}
	}
	if len(out) == 0 && !w.Builtin {
		for _, m := range w.RootModules() {
			compose(w.Lib.Compose(m.Name, []Ref{{Name: m.Name, Pos: m.Pos}}))
		}
	}
	return out, append(ds, w.checkUncovered(out)...)
}

// checkUncovered composes, on its own, every module of the selection's
// side (user or built-in) that no selected program contains (a module in
// an include cycle, a module no program uses), and returns the errors, so
// that no module escapes the well-formedness checks.
func (w *Workspace) checkUncovered(progs []*Program) Diagnostics {
	covered := map[string]bool{}
	for _, p := range progs {
		for _, m := range p.Modules {
			covered[m.Name] = true
		}
		for _, in := range p.Instances {
			covered[in.Module] = true
		}
	}
	var ds Diagnostics
	for _, m := range w.Lib.SortedModules() {
		if m.Builtin != w.Builtin || covered[m.Name] {
			continue
		}
		p, cds := w.Lib.Compose(m.Name, []Ref{{Name: m.Name, Pos: m.Pos}})
		if p != nil {
			for _, pm := range p.Modules {
				covered[pm.Name] = true
			}
			for _, in := range p.Instances {
				covered[in.Module] = true
			}
		}
		ds = append(ds, cds.Errors()...)
	}
	return ds
}

// RootModules returns the user modules (built-in ones in built-in mode)
// that no other such module includes or imports.
func (w *Workspace) RootModules() []*Module {
	included := map[string]bool{}
	var ms []*Module
	for _, m := range w.Lib.SortedModules() {
		if m.Builtin != w.Builtin {
			continue
		}
		ms = append(ms, m)
		for _, in := range m.Includes {
			included[in.Name] = true
		}
		for _, im := range m.Imports {
			included[im.Module] = true
		}
	}
	var out []*Module
	for _, m := range ms {
		if !included[m.Name] {
			out = append(out, m)
		}
	}
	return out
}
