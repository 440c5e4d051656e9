package executor

import (
	"fmt"
	"math"
)

// builtinFunc evaluates a built-in function on interned arguments. Errors
// (wrong kinds) are raised with ev.fail, which names the rule.
type builtinFunc func(ev *evaluator, t *term, args []V) V

// builtins are the functions of modules.Builtins, implemented.
var builtins = map[string]builtinFunc{
	"me": func(ev *evaluator, t *term, args []V) V { return ev.node.addrV },
	"append": func(ev *evaluator, t *term, args []V) V {
		l := ev.list(t, args[0], "append's first argument")
		ev.tmp = append(append(ev.tmp[:0], l...), args[1])
		return ev.in.list(ev.tmp)
	},
	"delete_one": func(ev *evaluator, t *term, args []V) V {
		l := ev.list(t, args[0], "delete_one's first argument")
		for i, x := range l {
			if x == args[1] {
				ev.tmp = append(append(ev.tmp[:0], l[:i]...), l[i+1:]...)
				return ev.in.list(ev.tmp)
			}
		}
		return args[0]
	},
	"len": func(ev *evaluator, t *term, args []V) V {
		if l, ok := ev.in.asList(args[0]); ok {
			return ev.in.int(int64(len(l)))
		}
		if s, ok := ev.in.asString(args[0]); ok {
			return ev.in.int(int64(len(s)))
		}
		ev.fail(t, "len needs a list or a string, found %s", describeKind(ev.in, args[0]))
		return 0
	},
	"concat": func(ev *evaluator, t *term, args []V) V {
		if a, ok := ev.in.asList(args[0]); ok {
			b := ev.list(t, args[1], "concat's second argument (the first is a list)")
			ev.tmp = append(append(ev.tmp[:0], a...), b...)
			return ev.in.list(ev.tmp)
		}
		if a, ok := ev.in.asString(args[0]); ok {
			b, ok := ev.in.asString(args[1])
			if !ok {
				ev.fail(t, "concat's second argument must be a string like the first, found %s", describeKind(ev.in, args[1]))
			}
			return ev.in.str(a + b)
		}
		ev.fail(t, "concat needs two lists or two strings, found %s", describeKind(ev.in, args[0]))
		return 0
	},
	"min": func(ev *evaluator, t *term, args []V) V {
		if ev.in.compare(args[0], args[1]) <= 0 {
			return args[0]
		}
		return args[1]
	},
	"max": func(ev *evaluator, t *term, args []V) V {
		if ev.in.compare(args[0], args[1]) >= 0 {
			return args[0]
		}
		return args[1]
	},
}

func (ev *evaluator) list(t *term, v V, what string) []V {
	l, ok := ev.in.asList(v)
	if !ok {
		ev.fail(t, "%s must be a list, found %s", what, describeKind(ev.in, v))
	}
	return l
}

func (ev *evaluator) intArg(t *term, v V, what string) int64 {
	n, ok := ev.in.asInt(v)
	if !ok {
		ev.fail(t, "%s must be an integer, found %s", what, describeKind(ev.in, v))
	}
	return n
}

// arith evaluates + - * / on integers: overflow and division by zero are
// runtime errors; division truncates toward zero.
func (ev *evaluator) arith(t *term, a, b V) V {
	x := ev.intArg(t, a, fmt.Sprintf("the left operand of %c", t.op))
	y := ev.intArg(t, b, fmt.Sprintf("the right operand of %c", t.op))
	var r int64
	switch t.op {
	case '+':
		r = x + y
		if (y > 0 && r < x) || (y < 0 && r > x) {
			ev.fail(t, "integer overflow: %d + %d", x, y)
		}
	case '-':
		r = x - y
		if (y < 0 && r < x) || (y > 0 && r > x) {
			ev.fail(t, "integer overflow: %d - %d", x, y)
		}
	case '*':
		if x != 0 && y != 0 {
			r = x * y
			if r/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
				ev.fail(t, "integer overflow: %d * %d", x, y)
			}
		}
	case '/':
		if y == 0 {
			ev.fail(t, "division by zero: %d / 0", x)
		}
		if x == math.MinInt64 && y == -1 {
			ev.fail(t, "integer overflow: %d / -1", x)
		}
		r = x / y
	}
	return ev.in.int(r)
}
