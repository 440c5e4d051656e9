package main

import (
	"strings"
	"testing"
)

// TestImportCLI: a user module that imports a built-in module twice lints
// clean and draws two instance clusters; a broken import is an error with
// its position (exit 2) and no drawing.
func TestImportCLI(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "calmcheck.yaml", `modules:
  Pair:
    import: {left: BestEffortDelivery, right: BestEffortDelivery}
    state:
      - input  send(dst, src, ident) => (payload)
      - output got(dst, src, ident) => (payload)
      - output sent(dst, src, ident) => (payload)
    rules:
      r:
        - left.pipe_in <= send
        - right.pipe_in <= left.pipe_out
        - got <= right.pipe_out
        - sent <= left.pipe_sent
        - sent <= right.pipe_sent
`)
	code, out, errs := runCLI(t, dir, "lint")
	if code != 0 || !strings.Contains(out, "program Pair: Pair (11 collections, 11 rules)") {
		t.Errorf("lint: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, dir, "dot", "-T", "dot")
	if code != 0 || !strings.Contains(out, `label="left: BestEffortDelivery"`) || !strings.Contains(out, `label="right: BestEffortDelivery"`) {
		t.Errorf("dot: exit %d, stderr %s", code, errs)
	}

	write(t, dir, "calmcheck.yaml", `modules:
  Pair:
    import: {left: BestEffortDelivry}
    state:
      - input send(dst, src, ident) => (payload)
    rules:
      r: ['left.pipe_in <= send', 'right.pipe_in <= send']
`)
	for _, cmd := range [][]string{{"lint"}, {"dot", "-T", "dot"}} {
		code, out, errs = runCLI(t, dir, cmd...)
		if code != 2 || out != "" ||
			!strings.Contains(errs, "calmcheck.yaml:3:20: error: module Pair imports unknown module BestEffortDelivry (did you mean BestEffortDelivery?) [unknown-module]") ||
			!strings.Contains(errs, "calmcheck.yaml:7:36: error: unknown collection right.pipe_in in Pair.r: right.pipe_in names a collection of the instance right, but the program imports no module") {
			t.Errorf("%v: exit %d, stdout %q, stderr\n%s", cmd, code, out, errs)
		}
		if strings.Contains(errs, "left.pipe_in") {
			t.Errorf("%v: a name into the failed import left is reported again:\n%s", cmd, errs)
		}
	}
}
