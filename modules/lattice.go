package modules

import (
	"fmt"
	"sort"
	"strings"
)

// Lattices (Bloom^L, Conway et al., SoCC 2012): collections whose value
// columns hold lattice values, merged by least upper bound. This file holds
// the types and the rule type check; package lattice gives them meaning
// (merge, order, the built-in functions, the law tests).

// LatticeType is the lattice type of a column: a built-in (lmax, lmin,
// lbool, lset, lmap<K, L>, lpair<L1, L2>, ldompair<L1, L2>) or the name of
// a lattice declared under the file key `lattices`.
type LatticeType struct {
	Name string
	Key  string         // lmap: the name of the key domain (documentation only)
	Args []*LatticeType // lmap: [L]; lpair, ldompair: [L1, L2]
	Pos  Pos
}

// BuiltinLattices are the names of the built-in lattices and the number of
// lattice parameters each takes.
var BuiltinLattices = map[string]int{"lmax": 0, "lmin": 0, "lbool": 0, "lset": 0, "lmap": 1, "lpair": 2, "ldompair": 2}

// String renders the type as written: lmap<node, lmax>.
func (t *LatticeType) String() string {
	if t == nil {
		return "plain"
	}
	switch {
	case t.Name == "lmap" && len(t.Args) == 1:
		return "lmap<" + t.Key + ", " + t.Args[0].String() + ">"
	case len(t.Args) == 2:
		return t.Name + "<" + t.Args[0].String() + ", " + t.Args[1].String() + ">"
	}
	return t.Name
}

// LatticeDef is a lattice declared by a spec under the file key
// `lattices`: either an alias of a type built from the built-ins (Shape),
// or a merge expression over the values of a domain, with its bottom.
// Funcs are the functions the spec claims are monotone from the lattice
// to another one (a threshold returns lbool).
type LatticeDef struct {
	Name    string
	Doc     string
	Shape   *LatticeType // alias form; nil for the merge form
	Values  string       // merge form: int, bool, string or list (the generated values)
	Merge   Expr         // merge form: an expression over A and B
	Bottom  Expr         // merge form: the least element
	Funcs   []*LatticeFunc
	Pos     Pos
	File    string
	Builtin bool
}

// LatticeFunc is a function declared on a user lattice: Expr over X (the
// lattice value) and, when Params is 2, N (a plain argument), claimed
// monotone into Returns.
type LatticeFunc struct {
	Name    string
	Lattice string
	Params  int
	Expr    Expr
	Returns *LatticeType
	Pos     Pos
}

// LatticeValueDomains are the domains a merge-form lattice draws its
// generated values from.
var LatticeValueDomains = []string{"int", "bool", "string", "list"}

// String renders the definition for the canonical dump.
func (d *LatticeDef) String() string {
	var b strings.Builder
	if d.Shape != nil {
		b.WriteString(d.Shape.String())
	} else {
		fmt.Fprintf(&b, "values %s merge %s bottom %s", d.Values, d.Merge, d.Bottom)
	}
	for _, f := range d.Funcs {
		fmt.Fprintf(&b, "; %s/%d = %s -> %s", f.Name, f.Params, f.Expr, f.Returns)
	}
	return b.String()
}

// LatticeFuncKind says how a built-in lattice function reads its lattice
// argument.
type LatticeFuncKind int

// The kinds of lattice functions.
const (
	Monotone  LatticeFuncKind = iota // the result grows with the argument
	Morphism                         // monotone and distributes over merge
	Threshold                        // lbool: once true, always true
	Reveal                           // the raw value: not monotone
)

// LatticeBuiltin describes a built-in lattice function of the rule
// language.
type LatticeBuiltin struct {
	Name  string
	Arity int
	Kind  LatticeFuncKind
	Doc   string
}

