package executor

import (
	"fmt"
	"sort"
	"sync"

	"github.com/calmcheck/calmcheck/lattice"
	"github.com/calmcheck/calmcheck/modules"
)

// Program is a composed program compiled for execution: its collections,
// its instantaneous rules by stratum with their join plans, its temporal
// rules, and its constants. A Program is immutable once compiled: any
// number of runs may use it at the same time.
type Program struct {
	src       *modules.Program
	colls     []*collection
	byName    map[string]int
	rules     []*crule   // every rule, by index (provenance)
	strata    []*stratum // instantaneous rules, lowest stratum first
	temporal  []*crule   // <+ <- <+- <~, in program order
	consts    *symtab
	periodics []int // periodic collections
	maxEvery  int64
	slots     int // the most variable slots of any rule
	scratch   int // words of scratch space the plans need
	latOnce   sync.Once
	lat       *lattice.Env // the lattices' meaning (latticeEnv)
}

type collection struct {
	decl    *modules.Decl
	lat     []*modules.LatticeType // the lattice type of each column (nil: no lattice columns)
	id      int
	name    string
	kind    modules.Kind
	arity   int
	key     []int
	addr    int // the @ column of a channel
	joins   [][]int
	stratum int
}

type stratum struct {
	rules   []*crule
	growing []int // collections written by the stratum's rules
}

// crule is a compiled rule.
type crule struct {
	idx      int
	rule     *modules.Rule
	op       modules.Op
	head     int
	terms    []*term // head terms; nil where an aggregate stands
	aggs     []aggSpec
	full     *plan
	deltas   []*plan // one per positive body atom over a growing collection
	atoms    []int   // collections of the positive body atoms (emptiness check)
	headBuf  int     // scratch offset of the head tuple
	groupBuf int     // scratch offset of the grouping values
}

type aggSpec struct {
	pos  int // head column
	kind string
	arg  *term // nil for count<>
}

// Name returns the program's name.
func (p *Program) Name() string { return p.src.Name }

// Source returns the composed program this was compiled from.
func (p *Program) Source() *modules.Program { return p.src }

// Compile compiles a composed program for execution. It refuses programs
// that cannot be stratified (the error names the cycle), periodic
// collections with more than two columns, and rule bodies no join order
// can evaluate.
func Compile(mp *modules.Program) (*Program, modules.Diagnostics) {
	p := &Program{src: mp, byName: map[string]int{}}
	var ds modules.Diagnostics
	for i, d := range mp.Collections {
		c := &collection{decl: d, id: i, name: d.Name, kind: d.Kind, arity: d.Arity(), addr: d.AddrIndex(), lat: latticeOf(d)}
		for k := range d.Key {
			c.key = append(c.key, k)
		}
		if len(d.Val) == 0 {
			c.key = allCols(c.arity)
		}
		p.colls = append(p.colls, c)
		p.byName[d.Name] = i
		if d.Kind == modules.Periodic {
			if c.arity > 2 {
				ds = append(ds, modules.Diagnostic{Pos: d.NamePos, Severity: modules.Error, Check: "periodic",
					Message: fmt.Sprintf("periodic %s has %d columns; the executor fills at most two (the firing number and the timestep): declare it as periodic %s(id) => (time) every %d", d.Name, c.arity, d.Name, d.Every)})
			}
			p.periodics = append(p.periodics, i)
			if d.Every > p.maxEvery {
				p.maxEvery = d.Every
			}
		}
	}
	strata, sds := stratify(mp)
	ds = append(ds, sds...)
	if ds.HasErrors() {
		return nil, ds
	}
	for i, c := range p.colls {
		c.stratum = strata[i]
	}
	cp := &compiler{prog: p, in: newInterner(nil, 0)}
	nstrata := 0
	for _, s := range strata {
		if s+1 > nstrata {
			nstrata = s + 1
		}
	}
	p.strata = make([]*stratum, nstrata)
	for i := range p.strata {
		p.strata[i] = &stratum{}
	}
	growing := make([]map[int]bool, nstrata)
	for i := range growing {
		growing[i] = map[int]bool{}
	}
	for _, r := range mp.Rules {
		if r.Op == modules.OpMerge {
			h := p.byName[r.Head.Pred]
			growing[strata[h]][h] = true
		}
	}
	for i, g := range growing {
		for c := range g {
			p.strata[i].growing = append(p.strata[i].growing, c)
		}
		sort.Ints(p.strata[i].growing)
	}
	for i, r := range mp.Rules {
		cr, err := cp.rule(i, r, growing)
		if err != nil {
			ds = append(ds, *err)
			continue
		}
		p.rules = append(p.rules, cr)
		if r.Op == modules.OpMerge {
			s := p.strata[strata[cr.head]]
			s.rules = append(s.rules, cr)
		} else {
			p.temporal = append(p.temporal, cr)
		}
	}
	if ds.HasErrors() {
		return nil, ds
	}
	p.consts = cp.in.freeze()
	p.scratch = cp.scratch
	return p, ds
}

