package verify

import (
	"fmt"
	"testing"
	"time"
)

// The benchmarks of docs/performance.md ("Verify"):
//
//	go test ./verify -run '^$' -bench . -benchtime 5x

// BenchmarkFirstWitness: calmcheck verify --program
// replicated-destructive-cart with the default options, up to its first
// confirmed finding (Options.FirstWitness: compiling, generating the
// workloads, the baselines, and the exploration until a divergent
// execution is attributed). Issue 6's budget: under 1 s.
func BenchmarkFirstWitness(b *testing.B) {
	lib := builtinLib(b)
	var first time.Duration
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		rep := verifyProgram(b, lib, "replicated-destructive-cart", Options{Seed: 1, FirstWitness: true})
		if rep.FirstWitness == 0 {
			b.Fatal("no witness")
		}
		first += rep.FirstWitness
	}
	b.ReportMetric(float64(first.Microseconds())/1000/float64(b.N), "ms-to-witness")
	reportCPU(b, cpu)
}

// BenchmarkVerifyJobs: a long run (3,000 executions per experiment, every
// finding and pair of replicated-destructive-cart: about 100,000
// executions) on one core and on two, for the speed-up of --jobs.
func BenchmarkVerifyJobs(b *testing.B) {
	lib := builtinLib(b)
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			var runs int64
			cpu := cpuSeconds()
			for b.Loop() {
				rep := verifyProgram(b, lib, "replicated-destructive-cart", Options{Seed: 1, Schedules: 3000, Jobs: jobs})
				runs += rep.Runs
			}
			b.ReportMetric(float64(runs)/b.Elapsed().Seconds(), "runs/s")
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkVerifyBuiltins: every built-in cart and delivery program with
// the default options, as calmcheck verify runs them.
func BenchmarkVerifyBuiltins(b *testing.B) {
	lib := builtinLib(b)
	names := []string{"delivery-best-effort", "delivery-reliable", "basic-kvs", "replicated-kvs", "destructive-cart-basic-kvs",
		"replicated-destructive-cart", "disorderly-cart", "replicated-disorderly-cart", "replicated-disorderly-cart-reliable"}
	cpu := cpuSeconds()
	for b.Loop() {
		for _, n := range names {
			verifyProgram(b, lib, n, Options{Seed: 1})
		}
	}
	reportCPU(b, cpu)
}

func reportCPU(b *testing.B, start float64) {
	if end := cpuSeconds(); end > 0 && b.N > 0 {
		b.ReportMetric((end-start)*1000/float64(b.N), "cpu-ms/op")
	}
}
