package verify

import (
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
)

// Value domains, inferred from the program: which columns hold node
// addresses, which constants the rules compare a column with, which
// columns take part in arithmetic. Columns are joined into classes by the
// variables that connect them (a variable in two atoms of one rule puts
// both columns in one class), so that the "A" and "D" a cart's rules
// test on action_msg's action column become the domain of client_action's
// action column, and a column that reaches a channel's @ column holds
// addresses.

type colRef struct{ coll, col int }

type class struct {
	addr    bool
	key     bool // some column of the class is a key column (of a collection with values)
	numeric bool
	list    bool
	// threshold: compared with a lattice's size or bound (ge(size(S),
	// N)): small integers, so that thresholds are reached.
	threshold bool
	consts    []executor.Value
	names     []string // column names
}

// mark is what was seen at a column or of a variable.
type mark struct {
	addr, numeric, list, threshold bool
	consts                         []executor.Value
}

type domains struct {
	prog   *modules.Program
	index  map[string]int // collection name -> index
	base   []int          // collection index -> first column id
	parent []int
	cls    map[int]*class // root -> class
	// elems: the ids of the elements of list values, per (class root of
	// the column or element holding the list, position): a list pattern
	// [S, R] in one rule and [S, R] in another, at columns of one class,
	// put their elements in the classes of the same positions (the
	// ordered cart's action goes through pipe_in's payload [I, A] to
	// pipe_out's, where the cart compares it with "A" and "D").
	elems  map[[2]int]int
	unions int
}

// elem returns the id of element i of the lists held at id x.
func (d *domains) elem(x, i int) int {
	k := [2]int{d.find(x), i}
	if id, ok := d.elems[k]; ok {
		return id
	}
	id := len(d.parent)
	d.parent = append(d.parent, id)
	d.elems[k] = id
	return id
}

func (d *domains) id(r colRef) int { return d.base[r.coll] + r.col }

func (d *domains) find(x int) int {
	for d.parent[x] != x {
		d.parent[x] = d.parent[d.parent[x]]
		x = d.parent[x]
	}
	return x
}

func (d *domains) union(a, b int) {
	a, b = d.find(a), d.find(b)
	if a != b {
		d.parent[b] = a
		d.unions++
	}
}

// classOf returns the class of a column (after inferDomains).
func (d *domains) classOf(coll, col int) *class { return d.cls[d.find(d.base[coll]+col)] }

// inferDomains computes the value classes of every column of p.
func inferDomains(p *modules.Program) *domains {
	d := &domains{prog: p, index: map[string]int{}, elems: map[[2]int]int{}}
	n := 0
	for i, c := range p.Collections {
		d.index[c.Name] = i
		d.base = append(d.base, n)
		n += c.Arity()
	}
	d.parent = make([]int, n)
	for i := range d.parent {
		d.parent[i] = i
	}
	marks := map[int]*mark{} // column id -> what was seen there (merged into classes below)
	at := func(x int) *mark {
		m := marks[x]
		if m == nil {
			m = &mark{}
			marks[x] = m
		}
		return m
	}
	// The rules are read until the classes settle: a union found late
	// (two payload columns joined by a variable) merges the classes whose
	// list elements earlier rules put apart.
	for pass := 0; pass < 4; pass++ {
		before := len(d.parent)
		unions := d.unions
		d.rulePass(p, at)
		if len(d.parent) == before && d.unions == unions {
			break
		}
	}
	d.classes(p, marks)
	return d
}

