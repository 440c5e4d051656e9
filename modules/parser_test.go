package modules

import (
	"strings"
	"testing"
)

func parseRuleOK(t *testing.T, src string) *Rule {
	t.Helper()
	r, ds := ParseRule(src, LinePos("t.yaml", 1, 1))
	if len(ds) > 0 {
		t.Fatalf("ParseRule(%q): unexpected errors:\n%v", src, ds)
	}
	return r
}

// TestParseRuleConstructs covers every construct of the rule grammar: the
// canonical rendering shows how each was parsed.
func TestParseRuleConstructs(t *testing.T) {
	tests := []struct {
		name, src, want string
		op              Op
	}{
		{"merge", "a(X) <= b(X)", "a(X) <= b(X)", OpMerge},
		{"defer", "a(X) <+ b(X)", "a(X) <+ b(X)", OpDefer},
		{"delete", "a(X) <- a(X), b(X)", "a(X) <- a(X), b(X)", OpDelete},
		{"upsert", "a(K, V) <+- b(K, V)", "a(K, V) <+- b(K, V)", OpUpsert},
		{"async", "c(D, X) <~ b(D, X)", "c(D, X) <~ b(D, X)", OpAsync},
		{"no spaces", "a(X)<=b(X)", "a(X) <= b(X)", OpMerge},
		{"no spaces upsert", "a(X)<+-b(X)", "a(X) <+- b(X)", OpUpsert},
		{"bare", "pipe_chan <~ pipe_in", "pipe_chan <~ pipe_in", OpAsync},
		{"bare merge", "pipe <= pipe_in", "pipe <= pipe_in", OpMerge},
		{"notin", "a(X) <= b(X), notin c(X, _)", "a(X) <= b(X), notin c(X, _)", OpMerge},
		{"wildcards", "a(X) <= b(_, X, _)", "a(X) <= b(_, X, _)", OpMerge},
		{"string const", `a(X) <= b(X, "A")`, `a(X) <= b(X, "A")`, OpMerge},
		{"string escapes", `a(X) <= b(X, "say \"hi\"\\")`, `a(X) <= b(X, "say \"hi\"\\")`, OpMerge},
		{"int and bool", "a(X, 3, true) <= b(X, false)", "a(X, 3, true) <= b(X, false)", OpMerge},
		{"negative int", "a(X, -3) <= b(X)", "a(X, -3) <= b(X)", OpMerge},
		{"comparisons", `a(X) <= b(X, Y), X == "A", Y != 2, X < Y, X <= Y, X > Y, X >= Y`,
			`a(X) <= b(X, Y), X == "A", Y != 2, X < Y, X <= Y, X > Y, X >= Y`, OpMerge},
		{"less than negative", "a(X) <= b(X), X <-1", "a(X) <= b(X), X < -1", OpMerge},
		{"binding", "a(Z) <= b(X, Y), Z = X + Y * 2", "a(Z) <= b(X, Y), Z = X + (Y * 2)", OpMerge},
		{"arithmetic", "a(X - Y / 2, -X) <= b(X, Y)", "a(X - (Y / 2), -X) <= b(X, Y)", OpMerge},
		{"parentheses", "a((X - Y) * 2) <= b(X, Y)", "a((X - Y) * 2) <= b(X, Y)", OpMerge},
		{"list term", "a([X, Y], []) <= b(X, Y)", "a([X, Y], []) <= b(X, Y)", OpMerge},
		{"list pattern", "a(S, I) <= mcast_done(_, [S, I, A, R])", "a(S, I) <= mcast_done(_, [S, I, A, R])", OpMerge},
		{"builtins", "a(me(), append(L, X), delete_one(L, X), len(L), concat(L, L), min(X, 1), max(X, 1)) <= b(L, X)",
			"a(me(), append(L, X), delete_one(L, X), len(L), concat(L, L), min(X, 1), max(X, 1)) <= b(L, X)", OpMerge},
		{"call in comparison", "a(L) <= b(L), len(L) > 0", "a(L) <= b(L), len(L) > 0", OpMerge},
		{"aggregates", "a(K, count<X>, count<>, sum<X>, min<X>, max<X>, avg<X>, accum<X>, choose<X>) <= b(K, X)",
			"a(K, count<X>, count<>, sum<X>, min<X>, max<X>, avg<X>, accum<X>, choose<X>) <= b(K, X)", OpMerge},
		{"aggregate of expression", "a(K, sum<X * 2>) <= b(K, X)", "a(K, sum<X * 2>) <= b(K, X)", OpMerge},
		{"multi-line", "status(C, N - M) <= cnt(C, N),\n    other(C, M)", "status(C, N - M) <= cnt(C, N), other(C, M)", OpMerge},
		{"empty head", "tick() <= b(X)", "tick() <= b(X)", OpMerge},
		{"unicode names", "a(Ünïcode) <= b(Ünïcode)", "a(Ünïcode) <= b(Ünïcode)", OpMerge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parseRuleOK(t, tc.src)
			if got := r.String(); got != tc.want {
				t.Errorf("ParseRule(%q) = %q, want %q", tc.src, got, tc.want)
			}
			if r.Op != tc.op {
				t.Errorf("op = %v, want %v", r.Op, tc.op)
			}
			// The canonical rendering parses back to itself.
			if again := parseRuleOK(t, r.String()).String(); again != tc.want {
				t.Errorf("round trip: %q -> %q", tc.want, again)
			}
		})
	}
}

