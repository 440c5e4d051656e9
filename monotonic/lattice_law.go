package monotonic

import (
	"github.com/calmcheck/calmcheck/lattice"
	"github.com/calmcheck/calmcheck/modules"
)

// CheckLatticeLaw is the lattice-law check's name.
const CheckLatticeLaw Check = "lattice-law"

// LatticeLaw tests the user lattices a program uses.
var LatticeLaw = &Analyzer{
	Name:     CheckLatticeLaw,
	Severity: modules.Error,
	Doc: `A user lattice whose merge is not a lattice, or a function claimed monotone that is not.

For every lattice declared under the file key lattices that the program
uses, calmcheck tests on generated values (300 cases per law, a fixed
seed) that the merge is associative, commutative and idempotent, that it
stays in the lattice's domain, that the declared bottom is its identity,
and that each declared function is monotone into the lattice it returns
(x <= y implies f(x) <= f(y); a threshold returns lbool). A violation is
reported with the values that show it. This is a test, not a proof: a
merge that passes may still break a law on values the generator did not
try (large integers, long lists). Bud and Hydro take the programmer's word
for both.`,
	Run: runLatticeLaw,
}

func runLatticeLaw(pass *Pass) {
	p := pass.Program
	if len(p.LatticeNames()) == 0 {
		return
	}
	env := lattice.NewEnv(p.Lattices)
	for _, name := range p.LatticeNames() {
		d := p.Lattices[name]
		for _, v := range env.CheckDef(d) {
			pass.Report(Finding{
				Pos: v.Pos, Collections: []string{name}, Key: v.Law + "|" + v.Func,
				Message: v.Message,
			})
		}
	}
}
