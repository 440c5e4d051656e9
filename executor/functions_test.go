package executor

import (
	"fmt"
	"strings"
	"testing"
)

// evalOne runs one rule "o(...) <= go(), BODY" at node n and returns the
// outputs (without ticks) or the error.
func evalOne(t *testing.T, decls, rule string, facts ...string) (string, *RunError) {
	t.Helper()
	var fs []string
	for _, f := range facts {
		fs = append(fs, fmt.Sprintf("%q", f))
	}
	spec := `
modules:
  M:
    state:
      - input  go()
` + decls + `
    rules:
      r:
        - ` + rule + "\n"
	wl := oneNode + "  inputs: [{node: n, tick: 1, fact: go()}]\n"
	if len(fs) > 0 {
		wl += "  facts: {n: [" + strings.Join(fs, ", ") + "]}\n"
	}
	s := prepare(t, spec, wl)
	res := exec(t, s, Options{})
	if res.Err != nil {
		return "", res.Err
	}
	var out []string
	for _, o := range res.Nodes[0].Outputs {
		out = append(out, o.Fact.String())
	}
	return strings.Join(out, "; "), nil
}

func TestAggregates(t *testing.T) {
	facts := []string{
		`v("a", 3, 1)`, `v("a", 3, 2)`, `v("a", -4, 1)`,
		`v("c", -3, 1)`, `v("c", -4, 1)`,
		`v("m", "x", 1)`, `v("m", true, 1)`, `v("m", [1], 1)`, `v("m", 5, 1)`,
	}
	decls := "      - table v(g, x, y)\n      - output o(g, r)\n"
	tests := []struct{ agg, want string }{
		{"count<X>", `o("a", 2); o("c", 2); o("m", 4)`},                                // distinct X
		{"count<>", `o("a", 3); o("c", 2); o("m", 4)`},                                 // matches
		{"min<X>", `o("a", -4); o("c", -4); o("m", true)`},                             // bool < int < string < list
		{"max<X>", `o("a", 3); o("c", -3); o("m", [1])`},                               //
		{"choose<X>", `o("a", -4); o("c", -4); o("m", true)`},                          // the least: deterministic
		{"accum<X>", `o("a", [-4, 3]); o("c", [-4, -3]); o("m", [true, 5, "x", [1]])`}, // sorted, distinct
	}
	for _, tc := range tests {
		t.Run(tc.agg, func(t *testing.T) {
			got, err := evalOne(t, decls, "o(G, "+tc.agg+") <= go(), v(G, X, _)", facts...)
			if err != nil || got != tc.want {
				t.Errorf("%s: got %q (%v), want %q", tc.agg, got, err, tc.want)
			}
		})
	}
	numeric := []struct{ agg, want string }{
		{"sum<X>", `o("a", 2); o("c", -7)`},  // over the matches: 3 + 3 - 4
		{"avg<X>", `o("a", 0); o("c", -4)`},  // 2/3 rounds down to 0, -7/2 to -4
		{"count<X>", `o("a", 2); o("c", 2)`}, //
	}
	for _, tc := range numeric {
		t.Run(tc.agg+" numeric", func(t *testing.T) {
			got, err := evalOne(t, decls, "o(G, "+tc.agg+`) <= go(), v(G, X, _), G != "m"`, facts...)
			if err != nil || got != tc.want {
				t.Errorf("%s: got %q (%v), want %q", tc.agg, got, err, tc.want)
			}
		})
	}
	t.Run("sum of a string", func(t *testing.T) {
		_, err := evalOne(t, decls, "o(G, sum<X>) <= go(), v(G, X, _)", facts...)
		if err == nil || !strings.Contains(err.Msg, `sum's argument must be an integer, found string "x"`) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("several aggregates", func(t *testing.T) {
		got, err := evalOne(t, "      - table v(g, x, y)\n      - output o(g, a, b, c)\n",
			`o(G, count<X>, max<Y>, sum<X>) <= go(), v(G, X, Y), G == "a"`, facts...)
		if err != nil || got != `o("a", 2, 2, 2)` {
			t.Errorf("got %q (%v)", got, err)
		}
	})
	t.Run("sum overflow", func(t *testing.T) {
		_, err := evalOne(t, decls, "o(G, sum<X>) <= go(), v(G, X, _)", `v("a", 9223372036854775807, 1)`, `v("a", 1, 1)`)
		if err == nil || !strings.Contains(err.Msg, "integer overflow in sum<X>") {
			t.Errorf("got %v", err)
		}
	})
}

func TestBuiltins(t *testing.T) {
	decls := "      - output o(r)\n"
	tests := []struct{ expr, want, err string }{
		{`me()`, `o("n")`, ""},
		{`append([1, 2], 3)`, `o([1, 2, 3])`, ""},
		{`append([], [1])`, `o([[1]])`, ""},
		{`append("ab", 1)`, "", `append's first argument must be a list, found string "ab"`},
		{`delete_one([1, 2, 1], 1)`, `o([2, 1])`, ""},
		{`delete_one([1, 2], 3)`, `o([1, 2])`, ""},
		{`delete_one(7, 3)`, "", "delete_one's first argument must be a list, found int 7"},
		{`len([1, [2, 3]])`, `o(2)`, ""},
		{`len("héllo")`, `o(6)`, ""},
		{`len(true)`, "", "len needs a list or a string, found bool true"},
		{`concat([1], [2, 3])`, `o([1, 2, 3])`, ""},
		{`concat("ab", "cd")`, `o("abcd")`, ""},
		{`concat("ab", [1])`, "", `concat's second argument must be a string like the first, found list [1]`},
		{`concat(1, 2)`, "", "concat needs two lists or two strings, found int 1"},
		{`min(3, 2)`, `o(2)`, ""},
		{`min("a", 2)`, `o(2)`, ""},
		{`max([1], "z")`, `o([1])`, ""},
		{`max(false, true)`, `o(true)`, ""},
		{`7 / 2 - 10 * 2`, `o(-17)`, ""},
		{`-7 / 2`, `o(-3)`, ""},
		{`1 / 0`, "", "division by zero: 1 / 0"},
		{`9223372036854775807 + 1`, "", "integer overflow: 9223372036854775807 + 1"},
		{`-9223372036854775807 - 2`, "", "integer overflow: -9223372036854775807 - 2"},
		{`4611686018427387904 * 2`, "", "integer overflow: 4611686018427387904 * 2"},
		{`4611686018427387903 + 4611686018427387904`, `o(9223372036854775807)`, ""},
		{`-4611686018427387904 * 2`, `o(-9223372036854775808)`, ""},
		{`"a" + 1`, "", `the left operand of + must be an integer, found string "a"`},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			got, err := evalOne(t, decls, "o(X) <= go(), X = "+tc.expr)
			if tc.err != "" {
				if err == nil || err.Check != "eval" || !strings.Contains(err.Msg, tc.err) {
					t.Errorf("got %q (%v), want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	// A runtime error points at the call.
	_, err := evalOne(t, decls, "o(X) <= go(), X = len(5)")
	if err == nil || err.Pos.Line != 10 || err.Pos.Col != 29 {
		t.Errorf("error at %v, want spec.yaml:10:29 (the call)", err)
	}
}

func TestComparisons(t *testing.T) {
	facts := []string{"p(1)", `p("a")`, "p(true)", "p([0])", "p(2)"}
	decls := "      - table p(x)\n      - output o(x)\n"
	tests := []struct{ cmp, want string }{
		{"X == 1", "o(1)"},
		{"X != 1", `o(true); o(2); o("a"); o([0])`},
		{"X < 2", "o(true); o(1)"},
		{`X >= "a"`, `o("a"); o([0])`},
		{"X > 1", `o(2); o("a"); o([0])`},
		{"X <= true", "o(true)"},
		{"X == [0]", "o([0])"},
	}
	for _, tc := range tests {
		got, err := evalOne(t, decls, "o(X) <= go(), p(X), "+tc.cmp, facts...)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q (%v), want %q", tc.cmp, got, err, tc.want)
		}
	}
}

// A list term in a body atom matches only lists of its length and binds
// their elements.
func TestListPatterns(t *testing.T) {
	facts := []string{"p([1, 2])", "p([1])", "p([1, 2, 3])", `p("ab")`, "p([[3], 4])", "p([5, [6, 7]])", "p([8, 8])"}
	tests := []struct{ decls, rule, want string }{
		{"      - table p(x)\n      - output o(a, b)\n", "o(A, B) <= go(), p([A, B])", `o(1, 2); o([3], 4); o(5, [6, 7]); o(8, 8)`},
		{"      - table p(x)\n      - output o(a, b)\n", "o(A, B) <= go(), p([A, [B, _]])", `o(5, 6)`},
		{"      - table p(x)\n      - output o(a)\n", "o(A) <= go(), p([A, A])", `o(8)`},
		{"      - table p(x)\n      - output o(a)\n", "o(A) <= go(), p([1, A])", `o(2)`},
		{"      - table p(x)\n      - output o(a)\n", "o(A) <= go(), p([A])", `o(1)`},
		{"      - table p(x)\n      - output o(a)\n", "o(A) <= go(), p([_, _, A])", `o(3)`},
		{"      - table p(x)\n      - output o(a)\n", "o(X) <= go(), p(X), notin p([_, X])", `o([1, 2]); o([1]); o([1, 2, 3]); o("ab"); o([[3], 4]); o([5, [6, 7]]); o([8, 8])`},
		{"      - table p(x)\n      - output o(a)\n", "o(A) <= go(), p([A, B]), p([B])", ``},
		{"      - table p(x)\n      - output o(a)\n", "o(A) <= go(), p([A, B]), B == 2", `o(1)`},
	}
	for _, tc := range tests {
		got, err := evalOne(t, tc.decls, tc.rule, facts...)
		if err != nil || sortedSet(got) != sortedSet(tc.want) {
			t.Errorf("%s: got %q (%v), want %q", tc.rule, got, err, tc.want)
		}
	}
}

// Joins bind repeated variables, constants and computed terms in body
// atoms.
func TestJoins(t *testing.T) {
	facts := []string{"e(1, 2)", "e(2, 3)", "e(3, 3)", "e(3, 4)", `w(2, "b")`, `w(4, "d")`}
	decls := "      - table e(a, b)\n      - table w(a, n)\n      - output o(a, b)\n"
	tests := []struct{ rule, want string }{
		{"o(X, Z) <= go(), e(X, Y), e(Y, Z)", "o(1, 3); o(2, 3); o(3, 3); o(2, 4); o(3, 4)"},
		{"o(X, X) <= go(), e(X, X)", "o(3, 3)"},
		{`o(X, N) <= go(), e(X, Y), w(Y, N)`, `o(1, "b"); o(3, "d")`},
		{"o(X, Y) <= go(), e(X, Y), e(Y + 1, _)", "o(1, 2)"},
		{"o(X, Y) <= go(), e(X, Y), notin e(Y, _)", "o(3, 4)"},
		{"o(X, Y) <= go(), e(X, Y), notin w(Y, _)", "o(2, 3); o(3, 3)"},
		{`o(X, Y) <= go(), e(X, Y), Z = X * 10 + Y, Z > 30`, "o(3, 3); o(3, 4)"},
	}
	for _, tc := range tests {
		got, err := evalOne(t, decls, tc.rule, facts...)
		// Outputs are sorted; compare as sets.
		if err != nil || sortedSet(got) != sortedSet(tc.want) {
			t.Errorf("%s: got %q (%v), want %q", tc.rule, got, err, tc.want)
		}
	}
}

func sortedSet(s string) string {
	parts := strings.Split(s, "; ")
	for i := 1; i < len(parts); i++ {
		for j := i; j > 0 && parts[j] < parts[j-1]; j-- {
			parts[j], parts[j-1] = parts[j-1], parts[j]
		}
	}
	return strings.Join(parts, "; ")
}
