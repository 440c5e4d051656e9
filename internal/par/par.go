// Package par runs independent work on every core.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Chunks calls work on consecutive chunks of 0..n-1, on as many
// goroutines as there are processors, one chunk each of at least
// minChunk indexes (inline, on the calling goroutine, when n is smaller
// than two such chunks). work must only write what belongs to its own
// indexes.
func Chunks(n, minChunk int, work func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n/max(1, minChunk))
	if workers <= 1 {
		work(0, n)
		return
	}
	var wg sync.WaitGroup
	size := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += size {
		wg.Go(func() { work(lo, min(lo+size, n)) })
	}
	wg.Wait()
}

// Each calls work for every index 0..n-1, on as many goroutines as there
// are processors, each taking the next index when it is done with one
// (for work of uneven cost) with its own state made by mk. The results
// must not depend on which goroutine runs which index.
func Each[S any](n int, mk func() S, work func(s S, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		s := mk()
		for i := 0; i < n; i++ {
			work(s, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			s := mk()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				work(s, i)
			}
		})
	}
	wg.Wait()
}