func TestParseRuleStructure(t *testing.T) {
	r := parseRuleOK(t, `action_cnt(S, I, "D", 0) <= cart_action(S, I, _, _), notin cart_action(S, I, "D", _)`)
	atoms := r.BodyAtoms()
	if len(atoms) != 2 || atoms[0].Negated || !atoms[1].Negated {
		t.Fatalf("body atoms = %v", atoms)
	}
	if !r.NonmonotonicUse(atoms[1]) || r.NonmonotonicUse(atoms[0]) {
		t.Errorf("only the notin atom is a nonmonotonic use")
	}
	src := `action_cnt(S, I, "D", 0) <= cart_action(S, I, _, _), notin cart_action(S, I, "D", _)`
	if got, want := atoms[1].Pos().Col, strings.Index(src, "notin")+1; got != want {
		t.Errorf("notin literal at column %d, want %d", got, want)
	}
	if got, want := atoms[1].P.Col, strings.LastIndex(src, "cart_action")+1; got != want {
		t.Errorf("negated atom at column %d, want %d", got, want)
	}
	agg := parseRuleOK(t, "action_cnt(S, I, A, count<R>) <= cart_action(S, I, A, R)")
	if !agg.HasAggregate() || strings.Join(agg.GroupingKey(), ",") != "S,I,A" {
		t.Errorf("aggregate rule: HasAggregate=%v key=%v", agg.HasAggregate(), agg.GroupingKey())
	}
	if !agg.NonmonotonicUse(agg.BodyAtoms()[0]) {
		t.Errorf("a body atom under an aggregate is a nonmonotonic use")
	}
	del := parseRuleOK(t, "t(K, V) <- t(K, V), p(K)")
	for _, a := range del.BodyAtoms() {
		if !del.NonmonotonicUse(a) {
			t.Errorf("every body atom of a deletion is a nonmonotonic use")
		}
	}
	if r.Pos != (Pos{File: "t.yaml", Line: 1, Col: 1}) || r.OpPos.Col != 26 {
		t.Errorf("head at %v, op at %v", r.Pos, r.OpPos)
	}
}

