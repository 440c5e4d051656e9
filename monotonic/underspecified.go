package monotonic

import (
	"fmt"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
)

// CheckUnderspecified is the underspecified check's name.
const CheckUnderspecified Check = "underspecified"

// Underspecified reports the dangling ends of the dataflow.
var Underspecified = &Analyzer{
	Name:     CheckUnderspecified,
	Severity: modules.Error,
	Doc: `A dangling end of the dataflow (the talk's ?? node).

An input interface that nothing reads, an output interface that nothing
writes (a rule that reads or writes an interface only from itself, like
x(K) <= x(K), does not count, as in Bud), a channel that is written but never read or read but never written:
the program composes an abstract protocol without a module that realizes
it, so part of its dataflow is unspecified. Include the implementing module
(for example BestEffortDelivery for DeliveryProtocol), or remove the
interface. An interface of an imported instance (bed.pipe_in) dangles when
the importer does not connect it: an input it never writes, an output it
never reads.`,
	Run: runUnderspecified,
}

func runUnderspecified(pass *Pass) {
	g := pass.Graph
	for _, d := range g.Underspecified() {
		n := &g.Nodes[d.Node]
		var msg string
		switch {
		case n.Imported() && n.Kind.Interface():
			reportImportedDangling(pass, n, d)
			continue
		case n.Kind == modules.Input && n.Read:
			msg = fmt.Sprintf("input interface %s is read only by a rule that writes it back (%s <= %s), which consumes nothing (%s -> ??): nothing else in the program reads it", n.Name, n.Name, n.Name, n.Name)
		case n.Kind == modules.Input:
			msg = fmt.Sprintf("input interface %s is never read (%s -> ??): nothing in the program consumes what enters it", n.Name, n.Name)
		case n.Kind == modules.Output && n.Written:
			msg = fmt.Sprintf("output interface %s is written only from itself (%s <= %s), which produces nothing (?? -> %s): nothing else in the program writes it", n.Name, n.Name, n.Name, n.Name)
		case n.Kind == modules.Output:
			msg = fmt.Sprintf("output interface %s is never written (?? -> %s): nothing in the program produces it", n.Name, n.Name)
		case d.Direction == depgraph.DirOutput:
			msg = fmt.Sprintf("channel %s is written but never read (%s -> ??): no module of the program receives its messages", n.Name, n.Name)
		default:
			msg = fmt.Sprintf("channel %s is read but never written (?? -> %s): no module of the program sends its messages", n.Name, n.Name)
		}
		msg += fmt.Sprintf("; %s is declared by %s: include a module that realizes it", n.Name, n.Module)
		pass.Report(Finding{
			Pos: declPos(n.Decl), Module: n.Module, Collections: []string{n.Name},
			Key: string(d.Direction), Message: msg,
		})
	}
}

// reportImportedDangling reports an interface of an imported instance
// that dangles: the importer does not connect it (an input it never
// writes, an output it never reads), or the instance itself leaves it
// open. The finding stands at the import, where the importer would
// connect it.
func reportImportedDangling(pass *Pass, n *depgraph.Node, d depgraph.Dangling) {
	inst := n.Decl.Instance
	in := pass.Graph.Program.Instance(inst)
	what := "instance " + inst
	pos := declPos(n.Decl)
	if in != nil {
		what = fmt.Sprintf("instance %s (%s, imported by %s)", inst, in.Module, in.Importer)
		if in.Pos.IsValid() {
			pos = in.Pos
		}
	}
	var msg string
	switch {
	case n.Kind == modules.Input && d.Direction == depgraph.DirInput:
		msg = fmt.Sprintf("input interface %s of the %s is never written (?? -> %s): the importer does not connect it; write it from the importer's rules, or import a module without it", n.Name, what, n.Name)
	case n.Kind == modules.Input:
		msg = fmt.Sprintf("input interface %s of the %s is never read (%s -> ??): nothing in the instance consumes what enters it", n.Name, what, n.Name)
	case d.Direction == depgraph.DirOutput:
		msg = fmt.Sprintf("output interface %s of the %s is never read (%s -> ??): the importer does not connect it; read it in the importer's rules, or import a module without it", n.Name, what, n.Name)
	default:
		msg = fmt.Sprintf("output interface %s of the %s is never written (?? -> %s): nothing in the instance produces it", n.Name, what, n.Name)
	}
	pass.Report(Finding{
		Pos: pos, Module: n.Module, Collections: []string{n.Name},
		Key: string(d.Direction), Message: msg,
	})
}
