package monotonic

import (
	"slices"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
)

// Timing joins (docs/checks.md, "What the labels guarantee"): rules in
// whose body a fact whose timing varies meets what happens to be there in
// the same timestep. Bud's labels read each body atom's path on its own,
// as if every fact persisted; in Bloom's timesteps inputs, messages and
// scratch facts last one timestep, tables shrink under deletions, and what
// a notin finds absent may arrive later. For every rule, each positive
// literal P reached from an entry (or a message) is compared with every
// other literal L of the body:
//
//   - same source: L is derived within the timestep from the very transient
//     collection P is, or is P's collection: negated (FilterByNegation),
//     exempt (L's own edge carries the label); positive, which facts
//     coincide matters, as in a self-join: N after the edge from P;
//   - order-sensitive: L is negated, or shrinks, or both are transient, or
//     P shrinks; the edge from P counts as nonmonotonic, N after it when L
//     is reached only locally, D when through a <~;
//   - snapshot read: one side transient, the other grow-only state; stale
//     but never wrong; the pairs through it are marked stale, and when the
//     state is filled by messages the edge counts as asynchronous.
//
// Literals reached from no entry and no message (static tables, initial
// facts, periodics) are exempt. Everything is linear: two breadth-first
// searches, one pass over the condensation of the instantaneous edges,
// and each rule's literals once (O(k) per rule with a map of sources).

// Timing classes of an edge (bits), for the labels.
const (
	tcAsync  uint8 = 1 << iota // a snapshot read of state messages fill: asynchronous before the edge
	tcN                        // an order-sensitive timing join, the other side reached only locally
	tcD                        // an order-sensitive timing join, the other side reached through a <~
	tcSealed                   // an order-sensitive timing join that a seal covers (effective labels)
)

// timingStep is the state after the timing class t of an edge, before the
// edge's own flags.
func timingStep(s uint8, t uint8) uint8 {
	if t&tcAsync != 0 {
		s = afterA[s]
	}
	switch {
	case t&tcD != 0:
		s = stD
	case t&tcN != 0:
		s = afterN[s]
	case t&tcSealed != 0:
		s = afterSealed[s]
	}
	return s
}

// Growth of a collection's contents over time (bits); 0 is grow-only.
const (
	grEvent  uint8 = 1 << iota // facts exist only at some timesteps (inputs, messages, scratches of them)
	grShrink                   // contents can lose facts (deletions, upserts, aggregates, negation)
)

// Same-timestep sources: a node id, or one of these.
const (
	srcNone int32 = -1 // untimed: the same at every timestep
	srcMany int32 = -2 // memory (a table) or several sources
)

// TimingJoin is a rule where facts whose timing varies meet what happens to
// be there in the same timestep: the literal Literal (whose edge Edge leads
// to the head) meets Other (edge OtherEdge).
type TimingJoin struct {
	Rule *modules.Rule
	// Edge is the edge from Literal's collection to the head, OtherEdge
	// the other literal's.
	Edge, OtherEdge int
	Literal, Other  *modules.AtomLit
	// Snapshot: a snapshot read (one side transient, the other grow-only
	// state): stale, never wrong. Otherwise an order-sensitive timing
	// join, a point of order.
	Snapshot bool
	// Remote: the other side is reached through a <~ (the race is decided
	// by the schedule alone: D); otherwise only locally (N).
	Remote bool
	// Covered says what covers an order-sensitive join in the effective
	// labels (a seal, a coordination protocol's mechanism, coordination
	// on the other side's way), "" if nothing.
	Covered string
	// Seal and Coordination are what Covered names, when a seal or a
	// coordination protocol's mechanism covers the join (nil otherwise).
	Seal         *modules.Seal
	Coordination *modules.Coordination
	// coordinated: the other side's messages reach it only through
	// coordinated collections (the effective label is N).
	coordinated bool
	// event: Literal's facts last one timestep (for the words: the
	// transient side is named first).
	event bool
	// via: a <~ edge through which Other is reached (-1: none known).
	via int
}

