// Command calmcheck finds where a Bloom-style distributed program needs
// coordination, and where it can run without any (the CALM principle).
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
