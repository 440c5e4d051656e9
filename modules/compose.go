package modules

import (
	"fmt"
	"sort"
	"strings"
)

// Program is a composed program: the flat set of collections and rules of
// its root modules and everything they include, with block overrides
// applied. Every collection and rule records the module (and block) it came
// from.
type Program struct {
	Name        string
	Doc         string
	Roots       []string
	Modules     []*Module // included modules first (a linearization)
	Collections []*Decl   // in declaration order
	Rules       []*Rule   // in block order
	Expect      []Expect
	Spec        *ProgramSpec // nil for a program given by --module
	// Coordinations are the coordination declarations of the program's
	// modules and of the blocks it keeps; Seals and Contracts those of
	// its modules. Each names only collections of the program.
	Coordinations []*Coordination
	Seals         []*Seal
	Contracts     []*Contract
	// Instances are the imported instances, nested ones after the
	// instance that imports them; their collections and rules are in
	// Collections and Rules under qualified names (bed.pipe_in).
	Instances []*Instance
	// Lattices are the user lattices the program's columns and rules use.
	Lattices map[string]*LatticeDef

	byName       map[string]*Decl
	latticeNames []string // the keys of Lattices, sorted
	hasLattice   bool     // some collection has lattice columns
	ruleTypes    map[*Rule]RuleTypes
}

// LatticeNames returns the names of the user lattices the program uses,
// sorted.
func (p *Program) LatticeNames() []string { return p.latticeNames }

// Collection returns the declaration named name, or nil.
func (p *Program) Collection(name string) *Decl { return p.byName[name] }

// Module returns the module named name if it is part of p (included, or
// imported as an instance).
func (p *Program) Module(name string) *Module {
	for _, m := range p.Modules {
		if m.Name == name {
			return m
		}
	}
	for _, in := range p.Instances {
		if in.Module == name && in.Mod != nil {
			return in.Mod
		}
	}
	return nil
}

// ComposeProgram composes a program declared in a project file.
func (lib *Library) ComposeProgram(name string) (*Program, Diagnostics) {
	ps, ok := lib.Programs[name]
	if !ok {
		return nil, Diagnostics{{Severity: Error, Check: "unknown-program", Message: fmt.Sprintf("unknown program %q%s", name, suggest(name, lib.programNames()))}}
	}
	p, ds := lib.Compose(ps.Name, ps.Modules)
	if p != nil {
		p.Doc, p.Expect, p.Spec = ps.Doc, ps.Expect, ps
	}
	return p, ds
}

func (lib *Library) programNames() []string {
	var out []string
	for n := range lib.Programs {
		out = append(out, n)
	}
	return out
}

func (lib *Library) moduleNames() []string {
	var out []string
	for n := range lib.Modules {
		out = append(out, n)
	}
	return out
}

// Compose flattens the root modules (and their includes) into a Program and
// checks it: unknown names, include cycles, conflicting declarations,
// arities, operators and kinds, and rule safety. The Program is nil only
// when no module could be resolved.
func (lib *Library) Compose(name string, roots []Ref) (*Program, Diagnostics) {
	return lib.compose(name, roots, &importState{units: map[string]*Program{}})
}

// compose composes the roots; imp is shared with the compositions of the
// modules they import.
func (lib *Library) compose(name string, roots []Ref, imp *importState) (*Program, Diagnostics) {
	c := &composer{lib: lib, imp: imp, state: map[string]int{}, failed: map[string]bool{}, prog: &Program{Name: name, byName: map[string]*Decl{}}}
	for _, r := range roots {
		c.prog.Roots = append(c.prog.Roots, r.Name)
		if _, ok := lib.Modules[r.Name]; !ok {
			c.diags.errorf("unknown-module", r.Pos, "unknown module %s%s", r.Name, suggest(r.Name, lib.moduleNames()))
			continue
		}
		c.visit(r.Name, nil)
	}
	if len(c.prog.Modules) == 0 {
		return nil, c.diags.ds
	}
	c.instantiate()
	c.collect()
	c.checkInstanceNames()
	c.checkLatticeTypes()
	c.checkRules()
	// The instances' rules were checked when their modules were
	// composed; they come first, as in Bud.
	c.prog.Rules = append(c.instRules, c.prog.Rules...)
	return c.prog, c.diags.ds
}

type composer struct {
	lib   *Library
	prog  *Program
	diags diagList
	state map[string]int // 0 unvisited, 1 on the stack, 2 done
	stack []string
	imp   *importState
	// instRules are the rules of the imported instances, qualified.
	instRules []*Rule
	// failed are the instance names whose import is in error: names into
	// them are not reported again.
	failed map[string]bool
}

