package par

import (
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestChunksAndEachCoverEveryIndex: every index once, on one core and on
// several, whatever n and the chunk size.
func TestChunksAndEachCoverEveryIndex(t *testing.T) {
	for _, procs := range []int{1, 2, 7} {
		func() {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			for _, n := range []int{0, 1, 2, 5, 100, 1001} {
				for _, minChunk := range []int{0, 1, 3, 64} {
					seen := make([]atomic.Int32, n)
					Chunks(n, minChunk, func(lo, hi int) {
						for i := lo; i < hi; i++ {
							seen[i].Add(1)
						}
					})
					Each(n, func() int { return 0 }, func(_ int, i int) { seen[i].Add(1) })
					for i := range seen {
						if c := seen[i].Load(); c != 2 {
							t.Fatalf("GOMAXPROCS=%d n=%d minChunk=%d: index %d done %d times, want once by each", procs, n, minChunk, i, c)
						}
					}
				}
			}
		}()
	}
}

// TestPanicReachesTheWaiter: a panic in work is re-raised where the work
// is waited for, with the stack where it happened.
func TestPanicReachesTheWaiter(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for name, run := range map[string]func(){
		"Chunks": func() {
			Chunks(100, 1, func(lo, hi int) {
				if lo > 0 {
					panic("boom")
				}
			})
		},
		"Each": func() {
			Each(100, func() int { return 0 }, func(_ int, i int) {
				if i == 50 {
					panic("boom")
				}
			})
		},
		"Group": func() { var g Group; g.Go(func() {}); g.Go(func() { panic("boom") }); g.Wait() },
	} {
		func() {
			defer func() {
				r := recover()
				p, ok := r.(Panic)
				if !ok || p.Value != "boom" || !strings.Contains(p.String(), "par_test.go") {
					t.Errorf("%s: recovered %v, want the work's panic with its stack", name, r)
				}
			}()
			run()
			t.Errorf("%s: no panic", name)
		}()
	}
}

// TestRunsAtOnce: with two cores, the chunks (and the indexes of Each)
// run at the same time: the first waits for the second to start.
func TestRunsAtOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	meet := func(i int, started []chan struct{}) bool {
		close(started[i])
		select {
		case <-started[1-i]:
			return true
		case <-time.After(5 * time.Second):
			return false
		}
	}
	var met atomic.Int32
	started := []chan struct{}{make(chan struct{}), make(chan struct{})}
	Chunks(2, 1, func(lo, hi int) {
		if meet(lo, started) {
			met.Add(1)
		}
	})
	if met.Load() != 2 {
		t.Errorf("Chunks: the two chunks did not run at once")
	}
	met.Store(0)
	started = []chan struct{}{make(chan struct{}), make(chan struct{})}
	Each(2, func() int { return 0 }, func(_ int, i int) {
		if meet(i, started) {
			met.Add(1)
		}
	})
	if met.Load() != 2 {
		t.Errorf("Each: the two indexes did not run at once")
	}
}
