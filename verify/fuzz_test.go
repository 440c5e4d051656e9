package verify

import (
	"strings"
	"testing"
)

// FuzzReplay: any bytes given to calmcheck run --replay are refused with
// an error or give two workloads; never a panic.
//
//	go test ./verify -run '^$' -fuzz FuzzReplay -fuzztime 1m
func FuzzReplay(f *testing.F) {
	f.Add([]byte(`{"format": "calmcheck-replay/1", "program": "p", "seed": 1, "witness": {"id": "w1", "nodes": ["a"], "facts": [{"node": "a", "fact": "t(1)"}],
		"a": {"inputs": [{"node": "a", "tick": 1, "fact": "in(\"a\", [1, \"x\"])"}], "deliveries": [{"from": "a", "to": "a", "fact": "c(1)", "seq": 1, "sent": 1, "arrives": 3}]},
		"b": {"inputs": [], "deliveries": []}}}`))
	f.Add([]byte(`{"format": "calmcheck-replay/1", "modules": ["M"], "witness": {"nodes": ["a"], "a": {"inputs": [{"node": "a", "tick": 1, "fact": "in(X)"}]}}}`))
	f.Add([]byte(`{"format": "other"}`))
	f.Add([]byte(`[]`))
	// Depth stress: deep JSON, and a fact nested past its limit.
	f.Add([]byte(strings.Repeat("[", 20000)))
	f.Add([]byte(`{"format": "calmcheck-replay/1", "modules": ["M"], "witness": {"nodes": ["a"], "a": {"inputs": [{"node": "a", "tick": 1, "fact": "in(` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `)"}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rf, err := ParseReplay(data)
		if err != nil {
			return
		}
		a, b, sa, sb, err := rf.Runs()
		if err != nil {
			return
		}
		if a == nil || b == nil || sa == nil || sb == nil || len(a.Nodes) == 0 {
			t.Fatalf("Runs gave nil without an error")
		}
		_ = rf.Marshal()
	})
}
