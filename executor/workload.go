package executor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// Workload is a parsed workload file: the program to run, the nodes, each
// node's initial table facts, the inputs injected at given timesteps, and
// the network.
type Workload struct {
	Name       string // the file's base name without extension
	File       string
	Pos        modules.Pos // the workload key
	Doc        string
	Program    string
	ProgramPos modules.Pos
	Modules    []modules.Ref
	Nodes      []string
	NodePos    []modules.Pos
	Facts      []WorkloadFact // initial table contents
	Inputs     []WorkloadFact // facts injected into input interfaces
	Network    NetworkSpec
	MaxTicks   int
}

// WorkloadFact is an initial fact or an input of a workload.
type WorkloadFact struct {
	Node string
	Tick int // inputs only
	Fact Fact
	Pos  modules.Pos
}

// NetworkSpec is the network of a workload.
type NetworkSpec struct {
	Policy    string  `json:"policy"`
	Delay     [2]int  `json:"delay"`
	Duplicate float64 `json:"duplicate"`
	Drop      float64 `json:"drop"`
}

// DefaultRandomDelay is the delay range of the random policy when the
// workload gives none.
var DefaultRandomDelay = [2]int{1, 5}

// MaxDelay bounds the delay of the random policy.
const MaxDelay = 1000

// MaxWorkloadSize bounds the size of a workload file.
const MaxWorkloadSize = modules.MaxFileSize

// ---------------------------------------------------------------------------
// Binding a workload to a compiled program.

// Setup is a compiled program with a workload bound to it: ready to run,
// immutable, safe to run from many goroutines at once.
type Setup struct {
	prog      *Program
	w         *Workload
	nodes     []string
	facts     []bfact
	inputs    map[int][]binput
	lastInput int
	origins   []worigin
}

type bfact struct {
	node, coll int
	vals       []Value
	origin     int32
}

type binput struct {
	tick, node, coll int
	vals             []Value
	origin           int32
}

type worigin struct {
	what string
	pos  modules.Pos
}

// Program returns the compiled program.
func (s *Setup) Program() *Program { return s.prog }

// Workload returns the workload.
func (s *Setup) Workload() *Workload { return s.w }

func (s *Setup) inputsAt(t int) []binput { return s.inputs[t] }

// Bind checks the workload against the program: known nodes, known
// collections with the right number of columns, initial facts only in
// tables, inputs only in input interfaces.
func Bind(p *Program, w *Workload) (*Setup, modules.Diagnostics) {
	s := &Setup{prog: p, w: w, nodes: w.Nodes, inputs: map[int][]binput{}}
	var ds modules.Diagnostics
	nodeIdx := map[string]int{}
	for i, n := range w.Nodes {
		nodeIdx[n] = i
	}
	errf := func(pos modules.Pos, format string, args ...any) {
		ds = append(ds, modules.Diagnostic{Pos: pos, Severity: modules.Error, Check: "workload", Message: fmt.Sprintf(format, args...)})
	}
	check := func(f WorkloadFact, what string, want modules.Kind) (int, int, bool) {
		ni, ok := nodeIdx[f.Node]
		if !ok {
			errf(f.Pos, "%s for unknown node %q (the workload's nodes: %s)", what, f.Node, strings.Join(w.Nodes, ", "))
			return 0, 0, false
		}
		ci, ok := p.byName[f.Fact.Collection]
		if !ok {
			errf(f.Pos, "%s %s: program %s has no collection %s", what, f.Fact, p.src.Name, f.Fact.Collection)
			return 0, 0, false
		}
		c := p.colls[ci]
		if len(f.Fact.Args) != c.arity {
			errf(f.Pos, "%s %s: %s has %d columns %s, found %d values", what, f.Fact, c.name, c.arity, c.decl.Schema(), len(f.Fact.Args))
			return 0, 0, false
		}
		if c.kind != want {
			errf(f.Pos, "%s %s: %s is %s %s; %ss go into %s collections", what, f.Fact, c.name, article(c.kind.String()), c.kind, what, want)
			return 0, 0, false
		}
		return ni, ci, true
	}
	for _, f := range w.Facts {
		ni, ci, ok := check(f, "initial fact", modules.Table)
		if !ok {
			continue
		}
		s.origins = append(s.origins, worigin{what: "initial fact " + f.Fact.String() + " for " + f.Node, pos: f.Pos})
		s.facts = append(s.facts, bfact{node: ni, coll: ci, vals: f.Fact.Args, origin: int32(-len(s.origins))})
	}
	for _, f := range w.Inputs {
		ni, ci, ok := check(f, "input", modules.Input)
		if !ok {
			continue
		}
		s.origins = append(s.origins, worigin{what: fmt.Sprintf("input %s at %s, tick %d", f.Fact, f.Node, f.Tick), pos: f.Pos})
		s.inputs[f.Tick] = append(s.inputs[f.Tick], binput{tick: f.Tick, node: ni, coll: ci, vals: f.Fact.Args, origin: int32(-len(s.origins))})
		if f.Tick > s.lastInput {
			s.lastInput = f.Tick
		}
	}
	for _, in := range s.inputs {
		sort.SliceStable(in, func(a, b int) bool { return in[a].node < in[b].node })
	}
	if ds.HasErrors() {
		return nil, ds
	}
	return s, ds
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// Prepare composes the workload's program from lib, compiles it and binds
// the workload: everything a run needs.
func Prepare(lib *modules.Library, w *Workload) (*Setup, modules.Diagnostics) {
	var mp *modules.Program
	var ds modules.Diagnostics
	if w.Program != "" {
		mp, ds = lib.ComposeProgram(w.Program)
		for i := range ds {
			if !ds[i].Pos.IsValid() {
				ds[i].Pos = w.ProgramPos
			}
		}
	} else {
		names := make([]string, len(w.Modules))
		for i, m := range w.Modules {
			names[i] = m.Name
		}
		mp, ds = lib.Compose(strings.Join(names, "+"), w.Modules)
	}
	if mp == nil || ds.HasErrors() {
		return nil, ds
	}
	p, cds := Compile(mp)
	ds = append(ds, cds...)
	if p == nil {
		return nil, ds
	}
	s, bds := Bind(p, w)
	ds = append(ds, bds...)
	if s == nil {
		return nil, ds
	}
	return s, ds
}
