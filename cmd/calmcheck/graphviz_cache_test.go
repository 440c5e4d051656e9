//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/render"
)

// TestChildMain is not a test: runChild runs the test binary again with
// this test selected, to run one command in a fresh process (Graphviz is
// compiled once per process).
func TestChildMain(t *testing.T) {
	args := os.Getenv("CALMCHECK_TEST_CHILD_ARGS")
	if args == "" {
		t.Skip("only run by runChild")
	}
	code := run(strings.Split(args, "\x1f"), os.Stdout, os.Stderr)
	fmt.Fprintf(os.Stderr, "graphviz-loaded=%v\n", render.GraphvizLoaded())
	os.Exit(code)
}

func runChild(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildMain$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), env...), "CALMCHECK_TEST_CHILD_ARGS="+strings.Join(args, "\x1f"))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// snapshot lists a directory tree with sizes, modes and times.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v %d %v\n", p, fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestGraphvizCompiledOnlyToDraw: commands that draw nothing do not
// compile Graphviz; a drawing compiles it into the per-user cache and
// never reads or writes a $TMPDIR/go-graphviz planted by someone else
// (upstream go-graphviz compiled at start-up, for every command, and
// cached machine code there).
func TestGraphvizCompiledOnlyToDraw(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles Graphviz (about a second)")
	}
	tmp := t.TempDir()
	planted := filepath.Join(tmp, "go-graphviz")
	if err := os.MkdirAll(filepath.Join(planted, "wazero-v1.10.1-amd64-linux"), 0o777); err != nil {
		t.Fatal(err)
	}
	// Not valid cached code: if it were loaded, the drawing would fail.
	if err := os.WriteFile(filepath.Join(planted, "wazero-v1.10.1-amd64-linux", "65d05e8bbea8a6610d0686e4cb2ab62ff93a257de48b3587eb75f15ddf3c84ca"), []byte("planted machine code"), 0o666); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, planted)
	cache := filepath.Join(t.TempDir(), "cache")
	env := []string{"TMPDIR=" + tmp, "XDG_CACHE_HOME=" + cache, "CALMCHECK_GRAPHVIZ_CACHE="}
	for _, args := range [][]string{{"version"}, {"lint"}, {"modules"}, {"dot", "--program", "basic-kvs", "--format", "dot"}, {"dot", "--program", "basic-kvs", "--format", "mermaid"}} {
		code, _, errs := runChild(t, env, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		if !strings.Contains(errs, "graphviz-loaded=false\n") {
			t.Errorf("%v compiled Graphviz: %s", args, errs)
		}
	}
	if _, err := os.Stat(filepath.Join(cache, "calmcheck")); err == nil {
		t.Errorf("commands that draw nothing created the cache")
	}
	for i := 0; i < 2; i++ { // compile, then from the cache
		code, out, errs := runChild(t, env, "dot", "--program", "basic-kvs", "--format", "svg")
		if code != 0 || !strings.Contains(errs, "graphviz-loaded=true\n") || !strings.Contains(out, "<svg") {
			t.Fatalf("dot --format svg: exit %d: %s", code, errs)
		}
	}
	if after := snapshot(t, planted); after != before {
		t.Errorf("$TMPDIR/go-graphviz changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	cached, _ := filepath.Glob(filepath.Join(cache, "calmcheck", "graphviz", "wazero-*", "*"))
	if len(cached) != 1 {
		t.Errorf("per-user cache holds %v, want one compiled module", cached)
	}
	if fi, err := os.Stat(filepath.Join(cache, "calmcheck", "graphviz")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("per-user cache: %v %v", fi, err)
	}
}