func allCols(n int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = i
	}
	return c
}

// ---------------------------------------------------------------------------
// Terms.

type termKind uint8

const (
	tConst termKind = iota
	tVar
	tList
	tArith
	tNeg
	tCall
)

type term struct {
	kind termKind
	v    V
	slot int
	op   byte // + - * / for tArith
	fn   string
	call builtinFunc
	args []*term
	pos  modules.Pos
	buf  int // scratch offset for list elements and call arguments
}

// ---------------------------------------------------------------------------
// Plans.

type opKind uint8

const (
	opScan   opKind = iota // every tuple of a relation (or its delta)
	opLookup               // the tuples of a relation matching bound columns
	opNotin                // no tuple matches
	opFilter               // a comparison
	opBind                 // a variable := a term
	opCheck                // a bound variable == a term
)

type op struct {
	kind  opKind
	rel   int
	ix    int     // index number (opLookup, opNotin with keys)
	keys  []*term // values of the index columns, in the index's column order
	kbuf  int     // scratch offset where key values go
	cols  []colm  // column checks and bindings after a candidate is found
	delta bool
	cmp   string
	x, y  *term
	slot  int
	lit   modules.Literal
}

type colKind uint8

const (
	cKey     colKind = iota // equal to key value number k (hash collision check)
	cConst                  // equal to a constant
	cBind                   // bind a slot
	cCheck                  // equal to a slot bound earlier in this atom
	cExpr                   // equal to a computed term
	cPattern                // a list of len(pat) whose elements match
	cIgnore                 // _
)

type colm struct {
	kind colKind
	col  int
	k    int
	v    V
	slot int
	t    *term
	pat  []colm
}

type plan struct {
	ops     []op
	deltaOp int // the op that reads the delta, -1 for none
	deltaC  int // its collection
}

type compiler struct {
	prog    *Program
	cur     *modules.Rule // the rule being compiled
	in      *interner
	scratch int
}

func (cp *compiler) alloc(n int) int {
	off := cp.scratch
	cp.scratch += n
	return off
}

type planErr = *modules.Diagnostic

