package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/specs"
)

// specPos is where text first occurs in the built-in spec file, as
// calmcheck prints it (specs/cart.yaml:111:11): tests derive positions in
// the library instead of hard-coding today's layout.
func specPos(t *testing.T, file, text string) string {
	t.Helper()
	data, err := specs.FS.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		if at := strings.Index(line, text); at >= 0 {
			return fmt.Sprintf("specs/%s:%d:%d", file, i+1, at+1)
		}
	}
	t.Fatalf("specs/%s has no line with %q", file, text)
	return ""
}

// specLine is specPos without the column (specs/cart.yaml:111).
func specLine(t *testing.T, file, text string) string {
	t.Helper()
	p := specPos(t, file, text)
	return p[:strings.LastIndexByte(p, ':')]
}