// TestParseRuleErrors checks every error class with its exact line:col.
func TestParseRuleErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "1:1: expected a collection name as the rule's head, found end of text"},
		{"variable head", "X <= b(X)", `1:1: expected a collection name as the rule's head, found variable "X" (collection names start with a lowercase letter)`},
		{"no operator", "a(X) b(X)", `1:6: expected a rule operator (<=, <+, <-, <+-, <~) after the head, found "b"`},
		{"no body", "a(X) <=", "1:8: expected a body after <="},
		{"trailing comma", "a(X) <= b(X),", "1:14: expected a literal after ','"},
		{"unclosed args", "a(X <= b(X)", "1:5: expected ',' or ')' in argument list, found '<='"},
		{"garbage after literal", "a(X) <= b(X) c(X)", `1:14: expected ',' or end of rule, found "c"`},
		{"illegal char", "a(X) <= b(X), X == #", `1:20: unexpected character "#"`},
		{"unterminated string", `a(X) <= b(X, "oops)`, "1:14: string not terminated"},
		{"bad escape", `a(X) <= b(X, "a\q")`, `1:16: unknown escape "\\q" in string`},
		{"unknown function", "a(f(X)) <= b(X)", `1:3: unknown function "f" (built-ins: me, append, delete_one, len, concat, min, max; lattice functions: size, contains, at, fst, snd, gt, ge, lt, le, when_true, reveal)`},
		{"wrong arity call", "a(len(X, X)) <= b(X)", "1:3: function len takes 1 argument, found 2"},
		{"lowercase term", "a(x) <= b(x)", `1:3: unexpected name "x" in a term: variables start with an uppercase letter or _, and a function call needs parentheses`},
		{"aggregate in body", "a(X) <= b(X), count<X> > 1", "1:15: aggregate count<...> is only allowed in the head of a rule"},
		{"aggregate in body atom", "a(X) <= b(count<X>)", "1:11: aggregate count<...> is only allowed in the head of a rule"},
		{"nested aggregate", "a(sum<count<X>>) <= b(X)", "1:7: nested aggregate count<...> inside another aggregate"},
		{"aggregate without argument", "a(sum<>) <= b(X)", "1:7: aggregate sum needs an argument: sum<X>"},
		{"aggregate without brackets", "a(K, sum) <= b(K)", "1:6: aggregate sum needs an argument in angle brackets: sum<X>"},
		{"assign non-variable", "a(X) <= b(X), 1 = X", "1:17: only a variable can be bound with '='; use '==' to compare"},
		{"missing comparison", "a(X) <= b(X), X + 1", "1:20: expected a comparison operator (==, !=, <, <=, >, >=) after X + 1, found end of text"},
		{"notin bare", "a <= b, notin c", "1:15: notin needs an atom with arguments: notin c(...)"},
		{"notin variable", "a(X) <= b(X), notin X", `1:21: expected a collection after notin, found "X"`},
		{"bare head with args body", "a <= b(X)", "1:1: a bare collection name (without arguments) is only allowed as \"head <= body\" with one bare body atom; give the arguments"},
		{"bare body with args head", "a(X) <= b", "1:9: a bare collection name (without arguments) is only allowed as \"head <= body\" with one bare body atom; give the arguments"},
		{"bare two atoms", "a <= b, c", "1:1: a bare collection name (without arguments) is only allowed as \"head <= body\" with one bare body atom; give the arguments"},
		{"int overflow", "a(99999999999999999999) <= b(X)", "1:3: integer 99999999999999999999 out of range"},
		{"unclosed list", "a([X, Y) <= b(X, Y)", "1:8: expected ']' to close the list, found ')'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ds := ParseRule(tc.src, LinePos("", 1, 1))
			if r != nil {
				t.Errorf("ParseRule(%q) returned a rule despite errors", tc.src)
			}
			if len(ds) == 0 {
				t.Fatalf("ParseRule(%q): no error, want %q", tc.src, tc.want)
			}
			got := ds[0].Pos.String() + ": " + ds[0].Message
			if got != tc.want {
				t.Errorf("ParseRule(%q)\n got %s\nwant %s", tc.src, got, tc.want)
			}
			for _, d := range ds {
				if d.Severity != Error {
					t.Errorf("severity %v, want error", d.Severity)
				}
			}
		})
	}
}

