package main

import (
	"bytes"
	"os"
	"testing"
)

// TestIsTerminal: a character device that is no terminal (/dev/null), a
// pipe, a file and a buffer are not terminals: output sent to them is
// neither wrapped nor coloured.
func TestIsTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, out := range map[string]any{"/dev/null": null, "a pipe": w, "a file": f, "a buffer": &bytes.Buffer{}} {
		w := out.(interface{ Write([]byte) (int, error) })
		if isTerminal(w) {
			t.Errorf("%s is taken for a terminal", name)
		}
		if terminalWidth(w) != 0 || useColor("auto", w) {
			t.Errorf("%s: output would be wrapped or coloured", name)
		}
	}
}
