package lint

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// TestFindingJSONFast: a finding written by hand is what json.Encoder
// (SetEscapeHTML(false)) writes, byte for byte, whatever its strings
// hold and whichever optional fields are empty.
func TestFindingJSONFast(t *testing.T) {
	odd := []string{"", "plain", `quote " and \ backslash`, "<html> & more", "tab\tnew\nline\rcr\bbs\fff", "\x00\x01\x1f\x7f",
		"ünïcødé €", "\u2028\u2029", "bad \xff utf8 \xc3", "emoji 🙂", "/slash"}
	var fs []JSONFinding
	for i, s := range odd {
		fs = append(fs, JSONFinding{Check: monotonic.Check(s), Severity: "warning", Message: s + " message", File: s, Line: i, Column: -i,
			Program: s, Module: s, Collections: []string{s, "c"}, Fingerprint: s})
		fs = append(fs, JSONFinding{Check: "c", Severity: s, Message: s, Collections: nil, Inputs: []string{s}, Pairs: []JSONPair{{s, "o"}, {"i", s}},
			Expected: true, Acknowledged: s, Flow: []JSONStep{{From: s, To: "t", Op: "<~", Note: s, File: s, Line: 1, Column: 2}, {From: "a", To: s, Op: s}},
			OtherFlow: []JSONStep{{From: s}}})
	}
	fs = append(fs, JSONFinding{Collections: []string{}, Inputs: []string{}, Pairs: []JSONPair{}, Flow: []JSONStep{}, OtherFlow: []JSONStep{}})
	for i := range fs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(fs[i]); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		w := &errWriter{w: &got}
		w.compact(fs[i])
		if got.String() != string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("finding %d:\n got %s\nwant %s", i, got.String(), want.String())
		}
	}
}

// TestSARIFResultFast: a SARIF result written from the finding is the
// encoding of the result's structs by json.Encoder (SetEscapeHTML(false)),
// byte for byte: odd strings, absolute and relative files, no position,
// one flow or two, acknowledged and expected findings. (The goldens of
// cmd/calmcheck cover related locations on the built-in library.)
func TestSARIFResultFast(t *testing.T) {
	odd := []string{"", "plain", `quote " and \ backslash`, "<html> & more", "tab\tnew\nline", "\x00\x7f",
		"ünïcødé €", "\u2028", "bad \xff utf8 \xc3", "/abs/file.yaml", "./rel/dir/f.yaml", "with space.yaml"}
	var fs []monotonic.Finding
	for i, s := range odd {
		pos := modules.Pos{File: s, Line: i, Col: i - 1}
		step := monotonic.Step{From: s, To: "t", Op: "<~", Pos: pos, Note: s}
		fs = append(fs,
			monotonic.Finding{Check: "point-of-order", Severity: modules.Warning, Pos: pos, Message: s, Program: s, Module: s, Collections: []string{s, "c"}, Fingerprint: s},
			monotonic.Finding{Check: "no-such-check", Severity: modules.Error, Pos: pos, Message: s, Flow: []monotonic.Step{step, {From: "a", To: s, Op: s}}, Acknowledged: s, Expected: true, Program: s},
			monotonic.Finding{Check: monotonic.Check(s), Severity: modules.Note, Message: s, Flow: []monotonic.Step{step}, OtherFlow: []monotonic.Step{step, step}, Expected: true},
			monotonic.Finding{OtherFlow: []monotonic.Step{step}, Acknowledged: s, Collections: []string{}},
		)
	}
	f := &SARIF{}
	var out bytes.Buffer
	if err := f.Start(&out, &Report{}); err != nil {
		t.Fatal(err)
	}
	for i := range fs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(f.result(&fs[i])); err != nil {
			t.Fatal(err)
		}
		got := (&sarifWriter{SARIF: f, w: f.w}).appendResult(nil, &fs[i])
		if string(got) != string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("finding %d:\n got %s\nwant %s", i, got, want.String())
		}
	}
}

// TestProgramJSONFast: collections, rules and edges written by hand are
// what json.Encoder writes, whatever their strings hold and whichever
// optional fields are empty.
func TestProgramJSONFast(t *testing.T) {
	odd := []string{"", "plain", `quote " and \ backslash`, "<html> & more", "tab\tnew\nline", "\x00\x1f\x7f", "ünïcødé", "\u2028", "bad \xff", "🙂"}
	var vals []any
	for i, s := range odd {
		st := i - 3
		vals = append(vals,
			JSONCollection{Name: s, Kind: s, Module: s, Instance: s, Key: []string{s}, Val: []string{}, Every: int64(i) * 1000, Stratum: &st, File: s, Line: i, Column: -i},
			JSONCollection{Name: s, Key: nil, Val: nil},
			JSONRule{Module: s, Instance: s, Block: s, Index: i, Text: s, File: s, Line: i, Column: i},
			JSONRule{},
			JSONEdge{From: s, To: s, Op: s, Temporal: i%2 == 0, Async: i%3 == 0, Nonmonotonic: i%2 == 1, Reason: s, Rule: i},
			JSONEdge{},
			JSONPaths{To: s, Inputs: []JSONPathGroup{
				{Label: s, Effective: s, Covered: s, Contract: true, Stale: true, Coordinate: &JSONCoord{Collection: s, Reason: s, Rule: &st, Contract: s, After: s}, From: []string{s, "x"}},
				{Label: "D", Effective: "A", Coordinate: &JSONCoord{}, From: nil},
				{}}},
			JSONPaths{To: s},
			JSONPaths{Inputs: []JSONPathGroup{}})
	}
	for i, v := range vals {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		w := &errWriter{}
		var got []byte
		switch x := v.(type) {
		case JSONCollection:
			got = w.appendCollection(nil, &x)
		case JSONRule:
			got = w.appendRule(nil, &x)
		case JSONEdge:
			got = w.appendEdge(nil, &x)
		case JSONPaths:
			got = w.appendPaths(nil, &x)
		}
		if string(got) != string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("value %d:\n got %s\nwant %s", i, got, want.String())
		}
	}
}
