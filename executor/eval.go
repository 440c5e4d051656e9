package executor

import (
	"fmt"
	"math"
	"math/big"
	"sort"

	"github.com/calmcheck/calmcheck/modules"
)

// evaluator runs rule plans for one node at a time. One per run; it holds
// the registers (variable slots) and the scratch space of the plans.
type evaluator struct {
	r    *run
	in   *interner
	node *node
	regs []V
	scr  []V
	tmp  []V
	cr   *crule
	lo   int // the delta range of the delta op
	hi   int
	aggs []*aggState // per rule index, allocated on first use

	// Lineage mode (lw > 0): cur is the lineage of the body tuples
	// matched so far, levels the buffers of each op's level, head the
	// head tuple's.
	lw     int
	cur    []uint64
	levels [][]uint64
	head   []uint64
}

// fail raises a runtime error at a term of the rule being evaluated.
func (ev *evaluator) fail(t *term, format string, args ...any) {
	pos := ev.cr.rule.Pos
	if t != nil && t.pos.IsValid() {
		pos = t.pos
	}
	panic(ev.r.errorf("eval", pos, "%s (in rule %q)", fmt.Sprintf(format, args...), ev.cr.rule.Text))
}

// evalRule evaluates one plan of a rule at the current node.
func (ev *evaluator) evalRule(cr *crule, p *plan, lo, hi int) {
	ev.cr = cr
	ev.lo, ev.hi = lo, hi
	if ev.lw > 0 {
		ev.startLin(len(p.ops))
	}
	if len(cr.aggs) > 0 {
		st := ev.aggState(cr)
		st.reset()
		ev.exec(p.ops, 0)
		ev.flush(cr, st)
		return
	}
	ev.exec(p.ops, 0)
}

func (ev *evaluator) exec(ops []op, i int) {
	if i == len(ops) {
		ev.emit()
		return
	}
	o := &ops[i]
	switch o.kind {
	case opScan:
		r := ev.node.rels[o.rel]
		lo, hi := 0, r.n
		if o.delta {
			lo, hi = ev.lo, ev.hi
		}
		for j := lo; j < hi; j++ {
			ev.r.work()
			if ev.matchCols(o, r.tuple(j)) {
				if ev.lw > 0 {
					ev.execLin(ops, i, r, j, o.rel)
					continue
				}
				ev.exec(ops, i+1)
			}
		}
	case opLookup:
		r := ev.node.rels[o.rel]
		h := ev.keys(o)
		for j := r.lookup(o.ix, ev.scr[o.kbuf:o.kbuf+len(o.keys)], h); j >= 0; j = r.nextOf(o.ix, j) {
			ev.r.work()
			if o.delta {
				if j >= ev.hi {
					continue
				}
				if j < ev.lo {
					break
				}
			}
			if ev.matchCols(o, r.tuple(j)) {
				if ev.lw > 0 {
					ev.execLin(ops, i, r, j, o.rel)
					continue
				}
				ev.exec(ops, i+1)
			}
		}
	case opNotin:
		if !ev.exists(o) {
			ev.exec(ops, i+1)
		}
	case opFilter:
		if ev.compare(o) {
			ev.exec(ops, i+1)
		}
	case opBind:
		ev.regs[o.slot] = ev.eval(o.x)
		ev.exec(ops, i+1)
	case opCheck:
		if ev.regs[o.slot] == ev.eval(o.x) {
			ev.exec(ops, i+1)
		}
	}
}

// keys evaluates the lookup key of o into its scratch space and returns
// its hash.
func (ev *evaluator) keys(o *op) uint64 {
	for k, t := range o.keys {
		ev.scr[o.kbuf+k] = ev.eval(t)
	}
	return hashVals(ev.scr[o.kbuf : o.kbuf+len(o.keys)])
}

func (ev *evaluator) exists(o *op) bool {
	r := ev.node.rels[o.rel]
	if o.ix < 0 {
		for j := 0; j < r.n; j++ {
			ev.r.work()
			if ev.matchCols(o, r.tuple(j)) {
				return true
			}
		}
		return false
	}
	h := ev.keys(o)
	for j := r.lookup(o.ix, ev.scr[o.kbuf:o.kbuf+len(o.keys)], h); j >= 0; j = r.nextOf(o.ix, j) {
		if ev.matchCols(o, r.tuple(j)) {
			return true
		}
	}
	return false
}

func (ev *evaluator) matchCols(o *op, t []V) bool {
	for k := range o.cols {
		m := &o.cols[k]
		if !ev.matchVal(o, m, t[m.col]) {
			return false
		}
	}
	return true
}

