package golden

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFirstDiff(t *testing.T) {
	for _, tc := range []struct{ got, want, diff string }{
		{"a\nb\n", "a\nc\n", "line 2:\n got: b\nwant: c"},
		{"a\n", "a\nb\n", "line 2:\n got: \nwant: b"},
		{"a\r\n", "a\n", "line 1:\n got: a\r\nwant: a"},
	} {
		if got := FirstDiff([]byte(tc.got), []byte(tc.want)); got != tc.diff {
			t.Errorf("FirstDiff(%q, %q) = %q, want %q", tc.got, tc.want, got, tc.diff)
		}
	}
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	*update = true
	Check(t, path, []byte("one\n"))
	*update = false
	if data, err := os.ReadFile(path); err != nil || string(data) != "one\n" {
		t.Fatalf("-update wrote %q, %v", data, err)
	}
	Check(t, path, []byte("one\n")) // equal: no error
	var rec recorder
	Check(&rec, path, []byte("two\n"))
	if !rec.failed {
		t.Error("a difference was not reported")
	}
}

// recorder is a testing.TB that records a failure instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }
