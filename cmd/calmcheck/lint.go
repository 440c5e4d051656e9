package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

type lintOptions struct {
	programs []string
	modules  []string
}

func init() { commands = append(commands, newLintCmd) }

func newLintCmd() *cobra.Command {
	var o lintOptions
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Load, compose and check programs; exit non-zero on findings",
		Long: `Load the spec files, compose the selected programs and check that they are
well-formed: YAML and rule syntax, unknown collections, modules and
functions, arities, operators into the wrong kind of collection, unsafe
rules, include cycles, conflicting declarations, unused collections and
block overrides that replace nothing.

Programs: --program names a program of a project file; --module composes an
ad hoc program from modules (repeat the flag or separate with commas).
With neither: the programs of the given specs (or ./calmcheck.yaml), else
every module that no other module includes; with no PATH and no project
file, every program of the built-in library.

Exit status: 0 clean, 1 findings at or above the gate, 2 the specs could not
be loaded or composed (every error is printed as file:line:col: error: ...).`,
		Example: `  calmcheck lint
  calmcheck lint --program replicated-disorderly-cart
  calmcheck lint myspecs/ --module MyCart --module BestEffortDelivery`,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := loadWorkspace(args, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			progs, ds := w.Select(o.programs, o.modules)
			if err := report(ds, cmd.ErrOrStderr()); err != nil {
				return err
			}
			for _, p := range progs {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d collections, %d rules, well-formed\n", p.Name, len(p.Collections), len(p.Rules))
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&o.programs, "program", "p", nil, "analyse the named `PROGRAM` of a project file (repeatable)")
	cmd.Flags().StringArrayVarP(&o.modules, "module", "m", nil, "compose an ad hoc program of `MODULE`s (repeatable, or comma-separated)")
	return cmd
}
