package modules

import "strings"

// maxLatticeDepth bounds the nesting of lattice types (lmap<k, lpair<...>>).
const maxLatticeDepth = 16

// parseLatticeType parses a lattice type after "name:":
//
//	type = ident [ "<" [ ident "," ] type { "," type } ">" ] .
func (p *parser) parseLatticeType(depth int) *LatticeType {
	p.checkIllegal()
	t := p.tok
	if t.kind != tIdent {
		p.fail("expected a lattice type (lmax, lmin, lbool, lset, lmap<K, L>, lpair<L1, L2>, ldompair<L1, L2> or a declared lattice), found %s", t.describe())
	}
	if depth > maxLatticeDepth {
		p.fail("lattice type nested more than %d levels", maxLatticeDepth)
	}
	lt := &LatticeType{Name: t.text, Pos: p.at(t.off)}
	p.advance()
	n, builtin := BuiltinLattices[t.text]
	if !builtin {
		if p.tok.kind == tLss {
			p.fail("lattice %s takes no parameters", t.text)
		}
		return lt
	}
	if n == 0 {
		if p.tok.kind == tLss {
			p.fail("%s takes no parameters", t.text)
		}
		return lt
	}
	if p.tok.kind != tLss {
		if t.text == "lmap" {
			p.failAt(t.off, "lmap needs a key domain and a value lattice: lmap<K, L>")
		}
		p.failAt(t.off, "%s needs two lattices: %s<L1, L2>", t.text, t.text)
	}
	p.advance()
	if t.text == "lmap" {
		p.checkIllegal()
		if p.tok.kind != tIdent && p.tok.kind != tVar {
			p.fail("expected the key domain of lmap (a name), found %s", p.tok.describe())
		}
		lt.Key = p.tok.text
		p.advance()
		p.expect(tComma, "after lmap's key domain")
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			p.expect(tComma, "between "+t.text+"'s lattices")
		}
		lt.Args = append(lt.Args, p.parseLatticeType(depth+1))
	}
	p.expect(tGtr, "to close "+t.text+"<...>")
	return lt
}

// checkLatticeColumns enforces where lattice-typed columns may stand: every
// value column of a lattice declaration (and at least one), the value
// columns of a channel; never a key column.
func (p *parser) checkLatticeColumns(d *Decl) {
	for _, c := range d.Key {
		if c.Type != nil {
			p.diags.errorf("schema", c.Pos, "key column %s of %s has a lattice type: keys are plain values, lattices go after =>", c.Name, d.Name)
		}
	}
	for _, c := range d.Val {
		switch {
		case c.Type == nil && d.Lattice:
			p.diags.errorf("schema", c.Pos, "value column %s of lattice %s needs a lattice type (%s: lmax, lset, ...)", c.Name, d.Name, c.Name)
		case c.Type != nil && !d.Lattice && d.Kind != Channel:
			p.diags.errorf("schema", c.Pos, "column %s of %s has a lattice type, but a %s holds plain values: declare it as a lattice (or a channel that carries lattice values)", c.Name, d.Name, d.Kind)
		}
	}
	if d.Lattice && len(d.Val) == 0 {
		p.diags.errorf("schema", d.NamePos, "lattice %s has no value columns: declare them after => with their lattice types", d.Name)
	}
}

// ParseLatticeType parses a lattice type on its own (a lattice alias).
func ParseLatticeType(src string, pos PosFunc) (*LatticeType, Diagnostics) {
	p := newParser(src, pos)
	var t *LatticeType
	if p.protect(func() {
		t = p.parseLatticeType(0)
		p.checkIllegal()
		if p.tok.kind != tEOF {
			p.fail("unexpected %s after the lattice type", p.tok.describe())
		}
	}) {
		return t, nil
	}
	return nil, p.diags.ds
}

// ParseExpr parses a term on its own (a lattice's merge, bottom or
// function), with the user lattice functions funcs.
func ParseExpr(src string, pos PosFunc, funcs map[string]int) (Expr, Diagnostics) {
	p := newParser(src, pos)
	p.funcs = funcs
	var e Expr
	if p.protect(func() {
		e = p.parseExpr()
		p.checkIllegal()
		if p.tok.kind != tEOF {
			p.fail("unexpected %s after the term", p.tok.describe())
		}
	}) {
		return e, nil
	}
	return nil, p.diags.ds
}

// exprVars returns the names of e's variables that are not in allowed.
func exprVarsOutside(e Expr, allowed ...string) []*Var {
	var out []*Var
	WalkVars(e, func(v *Var) {
		for _, a := range allowed {
			if v.Name == a {
				return
			}
		}
		out = append(out, v)
	})
	return out
}

func joinNames(ns []string) string { return strings.Join(ns, ", ") }
