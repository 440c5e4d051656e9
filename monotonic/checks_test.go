package monotonic

import (
	"reflect"
	"strings"
	"testing"
)

// A case is a spec, the analyzer to run on it, and the findings it must
// give: "collections" keys (comma-separated, as in Finding.Collections)
// and substrings every finding's message must contain.
type checkCase struct {
	name     string
	src      string
	want     []string // collections of each finding, in report order
	contains []string // substrings of the findings' messages (all of them)
	of       string   // when set, contains applies to the findings with these collections only
}

func runCases(t *testing.T, a *Analyzer, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := compose(t, tc.src)
			_, fs := run(t, p, a)
			var got []string
			for _, f := range fs {
				if f.Check != a.Name {
					t.Errorf("finding of check %s from analyzer %s", f.Check, a.Name)
				}
				if f.Severity != a.Severity {
					t.Errorf("severity %v, want %v", f.Severity, a.Severity)
				}
				if !f.Pos.IsValid() || f.Pos.File != "t.yaml" {
					t.Errorf("finding without a position: %+v", f)
				}
				got = append(got, strings.Join(f.Collections, ","))
				for _, s := range tc.contains {
					if tc.of != "" && tc.of != strings.Join(f.Collections, ",") {
						continue
					}
					if !strings.Contains(f.Message, s) {
						t.Errorf("message %q does not contain %q", f.Message, s)
					}
				}
			}
			if !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("findings %q, want %q", got, tc.want)
				for _, f := range fs {
					t.Logf("  %s: %s", f.Pos, f.Message)
				}
			}
		})
	}
}

func TestUnstratifiable(t *testing.T) {
	runCases(t, Unstratifiable, []checkCase{
		{name: "negation cycle", src: spec(
			[]string{"input in(x)", "scratch a(x)", "scratch b(x)", "output out(x)"},
			"a(X) <= in(X)",
			"a(X) <= b(X)",
			"b(X) <= in(X), notin a(X)",
			"out(X) <= b(X)"),
			want: []string{"a,b"},
			contains: []string{"cycle a -> b -> a", "notin a in b <= in, notin a (t.yaml:12)",
				"a -> b (<= at t.yaml:12, notin), b -> a (<= at t.yaml:11)"}},
		{name: "aggregate cycle", src: spec(
			[]string{"scratch c() => (n)", "scratch d(n)"},
			"c(count<X>) <= d(X)",
			"d(N) <= c(N)"),
			want: []string{"d,c"}, contains: []string{"cycle d -> c -> d", "count<X>", "remove the aggregation"}},
		{name: "temporal edge breaks the cycle", src: spec(
			[]string{"input in(x)", "scratch a(x)", "scratch b(x)"},
			"a(X) <= in(X)",
			"a(X) <+ b(X)",
			"b(X) <= in(X), notin a(X)")},
		{name: "deletion cycle is temporal", src: spec(
			[]string{"input in(x)", "table t(x)"},
			"t(X) <+ in(X)",
			"t(X) <- t(X), in(X)")},
		{name: "monotonic cycle", src: spec(
			[]string{"scratch a(x)", "scratch b(x)"},
			"a(X) <= b(X)",
			"b(X) <= a(X)")},
		{name: "two nonmonotonic edges, one component", src: spec(
			[]string{"scratch a(x)", "scratch b(x)", "scratch c(x)"},
			"a(X) <= c(X)",
			"b(X) <= c(X), notin a(X)",
			"c(X) <= a(X), notin b(X)"),
			want: []string{"a,b,c"}, contains: []string{"cycle a -> b -> c -> a", "1 more nonmonotonic edges"}},
		{name: "self negation", src: spec(
			[]string{"input in(x)", "scratch a(x)"},
			"a(X) <= in(X), notin a(X)"),
			want: []string{"a"}, contains: []string{"cycle a -> a"}},
	})
}

func TestUnstratifiableHasNoStrata(t *testing.T) {
	p := compose(t, spec([]string{"input in(x)", "scratch a(x)"}, "a(X) <= in(X), notin a(X)"))
	if res, _ := run(t, p); res.Strata != nil {
		t.Errorf("strata of an unstratifiable program: %v", res.Strata)
	}
}

func TestStrata(t *testing.T) {
	p := compose(t, spec(
		[]string{"input in(x)", "scratch a(x)", "scratch b(x)", "scratch c() => (n)", "output out(n)", "table t(x)"},
		"a(X) <= in(X)",
		"b(X) <= in(X), notin a(X)",
		"c(count<X>) <= b(X)",
		"out(N) <= c(N)",
		"t(X) <+ b(X)",
		"a(X) <= t(X)", // temporal edges impose no order
	))
	res, _ := run(t, p)
	got := map[string]int{}
	for v, s := range res.Strata {
		got[res.Graph.Nodes[v].Name] = s
	}
	want := map[string]int{"in": 0, "a": 0, "b": 1, "c": 2, "out": 2, "t": 0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("strata %v, want %v", got, want)
	}
}