// race says in words which two facts meet: "checkout_msg (a message, one
// timestep) meets action_cnt (changes over time, filled through a <~)".
func (tj *TimingJoin) race() string {
	how := "reached only locally"
	if tj.Remote {
		how = "reached through a <~"
	}
	return litDesc(tj.Literal, "") + " meets " + litDesc(tj.Other, how) + " in the same timestep"
}

func litDesc(a *modules.AtomLit, how string) string {
	s := a.Pred
	if a.Negated {
		s = "notin " + s
	}
	if how != "" {
		s += " (" + how + ")"
	}
	return s
}

// asyncOf returns the asynchronous edge of a D witness, or, when its
// path has none (a timing join whose other side messages fill), the last
// asynchronous edge on the way to that other side; -1 if none.
// idleAt reports whether edge ei is a negation that is D because its
// rule also fires in idle timesteps, which the schedule decides.
func (f *facts) idleAt(ei int) bool {
	tm := f.model().tm
	return tm != nil && ei >= 0 && ei < len(tm.idle) && tm.idle[ei]
}

// asyncWords describes what makes a witness asynchronous: its <~, or
// the messages that decide which timesteps run (idle timesteps).
func (f *facts) asyncWords(w Witness) string {
	if a := f.asyncOf(w); a >= 0 || !f.idleAt(w.Coordinate) {
		return f.asyncDesc(a)
	}
	return "the messages whose arrivals decide which timesteps a node runs"
}

func (f *facts) asyncOf(w Witness) int {
	if w.Async >= 0 {
		return w.Async
	}
	if tj := f.timingAt(w.Coordinate); tj != nil && tj.Remote {
		return tj.via
	}
	return -1
}

// rank orders joins for the words: one whose other side is reached
// through a <~ first, then one whose own facts last one timestep.
func (tj *TimingJoin) rank() int {
	r := 0
	if !tj.Remote {
		r += 2
	}
	if !tj.event {
		r++
	}
	return r
}

// timingAt returns the order-sensitive timing join of edge ei (the first
// with a remote other side, else the first), nil if none.
func (f *facts) timingAt(ei int) *TimingJoin { return f.model().timingAt(ei) }

func (m *model) timingAt(ei int) *TimingJoin {
	if m.tm.decl == nil || ei < 0 || ei >= len(m.g.Edges) || m.tm.decl[ei]&(tcN|tcD) == 0 {
		return nil
	}
	var best *TimingJoin
	for _, i := range m.joinsAt(ei) {
		tj := &m.tm.joins[i]
		if tj.Edge == ei && !tj.Snapshot && (best == nil || tj.Remote && !best.Remote || tj.Covered != "" && best.Covered == "") {
			best = tj
		}
	}
	return best
}

// StepReason says why edge ei (an edge of the graph) is order-sensitive:
// its nonmonotonic use ("notin", "count<R>", "deletion (<-)"), or the
// timing join it is ("timing join: checkout_msg meets action_cnt ...").
func (r *Result) StepReason(ei int) string {
	e := &r.Graph.Edges[ei]
	if e.Nonmonotonic {
		return e.Reason()
	}
	var best *TimingJoin
	consider := func(tj *TimingJoin) {
		if tj.Edge == ei && !tj.Snapshot && (best == nil || tj.Remote && !best.Remote) {
			best = tj
		}
	}
	if f := r.facts; f != nil && f.m != nil && len(f.m.tm.joins) == len(r.TimingJoins) {
		for _, i := range f.m.joinsAt(ei) { // the joins of ei, in order
			consider(&r.TimingJoins[i])
		}
	} else {
		for i := range r.TimingJoins {
			consider(&r.TimingJoins[i])
		}
	}
	if best == nil {
		return ""
	}
	return "timing join: " + best.race()
}

// timingInfo is the timing analysis of a program.
type timingInfo struct {
	decl, eff []uint8 // per edge: timing class, Bud's labels with contracts / effective; nil when none
	mech      []uint8 // decl without the coordination protocols' own rules (for witnesses)
	stale     []bool  // per edge: a snapshot read; nil when none
	idle      []bool  // per edge: a negation D because it also fires in idle timesteps; nil when none
	joins     []TimingJoin
	timed     []bool // per node: reached from an entry or a message
}

