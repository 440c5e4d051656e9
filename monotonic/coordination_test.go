package monotonic

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
)

// mod writes a spec file of one module M: its state, extra module keys
// (YAML lines such as "seals: [...]"), and blocks (name -> rules; a name
// "name@kind:coll" gives the block a coordination of that kind on coll).
func mod(state []string, extra []string, blocks ...[]string) string {
	var b strings.Builder
	b.WriteString("modules:\n  M:\n    state:\n")
	for _, s := range state {
		fmt.Fprintf(&b, "      - '%s'\n", s)
	}
	for _, e := range extra {
		fmt.Fprintf(&b, "    %s\n", e)
	}
	b.WriteString("    rules:\n")
	for i, blk := range blocks {
		name := fmt.Sprintf("b%d", i)
		rules := blk
		if strings.Contains(blk[0], "@") {
			kind, on, _ := strings.Cut(strings.TrimPrefix(blk[0], "@"), ":")
			fmt.Fprintf(&b, "      %s:\n        coordination: {kind: %s, on: [%s]}\n        rules:\n", name, kind, on)
			for _, r := range blk[1:] {
				fmt.Fprintf(&b, "          - '%s'\n", r)
			}
			continue
		}
		fmt.Fprintf(&b, "      %s:\n", name)
		for _, r := range rules {
			fmt.Fprintf(&b, "        - '%s'\n", r)
		}
	}
	return b.String()
}

// The votes example: a ballot channel, a count per choice, a close
// message that observes it.
var votes = []string{"input vote(server, voter, choice)", "input close(server, choice)", "channel ballot(@server, voter, choice)",
	"channel closing(@server, choice)", "table ballots(voter, choice)", "scratch tally(choice) => (n)",
	"scratch ordered(voter, choice)", "output result(choice, n)"}

func TestMissingCoordination(t *testing.T) {
	send := []string{"ballot(S, V, C) <~ vote(S, V, C)", "closing(S, C) <~ close(S, C)"}
	count := []string{"tally(C, count<V>) <= ballots(V, C)", "result(C, N) <= tally(C, N), closing(_, C)"}
	runCases(t, MissingCoordination, []checkCase{
		{name: "A then N, a seal proposed", src: mod(votes, nil, send, append([]string{"ballots(V, C) <= ballot(_, V, C)"}, count...)),
			want: []string{"tally,ballots", "result,closing"}, of: "tally,ballots",
			contains: []string{"coordination is missing: path vote -> result is diffluent (D)", "after the asynchronous ballot <~ vote (t.yaml:14)",
				"count<V> in tally <= ballots (t.yaml:18)", "cheapest fix: a seal, since closing carries the key",
				"`seals: [{collection: ballots, key: [choice], by: closing}]`"}},
		{name: "no observer carries the key: ordered delivery", src: mod(votes, nil, send,
			[]string{"ballots(V, C) <= ballot(_, V, C)", "tally(C, count<V>) <= ballots(V, C)", "result(C, N) <= tally(C, N)"}),
			want: []string{"tally,ballots"}, contains: []string{"fix: deliver ballot in one total order"}},
		{name: "an observer without the key is ordered with it", src: mod(votes, nil, send,
			[]string{"ballots(V, C) <= ballot(_, V, C)", "tally(C, count<V>) <= ballots(V, C)", "result(C, N) <= tally(C, N), closing(_, _)"}),
			want: []string{"tally,ballots", "result,closing"}, of: "tally,ballots", contains: []string{"fix: deliver ballot and closing (which observes the result) in one total order"}},
		{name: "coordination between the asynchrony and the count", src: mod(votes, nil, send,
			[]string{"@total-order:ordered", "ordered(V, C) <= ballot(_, V, C)"},
			append([]string{"ballots(V, C) <= ordered(V, C)"}, count...)),
			// The count is ordered, but the closing message still races
			// the ballots at the result (a timing join): both streams
			// must be ordered together.
			want: []string{"result,closing,tally"}, contains: []string{"timing join in result <= tally, closing", "fix: deliver closing and ballot in one total order"}},
		{name: "coordination before the asynchronous edge does not count", src: mod(votes, nil,
			[]string{"@total-order:ordered", "ordered(V, C) <= vote(_, V, C)"},
			[]string{"ballot(V, V, C) <~ ordered(V, C)", "closing(S, C) <~ close(S, C)"},
			append([]string{"ballots(V, C) <= ballot(_, V, C)"}, count...)),
			want: []string{"tally,ballots", "result,closing"}, of: "tally,ballots",
			contains: []string{"the total-order coordination on ordered (M.b0, t.yaml:14:9) comes before the asynchronous step"}},
		{name: "a seal on the count's key", src: mod(votes, []string{"seals: [{collection: ballots, key: [choice], by: closing}]"}, send,
			append([]string{"ballots(V, C) <= ballot(_, V, C)"}, count...))},
		{name: "a seal on the wrong key is still a finding", src: mod(votes, []string{"seals: [{collection: ballots, key: [voter], by: vote}]"}, send,
			append([]string{"ballots(V, C) <= ballot(_, V, C)"}, count...)),
			want: []string{"tally,ballots", "result,closing"}, of: "tally,ballots",
			contains: []string{"the seal ballots per (voter) by vote (t.yaml:12:13) does not cover it: the rule is evaluated per (choice)"}},
		{name: "a seal does not order overwrites", src: mod(
			[]string{"input put(server, k, v)", "channel putc(@server, k, v)", "table store(k) => (v)", "output got(k, v)"},
			[]string{"seals: [{collection: putc, key: [k], by: putc}]"},
			[]string{"putc(S, K, V) <~ put(S, K, V)", "store(K, V) <+- putc(_, K, V)", "got(K, V) <= store(K, V)"}),
			want: []string{"store,putc"}, contains: []string{"upsert (<+-)", "does not cover it"}},
		{name: "no asynchrony", src: mod(votes, nil, []string{"ballots(V, C) <= vote(_, V, C)", "tally(C, count<V>) <= ballots(V, C)", "result(C, N) <= tally(C, N)"})},
	})
}