// visit linearizes includes depth-first: included modules come before the
// modules that include them, each module once (diamonds are one copy).
func (c *composer) visit(name string, via *Ref) {
	switch c.state[name] {
	case 2:
		return
	case 1:
		i := len(c.stack) - 1
		for i >= 0 && c.stack[i] != name {
			i--
		}
		cycle := append(append([]string{}, c.stack[i:]...), name)
		c.diags.errorf("include-cycle", via.Pos, "include cycle: %s", strings.Join(cycle, " -> "))
		return
	}
	m := c.lib.Modules[name]
	c.state[name] = 1
	c.stack = append(c.stack, name)
	for i := range m.Includes {
		in := &m.Includes[i]
		if _, ok := c.lib.Modules[in.Name]; !ok {
			c.diags.errorf("unknown-module", in.Pos, "module %s includes unknown module %s%s", name, in.Name, suggest(in.Name, c.lib.moduleNames()))
			continue
		}
		c.visit(in.Name, in)
	}
	c.stack = c.stack[:len(c.stack)-1]
	c.state[name] = 2
	c.prog.Modules = append(c.prog.Modules, m)
}

// includes reports whether module a includes b, directly or not.
func (c *composer) includes(a, b string) bool {
	seen := map[string]bool{}
	var walk func(string) bool
	walk = func(n string) bool {
		if seen[n] {
			return false
		}
		seen[n] = true
		m := c.lib.Modules[n]
		if m == nil {
			return false
		}
		for _, in := range m.Includes {
			if in.Name == b || walk(in.Name) {
				return true
			}
		}
		return false
	}
	return walk(a)
}

// collect merges declarations and applies block overrides.
func (c *composer) collect() {
	p := c.prog
	for _, m := range p.Modules {
		for _, d := range m.State {
			prev, ok := p.byName[d.Name]
			if !ok {
				p.byName[d.Name] = d
				p.Collections = append(p.Collections, d)
				continue
			}
			if !prev.SameShape(d) {
				c.diags.errorf("duplicate-collection", d.Pos, "%s is declared differently in %s (%s) and in %s at %s (%s)",
					d.Name, d.Module, d, prev.Module, prev.Pos, prev)
			}
		}
	}
	var order []string
	winner := map[string]*Block{}
	for _, m := range p.Modules {
		for _, b := range m.Blocks {
			prev, ok := winner[b.Name]
			if !ok {
				order = append(order, b.Name)
			} else if !c.includes(m.Name, prev.Module) {
				c.diags.warnf("override", b.Pos, "block %q of %s replaces block %q of %s (%s), which %s does not include; rename one of them if this is not meant",
					b.Name, m.Name, prev.Name, prev.Module, prev.Pos, m.Name)
			}
			if !ok && len(b.Rules) == 0 {
				c.diags.warnf("override", b.Pos, "empty block %q of %s replaces no inherited block", b.Name, m.Name)
			}
			winner[b.Name] = b
		}
	}
	winners := map[*Block]bool{}
	for _, name := range order {
		p.Rules = append(p.Rules, winner[name].Rules...)
		winners[winner[name]] = true
	}
	c.checkCoordination(winners)
}

// checkRules resolves every atom against the program's collections and
// checks arities, operators and safety. Bare atoms are expanded here, on a
// copy of the rule, since their arity depends on the program.
func (c *composer) checkRules() {
	p := c.prog
	var names []string // for suggestions, made at the first unknown name
	rules := p.Rules[:0:0]
	for _, r := range p.Rules {
		ok := true
		resolve := func(a *Atom) *Decl {
			d := p.byName[a.Pred]
			if d == nil && strings.Contains(a.Pred, ".") {
				c.unknownQualified(a, r.Module+"."+r.Block)
				ok = false
				return nil
			}
			if d == nil {
				if names == nil {
					names = make([]string, 0, len(p.byName))
					for n := range p.byName {
						names = append(names, n)
					}
				}
				c.diags.errorf("unknown-collection", a.P, "unknown collection %s in %s.%s%s", a.Pred, r.Module, r.Block, suggest(a.Pred, names))
				ok = false
				return nil
			}
			if !a.Bare && len(a.Args) != d.Arity() {
				c.diags.errorf("arity", a.P, "%s has %d column%s %s, found %d argument%s",
					a.Pred, d.Arity(), plural(d.Arity()), colList(d), len(a.Args), plural(len(a.Args)))
				ok = false
			}
			return d
		}
		hd := resolve(&r.Head)
		var bodyDecls []*Decl
		for a := range r.Atoms() {
			d := resolve(&a.Atom)
			bodyDecls = append(bodyDecls, d)
		}
		if hd != nil {
			switch {
			case hd.Kind == Periodic:
				c.diags.errorf("operator", r.Head.P, "%s is periodic: a timer fills it, no rule may write it", hd.Name)
				ok = false
			case hd.Kind == Channel && r.Op != OpAsync:
				c.diags.errorf("operator", r.OpPos, "%s is a channel: write it with <~, not %s", hd.Name, r.Op)
				ok = false
			case hd.Kind != Channel && r.Op == OpAsync:
				c.diags.errorf("operator", r.OpPos, "<~ sends over the network, so its head must be a channel; %s is a %s", hd.Name, hd.Kind)
				ok = false
			}
		}
		if !ok {
			continue
		}
		if r.Head.Bare {
			bd := bodyDecls[0]
			if hd.Arity() != bd.Arity() {
				c.diags.errorf("arity", r.Pos, "%s %s %s copies whole tuples, but %s has %d columns and %s has %d; give the arguments",
					hd.Name, r.Op, bd.Name, hd.Name, hd.Arity(), bd.Name, bd.Arity())
				continue
			}
			r = expandBare(r, hd.Arity())
		}
		if !c.checkSafety(r) {
			continue
		}
		if r = c.checkLatticeRule(r); r == nil {
			continue
		}
		rules = append(rules, r)
	}
	p.Rules = rules
}

