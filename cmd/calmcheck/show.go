package main

import (
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
	"github.com/spf13/cobra"
)

func init() { commands = append(commands, newShowCmd) }

func newShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show NAME [PATH...]",
		Short: "Print the source of a module or program, built-in or yours",
		Long: `Print the YAML of the module or program NAME as it is written in its spec
file, after a comment line giving its file:line, under its modules: or
programs: key: a fragment you can copy into a spec file of your own and
change (rename it, or it shadows the built-in).

The built-in library is always searched; PATH adds spec files or
directories (with no PATH, ./calmcheck.yaml if it exists). 'calmcheck
modules' lists the names.

Exit status: 0 printed, 2 no module or program of that name, or the specs
could not be loaded.`,
		Example: `  calmcheck show CartProtocol              # a built-in module
  calmcheck show replicated-disorderly-cart # a built-in program
  calmcheck show MyCart myspecs/            # one of yours`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runShow(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], args[1:])
		},
	}
	return cmd
}

func runShow(stdout, stderr io.Writer, name string, paths []string) error {
	w, lds := modules.LoadWorkspace(specs.FS, "specs", paths)
	if lds.HasErrors() {
		return report(lds, stderr)
	}
	type found struct {
		key, kind string
		pos       modules.Pos
		builtin   bool
	}
	var hits []found
	if m := w.Lib.Modules[name]; m != nil {
		hits = append(hits, found{"modules", "module", m.Pos, m.Builtin})
	}
	if p := w.Lib.Programs[name]; p != nil {
		hits = append(hits, found{"programs", "program", p.Pos, p.Builtin})
	}
	if len(hits) == 0 {
		var names []string
		for n := range w.Lib.Modules {
			names = append(names, n)
		}
		for n := range w.Lib.Programs {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(stderr, "calmcheck: no module or program named %q%s; calmcheck modules lists them\n", name, modules.Suggest(name, names))
		return exitError{exitTrouble}
	}
	for i, h := range hits {
		src, err := specSource(h.pos.File, h.builtin)
		if err != nil {
			fmt.Fprintf(stderr, "%s: error: %v\n", h.pos.File, errMessage(err))
			return exitError{exitTrouble}
		}
		lines := sourceBlock(src, h.pos.Line)
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		where := ""
		if h.builtin {
			where = ", built-in"
		}
		fmt.Fprintf(stdout, "# %s %s: %s:%d%s\n", h.kind, name, h.pos.File, h.pos.Line, where)
		if len(lines) > 0 && strings.HasPrefix(lines[0], " ") {
			fmt.Fprintf(stdout, "%s:\n", h.key) // the fragment reads as a spec file
		}
		for _, l := range lines {
			fmt.Fprintln(stdout, l) // the loader refuses control characters
		}
	}
	return nil
}

// specSource reads a spec file: a built-in one from the embedded library.
func specSource(file string, builtin bool) ([]byte, error) {
	if builtin {
		return fs.ReadFile(specs.FS, strings.TrimPrefix(file, "specs/"))
	}
	data, ds := modules.ReadFile(file)
	if ds != nil {
		return nil, ds
	}
	return data, nil
}

// sourceBlock returns the lines of the YAML entry whose key is on line
// (1-based): the comment lines just above it, the key's line and every
// line indented deeper after it, without trailing blank lines.
func sourceBlock(src []byte, line int) []string {
	all := strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	if line < 1 || line > len(all) {
		return nil
	}
	indent := func(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }
	key := all[line-1]
	ind := indent(key)
	start := line - 1
	for start > 0 {
		prev := all[start-1]
		if strings.TrimSpace(prev) == "" || !strings.HasPrefix(strings.TrimSpace(prev), "#") || indent(prev) != ind {
			break
		}
		start--
	}
	end := line
	for end < len(all) {
		l := all[end]
		if strings.TrimSpace(l) != "" && indent(l) <= ind {
			break
		}
		end++
	}
	for end > line && strings.TrimSpace(all[end-1]) == "" {
		end--
	}
	return all[start:end]
}