// rulePass reads every rule once, joining columns and marking them.
func (d *domains) rulePass(p *modules.Program, at func(int) *mark) {
	for _, r := range p.Rules {
		vars := map[string]int{} // variable -> a column id it occurs at
		varMarks := map[string]*mark{}
		vm := func(name string) *mark {
			m := varMarks[name]
			if m == nil {
				m = &mark{}
				varMarks[name] = m
			}
			return m
		}
		// exprVars marks the variables of a computed term.
		var exprVars func(e modules.Expr, numeric bool)
		exprVars = func(e modules.Expr, numeric bool) {
			switch e := e.(type) {
			case *modules.Var:
				if !e.Wildcard() && numeric {
					vm(e.Name).numeric = true
				}
			case *modules.BinaryExpr:
				exprVars(e.X, true)
				exprVars(e.Y, true)
			case *modules.UnaryExpr:
				exprVars(e.X, true)
			case *modules.CallExpr:
				for _, a := range e.Args {
					exprVars(a, false)
				}
			case *modules.ListExpr:
				for _, a := range e.Elems {
					exprVars(a, false)
				}
			case *modules.AggExpr:
				if e.Arg != nil {
					exprVars(e.Arg, e.Agg == "sum" || e.Agg == "avg")
				}
			}
		}
		var term func(x int, arg modules.Expr)
		atom := func(a *modules.Atom) {
			ci, ok := d.index[a.Pred]
			if !ok {
				return
			}
			for k, arg := range a.Args {
				if k >= p.Collections[ci].Arity() {
					break
				}
				term(d.base[ci]+k, arg)
			}
		}
		term = func(x int, arg modules.Expr) {
			{
				switch e := arg.(type) {
				case *modules.Var:
					if e.Wildcard() {
						return
					}
					if y, ok := vars[e.Name]; ok {
						d.union(x, y)
					} else {
						vars[e.Name] = x
					}
				case *modules.IntLit:
					at(x).consts = append(at(x).consts, executor.Int(e.Value))
					at(x).numeric = true
				case *modules.StrLit:
					at(x).consts = append(at(x).consts, executor.Str(e.Value))
				case *modules.BoolLit:
					at(x).consts = append(at(x).consts, executor.Bool(e.Value))
				case *modules.ListExpr:
					at(x).list = true
					exprVars(e, false)
					for i, el := range e.Elems {
						term(d.elem(x, i), el)
					}
				case *modules.CallExpr:
					if e.Func == "me" {
						at(x).addr = true
					} else {
						exprVars(e, false)
					}
				case *modules.BinaryExpr, *modules.UnaryExpr:
					at(x).numeric = true
					exprVars(e, true)
				case *modules.AggExpr:
					exprVars(e, false)
					if e.Agg == "count" || e.Agg == "sum" || e.Agg == "avg" {
						at(x).numeric = true
					}
				}
			}
		}
		atom(&r.Head)
		for _, l := range r.Body {
			switch l := l.(type) {
			case *modules.AtomLit:
				atom(&l.Atom)
			case *modules.CmpLit:
				cmpConst(l.X, l.Y, vm)
				cmpConst(l.Y, l.X, vm)
				exprVars(l.X, false)
				exprVars(l.Y, false)
			case *modules.TestLit:
				// A threshold test (ge(size(S), N)): its bound is an
				// integer.
				exprVars(l.Call, false)
				// contains(S, X): X is an element of the set S, whose
				// column holds lists of the elements of its class.
				if l.Call.Func == "contains" && len(l.Call.Args) == 2 {
					if sv, ok := l.Call.Args[0].(*modules.Var); ok && !sv.Wildcard() {
						if y, ok := vars[sv.Name]; ok {
							term(d.elem(y, 0), l.Call.Args[1])
						}
					}
				}
				if f := l.Call.Func; (f == "ge" || f == "gt" || f == "le" || f == "lt") && len(l.Call.Args) == 2 {
					if v, ok := l.Call.Args[1].(*modules.Var); ok && !v.Wildcard() {
						vm(v.Name).numeric = true
						vm(v.Name).threshold = true
					}
				}
			case *modules.BindLit:
				cmpConst(l.Var, l.X, vm)
				if c, ok := l.X.(*modules.CallExpr); ok && c.Func == "me" {
					vm(l.Var.Name).addr = true
				}
				exprVars(l.X, false)
			}
		}
		for name, m := range varMarks {
			if x, ok := vars[name]; ok {
				mm := at(x)
				mm.addr = mm.addr || m.addr
				mm.numeric = mm.numeric || m.numeric
				mm.threshold = mm.threshold || m.threshold
				mm.consts = append(mm.consts, m.consts...)
			}
		}
	}
}