func (cp *compiler) rule(idx int, r *modules.Rule, growing []map[int]bool) (*crule, planErr) {
	p := cp.prog
	cp.cur = r
	cr := &crule{idx: idx, rule: r, op: r.Op, head: p.byName[r.Head.Pred]}
	var growingHere map[int]bool
	if r.Op == modules.OpMerge {
		growingHere = growing[p.colls[cr.head].stratum]
	}
	for _, l := range r.Body {
		if a, ok := l.(*modules.AtomLit); ok && !a.Negated {
			cr.atoms = append(cr.atoms, p.byName[a.Pred])
		}
	}
	slots := ruleSlots(r)
	full, err := cp.plan(r, -1, slots)
	if err != nil {
		return nil, err
	}
	cr.full = full
	if !r.HasAggregate() {
		for i, l := range r.Body {
			a, ok := l.(*modules.AtomLit)
			if !ok || a.Negated || !growingHere[p.byName[a.Pred]] {
				continue
			}
			dp, err := cp.plan(r, i, slots)
			if err != nil {
				return nil, err
			}
			cr.deltas = append(cr.deltas, dp)
		}
	}
	// Head.
	for i, a := range r.Head.Args {
		if ag, ok := a.(*modules.AggExpr); ok {
			spec := aggSpec{pos: i, kind: ag.Agg}
			if ag.Arg != nil {
				t, err := cp.term(ag.Arg, slots)
				if err != nil {
					return nil, err
				}
				spec.arg = t
			}
			cr.aggs = append(cr.aggs, spec)
			cr.terms = append(cr.terms, nil)
			continue
		}
		t, err := cp.term(a, slots)
		if err != nil {
			return nil, err
		}
		cr.terms = append(cr.terms, t)
	}
	cr.headBuf = cp.alloc(len(cr.terms))
	cr.groupBuf = cp.alloc(len(cr.terms))
	if n := len(slots); n > p.slots {
		p.slots = n
	}
	return cr, nil
}

// plan orders the body of r: the delta atom (body index delta, or -1)
// first when it can be, then greedily the positive atom with the most
// bound columns (ties: body order); comparisons, bindings and negated atoms
// as soon as their variables are bound.
func (cp *compiler) plan(r *modules.Rule, delta int, slots map[string]int) (*plan, planErr) {
	p := cp.prog
	bound := map[string]bool{}
	pl := &plan{deltaOp: -1}
	done := make([]bool, len(r.Body))
	remaining := len(r.Body)
	for remaining > 0 {
		progress := false
		// Non-atom literals and negations as soon as they can run.
		for i, l := range r.Body {
			if done[i] {
				continue
			}
			switch l := l.(type) {
			case *modules.CmpLit:
				if varsBound(l.X, bound) && varsBound(l.Y, bound) {
					x, err := cp.term(l.X, slots)
					if err != nil {
						return nil, err
					}
					y, err := cp.term(l.Y, slots)
					if err != nil {
						return nil, err
					}
					pl.ops = append(pl.ops, op{kind: opFilter, cmp: l.Op, x: x, y: y, lit: l})
					done[i], progress = true, true
					remaining--
				}
			case *modules.TestLit:
				// A threshold test: the lbool it computes is true.
				if varsBound(l.Call, bound) {
					x, err := cp.term(l.Call, slots)
					if err != nil {
						return nil, err
					}
					y := &term{kind: tConst, v: vbool(true), pos: l.Call.P}
					pl.ops = append(pl.ops, op{kind: opFilter, cmp: "==", x: x, y: y, lit: l})
					done[i], progress = true, true
					remaining--
				}
			case *modules.BindLit:
				if varsBound(l.X, bound) {
					x, err := cp.term(l.X, slots)
					if err != nil {
						return nil, err
					}
					if bound[l.Var.Name] {
						pl.ops = append(pl.ops, op{kind: opCheck, slot: slots[l.Var.Name], x: x, lit: l})
					} else {
						s := slotOf(slots, l.Var.Name)
						bound[l.Var.Name] = true
						pl.ops = append(pl.ops, op{kind: opBind, slot: s, x: x, lit: l})
					}
					done[i], progress = true, true
					remaining--
				}
			case *modules.AtomLit:
				if l.Negated && atomVarsBound(&l.Atom, bound) {
					o, err := cp.atomOp(&l.Atom, slots, bound, true)
					if err != nil {
						return nil, err
					}
					o.lit = l
					pl.ops = append(pl.ops, o)
					done[i], progress = true, true
					remaining--
				}
			}
		}
		if remaining == 0 {
			break
		}
		// The next positive atom.
		best, bestScore := -1, -1
		for i, l := range r.Body {
			a, ok := l.(*modules.AtomLit)
			if done[i] || !ok || a.Negated || !atomEligible(&a.Atom, bound) {
				continue
			}
			score := boundCols(&a.Atom, bound)
			if i == delta {
				score = 1 << 30
			}
			if score > bestScore {
				best, bestScore = i, score
			}
		}
		if best < 0 {
			if progress {
				continue
			}
			for i, l := range r.Body {
				if !done[i] {
					return nil, &modules.Diagnostic{Pos: l.Pos(), Severity: modules.Error, Check: "plan",
						Message: fmt.Sprintf("cannot evaluate %s in rule %q: its variables are not bound by any order of the body's atoms (computed terms that depend on each other?)", l, r.Text)}
				}
			}
		}
		a := r.Body[best].(*modules.AtomLit)
		o, err := cp.atomOp(&a.Atom, slots, bound, false)
		if err != nil {
			return nil, err
		}
		o.lit = a
		if best == delta {
			o.delta = true
			pl.deltaOp = len(pl.ops)
			pl.deltaC = p.byName[a.Pred]
		}
		pl.ops = append(pl.ops, o)
		done[best] = true
		remaining--
	}
	return pl, nil
}

