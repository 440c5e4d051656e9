package monotonic

import "testing"

func TestEndlessSend(t *testing.T) {
	st := []string{"input in(d, x)", "output out(x)", "table pending(d, x)", "channel msg(@d, x)", "table acked(d, x)",
		"scratch view(d, x)", "periodic tick(id) => (time) every 3"}
	runCases(t, EndlessSend, []checkCase{
		{name: "a channel fed by a table sends every timestep", src: spec(st,
			"pending(D, X) <= in(D, X)", "msg(D, X) <~ pending(D, X)", "out(X) <= msg(_, X)"),
			want: []string{"msg,pending"}, contains: []string{"endless send: msg <~ pending (t.yaml:", "reads only tables", "never quiesces"}},
		{name: "through a scratch computed from a table", src: spec(st,
			"pending(D, X) <= in(D, X)", "view(D, X) <= pending(D, X)", "msg(D, X) <~ view(D, X)", "out(X) <= msg(_, X)"),
			want: []string{"msg,view"}, contains: []string{"scratches computed from tables"}},
		{name: "the retransmission idiom: a periodic in the body", src: spec(st,
			"pending(D, X) <= in(D, X)", "msg(D, X) <~ tick(_, _), pending(D, X)", "out(X) <= msg(_, X)")},
		{name: "stopped by notin an acknowledgement", src: spec(st,
			"pending(D, X) <= in(D, X)", "msg(D, X) <~ pending(D, X), notin acked(D, X)", "acked(D, X) <= pending(D, X)", "out(X) <= msg(_, X)")},
		{name: "a table that deletions empty", src: spec(st,
			"pending(D, X) <= in(D, X)", "msg(D, X) <~ pending(D, X)", "pending(D, X) <- pending(D, X)", "out(X) <= msg(_, X)")},
		{name: "a table that upserts change", src: spec(st,
			"pending(D, X) <= in(D, X)", "msg(D, X) <~ pending(D, X)", "pending(D, X + 1) <+- pending(D, X)", "out(X) <= msg(_, X)")},
		{name: "an aggregate over a table: not reported (its value moves, joins on it may stop)", src: spec(append(st, "scratch top(d) => (x)"),
			"pending(D, X) <= in(D, X)", "top(D, max<X>) <= pending(D, X)", "msg(D, X) <~ top(D, X)", "out(X) <= msg(_, X)")},
		{name: "sent from an input", src: spec(st, "msg(D, X) <~ in(D, X)", "out(X) <= msg(_, X)")},
		{name: "a scratch fed by an input is transient", src: spec(st,
			"view(D, X) <= in(D, X)", "msg(D, X) <~ view(D, X)", "out(X) <= msg(_, X)")},
		{name: "a scratch with one rule from a table recurs", src: spec(st,
			"pending(D, X) <= in(D, X)", "view(D, X) <= in(D, X)", "view(D, X) <= pending(D, X)", "msg(D, X) <~ view(D, X)", "out(X) <= msg(_, X)"),
			want: []string{"msg,view"}},
		{name: "a scratch guarded by notin may stop", src: spec(st,
			"pending(D, X) <= in(D, X)", "view(D, X) <= pending(D, X), notin acked(D, X)", "acked(D, X) <= pending(D, X)", "msg(D, X) <~ view(D, X)", "out(X) <= msg(_, X)")},
	})
}