// LatticeBuiltins are the functions of the rule language over lattice
// values.
var LatticeBuiltins = []LatticeBuiltin{
	{"size", 1, Monotone, "size(S): the number of elements of an lset, an lmax"},
	{"contains", 2, Threshold, "contains(S, X): whether the lset S holds X, an lbool"},
	{"at", 2, Morphism, "at(M, K): the value of key K in the lmap M (its bottom if absent)"},
	{"fst", 1, Morphism, "fst(P): the first element of an lpair or ldompair"},
	{"snd", 1, Morphism, "snd(P): the second element of an lpair"},
	{"gt", 2, Threshold, "gt(X, N): the lmax X is greater than the integer N, an lbool"},
	{"ge", 2, Threshold, "ge(X, N): the lmax X is at least N, an lbool"},
	{"lt", 2, Threshold, "lt(X, N): the lmin X is less than N, an lbool"},
	{"le", 2, Threshold, "le(X, N): the lmin X is at most N, an lbool"},
	{"when_true", 1, Threshold, "when_true(B): the lbool B is true (a test)"},
	{"reveal", 1, Reveal, "reveal(L): the raw value of a lattice: not monotone, a point of order"},
}

// LookupLatticeBuiltin returns the built-in lattice function named name.
func LookupLatticeBuiltin(name string) (LatticeBuiltin, bool) {
	for _, b := range LatticeBuiltins {
		if b.Name == name {
			return b, true
		}
	}
	return LatticeBuiltin{}, false
}

// TestLit is a threshold test standing alone in a body: when_true(B),
// ge(X, N), contains(S, X), ...: it holds when the lbool is true.
type TestLit struct {
	Call *CallExpr
}

// Pos returns the position of the call.
func (l *TestLit) Pos() Pos       { return l.Call.P }
func (l *TestLit) String() string { return l.Call.String() }
func (*TestLit) litNode()         {}

// IsLattice reports whether the declaration has lattice-typed columns.
func (d *Decl) IsLattice() bool {
	if d.Lattice {
		return true
	}
	for _, c := range d.Val {
		if c.Type != nil {
			return true
		}
	}
	return false
}

// ColumnType returns the lattice type of column i (nil: a plain column).
func (d *Decl) ColumnType(i int) *LatticeType { return d.Column(i).Type }

// Reveals reports whether the rule reads the lattice value of body atom a
// through reveal (or a function not known to be monotone).
func (r *Rule) Reveals(a *AtomLit) bool { return r.Revealed[a] }

// RuleTypes are the lattice types of a rule's variables (variables not in
// the map are plain).
type RuleTypes map[string]*LatticeType

// ExprType returns the lattice type of e in rule r of the program (nil: a
// plain value).
func (p *Program) ExprType(r *Rule, e Expr) *LatticeType {
	t, _ := p.typer(r).typeOf(e)
	return t
}

// Lattice returns the user lattice named name that the program uses.
func (p *Program) Lattice(name string) *LatticeDef { return p.Lattices[name] }

// ResolveLattice returns t with user alias lattices replaced by their
// shapes (a merge-form lattice stays as its name).
func (p *Program) ResolveLattice(t *LatticeType) *LatticeType {
	return resolveLattice(p.Lattices, t, 0)
}

func resolveLattice(defs map[string]*LatticeDef, t *LatticeType, depth int) *LatticeType {
	if t == nil || depth > 32 {
		return t
	}
	if d := defs[t.Name]; d != nil && d.Shape != nil {
		return resolveLattice(defs, d.Shape, depth+1)
	}
	if len(t.Args) == 0 {
		return t
	}
	cp := *t
	cp.Args = make([]*LatticeType, len(t.Args))
	for i, a := range t.Args {
		cp.Args[i] = resolveLattice(defs, a, depth+1)
	}
	return &cp
}

type typer struct {
	p    *Program
	r    *Rule
	vars RuleTypes
}

func (p *Program) typer(r *Rule) *typer {
	return &typer{p: p, r: r, vars: p.ruleTypes[r]}
}

func (ty *typer) same(a, b *LatticeType) bool {
	return ty.p.ResolveLattice(a).String() == ty.p.ResolveLattice(b).String()
}

func (ty *typer) is(t *LatticeType, name string) bool {
	t = ty.p.ResolveLattice(t)
	return t != nil && t.Name == name
}

