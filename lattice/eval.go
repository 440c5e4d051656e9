package lattice

import (
	"math"

	"github.com/calmcheck/calmcheck/modules"
)

// Call applies the built-in lattice function name to raw values. at needs
// the type of its map (for the bottom of an absent key): atType is the
// lmap's value lattice (nil elsewhere).
func (e *Env) Call(name string, args []Value, atType *modules.LatticeType) (Value, error) {
	if _, ok := args[0].(bottom); ok {
		// The unknown bottom (see Bot), read as each function's argument
		// lattice: an empty set or map, the least lmax, the greatest lmin.
		switch name {
		case "size":
			return int64(0), nil
		case "contains", "when_true", "gt", "ge", "lt", "le":
			return false, nil
		case "at", "fst", "snd", "reveal":
			return Bot, nil
		}
	}
	switch name {
	case "size":
		l, ok := args[0].([]Value)
		if !ok {
			return nil, errorf("size needs an lset, found %s", Format(args[0]))
		}
		return int64(len(l)), nil
	case "contains":
		l, ok := args[0].([]Value)
		if !ok {
			return nil, errorf("contains needs an lset, found %s", Format(args[0]))
		}
		for _, x := range l {
			if Equal(x, args[1]) {
				return true, nil
			}
		}
		return false, nil
	case "at":
		l, ok := args[0].([]Value)
		if !ok {
			return nil, errorf("at needs an lmap, found %s", Format(args[0]))
		}
		for _, p := range l {
			if kv, ok := p.([]Value); ok && len(kv) == 2 && Equal(kv[0], args[1]) {
				return kv[1], nil
			}
		}
		if atType == nil {
			// Inside a user function the map's value lattice is not
			// known here: the function's result is read as its declared
			// lattice, which turns this into that lattice's bottom.
			return Bot, nil
		}
		return e.Bottom(atType)
	case "fst", "snd":
		l, ok := args[0].([]Value)
		if !ok || len(l) != 2 {
			return nil, errorf("%s needs a pair, found %s", name, Format(args[0]))
		}
		if name == "fst" {
			return l[0], nil
		}
		return l[1], nil
	case "gt", "ge", "lt", "le":
		x, ok1 := args[0].(int64)
		n, ok2 := args[1].(int64)
		if !ok1 || !ok2 {
			return nil, errorf("%s needs two integers, found %s and %s", name, Format(args[0]), Format(args[1]))
		}
		switch name {
		case "gt":
			return x > n, nil
		case "ge":
			return x >= n, nil
		case "lt":
			return x < n, nil
		}
		return x <= n, nil
	case "when_true":
		b, ok := args[0].(bool)
		if !ok {
			return nil, errorf("when_true needs an lbool, found %s", Format(args[0]))
		}
		return b, nil
	case "reveal":
		return args[0], nil
	}
	for _, d := range e.defs {
		for _, f := range d.Funcs {
			if f.Name == name {
				vars := map[string]Value{"X": args[0]}
				if len(args) > 1 {
					vars["N"] = args[1]
				}
				v, err := e.Eval(f.Expr, vars)
				if err != nil {
					return nil, err
				}
				return e.Normalize(f.Returns, v)
			}
		}
	}
	return nil, errorf("unknown function %s", name)
}

// bottom is the value of at(M, K) for an absent key when M's lattice is
// not known (inside a user function's term): Normalize reads it as the
// bottom of the lattice it is read as.
type bottom struct{}

// Bot is the unknown bottom.
var Bot Value = bottom{}

// maxEvalDepth bounds the recursion of Eval through user functions.
const maxEvalDepth = 64

// Eval evaluates a term of a user lattice (merge, bottom, function) with
// the variables vars, on raw values.
func (e *Env) Eval(x modules.Expr, vars map[string]Value) (Value, error) {
	return e.eval(x, vars, 0)
}

