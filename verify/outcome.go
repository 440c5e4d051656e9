package verify

import (
	"sort"
	"strings"
	"unsafe"

	"github.com/calmcheck/calmcheck/executor"
)

// An outcome is what is compared between two runs: every node's set of
// output facts of the program's sinks (the outputs nothing in the program
// reads: what its users observe), without the timesteps they were
// emitted in. Each entry is "node<TAB>fact".
type outcome []string

// outcomeOf returns the outcome of a run; sinks names the collections
// compared (nil: every output).
func outcomeOf(res *executor.Result, sinks map[string]bool) outcome {
	var out outcome
	for _, n := range res.Nodes {
		// A fact emitted in several timesteps is one Fact value, its
		// arguments shared: written once.
		done := map[*executor.Value]bool{}
		seen := map[string]bool{}
		for _, o := range n.Outputs {
			if sinks != nil && !sinks[o.Fact.Collection] {
				continue
			}
			if len(o.Fact.Args) > 0 {
				p := unsafe.SliceData(o.Fact.Args)
				if done[p] {
					continue
				}
				done[p] = true
			}
			s := o.Fact.String()
			if !seen[s] {
				seen[s] = true
				out = append(out, n.Node+"\t"+s)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (o outcome) key() string { return strings.Join(o, "\n") }

// factCollection returns the collection of an outcome entry.
func entryCollection(e string) string {
	_, f, _ := strings.Cut(e, "\t")
	if i := strings.IndexByte(f, '('); i >= 0 {
		return f[:i]
	}
	return f
}

// has reports whether the outcome holds a fact of collection coll.
func (o outcome) has(coll string) bool {
	for _, e := range o {
		if entryCollection(e) == coll {
			return true
		}
	}
	return false
}

// diff is the symmetric difference of two outcomes: the entries only in
// a, and only in b.
func diff(a, b outcome) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || (i < len(a) && a[i] < b[j]):
			onlyA = append(onlyA, a[i])
			i++
		case i >= len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return
}

// differingColls returns the collections in which two outcomes differ.
func differingColls(a, b outcome) map[string]bool {
	onlyA, onlyB := diff(a, b)
	out := map[string]bool{}
	for _, x := range append(onlyA, onlyB...) {
		out[entryCollection(x)] = true
	}
	return out
}

// differsIn reports whether two outcomes differ in collection coll.
func differsIn(a, b outcome, coll string) bool {
	onlyA, onlyB := diff(a, b)
	for _, e := range append(onlyA, onlyB...) {
		if entryCollection(e) == coll {
			return true
		}
	}
	return false
}

// attribution says, of two runs whose outcomes differ, through what the
// differing output facts were derived: per output collection, the inputs
// and rules in the lineage of its differing facts (in the run that has
// them), and which rules derived different facts in the two runs.
type attribution struct {
	inputs map[string]map[string]bool // output collection -> inputs
	rules  map[string]map[int]bool    // output collection -> rules
	facts  map[string][]factLineage   // output collection -> the lineage of each differing fact
	a, b   []executor.RuleFacts       // what each rule derived in each run
	ra, rb *executor.Result
}

// headDiffers reports whether collection c's final contents differ
// between the two runs (at some node).
func (at *attribution) headDiffers(c string) bool {
	state := func(res *executor.Result) string {
		var b strings.Builder
		for _, n := range res.Nodes {
			for _, f := range n.Tables {
				if f.Collection == c {
					b.WriteString(n.Node + "\t" + f.String() + "\n")
				}
			}
		}
		return b.String()
	}
	return at.ra != nil && at.rb != nil && state(at.ra) != state(at.rb)
}

// derived reports whether rule r derived a fact in either run.
func (at *attribution) derived(r int) bool {
	for _, rfs := range [][]executor.RuleFacts{at.a, at.b} {
		i := sort.Search(len(rfs), func(i int) bool { return rfs[i].Rule >= r })
		if i < len(rfs) && rfs[i].Rule == r && len(rfs[i].Facts) > 0 {
			return true
		}
	}
	return false
}

// anyRule reports whether one of rules rs is in the lineage of a
// differing fact of output out.
func (at *attribution) anyRule(out string, rs []int) bool {
	for _, r := range rs {
		if at.rules[out][r] {
			return true
		}
	}
	return false
}

// differs reports whether rule r derived different facts in the two runs.
func (at *attribution) differs(r int) bool {
	find := func(rfs []executor.RuleFacts) []executor.NodeFact {
		i := sort.Search(len(rfs), func(i int) bool { return rfs[i].Rule >= r })
		if i < len(rfs) && rfs[i].Rule == r {
			return rfs[i].Facts
		}
		return nil
	}
	fa, fb := find(at.a), find(at.b)
	if len(fa) != len(fb) {
		return true
	}
	for i := range fa {
		if fa[i].Node != fb[i].Node || !fa[i].Fact.Equal(fb[i].Fact) {
			return true
		}
	}
	return false
}

// attribute compares two runs made with lineage.
func attribute(a, b *executor.Result, sinks map[string]bool) *attribution {
	at := &attribution{inputs: map[string]map[string]bool{}, rules: map[string]map[int]bool{}, facts: map[string][]factLineage{}}
	oa, ob := outcomeOf(a, sinks), outcomeOf(b, sinks)
	onlyA, onlyB := diff(oa, ob)
	lin := func(res *executor.Result) map[string]*executor.FactLineage {
		m := map[string]*executor.FactLineage{}
		for i := range res.Lineage.Outputs {
			fl := &res.Lineage.Outputs[i]
			m[fl.Node+"\t"+fl.Fact.String()] = fl
		}
		return m
	}
	la, lb := lin(a), lin(b)
	note := func(entries []string, l map[string]*executor.FactLineage) {
		for _, e := range entries {
			fl := l[e]
			if fl == nil {
				continue
			}
			c := fl.Fact.Collection
			if at.inputs[c] == nil {
				at.inputs[c], at.rules[c] = map[string]bool{}, map[int]bool{}
			}
			for _, in := range fl.Inputs {
				at.inputs[c][in] = true
			}
			for _, r := range fl.Rules {
				at.rules[c][r] = true
			}
			at.facts[c] = append(at.facts[c], factLineage{fl.Rules, fl.Inputs})
		}
	}
	note(onlyA, la)
	note(onlyB, lb)
	at.a, at.b = a.Lineage.Derived, b.Lineage.Derived
	at.ra, at.rb = a, b
	return at
}

// factLineage is the lineage of a differing output fact: the rules and
// the inputs it was derived through.
type factLineage struct {
	rules  []int
	inputs []string
}

// pair reports whether a differing fact of output out was derived from
// input in.
func (at *attribution) pair(in, out string) bool { return at.inputs[out][in] }