var lboolType = &LatticeType{Name: "lbool"}
var lmaxType = &LatticeType{Name: "lmax"}

// typeOf infers the lattice type of e, or reports a misuse of a lattice
// value.
func (ty *typer) typeOf(e Expr) (*LatticeType, *Diagnostic) {
	switch e := e.(type) {
	case *Var:
		return ty.vars[e.Name], nil
	case *CallExpr:
		if lb, ok := LookupLatticeBuiltin(e.Func); ok {
			return ty.latticeCall(e, lb)
		}
		if f := ty.p.latticeFunc(e.Func); f != nil {
			at, d := ty.typeOf(e.Args[0])
			if d != nil {
				return nil, d
			}
			if !ty.same(at, &LatticeType{Name: f.Lattice}) {
				return nil, ty.errAt(e.Args[0].Pos(), "%s takes a %s value, found %s", f.Name, f.Lattice, describeType(at, e.Args[0]))
			}
			for _, x := range e.Args[1:] {
				if d := ty.plain(x); d != nil {
					return nil, d
				}
			}
			return f.Returns, nil
		}
	}
	// Everything else computes on plain values.
	var d *Diagnostic
	walkSubexprs(e, func(x Expr) {
		if d == nil {
			d = ty.plain(x)
		}
	})
	return nil, d
}

// plain checks that e is a plain value.
func (ty *typer) plain(e Expr) *Diagnostic {
	t, d := ty.typeOf(e)
	if d != nil {
		return d
	}
	if t != nil {
		return ty.errAt(e.Pos(), "%s is a lattice value (%s) used as a plain value: read it through a monotone function (size, at, contains, fst, snd, a threshold) or write reveal(%s), which is a point of order", e, t, e)
	}
	return nil
}

func describeType(t *LatticeType, e Expr) string {
	if t == nil {
		return "the plain value " + e.String()
	}
	return e.String() + " of type " + t.String()
}

func (ty *typer) errAt(pos Pos, format string, args ...any) *Diagnostic {
	return &Diagnostic{Pos: pos, Severity: Error, Check: "lattice-type", Message: fmt.Sprintf(format, args...)}
}

func (ty *typer) latticeCall(e *CallExpr, lb LatticeBuiltin) (*LatticeType, *Diagnostic) {
	arg0, d := ty.typeOf(e.Args[0])
	if d != nil {
		return nil, d
	}
	want := func(name string) *Diagnostic {
		if !ty.is(arg0, name) {
			return ty.errAt(e.Args[0].Pos(), "%s takes an %s, found %s", e.Func, name, describeType(arg0, e.Args[0]))
		}
		return nil
	}
	rest := func() *Diagnostic {
		for _, x := range e.Args[1:] {
			if d := ty.plain(x); d != nil {
				return d
			}
		}
		return nil
	}
	var out *LatticeType
	switch e.Func {
	case "size":
		d, out = want("lset"), lmaxType
	case "contains":
		d, out = want("lset"), lboolType
	case "at":
		if d = want("lmap"); d == nil {
			out = ty.p.ResolveLattice(arg0).Args[0]
		}
	case "fst":
		if r := ty.p.ResolveLattice(arg0); r != nil && (r.Name == "lpair" || r.Name == "ldompair") {
			out = r.Args[0]
		} else {
			d = want("lpair or ldompair")
		}
	case "snd":
		if d = want("lpair"); d == nil {
			out = ty.p.ResolveLattice(arg0).Args[1]
		}
	case "gt", "ge":
		d, out = want("lmax"), lboolType
	case "lt", "le":
		d, out = want("lmin"), lboolType
	case "when_true":
		d, out = want("lbool"), lboolType
	case "reveal":
		if arg0 == nil {
			d = ty.errAt(e.Args[0].Pos(), "reveal takes a lattice value, found %s", describeType(arg0, e.Args[0]))
		}
	}
	if d == nil {
		d = rest()
	}
	return out, d
}

