// Package genprog generates the large spec programs that calmcheck's
// benchmarks and performance tests run on (docs/performance.md): the same
// size and shape give the same bytes.
package genprog

import (
	"fmt"
	"strings"
)

// File is a generated spec file.
type File struct {
	Name string
	Data []byte
}

const rulesPerFile = 20_000

// Shape is the shape of a generated program beyond its size.
type Shape struct {
	Name string
	// kind returns the kind of collection i of n: input, output, channel,
	// table or scratch.
	kind func(i, n int) string
	// body is the number of collections a rule reads (at least 2 when a
	// rule negates).
	body int
}

// The shapes: standard (16 inputs and 16 outputs, at the ends), wide (20
// inputs at the start, every 20th collection an output: 250 outputs at
// 10,000 rules, 2,500 at 100,000, the shape users found lint slow on),
// and dense (every 250th collection an input and every 25th an output:
// hundreds of inputs and thousands of outputs at 100,000 rules, and every
// rule reads three collections).
var (
	Standard = Shape{Name: "standard", body: 2, kind: func(i, n int) string {
		return genKind(i, i < 16, i >= n-16)
	}}
	Wide = Shape{Name: "wide", body: 2, kind: func(i, n int) string {
		return genKind(i, i < 20, i%20 == 19)
	}}
	Dense = Shape{Name: "dense", body: 3, kind: func(i, n int) string {
		return genKind(i, i%250 == 0, i%25 == 13)
	}}
	// Shapes are the shapes, standard first.
	Shapes = []Shape{Standard, Wide, Dense}
)

func genKind(i int, input, output bool) string {
	switch {
	case input:
		return "input"
	case output:
		return "output"
	case i%25 == 0:
		return "channel"
	case i%7 == 0:
		return "table"
	}
	return "scratch"
}

// Files generates the spec files of a program with the given number of
// rules over rules/2 collections, in a shape (its inputs and outputs:
// see Standard, Wide and Dense), every 25th collection a channel, every
// 7th a table, the rest scratches. Rules read one or two collections
// (three in Dense) declared before their head
// (forward edges), every 10th uses notin, every 20th aggregates, every 9th
// reads a later collection through <+ (temporal cycles), every 31st
// through <= (plain cycles), and a head that is a channel is written with
// <~. The module Gen (gen0.yaml) declares the state; modules GenP1, GenP2,
// ... hold 20,000 rules each, one file each (a spec file is limited to 16
// MiB); GenAll includes them all and is the program's root. The generator
// is deterministic: the same size and shape give the same bytes.
func Files(rules int, shape Shape) []File {
	ncoll := rules / 2
	var files []File
	var b strings.Builder
	b.Grow(ncoll * 32)
	b.WriteString("modules:\n  Gen:\n    doc: The state of a generated program for benchmarks.\n    state:\n")
	kind := make([]string, ncoll)
	var inputs, heads []int
	for i := 0; i < ncoll; i++ {
		k := shape.kind(i, ncoll)
		cols := "(k, v)"
		if k == "channel" {
			cols = "(@k, v)"
		}
		kind[i] = k
		if k == "input" {
			inputs = append(inputs, i)
		} else if len(inputs) > 0 {
			heads = append(heads, i) // written: every collection after the first input
		}
		fmt.Fprintf(&b, "      - %s c%d%s\n", k, i, cols)
	}
	files = append(files, File{"gen0.yaml", []byte(b.String())})
	seed := uint64(1)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int((seed >> 33) % uint64(n))
	}
	// readable reports whether a rule may read collection c (outputs are
	// only written, so that they are the program's sinks).
	readable := func(c int) bool { return kind[c] != "output" }
	var parts []string
	for r := 0; r < rules; r++ {
		if r%rulesPerFile == 0 {
			if r > 0 {
				files = append(files, File{fmt.Sprintf("gen%d.yaml", len(parts)), []byte(b.String())})
			}
			parts = append(parts, fmt.Sprintf("GenP%d", len(parts)+1))
			b.Reset()
			b.Grow(rulesPerFile * 64)
			fmt.Fprintf(&b, "modules:\n  %s:\n    include: [Gen]\n    rules:\n", parts[len(parts)-1])
		}
		if r%100 == 0 {
			fmt.Fprintf(&b, "      b%d:\n", r/100)
		}
		h := heads[r%len(heads)] // every collection but the inputs before it is written
		op := "<="
		if kind[h] == "channel" {
			op = "<~"
		}
		// a body collection declared before the head (within a window,
		// so that paths are long), or after it for a cycle
		before := func() int {
			lo := max(0, h-200)
			return lo + rnd(h-lo)
		}
		last := ncoll - 1
		for last > 0 && !readable(last) {
			last--
		}
		b1 := before()
		switch {
		case r%9 == 0 && h+1 < last:
			b1 = h + 1 + rnd(min(50, last-h-1))
			if op == "<=" {
				op = "<+"
			}
		case r%31 == 0 && h+1 < last:
			b1 = h + 1 + rnd(min(5, last-h-1))
		}
		if !readable(b1) {
			b1 = before()
		}
		if !readable(b1) {
			b1 = inputs[rnd(len(inputs))]
		}
		other := func() int {
			x := before()
			if !readable(x) {
				x = inputs[rnd(len(inputs))]
			}
			return x
		}
		b2 := other()
		extra := ""
		for k := 2; k < shape.body; k++ {
			extra += fmt.Sprintf(", c%d(W, _)", other())
		}
		switch {
		case r%20 == 0:
			fmt.Fprintf(&b, "        - c%d(K, count<V>) %s c%d(K, V)%s\n", h, op, b1, strings.ReplaceAll(extra, "W", "K"))
		case r%10 == 0:
			fmt.Fprintf(&b, "        - c%d(K, V) %s c%d(K, V), notin c%d(K, V)%s\n", h, op, b1, b2, strings.ReplaceAll(extra, "W", "V"))
		case r%3 == 0:
			fmt.Fprintf(&b, "        - c%d(K, V) %s c%d(K, V)%s\n", h, op, b1, strings.ReplaceAll(extra, "W", "V"))
		default:
			fmt.Fprintf(&b, "        - c%d(K, W) %s c%d(K, V), c%d(V, W)%s\n", h, op, b1, b2, extra)
		}
	}
	b.WriteString("  GenAll:\n    doc: The generated program.\n    include: [" + strings.Join(parts, ", ") + "]\n")
	files = append(files, File{fmt.Sprintf("gen%d.yaml", len(parts)), []byte(b.String())})
	return files
}

// ShapeNamed returns the shape of a name: standard, wide or dense.
func ShapeNamed(name string) (Shape, bool) {
	for _, s := range Shapes {
		if s.Name == name {
			return s, true
		}
	}
	return Shape{}, false
}

// Project is the calmcheck.yaml of a directory of generated files: the
// program gen, of the module GenAll.
var Project = File{"calmcheck.yaml", []byte("specs: [.]\nprograms:\n  gen: [GenAll]\n")}
