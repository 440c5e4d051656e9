package executor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// One node's timestep: deliveries and inputs in, the strata evaluated to
// a fixpoint (semi-naive), deferred changes and key constraints applied,
// messages out; and the provenance of facts for error messages.

type pendSet struct {
	ins, del, ups *relation
}

type netChange struct {
	dels    []int // indexes into the relation, ascending
	ins     []V
	origins []int32
	lin     []uint64 // lineage mode: of each insertion
	delLin  []uint64 // lineage mode: of the deletions (a table's taint)
}

// evalScratch holds the buffers a run reuses while it evaluates nodes.
type evalScratch struct {
	latBuf, latBuf2 []V // tuple buffers of lattice merges
	lo, hi, mark    []int
}

type node struct {
	// latDirty are the lattice collections that gained versions since
	// they were last compacted (see compactLattices).
	latDirty []int
	idx      int
	addr     string
	addrV    V
	rels     []*relation
	pend     []*pendSet
	pendC    []int
	change   []*netChange
	changeC  []int
	outbox   []*relation
	outC     []int
	dirty    []int // non-table collections holding facts
	isDirty  []bool

	tableChanged bool
	sent         bool
	silent       bool
	outSet       []*relation // per output collection: its distinct facts
	outRecs      []outRec
	seenDeliv    []*tupleSet // periodic mode: per channel
	seenOut      []*tupleSet // periodic mode: per output
	tr           *NodeTrace
	taint        [][]uint64 // lineage mode: per table, the rules that removed facts of it
	outLin       [][]uint64 // lineage mode: per output, the lineage of each fact of outSet
}

type outRec struct{ tick, coll, idx int32 }

// step runs one timestep at every node, in address order of the workload.
func (r *run) step() {
	t := r.tick
	r.noise, r.activity = false, false
	deliveries := r.net.buckets[t]
	delete(r.net.buckets, t)
	r.net.inflight -= len(deliveries)
	var tt *TickTrace
	if r.trace != nil {
		r.trace.Ticks = append(r.trace.Ticks, TickTrace{Tick: t})
		tt = &r.trace.Ticks[len(r.trace.Ticks)-1]
	}
	// Group deliveries by destination, keeping send order.
	byNode := make([][]message, len(r.nodes))
	for _, m := range deliveries {
		byNode[m.to] = append(byNode[m.to], m)
	}
	inputs := r.s.inputsAt(t)
	var firing []int
	for _, c := range r.p.periodics {
		if int64(t)%r.p.colls[c].decl.Every == 0 {
			firing = append(firing, c)
		}
	}
	for _, n := range r.nodes {
		var in []binput
		for _, b := range inputs {
			if b.node == n.idx {
				in = append(in, b)
			}
		}
		r.stepNode(n, byNode[n.idx], in, firing, tt)
	}
	if tt != nil {
		r.sortTrace(tt)
	}
}

func (r *run) stepNode(n *node, deliveries []message, inputs []binput, firing []int, tt *TickTrace) {
	external := len(deliveries) > 0 || len(inputs) > 0 || len(firing) > 0 || len(n.changeC) > 0
	if !external && n.silent {
		return // the same state and no input: the same (empty) timestep again
	}
	r.ev.node = n
	r.ev.cr = nil
	n.tableChanged, n.sent = false, false
	if tt != nil {
		tt.Nodes = append(tt.Nodes, NodeTrace{Node: n.addr})
		n.tr = &tt.Nodes[len(tt.Nodes)-1]
	}
	if len(inputs) > 0 {
		r.noise, r.activity = true, true
	}
	if len(deliveries) > 0 {
		r.noise = true
	}
	// 1. Deferred changes, deliveries, inputs, timers.
	r.applyChanges(n)
	for _, m := range deliveries {
		r.deliver(n, m)
	}
	for _, b := range inputs {
		t := r.internAll(b.vals)
		if n.tr != nil {
			n.tr.Inputs = append(n.tr.Inputs, r.in.fact(r.p.colls[b.coll].name, t))
		}
		var lin []uint64
		if r.lw > 0 {
			lin = r.newLin()
			setBit(lin, r.p.inputBit(b.coll))
		}
		r.insertExternal(n, b.coll, t, b.origin, lin)
	}
	for _, c := range firing {
		r.fire(n, c)
	}
	// 2. The fixpoint, stratum by stratum.
	for _, s := range r.p.strata {
		r.evalStratum(n, s)
	}
	if len(n.latDirty) > 0 {
		r.compactLattices(n)
	}
	// 3. Deferred facts and messages.
	for _, cr := range r.p.temporal {
		if r.emptyBody(n, cr) {
			continue
		}
		r.ev.evalRule(cr, cr.full, 0, 0)
	}
	r.ev.cr = nil
	r.settle(n)
	r.send(n)
	// 4. Outputs.
	outputs := r.recordOutputs(n)
	// 5. Empty the scratches.
	for _, c := range n.dirty {
		n.rels[c].reset()
		n.isDirty[c] = false
	}
	n.dirty = n.dirty[:0]
	if n.tableChanged {
		r.noise, r.activity = true, true
		if r.periodic {
			for _, s := range n.seenDeliv {
				if s != nil {
					s.reset()
				}
			}
			for _, s := range n.seenOut {
				if s != nil {
					s.reset()
				}
			}
		}
	}
	if len(n.changeC) > 0 {
		r.activity = true
	}
	n.silent = !external && !n.tableChanged && !n.sent && !outputs && len(n.changeC) == 0
	n.tr = nil
	r.ev.node = nil
}

