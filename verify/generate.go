package verify

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
)

// workload is what an experiment runs: nodes, the initial facts of the
// static tables, and the inputs with their timesteps.
type workload struct {
	name      string
	generated bool
	nodes     []string
	facts     []executor.WorkloadFact
	inputs    []executor.WorkloadFact
	maxTicks  int
	delay     [2]int // the delay range of random schedules
	file      string // where it comes from (a given workload)
}

// executor returns the executor's workload for these inputs.
func (w *workload) executor(inputs []executor.WorkloadFact) *executor.Workload {
	return &executor.Workload{Name: w.name, File: w.file, Pos: modules.Pos{File: w.file}, Nodes: w.nodes,
		Facts: w.facts, Inputs: inputs, Network: executor.NetworkSpec{Policy: executor.PolicyFIFO}, MaxTicks: w.maxTicks}
}

// withInputs returns a copy with other inputs (and facts).
func (w *workload) with(facts, inputs []executor.WorkloadFact) *workload {
	c := *w
	c.facts, c.inputs = facts, inputs
	return &c
}

// fromWorkload turns a given workload into an experiment's workload: its
// nodes, initial facts and inputs; its network's delay range, when it has
// one, is the range of the random schedules.
func fromWorkload(w *executor.Workload, maxTicks int) *workload {
	out := &workload{name: w.Name, nodes: w.Nodes, facts: w.Facts, inputs: w.Inputs, maxTicks: w.MaxTicks, delay: executor.DefaultRandomDelay, file: w.File}
	if w.Network.Policy == executor.PolicyRandom && w.Network.Delay[1] > 1 {
		out.delay = w.Network.Delay
	}
	if maxTicks > 0 {
		out.maxTicks = maxTicks
	}
	return out
}

// generator makes workloads from a program's schemas.
type generator struct {
	prog    *modules.Program
	g       *depgraph.Graph
	dom     *domains
	sources []int // input collections nothing writes
	static  []int // tables no rule writes and some rule reads
	// keys: the key dependencies generated facts keep (keys.go).
	keys map[int][]keyDep
	// shared: the classes of columns of two inputs or more (a watched
	// value and a put value): values the program compares across inputs.
	shared map[*class]bool
}

func newGenerator(g *depgraph.Graph) *generator {
	p := g.Program
	gen := &generator{prog: p, g: g, dom: inferDomains(p), keys: keyDeps(p)}
	in := map[*class]map[int]bool{}
	for _, v := range g.Sources() {
		gen.sources = append(gen.sources, v)
		for k := range p.Collections[v].Arity() {
			cl := gen.dom.classOf(v, k)
			if in[cl] == nil {
				in[cl] = map[int]bool{}
			}
			in[cl][v] = true
		}
	}
	gen.shared = map[*class]bool{}
	for cl, ins := range in {
		gen.shared[cl] = len(ins) > 1
	}
	// Tables some rule reads and no rule inserts into (none, or only
	// deletions, write them) are filled with initial facts: else they
	// stay empty and what reads them is never exercised.
	inserted := map[string]bool{}
	for _, r := range p.Rules {
		if r.Op != modules.OpDelete {
			inserted[r.Head.Pred] = true
		}
	}
	for _, n := range g.Nodes {
		if n.Kind == modules.Table && n.Read && !inserted[n.Name] {
			gen.static = append(gen.static, n.ID)
		}
	}
	return gen
}

