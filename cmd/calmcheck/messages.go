package main

import (
	"fmt"
	"io"

	"github.com/calmcheck/calmcheck/verify"
)

// Messages more than one command prints on stderr.

// reportContradictions prints, for calmcheck verify and report --verify,
// each pair verify contradicted (none of a nil report), and returns how
// many there are.
func reportContradictions(stderr io.Writer, vr *verify.Report) int {
	if vr == nil {
		return 0
	}
	n := 0
	for _, p := range vr.Paths {
		if p.Verdict == verify.Contradiction {
			n++
			fmt.Fprintf(stderr, "calmcheck: CONTRADICTION in %s: path %s -> %s is labelled %s, but the output diverged through the input with no point of order on its paths to explain it (witness %s): this is a bug in calmcheck's analysis; please report it with the witness\n",
				vr.Program, p.From, p.To, p.Label, p.Witness)
		}
	}
	return n
}
