//go:build !unix

package verify

func cpuSeconds() float64 { return 0 }
