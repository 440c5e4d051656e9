package main

import (
	"fmt"
	"github.com/calmcheck/calmcheck/internal/textsafe"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/spf13/cobra"
)

func init() { commands = append(commands, newModulesCmd) }

func newModulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "modules [PATH...]",
		Short: "List the modules and programs of the library and the given specs",
		Long: `List every module (name, where it is declared, what it includes and the first
sentence of its doc) and every program (its modules and doc).

PATH is a spec file or a directory (every *.yaml under it). With no PATH,
./calmcheck.yaml if it exists, else only the built-in library. Built-in
modules are always listed, since user specs can include them by name.
'calmcheck show NAME' prints one's source.`,
		Example: `  calmcheck modules
  calmcheck modules specs/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, a := range args {
				// calmcheck modules CartProtocol: a name, not a path
				if _, err := os.Stat(a); err != nil && !strings.ContainsAny(a, `/\.`) {
					fmt.Fprintf(cmd.ErrOrStderr(), "calmcheck: %s is not a file or directory; to print the source of a module or program: calmcheck show %s\n", a, a)
					return exitError{exitTrouble}
				}
			}
			w, err := loadWorkspace(args, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			writeModules(cmd.OutOrStdout(), w.Lib)
			return nil
		},
	}
	return cmd
}

func writeModules(out io.Writer, lib *modules.Library) {
	tw := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "MODULE\tDECLARED AT\tINCLUDES\tDOC")
	for _, m := range lib.SortedModules() {
		var inc []string
		for _, in := range m.Includes {
			inc = append(inc, in.Name)
		}
		for _, im := range m.Imports {
			inc = append(inc, "import "+im.String())
		}
		includes := strings.Join(inc, ", ")
		if includes == "" {
			includes = "-"
		}
		fmt.Fprintf(tw, "%s\t%s:%d\t%s\t%s\n", m.Name, textsafe.Line(m.Pos.File), m.Pos.Line, includes, textsafe.Line(m.FirstSentence()))
	}
	tw.Flush()
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PROGRAM\tDECLARED AT\tMODULES\tDOC")
	for _, p := range lib.SortedPrograms() {
		var ms []string
		for _, m := range p.Modules {
			ms = append(ms, m.Name)
		}
		fmt.Fprintf(tw, "%s\t%s:%d\t%s\t%s\n", p.Name, textsafe.Line(p.Pos.File), p.Pos.Line, strings.Join(ms, ", "), textsafe.Line(modules.FirstSentence(p.Doc)))
	}
	tw.Flush()
}