func (r *run) emptyBody(n *node, cr *crule) bool {
	for _, c := range cr.atoms {
		if n.rels[c].n == 0 {
			return true
		}
	}
	return false
}

// evalStratum computes a stratum's fixpoint semi-naively: every rule once
// in full, then, while facts are new, each recursive rule with one body
// atom restricted to the facts the previous round added.
func (r *run) evalStratum(n *node, s *stratum) {
	if len(n.latDirty) > 0 {
		r.compactLattices(n)
	}
	for _, c := range s.growing {
		r.mark[c] = n.rels[c].n
	}
	for _, cr := range s.rules {
		if r.emptyBody(n, cr) {
			continue
		}
		r.ev.evalRule(cr, cr.full, 0, 0)
	}
	for {
		more := false
		for _, c := range s.growing {
			r.lo[c], r.hi[c] = r.mark[c], n.rels[c].n
			r.mark[c] = r.hi[c]
			if r.hi[c] > r.lo[c] {
				more = true
			}
		}
		if !more {
			return
		}
		r.checkTime()
		for _, cr := range s.rules {
			for _, dp := range cr.deltas {
				c := dp.deltaC
				if r.hi[c] == r.lo[c] || r.emptyBody(n, cr) {
					continue
				}
				r.ev.evalRule(cr, dp, r.lo[c], r.hi[c])
			}
		}
	}
}

// derive handles a head tuple of rule cr at node n, with its lineage
// (nil outside lineage mode).
func (r *run) derive(n *node, cr *crule, t []V, lin []uint64) {
	c := cr.head
	origin := int32(cr.idx)
	if r.lw > 0 {
		r.recordDerived(n, cr, t)
	}
	switch cr.op {
	case modules.OpMerge:
		rel := n.rels[c]
		added, conflict := r.insertInto(n, rel, c, t, origin, lin, cr.rule.Pos)
		if conflict >= 0 {
			panic(r.keyConflict(n, c, rel.tuple(conflict), rel.origin[conflict], t, origin, cr.rule.Pos))
		}
		if added {
			r.added(n, c, t, cr)
		}
	case modules.OpAsync:
		ob := n.outbox[c]
		if ob == nil {
			cl := r.p.colls[c]
			ob = r.newRel(cl.arity, cl.key, nil)
			n.outbox[c] = ob
		}
		if ob.n == 0 {
			n.outC = append(n.outC, c)
		}
		added, conflict := r.insertInto(nil, ob, c, t, origin, lin, cr.rule.Pos)
		if conflict >= 0 {
			panic(r.keyConflict(n, c, ob.tuple(conflict), ob.origin[conflict], t, origin, cr.rule.Pos))
		}
		if added {
			r.checkSize(n, ob.n, cr, "messages on ", c)
		}
	default:
		ps := n.pend[c]
		if ps == nil {
			a := r.p.colls[c].arity
			all := allCols(a)
			ps = &pendSet{ins: r.newRel(a, all, nil), del: r.newRel(a, all, nil), ups: r.newRel(a, all, nil)}
			n.pend[c] = ps
		}
		if ps.ins.n+ps.del.n+ps.ups.n == 0 {
			n.pendC = append(n.pendC, c)
		}
		var rel *relation
		switch cr.op {
		case modules.OpDefer:
			rel = ps.ins
		case modules.OpDelete:
			rel = ps.del
		default:
			rel = ps.ups
		}
		if added, _ := rel.insertL(t, origin, lin); added {
			r.checkSize(n, rel.n, cr, "deferred facts for ", c)
		}
	}
}