// classes builds the classes of the columns (and list elements) from the
// unions and marks.
func (d *domains) classes(p *modules.Program, marks map[int]*mark) {
	at := func(x int) *mark {
		m := marks[x]
		if m == nil {
			m = &mark{}
			marks[x] = m
		}
		return m
	}
	// Channels' @ columns hold addresses; so do columns named like one.
	addrNames := map[string]bool{}
	for ci, c := range p.Collections {
		if a := c.AddrIndex(); a >= 0 {
			at(d.base[ci] + a).addr = true
			addrNames[c.Columns()[a].Name] = true
		}
	}
	for ci, c := range p.Collections {
		for k, col := range c.Columns() {
			if addrNames[col.Name] {
				at(d.base[ci] + k).addr = true
			}
		}
	}
	d.cls = map[int]*class{}
	get := func(x int) *class {
		root := d.find(x)
		cl := d.cls[root]
		if cl == nil {
			cl = &class{}
			d.cls[root] = cl
		}
		return cl
	}
	for ci, c := range p.Collections {
		for k, col := range c.Columns() {
			cl := get(d.base[ci] + k)
			cl.names = appendUniq(cl.names, col.Name)
			if len(c.Val) > 0 && k < len(c.Key) {
				cl.key = true
			}
		}
	}
	for x := range d.parent {
		m := marks[x]
		if m == nil {
			continue
		}
		cl := get(x)
		cl.addr = cl.addr || m.addr
		cl.numeric = cl.numeric || m.numeric
		cl.list = cl.list || m.list
		cl.threshold = cl.threshold || m.threshold
		for _, v := range m.consts {
			cl.addConst(v)
		}
	}
	for _, cl := range d.cls {
		sort.Slice(cl.consts, func(i, j int) bool { return cl.consts[i].Compare(cl.consts[j]) < 0 })
	}
}

// cmpConst marks variable x with constant y (X == "A", Z = 0).
func cmpConst(x, y modules.Expr, vm func(string) *mark) {
	v, ok := x.(*modules.Var)
	if !ok || v.Wildcard() {
		return
	}
	switch c := y.(type) {
	case *modules.IntLit:
		vm(v.Name).consts = append(vm(v.Name).consts, executor.Int(c.Value))
		vm(v.Name).numeric = true
	case *modules.StrLit:
		vm(v.Name).consts = append(vm(v.Name).consts, executor.Str(c.Value))
	case *modules.BoolLit:
		vm(v.Name).consts = append(vm(v.Name).consts, executor.Bool(c.Value))
	}
}

func (cl *class) addConst(v executor.Value) {
	for _, c := range cl.consts {
		if c.Equal(v) {
			return
		}
	}
	cl.consts = append(cl.consts, v)
}

func appendUniq(xs []string, s string) []string {
	for _, x := range xs {
		if x == s {
			return xs
		}
	}
	return append(xs, s)
}

// isIDName reports whether a column name says it identifies a request or
// a message (reqid, ident, id, msgid): such columns get a fresh value per
// input, so that inputs never collide on their keys.
func isIDName(name string) bool {
	n := strings.ToLower(name)
	return n == "id" || n == "ident" || strings.HasSuffix(n, "id") || strings.HasSuffix(n, "_id")
}

// isSelfName reports whether an address column names the node an input
// comes from (the client of a request, the source of a message): the
// input is injected at that node.
func isSelfName(name string) bool {
	switch strings.ToLower(name) {
	case "src", "source", "client", "from", "sender", "origin", "requester", "me", "self":
		return true
	}
	return false
}

// isRoleName reports whether a table of one address names a role that
// one node holds (a sequencer, a leader): generated workloads give every
// node the same one fact, where a membership table (members) lists every
// other node.
func isRoleName(name string) bool {
	n := strings.ToLower(name)
	for _, r := range []string{"sequencer", "leader", "coordinator", "primary", "master", "root"} {
		if n == r || strings.HasSuffix(n, "_"+r) || strings.HasPrefix(n, r+"_") {
			return true
		}
	}
	return false
}
