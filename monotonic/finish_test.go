package monotonic

import (
	"reflect"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
)

const ackSpec = `modules:
  Cart:
    state:
      - input   action(session, item)
      - scratch cnt(session) => (n)
      - output  total(session, n)
      - scratch unused_thing(x)
    rules:
      count:
        coordinated: checkout is sealed by the client
        rules:
          - cnt(S, count<I>) <= action(S, I)
      report:
        - total(S, N) <= cnt(S, N)
      stale:
        - {rule: "unused_thing(X) <= unused_thing(X)", coordinated: nothing to coordinate here}
`

func TestAcknowledgements(t *testing.T) {
	p := compose(t, ackSpec, "Cart")
	_, fs := run(t, p)
	pos := of(fs, "point-of-order")
	if len(pos) != 1 {
		t.Fatalf("point-of-order findings: %v", keys(fs))
	}
	if pos[0].Severity != modules.Note || pos[0].Acknowledged != "checkout is sealed by the client" {
		t.Errorf("acknowledged point of order: severity %v, acknowledged %q", pos[0].Severity, pos[0].Acknowledged)
	}
	stale := of(fs, CheckStale)
	if len(stale) != 1 || stale[0].Pos.Line != 16 || !strings.Contains(stale[0].Message, "nothing to coordinate here") ||
		stale[0].Severity != modules.Warning {
		t.Errorf("stale acknowledgement: %+v", stale)
	}
	// With a check disabled, an acknowledgement cannot be known stale.
	res := Analyze(p, []*Analyzer{PointOfOrder})
	fs = Finish(p, res.Findings, Options{Enabled: func(c Check) bool { return c == "point-of-order" || c == CheckStale }})
	if len(of(fs, CheckStale)) != 0 {
		t.Errorf("stale acknowledgements reported with checks disabled: %v", keys(fs))
	}
}

func TestExpectations(t *testing.T) {
	p := compose(t, ackSpec, "Cart")
	p.Expect = []modules.Expect{
		{Check: "point-of-order", Collection: "cnt", Pos: modules.Pos{File: "calmcheck.yaml", Line: 3, Col: 7}},
		{Check: "unused", Module: "Cart", Contains: "unused_thing", Pos: modules.Pos{File: "calmcheck.yaml", Line: 4, Col: 7}},
		{Check: "underspecified", Collection: "action", Pos: modules.Pos{File: "calmcheck.yaml", Line: 5, Col: 7}},
		{Check: "point-of-order", Module: "Other", Pos: modules.Pos{File: "calmcheck.yaml", Line: 6, Col: 7}},
	}
	res := Analyze(p, Analyzers)
	fs := Finish(p, res.Findings, Options{})
	var expected []string
	for _, f := range fs {
		if f.Expected {
			expected = append(expected, string(f.Check))
		}
	}
	if !reflect.DeepEqual(expected, []string{"point-of-order"}) {
		t.Errorf("expected findings: %v (all: %v)", expected, keys(fs))
	}
	var unmatched []string
	for _, f := range of(fs, CheckExpect) {
		if f.Severity != modules.Error {
			t.Errorf("unmatched expectation is %v, want error", f.Severity)
		}
		unmatched = append(unmatched, f.Pos.String()+" "+f.Message)
	}
	want := []string{
		// unused_thing is read and written (by its own rule): not unused
		`calmcheck.yaml:4:7 expected finding {check unused, module Cart, containing "unused_thing"} did not occur`,
		`calmcheck.yaml:5:7 expected finding {check underspecified, collection action} did not occur`,
		`calmcheck.yaml:6:7 expected finding {check point-of-order, module Other} did not occur`,
	}
	if !reflect.DeepEqual(unmatched, want) {
		t.Errorf("unmatched:\n%s\nwant:\n%s", strings.Join(unmatched, "\n"), strings.Join(want, "\n"))
	}
	// --no-expect ignores them all.
	fs = Finish(p, Analyze(p, Analyzers).Findings, Options{NoExpect: true})
	for _, f := range fs {
		if f.Expected || f.Check == CheckExpect {
			t.Errorf("expectation applied with NoExpect: %+v", f)
		}
	}
	// An expectation of a check that did not run is not reported.
	fs = Finish(p, Analyze(p, []*Analyzer{Unused}).Findings, Options{Enabled: func(c Check) bool { return c == "unused" || c == CheckExpect }})
	if got := len(of(fs, CheckExpect)); got != 1 {
		t.Errorf("with only unused enabled: %d unmatched expectations, want 1 (%v)", got, keys(fs))
	}
}

// Fingerprints survive unrelated edits: the same finding on a spec with
// lines added and rules moved has the same fingerprint.
func TestFingerprintsIgnorePositions(t *testing.T) {
	a := compose(t, spec([]string{"input in(x)", "scratch c() => (n)", "output out(n)"},
		"c(count<X>) <= in(X)", "out(N) <= c(N)"))
	b := compose(t, "# a comment\n\n"+spec([]string{"input in(x)", "output out(n)", "scratch c() => (n)"},
		"out(N) <= c(N)", "c(count<X>) <= in(X)"))
	_, fa := run(t, a)
	_, fb := run(t, b)
	if len(fa) == 0 || len(fa) != len(fb) {
		t.Fatalf("findings %v and %v", keys(fa), keys(fb))
	}
	seen := map[string]bool{}
	for i := range fa {
		if fa[i].Pos == fb[i].Pos {
			t.Errorf("positions did not move: %v", fa[i].Pos)
		}
		if fa[i].Fingerprint != fb[i].Fingerprint {
			t.Errorf("%s: fingerprint changed with positions: %s vs %s", fa[i].Check, fa[i].Fingerprint, fb[i].Fingerprint)
		}
		if seen[fa[i].Fingerprint] {
			t.Errorf("two findings share fingerprint %s", fa[i].Fingerprint)
		}
		seen[fa[i].Fingerprint] = true
	}
}

// Findings are sorted and the analysis is deterministic.
func TestDeterministic(t *testing.T) {
	p := builtin(t, "replicated-destructive-cart")
	_, first := run(t, p)
	for i := 0; i < 5; i++ {
		_, again := run(t, builtin(t, "replicated-destructive-cart"))
		if len(again) != len(first) {
			t.Fatalf("run %d: %d findings, then %d", i, len(first), len(again))
		}
		for j := range first {
			if first[j].Message != again[j].Message || first[j].Pos != again[j].Pos || first[j].Fingerprint != again[j].Fingerprint {
				t.Fatalf("run %d differs at %d:\n%+v\n%+v", i, j, first[j], again[j])
			}
		}
	}
	for i := 1; i < len(first); i++ {
		if first[i].Pos.Before(first[i-1].Pos) {
			t.Errorf("findings not sorted by position at %d", i)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, a := range Analyzers {
		if Lookup(string(a.Name)) != a {
			t.Errorf("Lookup(%q)", a.Name)
		}
		if a.Doc == "" || a.Short() == "" || !strings.HasSuffix(a.Short(), ".") {
			t.Errorf("%s: doc %q", a.Name, a.Short())
		}
	}
	if Lookup("nope") != nil {
		t.Error("Lookup of an unknown check")
	}
}
