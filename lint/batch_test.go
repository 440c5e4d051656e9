package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/calmcheck/calmcheck/internal/builtintest"
	"github.com/calmcheck/calmcheck/monotonic"
)

// TestBatchesSameBytes: elements encoded in batches on several cores are
// written in order, byte for byte what one core writes, for every number
// of elements around the batch boundaries.
func TestBatchesSameBytes(t *testing.T) {
	defer func(n int) { batchSize = n }(batchSize)
	batchSize = 3
	spread := false // whether element 0 waited until another batch was being encoded
	write := func(procs, n int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var buf bytes.Buffer
		e := &errWriter{w: &buf}
		other := make(chan struct{})
		var once sync.Once
		spread = false
		e.lines(1, n, func(s *errWriter, b []byte, i int) []byte {
			switch {
			case procs > 1 && n >= 50 && i == 0:
				select {
				case <-other:
					spread = true
				case <-time.After(5 * time.Second):
				}
			case i >= batchSize:
				once.Do(func() { close(other) })
			}
			return s.appendCompact(b, map[string]any{"i": i, "s": "é\x01" + strconv.Itoa(i*i)})
		})
		if e.err != nil {
			t.Fatal(e.err)
		}
		return buf.String()
	}
	for _, n := range []int{0, 1, 2, 3, 4, 6, 7, 50, 301} {
		want := write(1, n)
		for _, procs := range []int{2, 3, 8} {
			if got := write(procs, n); got != want {
				t.Errorf("n=%d GOMAXPROCS=%d:\n got %q\nwant %q", n, procs, got, want)
			}
			if n >= 50 && !spread {
				t.Errorf("n=%d GOMAXPROCS=%d: no other batch was encoded while the first was: the batches were not spread", n, procs)
			}
		}
	}
	if got, want := write(1, 2), "[\n    {\"i\":0,\"s\":\"é\\u00010\"},\n    {\"i\":1,\"s\":\"é\\u00011\"}\n  ]"; got != want {
		t.Errorf("two elements:\n got %q\nwant %q", got, want)
	}
}

// failAfter fails every write after the first n bytes.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n < len(p) {
		return 0, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}

// TestBatchesErrors: a write error or an encoding error ends the writing
// and is kept; no goroutine is left behind.
func TestBatchesErrors(t *testing.T) {
	defer func(n int) { batchSize = n }(batchSize)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	batchSize = 2
	before := runtime.NumGoroutine()
	e := &errWriter{w: &failAfter{n: 40}}
	e.lines(0, 1000, func(s *errWriter, b []byte, i int) []byte { return append(b, strconv.Itoa(i)...) })
	if e.err == nil || e.err.Error() != "disk full" {
		t.Errorf("write error: got %v", e.err)
	}
	var buf bytes.Buffer
	e = &errWriter{w: &buf}
	e.lines(0, 1000, func(s *errWriter, b []byte, i int) []byte {
		if i == 500 {
			return s.appendCompact(b, func() {}) // encoding/json refuses a func
		}
		return s.appendCompact(b, i)
	})
	if e.err == nil {
		t.Errorf("encoding error: none reported")
	}
	if bytes.Contains(buf.Bytes(), []byte("\n501")) {
		t.Errorf("elements after the encoding error were written")
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left behind", n-before)
	}
}

// TestFormatsConcurrentSameBytes: every format writes the built-in
// library's report byte for byte the same on one core and on several,
// with a batch for every element (run with -race).
func TestFormatsConcurrentSameBytes(t *testing.T) {
	progs := builtintest.Programs(t)
	rep := Run(progs, nil, Options{})
	defer func(n int) { batchSize = n }(batchSize)
	write := func(format string, procs, batch int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		batchSize = batch
		var buf bytes.Buffer
		f := NewFormatter(format, "test", format == "text")
		if err := Write(&buf, f, rep); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	for _, format := range Formats {
		want := write(format, 1, 1024)
		if len(want) < 10_000 {
			t.Fatalf("%s: %d bytes: too few to test", format, len(want))
		}
		for _, procs := range []int{2, 4} {
			if got := write(format, procs, 1); got != want {
				t.Errorf("%s, GOMAXPROCS=%d: differs from one core's output", format, procs)
			}
		}
	}
}

// TestJSONStreamSameAsTree: the JSON formatter's document, written
// element by element, holds what ProgramJSON (the HTML report's source)
// builds, input sets included.
func TestJSONStreamSameAsTree(t *testing.T) {
	progs := builtintest.Programs(t)
	rep := Run(progs, nil, Options{})
	var buf bytes.Buffer
	if err := Write(&buf, NewFormatter("json", "test", false), rep); err != nil {
		t.Fatal(err)
	}
	var streamed map[string]any
	if err := json.Unmarshal(buf.Bytes(), &streamed); err != nil {
		t.Fatal(err)
	}
	sets := 0
	for _, pr := range rep.Programs {
		jp := ProgramJSON(pr)
		sets += len(jp.InputSets)
		tree, err := json.Marshal(jp)
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(tree, &want); err != nil {
			t.Fatal(err)
		}
		var got any
		for _, p := range streamed["programs"].([]any) {
			if p.(map[string]any)["name"] == jp.Name {
				got = p
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("program %s: the streamed JSON differs from ProgramJSON's", jp.Name)
		}
	}
	if sets < 10 {
		t.Fatalf("%d input sets in the built-in library: too few to test", sets)
	}
}

// TestInputSets: the inputs of points of order become sets, each once
// (whether or not the analysis shared the list), numbered in the order of
// the findings; other checks' inputs stay with their findings.
func TestInputSets(t *testing.T) {
	shared := []string{"a", "b"}
	pof := monotonic.CheckPointOfOrder
	fs := []monotonic.Finding{
		{Check: pof, Inputs: []string{"c"}},
		{Check: pof, Inputs: shared},
		{Check: monotonic.CheckMissingCoordination, Inputs: []string{"z"}},
		{Check: pof, Inputs: []string{"a", "b"}}, // equal, another list
		{Check: pof},
		{Check: pof, Inputs: shared},
		{Check: pof, Inputs: []string{"b", "a"}},
	}
	sets, idx := inputSets(fs)
	if want := [][]string{{"c"}, {"a", "b"}, {"b", "a"}}; !reflect.DeepEqual(sets, want) {
		t.Errorf("sets %v, want %v", sets, want)
	}
	if want := []int{0, 1, -1, 1, -1, 1, 2}; !reflect.DeepEqual(idx, want) {
		t.Errorf("indexes %v, want %v", idx, want)
	}
}

// TestBatchesPanic: a panic while encoding (a bug) reaches the writer's
// goroutine, which the command recovers from, instead of ending the
// process or leaving the writer waiting for the batch.
func TestBatchesPanic(t *testing.T) {
	defer func(n int) { batchSize = n }(batchSize)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	batchSize = 2
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "element 77") {
			t.Errorf("recovered %v, want the encoder's panic", r)
		}
	}()
	e := &errWriter{w: io.Discard}
	e.lines(0, 1000, func(s *errWriter, b []byte, i int) []byte {
		if i == 77 {
			panic("element 77")
		}
		return strconv.AppendInt(b, int64(i), 10)
	})
	t.Errorf("no panic")
}