func (ev *evaluator) matchVal(o *op, m *colm, v V) bool {
	switch m.kind {
	case cKey:
		return v == ev.scr[o.kbuf+m.k]
	case cConst:
		return v == m.v
	case cBind:
		ev.regs[m.slot] = v
		return true
	case cCheck:
		return ev.regs[m.slot] == v
	case cExpr:
		return ev.eval(m.t) == v
	case cPattern:
		l, ok := ev.in.asList(v)
		if !ok || len(l) != len(m.pat) {
			return false
		}
		for i := range m.pat {
			if !ev.matchVal(o, &m.pat[i], l[i]) {
				return false
			}
		}
		return true
	}
	return true // cIgnore
}

func (ev *evaluator) compare(o *op) bool {
	a, b := ev.eval(o.x), ev.eval(o.y)
	switch o.cmp {
	case "==":
		return a == b
	case "!=":
		return a != b
	}
	c := ev.in.compare(a, b)
	switch o.cmp {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func (ev *evaluator) eval(t *term) V {
	switch t.kind {
	case tConst:
		return t.v
	case tVar:
		return ev.regs[t.slot]
	case tList:
		buf := ev.scr[t.buf : t.buf+len(t.args)]
		for i, a := range t.args {
			buf[i] = ev.eval(a)
		}
		return ev.in.list(buf)
	case tArith:
		a := ev.eval(t.args[0])
		b := ev.eval(t.args[1])
		return ev.arith(t, a, b)
	case tNeg:
		x := ev.intArg(t, ev.eval(t.args[0]), "the operand of unary -")
		if x == math.MinInt64 {
			ev.fail(t, "integer overflow: -(%d)", x)
		}
		return ev.in.int(-x)
	case tCall:
		buf := ev.scr[t.buf : t.buf+len(t.args)]
		for i, a := range t.args {
			buf[i] = ev.eval(a)
		}
		return t.call(ev, t, buf)
	}
	panic("unreachable")
}

// emit handles one match of the body: the head tuple, or a contribution
// to the head's aggregates.
func (ev *evaluator) emit() {
	ev.r.work()
	ev.r.res.Stats.Derivations++
	cr := ev.cr
	if len(cr.aggs) > 0 {
		ev.accumulate(cr)
		return
	}
	t := ev.scr[cr.headBuf : cr.headBuf+len(cr.terms)]
	for i, x := range cr.terms {
		t[i] = ev.eval(x)
	}
	var lin []uint64
	if ev.lw > 0 {
		lin = ev.headLin(ev.cur)
	}
	ev.r.derive(ev.node, cr, t, lin)
}

// startLin prepares the lineage buffers for a plan of n ops.
func (ev *evaluator) startLin(n int) {
	for len(ev.levels) <= n {
		ev.levels = append(ev.levels, make([]uint64, ev.lw))
	}
	if ev.head == nil {
		ev.head = make([]uint64, ev.lw)
	}
	ev.cur = ev.levels[0]
	clear(ev.cur)
}

// execLin continues the plan after op i matched tuple j of relation r
// (collection c), with the tuple's lineage added to the current one.
func (ev *evaluator) execLin(ops []op, i int, r *relation, j, c int) {
	prev := ev.cur
	next := ev.levels[i+1]
	copy(next, prev)
	orLin(next, r.tupleLin(j))
	if t := ev.node.taintOf(c); t != nil {
		orLin(next, t)
	}
	ev.cur = next
	ev.exec(ops, i+1)
	ev.cur = prev
}

// headLin returns the lineage of a head tuple derived from body lineage
// body: body plus the rule.
func (ev *evaluator) headLin(body []uint64) []uint64 {
	copy(ev.head, body)
	setBit(ev.head, ev.cr.idx)
	return ev.head
}

// ---------------------------------------------------------------------------
// Aggregates.
//
// The matches of the body are grouped by the head's other terms. Per group:
// count<> counts the matches (each combination of body tuples), count<X>
// the distinct values of X, sum<X> and avg<X> add X over the matches (avg
// is the integer mean, rounded toward negative infinity), min<X> and
// max<X> the least and greatest X in the total order of values, choose<X>
// the least X (deterministic), accum<X> the sorted list of distinct X.

type aggState struct {
	groups   *relation // group values, in order of first match
	acc      []aggAcc  // group*len(aggs) + agg
	distinct *tupleSet // (agg, group, value)
	naggs    int
	lin      []uint64 // lineage mode: of each group, the union of its matches'
}

type aggAcc struct {
	n    int64
	sum  int64
	big  *big.Int // avg's sum once it no longer fits in sum
	best V
	has  bool
	vals []V
}

func (st *aggState) reset() {
	st.groups.reset()
	st.acc = st.acc[:0]
	st.distinct.reset()
	st.lin = st.lin[:0]
}

func (ev *evaluator) aggState(cr *crule) *aggState {
	if st := ev.aggs[cr.idx]; st != nil {
		return st
	}
	ng := len(cr.terms) - len(cr.aggs)
	st := &aggState{groups: newRelation(ng, allCols(ng), nil), distinct: newTupleSet(3), naggs: len(cr.aggs)}
	ev.aggs[cr.idx] = st
	return st
}

func (ev *evaluator) accumulate(cr *crule) {
	st := ev.aggs[cr.idx]
	g := ev.scr[cr.groupBuf : cr.groupBuf+st.groups.arity]
	k := 0
	for _, x := range cr.terms {
		if x != nil {
			g[k] = ev.eval(x)
			k++
		}
	}
	gi := st.groups.findKey(g)
	if gi < 0 {
		gi = st.groups.n
		st.groups.append(g, 0)
		ev.r.checkSize(ev.node, st.groups.n, cr, "groups of an aggregate", -1)
		for range cr.aggs {
			st.acc = append(st.acc, aggAcc{})
		}
		if ev.lw > 0 {
			st.lin = append(st.lin, make([]uint64, ev.lw)...)
		}
	}
	if ev.lw > 0 {
		orLin(st.lin[gi*ev.lw:(gi+1)*ev.lw], ev.cur)
	}
	for j := range cr.aggs {
		a := &cr.aggs[j]
		acc := &st.acc[gi*st.naggs+j]
		if a.arg == nil { // count<>
			acc.n++
			continue
		}
		x := ev.eval(a.arg)
		switch a.kind {
		case "count":
			if st.distinct.add([]V{V(j), V(gi), x}) {
				acc.n++
				ev.r.checkSize(ev.node, st.distinct.rel.n, cr, "distinct values in aggregates", -1)
			}
		case "sum", "avg":
			n := ev.intArg(a.arg, x, a.kind+"'s argument")
			acc.n++
			if acc.big != nil {
				acc.big.Add(acc.big, big.NewInt(n))
				continue
			}
			s := acc.sum + n
			if (n > 0 && s < acc.sum) || (n < 0 && s > acc.sum) {
				if a.kind == "avg" {
					// The mean of int64 values fits in an int64
					// even when their sum does not.
					acc.big = big.NewInt(acc.sum)
					acc.big.Add(acc.big, big.NewInt(n))
					continue
				}
				ev.fail(a.arg, "integer overflow in %s<%s>", a.kind, ev.cr.rule.Head.Args[a.pos].(*modules.AggExpr).Arg)
			}
			acc.sum = s
		case "min", "choose":
			if !acc.has || ev.in.compare(x, acc.best) < 0 {
				acc.best, acc.has = x, true
			}
		case "max":
			if !acc.has || ev.in.compare(x, acc.best) > 0 {
				acc.best, acc.has = x, true
			}
		case "accum":
			if st.distinct.add([]V{V(j), V(gi), x}) {
				acc.vals = append(acc.vals, x)
				ev.r.checkSize(ev.node, st.distinct.rel.n, cr, "distinct values in aggregates", -1)
			}
		}
	}
}

// flush derives one head tuple per group, in order of first match.
func (ev *evaluator) flush(cr *crule, st *aggState) {
	t := ev.scr[cr.headBuf : cr.headBuf+len(cr.terms)]
	for gi := 0; gi < st.groups.n; gi++ {
		g := st.groups.tuple(gi)
		k := 0
		for i, x := range cr.terms {
			if x != nil {
				t[i] = g[k]
				k++
			}
		}
		for j := range cr.aggs {
			a := &cr.aggs[j]
			acc := &st.acc[gi*st.naggs+j]
			var v V
			switch a.kind {
			case "count":
				v = ev.in.int(acc.n)
			case "sum":
				v = ev.in.int(acc.sum)
			case "avg":
				if acc.big != nil {
					// Euclidean division by n > 0 is floor division.
					v = ev.in.int(new(big.Int).Div(acc.big, big.NewInt(acc.n)).Int64())
					acc.big = nil
					break
				}
				q := acc.sum / acc.n
				if acc.sum%acc.n != 0 && (acc.sum < 0) != (acc.n < 0) {
					q--
				}
				v = ev.in.int(q)
			case "min", "max", "choose":
				v = acc.best
			case "accum":
				vals := acc.vals
				sort.Slice(vals, func(a, b int) bool { return ev.in.compare(vals[a], vals[b]) < 0 })
				v = ev.in.list(vals)
				acc.vals = nil
			}
			t[a.pos] = v
		}
		var lin []uint64
		if ev.lw > 0 {
			lin = ev.headLin(st.lin[gi*ev.lw : (gi+1)*ev.lw])
		}
		ev.r.derive(ev.node, cr, t, lin)
	}
}