func TestUnderspecified(t *testing.T) {
	runCases(t, Underspecified, []checkCase{
		{name: "input nothing reads", src: spec([]string{"input in(x)", "output out(x)", "scratch s(x)"}, "out(X) <= s(X)", "s(1) <= s(1)"),
			want: []string{"in"}, contains: []string{"in -> ??", "declared by M"}},
		{name: "output nothing writes", src: spec([]string{"input in(x)", "output out(x)", "scratch s(x)"}, "s(X) <= in(X)"),
			want: []string{"out"}, contains: []string{"?? -> out"}},
		{name: "channel written, never read", src: spec([]string{"input in(x)", "channel ch(@d, x)"}, "ch(X, X) <~ in(X)"),
			want: []string{"ch"}, contains: []string{"written but never read"}},
		{name: "channel read, never written", src: spec([]string{"output out(x)", "channel ch(@d, x)"}, "out(X) <= ch(_, X)"),
			want: []string{"ch"}, contains: []string{"read but never written"}},
		{name: "connected", src: spec([]string{"input in(x)", "output out(x)", "channel ch(@d, x)"}, "ch(X, X) <~ in(X)", "out(X) <= ch(_, X)")},
		{name: "channel neither read nor written is unused, not underspecified", src: spec([]string{"input in(x)", "output out(x)", "channel ch(@d, x)"}, "out(X) <= in(X)")},
		// Bud does not count a rule that reads an interface into itself.
		{name: "input read only by its own rule", src: spec([]string{"input in(k)", "output out(k)", "table t(k)"}, "in(K) <= in(K)", "out(K) <= t(K)", "t(1) <= t(1)"),
			want: []string{"in"}, contains: []string{"read only by a rule that writes it back (in <= in)", "in -> ??"}},
		{name: "output written only from itself", src: spec([]string{"input in(k)", "output out(k)", "table t(k)"}, "out(K) <= out(K)", "t(K) <= in(K)"),
			want: []string{"out"}, contains: []string{"written only from itself (out <= out)", "?? -> out"}},
		{name: "a self rule beside a real one is fine", src: spec([]string{"input in(k)", "output out(k)"}, "out(K) <= out(K)", "out(K) <= in(K)", "in(K) <= in(K)")},
		{name: "a self rule that also reads another collection writes", src: spec([]string{"input in(k)", "output out(k)"}, "out(K) <= out(K), in(K)")},
	})
}

func TestUnused(t *testing.T) {
	runCases(t, Unused, []checkCase{
		{name: "table", src: spec([]string{"input in(x)", "output out(x)", "table t(x)", "periodic p(i) => (t) every 2"}, "out(X) <= in(X)"),
			want: []string{"t", "p"}, contains: []string{"never read or written"}},
		{name: "interfaces are underspecified instead", src: spec([]string{"input in(x)", "output out(x)"})},
		{name: "written only is used", src: spec([]string{"input in(x)", "table log(x)"}, "log(X) <= in(X)")},
	})
}

func TestNonmonotonicCycle(t *testing.T) {
	runCases(t, NonmonotonicCycle, []checkCase{
		{name: "deletion self-loop", src: spec([]string{"input in(k) => (v)", "table t(k) => (v)"},
			"t(K, V) <+ in(K, V)", "t(K, V) <- t(K, V), in(K, _)"),
			want: []string{"t"}, contains: []string{"cycle t -> t", "deletion (<-)", "t <- t defers it"}},
		{name: "negation through a deferred edge", src: spec([]string{"input in(x)", "scratch a(x)", "table b(x)"},
			"a(X) <= in(X), notin b(X)", "b(X) <+ a(X)"),
			want: []string{"b,a"}, contains: []string{"cycle b -> a -> b", "b <+ a defers it"}},
		{name: "unstratifiable is not a note", src: spec([]string{"input in(x)", "scratch a(x)"}, "a(X) <= in(X), notin a(X)")},
		{name: "monotonic temporal cycle", src: spec([]string{"table a(x)"}, "a(X) <+ a(X)")},
	})
}