// ruleSlots numbers the variables of a rule (wildcards excluded), in order
// of appearance; every plan of the rule and its head share the numbering.
func ruleSlots(r *modules.Rule) map[string]int {
	slots := map[string]int{}
	add := func(v *modules.Var) {
		if !v.Wildcard() {
			slotOf(slots, v.Name)
		}
	}
	for _, l := range r.Body {
		switch l := l.(type) {
		case *modules.AtomLit:
			for _, a := range l.Args {
				modules.WalkVars(a, add)
			}
		case *modules.CmpLit:
			modules.WalkVars(l.X, add)
			modules.WalkVars(l.Y, add)
		case *modules.BindLit:
			add(l.Var)
			modules.WalkVars(l.X, add)
		case *modules.TestLit:
			modules.WalkVars(l.Call, add)
		}
	}
	for _, a := range r.Head.Args {
		modules.WalkVars(a, add)
	}
	return slots
}

func slotOf(slots map[string]int, name string) int {
	if s, ok := slots[name]; ok {
		return s
	}
	s := len(slots)
	slots[name] = s
	return s
}

// varsBound reports whether every variable of e is bound (wildcards fail).
func varsBound(e modules.Expr, bound map[string]bool) bool {
	ok := true
	modules.WalkVars(e, func(v *modules.Var) {
		if v.Wildcard() || !bound[v.Name] {
			ok = false
		}
	})
	return ok
}

// isPattern reports whether e, as an argument of a body atom, binds
// variables: a variable, _, or a list containing one.
func isComputed(e modules.Expr) bool {
	switch e.(type) {
	case *modules.BinaryExpr, *modules.UnaryExpr, *modules.CallExpr:
		return true
	}
	return false
}

// atomVarsBound: every non-wildcard variable of a (negated) atom is bound.
func atomVarsBound(a *modules.Atom, bound map[string]bool) bool {
	ok := true
	for _, arg := range a.Args {
		modules.WalkVars(arg, func(v *modules.Var) {
			if !v.Wildcard() && !bound[v.Name] {
				ok = false
			}
		})
	}
	return ok
}

// atomEligible: the computed terms of a can be evaluated once the atom's
// own variables are bound.
func atomEligible(a *modules.Atom, bound map[string]bool) bool {
	local := map[string]bool{}
	for k := range bound {
		local[k] = true
	}
	var bindPat func(e modules.Expr)
	bindPat = func(e modules.Expr) {
		switch e := e.(type) {
		case *modules.Var:
			if !e.Wildcard() {
				local[e.Name] = true
			}
		case *modules.ListExpr:
			for _, x := range e.Elems {
				bindPat(x)
			}
		}
	}
	for _, arg := range a.Args {
		bindPat(arg)
	}
	ok := true
	var check func(e modules.Expr)
	check = func(e modules.Expr) {
		if isComputed(e) {
			if !varsBound(e, local) {
				ok = false
			}
			return
		}
		if l, isList := e.(*modules.ListExpr); isList {
			for _, x := range l.Elems {
				check(x)
			}
		}
	}
	for _, arg := range a.Args {
		check(arg)
	}
	return ok
}