// generate makes workload number j (0, 1, ...) from seed: 2 or 3 nodes
// (n1, n2, n3), static tables filled, and 3 + 2j inputs (at least two per
// input collection) spread over as many timesteps.
func (gen *generator) generate(seed uint64, j int, maxTicks int) *workload {
	rng := rand.New(rand.NewPCG(seed, 0x776f726b+uint64(j)))
	nn := 2 + j%2
	w := &workload{name: fmt.Sprintf("generated-%d", j+1), generated: true, maxTicks: maxTicks, delay: executor.DefaultRandomDelay, file: "(generated)"}
	for i := 1; i <= nn; i++ {
		w.nodes = append(w.nodes, fmt.Sprintf("n%d", i))
	}
	ids := 0
	kk := &keyKeeper{deps: gen.keys}
	for _, ti := range gen.static {
		decl := gen.prog.Collections[ti]
		allAddr := decl.Arity() > 0
		for k := range decl.Arity() {
			allAddr = allAddr && gen.dom.classOf(ti, k).addr
		}
		for _, node := range w.nodes {
			if allAddr && decl.Arity() == 1 && isRoleName(decl.Name) {
				// A role (the sequencer, the leader): one node holds it,
				// and every node knows which.
				w.facts = append(w.facts, executor.WorkloadFact{Node: node, Fact: executor.Fact{Collection: decl.Name, Args: []executor.Value{executor.Str(w.nodes[0])}}})
				continue
			}
			if allAddr && decl.Arity() == 1 {
				// A membership-like table: every other node.
				for _, other := range w.nodes {
					if other != node {
						w.facts = append(w.facts, executor.WorkloadFact{Node: node, Fact: executor.Fact{Collection: decl.Name, Args: []executor.Value{executor.Str(other)}}})
					}
				}
				continue
			}
			for range 2 {
				args, _ := gen.values(rng, ti, node, w.nodes, &ids)
				kk.keep(ti, args)
				w.facts = append(w.facts, executor.WorkloadFact{Node: node, Fact: executor.Fact{Collection: decl.Name, Args: args}})
			}
		}
	}
	if len(gen.sources) == 0 {
		return w
	}
	total := max(3+2*j, 2*len(gen.sources))
	colls := slices.Clone(gen.sources)
	colls = append(colls, gen.sources...)
	for len(colls) < total {
		colls = append(colls, gen.sources[rng.IntN(len(gen.sources))])
	}
	rng.Shuffle(len(colls), func(a, b int) { colls[a], colls[b] = colls[b], colls[a] })
	for i, ci := range colls {
		// Most inputs come from one node (the last: a client), so that
		// requests meet at the same servers.
		node := w.nodes[len(w.nodes)-1]
		if rng.IntN(10) >= 7 {
			node = w.nodes[rng.IntN(len(w.nodes))]
		}
		args, at := gen.values(rng, ci, node, w.nodes, &ids)
		kk.keep(ci, args)
		if at != "" {
			node = at
		}
		w.inputs = append(w.inputs, executor.WorkloadFact{Node: node, Tick: i + 1,
			Fact: executor.Fact{Collection: gen.prog.Collections[ci].Name, Args: args}})
	}
	return w
}

// values draws the arguments of a fact of collection ci to be injected at
// node (or, when an address column names the sender, at the node it
// names: returned as at).
func (gen *generator) values(rng *rand.Rand, ci int, node string, nodes []string, ids *int) (args []executor.Value, at string) {
	decl := gen.prog.Collections[ci]
	cols := decl.Columns()
	args = make([]executor.Value, len(cols))
	self := -1
	for k, c := range cols {
		if gen.dom.classOf(ci, k).addr && isSelfName(c.Name) && self < 0 {
			self = k
		}
	}
	if self >= 0 {
		at = node
	}
	others := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if n != node {
			others = append(others, n)
		}
	}
	if len(others) == 0 {
		others = nodes
	}
	nkey := len(decl.Key)
	if len(decl.Val) == 0 {
		nkey = len(cols)
	}
	for k, c := range cols {
		cl := gen.dom.classOf(ci, k)
		// A column the rules compare with constants takes one of them
		// four times in five, else a value of its own (a filter must
		// see facts it lets through and facts it stops).
		useConst := len(cl.consts) > 0 && rng.IntN(5) != 0
		switch {
		case k == self:
			args[k] = executor.Str(node)
		case cl.addr:
			// Skewed towards one node, so that requests meet at a server.
			o := others[0]
			if len(others) > 1 && rng.IntN(10) >= 7 {
				o = others[1+rng.IntN(len(others)-1)]
			}
			args[k] = executor.Str(o)
		case useConst:
			args[k] = cl.consts[rng.IntN(len(cl.consts))]
		case isIDName(c.Name):
			*ids++
			args[k] = executor.Int(int64(*ids))
		case cl.list:
			args[k] = executor.List(executor.Int(int64(1 + rng.IntN(2))))
		case cl.threshold:
			// A bound a lattice's size is compared with: small, so
			// that the inputs reach it, or nearly.
			args[k] = executor.Int(int64(1 + rng.IntN(3)))
		case k >= nkey && !cl.key && !gen.shared[cl]:
			// A value column (after =>) that is nowhere a key: a fresh
			// value, so that two writes of one key always differ
			// (unless another input holds values of its class, which
			// the program compares with it: a watch of a put value
			// must be able to meet it).
			*ids++
			if cl.numeric {
				args[k] = executor.Int(int64(*ids))
			} else {
				args[k] = executor.Str(fmt.Sprintf("%s%d", c.Name, *ids))
			}
		default:
			// A small domain, skewed towards its first value so that
			// inputs meet on the same keys (sessions, items).
			v := 1
			if rng.IntN(10) >= 7 {
				v = 2
			}
			if cl.numeric {
				args[k] = executor.Int(int64(v))
			} else {
				args[k] = executor.Str(fmt.Sprintf("%s%d", c.Name, v))
			}
		}
	}
	return args, at
}
