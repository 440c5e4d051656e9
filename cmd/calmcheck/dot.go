package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"strings"

	"github.com/calmcheck/calmcheck/internal/atomicfile"
	"github.com/calmcheck/calmcheck/lint"
	"github.com/calmcheck/calmcheck/render"
	"github.com/spf13/cobra"
)

type dotOptions struct {
	programs  []string
	modules   []string
	format    string
	output    string
	force     bool
	noLegend  bool
	clusters  bool
	collapse  string
	strata    bool
	highlight string
	effective bool
	focus     string
	maxNodes  int
	maxEdges  int
}

func init() { commands = append(commands, newDotCmd) }

func newDotCmd() *cobra.Command {
	var o dotOptions
	cmd := &cobra.Command{
		Use:   "dot [PATH...]",
		Short: "Draw the predicate dependency graph of programs (SVG, PNG, DOT, Mermaid, JSON)",
		Long: `Draw the predicate dependency graph of the selected programs, as the Bloom
talk drew it, with its legend in the picture:

  ellipse            scratch-like collection (scratch, input, output, channel, periodic)
  rectangle          persistent table
  A -> B             B is in the head, A in the body of a rule
  +/-                the rule is temporal (<+, <-, <+-)
  dashed             the rule is asynchronous (<~)
  circle on arrow    the rule is nonmonotonic (notin, aggregation, deletion): a point of order
  blue diamonds      S and T: dataflow source and sink
  red diamond        ??: underspecified dataflow, connected to the dangling ends

and what the program declares about coordination (docs/coordination.md):

  double border, 🔒  a coordinated collection, with the kind of its coordination;
                     dark yellow when the coordination is unneeded
  grey circle arrow  a coordination protocol's own nonmonotonic rule: not a point of order
  dotted, purple     a seal, from the collection that seals to the sealed one, with its key
  purple "sealed"    a nonmonotonic rule the seal covers: no coordination needed
  dash-dot           a contract standing in for a missing implementation ("N (contract)")

Collections are grouped by the module that declares them (--clusters=false
to drop the boxes), unstratifiable cycles are red, and every node and edge
has a tooltip (kind, schema, module; the rules with their file:line and
what the analysis found about them; what coordinates or seals them).
--highlight D colours every edge on a diffluent path (asynchrony, then
nonmonotonicity), as Bud labels paths, with contracts standing in for
missing implementations (lint's LABEL); with --effective, only the paths
that stay D once the program's coordination and seals count: where
coordination is missing. --collapse=scc (or --collapse) folds each
strongly connected component into one octagon; --collapse=module also
folds the collections of each module into one folder, except the
collections the findings are about. --strata groups collections by stratum
instead of by module and draws a temporal edge as a timestep boundary,
which is not a point of order. --focus COLLECTION draws only what reaches
or is reached from it. Two or more programs are drawn side by side, one
box each.

Programs are selected as for 'calmcheck lint': --program, --module, else
the programs of the given specs (or ./calmcheck.yaml), else the built-in
library's.

Output: SVG on stdout (-T svg|png|dot|mermaid|json), or the file -o FILE,
written whole or not at all. For svg, png and mermaid, with
--collapse=auto (the default), a program with more than --max-nodes
nodes, or --max-edges edges beyond one per node, to draw has its strongly
connected components collapsed; if still too large, the collections of
each module are folded into one node (a large module into parts, in
dataflow order; with too many modules, bands of the dataflow), keeping
the collections of findings expanded, the most severe first, as many as
the budget allows; each step is said on stderr, with how to see the rest
(--focus COLLECTION). A picture still too large is drawn without clusters
with Graphviz's fast layout. --collapse=none never collapses nor folds on
its own. dot and json give the whole graph unless --collapse asks.

Exit status: 0 the picture was written (whatever the analysis found: see
'calmcheck lint'), 2 the specs could not be loaded or composed, bad flags,
or the picture could not be written.`,
		Example: `  calmcheck dot --program replicated-disorderly-cart > cart.svg
  calmcheck dot --program basic-kvs --program disorderly-cart -o carts.svg
  calmcheck dot --program replicated-disorderly-cart --highlight D --no-legend -T png -o cart.png
  calmcheck dot --program sealed-cart --highlight D --effective > sealed.svg
  calmcheck dot --program replicated-disorderly-cart-reliable --focus mcast_done --collapse
  calmcheck dot --program replicated-disorderly-cart --collapse=module > modules.svg
  calmcheck dot --program disorderly-cart -T mermaid >> README.md`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDot(cmd, args, &o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.programs, "program", "p", nil, "draw the named `PROGRAM` of a project file (repeatable)")
	f.StringArrayVarP(&o.modules, "module", "m", nil, "draw an ad hoc program of `MODULE`s (repeatable, or comma-separated)")
	f.StringVarP(&o.format, "format", "T", "svg", "output `FORMAT`: svg, png, dot, mermaid or json")
	f.StringVarP(&o.output, "output", "o", "", "write to `FILE` (atomically; through a symbolic link to its target) instead of stdout")
	f.BoolVar(&o.force, "force", false, "with -o, replace a read-only FILE")
	f.BoolVar(&o.noLegend, "no-legend", false, "do not draw the legend")
	f.BoolVar(&o.clusters, "clusters", true, "group collections by the module that declares them")
	f.StringVar(&o.collapse, "collapse", "auto", "`HOW` to fold: auto (when too large to draw), scc (each strongly connected component; --collapse alone), module (also each module, but for the findings' collections), none")
	f.Lookup("collapse").NoOptDefVal = "scc"
	f.BoolVar(&o.strata, "strata", false, "group collections by stratum; draw temporal edges as timestep boundaries")
	f.StringVar(&o.highlight, "highlight", "", "colour every edge on a path labelled `LABEL` (D: diffluent)")
	f.BoolVar(&o.effective, "effective", false, "with --highlight D: only the paths still D once coordination and seals count")
	f.StringVar(&o.focus, "focus", "", "draw only what reaches or is reached from `COLLECTION`")
	f.IntVar(&o.maxNodes, "max-nodes", render.DefaultMaxNodes, "svg, png, mermaid: collapse programs with more than `N` nodes to draw (0: never)")
	f.IntVar(&o.maxEdges, "max-edges", render.DefaultMaxEdges, "svg, png, mermaid: collapse programs with more than `N` edges to draw beyond one per node (0: never)")
	return cmd
}

func runDot(cmd *cobra.Command, args []string, o *dotOptions) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	o.format = strings.ToLower(o.format)
	switch o.format {
	case "svg", "png", "dot", "mermaid", "json":
	default:
		return usageError(stderr, "unknown -T %q: want svg, png, dot, mermaid or json", o.format)
	}
	if o.highlight != "" && o.highlight != "D" {
		return usageError(stderr, "unknown --highlight %q: only D (diffluent paths) can be highlighted", o.highlight)
	}
	if o.effective && o.highlight != "D" {
		return usageError(stderr, "--effective: only with --highlight D")
	}
	var collapse, fold, noCollapse bool
	switch strings.ToLower(o.collapse) {
	case "auto", "false":
	case "scc", "true":
		collapse = true
	case "module", "modules":
		collapse, fold = true, true
	case "none":
		noCollapse = true
	default:
		return usageError(stderr, "unknown --collapse=%q: want auto, scc, module or none (write --collapse=module, with the =)", o.collapse)
	}
	if o.maxNodes < 0 || o.maxEdges < 0 {
		return usageError(stderr, "--max-nodes %d, --max-edges %d: want 0 (never collapse) or more", o.maxNodes, o.maxEdges)
	}

	if cmd.Flags().Changed("collapse") && collapse && !fold {
		for _, a := range args {
			switch a {
			case "auto", "scc", "module", "none":
				if _, err := os.Stat(a); err != nil {
					return usageError(stderr, "--collapse %s: write --collapse=%s, with the = (%s is no spec file)", a, a, a)
				}
			}
		}
	}
	progs, warnings, err := loadPrograms(args, o.programs, o.modules, stderr, true)
	if err != nil {
		return err
	}
	if len(progs) == 0 {
		fmt.Fprintln(stderr, "calmcheck: no program to draw: give --program or --module")
		return exitError{exitTrouble}
	}
	rps := render.FromReport(lint.Run(progs, warnings, lint.Options{}))
	opt := render.Options{
		Legend: !o.noLegend, Clusters: o.clusters, Collapse: collapse, Fold: fold, NoCollapse: noCollapse, Strata: o.strata,
		Highlight: o.highlight, Effective: o.effective, Focus: o.focus, MaxNodes: o.maxNodes, MaxEdges: o.maxEdges,
	}
	if o.maxEdges == 0 {
		opt.MaxEdges = -1
	}
	if o.maxNodes == 0 || o.format == "dot" || o.format == "json" {
		opt.MaxNodes, opt.MaxEdges = -1, 0 // drawn elsewhere, or not drawn: the whole graph
	}
	v, err := render.Build(rps, opt)
	if err != nil {
		fmt.Fprintf(stderr, "calmcheck: %v\n", err)
		return exitError{exitTrouble}
	}
	for _, n := range v.Notes {
		fmt.Fprintf(stderr, "calmcheck: note: %s\n", n)
	}
	var buf bytes.Buffer
	ctx := context.Background()
	switch o.format {
	case "svg":
		err = render.WriteSVG(ctx, &buf, v)
	case "png":
		err = render.WritePNG(ctx, &buf, v)
	case "dot":
		err = render.WriteDOT(&buf, v)
	case "mermaid":
		err = render.WriteMermaid(&buf, v)
	case "json":
		err = render.WriteJSON(&buf, v)
	}
	if err != nil {
		fmt.Fprintf(stderr, "calmcheck: %v\n", err)
		return exitError{exitTrouble}
	}
	if o.output == "" || o.output == "-" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			fmt.Fprintf(stderr, "calmcheck: writing the picture: %v\n", err)
			return exitError{exitTrouble}
		}
		return nil
	}
	if err := atomicfile.WriteFile(o.output, buf.Bytes(), 0o644, atomicfile.Options{Force: o.force}); err != nil {
		fmt.Fprintf(stderr, "%s: error: %s\n", o.output, ioError(err))
		return exitError{exitTrouble}
	}
	return nil
}
