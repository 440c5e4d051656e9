package main

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/calmcheck/calmcheck/internal/atomicfile"
	"github.com/spf13/cobra"
)

// initFiles are the files `calmcheck init` writes, in this order.
//
//go:embed initfiles/calmcheck.yaml initfiles/counter.yaml
var initFiles embed.FS

var initNames = []string{"calmcheck.yaml", "counter.yaml"}

func init() { commands = append(commands, newInitCmd) }

func newInitCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Start a project: write calmcheck.yaml and an example spec",
		Long: `Write a starter project file calmcheck.yaml and an example spec counter.yaml
(a replicated grow-only counter that calmcheck lint reports clean) into the
current directory. init refuses to overwrite: if either file exists, it
writes nothing.`,
		Example: `  mkdir myproject && cd myproject
  calmcheck init
  calmcheck lint`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, name := range initNames {
				if _, err := os.Lstat(name); err == nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: error: already exists; calmcheck init writes nothing over existing files\n", name)
					return exitError{exitTrouble}
				} else if !errors.Is(err, fs.ErrNotExist) {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: error: %v\n", name, errMessage(err))
					return exitError{exitTrouble}
				}
			}
			for _, name := range initNames {
				data, err := initFiles.ReadFile("initfiles/" + name)
				if err != nil {
					return err
				}
				if err := atomicfile.WriteFile(name, data, 0o644); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: error: %v\n", name, errMessage(err))
					return exitError{exitTrouble}
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", name)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "next: calmcheck lint")
			return nil
		},
	}
}