func colList(d *Decl) string {
	var names []string
	for _, c := range d.Columns() {
		names = append(names, c.Name)
	}
	return "(" + strings.Join(names, ", ") + ")"
}

// expandBare copies r with its bare head and body atom given the variables
// $1..$n.
func expandBare(r *Rule, n int) *Rule {
	cp := *r
	vars := func(at Pos) []Expr {
		out := make([]Expr, n)
		for i := range out {
			out[i] = &Var{Name: fmt.Sprintf("$%d", i+1), P: at}
		}
		return out
	}
	cp.Head.Args = vars(r.Head.P)
	body := r.Body[0].(*AtomLit)
	nb := *body
	nb.Args = vars(body.P)
	cp.Body = []Literal{&nb}
	return &cp
}

// checkSafety enforces range restriction: every variable of the head, of a
// negated atom, of a comparison and of a computed term must be bound by a
// positive body atom or a binding.
func (c *composer) checkSafety(r *Rule) bool {
	ok := true
	bound := map[string]bool{}
	var pending []Expr // computed terms inside positive atoms
	var bindPattern func(e Expr)
	bindPattern = func(e Expr) {
		switch e := e.(type) {
		case *Var:
			if !e.Wildcard() {
				bound[e.Name] = true
			}
		case *ListExpr:
			for _, x := range e.Elems {
				bindPattern(x)
			}
		case *IntLit, *StrLit, *BoolLit:
		default:
			pending = append(pending, e)
		}
	}
	for _, l := range r.Body {
		if a, isAtom := l.(*AtomLit); isAtom && !a.Negated {
			for _, arg := range a.Args {
				bindPattern(arg)
			}
		}
	}
	// Bindings, to a fixpoint: Z = expr binds Z once expr's variables are.
	for changed := true; changed; {
		changed = false
		for _, l := range r.Body {
			b, isBind := l.(*BindLit)
			if !isBind || bound[b.Var.Name] {
				continue
			}
			if len(unbound(b.X, bound, true)) == 0 {
				bound[b.Var.Name] = true
				changed = true
			}
		}
	}
	report := func(e Expr, where string, wildcardOK bool) {
		for _, v := range unbound(e, bound, !wildcardOK) {
			ok = false
			if v.Wildcard() {
				c.diags.errorf("safety", v.P, "_ cannot stand %s: it matches anything and binds nothing", where)
				continue
			}
			c.diags.errorf("safety", v.P, "variable %s %s is not bound by a positive body atom or a binding (unsafe rule)", v.Name, where)
		}
	}
	for _, a := range r.Head.Args {
		report(a, "in the head", false)
	}
	for _, e := range pending {
		report(e, "in a computed term of a body atom", false)
	}
	for _, l := range r.Body {
		switch l := l.(type) {
		case *AtomLit:
			if l.Negated {
				for _, a := range l.Args {
					report(a, "under notin", true)
				}
			}
		case *CmpLit:
			report(l.X, "in a comparison", false)
			report(l.Y, "in a comparison", false)
		case *BindLit:
			report(l.X, "in the binding of "+l.Var.Name, false)
		case *TestLit:
			report(l.Call, "in a test", false)
		}
	}
	return ok
}

// unbound returns the variables of e that are not bound (and, when
// withWildcards, the wildcards, which can never be bound).
func unbound(e Expr, bound map[string]bool, withWildcards bool) []*Var {
	var out []*Var
	WalkVars(e, func(v *Var) {
		if v.Wildcard() {
			if withWildcards {
				out = append(out, v)
			}
		} else if !bound[v.Name] {
			out = append(out, v)
		}
	})
	return out
}

// suggest returns ` (did you mean X?)` for the closest name, if close.
func suggest(name string, candidates []string) string {
	best, bestD := "", 3
	sort.Strings(candidates)
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Suggest returns ` (did you mean X?)` for the candidate closest to name,
// if one is close, else "".
func Suggest(name string, candidates []string) string { return suggest(name, candidates) }
