// Command calmcheck finds where a Bloom-style distributed program needs
// coordination, and where it can run without any (the CALM principle).
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

func main() {
	os.Exit(profiled(func() int { return run(os.Args[1:], os.Stdout, os.Stderr) }))
}

// profiled runs f, writing a CPU profile to the file named by
// CALMCHECK_CPUPROFILE and a heap profile (taken when f returns) to the
// one named by CALMCHECK_MEMPROFILE, when they are set. For measuring
// calmcheck itself (docs/performance.md); without them it costs nothing.
func profiled(f func() int) int {
	if path := os.Getenv("CALMCHECK_CPUPROFILE"); path != "" {
		out, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "calmcheck: error: CALMCHECK_CPUPROFILE: %v\n", err)
			return 2
		}
		defer out.Close()
		if err := pprof.StartCPUProfile(out); err != nil {
			fmt.Fprintf(os.Stderr, "calmcheck: error: CALMCHECK_CPUPROFILE: %v\n", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	code := f()
	if path := os.Getenv("CALMCHECK_MEMPROFILE"); path != "" {
		out, err := os.Create(path)
		if err == nil {
			err = pprof.WriteHeapProfile(out)
			if cerr := out.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "calmcheck: error: CALMCHECK_MEMPROFILE: %v\n", err)
			return 2
		}
	}
	return code
}
