package lint

import (
	"runtime"
	"sync/atomic"

	"github.com/calmcheck/calmcheck/internal/par"
)

// Large reports are mostly long arrays of independent elements (a
// program's collections, rules, edges and findings), so they are encoded
// in batches on every core and written in order: the bytes are those of
// encoding one element after another. At most batchesInFlight batches
// per core are held at once, so memory does not grow with the output.

// batchSize is how many elements a batch holds (a variable for tests),
// batchBytes about how many bytes: a batch of large elements (an output's
// paths, with every input) holds fewer of them.
var batchSize = 1024

const batchBytes = 1 << 20

const batchesInFlight = 2

// encodeFunc appends element i to b. s is the calling goroutine's own
// scratch errWriter (for encoders and their buffers; never written to),
// fresh for each call of batches: an encoding error is left in s.err.
type encodeFunc func(s *errWriter, b []byte, i int) []byte

// batches writes elements 0..n-1, each encoded by enc (the separator
// before it too); on one goroutine when there is one core or a single
// batch. The first error (writing, or
// encoding) is kept in e.err and ends the writing.
func (e *errWriter) batches(n int, enc encodeFunc) {
	workers := runtime.GOMAXPROCS(0)
	size := e.batchLen(n, enc)
	nb := (n + size - 1) / size
	if workers <= 1 || nb <= 1 {
		// A scratch of this call's own, as each goroutine's below: what
		// an encoder keeps in it (s.local) is about these elements only.
		var s errWriter
		var b []byte
		for i := 0; i < n && e.err == nil; i++ {
			b = enc(&s, b[:0], i)
			if s.err != nil {
				e.err = s.err
				break
			}
			e.Write(b)
		}
		return
	}
	workers = min(workers, nb)
	type batch struct {
		b        []byte
		err      error
		panicked bool
		done     chan struct{}
	}
	out := make([]batch, nb)
	for k := range out {
		out[k].done = make(chan struct{})
	}
	tokens := make(chan struct{}, batchesInFlight*workers)
	// The batches' buffers, reused: a large report would otherwise make
	// as much garbage as it has bytes.
	free := make(chan []byte, batchesInFlight*workers)
	quit := make(chan struct{})
	var next atomic.Int64
	var g par.Group
	for range workers {
		g.Go(func() {
			var s errWriter
			for {
				select {
				case tokens <- struct{}{}:
				case <-quit:
					return
				}
				select {
				case <-quit:
					return
				default:
				}
				k := int(next.Add(1) - 1)
				if k >= nb {
					return
				}
				var b []byte
				select {
				case b = <-free:
				default:
				}
				func() {
					defer func() {
						if r := recover(); r != nil {
							out[k].panicked = true // the writer stops; g.Wait raises it
							close(out[k].done)
							panic(r)
						}
					}()
					for i := k * size; i < min((k+1)*size, n) && s.err == nil; i++ {
						b = enc(&s, b, i)
					}
				}()
				out[k].b, out[k].err = b, s.err
				close(out[k].done)
			}
		})
	}
	for k := 0; k < nb && e.err == nil; k++ {
		<-out[k].done
		if out[k].panicked {
			break
		}
		if out[k].err != nil {
			e.err = out[k].err
			break
		}
		e.Write(out[k].b)
		select {
		case free <- out[k].b[:0]:
		default:
		}
		out[k].b = nil
		<-tokens
	}
	close(quit)
	g.Wait()
}

// batchLen is the number of elements per batch: batchSize, or fewer when
// the first elements show that batchSize of them would be more than
// about batchBytes.
func (e *errWriter) batchLen(n int, enc encodeFunc) int {
	const sample = 8
	if n <= batchSize || batchSize <= sample {
		return batchSize
	}
	var s errWriter
	var b []byte
	for i := range sample {
		b = enc(&s, b, i)
	}
	per := max(1, len(b)/sample)
	return max(1, min(batchSize, batchBytes/per))
}