// TestParseRuleSeveralErrors: the parser resynchronises at commas and
// reports each bad literal.
func TestParseRuleSeveralErrors(t *testing.T) {
	_, ds := ParseRule("a(X) <= b(X), X == #, c(X, Y Z), d(f(X))", LinePos("", 1, 1))
	var got []string
	for _, d := range ds {
		got = append(got, d.Pos.String()+": "+d.Message)
	}
	want := []string{
		`1:20: unexpected character "#"`,
		`1:30: expected ',' or ')' in argument list, found "Z"`,
		`1:36: unknown function "f" (built-ins: me, append, delete_one, len, concat, min, max; lattice functions: size, contains, at, fst, snd, gt, ge, lt, le, when_true, reveal)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseDecl(t *testing.T) {
	tests := []struct{ src, want string }{
		{"table bigtable(key) => (value)", "table bigtable(key) => (value)"},
		{"scratch s(a, b)", "scratch s(a, b)"},
		{"input tick()", "input tick()"},
		{"output o(a) => ()", "output o(a)"},
		{"table config() => (limit)", "table config() => (limit)"},
		{"channel pipe_chan(@dst, src, ident) => (payload)", "channel pipe_chan(@dst, src, ident) => (payload)"},
		{"periodic clock(id) => (time) every 2", "periodic clock(id) => (time) every 2"},
		{"  table   t( a ,b )=>(c)  ", "table t(a, b) => (c)"},
	}
	for _, tc := range tests {
		d, ds := ParseDecl(tc.src, LinePos("", 1, 1))
		if len(ds) > 0 {
			t.Errorf("ParseDecl(%q): %v", tc.src, ds)
			continue
		}
		if d.String() != tc.want {
			t.Errorf("ParseDecl(%q) = %q, want %q", tc.src, d.String(), tc.want)
		}
	}
	d, _ := ParseDecl("channel c(@dst, src) => (p)", LinePos("f", 3, 7))
	if d.Kind != Channel || d.AddrIndex() != 0 || d.Arity() != 3 || d.NamePos != (Pos{"f", 3, 15}) || d.Key[1].Pos != (Pos{"f", 3, 23}) {
		t.Errorf("channel decl = %+v", d)
	}
}

func TestParseDeclErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty", "", "1:1: expected a collection kind (table, scratch, input, output, channel, periodic, lattice), found end of text"},
		{"unknown kind", "tabel t(a)", `1:1: unknown collection kind "tabel" (want table, scratch, input, output, channel, periodic or lattice)`},
		{"bloom interface", "interface input, :x", `1:1: unknown collection kind "interface": write input or output`},
		{"no name", "table (a)", "1:7: expected a collection name after \"table\", found '(' (collection names start with a lowercase letter)"},
		{"capital name", "table T(a)", "1:7: expected a collection name after \"table\", found \"T\" (collection names start with a lowercase letter)"},
		{"no columns", "table t", "1:8: expected '(' to open the key columns, found end of text"},
		{"unclosed", "table t(a, b", "1:13: expected ')' to close the key columns, found end of text"},
		{"bad column", "table t(1)", `1:9: expected a column name, found "1"`},
		{"trailing", "table t(a) extra", `1:12: unexpected "extra" after declaration`},
		{"no @", "channel c(dst, src)", "1:9: channel c must have exactly one @ column (the destination address), found 0"},
		{"two @", "channel c(@dst, @src)", "1:9: channel c must have exactly one @ column (the destination address), found 2"},
		{"@ in value", "channel c(dst) => (@src)", "1:20: the @ address column of channel c must be a key column (before =>)"},
		{"@ in table", "table t(@a)", "1:9: only a channel has an @ address column (t is a table)"},
		{"duplicate column", "table t(a, a)", `1:12: duplicate column "a" in t`},
		{"periodic without interval", "periodic p(id) => (time)", "1:25: periodic p needs an interval: add \"every N\" (timesteps)"},
		{"periodic zero", "periodic p(id) => (time) every 0", "1:32: periodic interval must be a positive integer, found 0"},
		{"every on table", "table t(a) every 3", "1:12: only a periodic collection has an interval (every)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, ds := ParseDecl(tc.src, LinePos("", 1, 1))
			if d != nil || len(ds) == 0 {
				t.Fatalf("ParseDecl(%q) = %v, %v; want error %q", tc.src, d, ds, tc.want)
			}
			if got := ds[0].Pos.String() + ": " + ds[0].Message; got != tc.want {
				t.Errorf("ParseDecl(%q)\n got %s\nwant %s", tc.src, got, tc.want)
			}
		})
	}
}
