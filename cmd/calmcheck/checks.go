package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/calmcheck/calmcheck/lint"
	"github.com/spf13/cobra"
)

func init() { commands = append(commands, newChecksCmd) }

func newChecksCmd() *cobra.Command {
	var short bool
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List every check lint runs, with its documentation",
		Long: `List every check that 'calmcheck lint' can report: its name (as used by
--checks, --disable, expect: and in reports), its severity, and its
documentation. The analyzers come first, then the checks of loading,
composition, expectations and acknowledgements. docs/checks.md has an
example spec for each.`,
		Example: `  calmcheck checks
  calmcheck checks --short
  calmcheck lint --checks point-of-order,diffluent-path`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			writeChecks(cmd.OutOrStdout(), short)
			return nil
		},
	}
	cmd.Flags().BoolVar(&short, "short", false, "one line per check")
	return cmd
}

func writeChecks(w io.Writer, short bool) {
	checks := lint.Checks()
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	for i, c := range checks {
		first, rest, _ := strings.Cut(c.Doc, "\n\n")
		first = strings.Join(strings.Fields(first), " ")
		if short {
			fmt.Fprintf(w, "%-*s  %-7s  %s\n", width, c.Name, c.Severity, first)
			continue
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s)\n    %s\n", c.Name, c.Severity, first)
		if rest != "" {
			fmt.Fprintln(w)
			for _, line := range strings.Split(strings.TrimSpace(rest), "\n") {
				if line == "" {
					fmt.Fprintln(w)
					continue
				}
				fmt.Fprintf(w, "    %s\n", line)
			}
		}
	}
}