// boundCols counts the columns of a whose value is known before the atom
// is matched.
func boundCols(a *modules.Atom, bound map[string]bool) int {
	n := 0
	for _, arg := range a.Args {
		if keyable(arg, bound) {
			n++
		}
	}
	return n
}

// keyable: the argument's value is known before matching (a constant, a
// bound variable, a computed term or a list of those).
func keyable(e modules.Expr, bound map[string]bool) bool {
	switch e := e.(type) {
	case *modules.Var:
		return !e.Wildcard() && bound[e.Name]
	case *modules.ListExpr:
		for _, x := range e.Elems {
			if !keyable(x, bound) {
				return false
			}
		}
		return true
	case *modules.AggExpr:
		return false
	}
	return varsBound(e, bound)
}

// atomOp compiles a body atom: the bound columns become the lookup key,
// the others bindings, checks and list patterns. It marks the variables
// the atom binds (not for a negated atom, whose variables are all bound).
func (cp *compiler) atomOp(a *modules.Atom, slots map[string]int, bound map[string]bool, negated bool) (op, planErr) {
	p := cp.prog
	c := p.colls[p.byName[a.Pred]]
	o := op{kind: opLookup, rel: c.id}
	if negated {
		o.kind = opNotin
	}
	var keyCols []int
	var keyTerms []*term
	for i, arg := range a.Args {
		if keyable(arg, bound) {
			t, err := cp.term(arg, slots)
			if err != nil {
				return o, err
			}
			keyCols = append(keyCols, i)
			keyTerms = append(keyTerms, t)
		}
	}
	// Column matching: first the non-computed columns in order (binding),
	// then the computed ones (which may use what this atom binds).
	var post []modules.Expr
	var postCol []int
	keyAt := map[int]int{}
	for k, col := range keyCols {
		keyAt[col] = k
	}
	for i, arg := range a.Args {
		if k, ok := keyAt[i]; ok {
			o.cols = append(o.cols, colm{kind: cKey, col: i, k: k})
			continue
		}
		if hasComputed(arg) {
			post = append(post, arg)
			postCol = append(postCol, i)
			continue
		}
		m, err := cp.colMatch(arg, slots, bound)
		if err != nil {
			return o, err
		}
		m.col = i
		o.cols = append(o.cols, m)
	}
	for j, arg := range post {
		m, err := cp.colMatch(arg, slots, bound)
		if err != nil {
			return o, err
		}
		m.col = postCol[j]
		o.cols = append(o.cols, m)
	}
	if len(keyCols) == 0 {
		if !negated {
			o.kind = opScan
		}
		o.ix = -1
	} else {
		o.ix = cp.index(c, keyCols)
		// Order the key terms as the index's columns.
		o.keys = keyTerms
		o.kbuf = cp.alloc(len(keyTerms))
	}
	// Drop key checks that the index does not already guarantee... every
	// candidate is checked anyway (hash collisions), so keep them all.
	return o, nil
}

func hasComputed(e modules.Expr) bool {
	if isComputed(e) {
		return true
	}
	if l, ok := e.(*modules.ListExpr); ok {
		for _, x := range l.Elems {
			if hasComputed(x) {
				return true
			}
		}
	}
	return false
}

// colMatch compiles the match of one (non-key) argument.
func (cp *compiler) colMatch(e modules.Expr, slots map[string]int, bound map[string]bool) (colm, planErr) {
	switch e := e.(type) {
	case *modules.Var:
		if e.Wildcard() {
			return colm{kind: cIgnore}, nil
		}
		if bound[e.Name] {
			return colm{kind: cCheck, slot: slots[e.Name]}, nil
		}
		s := slotOf(slots, e.Name)
		bound[e.Name] = true
		return colm{kind: cBind, slot: s}, nil
	case *modules.IntLit, *modules.StrLit, *modules.BoolLit:
		t, err := cp.term(e, slots)
		if err != nil {
			return colm{}, err
		}
		return colm{kind: cConst, v: t.v}, nil
	case *modules.ListExpr:
		if keyable(e, bound) {
			t, err := cp.term(e, slots)
			if err != nil {
				return colm{}, err
			}
			if t.kind == tConst {
				return colm{kind: cConst, v: t.v}, nil
			}
			return colm{kind: cExpr, t: t}, nil
		}
		m := colm{kind: cPattern}
		for _, x := range e.Elems {
			sub, err := cp.colMatch(x, slots, bound)
			if err != nil {
				return colm{}, err
			}
			m.pat = append(m.pat, sub)
		}
		return m, nil
	}
	t, err := cp.term(e, slots)
	if err != nil {
		return colm{}, err
	}
	return colm{kind: cExpr, t: t}, nil
}

