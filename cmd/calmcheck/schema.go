package main

import (
	"github.com/calmcheck/calmcheck/modules"
	"github.com/spf13/cobra"
)

func init() { commands = append(commands, newSchemaCmd) }

func newSchemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of spec files, for editors",
		Long: `Print a JSON Schema (draft 2020-12) of the spec file format. Editors that use
yaml-language-server (VS Code's YAML extension, Neovim, Helix, ...) validate
and complete spec files with it: save it next to your specs and put this
modeline first in each spec file:

  # yaml-language-server: $schema=./calmcheck.schema.json`,
		Example: `  calmcheck schema > calmcheck.schema.json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := cmd.OutOrStdout().Write(modules.JSONSchema)
			return err
		},
	}
}
