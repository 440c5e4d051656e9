package lint

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestFindingJSONFast: a finding written by hand is what json.Encoder
// (SetEscapeHTML(false)) writes, byte for byte, whatever its strings
// hold and whichever optional fields are empty.
func TestFindingJSONFast(t *testing.T) {
	odd := []string{"", "plain", `quote " and \ backslash`, "<html> & more", "tab\tnew\nline\rcr\bbs\fff", "\x00\x01\x1f\x7f",
		"ünïcødé €", "\u2028\u2029", "bad \xff utf8 \xc3", "emoji 🙂", "/slash"}
	var fs []JSONFinding
	for i, s := range odd {
		fs = append(fs, JSONFinding{Check: s, Severity: "warning", Message: s + " message", File: s, Line: i, Column: -i,
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