// With every check, missing-coordination replaces diffluent-path for the
// pairs it reports; a covered pair is a diffluent-path note that says why.
func TestMissingCoordinationReplacesDiffluentPath(t *testing.T) {
	base := []string{"ballot(S, V, C) <~ vote(S, V, C)", "closing(S, C) <~ close(S, C)", "ballots(V, C) <= ballot(_, V, C)",
		"tally(C, count<V>) <= ballots(V, C)", "result(C, N) <= tally(C, N), closing(_, C)"}
	votes := votes[: len(votes)-2 : len(votes)-2]
	votes = append(votes, "output result(choice, n)")
	_, fs := run(t, compose(t, mod(votes, nil, base)))
	// Two places: the count, and the result where the closing message
	// meets the count (a timing join).
	if got := keys(append(of(fs, "diffluent-path"), of(fs, "missing-coordination")...)); !reflect.DeepEqual(got, []string{"missing-coordination: tally,ballots", "missing-coordination: result,closing"}) {
		t.Errorf("uncovered: %v", got)
	}
	_, fs = run(t, compose(t, mod(votes, []string{"seals: [{collection: ballots, key: [choice], by: closing}]"}, base)))
	d := of(fs, "diffluent-path")
	if len(of(fs, "missing-coordination")) != 0 || len(d) != 2 {
		t.Errorf("covered: %v %+v", keys(fs), d)
	}
	for _, d := range d {
		if d.Severity != modules.Note || d.Acknowledged != "sealed: ballots per (choice) by closing (M, t.yaml:11:13)" || !strings.Contains(d.Message, "in Bud's labels") {
			t.Errorf("covered: %+v", d)
		}
	}
	p := of(fs, "point-of-order")
	if len(p) != 2 {
		t.Errorf("the sealed points of order: %+v", p)
	}
	for _, p := range p {
		if p.Severity != modules.Note || !strings.HasPrefix(p.Acknowledged, "sealed: ballots per (choice)") {
			t.Errorf("the sealed point of order: %+v", p)
		}
	}
}