// walkSubexprs calls f on the direct subterms of e.
func walkSubexprs(e Expr, f func(Expr)) {
	switch e := e.(type) {
	case *ListExpr:
		for _, x := range e.Elems {
			f(x)
		}
	case *BinaryExpr:
		f(e.X)
		f(e.Y)
	case *UnaryExpr:
		f(e.X)
	case *CallExpr:
		for _, x := range e.Args {
			f(x)
		}
	case *AggExpr:
		if e.Arg != nil {
			f(e.Arg)
		}
	}
}

func (p *Program) latticeFunc(name string) *LatticeFunc {
	for _, n := range p.latticeNames {
		for _, f := range p.Lattices[n].Funcs {
			if f.Name == name {
				return f
			}
		}
	}
	return nil
}

// checkLatticeTypes resolves the lattice types of the program's columns
// against the library's lattices and records the user lattices the
// program uses.
func (c *composer) checkLatticeTypes() {
	p := c.prog
	if p.Lattices == nil {
		p.Lattices = map[string]*LatticeDef{}
	}
	var use func(t *LatticeType, depth int)
	use = func(t *LatticeType, depth int) {
		if t == nil || depth > 32 {
			return
		}
		if _, ok := BuiltinLattices[t.Name]; !ok {
			d := c.lib.Lattices[t.Name]
			if d == nil {
				c.diags.errorf("unknown-lattice", t.Pos, "unknown lattice %s (built-ins: lmax, lmin, lbool, lset, lmap<K, L>, lpair<L1, L2>, ldompair<L1, L2>; or declare it under lattices:)", t.Name)
				return
			}
			if p.Lattices[t.Name] == nil {
				p.Lattices[t.Name] = d
				p.latticeNames = append(p.latticeNames, t.Name)
				use(d.Shape, depth+1)
				for _, f := range d.Funcs {
					use(f.Returns, depth+1)
				}
			}
		}
		for _, a := range t.Args {
			use(a, depth+1)
		}
		if t.Name == "ldompair" && len(t.Args) == 2 {
			if k := resolveLattice(c.lib.Lattices, t.Args[0], 0); k != nil && k.Name != "lmax" && k.Name != "lmin" && k.Name != "lbool" {
				c.diags.errorf("lattice-type", t.Args[0].Pos, "ldompair<%s, ...> is not a lattice: its first lattice must be totally ordered (lmax, lmin or lbool), else merge is not associative (as Hydro's DomPair documents)", t.Args[0])
			}
		}
	}
	for _, d := range p.Collections {
		for i := range d.Val { // key columns are never typed (the parser says so)
			if t := d.Val[i].Type; t != nil {
				p.hasLattice = true
				use(t, 0)
			}
		}
	}
	// Functions of user lattices called by rules: their lattices too.
	for _, name := range c.lib.latticeOrder {
		def := c.lib.Lattices[name]
		if p.Lattices[name] != nil {
			continue
		}
		for _, f := range def.Funcs {
			if c.usesFunc(f.Name) {
				use(&LatticeType{Name: name, Pos: f.Pos}, 0)
				break
			}
		}
	}
	sort.Strings(p.latticeNames)
}

func (c *composer) usesFunc(name string) bool {
	found := false
	for _, r := range c.prog.Rules {
		visitCalls(r, func(e *CallExpr) {
			if e.Func == name {
				found = true
			}
		})
		if found {
			return true
		}
	}
	return false
}

// visitCalls calls f on every call in r.
func visitCalls(r *Rule, f func(*CallExpr)) {
	var walk func(e Expr)
	walk = func(e Expr) {
		if ce, ok := e.(*CallExpr); ok {
			f(ce)
		}
		walkSubexprs(e, walk)
	}
	for _, a := range r.Head.Args {
		walk(a)
	}
	for _, l := range r.Body {
		switch l := l.(type) {
		case *AtomLit:
			for _, a := range l.Args {
				walk(a)
			}
		case *CmpLit:
			walk(l.X)
			walk(l.Y)
		case *BindLit:
			walk(l.X)
		case *TestLit:
			walk(l.Call)
		}
	}
}

