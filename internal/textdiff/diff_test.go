package textdiff

import (
	"math/rand"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	a := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
	b := "a\nb\nC\nd\ne\nf\ng\nh\ni\nj\nk\n"
	want := `--- x
+++ y
@@ -1,6 +1,6 @@
 a
 b
-c
+C
 d
 e
 f
@@ -8,3 +8,4 @@
 h
 i
 j
+k
`
	if got := Unified("x", "y", a, b); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if Unified("x", "y", a, a) != "" {
		t.Error("equal texts have no diff")
	}
	if got := Unified("x", "y", "", "new\n"); got != "--- x\n+++ y\n@@ -0,0 +1 @@\n+new\n" {
		t.Errorf("from empty: %q", got)
	}
	if got := Unified("x", "y", "a", "a\n"); !strings.Contains(got, "-a\n\\ No newline at end of file\n+a\n") {
		t.Errorf("newline at end: %q", got)
	}
}

// TestDiffIsAnEditScript: applying the script to a gives b, and it is no
// longer than replacing everything.
func TestDiffIsAnEditScript(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	gen := func() []string {
		var out []string
		for i := r.Intn(30); i > 0; i-- {
			out = append(out, string(rune('a'+r.Intn(4))))
		}
		return out
	}
	for i := 0; i < 500; i++ {
		a, b := gen(), gen()
		ops := diffLines(a, b)
		var gotA, gotB []string
		edits := 0
		for _, o := range ops {
			if o.kind != '+' {
				gotA = append(gotA, o.line)
			}
			if o.kind != '-' {
				gotB = append(gotB, o.line)
			}
			if o.kind != ' ' {
				edits++
			}
		}
		if strings.Join(gotA, "") != strings.Join(a, "") || strings.Join(gotB, "") != strings.Join(b, "") || edits > len(a)+len(b) {
			t.Fatalf("bad script for %v -> %v: %v", a, b, ops)
		}
	}
}
