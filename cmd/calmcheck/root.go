package main

import (
	"errors"
	"fmt"
	"github.com/calmcheck/calmcheck/internal/textsafe"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X main.Version=v1.2.3".
var Version = "devel"

// Exit statuses.
const (
	exitClean    = 0 // nothing at or above the gate
	exitFindings = 1 // findings at or above the gate
	exitTrouble  = 2 // the tool could not do its job (bad input, I/O)
)

// exitError carries an exit status; its message, if any, has already been
// printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// run executes the command line and returns the exit status. It never
// panics on bad input: a panic is a bug, reported as one with status 2.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "calmcheck: internal error: %v\nplease report this with the input that caused it\n%s", r, debug.Stack())
			code = exitTrouble
		}
	}()
	// Everything on stderr (diagnostics, messages) shows control
	// characters from specs and file names as visible escapes.
	stderr = textsafe.NewWriter(stderr)
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitClean
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(stderr, "calmcheck: %v\n", err)
	return exitTrouble
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "calmcheck",
		Short: "Find where a Bloom-style distributed program needs coordination",
		Long: `calmcheck analyses distributed programs written as Bloom-style module specs
(YAML files of collections and Datalog rules with Bloom's merge operators).

The CALM principle: a program is eventually consistent without coordination
exactly when it is monotonic. calmcheck composes module specs into programs,
checks that they are well-formed, and finds the points of order: the
nonmonotonic rules (negation, aggregation, deletion) that messages can reach
in different orders.

With no PATH, commands read ./calmcheck.yaml if it exists, else the built-in
library: every module of the 2010 talk "Building a consistent, replicated
shopping cart in Bloom".`,
		Example: `  calmcheck init                                  # start a project in this directory
  calmcheck lint                                  # the built-in library (or ./calmcheck.yaml)
  calmcheck lint --program replicated-disorderly-cart
  calmcheck lint specs/ --module MyCart,BestEffortDelivery
  calmcheck dot --program replicated-disorderly-cart > cart.svg
  calmcheck report --program replicated-disorderly-cart -o cart.html
  calmcheck verify --program replicated-destructive-cart
  calmcheck modules                               # list modules and programs
  calmcheck show CartProtocol                     # print a module's source`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%v\nRun '%s --help' for usage", err, c.CommandPath())
	})
	for _, c := range commands {
		root.AddCommand(c())
	}
	return root
}

// commands holds the constructors of the subcommands; each command's file
// registers its own in an init function, so that commands can be added
// without touching this file.
var commands []func() *cobra.Command

func init() {
	commands = append(commands, newVersionCmd)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print calmcheck's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := Version
			if bi, ok := debug.ReadBuildInfo(); ok && v == "devel" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			fmt.Fprintf(cmd.OutOrStdout(), "calmcheck %s (%s %s/%s)\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