func (e *Env) eval(x modules.Expr, vars map[string]Value, depth int) (Value, error) {
	if depth > maxEvalDepth {
		return nil, errorf("terms nested more than %d deep (a function that calls itself?)", maxEvalDepth)
	}
	switch x := x.(type) {
	case *modules.IntLit:
		return x.Value, nil
	case *modules.StrLit:
		return x.Value, nil
	case *modules.BoolLit:
		return x.Value, nil
	case *modules.Var:
		v, ok := vars[x.Name]
		if !ok {
			return nil, errorf("variable %s has no value", x.Name)
		}
		return v, nil
	case *modules.ListExpr:
		out := make([]Value, len(x.Elems))
		for i, el := range x.Elems {
			v, err := e.eval(el, vars, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case *modules.UnaryExpr:
		v, err := e.eval(x.X, vars, depth+1)
		if err != nil {
			return nil, err
		}
		n, ok := v.(int64)
		if !ok || n == math.MinInt64 {
			return nil, errorf("cannot negate %s", Format(v))
		}
		return -n, nil
	case *modules.BinaryExpr:
		a, err := e.eval(x.X, vars, depth+1)
		if err != nil {
			return nil, err
		}
		b, err := e.eval(x.Y, vars, depth+1)
		if err != nil {
			return nil, err
		}
		return arith(x.Op, a, b)
	case *modules.CallExpr:
		args := make([]Value, len(x.Args))
		for i, a := range x.Args {
			v, err := e.eval(a, vars, depth+1)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		switch x.Func {
		case "min", "max":
			c := Compare(args[0], args[1])
			if (x.Func == "min") == (c <= 0) {
				return args[0], nil
			}
			return args[1], nil
		case "len":
			switch v := args[0].(type) {
			case []Value:
				return int64(len(v)), nil
			case string:
				return int64(len(v)), nil
			}
			return nil, errorf("len needs a list or a string, found %s", Format(args[0]))
		case "concat":
			if a, ok := args[0].([]Value); ok {
				if b, ok := args[1].([]Value); ok {
					return append(append([]Value{}, a...), b...), nil
				}
			}
			if a, ok := args[0].(string); ok {
				if b, ok := args[1].(string); ok {
					return a + b, nil
				}
			}
			return nil, errorf("concat needs two lists or two strings, found %s and %s", Format(args[0]), Format(args[1]))
		case "append":
			if a, ok := args[0].([]Value); ok {
				return append(append([]Value{}, a...), args[1]), nil
			}
			return nil, errorf("append needs a list, found %s", Format(args[0]))
		case "delete_one":
			if a, ok := args[0].([]Value); ok {
				for i, v := range a {
					if Equal(v, args[1]) {
						return append(append([]Value{}, a[:i]...), a[i+1:]...), nil
					}
				}
				return a, nil
			}
			return nil, errorf("delete_one needs a list, found %s", Format(args[0]))
		case "me":
			return nil, errorf("me() has no value in a lattice term")
		}
		return e.Call(x.Func, args, nil)
	}
	return nil, errorf("cannot evaluate %s", x)
}

func arith(op string, a, b Value) (Value, error) {
	x, ok1 := a.(int64)
	y, ok2 := b.(int64)
	if !ok1 || !ok2 {
		return nil, errorf("%s needs integers, found %s and %s", op, Format(a), Format(b))
	}
	var r int64
	switch op {
	case "+":
		r = x + y
		if (y > 0 && r < x) || (y < 0 && r > x) {
			return nil, errorf("integer overflow: %d + %d", x, y)
		}
	case "-":
		r = x - y
		if (y < 0 && r < x) || (y > 0 && r > x) {
			return nil, errorf("integer overflow: %d - %d", x, y)
		}
	case "*":
		if x != 0 && y != 0 {
			r = x * y
			if r/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
				return nil, errorf("integer overflow: %d * %d", x, y)
			}
		}
	case "/":
		if y == 0 {
			return nil, errorf("division by zero: %d / 0", x)
		}
		if x == math.MinInt64 && y == -1 {
			return nil, errorf("integer overflow: %d / -1", x)
		}
		r = x / y
	default:
		return nil, errorf("unknown operator %s", op)
	}
	return r, nil
}