func TestUnneededCoordination(t *testing.T) {
	runCases(t, UnneededCoordination, []checkCase{
		{name: "on a monotonic path", src: mod(votes, nil,
			[]string{"ballot(S, V, C) <~ vote(S, V, C)"},
			[]string{"@voting:ordered", "ordered(V, C) <= ballot(_, V, C)"},
			[]string{"ballots(V, C) <= ordered(V, C)", "result(C, 1) <= ballots(_, C)"}),
			want: []string{"ordered"}, contains: []string{"the voting coordination of M.b1 on ordered changes no path's label", "labelled A (monotonic: coordination-free)", "nothing order-sensitive follows it"}},
		{name: "where the point of order is", src: mod(votes, nil,
			[]string{"ballot(S, V, C) <~ vote(S, V, C)"},
			[]string{"@total-order:ordered", "ordered(V, C) <= ballot(_, V, C)"},
			[]string{"ballots(V, C) <= ordered(V, C)", "tally(C, count<V>) <= ballots(V, C)", "result(C, N) <= tally(C, N)"})},
		{name: "one of two streams of a point of order", src: mod(votes, nil,
			[]string{"ballot(S, V, C) <~ vote(S, V, C)", "closing(S, C) <~ close(S, C)"},
			[]string{"@voting:ordered", "ordered(V, C) <= ballot(_, V, C)"},
			[]string{"ballots(V, C) <= ordered(V, C)", "ballots(C, C) <= closing(_, C)", "tally(C, count<V>) <= ballots(V, C)", "result(C, N) <= tally(C, N)"}),
			want: []string{"ordered"}, contains: []string{"does not address the order-sensitive steps after it: the nonmonotonic count<V> in tally <= ballots (t.yaml:23) is still reached without coordination"}},
		{name: "nothing reaches it", src: mod(votes, nil,
			[]string{"@barrier:ordered", "ordered(V, C) <= ordered(V, C)"},
			[]string{"result(C, 1) <= vote(_, _, C)"}),
			want: []string{"ordered"}, contains: []string{"no input reaches it"}},
	})
}

// A coordination protocol's own nonmonotonic rules (its mechanism) are
// not the program's points of order: they are notes that name the
// coordination, and they do not make the paths through it D.
func TestCoordinationMechanism(t *testing.T) {
	src := mod(
		[]string{"input in(x)", "channel ch(@d, x)", "scratch seen() => (n)", "scratch ordered(x)", "table log(x)", "scratch total() => (n)", "output out(n)"},
		[]string{"coordination: {kind: consensus, on: [ordered]}"},
		[]string{"ch(X, X) <~ in(X)", "seen(count<X>) <= ch(_, X)", "ordered(X) <= ch(_, X), seen(N), N > 0"},
		[]string{"log(X) <= ordered(X)"},
		[]string{"total(count<X>) <= log(X)", "out(N) <= total(N)"},
	)
	res, fs := run(t, compose(t, src))
	// The protocol's own timing join (ch meets the count seen of ch) is
	// its mechanism too.
	if got := keys(fs); !reflect.DeepEqual(got, []string{"point-of-order: seen,ch", "point-of-order: ordered,ch,seen", "diffluent-path: total,log", "point-of-order: total,log"}) {
		t.Fatalf("findings %v", got)
	}
	for _, f := range fs {
		if f.Severity != modules.Note {
			t.Errorf("%s is a %v", f.Message, f.Severity)
		}
	}
	if !strings.HasPrefix(fs[0].Acknowledged, "part of the consensus coordination of M on ordered") ||
		!strings.HasPrefix(fs[1].Acknowledged, "part of the consensus coordination of M on ordered") ||
		!strings.HasPrefix(fs[3].Acknowledged, "coordinated: consensus coordination on ordered (M, t.yaml:") {
		t.Errorf("reasons %q, %q, %q", fs[0].Acknowledged, fs[1].Acknowledged, fs[3].Acknowledged)
	}
	u := res.Coordination
	if len(u) != 1 || !u[0].Needed || len(u[0].Mechanism) != 1 || res.Graph.Nodes[res.Graph.Edges[u[0].Mechanism[0]].To].Name != "seen" {
		t.Errorf("coordination uses %+v", u)
	}
	if v := res.Verdicts; len(v) != 1 || v[0].Label != D || v[0].Effective != N || v[0].Covered == "" {
		t.Errorf("verdicts %+v", v)
	}
}

