package modules

import (
	"reflect"
	"strings"
	"testing"
)

const coordSpec = `modules:
  Proto:
    state:
      - input  req(client, key)
      - output resp(client, key) => (n)
    contract:
      req -> resp: N
  Impl:
    include: [Proto]
    state:
      - channel msg(@server, client, key)
      - table   log(client, key)
      - scratch done(client, key)
    coordination: {kind: total-order, on: [log]}
    seals:
      - {collection: log, key: [client], by: done}
    rules:
      send:
        - msg(C, C, K) <~ req(C, K)
      keep:
        coordination: {kind: barrier, on: [done]}
        coordinated: why not
        rules:
          - log(C, K) <= msg(_, C, K)
          - done(C, K) <= log(C, K)
      answer:
        - resp(C, K, count<K>) <= done(C, K)
`

func TestCoordinationSealsContracts(t *testing.T) {
	lib, p, ds := load(t, coordSpec, "Impl")
	wantDiags(t, ds)
	m := lib.Modules["Impl"]
	if c := m.Coordination; c == nil || c.Kind != "total-order" || !reflect.DeepEqual(c.Names(), []string{"log"}) ||
		c.Pos != (Pos{"t.yaml", 14, 5}) || c.Where() != "Impl" || c.String() != "total-order on log" {
		t.Errorf("module coordination %+v", c)
	}
	keep := m.Block("keep")
	if c := keep.Coordination; c == nil || c.Kind != "barrier" || c.Where() != "Impl.keep" || keep.Ack != "why not" {
		t.Errorf("block coordination %+v", c)
	}
	if s := m.Seals; len(s) != 1 || s[0].String() != "log per (client) by done" || s[0].Pos != (Pos{"t.yaml", 16, 9}) {
		t.Errorf("seals %+v", s)
	}
	if c := lib.Modules["Proto"].Contracts; len(c) != 1 || c[0].String() != "req -> resp: N" || c[0].Output.Pos.Col != 14 {
		t.Errorf("contracts %+v", c)
	}
	// Every rule knows the coordination it belongs to: its block's, or
	// else its module's.
	for _, r := range p.Rules {
		want := m.Coordination
		if r.Block == "keep" {
			want = keep.Coordination
		}
		if r.Coord != want {
			t.Errorf("rule %s belongs to %v, want %v", r.Text, r.Coord, want)
		}
	}
	if len(p.Coordinations) != 2 || len(p.Seals) != 1 || len(p.Contracts) != 1 {
		t.Errorf("program: %d coordinations, %d seals, %d contracts", len(p.Coordinations), len(p.Seals), len(p.Contracts))
	}
	// A block that is replaced takes its coordination with it.
	_, p, ds = load(t, coordSpec+"  Plain:\n    include: [Impl]\n    rules:\n      keep: ['log(C, K) <= msg(_, C, K)', 'done(C, K) <= log(C, K)']\n", "Plain")
	wantDiags(t, ds)
	if len(p.Coordinations) != 1 || p.Coordinations[0].Block != "" {
		t.Errorf("coordinations after the override: %v", p.Coordinations)
	}
}