// any reports whether some edge has a timing class or is stale.
func (t *timingInfo) any() bool { return t != nil && (t.decl != nil || t.stale != nil) }

// timing analyses the timing joins of the model's program. reset marks
// the coordinated collections (nil: none): a <~ before one does not make
// the other side of a join remote in the effective labels. block (nil:
// none) marks collections that asynchrony does not cross (a contract's
// interfaces, when a module is checked against its protocol's contract).
func (m *model) timing(reset, block []bool) *timingInfo {
	g, p := m.g, m.p
	n := len(g.Nodes)
	ti := &timingInfo{}
	// Entries, and the heads of <~ edges and asynchronous contracts.
	var entries, asyncHeads, asyncHeadsEff []int
	var asyncEdges []int // per asyncHeads entry: its edge (-1 for a contract)
	entries = append(entries, g.Entries()...)
	addAsync := func(v int) {
		asyncHeads = append(asyncHeads, v)
		asyncEdges = append(asyncEdges, -1)
		if reset == nil || !reset[v] {
			asyncHeadsEff = append(asyncHeadsEff, v)
		}
	}
	for i := range g.Edges {
		if g.Edges[i].Async {
			addAsync(g.Edges[i].To)
			asyncEdges[len(asyncEdges)-1] = i
		}
	}
	for _, ce := range m.vedges {
		if ce.label == A || ce.label == D {
			addAsync(ce.to)
		}
	}
	// Timed: what inputs or messages reach, and what changes from one
	// timestep to the next on its own: the heads of temporal rules (a
	// table that a workload's initial facts fill and a deletion empties,
	// or a <+ grows, holds other facts at other timesteps) and periodics
	// (their facts come at the timer's timesteps: an input joined with
	// one is answered or not by when it comes).
	clock := slices.Clone(entries)
	for i := range g.Edges {
		if g.Edges[i].Temporal {
			clock = append(clock, g.Edges[i].To)
		}
	}
	periodic := make([]bool, n)
	for i, nd := range g.Nodes {
		if nd.Kind == modules.Periodic {
			clock = append(clock, i)
			periodic[i] = true
		}
	}
	ti.timed = m.forwardFrom(append(clock, asyncHeads...), nil)
	remote := m.forwardFrom(asyncHeads, block)
	// via: per node reached through a <~, one such edge (for the words).
	via := make([]int32, n)
	for i := range via {
		via[i] = -1
	}
	{
		var queue []int
		for k, v := range asyncHeads {
			if remote[v] && via[v] < 0 && asyncEdges[k] >= 0 {
				via[v] = int32(asyncEdges[k])
				queue = append(queue, v)
			}
		}
		for qi := 0; qi < len(queue); qi++ {
			v := queue[qi]
			to, _ := g.OutAdj(v)
			for _, w := range to {
				if remote[w] && via[w] < 0 {
					via[w] = via[v]
					queue = append(queue, int(w))
				}
			}
		}
	}
	remoteEff := remote
	if reset != nil {
		if block != nil {
			both := make([]bool, n)
			for v := range both {
				both[v] = reset[v] || block[v]
			}
			reset = both
		}
		remoteEff = m.forwardFrom(asyncHeadsEff, reset)
	}
	timed := ti.timed

	// Growth and same-timestep source of every collection, over the
	// condensation of the instantaneous edges in topological order.
	shrinkTable := make([]bool, n)
	for _, r := range p.Rules {
		if h, ok := g.Lookup(r.Head.Pred); ok && (r.Op.Nonmonotonic() || r.HasAggregate()) {
			shrinkTable[h] = true
		}
	}
	isEntry := make([]bool, n)
	for _, v := range entries {
		isEntry[v] = true
	}
	contractInto := make([]bool, n)
	for _, ce := range m.vedges {
		contractInto[ce.to] = true
	}
	derived := func(v int) bool {
		k := g.Nodes[v].Kind
		return (k == modules.Scratch || k == modules.Output) && !isEntry[v]
	}
	grow := make([]uint8, n)
	src := make([]int32, n)
	// filter: a derived collection whose every rule has one timed atom,
	// positive, over its source or another filter of it (a selection or
	// projection within the timestep: FilterByNegation's bad).
	filter := make([]bool, n)
	timedAtoms := make([]int, len(p.Rules))
	for i := range g.Edges {
		if e := &g.Edges[i]; timed[e.From] {
			timedAtoms[e.RuleID]++
		}
	}
	// Per seal: the collections derived, within the timestep, only from
	// the sealed collection, and those reached from what seals it.
	type sealInfo struct {
		only, by []bool
	}
	seals := make([]sealInfo, len(m.sealNodes))
	for si, sn := range m.sealNodes {
		seals[si].only = make([]bool, n)
		if sn[0] >= 0 {
			seals[si].only[sn[0]] = true
		}
		if sn[1] >= 0 {
			seals[si].by = m.forwardFrom([]int{sn[1]}, nil)
		} else {
			seals[si].by = make([]bool, n)
		}
	}
	join := func(a, b int32) int32 {
		switch {
		case a == srcNone:
			return b
		case b == srcNone || a == b:
			return a
		}
		return srcMany
	}
	scc := g.SCC(depgraph.FlagTemporal)
	sealOnly := make([]bool, len(seals)) // per seal: every timed in-edge of a component's derived members comes from its sealed collection
	for c := scc.Count - 1; c >= 0; c-- {
		mem := scc.Members(c)
		var gr uint8
		s := srcNone
		for si := range seals {
			sealOnly[si] = true
		}
		anyDerived := false
		isFilter := true
		for _, v := range mem {
			v := int(v)
			if !timed[v] {
				src[v] = srcNone
			}
			if !derived(v) {
				switch g.Nodes[v].Kind {
				case modules.Table:
					if shrinkTable[v] {
						grow[v] = grShrink
					}
					if timed[v] {
						src[v] = srcMany
					}
				default: // inputs, channels, periodics, entries
					grow[v] = grEvent
					if timed[v] {
						src[v] = int32(v)
					}
				}
				continue
			}
			anyDerived = true
			if contractInto[v] {
				gr |= grEvent
				s = join(s, srcMany)
				for si := range sealOnly {
					sealOnly[si] = false
				}
			}
			from, flags := g.InAdj(v)
			ids := g.In(v)
			for i, u := range from {
				u := int(u)
				if !timed[u] || derived(u) && scc.Comp[u] == int32(c) {
					continue
				}
				for si := range seals {
					sealOnly[si] = sealOnly[si] && seals[si].only[u]
				}
				e := &g.Edges[ids[i]]
				isFilter = isFilter && timedAtoms[e.RuleID] == 1 && !e.Nonmonotonic && !e.Temporal &&
					(!derived(u) || filter[u])
				if flags[i]&depgraph.FlagTemporal != 0 {
					gr |= grEvent
					s = join(s, srcMany)
					continue
				}
				gr |= grow[u]
				if flags[i]&depgraph.FlagNonmonotonic != 0 || g.Edges[ids[i]].Aggregate {
					gr |= grShrink
				}
				s = join(s, src[u])
			}
		}
		if !anyDerived {
			continue
		}
		for _, v := range mem {
			if v := int(v); derived(v) {
				filter[v] = isFilter && len(mem) == 1 && timed[v] && s >= 0
				grow[v] = gr
				if timed[v] {
					src[v] = s
				} else {
					src[v] = srcNone
				}
				for si := range seals {
					if sealOnly[si] && timed[v] {
						seals[si].only[v] = true
					}
				}
			}
		}
	}

	// The rules of a coordination protocol's own mechanism: their timing
	// joins are the protocol's, not the program's, in the effective labels.
	var up [][]bool
	for k := range p.Coordinations {
		up = append(up, g.Reach(m.coordNodes[k], true, 0))
	}
	mechanism := func(r *modules.Rule, head int) int {
		for k, c := range p.Coordinations {
			if r.Coord == c && up[k][head] {
				return k
			}
		}
		return -1
	}

	type lit struct {
		a    *modules.AtomLit
		v, e int
	}
	// A seal covers a join when one side is derived only from the sealed
	// collection and the rule is gated, on the same key, by what seals it:
	// the side's seal-key columns and those of a positive literal reached
	// from the seal's by (whose columns carry by's key) hold the same
	// variables, so that the join reads only groups the seal completes.
	var lits []lit
	keys := make([][2][][]int, len(seals)) // per seal: the key's columns in each collection derived from c, from by (computed on first use)
	sealedBy := func(pl, ol lit) int {
		for si := range seals {
			for _, x := range [2]lit{pl, ol} {
				if !seals[si].only[x.v] {
					continue
				}
				if keys[si][0] == nil {
					keys[si] = m.sealKeys(si, seals[si].only, seals[si].by)
				}
				kx, ok := keyVars(x.a, keys[si][0][x.v])
				if !ok {
					continue
				}
				for _, y := range lits {
					if ky, ok := keyVars(y.a, keys[si][1][y.v]); ok && !y.a.Negated && seals[si].by[y.v] && slices.Equal(kx, ky) {
						return si
					}
				}
			}
		}
		return -1
	}

	// Each rule's literals.
	ne := len(g.Edges)
	edgeOf := func(lo, hi, v int) int {
		for i := lo; i < hi; i++ { // a rule has few atoms
			if g.Edges[i].From == v {
				return i
			}
		}
		return -1
	}
	for lo := 0; lo < ne; {
		hi := lo
		for hi < ne && g.Edges[hi].RuleID == g.Edges[lo].RuleID {
			hi++
		}
		r := g.Edges[lo].Rule
		head := g.Edges[lo].To
		lits = lits[:0]
		for a := range r.Atoms() {
			v, ok := g.Lookup(a.Pred)
			if !ok || !timed[v] {
				continue
			}
			if e := edgeOf(lo, hi, v); e >= 0 {
				lits = append(lits, lit{a, v, e})
			}
		}
		lo = hi
		mech := mechanism(r, head)
		// Idle timesteps: a rule none of whose positive atoms lasts one
		// timestep fires in every timestep, also in those without a new
		// fact, and which timesteps a node runs depends on when messages
		// arrive. A negated literal over facts that last one timestep
		// (reached from an input) is then true or false depending on the
		// schedule alone: D, whenever the program sends messages.
		if len(asyncHeads) > 0 {
			posEvent := false
			for a := range r.Atoms() {
				if v, ok := g.Lookup(a.Pred); ok && !a.Negated && grow[v]&grEvent != 0 {
					posEvent = true
					break
				}
			}
			for _, l := range lits {
				if posEvent || !l.a.Negated || grow[l.v]&grEvent == 0 {
					continue
				}
				if ti.decl == nil {
					ti.decl, ti.eff, ti.mech = make([]uint8, ne), make([]uint8, ne), make([]uint8, ne)
				}
				ti.decl[l.e] |= tcD
				if mech < 0 {
					ti.mech[l.e] |= tcD
					ti.eff[l.e] |= tcD
				}
				if ti.idle == nil {
					ti.idle = make([]bool, ne)
				}
				ti.idle[l.e] = true
			}
		}
		if len(lits) < 2 {
			continue
		}
		for i, pl := range lits {
			if pl.a.Negated {
				continue
			}
			var race, snap *TimingJoin
			var dec, eff uint8
			for j, ol := range lits {
				if i == j {
					continue
				}
				if periodic[pl.v] && g.Nodes[ol.v].Kind.Persistent() || periodic[ol.v] && g.Nodes[pl.v].Kind.Persistent() {
					// The retransmission idiom: a periodic joined with a
					// table resends what the table holds, and receivers'
					// sets absorb the duplicates.
					continue
				}
				// A filter of the very same facts within the timestep
				// (FilterByNegation's bad, derived from wire and negated
				// beside it): negated, its own edge is nonmonotonic and
				// reached from the same inputs as P's, so it carries the
				// label; positive, which facts coincide still matters
				// (inbox(M, N) <= wire(_, M), ok(N) pairs the messages
				// that arrive together), as in a self-join.
				sp := src[pl.v]
				sameSrc := ol.v != pl.v && sp >= 0 && sp == src[ol.v] && (filter[ol.v] || int(sp) == ol.v) && (filter[pl.v] || int(sp) == pl.v)
				if sameSrc && ol.a.Negated {
					continue
				}
				if ol.v == pl.v || sameSrc {
					// The same collection twice (a self-join, or notin of
					// itself), or a filter of it: which of its facts
					// coincide. The asynchrony is on P's own path, so N
					// (and D after an A) is enough; an edge already
					// nonmonotonic says it.
					if g.Edges[pl.e].Nonmonotonic || grow[pl.v] == 0 && !ol.a.Negated {
						continue
					}
					if race == nil {
						tj := TimingJoin{Rule: r, Edge: pl.e, OtherEdge: ol.e, Literal: pl.a, Other: ol.a}
						dec |= tcN
						switch si := sealedBy(pl, ol); {
						case mech >= 0:
							tj.Covered, tj.Coordination = m.mechanismDesc(mech), p.Coordinations[mech]
						case si >= 0:
							eff |= tcSealed
							tj.Covered, tj.Seal = m.sealDesc(si), p.Seals[si]
						default:
							eff |= tcN
						}
						race = &tj
					}
					continue
				}
				gp, gl := grow[pl.v], grow[ol.v]
				var order, stale bool
				switch {
				case ol.a.Negated, gl&grShrink != 0:
					order = true
				case gl&grEvent == 0 && (r.HasAggregate() || g.Edges[ol.e].Nonmonotonic):
					// An aggregate over, or a reveal of, grow-only state
					// that timing fills: the value read changes, so an
					// early answer is not a subset of the final one.
					order = true
				case gl&grEvent != 0:
					order = gp != 0 || r.HasAggregate() || g.Edges[pl.e].Nonmonotonic
					stale = !order
				default: // the other side grows only
					order = gp&grShrink != 0
					stale = !order && gp&grEvent != 0
				}
				if order && !remote[ol.v] && g.Edges[pl.e].Nonmonotonic {
					continue // the edge is already nonmonotonic: N adds nothing
				}
				switch {
				case order:
					tj := TimingJoin{Rule: r, Edge: pl.e, OtherEdge: ol.e, Literal: pl.a, Other: ol.a, Remote: remote[ol.v], event: gp&grEvent != 0, via: int(via[ol.v])}
					if tj.Remote {
						dec |= tcD
					} else {
						dec |= tcN
					}
					sealed := sealedBy(pl, ol)
					switch {
					case mech >= 0:
						tj.Covered, tj.Coordination = m.mechanismDesc(mech), p.Coordinations[mech]
					case sealed >= 0:
						eff |= tcSealed
						tj.Covered, tj.Seal = m.sealDesc(sealed), p.Seals[sealed]
					case remoteEff[ol.v]:
						eff |= tcD
					default:
						eff |= tcN
						tj.coordinated = tj.Remote
					}
					if race == nil || tj.Remote && !race.Remote || tj.Remote == race.Remote && tj.event && !race.event {
						race = &tj
					}
				case stale:
					tj := TimingJoin{Rule: r, Edge: pl.e, OtherEdge: ol.e, Literal: pl.a, Other: ol.a, Snapshot: true, Remote: remote[ol.v]}
					if tj.Remote {
						dec |= tcAsync
						if mech < 0 && remoteEff[ol.v] {
							eff |= tcAsync
						}
					}
					if snap == nil || tj.Remote && !snap.Remote {
						snap = &tj
					}
				}
			}
			if race == nil && snap == nil {
				continue
			}
			if ti.decl == nil {
				ti.decl, ti.eff, ti.mech = make([]uint8, ne), make([]uint8, ne), make([]uint8, ne)
			}
			ti.decl[pl.e] |= dec
			ti.eff[pl.e] |= eff
			if mech < 0 {
				ti.mech[pl.e] |= dec
			}
			if race != nil {
				ti.joins = append(ti.joins, *race)
			}
			if snap != nil {
				if ti.stale == nil {
					ti.stale = make([]bool, ne)
				}
				ti.stale[pl.e] = true
				ti.joins = append(ti.joins, *snap)
			}
		}
	}
	return ti
}

