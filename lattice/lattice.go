// Package lattice gives the lattice types of the spec language their
// meaning: values, merge (least upper bound), order, bottom, the built-in
// lattice functions, the terms of user lattices, and the property-based
// tests of the lattice laws (laws.go).
//
// A lattice value is a plain value of the rule language (Value: int64,
// bool, string or a list of values) in a canonical form: an lset is a
// sorted list without duplicates, an lmap a list of [key, value] pairs
// sorted by key, an lpair or ldompair a list of two values. So lattice
// values travel through tuples, channels, traces and workloads like any
// other value; the column's type says how they merge.
package lattice

import (
	"cmp"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// Value is a value of the rule language: int64, bool, string or []Value.
type Value = any

// Compare orders values totally, as the executor does: every bool before
// every int, every int before every string, every string before every
// list; lists lexicographically.
func Compare(a, b Value) int {
	ka, kb := kind(a), kind(b)
	if ka != kb {
		return cmp.Compare(ka, kb)
	}
	switch a := a.(type) {
	case bool:
		bb := b.(bool)
		switch {
		case a == bb:
			return 0
		case !a:
			return -1
		}
		return 1
	case int64:
		return cmp.Compare(a, b.(int64))
	case string:
		return strings.Compare(a, b.(string))
	case []Value:
		bl := b.([]Value)
		for i := 0; i < len(a) && i < len(bl); i++ {
			if c := Compare(a[i], bl[i]); c != 0 {
				return c
			}
		}
		return cmp.Compare(len(a), len(bl))
	}
	return 0
}

// Equal reports whether a and b are the same value.
func Equal(a, b Value) bool { return Compare(a, b) == 0 }

func kind(v Value) int {
	switch v.(type) {
	case bool:
		return 0
	case int64:
		return 1
	case string:
		return 2
	case []Value:
		return 3
	}
	return 4
}

// Format renders v in the syntax of the rule language.
func Format(v Value) string {
	switch v := v.(type) {
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case string:
		return modules.Quote(v)
	case bottom:
		return "bottom"
	case []Value:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = Format(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// Env resolves the user lattices of a program.
type Env struct {
	defs map[string]*modules.LatticeDef
}

// NewEnv returns the environment of the user lattices defs (may be nil).
func NewEnv(defs map[string]*modules.LatticeDef) *Env {
	return &Env{defs: defs}
}

// resolve replaces an alias by its shape.
func (e *Env) resolve(t *modules.LatticeType) *modules.LatticeType {
	for i := 0; t != nil && i < 64; i++ {
		d := e.defs[t.Name]
		if d == nil || d.Shape == nil {
			return t
		}
		t = d.Shape
	}
	return t
}

// Error is a value that does not fit its lattice, or a term that fails.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Bottom returns the least element of t.
func (e *Env) Bottom(t *modules.LatticeType) (Value, error) {
	t = e.resolve(t)
	switch t.Name {
	case "lmax":
		return int64(math.MinInt64), nil
	case "lmin":
		return int64(math.MaxInt64), nil
	case "lbool":
		return false, nil
	case "lset", "lmap":
		return []Value{}, nil
	case "lpair", "ldompair":
		a, err := e.Bottom(t.Args[0])
		if err != nil {
			return nil, err
		}
		b, err := e.Bottom(t.Args[1])
		if err != nil {
			return nil, err
		}
		return []Value{a, b}, nil
	}
	d := e.defs[t.Name]
	if d == nil || d.Bottom == nil {
		return nil, errorf("unknown lattice %s", t.Name)
	}
	return e.Eval(d.Bottom, nil)
}

// Normalize reads v as a value of t: an lset's list sorted and without
// duplicates, an lmap's pairs sorted by key with the values of one key
// merged, pairs normalized component by component. A value that cannot
// be read as t is an error.
func (e *Env) Normalize(t *modules.LatticeType, v Value) (Value, error) {
	t = e.resolve(t)
	if _, ok := v.(bottom); ok {
		return e.Bottom(t)
	}
	switch t.Name {
	case "lmax", "lmin":
		if _, ok := v.(int64); !ok {
			return nil, errorf("%s is not an %s (an integer)", Format(v), t.Name)
		}
		return v, nil
	case "lbool":
		if _, ok := v.(bool); !ok {
			return nil, errorf("%s is not an lbool (true or false)", Format(v))
		}
		return v, nil
	case "lset":
		l, ok := v.([]Value)
		if !ok {
			return nil, errorf("%s is not an lset (a list of elements)", Format(v))
		}
		return setOf(l), nil
	case "lmap":
		l, ok := v.([]Value)
		if !ok {
			return nil, errorf("%s is not an lmap (a list of [key, value] pairs)", Format(v))
		}
		out := make([]Value, 0, len(l))
		for _, p := range l {
			kv, ok := p.([]Value)
			if !ok || len(kv) != 2 {
				return nil, errorf("%s is not an lmap entry (a [key, value] pair)", Format(p))
			}
			val, err := e.Normalize(t.Args[0], kv[1])
			if err != nil {
				return nil, err
			}
			out = append(out, []Value{kv[0], val})
		}
		sort.SliceStable(out, func(i, j int) bool { return Compare(out[i].([]Value)[0], out[j].([]Value)[0]) < 0 })
		// Merge the values of equal keys.
		w := 0
		for _, p := range out {
			kv := p.([]Value)
			if w > 0 && Equal(out[w-1].([]Value)[0], kv[0]) {
				m, err := e.Merge(t.Args[0], out[w-1].([]Value)[1], kv[1])
				if err != nil {
					return nil, err
				}
				out[w-1] = []Value{kv[0], m}
				continue
			}
			out[w] = kv
			w++
		}
		return out[:w], nil
	case "lpair", "ldompair":
		l, ok := v.([]Value)
		if !ok || len(l) != 2 {
			return nil, errorf("%s is not an %s (a list of two values)", Format(v), t.Name)
		}
		a, err := e.Normalize(t.Args[0], l[0])
		if err != nil {
			return nil, err
		}
		b, err := e.Normalize(t.Args[1], l[1])
		if err != nil {
			return nil, err
		}
		return []Value{a, b}, nil
	}
	d := e.defs[t.Name]
	if d == nil {
		return nil, errorf("unknown lattice %s", t.Name)
	}
	if !inDomain(d.Values, v) {
		return nil, errorf("%s is not a value of lattice %s (%s)", Format(v), d.Name, d.Values)
	}
	return v, nil
}

func inDomain(dom string, v Value) bool {
	switch v.(type) {
	case int64:
		return dom == "int"
	case bool:
		return dom == "bool"
	case string:
		return dom == "string"
	case []Value:
		return dom == "list"
	}
	return false
}

func setOf(l []Value) []Value {
	out := append([]Value{}, l...)
	sort.SliceStable(out, func(i, j int) bool { return Compare(out[i], out[j]) < 0 })
	w := 0
	for _, x := range out {
		if w > 0 && Equal(out[w-1], x) {
			continue
		}
		out[w] = x
		w++
	}
	return out[:w]
}

// Merge returns the least upper bound of two normalized values of t.
func (e *Env) Merge(t *modules.LatticeType, a, b Value) (Value, error) {
	t = e.resolve(t)
	switch t.Name {
	case "lmax":
		if a.(int64) >= b.(int64) {
			return a, nil
		}
		return b, nil
	case "lmin":
		if a.(int64) <= b.(int64) {
			return a, nil
		}
		return b, nil
	case "lbool":
		return a.(bool) || b.(bool), nil
	case "lset":
		x, y := a.([]Value), b.([]Value)
		out := make([]Value, 0, len(x)+len(y))
		i, j := 0, 0
		for i < len(x) || j < len(y) {
			switch {
			case j == len(y):
				out = append(out, x[i])
				i++
			case i == len(x):
				out = append(out, y[j])
				j++
			default:
				c := Compare(x[i], y[j])
				if c <= 0 {
					out = append(out, x[i])
					i++
					if c == 0 {
						j++
					}
				} else {
					out = append(out, y[j])
					j++
				}
			}
		}
		return out, nil
	case "lmap":
		x, y := a.([]Value), b.([]Value)
		out := make([]Value, 0, len(x)+len(y))
		i, j := 0, 0
		for i < len(x) || j < len(y) {
			var c int
			switch {
			case j == len(y):
				c = -1
			case i == len(x):
				c = 1
			default:
				c = Compare(x[i].([]Value)[0], y[j].([]Value)[0])
			}
			switch {
			case c < 0:
				out = append(out, x[i])
				i++
			case c > 0:
				out = append(out, y[j])
				j++
			default:
				kx, ky := x[i].([]Value), y[j].([]Value)
				m, err := e.Merge(t.Args[0], kx[1], ky[1])
				if err != nil {
					return nil, err
				}
				out = append(out, []Value{kx[0], m})
				i++
				j++
			}
		}
		return out, nil
	case "lpair":
		x, y := a.([]Value), b.([]Value)
		f, err := e.Merge(t.Args[0], x[0], y[0])
		if err != nil {
			return nil, err
		}
		s, err := e.Merge(t.Args[1], x[1], y[1])
		if err != nil {
			return nil, err
		}
		return []Value{f, s}, nil
	case "ldompair":
		// Hydro's DomPair: the pair with the greater first element wins;
		// equal firsts merge the seconds; incomparable firsts merge both.
		x, y := a.([]Value), b.([]Value)
		f, err := e.Merge(t.Args[0], x[0], y[0])
		if err != nil {
			return nil, err
		}
		xDom, yDom := Equal(f, x[0]), Equal(f, y[0])
		switch {
		case xDom && yDom:
			s, err := e.Merge(t.Args[1], x[1], y[1])
			if err != nil {
				return nil, err
			}
			return []Value{f, s}, nil
		case xDom:
			return a, nil
		case yDom:
			return b, nil
		}
		s, err := e.Merge(t.Args[1], x[1], y[1])
		if err != nil {
			return nil, err
		}
		return []Value{f, s}, nil
	}
	d := e.defs[t.Name]
	if d == nil || d.Merge == nil {
		return nil, errorf("unknown lattice %s", t.Name)
	}
	return e.Eval(d.Merge, map[string]Value{"A": a, "B": b})
}

// Leq reports whether a is below b in t: merging a into b leaves b.
func (e *Env) Leq(t *modules.LatticeType, a, b Value) (bool, error) {
	m, err := e.Merge(t, a, b)
	if err != nil {
		return false, err
	}
	return Equal(m, b), nil
}