// TestCoordinationErrors: every error of the new keys, at its position.
func TestCoordinationErrors(t *testing.T) {
	const head = "modules:\n  A:\n    state: ['input i(k, v)', 'output o(k, v)', 'table t(k, v)', 'scratch s(k)']\n    rules:\n      r: ['t(K, V) <= i(K, V)', 'o(K, V) <= t(K, V)', 's(K) <= i(K, _)']\n"
	tests := []struct {
		name string
		src  string // lines of module A after its rules (indented 4)
		want []string
	}{
		{"ok", "coordination: {kind: voting, on: t}\nseals: [{collection: t, key: k, by: s}]\ncontract: {i -> o: A}", nil},
		{"unknown kind", "coordination: {kind: paxos, on: [t]}", []string{`6:26: error: unknown coordination kind "paxos" (want total-order, consensus, voting, barrier)`}},
		{"no kind", "coordination: {on: [t]}", []string{"6:5: error: the coordination of A needs a kind (total-order, consensus, voting, barrier)"}},
		{"no on", "coordination: {kind: barrier}", []string{"6:5: error: the coordination of A needs on: the collections it orders or agrees on"}},
		{"empty on", "coordination: {kind: barrier, on: []}", []string{"6:5: error: the coordination of A needs on: the collections it orders or agrees on"}},
		{"unknown coordination key", "coordination: {kind: barrier, on: [t], why: x}", []string{`6:44: error: unknown key "why" in the coordination of A (known keys: kind, on)`}},
		{"coordination not a mapping", "coordination: voting", []string{"6:19: error: the coordination of A must be a mapping, found a scalar"}},
		{"unknown coordinated collection", "coordination: {kind: barrier, on: [tt]}", []string{"6:40: error: unknown collection tt in the coordination of A (did you mean t?)"}},
		{"seals not a list", "seals: {collection: t}", []string{"6:12: error: seals must be a list of seals, found a mapping"}},
		{"seal missing keys", "seals: [{collection: t}]", []string{"6:13: error: a seal needs key, by"}},
		{"seal unknown key", "seals: [{collection: t, key: [k], by: s, per: x}]", []string{`6:46: error: unknown key "per" in a seal (known keys: collection, key, by)`}},
		{"seal unknown collections", "seals: [{collection: tt, key: [k], by: ss}]", []string{
			"6:26: error: unknown collection tt in a seal of A (did you mean t?)",
			"6:44: error: unknown collection ss in a seal of A (did you mean s?)"}},
		{"seal key not a column", "seals: [{collection: t, key: [v], by: s}]", []string{"6:35: error: seal key v is not a column of s (k); a seal's key names columns of its collection that its by collection carries under the same names"}},
		{"seal whole collection", "seals: [{collection: t, key: [], by: s}]", nil},
		{"contract syntax", "contract: {i to o: A}", []string{`6:16: error: a contract entry is written "input -> output: LABEL", found "i to o"`}},
		{"contract label", "contract: {i -> o: X}", []string{`6:24: error: unknown path label "X" in the contract of A (want Bot, A, N or D)`}},
		{"contract kinds", "contract: {t -> s: N}", []string{
			"6:16: error: a contract runs from an input interface; t is a table",
			"6:21: error: a contract runs to an output interface; s is a scratch"}},
		{"contract unknown", "contract: {i -> oo: N}", []string{"6:21: error: unknown collection oo in the contract of A (did you mean o?)"}},
		{"block coordination kind", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := head
			for _, line := range strings.Split(tc.src, "\n") {
				if line != "" {
					src += "    " + line + "\n"
				}
			}
			_, _, ds := load(t, src, "A")
			wantDiags(t, ds, tc.want...)
		})
	}
	// The long form of a block takes a coordination too, checked alike.
	_, _, ds := load(t, "modules:\n  A:\n    state: [table t(k)]\n    rules:\n      r:\n        coordination: {kind: quorum, on: [t]}\n        rules: ['t(K) <= t(K)']\n", "A")
	wantDiags(t, ds, `6:30: error: unknown coordination kind "quorum" (want total-order, consensus, voting, barrier)`)
	_, _, ds = load(t, "modules:\n  A:\n    state: [table t(k)]\n    rules:\n      r:\n        coordinate: x\n        rules: ['t(K) <= t(K)']\n", "A")
	wantDiags(t, ds, `6:9: error: unknown key "coordinate" in block r (known keys: coordination, coordinated, rules)`)
}

func TestFormatCoordination(t *testing.T) {
	const messy = `modules:
  Impl:
    rules:
      keep:
        rules: ['log(C,K)<=msg(_,C,K)']
        coordinated: why
        coordination:
          on: [log]
          kind: barrier
    seals:
      - by: msg
        key: [client]
        collection: log
      - {key: client, collection: log, by: msg}   # short key
    coordination:
      on: log
      kind: total-order
    contract:
      req ->   resp: N
    state:
      - channel msg(@server, client, key)
      - table log(client, key)
      - input req(client, key)
      - output resp(client, key) => (n)
`
	const want = `modules:
  Impl:
    state:
      - channel msg(@server, client, key)
      - table   log(client, key)
      - input   req(client, key)
      - output  resp(client, key) => (n)
    contract:
      req -> resp: N
    coordination: {kind: total-order, on: [log]}
    seals:
      - {collection: log, key: [client], by: msg}
      - {collection: log, key: [client], by: msg}  # short key
    rules:
      keep:
        coordination: {kind: barrier, on: [log]}
        coordinated: why
        rules:
          - log(C, K) <= msg(_, C, K)
`
	out, ds := Format("c.yaml", []byte(messy))
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	if string(out) != want {
		t.Errorf("Format:\n%s\nwant:\n%s", out, want)
	}
	if again, _ := Format("c.yaml", out); string(again) != string(out) {
		t.Errorf("not idempotent:\n%s", again)
	}
}

func TestSchemaCoordination(t *testing.T) {
	s := compileSchema(t)
	if err := s.Validate(yamlToJSON(t, []byte(coordSpec))); err != nil {
		t.Errorf("the schema rejects a valid spec: %v", err)
	}
	for name, src := range map[string]string{
		"unknown kind":          "modules:\n  A:\n    coordination: {kind: paxos, on: [t]}\n",
		"coordination no on":    "modules:\n  A:\n    coordination: {kind: voting}\n",
		"coordination extra":    "modules:\n  A:\n    coordination: {kind: voting, on: [t], why: x}\n",
		"seal without by":       "modules:\n  A:\n    seals: [{collection: t, key: [k]}]\n",
		"seal extra key":        "modules:\n  A:\n    seals: [{collection: t, key: [k], by: b, per: x}]\n",
		"contract label":        "modules:\n  A:\n    contract: {a -> b: X}\n",
		"contract key":          "modules:\n  A:\n    contract: {a to b: N}\n",
		"block coordination":    "modules:\n  A:\n    rules:\n      r: {coordination: {kind: x, on: [t]}, rules: []}\n",
		"coordination a string": "modules:\n  A:\n    coordination: voting\n",
	} {
		if err := s.Validate(yamlToJSON(t, []byte(src))); err == nil {
			t.Errorf("%s: the schema accepts\n%s", name, src)
		}
	}
}