func TestContract(t *testing.T) {
	proto := `modules:
  Proto:
    state:
      - input  req(k)
      - output resp(k, n)
    contract:
      req -> resp: N
`
	impl := func(rules ...string) string {
		var b strings.Builder
		b.WriteString(proto + "  Impl:\n    include: [Proto]\n    state:\n      - channel net(@d, k)\n      - table   seen(k)\n      - scratch cnt(k) => (n)\n    rules:\n      r:\n")
		for _, r := range rules {
			fmt.Fprintf(&b, "        - '%s'\n", r)
		}
		return b.String()
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"as declared", impl("seen(K) <= req(K)", "cnt(K, count<K>) <= seen(K)", "resp(K, N) <= cnt(K, N)"), nil},
		{"better than declared", impl("resp(K, 1) <= req(K)"), nil},
		{"worse than declared", impl("net(K, K) <~ req(K)", "seen(K) <= net(_, K)", "cnt(K, count<K>) <= seen(K)", "resp(K, N) <= cnt(K, N)"),
			[]string{"t.yaml:18:19: contract broken: Proto declares req -> resp: N (t.yaml:7:7), but in this program the path is D: after the asynchronous net <~ req (t.yaml:16), the nonmonotonic count<K> in cnt <= seen (t.yaml:18) makes it D; Impl does not keep Proto's contract"}},
		{"paths after the output are not the implementation's", impl("resp(K, 1) <= req(K)", "net(K, K) <~ resp(K, _)", "cnt(K, count<K>) <= net(_, K)", "seen(K) <= cnt(K, _)"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, fs := run(t, compose(t, tc.src, "Impl"), Contract)
			var got []string
			for _, f := range fs {
				if f.Severity != modules.Error {
					t.Errorf("%v", f.Severity)
				}
				got = append(got, f.Pos.String()+": "+f.Message)
			}
			if !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// A protocol the program does not realize stands in with its contract:
// the abstract program shows the point of order its abstraction implies.
func TestContractStandsInForTheImplementation(t *testing.T) {
	src := `modules:
  Proto:
    state:
      - input  req(k)
      - output resp(k, n)
    contract:
      req -> resp: N
  User:
    include: [Proto]
    state:
      - input   ask(k)
      - channel net(@d, k)
      - output  answer(k, n)
    rules:
      r:
        - net(K, K) <~ ask(K)
        - req(K) <= net(_, K)
        - answer(K, N) <= resp(K, N)
`
	res, fs := run(t, compose(t, src, "User"))
	poo := of(fs, "point-of-order")
	if len(poo) != 1 || poo[0].Pos.Line != 7 || poo[0].Module != "Proto" ||
		!strings.Contains(poo[0].Message, "point of order implied by the abstraction: the contract req -> resp: N of Proto") ||
		!strings.Contains(poo[0].Message, "reached asynchronously from ask through net") {
		t.Errorf("implied point of order: %s", messages(poo))
	}
	mc := of(fs, "missing-coordination")
	if len(mc) != 1 || mc[0].Pos.Line != 7 || !strings.Contains(mc[0].Message, "the nonmonotonic step implied by the abstraction") {
		t.Errorf("missing coordination: %s", messages(mc))
	}
	if len(res.Paths) != 0 {
		t.Errorf("Bud's labels connect ask to answer: %v", res.Paths)
	}
	if v := res.Verdicts; len(v) != 1 || v[0].Label != D || !v[0].Contract || len(res.ContractEdges) != 1 {
		t.Errorf("verdicts %+v, contract edges %+v", v, res.ContractEdges)
	}
	// The same with a declared N contract as Bot: asynchronous only.
	_, fs = run(t, compose(t, strings.Replace(src, "req -> resp: N", "req -> resp: A", 1), "User"))
	if len(of(fs, "point-of-order")) != 0 || len(of(fs, "missing-coordination")) != 0 {
		t.Errorf("an asynchronous contract implies no point of order: %v", keys(fs))
	}
}

// The labels' automaton with coordination: C, A then coordinated then N
// is N; coordinated then A then N is D again.
func TestCoordinatedStates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps func(s uint8) uint8
		want  Label
	}{
		{"A, coordinated", func(s uint8) uint8 { return afterReset[afterA[s]] }, A},
		{"A, coordinated, N", func(s uint8) uint8 { return afterN[afterReset[afterA[s]]] }, N},
		{"A, coordinated, A, N", func(s uint8) uint8 { return afterN[afterA[afterReset[afterA[s]]]] }, D},
		{"N, A, coordinated, N", func(s uint8) uint8 { return afterN[afterReset[afterA[afterN[s]]]] }, N},
		{"A, N, coordinated", func(s uint8) uint8 { return afterReset[afterN[afterA[s]]] }, D},
		{"A, sealed N", func(s uint8) uint8 { return afterSealed[afterA[s]] }, N},
		{"A, sealed N, A, N", func(s uint8) uint8 { return afterN[afterA[afterSealed[afterA[s]]]] }, D},
		{"contract D", func(s uint8) uint8 { return stepLabel(s, D) }, D},
		{"contract A then N", func(s uint8) uint8 { return afterN[stepLabel(s, A)] }, D},
	} {
		if got := stateL[tc.steps(stBot)]; got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Coordination and seals anywhere never make the analysis fail: every
// built-in program, with a coordination declared on each collection in
// turn, and a seal on each collection by each other on each column they
// share.
func TestCoordinationAnywhere(t *testing.T) {
	for _, name := range []string{"delivery-protocol", "basic-kvs", "replicated-kvs", "destructive-cart", "replicated-destructive-cart",
		"disorderly-cart", "replicated-disorderly-cart-abstract", "replicated-disorderly-cart-reliable", "sealed-cart", "ordered-cart"} {
		base := builtin(t, name)
		for _, d := range base.Collections {
			p := builtin(t, name)
			p.Coordinations = append(p.Coordinations, &modules.Coordination{Kind: "barrier", On: []modules.Ref{{Name: d.Name}}, Module: "X"})
			for _, by := range p.Collections {
				for _, c := range d.Columns() {
					if by != d && hasCol(by, c.Name) {
						p.Seals = append(p.Seals, &modules.Seal{Collection: modules.Ref{Name: d.Name}, Key: []modules.Ref{{Name: c.Name}}, By: modules.Ref{Name: by.Name}, Module: "X"})
					}
				}
			}
			res, fs := run(t, p)
			for _, f := range fs {
				if f.Message == "" || !f.Pos.IsValid() && f.Check != "unneeded-coordination" {
					t.Errorf("%s with coordination on %s: finding without message or position: %+v", name, d.Name, f)
				}
			}
			for _, v := range res.Verdicts {
				if v.Effective > v.Label {
					t.Errorf("%s with coordination on %s: effective label %v worse than %v", name, d.Name, v.Effective, v.Label)
				}
			}
		}
	}
}

func hasCol(d *modules.Decl, name string) bool {
	for _, c := range d.Columns() {
		if c.Name == name {
			return true
		}
	}
	return false
}

// DiffluentEdges: the witness of every D pair lies on highlighted edges,
// and covered programs have none once coordination counts.
func TestDiffluentEdges(t *testing.T) {
	for _, name := range []string{"disorderly-cart", "replicated-disorderly-cart-reliable", "destructive-cart", "sealed-cart", "ordered-cart"} {
		res, _ := analyzeBuiltin(t, name)
		for _, effective := range []bool{false, true} {
			on := res.DiffluentEdges(effective)
			n := 0
			for _, b := range on {
				if b {
					n++
				}
			}
			for _, v := range res.Verdicts {
				w, d := v.Declared, v.Label == D
				if effective {
					w, d = v.Missing, v.Effective == D
				}
				for _, ei := range w.Path {
					if d && !on[ei] {
						t.Errorf("%s (effective %v): edge %d of the D witness not on a D path", name, effective, ei)
					}
				}
			}
			covered := name == "sealed-cart" || name == "ordered-cart"
			if effective && covered && n != 0 || !effective && n == 0 {
				t.Errorf("%s (effective %v): %d edges on D paths", name, effective, n)
			}
		}
	}
}
