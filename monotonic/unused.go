package monotonic

import (
	"fmt"

	"github.com/calmcheck/calmcheck/modules"
)

// CheckUnused is the unused check's name.
const CheckUnused Check = "unused"

// Unused reports collections nothing reads and nothing writes.
var Unused = &Analyzer{
	Name:     CheckUnused,
	Severity: modules.Note,
	Doc: `A collection that no rule reads and no rule writes.

Tables, scratches, channels and timers that no rule of the composed
program mentions (interfaces are reported by underspecified instead). Often
a leftover, or state a module declares for modules that the program does
not include. Remove it, or include the module that uses it.`,
	Run: runUnused,
}

func runUnused(pass *Pass) {
	for _, n := range pass.Graph.Nodes {
		if n.Read || n.Written || n.Kind.Interface() {
			continue
		}
		pass.Report(Finding{
			Pos: declPos(n.Decl), Module: n.Module, Collections: []string{n.Name},
			Message: fmt.Sprintf("%s %s is never read or written by the program's rules", n.Kind, n.Name),
		})
	}
}

func declPos(d *modules.Decl) modules.Pos {
	if d.NamePos.IsValid() {
		return d.NamePos
	}
	return d.Pos
}
