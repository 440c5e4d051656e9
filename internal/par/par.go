// Package par runs independent work on every core.
//
// A panic in work is a bug: it is re-raised in the goroutine that waits
// for the work (Group.Wait, Chunks, Each), so that the command's own
// recovery reports it as an internal error instead of the runtime ending
// the process from a goroutine nobody watches.
package par

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Group is a sync.WaitGroup whose Wait re-raises the first panic of its
// goroutines.
type Group struct {
	wg       sync.WaitGroup
	mu       sync.Mutex
	panicked any
}

// Go runs f on a goroutine of the group.
func (g *Group) Go(f func()) {
	g.wg.Go(func() {
		defer g.Recover()
		f()
	})
}

// Recover, deferred in a goroutine that is not started by Go, keeps its
// panic for Wait.
func (g *Group) Recover() {
	if r := recover(); r != nil {
		g.mu.Lock()
		if g.panicked == nil {
			g.panicked = Panic{Value: r, Stack: debug.Stack()}
		}
		g.mu.Unlock()
	}
}

// Wait waits for the group's goroutines and re-raises the first panic.
func (g *Group) Wait() {
	g.wg.Wait()
	g.mu.Lock()
	p := g.panicked
	g.mu.Unlock()
	if p != nil {
		panic(p)
	}
}

// Panic is a panic of another goroutine, with where it happened.
type Panic struct {
	Value any
	Stack []byte
}

func (p Panic) String() string {
	return fmt.Sprintf("%v\n(in another goroutine:)\n%s", p.Value, p.Stack)
}

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
	var g Group
	size := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += size {
		g.Go(func() { work(lo, min(lo+size, n)) })
	}
	g.Wait()
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
	var g Group
	for range workers {
		g.Go(func() {
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
	g.Wait()
}