// added accounts for a fact newly in collection c at node n.
func (r *run) added(n *node, c int, t []V, cr *crule) {
	rel := n.rels[c]
	r.checkSize(n, rel.n, cr, "", c)
	if r.p.colls[c].lat != nil {
		t = rel.tuple(rel.n - 1) // the merged value, appended last
	}
	if r.p.colls[c].kind == modules.Table {
		n.tableChanged = true
		if n.tr != nil {
			n.tr.Inserted = append(n.tr.Inserted, r.in.fact(r.p.colls[c].name, t))
		}
	} else if !n.isDirty[c] {
		n.isDirty[c] = true
		n.dirty = append(n.dirty, c)
	}
}

// checkSize enforces --max-facts on a collection or buffer: what names it
// (followed by collection c's name when c >= 0).
func (r *run) checkSize(n *node, size int, cr *crule, what string, c int) {
	if size <= r.opts.MaxFacts {
		return
	}
	if c >= 0 {
		what += r.p.colls[c].name
	}
	pos := r.s.w.Pos
	if cr != nil {
		pos = cr.rule.Pos
	}
	panic(r.errorf("max-facts", pos, "more than %d %s (--max-facts); a rule that derives without end?", r.opts.MaxFacts, what))
}

// insertExternal adds a fact from outside the rules (initial fact,
// delivery, input, timer, deferred change).
func (r *run) insertExternal(n *node, c int, t []V, origin int32, lin []uint64) {
	rel := n.rels[c]
	added, conflict := r.insertInto(n, rel, c, t, origin, lin, r.originPos(origin))
	if conflict >= 0 {
		panic(r.keyConflict(n, c, rel.tuple(conflict), rel.origin[conflict], t, origin, r.originPos(origin)))
	}
	if added {
		r.added(n, c, t, nil)
	}
}

func (r *run) fire(n *node, c int) {
	cl := r.p.colls[c]
	every := cl.decl.Every
	vals := []V{r.in.int(int64(r.tick) / every), r.in.int(int64(r.tick))}
	t := vals[:cl.arity]
	if cl.arity == 1 {
		t = vals[:1]
	}
	if n.tr != nil {
		n.tr.Timers = append(n.tr.Timers, r.in.fact(cl.name, t))
	}
	r.insertExternal(n, c, t, originTimer, nil)
}

// deliver adds a message arriving at n.
func (r *run) deliver(n *node, m message) {
	r.res.Stats.Delivered++
	if n.tr != nil {
		n.tr.Delivered = append(n.tr.Delivered, Delivery{From: r.nodes[m.from].addr, Sent: m.sent, Fact: r.in.fact(r.p.colls[m.ch].name, m.t)})
	}
	if r.periodic {
		s := n.seenDeliv[m.ch]
		if s == nil {
			s = newTupleSet(len(m.t))
			n.seenDeliv[m.ch] = s
		}
		if s.add(m.t) {
			r.activity = true
		}
	}
	rel := n.rels[m.ch]
	added, conflict := r.insertInto(n, rel, m.ch, m.t, m.rule, m.lin, r.originPos(m.rule))
	if conflict >= 0 {
		panic(r.keyConflict(n, m.ch, rel.tuple(conflict), rel.origin[conflict], m.t, m.rule, r.originPos(m.rule)))
	}
	if added {
		r.added(n, m.ch, m.t, nil)
	}
}

