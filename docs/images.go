// Package docs is calmcheck's documentation. Its Go code draws the
// pictures of the tutorial (tutorial.md) from the built-in library:
//
//	go generate ./docs/...
//
// writes them under docs/img, and go test ./docs fails when a committed
// picture is not what the current code draws.
package docs

//go:generate go run ./internal/genimg

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/calmcheck/calmcheck/lint"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/render"
	"github.com/calmcheck/calmcheck/specs"
)

// Picture is one picture of the tutorial: what calmcheck dot draws for
// the programs with the options, which Command spells out.
type Picture struct {
	File     string // under docs/img
	Programs []string
	Options  render.Options
	Command  string
	// Specs are spec files to load beside the built-in library, relative
	// to docs/ (the examples the tutorial writes from scratch).
	Specs []string
}

func pic(file string, opt render.Options, flags string, progs ...string) Picture {
	cmd := "calmcheck dot"
	for _, p := range progs {
		cmd += " -p " + p
	}
	if flags != "" {
		cmd += " " + flags
	}
	return Picture{File: file, Programs: progs, Options: opt, Command: cmd + " > " + file}
}

// specPic is a picture of programs of spec files under docs/, drawn by
// calmcheck dot FILE... in the directory that holds them.
func specPic(file string, opt render.Options, flags string, specs []string, progs ...string) Picture {
	cmd := "calmcheck dot"
	for _, s := range specs {
		cmd += " " + filepath.Base(s)
	}
	if flags != "" {
		cmd += " " + flags
	}
	return Picture{File: file, Programs: progs, Options: opt, Command: cmd + " > " + file, Specs: specs}
}

var (
	full     = render.Options{Legend: true, Clusters: true}
	noLegend = render.Options{Clusters: true}
)

// Pictures are the tutorial's pictures, in its order.
var Pictures = []Picture{
	pic("delivery.svg", full, "", "delivery-protocol", "delivery-best-effort", "delivery-reliable"),
	pic("delivery-import.svg", noLegend, "--no-legend", "delivery-reliable-import", "delivery-two-lanes"),
	pic("client.svg", noLegend, "--no-legend", "cart-client-protocol", "cart-client"),
	pic("basic-kvs.svg", noLegend, "--no-legend", "basic-kvs"),
	pic("basic-kvs-strata.svg", render.Options{Legend: true, Strata: true}, "--strata", "basic-kvs"),
	pic("destructive-cart.svg", noLegend, "--no-legend", "destructive-cart"),
	pic("destructive-cart-basic-kvs.svg", render.Options{Clusters: true, Highlight: "D"}, "--no-legend --highlight D", "destructive-cart-basic-kvs"),
	pic("replicated-destructive-cart.svg", render.Options{Clusters: true, Highlight: "D"}, "--no-legend --highlight D", "replicated-destructive-cart"),
	pic("disorderly-cart.svg", render.Options{Clusters: true, Highlight: "D"}, "--no-legend --highlight D", "disorderly-cart"),
	pic("replicated-disorderly-cart-abstract.svg", noLegend, "--no-legend", "replicated-disorderly-cart-abstract"),
	pic("replicated-disorderly-cart.svg", render.Options{Legend: true, Clusters: true, Highlight: "D"}, "--highlight D", "replicated-disorderly-cart"),
	pic("replicated-disorderly-cart-reliable.svg", render.Options{Clusters: true, Highlight: "D"}, "--no-legend --highlight D", "replicated-disorderly-cart-reliable"),
	pic("replicated-disorderly-cart-reliable-effective.svg", render.Options{Clusters: true, Highlight: "D", Effective: true}, "--no-legend --highlight D --effective", "replicated-disorderly-cart-reliable"),
	pic("two-carts.svg", noLegend, "--no-legend", "destructive-cart", "disorderly-cart"),
	pic("sealed-cart.svg", full, "", "sealed-cart"),
	pic("ordered-cart.svg", noLegend, "--no-legend", "ordered-cart"),
	pic("monotone-cart.svg", full, "", "monotone-cart"),
	pic("replicated-lattice-kvs.svg", render.Options{Clusters: true, Highlight: "D"}, "--no-legend --highlight D", "replicated-lattice-kvs"),
	specPic("todo.svg", render.Options{Legend: true, Clusters: true, Highlight: "D"}, "--highlight D", []string{"examples/todo/todo.yaml"}, "todo"),
}

// Draw draws a picture as calmcheck dot does, from the built-in library.
func Draw(ctx context.Context, p Picture) ([]byte, error) {
	lib := modules.NewLibrary()
	warnings := lib.LoadFS(specs.FS, "specs")
	for _, f := range p.Specs {
		warnings = append(warnings, lib.LoadPath(f)...)
	}
	if warnings.HasErrors() {
		return nil, warnings
	}
	var progs []*modules.Program
	for _, name := range p.Programs {
		prog, ds := lib.ComposeProgram(name)
		if ds.HasErrors() {
			return nil, fmt.Errorf("%s: %w", p.File, ds)
		}
		warnings = append(warnings, ds...)
		progs = append(progs, prog)
	}
	rps := render.FromReport(lint.Run(progs, warnings.Dedup(), lint.Options{}))
	v, err := render.Build(rps, p.Options)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.File, err)
	}
	return render.SVG(ctx, v)
}
