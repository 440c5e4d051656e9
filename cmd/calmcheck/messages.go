package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/calmcheck/calmcheck/verify"
)

// What more than one command uses: messages on stderr, errors, and the
// formatting of empty cells.

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

// ioError is the message of an I/O error without the operation and path,
// which the caller prints: "no such file or directory".
func ioError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

func errMessage(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

func usageError(stderr io.Writer, format string, args ...any) error {
	fmt.Fprintf(stderr, "calmcheck: "+format+"\n", args...)
	return exitError{exitTrouble}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