// forwardFrom returns the nodes reachable from vs (vs included), through
// edges and contract edges, never entering a node that block marks (nil:
// none).
func (m *model) forwardFrom(vs []int, block []bool) []bool {
	g := m.g
	seen := make([]bool, len(g.Nodes))
	var queue []int
	visit := func(v int) {
		if !seen[v] && (block == nil || !block[v]) {
			seen[v] = true
			queue = append(queue, v)
		}
	}
	for _, v := range vs {
		visit(v)
	}
	var virt [][]int32
	if m.declared != nil {
		virt = m.declared.virt
	}
	for qi := 0; qi < len(queue); qi++ {
		v := queue[qi]
		to, _ := g.OutAdj(v)
		for _, w := range to {
			visit(int(w))
		}
		if virt != nil {
			for _, ci := range virt[v] {
				visit(m.vedges[ci].to)
			}
		}
	}
	return seen
}

// sealKeys returns, for seal si, the columns that carry its key in each
// collection derived only from the sealed collection (within only), and
// in each collection reached from its by collection (within by): see
// keyCarriers.
func (m *model) sealKeys(si int, only, by []bool) [2][][]int {
	s := m.p.Seals[si]
	cols := func(name string) []int {
		d := m.p.Collection(name)
		if d == nil {
			return nil
		}
		out := []int{}
		for _, k := range s.Key {
			i := slices.IndexFunc(d.Columns(), func(c modules.Column) bool { return c.Name == k.Name })
			if i < 0 {
				return nil
			}
			out = append(out, i)
		}
		return out
	}
	sn := m.sealNodes[si]
	return [2][][]int{m.keyCarriers(sn[0], cols(s.Collection.Name), only), m.keyCarriers(sn[1], cols(s.By.Name), by)}
}

