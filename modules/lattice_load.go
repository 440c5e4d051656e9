package modules

import (
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// validLatticeName: a lowercase name (letters, digits, _) that is not a
// built-in lattice or function.
func validLatticeName(s string) bool {
	for i, r := range s {
		if i == 0 && !unicode.IsLower(r) {
			return false
		}
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

func reservedFuncName(s string) bool {
	_, b := LookupBuiltin(s)
	_, lb := LookupLatticeBuiltin(s)
	_, lat := BuiltinLattices[s]
	return b || lb || lat || isAggregate(s)
}

// lattice reads one entry of the file key lattices: a type string (an
// alias), or a mapping with shape (an alias) or values/merge/bottom, and
// functions.
func (l *fileLoader) lattice(name string, kn, vn *yaml.Node) {
	pos := l.Pos(kn)
	if !validLatticeName(name) || reservedFuncName(name) {
		l.diags.errorf("schema", pos, "lattice name %q must be a lowercase name (letters, digits, _) that is not a built-in lattice or function", name)
		return
	}
	d := &LatticeDef{Name: name, Pos: pos, File: l.Name(), Builtin: l.builtin}
	vn = YAMLResolve(vn)
	shape := func(n *yaml.Node) {
		if s, ok := l.Str(n, "shape"); ok {
			t, ds := ParseLatticeType(s, l.ScalarPos(n))
			l.diags.ds = append(l.diags.ds, ds...)
			d.Shape = t
		}
	}
	expr := func(n *yaml.Node, what string, vars ...string) Expr {
		n = YAMLResolve(n)
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			l.Errorf(n, "%s of lattice %s must be a term, found %s", what, name, YAMLKindName(n))
			return nil
		}
		e, ds := ParseExpr(n.Value, l.ScalarPos(n), l.lib.latticeFuncs)
		l.diags.ds = append(l.diags.ds, ds...)
		if e == nil {
			return nil
		}
		for _, v := range exprVarsOutside(e, vars...) {
			l.diags.errorf("schema", v.P, "%s of lattice %s may only use the variables %s, found %s", what, name, joinNames(vars), v.Name)
			return nil
		}
		return e
	}
	var funcsNode *yaml.Node
	given := map[string]bool{} // values, merge, bottom: given, valid or not
	if vn.Kind == yaml.ScalarNode {
		shape(vn)
	} else {
		l.Mapping(vn, "lattice "+name, func(key string, kn, vn *yaml.Node) {
			switch key {
			case "doc":
				if s, ok := l.Str(vn, "doc"); ok {
					d.Doc = strings.TrimSpace(s)
				}
			case "shape":
				shape(vn)
			case "values":
				given[key] = true
				if s, ok := l.Str(vn, "values"); ok {
					if !slices.Contains(LatticeValueDomains, s) {
						l.Errorf(vn, "values of lattice %s must be one of %s, found %q", name, strings.Join(LatticeValueDomains, ", "), s)
					}
					d.Values = s
				}
			case "merge":
				given[key] = true
				d.Merge = expr(vn, "merge", "A", "B")
			case "bottom":
				given[key] = true
				d.Bottom = expr(vn, "bottom")
			case "functions":
				funcsNode = vn
			default:
				l.UnknownKey(kn, key, "lattice "+name, KnownKeys("lattice"))
			}
		})
		merge := given["values"] || given["merge"] || given["bottom"]
		var missing []string
		for _, k := range []string{"values", "merge", "bottom"} {
			if !given[k] {
				missing = append(missing, k)
			}
		}
		switch {
		case d.Shape != nil && merge:
			l.diags.errorf("schema", pos, "lattice %s has both a shape and a merge: give one", name)
		case d.Shape == nil && !merge:
			l.diags.errorf("schema", pos, "lattice %s needs a shape (lmap<node, lmax>) or values, merge and bottom", name)
		case merge && len(missing) > 0:
			// One given but invalid has its own error.
			l.diags.errorf("schema", pos, "lattice %s declared by its merge needs values, merge and bottom: %s missing", name, strings.Join(missing, ", "))
		}
	}
	if funcsNode != nil {
		l.Mapping(funcsNode, "functions of lattice "+name, func(fname string, kn, vn *yaml.Node) {
			f := &LatticeFunc{Name: fname, Lattice: name, Pos: l.Pos(kn), Params: 1}
			if !validLatticeName(fname) || reservedFuncName(fname) {
				l.diags.errorf("schema", f.Pos, "function name %q must be a lowercase name that is not a built-in function", fname)
				return
			}
			if _, dup := l.lib.latticeFuncs[fname]; dup {
				l.diags.errorf("schema", f.Pos, "function %s is declared twice", fname)
				return
			}
			l.Mapping(vn, "function "+fname, func(key string, kn, vn *yaml.Node) {
				switch key {
				case "expr":
					f.Expr = expr(vn, "function "+fname, "X", "N")
				case "returns":
					if s, ok := l.Str(vn, "returns"); ok {
						t, ds := ParseLatticeType(s, l.ScalarPos(vn))
						l.diags.ds = append(l.diags.ds, ds...)
						f.Returns = t
					}
				default:
					l.UnknownKey(kn, key, "function "+fname, KnownKeys("function"))
				}
			})
			if f.Expr == nil || f.Returns == nil {
				l.diags.errorf("schema", f.Pos, "function %s of lattice %s needs expr (over X, and N for a plain argument) and returns (a lattice type)", fname, name)
				return
			}
			WalkVars(f.Expr, func(v *Var) {
				if v.Name == "N" {
					f.Params = 2
				}
			})
			d.Funcs = append(d.Funcs, f)
			l.lib.latticeFuncs[fname] = f.Params
		})
	}
	if prev, dup := l.lib.Lattices[name]; dup {
		if !(prev.Builtin && !d.Builtin) {
			l.diags.errorf("duplicate-lattice", pos, "duplicate lattice %s (first declared at %s)", name, prev.Pos)
			return
		}
		l.diags.warnf("shadow", pos, "lattice %s shadows the built-in lattice of the same name (%s)", name, prev.Pos)
	} else {
		l.lib.latticeOrder = append(l.lib.latticeOrder, name)
	}
	l.lib.Lattices[name] = d
}
