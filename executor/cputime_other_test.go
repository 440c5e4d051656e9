//go:build !unix

package executor

func cpuSeconds() float64 { return 0 }
