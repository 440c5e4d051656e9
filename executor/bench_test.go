package executor

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/calmcheck/calmcheck/modules"
)

// The benchmarks of docs/performance.md ("Executor"):
//
//	go test ./executor -run '^$' -bench . -benchmem

// closure prepares the transitive closure of a chain of n edges
// (0 -> 1 -> ... -> n) at one node: n(n+1)/2 path facts in one timestep.
func closure(b *testing.B, n int) *Setup {
	lib := modules.NewLibrary()
	ds := lib.LoadData("closure.yaml", []byte(`
modules:
  Closure:
    state:
      - table edge(from, to)
      - table path(from, to)
    rules:
      tc:
        - path(X, Y) <= edge(X, Y)
        - path(X, Z) <= path(X, Y), edge(Y, Z)
`))
	if ds.HasErrors() {
		b.Fatal(ds)
	}
	w := &Workload{Name: "closure", Modules: []modules.Ref{{Name: "Closure"}}, Nodes: []string{"n"}, Network: NetworkSpec{Policy: PolicyFIFO}}
	for i := 0; i < n; i++ {
		w.Facts = append(w.Facts, WorkloadFact{Node: "n", Fact: Fact{Collection: "edge", Args: []Value{Int(int64(i)), Int(int64(i + 1))}}})
	}
	s, ds := Prepare(lib, w)
	if ds.HasErrors() {
		b.Fatal(ds)
	}
	return s
}

// BenchmarkTransitiveClosure: a 1,000-edge chain, 500,500 derived path
// facts in one timestep, final tables extracted and sorted.
func BenchmarkTransitiveClosure(b *testing.B) {
	const n = 1000
	s := closure(b, n)
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		res := s.Run(context.Background(), Options{MaxFacts: 1 << 20})
		if res.Err != nil || len(res.Nodes[0].Tables) != n+n*(n+1)/2 || res.Ticks != 2 {
			b.Fatalf("%v: %d facts, %d ticks", res.Err, len(res.Nodes[0].Tables), res.Ticks)
		}
	}
	b.ReportMetric(float64(n*(n+1)/2), "facts/op")
	reportCPU(b, cpu)
}

// BenchmarkReplicatedCart: complete executions of the replicated
// disorderly cart (a client, three replicas, 20 actions and a checkout,
// random delays), one seed per execution, on one core.
func BenchmarkReplicatedCart(b *testing.B) {
	s := builtin(b, "replicated-disorderly-cart")
	seed := uint64(0)
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		seed++
		if res := s.Run(context.Background(), Options{Seed: seed}); !res.Quiescent {
			b.Fatal(res.Err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
	reportCPU(b, cpu)
}

// BenchmarkReplicatedCartParallel: the same on every core, as the verify
// command and calmcheck run --seeds use the executor.
func BenchmarkReplicatedCartParallel(b *testing.B) {
	s := builtin(b, "replicated-disorderly-cart")
	var seed atomic.Uint64
	b.ResetTimer()
	cpu := cpuSeconds()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if res := s.Run(context.Background(), Options{Seed: seed.Add(1)}); !res.Quiescent {
				b.Error(res.Err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
	reportCPU(b, cpu)
}

// reportCPU reports the process's CPU time per operation since start
// (cpu-ms/op): unlike the wall time, it hardly changes when other
// processes share the machine.
func reportCPU(b *testing.B, start float64) {
	if end := cpuSeconds(); end > 0 && b.N > 0 {
		b.ReportMetric((end-start)*1000/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkPrepare: composing, compiling and binding the replicated cart.
func BenchmarkPrepare(b *testing.B) {
	for b.Loop() {
		builtin(b, "replicated-disorderly-cart")
	}
}
