package monotonic

import (
	"fmt"

	"github.com/calmcheck/calmcheck/modules"
)

// CheckContract is the contract check's name.
const CheckContract Check = "contract"

// Contract reports realized protocols whose paths are worse than their
// contract declares.
var Contract = &Analyzer{
	Name:     CheckContract,
	Severity: modules.Error,
	Doc: `An implementation that breaks its protocol's contract.

A protocol module may declare the labels of its input-to-output paths
(contract: {kvput -> kvget_response: N}): any module that realizes the
protocol must give those paths a label no worse (Bot < A < N < D), counting
the coordination it declares. When the program does not realize the
protocol, the contract stands in for the missing implementation in the
labels, so an abstract program already shows the points of order its
abstraction implies. The finding points at the step of the implementation
where its label exceeds the contract.`,
	Run: runContract,
}

func runContract(pass *Pass) {
	g, f := pass.Graph, pass.facts
	m := f.model()
	if len(m.realized) == 0 {
		return
	}
	for _, ci := range m.realized {
		c := m.p.Contracts[ci]
		in, out := m.contractIO[ci][0], m.contractIO[ci][1]
		declared := parseLabel(c.Label)
		// Paths end at the protocol's interfaces: what comes after an
		// output, or through another input, is the program's, not the
		// implementation's.
		stop := make([]bool, len(g.Nodes))
		if mod := m.p.Module(c.Module); mod != nil {
			for _, d := range mod.State {
				if v, ok := g.Lookup(d.Name); ok && d.Kind.Interface() {
					stop[v] = true
				}
			}
		}
		a := *m.full
		a.stop = stop
		// Asynchrony outside the module does not make its timing joins
		// D: the contract's own edges stand for it.
		a.timing = m.timing(a.reset, stop).eff
		l := newLabeler(g, &a)
		l.run(in)
		lab, ok := l.label(out)
		if !ok || lab <= declared {
			continue
		}
		s := worstState(l.mask[out])
		path, _, _ := l.witness(out, s)
		// The first step where the path's label exceeds the contract.
		st := a.arrive(in, stBot)
		at := -1
		for _, ei := range path {
			if m.isContract(ei) {
				st = a.arrive(m.to(ei), stepLabel(st, m.vedge(ei).label))
			} else {
				e := &g.Edges[ei]
				st = a.arrive(e.To, a.edgeStep(st, ei, e.Flags()))
			}
			if stateL[st] > declared {
				at = ei
				break
			}
		}
		if at < 0 {
			continue
		}
		pos, mod, _ := f.edgePlace(at)
		async := -1
		for _, ei := range path {
			if ei == at {
				break
			}
			if m.isContract(ei) && (m.vedge(ei).label == A || m.vedge(ei).label == D) || !m.isContract(ei) && g.Edges[ei].Async {
				async = ei
			}
		}
		var what string
		if m.isContract(at) {
			what = m.contractDesc(m.vedge(at))
		} else {
			e := &g.Edges[at]
			timing := f.timingAt(at) != nil
			switch {
			case (e.Nonmonotonic || timing) && async >= 0:
				what = "after " + f.asyncDesc(async) + ", " + f.stepDesc(at)
			case e.Nonmonotonic || timing:
				what = f.stepDesc(at)
			case e.Async:
				what = f.asyncDesc(at)
			default:
				what = e.Rule.Shape()
			}
		}
		var rule *modules.Rule
		who := mod
		if !m.isContract(at) {
			rule = g.Edges[at].Rule
			if rule.Instance != "" {
				who = fmt.Sprintf("%s, in the imported instance %s,", mod, rule.Instance)
			}
		}
		pass.Report(Finding{
			Pos: pos, Module: mod, Rule: rule, Collections: []string{c.Input.Name, c.Output.Name},
			Key: c.Module + ".contract " + c.Input.Name + " -> " + c.Output.Name, Flow: f.steps(path, at),
			Message: fmt.Sprintf("contract broken: %s declares %s -> %s: %s (%s), but in this program the path is %s: %s makes it %s; %s does not keep %s's contract",
				c.Module, c.Input.Name, c.Output.Name, c.Label, c.Pos, lab, what, stateL[stepTo(path, at, &a, m, in)], who, c.Module),
		})
	}
}

// stepTo returns the state right after edge at on path, from in.
func stepTo(path []int, at int, a *automaton, m *model, in int) uint8 {
	st := a.arrive(in, stBot)
	for _, ei := range path {
		if m.isContract(ei) {
			st = a.arrive(m.to(ei), stepLabel(st, m.vedge(ei).label))
		} else {
			e := &m.g.Edges[ei]
			st = a.arrive(e.To, a.edgeStep(st, ei, e.Flags()))
		}
		if ei == at {
			break
		}
	}
	return st
}

// worstState returns the state of a mask with the worst label (D, then
// N, NA, A, C, Bot).
func worstState(mask uint8) uint8 {
	for _, s := range []uint8{stD, stN, stNA, stA, stC, stBot} {
		if mask&(1<<s) != 0 {
			return s
		}
	}
	return stBot
}
