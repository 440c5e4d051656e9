package executor

import (
	"math/bits"
	"slices"
)

// lineageState is a run's lineage-mode bookkeeping.
type lineageState struct {
	lw      int           // lineage words per fact (0: no lineage)
	derived [][]*tupleSet // lineage mode: per rule, per node, the facts it derived
}

// Lineage is what a run records with Options.Lineage: for every output
// fact, the rules and the inputs it was derived through (its lineage, as
// in lineage-driven fault injection); and for every rule, the facts it
// derived.
//
// Lineage is tracked forward, as a set of rules and input collections
// carried by every fact: a derived fact carries the union of the sets of
// the body facts it was derived from, plus its rule; a fact derived again
// (by another rule, or from other facts) gains the new set, so the
// lineage is the union over the derivations the run made. A negated atom
// adds nothing (a notin holds for what is absent), but a table fact read
// after a deletion or an upsert removed another fact of its table at that
// node also carries the removing rule's set: the table's contents were
// shaped by it. Messages, deferred changes and table facts keep their
// sets across timesteps; inputs carry their input collection.
type Lineage struct {
	Outputs []FactLineage `json:"outputs"`
	Derived []RuleFacts   `json:"derived"`
}

// FactLineage is the lineage of one output fact at one node.
type FactLineage struct {
	Node string `json:"node"`
	Fact Fact   `json:"fact"`
	// Rules are indexes into the program's rules (Program.Source().Rules),
	// ascending.
	Rules []int `json:"rules"`
	// Inputs are the input collections it was derived from, in
	// declaration order.
	Inputs []string `json:"inputs"`
}

// RuleFacts lists the facts one rule derived (for a deletion, the facts it
// deleted), node by node, each node's facts sorted.
type RuleFacts struct {
	Rule  int        `json:"rule"`
	Facts []NodeFact `json:"facts"`
}

// NodeFact is a fact at a node.
type NodeFact struct {
	Node string `json:"node"`
	Fact Fact   `json:"fact"`
}

// orLin adds the bits of src to dst.
func orLin(dst, src []uint64) {
	for i := range dst {
		dst[i] |= src[i]
	}
}

func setBit(l []uint64, b int) { l[b>>6] |= 1 << (b & 63) }

// linBits returns the set bits of l, ascending.
func linBits(l []uint64) []int {
	var out []int
	for w, x := range l {
		for x != 0 {
			b := bits.TrailingZeros64(x)
			out = append(out, w*64+b)
			x &^= 1 << b
		}
	}
	return out
}

// lineageWords is the number of words of a lineage set: one bit per rule,
// then one per collection (only inputs are used).
func (p *Program) lineageWords() int { return (len(p.rules) + len(p.colls) + 63) / 64 }

// inputBit is the lineage bit of input collection c.
func (p *Program) inputBit(c int) int { return len(p.rules) + c }

// newLin returns a zeroed lineage set of the run.
func (r *run) newLin() []uint64 { return make([]uint64, r.lw) }

// recordDerived notes that rule cr derived t at node n.
func (r *run) recordDerived(n *node, cr *crule, t []V) {
	byNode := r.derived[cr.idx]
	if byNode == nil {
		byNode = make([]*tupleSet, len(r.nodes))
		r.derived[cr.idx] = byNode
	}
	s := byNode[n.idx]
	if s == nil {
		s = newTupleSet(len(t))
		byNode[n.idx] = s
	}
	s.add(t)
}

// taintOf is the lineage a table fact of collection c at node n carries
// besides its own: the rules that deleted or replaced facts of c there.
func (n *node) taintOf(c int) []uint64 {
	if n.taint == nil {
		return nil
	}
	return n.taint[c]
}

func (r *run) addTaint(n *node, c int, lin []uint64) {
	if n.taint == nil {
		n.taint = make([][]uint64, len(r.p.colls))
	}
	if n.taint[c] == nil {
		n.taint[c] = r.newLin()
	}
	orLin(n.taint[c], lin)
}

// lineage builds Result.Lineage at the end of a run.
func (r *run) lineage() *Lineage {
	l := &Lineage{Outputs: []FactLineage{}, Derived: []RuleFacts{}}
	nr := len(r.p.rules)
	for _, n := range r.nodes {
		for c, set := range n.outSet {
			if set == nil {
				continue
			}
			for j := 0; j < set.n; j++ {
				fl := FactLineage{Node: n.addr, Fact: r.factOf(r.p.colls[c].name, set.tuple(j)), Rules: []int{}, Inputs: []string{}}
				for _, b := range linBits(n.outLin[c][j*r.lw : (j+1)*r.lw]) {
					if b < nr {
						fl.Rules = append(fl.Rules, b)
					} else {
						fl.Inputs = append(fl.Inputs, r.p.colls[b-nr].name)
					}
				}
				l.Outputs = append(l.Outputs, fl)
			}
		}
	}
	slices.SortStableFunc(l.Outputs, func(a, b FactLineage) int {
		if a.Node != b.Node {
			return cmpNodes(r.s.nodes, a.Node, b.Node)
		}
		return a.Fact.Compare(b.Fact)
	})
	for i, byNode := range r.derived {
		if byNode == nil {
			continue
		}
		rf := RuleFacts{Rule: i}
		for ni, s := range byNode {
			if s == nil {
				continue
			}
			for _, f := range r.sortedFacts(r.p.rules[i].head, s.rel) {
				rf.Facts = append(rf.Facts, NodeFact{Node: r.nodes[ni].addr, Fact: f})
			}
		}
		l.Derived = append(l.Derived, rf)
	}
	return l
}

// cmpNodes orders node addresses as the workload lists them.
func cmpNodes(nodes []string, a, b string) int {
	return cmpInt(int64(slices.Index(nodes, a)), int64(slices.Index(nodes, b)))
}
