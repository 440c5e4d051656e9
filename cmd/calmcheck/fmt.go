package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/internal/atomicfile"
	"github.com/calmcheck/calmcheck/internal/textdiff"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
	"github.com/spf13/cobra"
)

func init() { commands = append(commands, newFmtCmd) }

type fmtOptions struct {
	write, diff, list, force bool
}

func newFmtCmd() *cobra.Command {
	var o fmtOptions
	cmd := &cobra.Command{
		Use:   "fmt [PATH...]",
		Short: "Lay out spec files canonically",
		Long: `Print spec files in the canonical layout: keys in a fixed order, two-space
indentation, one rule per line with one space around operators and after
commas, declaration kinds aligned, includes and module lists as flow lists,
docs folded at 80 columns, a blank line between modules and between
programs; a workload's inputs one flow mapping per line. Comments are
kept. Formatting is idempotent.

PATH is a spec file or a directory (every *.yaml under it). With no PATH,
fmt reads standard input and writes standard output. A file with errors is
left alone and its errors are printed (exit status 2).

By default fmt prints the formatted files. With -l it lists the files whose
layout differs and exits 1 when there is one (for CI); with -d it prints a
unified diff instead (also exit 1 on a difference); with -w it rewrites the
files in place (atomically: a file is replaced whole or not at all; through
a symbolic link, its target; a read-only file only with --force; mode,
owner and group kept). A file whose modules or programs do not compose is
left alone, as one with load errors.`,
		Example: `  calmcheck fmt -l specs/          # CI: exit 1 if a file is not formatted
  calmcheck fmt -d specs/cart.yaml # what would change
  calmcheck fmt -w specs/          # rewrite in place
  calmcheck fmt < in.yaml > out.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFmt(cmd, o, args)
		},
	}
	cmd.Flags().BoolVarP(&o.write, "write", "w", false, "rewrite the files in place")
	cmd.Flags().BoolVarP(&o.diff, "diff", "d", false, "print a unified diff of the changes")
	cmd.Flags().BoolVarP(&o.list, "list", "l", false, "list the files whose layout differs; exit 1 if any")
	cmd.Flags().BoolVar(&o.force, "force", false, "with -w, rewrite read-only files too")
	return cmd
}

func runFmt(cmd *cobra.Command, o fmtOptions, args []string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if len(args) == 0 {
		if o.write || o.list {
			return fmt.Errorf("-w and -l need a PATH")
		}
		src, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), modules.MaxFileSize+1))
		if err != nil {
			return err
		}
		return fmtOne(stdout, stderr, o, "<stdin>", src)
	}
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			fmt.Fprintf(stderr, "%s: error: %v\n", a, errMessage(err))
			return exitError{exitTrouble}
		}
		if !st.IsDir() {
			files = append(files, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != a && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			fmt.Fprintf(stderr, "%s: error: %v\n", a, errMessage(err))
			return exitError{exitTrouble}
		}
	}
	sort.Strings(files)
	composeErrs := compositionErrors(files)
	var firstErr error
	for _, f := range files {
		src, ds := modules.ReadFile(f)
		var err error
		if ds != nil {
			err = report(ds, stderr)
		} else if cds := composeErrs[f]; len(cds) > 0 {
			err = report(cds, stderr) // a file with errors is left alone
		} else {
			err = fmtOne(stdout, stderr, o, f, src)
		}
		firstErr = worse(firstErr, err)
	}
	return firstErr
}

// compositionErrors composes every module and program the files declare
// (with the built-in library, the files together and ./calmcheck.yaml if
// there is one, as lint would) and returns the errors by the file that
// declares the module or program.
func compositionErrors(files []string) map[string]modules.Diagnostics {
	paths := files
	if _, err := os.Stat(modules.ProjectFile); err == nil {
		paths = append([]string{modules.ProjectFile}, files...)
	}
	ws, lds := modules.LoadWorkspace(specs.FS, "specs", paths)
	out := map[string]modules.Diagnostics{}
	if lds.HasErrors() {
		return out // load errors are Format's to report, file by file
	}
	mine := map[string]bool{}
	for _, f := range files {
		mine[f] = true
	}
	for _, m := range ws.Lib.SortedModules() {
		if m.Builtin || !mine[m.File] {
			continue
		}
		_, ds := ws.Lib.Compose(m.Name, []modules.Ref{{Name: m.Name, Pos: m.Pos}})
		out[m.File] = append(out[m.File], ds.Errors()...)
	}
	for _, p := range ws.Lib.SortedPrograms() {
		if p.Builtin || !mine[p.Pos.File] {
			continue
		}
		_, ds := ws.Lib.ComposeProgram(p.Name)
		out[p.Pos.File] = append(out[p.Pos.File], ds.Errors()...)
	}
	return out
}

// worse keeps the error with the higher exit status.
func worse(a, b error) error {
	code := func(e error) int {
		if e == nil {
			return 0
		}
		if ee, ok := e.(exitError); ok {
			return ee.code
		}
		return exitTrouble
	}
	if code(b) > code(a) {
		return b
	}
	return a
}

func fmtOne(stdout, stderr io.Writer, o fmtOptions, name string, src []byte) error {
	out, ds := modules.Format(name, src)
	if len(ds) > 0 {
		return report(ds, stderr)
	}
	changed := !bytes.Equal(out, src)
	switch {
	case o.list || o.diff || o.write:
		if !changed {
			return nil
		}
		if o.list {
			fmt.Fprintln(stdout, name)
		}
		if o.diff {
			fmt.Fprint(stdout, textdiff.Unified(name+" (original)", name+" (formatted)", string(src), string(out)))
		}
		if o.write {
			if err := atomicfile.WriteFile(name, out, 0o644, atomicfile.Options{Force: o.force}); err != nil {
				fmt.Fprintf(stderr, "%s: error: %v\n", name, errMessage(err))
				return exitError{exitTrouble}
			}
			return nil
		}
		return exitError{exitFindings}
	default:
		_, err := stdout.Write(out)
		return err
	}
}