func TestPointOfOrder(t *testing.T) {
	runCases(t, PointOfOrder, []checkCase{
		{name: "negation of an input", src: spec(
			[]string{"input in(x)", "input other(x)", "scratch a(x)", "output out(x)"},
			"a(X) <= other(X)", "out(X) <= other(X), notin a(X), notin in(X)"),
			want: []string{"out,a,in,other"}, contains: []string{"notin a, notin in, a timing join (other meets notin in (reached only locally) in the same timestep)", "from in, other", "observed", "keyed by (x)"}},
		{name: "negation of static state is not a point of order", src: spec(
			[]string{"input in(x)", "table config(x)", "output out(x)"},
			"out(X) <= in(X), notin config(X)")},
		{name: "aggregate into a table is persisted", src: spec(
			[]string{"input in(k, v)", "table total(k) => (n)", "output out(k, n)"},
			"total(K, count<V>) <= in(K, V)", "out(K, N) <= total(K, N)"),
			want: []string{"total,in"}, contains: []string{"count<V>", "persisted (its result reaches a table)", "keyed by (k)"}},
		{name: "aggregate observed downstream only", src: spec(
			[]string{"input in(k, v)", "scratch total(k) => (n)", "output out(k, n)"},
			"total(K, count<V>) <= in(K, V)", "out(K, N) <= total(K, N)"),
			want: []string{"total,in"}, contains: []string{"observed"}},
		{name: "result reaching a table later is persisted", src: spec(
			[]string{"input in(k, v)", "scratch total(k) => (n)", "table log(k, n)"},
			"total(K, count<V>) <= in(K, V)", "log(K, N) <+ total(K, N)"),
			want: []string{"total,in"}, contains: []string{"persisted (its result reaches a table)"}},
		{name: "deletion is persisted", src: spec(
			[]string{"input put(k) => (v)", "table t(k) => (v)"},
			"t(K, V) <+ put(K, V)", "t(K, V) <- t(K, V), put(K, _)"),
			want: []string{"t,put"}, contains: []string{"deletion (<-)", "persisted (a deletion or overwrite lasts)"}},
		{name: "upsert is persisted", src: spec(
			[]string{"input put(k) => (v)", "table t(k) => (v)"},
			"t(K, V) <+- put(K, V)"),
			want: []string{"t,put"}, contains: []string{"upsert (<+-)", "persisted"}},
		{name: "reached through a channel only", src: spec(
			[]string{"periodic tick(i) => (t) every 1", "channel ch(@d, t)", "scratch c() => (n)", "output out(n)"},
			"ch(I, T) <~ tick(I, T)", "c(count<T>) <= ch(_, T)", "out(N) <= c(N)"),
			want: []string{"c,ch"}, contains: []string{"reached asynchronously through ch;"}},
		{name: "timer without a channel is not asynchronous", src: spec(
			[]string{"periodic tick(i) => (t) every 1", "scratch c() => (n)", "output out(n)"},
			"c(count<T>) <= tick(_, T)", "out(N) <= c(N)")},
		{name: "diamond: one finding for the rule", src: spec(
			[]string{"input in(x)", "scratch a(x)", "scratch b(x)", "scratch c(x)", "output out(x)"},
			"a(X) <= in(X)", "b(X) <= in(X)", "c(X) <= a(X), notin b(X)", "out(X) <= c(X)"),
			want: []string{"c,b"}, contains: []string{"from in;"}},
		{name: "dangling read end is an entry", src: spec(
			[]string{"output resp(k) => (v)", "input req(k)", "scratch miss(k)"},
			"miss(K) <= req(K), notin resp(K, _)"),
			want: []string{"miss,resp,req"}, contains: []string{"from resp, req;"}},
	})
}

// Overrides change the composed program's rules, and so its points of
// order: a block replaced by a monotonic one removes the point of order,
// a block replaced by a nonmonotonic one adds one.
func TestPointOfOrderOverrides(t *testing.T) {
	const src = `modules:
  Base:
    state:
      - input  ev(k, v)
      - table  log(k, v)
      - scratch summary(k) => (n)
      - output out(k, n)
    rules:
      keep:
        - log(K, V) <= ev(K, V)
      summarize:
        - summary(K, count<V>) <= log(K, V)
      report:
        - out(K, N) <= summary(K, N)
  Monotonic:
    include: [Base]
    rules:
      summarize:                  # replaces Base's aggregate
        - summary(K, V) <= log(K, V)
  Strict:
    include: [Monotonic]
    state:
      - table seen(k)
    rules:
      keep:                       # replaces a monotonic block with a negation
        - log(K, V) <= ev(K, V), notin seen(K)
        - seen(K) <+ ev(K, _)
`
	count := func(root string) []string {
		_, fs := run(t, compose(t, src, root), PointOfOrder)
		return keys(fs)
	}
	if got := count("Base"); !reflect.DeepEqual(got, []string{"point-of-order: summary,log"}) {
		t.Errorf("Base: %v", got)
	}
	if got := count("Monotonic"); len(got) != 0 {
		t.Errorf("Monotonic (override removes the aggregate): %v", got)
	}
	if got := count("Strict"); !reflect.DeepEqual(got, []string{"point-of-order: log,seen,ev"}) {
		t.Errorf("Strict (override adds a negation): %v", got)
	}
}

