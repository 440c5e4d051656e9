package monotonic

import (
	"fmt"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// CheckUnneededCoordination is the unneeded-coordination check's name.
const CheckUnneededCoordination Check = "unneeded-coordination"

// UnneededCoordination reports coordination declarations that change no
// label.
var UnneededCoordination = &Analyzer{
	Name:     CheckUnneededCoordination,
	Severity: modules.Warning,
	Doc: `Coordination placed where nothing needs it: the talk's replication overkill.

A coordination declaration is needed when some order-sensitive step (a
nonmonotonic rule after an asynchronous edge) is covered with it and not
without it. One that covers nothing sits on paths labelled Bot or A
(monotonic, coordination-free), or before another asynchronous edge, or on
one of several message streams of a step that the others still reach in
any order: it costs a round of coordination and buys nothing. Remove it, or
move it to where the remaining point of order is.`,
	Run: runUnneededCoordination,
}

func runUnneededCoordination(pass *Pass) {
	f := pass.facts
	m := f.model()
	f.coordinationUses()
	for _, info := range f.unneededInto {
		c := m.p.Coordinations[info.k]
		var b strings.Builder
		fmt.Fprintf(&b, "unneeded coordination: the %s coordination of %s on %s changes no path's label", c.Kind, c.Where(), strings.Join(c.Names(), ", "))
		switch {
		case !info.reached:
			b.WriteString(": no input reaches it")
		case info.label <= A:
			fmt.Fprintf(&b, ": the paths into it are labelled %s (monotonic: coordination-free)", info.label)
		default:
			fmt.Fprintf(&b, ": the paths into it are labelled %s", info.label)
		}
		// The order-sensitive steps after it that are still open.
		after := m.forwardFrom(m.coordNodes[info.k], nil)
		var open []string
		for i, o := range f.open {
			if !o || !after[m.from(i)] {
				continue
			}
			open = append(open, f.stepDesc(i))
		}
		switch {
		case len(open) > 0:
			more := ""
			if len(open) > 2 {
				more = fmt.Sprintf(" (and %d more)", len(open)-2)
				open = open[:2]
			}
			verb := "is"
			if len(open) > 1 {
				verb = "are"
			}
			fmt.Fprintf(&b, ", and it does not address the order-sensitive steps after it: %s%s %s still reached without coordination", strings.Join(open, " and "), more, verb)
		case info.reached:
			b.WriteString(", and nothing order-sensitive follows it before the next asynchronous edge or an output")
		}
		b.WriteString("; remove it, or move it to where the point of order is")
		pass.Report(Finding{
			Pos: c.Pos, Module: c.Module, Collections: c.Names(), Key: "coordination " + c.Where(),
			Message: b.String(),
		})
	}
}