// keyCarriers returns, per collection, the columns that carry root's
// columns cols (nil: it does not carry them all): root carries them; a
// collection within carries them when every rule that inserts into it
// reads a collection that carries them in a positive atom, with a plain
// variable in each of those columns, and puts each variable in a column
// of its head (in the same columns for every rule). A collection on a
// cycle through itself carries nothing (cautious). One pass over the
// components of the graph in topological order: linear.
func (m *model) keyCarriers(root int, cols []int, within []bool) [][]int {
	g := m.g
	out := make([][]int, len(g.Nodes))
	if root < 0 || cols == nil {
		return out
	}
	out[root] = cols
	carry := func(r *modules.Rule) []int {
		for a := range r.Atoms() {
			u, ok := g.Lookup(a.Pred)
			if !ok || a.Negated || out[u] == nil {
				continue
			}
			if a.Bare && r.Head.Bare {
				return out[u]
			}
			vs, ok := keyVars(a, out[u])
			if !ok {
				continue
			}
			pos := make([]int, 0, len(vs))
			for _, v := range vs {
				j := slices.IndexFunc(r.Head.Args, func(e modules.Expr) bool {
					x, ok := e.(*modules.Var)
					return ok && x.Name == v
				})
				if j < 0 {
					break
				}
				pos = append(pos, j)
			}
			if len(pos) == len(vs) {
				return pos
			}
		}
		return nil
	}
	scc := g.SCC(0)
	for c := scc.Count - 1; c >= 0; c-- {
		for _, v := range scc.Members(c) {
			v := int(v)
			if v == root || !within[v] {
				continue
			}
			var got []int
			ok := false
			for _, ei := range g.In(v) {
				r := g.Edges[ei].Rule
				if r.Op == modules.OpDelete {
					continue
				}
				pos := carry(r)
				if pos == nil || got != nil && !slices.Equal(pos, got) {
					ok = false
					break
				}
				got, ok = pos, true
			}
			if ok {
				out[v] = got
			}
		}
	}
	return out
}

// keyVars returns the variables of atom a in columns pos; false when pos
// is nil or a column holds anything but a named variable.
func keyVars(a *modules.AtomLit, pos []int) ([]string, bool) {
	if pos == nil {
		return nil, false
	}
	out := make([]string, 0, len(pos))
	for _, p := range pos {
		if p >= len(a.Args) {
			return nil, false
		}
		v, ok := a.Args[p].(*modules.Var)
		if !ok || v.Wildcard() {
			return nil, false
		}
		out = append(out, v.Name)
	}
	return out, true
}