// settle turns the deferred facts of the timestep into the changes of the
// next: deletions first, then insertions and upserts (an upsert replaces
// the tuple with the same key). Two different facts for one key, or an
// insertion whose key is held by a fact that is not deleted, are key
// conflicts. Only changes that change something are kept.
func (r *run) settle(n *node) {
	for _, c := range n.pendC {
		ps := n.pend[c]
		cl := r.p.colls[c]
		rel := n.rels[c]
		persistent := cl.kind == modules.Table
		nextKey := cl.key
		if cl.lat != nil {
			nextKey = allCols(cl.arity) // merged on insert, never a conflict
		}
		next := r.newRel(cl.arity, nextKey, nil)
		var fromUpsert []bool
		for _, src := range []*relation{ps.ins, ps.ups} {
			for i := 0; i < src.n; i++ {
				t := src.tuple(i)
				added, conflict := next.insertL(t, src.origin[i], src.tupleLin(i))
				if conflict >= 0 {
					panic(r.keyConflict(n, c, next.tuple(conflict), next.origin[conflict], t, src.origin[i], r.originPos(src.origin[i])))
				}
				if added {
					fromUpsert = append(fromUpsert, src == ps.ups)
				}
			}
		}
		ch := &netChange{}
		var deleted map[int]bool
		var delLin map[int][]uint64 // lineage mode: of each deletion
		if r.lw > 0 {
			delLin = map[int][]uint64{}
		}
		if persistent {
			deleted = map[int]bool{}
			for i := 0; i < ps.del.n; i++ {
				if j := rel.findKey(ps.del.tuple(i)); j >= 0 && rel.equalTuple(j, ps.del.tuple(i)) {
					deleted[j] = true
					if delLin != nil {
						delLin[j] = ps.del.tupleLin(i)
					}
				}
			}
		}
		for i := 0; i < next.n; i++ {
			t := next.tuple(i)
			if persistent {
				if e := rel.findKey(t); e >= 0 {
					switch {
					case rel.equalTuple(e, t):
						delete(deleted, e) // deleted and inserted again: it stays
						if r.lw > 0 {
							orLin(rel.tupleLin(e), next.tupleLin(i))
						}
						continue
					case deleted[e]:
					case fromUpsert[i]:
						deleted[e] = true
						if delLin != nil {
							delLin[e] = next.tupleLin(i)
						}
					case cl.lat != nil:
						// a lattice: merged into the present fact
					default:
						panic(r.keyConflict(n, c, rel.tuple(e), rel.origin[e], t, next.origin[i], r.originPos(next.origin[i])))
					}
				}
			}
			ch.ins = append(ch.ins, t...)
			ch.origins = append(ch.origins, next.origin[i])
			ch.lin = append(ch.lin, next.tupleLin(i)...)
		}
		for j := range deleted {
			ch.dels = append(ch.dels, j)
			if delLin != nil {
				if ch.delLin == nil {
					ch.delLin = r.newLin()
				}
				orLin(ch.delLin, delLin[j])
			}
		}
		sort.Ints(ch.dels)
		ps.ins.reset()
		ps.del.reset()
		ps.ups.reset()
		if len(ch.dels) > 0 || len(ch.ins) > 0 {
			n.change[c] = ch
			n.changeC = append(n.changeC, c)
		}
	}
	n.pendC = n.pendC[:0]
}

// applyChanges applies the changes settled in the previous timestep.
func (r *run) applyChanges(n *node) {
	for _, c := range n.changeC {
		ch := n.change[c]
		rel := n.rels[c]
		name := r.p.colls[c].name
		if len(ch.dels) > 0 {
			del := map[int]bool{}
			for _, j := range ch.dels {
				del[j] = true
				if n.tr != nil {
					n.tr.Deleted = append(n.tr.Deleted, r.in.fact(name, rel.tuple(j)))
				}
			}
			rel.retain(func(i int) bool { return !del[i] })
			if r.p.colls[c].kind == modules.Table {
				n.tableChanged = true
			}
			if ch.delLin != nil {
				r.addTaint(n, c, ch.delLin)
			}
		}
		a := r.p.colls[c].arity
		for i, o := range ch.origins {
			var lin []uint64
			if r.lw > 0 {
				lin = ch.lin[i*r.lw : (i+1)*r.lw]
			}
			r.insertExternal(n, c, ch.ins[i*a:(i+1)*a], o, lin)
		}
		n.change[c] = nil
	}
	n.changeC = n.changeC[:0]
}

// Provenance.

const originTimer = int32(-1 << 30)

func (r *run) originPos(o int32) modules.Pos {
	switch {
	case o >= 0:
		return r.p.rules[o].rule.Pos
	case o == originTimer:
		return r.s.w.Pos
	}
	return r.s.origins[-1-o].pos
}

func (r *run) describeOrigin(o int32) string {
	switch {
	case o >= 0:
		cr := r.p.rules[o]
		return fmt.Sprintf("rule %q (%s.%s, %s)", cr.rule.Text, cr.rule.Module, cr.rule.Block, cr.rule.Pos)
	case o == originTimer:
		return "the timer"
	}
	w := r.s.origins[-1-o]
	return fmt.Sprintf("the workload's %s (%s)", w.what, w.pos)
}

func (r *run) keyConflict(n *node, c int, old []V, oldOrigin int32, t []V, origin int32, pos modules.Pos) runStop {
	cl := r.p.colls[c]
	key := make([]string, len(cl.decl.Key))
	for i := range key {
		key[i] = r.in.show(t[i])
	}
	return r.errorf("key-conflict", pos, "key conflict in %s: key (%s) would hold two different facts: %s from %s, and %s from %s",
		cl.name, strings.Join(key, ", "),
		r.in.showTuple(cl.name, old), r.describeOrigin(oldOrigin),
		r.in.showTuple(cl.name, t), r.describeOrigin(origin))
}
