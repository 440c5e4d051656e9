package main

import (
	"bytes"
	goldenfile "github.com/calmcheck/calmcheck/internal/golden"
	"os"
	"path/filepath"
	"testing"
)

// testdata is this package's testdata directory, fixed before any test
// changes the working directory.
var testdata = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return filepath.Join(wd, "testdata")
}()

// golden compares got with testdata/NAME, or writes it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join(testdata, name), got)
}

// runCLI runs the command line in dir (the current directory if empty)
// and returns its exit status, stdout and stderr.
func runCLI(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}