// checkLatticeRule type-checks a rule's use of lattice values (body atoms
// over lattice collections bind lattice variables; a lattice variable may
// only reach a lattice column of its type, a lattice function, or
// reveal). It returns the rule to keep (a copy when the rule reveals a
// lattice), or nil on an error.
func (c *composer) checkLatticeRule(r *Rule) *Rule {
	p := c.prog
	uses := false
	for _, l := range r.Body {
		switch l := l.(type) {
		case *AtomLit:
			if p.hasLattice {
				if d := p.byName[l.Pred]; d != nil && d.IsLattice() {
					uses = true
				}
			}
		case *TestLit:
			uses = true
		}
	}
	if hd := p.byName[r.Head.Pred]; p.hasLattice && hd != nil && hd.IsLattice() {
		uses = true
	}
	if !uses {
		visitCalls(r, func(e *CallExpr) {
			if _, ok := LookupLatticeBuiltin(e.Func); ok || p.latticeFunc(e.Func) != nil {
				uses = true
			}
		})
	}
	if !uses {
		return r // no lattice here: nothing to check (the common case)
	}
	ok := true
	fail := func(d *Diagnostic) {
		if d != nil {
			c.diags.ds = append(c.diags.ds, *d)
			ok = false
		}
	}
	vars := RuleTypes{}
	source := map[string][]*AtomLit{} // a lattice variable's source atoms
	ty := &typer{p: p, r: r, vars: vars}
	seen := map[string]bool{}
	for a := range r.Atoms() {
		d := p.byName[a.Pred]
		if d == nil {
			continue
		}
		for i, arg := range a.Args {
			t := d.ColumnType(i)
			if t == nil {
				continue
			}
			v, isVar := arg.(*Var)
			switch {
			case !isVar:
				fail(ty.errAt(arg.Pos(), "column %s of %s holds a lattice (%s): match it with a variable or _, not %s (comparing a lattice value is not monotone: use a threshold)", d.Columns()[i].Name, d.Name, t, arg))
			case v.Wildcard():
			case a.Negated:
				fail(ty.errAt(arg.Pos(), "column %s of %s holds a lattice (%s): under notin write _", d.Columns()[i].Name, d.Name, t))
			case seen[v.Name]:
				fail(ty.errAt(arg.Pos(), "lattice variable %s is matched twice: joining on a lattice value is not monotone; compare through a threshold", v.Name))
			default:
				seen[v.Name] = true
				vars[v.Name] = t
				source[v.Name] = append(source[v.Name], a)
			}
		}
	}
	// A lattice variable must not also stand in a plain column.
	for a := range r.Atoms() {
		d := p.byName[a.Pred]
		if d == nil {
			continue
		}
		for i, arg := range a.Args {
			if d.ColumnType(i) != nil {
				continue
			}
			WalkVars(arg, func(v *Var) {
				if vars[v.Name] != nil {
					fail(ty.errAt(v.P, "lattice variable %s stands in the plain column %s of %s: joining on a lattice value is not monotone", v.Name, d.Columns()[i].Name, d.Name))
				}
			})
		}
	}
	// Bindings, to a fixpoint: a binding of a lattice-typed term binds a
	// lattice variable; its sources are those of the term's variables.
	for changed := true; changed; {
		changed = false
		for _, l := range r.Body {
			b, isBind := l.(*BindLit)
			if !isBind || vars[b.Var.Name] != nil {
				continue
			}
			t, d := ty.typeOf(b.X)
			if d == nil && t != nil {
				vars[b.Var.Name] = t
				WalkVars(b.X, func(v *Var) { source[b.Var.Name] = append(source[b.Var.Name], source[v.Name]...) })
				changed = true
			}
		}
	}
	revealed := map[*AtomLit]bool{}
	markReveal := func(e Expr) {
		var walk func(e Expr)
		walk = func(e Expr) {
			if ce, ok := e.(*CallExpr); ok {
				lb, isLB := LookupLatticeBuiltin(ce.Func)
				if isLB && lb.Kind == Reveal {
					WalkVars(ce, func(v *Var) {
						for _, a := range source[v.Name] {
							revealed[a] = true
						}
					})
				}
			}
			walkSubexprs(e, walk)
		}
		walk(e)
	}
	for _, l := range r.Body {
		switch l := l.(type) {
		case *CmpLit:
			fail(ty.plain(l.X))
			fail(ty.plain(l.Y))
			markReveal(l.X)
			markReveal(l.Y)
		case *BindLit:
			_, d := ty.typeOf(l.X)
			fail(d)
			markReveal(l.X)
		case *TestLit:
			t, d := ty.typeOf(l.Call)
			fail(d)
			if d == nil && !ty.is(t, "lbool") {
				fail(ty.errAt(l.Call.P, "%s is not a threshold test: a body test must be an lbool (when_true, ge, gt, le, lt, contains)", l.Call))
			}
			markReveal(l.Call)
		case *AtomLit:
			d := p.byName[l.Pred]
			for i, arg := range l.Args {
				if d != nil && d.ColumnType(i) != nil {
					continue
				}
				if v, isVar := arg.(*Var); isVar && vars[v.Name] != nil {
					continue // reported above
				}
				fail(ty.plain(arg))
				markReveal(arg)
			}
		}
	}
	if hd := p.byName[r.Head.Pred]; hd != nil {
		for i, arg := range r.Head.Args {
			markReveal(arg)
			want := hd.ColumnType(i)
			if ag, isAgg := arg.(*AggExpr); isAgg {
				if ag.Arg != nil {
					fail(ty.plain(ag.Arg))
				}
				if want != nil {
					fail(ty.errAt(ag.P, "column %s of %s holds a lattice (%s): an aggregate cannot write it; merge into it instead", hd.Columns()[i].Name, hd.Name, want))
				}
				continue
			}
			got, d := ty.typeOf(arg)
			if d != nil {
				fail(d)
				continue
			}
			switch {
			case want == nil && got != nil:
				fail(ty.errAt(arg.Pos(), "%s is a lattice value (%s) but column %s of %s is plain: declare the column %s: %s, or write reveal(%s), which is a point of order", arg, got, hd.Columns()[i].Name, hd.Name, hd.Columns()[i].Name, got, arg))
			case want != nil && got != nil && !ty.same(want, got):
				fail(ty.errAt(arg.Pos(), "column %s of %s holds %s, found %s of type %s", hd.Columns()[i].Name, hd.Name, want, arg, got))
			}
		}
	}
	if !ok {
		return nil
	}
	if p.ruleTypes == nil {
		p.ruleTypes = map[*Rule]RuleTypes{}
	}
	if len(revealed) > 0 {
		cp := *r
		cp.Revealed = revealed
		r = &cp
	}
	p.ruleTypes[r] = vars
	return r
}

// copyLatticeInfo carries the lattice facts of rule r of an imported unit
// over to its qualified copy cp: the variable types, the revealed atoms
// (the copy's own atoms) and the user lattices.
func (c *composer) copyLatticeInfo(unit *Program, r, cp *Rule) {
	p := c.prog
	for name, d := range unit.Lattices {
		if p.Lattices == nil {
			p.Lattices = map[string]*LatticeDef{}
		}
		if p.Lattices[name] == nil {
			p.Lattices[name] = d
			p.latticeNames = append(p.latticeNames, name)
			sort.Strings(p.latticeNames)
		}
	}
	if vars, ok := unit.ruleTypes[r]; ok {
		if p.ruleTypes == nil {
			p.ruleTypes = map[*Rule]RuleTypes{}
		}
		p.ruleTypes[cp] = vars
	}
	if r.Revealed != nil {
		cp.Revealed = map[*AtomLit]bool{}
		for i, l := range r.Body {
			if a, ok := l.(*AtomLit); ok && r.Revealed[a] {
				cp.Revealed[cp.Body[i].(*AtomLit)] = true
			}
		}
	}
}