func TestDiffluentPath(t *testing.T) {
	runCases(t, DiffluentPath, []checkCase{
		{name: "A then N", src: spec(
			[]string{"input in(x)", "channel ch(@d, x)", "scratch c() => (n)", "output out(n)"},
			"ch(X, X) <~ in(X)", "c(count<X>) <= ch(_, X)", "out(N) <= c(N)"),
			want:     []string{"c,ch"},
			contains: []string{"path in -> out is diffluent (D)", "after the asynchronous ch <~ in (t.yaml:10)", "count<X> in c <= ch (t.yaml:11)", "coordinate there (t.yaml:11)"}},
		{name: "N then A is N", src: spec(
			[]string{"input in(x)", "channel ch(@d, n)", "scratch c() => (n)", "output out(n)"},
			"c(count<X>) <= in(X)", "ch(N, N) <~ c(N)", "out(N) <= ch(_, N)")},
		{name: "N then A then N is D", src: spec(
			[]string{"input in(x)", "channel ch(@d, n)", "scratch c() => (n)", "scratch e() => (n)", "output out(n)"},
			"c(count<X>) <= in(X)", "ch(N, N) <~ c(N)", "e(count<N>) <= ch(_, N)", "out(N) <= e(N)"),
			want: []string{"e,ch"}},
		{name: "cycle with an A and an N edge is D inside", src: spec(
			[]string{"input in(x)", "scratch a(x)", "channel ch(@d, x)", "scratch b(x)", "scratch c() => (n)", "output out(x)"},
			"a(X) <= in(X)", "ch(X, X) <~ a(X)", "b(X) <= ch(_, X)", "c(count<X>) <= b(X)", "a(N) <= c(N)", "out(X) <= a(X)"),
			want: []string{"c,b"}},
		{name: "A and N paths merge before an N edge", src: spec(
			[]string{"input in(x)", "channel ch(@d, x)", "scratch a(x)", "scratch b() => (n)", "scratch m(x)", "scratch c() => (n)", "output out(n)"},
			"ch(X, X) <~ in(X)", "a(X) <= ch(_, X)", "b(count<X>) <= in(X)",
			"m(X) <= a(X)", "m(N) <= b(N)", "c(count<X>) <= m(X)", "out(N) <= c(N)"),
			want: []string{"c,m"}},
		{name: "asynchronous only", src: spec(
			[]string{"input in(x)", "channel ch(@d, x)", "output out(x)"},
			"ch(X, X) <~ in(X)", "out(X) <= ch(_, X)")},
	})
}

// A place where paths become D is one finding, whatever the number of
// pairs: the pairs are all listed (the one of the flow first), the
// message names the first few, and the flow is the shortest witness.
func TestDiffluentOnePerPlace(t *testing.T) {
	p := compose(t, spec(
		[]string{"input in1(x)", "input in2(x)", "input in3(x)", "channel ch(@d, x)", "scratch far(x)", "scratch c() => (n)",
			"scratch d() => (n)", "output out1(n)", "output out2(n)", "output out3(n)"},
		"ch(X, X) <~ in1(X)", "ch(X, X) <~ in2(X)", "far(X) <= in3(X)", "ch(X, X) <~ far(X)",
		"c(count<X>) <= ch(_, X)", "out1(N) <= c(N)", "out2(N) <= c(N)",
		"d(count<X>) <= in1(X)", "out3(N) <= d(N)"))
	for _, a := range []*Analyzer{DiffluentPath, MissingCoordination} {
		_, fs := run(t, p, a)
		if len(fs) != 1 {
			t.Fatalf("%s: %d findings, want one (the count into c): %v", a.Name, len(fs), messages(fs))
		}
		f := fs[0]
		want := []Pair{{"in1", "out1"}, {"in2", "out1"}, {"in3", "out1"}, {"in1", "out2"}, {"in2", "out2"}, {"in3", "out2"}}
		if !reflect.DeepEqual(f.Pairs, want) {
			t.Errorf("%s: pairs %v, want %v", a.Name, f.Pairs, want)
		}
		if !reflect.DeepEqual(f.Collections, []string{"c", "ch"}) || !reflect.DeepEqual(f.Inputs, []string{"in1", "in2", "in3"}) {
			t.Errorf("%s: collections %v, inputs %v", a.Name, f.Collections, f.Inputs)
		}
		if !strings.Contains(f.Message, "paths in1 -> out1, in2 -> out1, in3 -> out1 and 3 more (6 in all) are diffluent (D)") {
			t.Errorf("%s: message %q", a.Name, f.Message)
		}
		if len(f.Flow) != 3 || f.Flow[0].From != "in1" || f.Flow[2].To != "out1" {
			t.Errorf("%s: flow %+v, want in1 -> ch -> c -> out1", a.Name, f.Flow)
		}
	}
}