// index returns the number of c's index on cols (creating it).
func (cp *compiler) index(c *collection, cols []int) int {
	if sameInts(cols, c.key) {
		return 0
	}
	for i, j := range c.joins {
		if sameInts(j, cols) {
			return i + 1
		}
	}
	c.joins = append(c.joins, append([]int(nil), cols...))
	return len(c.joins)
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// term compiles an expression; constant subterms are folded where they
// are literals (lists of literals are interned once, at compile time).
func (cp *compiler) term(e modules.Expr, slots map[string]int) (*term, planErr) {
	switch e := e.(type) {
	case *modules.Var:
		s, ok := slots[e.Name]
		if !ok || e.Wildcard() {
			return nil, &modules.Diagnostic{Pos: e.P, Severity: modules.Error, Check: "plan", Message: fmt.Sprintf("variable %s is not bound here", e.Name)}
		}
		return &term{kind: tVar, slot: s, pos: e.P}, nil
	case *modules.IntLit:
		return &term{kind: tConst, v: cp.in.int(e.Value), pos: e.P}, nil
	case *modules.StrLit:
		return &term{kind: tConst, v: cp.in.str(e.Value), pos: e.P}, nil
	case *modules.BoolLit:
		return &term{kind: tConst, v: vbool(e.Value), pos: e.P}, nil
	case *modules.ListExpr:
		t := &term{kind: tList, pos: e.P}
		allConst := true
		for _, x := range e.Elems {
			a, err := cp.term(x, slots)
			if err != nil {
				return nil, err
			}
			allConst = allConst && a.kind == tConst
			t.args = append(t.args, a)
		}
		if allConst {
			vs := make([]V, len(t.args))
			for i, a := range t.args {
				vs[i] = a.v
			}
			return &term{kind: tConst, v: cp.in.list(vs), pos: e.P}, nil
		}
		t.buf = cp.alloc(len(t.args))
		return t, nil
	case *modules.BinaryExpr:
		x, err := cp.term(e.X, slots)
		if err != nil {
			return nil, err
		}
		y, err := cp.term(e.Y, slots)
		if err != nil {
			return nil, err
		}
		return &term{kind: tArith, op: e.Op[0], args: []*term{x, y}, pos: e.P}, nil
	case *modules.UnaryExpr:
		x, err := cp.term(e.X, slots)
		if err != nil {
			return nil, err
		}
		return &term{kind: tNeg, args: []*term{x}, pos: e.P}, nil
	case *modules.CallExpr:
		t := &term{kind: tCall, fn: e.Func, pos: e.P}
		t.call = builtins[e.Func]
		if t.call == nil && cp.prog.isLatticeFunc(e.Func) {
			t.call = cp.latticeCall(e)
		}
		if t.call == nil {
			return nil, &modules.Diagnostic{Pos: e.P, Severity: modules.Error, Check: "plan", Message: fmt.Sprintf("the executor has no built-in function %s", e.Func)}
		}
		for _, x := range e.Args {
			a, err := cp.term(x, slots)
			if err != nil {
				return nil, err
			}
			t.args = append(t.args, a)
		}
		t.buf = cp.alloc(len(t.args))
		return t, nil
	}
	return nil, &modules.Diagnostic{Pos: e.Pos(), Severity: modules.Error, Check: "plan", Message: fmt.Sprintf("cannot evaluate %s here", e)}
}
