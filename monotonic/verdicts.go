package monotonic

import (
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// Witness is one path of a label: edge ids (an id at or above
// len(Graph.Edges) is a contract edge, see Result.ContractEdges), the
// nonmonotonic edge on it where it becomes D (where coordination would
// have to go, -1 if none) and the last asynchronous edge before that (-1
// if none).
type Witness struct {
	Path       []int
	Coordinate int
	Async      int
}

func noWitness() Witness { return Witness{Coordinate: -1, Async: -1} }

// Verdict is an (input, output) pair with two labels: Label, Bud's label
// with the contracts of the protocols the program does not realize
// standing in for their missing implementations; and Effective, what the
// program's coordination and seals leave of it. A pair whose Label is D
// and whose Effective label is not is covered (Covered says how); one
// whose Effective label is D is where coordination is missing.
type Verdict struct {
	From, To  int // source and sink nodes
	Label     Label
	Effective Label
	// Declared is a witness of a D Label; Missing a witness of a D
	// Effective label.
	Declared, Missing Witness
	// Covered says how a D Label is covered: "sealed: ...",
	// "coordinated: ..." or "part of the ... coordination of ...".
	Covered string
	// Contract is set when the pair is connected only through contract
	// edges (Bud would not connect it at all).
	Contract bool
	// Stale: some path from the input to the output crosses a snapshot
	// read (Result.TimingJoins with Snapshot set): a rule that joins
	// transient facts with grow-only state whose contents depend on
	// timing. The label's promise then holds in the weaker form of the
	// snapshot guarantee (docs/checks.md, "What the labels guarantee"):
	// every output fact derived through a snapshot rule is one the rule
	// derives from the same transient facts and the final contents of the
	// state it reads.
	Stale bool
}

// ContractEdge is a contract of a protocol the program does not realize,
// standing in for the missing implementation in the labels: an edge from
// the contract's input to its output, labelled as declared.
type ContractEdge struct {
	From, To int
	Label    Label
	Contract *modules.Contract
}

// CoordinationUse is a coordination declaration of the program, resolved.
type CoordinationUse struct {
	Decl *modules.Coordination
	// Nodes are the coordinated collections; Mechanism the nonmonotonic
	// edges of the protocol itself (its own rules that lead to them).
	Nodes     []int
	Mechanism []int
	// Needed is false when removing the declaration changes no label:
	// the unneeded-coordination finding.
	Needed bool
}

// SealUse is a seal of the program, resolved.
type SealUse struct {
	Seal           *modules.Seal
	Collection, By int
	// Covers are the nonmonotonic edges it covers (the rule groups by its
	// key); Misses those that read the sealed collection per another key.
	Covers, Misses []int
}

func (f *facts) model() *model {
	if f.m == nil {
		f.m = newModel(f.g)
	}
	return f.m
}

// verdicts computes the verdict of every (source, sink) pair connected
// by a path or through contract edges: two propagations per source,
// O(sources * (V + E)), ordered by sink then source.
func (f *facts) verdicts() []Verdict {
	if f.verdictsDone {
		return f.verd
	}
	f.verdictsDone = true
	g, m := f.g, f.model()
	if m.plain {
		f.verd = make([]Verdict, 0, len(f.pathLabels()))
		for _, p := range f.pathLabels() {
			w := Witness{Path: p.Path, Coordinate: p.Coordinate, Async: p.Async}
			v := Verdict{From: p.From, To: p.To, Label: p.Label, Effective: p.Label, Declared: noWitness(), Missing: noWitness(), Stale: p.Stale}
			if p.Label == D {
				v.Declared, v.Missing = w, w
			}
			f.verd = append(f.verd, v)
		}
		return f.verd
	}
	sources, sinks := g.Sources(), g.Sinks()
	if len(sources) == 0 || len(sinks) == 0 {
		return nil
	}
	raw := map[[2]int]bool{}
	for _, p := range f.pathLabels() {
		raw[[2]int{p.From, p.To}] = true
	}
	type labelers struct{ ld, lf, lm *labeler }
	mk := func() labelers {
		ls := labelers{ld: newLabeler(g, m.declared), lf: newLabeler(g, m.full)}
		if m.mech != nil {
			ls.lm = newLabeler(g, m.mech)
		}
		return ls
	}
	bySource := make([][]Verdict, len(sources))
	perSource(len(sources), mk, func(ls labelers, i int) {
		src := sources[i]
		ld, lf, lm := ls.ld, ls.lf, ls.lm
		ld.run(src)
		stale := ld.staleReach(m.tm.stale)
		lf.run(src)
		if lm != nil {
			lm.run(src)
		}
		for _, t := range sinks {
			ldl, ok := ld.label(t)
			if !ok {
				continue
			}
			lfl, _ := lf.label(t)
			v := Verdict{From: src, To: t, Label: ldl, Effective: lfl, Declared: noWitness(), Missing: noWitness(),
				Contract: !raw[[2]int{src, t}], Stale: stale != nil && stale[t]}
			if ldl == D {
				// Prefer a witness that is D without the coordination
				// protocols' own mechanisms (it is D in Bud's labels too):
				// it points at the program's point of order, not the
				// protocol's.
				lw := ld
				if lm != nil {
					if l, _ := lm.label(t); l == D {
						lw = lm
					}
				}
				path, coord, async := lw.witness(t, stD)
				v.Declared = Witness{path, coord, async}
			}
			if lfl == D {
				path, coord, async := lf.witness(t, stD)
				v.Missing = Witness{path, coord, async}
			}
			if ldl == D && lfl < D {
				v.Covered = m.explain(v.Declared)
			}
			bySource[i] = append(bySource[i], v)
		}
	})
	f.verd = bySink(g, sinks, bySource, func(v *Verdict) int { return v.To })
	return f.verd
}

// openEdges runs automaton a from every source at once and returns, per
// edge and contract edge (ids as in witnesses), whether some path makes
// it the place where the path becomes D: an order-sensitive step that
// nothing coordinates or seals. One propagation: O(V + E).
func (f *facts) openEdges(a *automaton) ([]bool, *labeler) {
	g := f.g
	l := newLabeler(g, a)
	srcs := g.Sources()
	out := make([]bool, len(g.Edges)+len(a.vedges))
	if len(srcs) == 0 {
		return out, l
	}
	l.run(srcs...)
	const toD = 1<<stA | 1<<stNA
	for i := range g.Edges {
		e := &g.Edges[i]
		if a.timing != nil {
			// An order-sensitive timing join (timing.go): D through a <~
			// from any state, N from an asynchronous one.
			switch t := a.timing[i]; {
			case t&tcD != 0:
				out[i] = l.mask[e.From]&^(1<<stD) != 0
			case t&tcN != 0:
				out[i] = l.mask[e.From]&toD != 0
			}
		}
		if !e.Nonmonotonic || a.class != nil && a.class[i] != classPlain {
			continue
		}
		out[i] = out[i] || l.mask[e.From]&toD != 0
	}
	for i, ce := range a.vedges {
		mask := l.mask[ce.from]
		switch ce.label {
		case N:
			out[len(g.Edges)+i] = mask&toD != 0
		case D:
			out[len(g.Edges)+i] = mask&^(1<<stD) != 0
		}
	}
	return out, l
}

// coordinationUses resolves the program's coordination declarations and
// decides which are needed: a declaration is needed when some
// order-sensitive step is covered with it and open without it. K + 1
// propagations from all sources at once: O(K * (V + E)).
func (f *facts) coordinationUses() []CoordinationUse {
	if f.coordDone {
		return f.coordUses
	}
	f.coordDone = true
	m := f.model()
	if len(m.p.Coordinations) == 0 {
		return nil
	}
	open, _ := f.openEdges(m.full)
	f.open = open
	for k, c := range m.p.Coordinations {
		u := CoordinationUse{Decl: c, Nodes: m.coordNodes[k]}
		for i := range m.exemptBy {
			if m.exempt(i) == k {
				u.Mechanism = append(u.Mechanism, i)
			}
		}
		without, l := f.openEdges(m.without(k))
		for i := range without {
			if without[i] && !open[i] {
				u.Needed = true
				break
			}
		}
		if !u.Needed {
			// What reaches the coordinated collections without it.
			best, reached := Bot, false
			for _, v := range u.Nodes {
				if lab, ok := l.label(v); ok {
					reached = true
					best = max(best, lab)
				}
			}
			f.unneededInto = append(f.unneededInto, unneededInfo{k: k, label: best, reached: reached})
		}
		f.coordUses = append(f.coordUses, u)
	}
	return f.coordUses
}

type unneededInfo struct {
	k       int
	label   Label
	reached bool
}

// sealUses resolves the program's seals.
func (f *facts) sealUses() []SealUse {
	m := f.model()
	var out []SealUse
	for si, s := range m.p.Seals {
		u := SealUse{Seal: s, Collection: m.sealNodes[si][0], By: m.sealNodes[si][1]}
		for i := range m.sealBy {
			if m.sealed(i) == si {
				u.Covers = append(u.Covers, i)
			}
			if m.missedSeal(i) == si {
				u.Misses = append(u.Misses, i)
			}
		}
		out = append(out, u)
	}
	return out
}

func (f *facts) contractEdges() []ContractEdge {
	m := f.model()
	var out []ContractEdge
	for _, ce := range m.vedges {
		out = append(out, ContractEdge{From: ce.from, To: ce.to, Label: ce.label, Contract: m.p.Contracts[ce.contract]})
	}
	return out
}

// uncovered returns, per node, whether it is reached from an entry or
// through an asynchronous edge without crossing a coordinated collection
// (the point-of-order search, with coordination).
func (f *facts) uncovered() []bool {
	if f.ureached != nil {
		return f.ureached
	}
	f.async()
	m, g := f.model(), f.g
	if len(m.p.Coordinations) == 0 {
		f.ureached = f.reached
		return f.ureached
	}
	// One search from the entries and the heads of asynchronous edges
	// that never enters a coordinated collection.
	seeds := g.Entries()
	for i := range g.Edges {
		if g.Edges[i].Async {
			seeds = append(seeds, g.Edges[i].To)
		}
	}
	seen := g.ReachWithin(seeds, false, 0, func(v int) bool { return len(m.coordsOf(v)) == 0 })
	f.ureached = seen
	return seen
}

// covers says why the nonmonotonic edges of a point of order need no
// coordination of the program's own ("" if some of them do): each is a
// coordination protocol's mechanism, sealed, or reached only through
// coordinated collections.
func (f *facts) covers(edges []int, ureached []bool) string {
	m, g := f.model(), f.g
	var why []string
	for _, ei := range edges {
		e := &g.Edges[ei]
		if t := m.tm.decl; t != nil && t[ei]&(tcN|tcD) != 0 && !e.Nonmonotonic {
			// An order-sensitive timing join: covered when each of its
			// races is (sealed, a mechanism), or when the messages it
			// races with pass through coordination.
			eff := m.tm.eff[ei]
			switch {
			case eff&(tcN|tcD) == 0:
				for _, i := range m.joinsAt(ei) {
					if tj := &m.tm.joins[i]; tj.Edge == ei && !tj.Snapshot && tj.Covered != "" {
						why = appendUnique(why, tj.Covered)
					}
				}
			case eff&tcD == 0 && !ureached[e.From]:
				why = appendUnique(why, f.coordinatedReason(e.From))
			default:
				return ""
			}
			continue
		}
		switch {
		case m.exempt(ei) >= 0:
			why = appendUnique(why, m.mechanismDesc(m.exempt(ei)))
		case m.sealed(ei) >= 0:
			why = appendUnique(why, m.sealDesc(m.sealed(ei)))
		case !ureached[e.From]:
			why = appendUnique(why, f.coordinatedReason(e.From))
		default:
			return ""
		}
	}
	return strings.Join(why, "; ")
}

// coordReaches is, per coordination declaration, what its collections
// reach.
func (f *facts) coordReaches() [][]bool {
	if f.coordReach == nil {
		m := f.model()
		for k := range m.p.Coordinations {
			f.coordReach = append(f.coordReach, m.forwardFrom(m.coordNodes[k], nil))
		}
	}
	return f.coordReach
}

// coordinatedReason names the coordination declarations whose collections
// reach v.
func (f *facts) coordinatedReason(v int) string {
	m := f.model()
	var why []string
	for k, r := range f.coordReaches() {
		if r[v] {
			why = append(why, m.coordDesc(k))
		}
	}
	if len(why) == 0 {
		return "coordinated"
	}
	return "coordinated: " + strings.Join(why, "; ")
}

// DiffluentEdges reports, per edge of the graph (and per contract edge,
// at len(Graph.Edges)+i), whether it lies on a path from a source to a
// sink whose label is D: with effective false, Bud's labels with the
// contracts standing in for missing implementations (Verdict.Label);
// with effective true, once the program's coordination and seals are
// taken into account (Verdict.Effective: where coordination is missing).
// For drawings: one propagation forwards from the sources and one
// backwards from the sinks over the states, O(numStates^2 * (V + E)).
// Computed on first use (drawings without --highlight D never pay for
// it), from the analysis' own model of the program.
func (r *Result) DiffluentEdges(effective bool) []bool {
	k := 0
	if effective {
		k = 1
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.diffluent[k] == nil {
		if r.facts == nil {
			r.facts = newFacts(r.Graph)
		}
		r.diffluent[k] = r.facts.diffluentEdges(effective)
	}
	return r.diffluent[k]
}

func (f *facts) diffluentEdges(effective bool) []bool {
	g := f.g
	m := f.model()
	a := m.declared
	if effective {
		a = m.full
	}
	ne := len(g.Edges)
	out := make([]bool, ne+len(a.vedges))
	sources, sinks := g.Sources(), g.Sinks()
	if len(sources) == 0 || len(sinks) == 0 {
		return out
	}
	l := newLabeler(g, a)
	l.run(sources...)
	fwd := l.mask
	// next returns the state after edge ei (or contract edge) from s.
	next := func(ei int, s uint8) (int, uint8) {
		if ei >= ne {
			ce := &a.vedges[ei-ne]
			return ce.to, a.arrive(ce.to, stepLabel(s, ce.label))
		}
		e := &g.Edges[ei]
		return e.To, a.arrive(e.To, a.edgeStep(s, ei, e.Flags()))
	}
	// bwd[v]: the states in which a path from v reaches a sink in D.
	bwd := make([]uint8, len(g.Nodes))
	var in [][]int // contract edges into each node
	if len(a.vedges) > 0 {
		in = make([][]int, len(g.Nodes))
		for i, ce := range a.vedges {
			in[ce.to] = append(in[ce.to], ne+i)
		}
	}
	var work []int
	isSink := make([]bool, len(g.Nodes))
	for _, t := range sinks {
		isSink[t] = true
		bwd[t] = 1 << stD
		work = append(work, t)
	}
	for len(work) > 0 {
		w := work[len(work)-1]
		work = work[:len(work)-1]
		preds := append([]int(nil), toInts(g.In(w))...)
		if in != nil {
			preds = append(preds, in[w]...)
		}
		for _, ei := range preds {
			u := m.from(ei)
			if a.stop != nil && a.stop[u] {
				continue
			}
			add := uint8(0)
			for s := uint8(0); s < numStates; s++ {
				if _, ns := next(ei, s); bwd[w]&(1<<ns) != 0 {
					add |= 1 << s
				}
			}
			if add&^bwd[u] != 0 {
				bwd[u] |= add
				work = append(work, u)
			}
		}
	}
	for ei := range out {
		u := m.from(ei)
		for s := uint8(0); s < numStates; s++ {
			if fwd[u]&(1<<s) == 0 {
				continue
			}
			if w, ns := next(ei, s); bwd[w]&(1<<ns) != 0 {
				out[ei] = true
				break
			}
		}
	}
	return out
}

func toInts(xs []int32) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x)
	}
	return out
}
