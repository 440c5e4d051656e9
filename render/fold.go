package render

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/calmcheck/calmcheck/depgraph"
)

// Folding: a program too large to lay out (more than Options.MaxNodes
// nodes or MaxEdges edges beyond one per node once its strongly connected
// components are collapsed) is drawn with the collections of each module
// (or imported instance) folded into one node, except the collections the
// findings are about, which stay expanded as long as the picture stays
// within the budget: the places a user must look at, in the context of the
// modules around them. A program with more modules than the budget has
// room for is folded into bands of its dataflow instead (consecutive
// components in topological order). Everything here is linear in the
// graph: each component is tried once, at the cost of its edges.

// minFoldPart is the fewest components a part of a module folds: a
// module of fewer is folded whole.
const minFoldPart = 25

// fold is how a builder folds a program: the fold group of each component
// of the graph (b.comp), -1 for a component drawn as itself.
type fold struct {
	of     []int32 // component -> fold group (-1: expanded)
	groups []foldGroup
	node   []int // fold group -> view node (-1: not made yet)
	band   bool  // folded by dataflow bands, not by module
	parts  bool  // some module folded in parts
	kept   int   // the components of findings kept expanded
	extra  int   // other components expanded
	wanted int   // the components of findings
}

// foldGroup is one folded node: a module's (or instance's) collections,
// or a band of the dataflow.
type foldGroup struct {
	label   string // the module or instance, or "collections 1 to 300 in dataflow order"
	module  string // the module, for a module's group
	members []int  // graph nodes, in increasing order
}

// foldKey is a module's or an imported instance's key.
func (b *builder) foldKey(i int) string {
	n := &b.g.Nodes[i]
	if n.Imported() && n.Decl != nil {
		return "instance " + n.Decl.Instance
	}
	return "module " + n.Module
}

// computeFold chooses what to fold: every component into its module's
// group, then the findings' components expanded one at a time, most
// severe first, while the drawing stays within maxNodes nodes and
// maxEdges edges beyond one per node (counted as the view draws them:
// one edge per pair of drawn nodes and kind of rule edge, S, T and ??
// counted with their edges).
func (b *builder) computeFold(maxNodes, maxEdges int) {
	g := b.g
	if b.comp == nil {
		b.comp = g.SCC(0)
	}
	comp := b.comp
	nc := comp.Count
	drawn := make([]bool, nc) // a component with a drawn member
	for i := range g.Nodes {
		if b.keep[i] {
			drawn[comp.Comp[i]] = true
		}
	}
	f := &fold{of: make([]int32, nc)}
	b.fold = f

	// Units are components, then the fold groups, then S, T and ??.
	// Edges: one per (from, to, kind of rule edge) among drawn units.
	type ekey struct {
		from, to int32
		style    uint8
	}
	count := map[ekey]int32{}
	edges := 0
	rep := func(c int32) int32 {
		if f.of[c] < 0 {
			return c
		}
		return int32(nc) + f.of[c]
	}
	// incident edges of each component, as (from component, to
	// component, style); S, T and ?? are the components nc+len(groups)+k
	// and are never folded.
	type iedge struct {
		from, to int32
		style    uint8
	}
	inc := make([][]iedge, nc)
	var all []iedge
	for i := range g.Edges {
		e := &g.Edges[i]
		if !b.keepEdge[i] || !b.keep[e.From] || !b.keep[e.To] {
			continue
		}
		var st uint8
		if e.Temporal {
			st |= 1
		}
		if e.Async {
			st |= 2
		}
		if b.pointOfOrder(i) {
			st |= 4
			if b.mechBy[i] >= 0 || b.sealBy[i] >= 0 || b.missBy[i] >= 0 {
				st |= 16 // drawn apart, with its coordination or seal
			}
		}
		if b.snapshot != nil && b.snapshot[i] {
			st |= 8
		}
		ie := iedge{comp.Comp[e.From], comp.Comp[e.To], st}
		if ie.from == ie.to {
			continue // inside a component: not drawn once collapsed
		}
		all = append(all, ie)
		inc[ie.from] = append(inc[ie.from], ie)
		inc[ie.to] = append(inc[ie.to], ie)
	}

	// Seals and contracts are drawn between drawn nodes too (declared).
	declared := func(from, to int, style uint8) {
		if from < 0 || to < 0 || from >= len(g.Nodes) || to >= len(g.Nodes) || !b.keep[from] || !b.keep[to] {
			return
		}
		ie := iedge{comp.Comp[from], comp.Comp[to], style}
		if ie.from != ie.to {
			all = append(all, ie)
			inc[ie.from] = append(inc[ie.from], ie)
			inc[ie.to] = append(inc[ie.to], ie)
		}
	}
	for _, u := range b.p.Seals {
		declared(u.By, u.Collection, 32)
	}
	for _, ce := range b.p.ContractEdges {
		declared(ce.From, ce.To, 64)
	}

	assign := func(groupOf func(c int) int) {
		for c := 0; c < nc; c++ {
			f.of[c] = -1
			if drawn[c] {
				f.of[c] = int32(groupOf(c))
			}
		}
	}
	// The ends: S, T, ?? edges, from the drawn nodes.
	endBase := func() int32 { return int32(nc + len(f.groups)) }
	var ends []iedge // from/to: component, or -1-k for end k
	for _, n := range g.Sources() {
		if b.keep[n] {
			ends = append(ends, iedge{-1, comp.Comp[n], 0})
		}
	}
	for _, n := range g.Sinks() {
		if b.keep[n] {
			ends = append(ends, iedge{comp.Comp[n], -2, 0})
		}
	}
	for _, d := range g.Underspecified() {
		if b.keep[d.Node] {
			if d.Direction == depgraph.DirOutput {
				ends = append(ends, iedge{comp.Comp[d.Node], -3, 0})
			} else {
				ends = append(ends, iedge{-3, comp.Comp[d.Node], 0})
			}
		}
	}
	endInc := make(map[int32][]iedge)
	for _, e := range ends {
		c := e.to
		if e.from >= 0 {
			c = e.from
		}
		endInc[c] = append(endInc[c], e)
	}
	resolve := func(x int32) int32 {
		if x < 0 {
			return endBase() + (-1 - x)
		}
		return rep(x)
	}
	add := func(e iedge, d int32) {
		k := ekey{resolve(e.from), resolve(e.to), e.style}
		if k.from == k.to {
			return
		}
		old := count[k]
		count[k] = old + d
		switch {
		case old == 0 && d > 0:
			edges++
		case old+d == 0:
			edges--
			delete(count, k)
		}
	}
	nodesNow := 0
	recount := func() {
		clear(count)
		edges = 0
		for _, e := range all {
			add(e, 1)
		}
		for _, e := range ends {
			add(e, 1)
		}
		used := make([]bool, len(f.groups))
		nodesNow = 0
		for c := 0; c < nc; c++ {
			switch {
			case !drawn[c]:
			case f.of[c] < 0:
				nodesNow++
			case !used[f.of[c]]:
				used[f.of[c]] = true
				nodesNow++
			}
		}
		var endsUsed [3]bool
		for _, e := range ends {
			for _, x := range []int32{e.from, e.to} {
				if x < 0 {
					endsUsed[-1-x] = true
				}
			}
		}
		for _, u := range endsUsed {
			if u {
				nodesNow++
			}
		}
	}
	within := func() bool {
		return nodesNow <= maxNodes && (maxEdges <= 0 || edges-nodesNow <= maxEdges)
	}

	// By module (or instance): each module's components in topological
	// order, in parts of at most `part` components (at least
	// minFoldPart: a small module is folded whole), the smallest part
	// size (doubling) that leaves two thirds of the nodes and half of
	// the edges to the findings; whole modules if none does.
	order := make([]int, 0, nc) // drawn components, topological order
	for c := nc - 1; c >= 0; c-- {
		if drawn[c] {
			order = append(order, c)
		}
	}
	modIdx := make([]int32, nc) // component -> module (index in mods)
	modPos := make([]int32, nc) // component -> its place in its module
	var mods []string           // the modules' keys, in order of first component
	var modSize []int32         // the drawn components of each module
	var modName []string        // the module, "" for an instance
	keys := map[string]int32{}
	for _, c := range order {
		m := int(comp.Members(c)[0])
		k := b.foldKey(m)
		mi, ok := keys[k]
		if !ok {
			mi = int32(len(mods))
			keys[k] = mi
			mods = append(mods, k)
			modSize = append(modSize, 0)
			name := ""
			if !g.Nodes[m].Imported() {
				name = g.Nodes[m].Module
			}
			modName = append(modName, name)
		}
		modIdx[c], modPos[c] = mi, modSize[mi]
		modSize[mi]++
	}
	largest := int32(slices.Max(append(modSize, 1)))
	byModule := func(part int32) {
		f.groups = f.groups[:0]
		first := make([]int32, len(mods)) // module -> its first group
		for mi := range mods {
			first[mi] = int32(len(f.groups))
			parts := (modSize[mi] + part - 1) / part
			for k := int32(0); k < parts; k++ {
				fg := foldGroup{label: mods[mi], module: modName[mi]}
				if parts > 1 {
					fg.label = fmt.Sprintf("%s, part %d of %d in dataflow order", mods[mi], k+1, parts)
				}
				f.groups = append(f.groups, fg)
			}
		}
		assign(func(c int) int { return int(first[modIdx[c]] + modPos[c]/part) })
	}
	part := max(minFoldPart, int32(len(order)/max(1, maxNodes/3)))
	for {
		byModule(part)
		recount()
		if nodesNow <= maxNodes/3 && (maxEdges <= 0 || edges-nodesNow <= maxEdges/2) || part >= largest {
			break
		}
		part *= 2
	}
	f.parts = part < largest
	if !within() {
		// Too many modules: bands of the dataflow, as many as fit.
		f.band = true
		pos := make([]int, nc)
		for i, c := range order {
			pos[c] = i
		}
		for bands := min(maxNodes-3, len(order)); bands >= 1; bands /= 2 {
			f.groups = f.groups[:0]
			per := (len(order) + bands - 1) / bands
			for k := 0; k*per < len(order); k++ {
				lo, hi := k*per+1, min((k+1)*per, len(order))
				f.groups = append(f.groups, foldGroup{label: fmt.Sprintf("components %d to %d in dataflow order", lo, hi)})
			}
			assign(func(c int) int { return pos[c] / per })
			recount()
			if within() || bands == 1 {
				break
			}
		}
	}
	for c := 0; c < nc; c++ {
		if gi := f.of[c]; gi >= 0 {
			for _, m := range comp.Members(c) {
				if b.keep[m] {
					f.groups[gi].members = append(f.groups[gi].members, int(m))
				}
			}
		}
	}
	for gi := range f.groups {
		slices.Sort(f.groups[gi].members)
	}

	// The findings' components, most severe first (and the findings the
	// program does not expect or acknowledge before those it does).
	type want struct {
		c    int
		rank int
		idx  int
	}
	var wants []want
	seen := make([]bool, nc)
	for fi, fd := range b.p.Findings {
		rank := 3 - int(fd.Severity)
		if fd.Expected || fd.Acknowledged != "" {
			rank += 4
		}
		for _, name := range fd.Collections {
			if i, ok := g.Lookup(name); ok && b.keep[i] {
				c := int(comp.Comp[i])
				if !seen[c] {
					seen[c] = true
					wants = append(wants, want{c, rank, fi})
				}
			}
		}
	}
	if fc, ok := g.Lookup(b.opt.Focus); ok && b.opt.Focus != "" && !seen[comp.Comp[fc]] {
		wants = append(wants, want{int(comp.Comp[fc]), -1, -1})
	}
	slices.SortStableFunc(wants, func(x, y want) int { return cmp.Compare(x.rank, y.rank) })
	f.wanted = len(wants)
	groupSize := make([]int, len(f.groups))
	for c := 0; c < nc; c++ {
		if f.of[c] >= 0 {
			groupSize[f.of[c]]++
		}
	}
	// expand draws component c as itself if the picture stays within
	// the budget.
	expand := func(c int32) bool {
		gi := f.of[c]
		if gi < 0 {
			return false
		}
		move := func(d int32) {
			for _, e := range inc[c] {
				add(e, d)
			}
			for _, e := range endInc[c] {
				add(e, d)
			}
		}
		move(-1)
		f.of[c] = -1
		move(1)
		nodesNow++
		groupSize[gi]--
		if groupSize[gi] == 0 {
			nodesNow--
		}
		if within() {
			return true
		}
		move(-1)
		f.of[c] = gi
		move(1)
		nodesNow--
		if groupSize[gi] == 0 {
			nodesNow++
		}
		groupSize[gi]++
		return false
	}
	for _, w := range wants {
		if expand(int32(w.c)) {
			f.kept++
		}
	}
	// Then, when Build folds on its own, the others while the budget
	// allows, along the dataflow: a program just over the budget keeps
	// most of its collections. (Folding asked for folds all the rest.)
	for _, c := range order {
		if !b.opt.fill {
			break
		}
		if expand(int32(c)) {
			f.extra++
		}
	}
	// The members of each group: those still folded.
	for gi := range f.groups {
		ms := f.groups[gi].members[:0]
		for _, m := range f.groups[gi].members {
			if f.of[comp.Comp[m]] == int32(gi) {
				ms = append(ms, m)
			}
		}
		f.groups[gi].members = ms
	}
	f.node = make([]int, len(f.groups))
	for i := range f.node {
		f.node[i] = -1
	}
}

// foldNode makes the node of fold group gi.
func (b *builder) foldNode(gi int, groupIdx []int) *Node {
	g, fg := b.g, &b.fold.groups[gi]
	node := &Node{ID: fmt.Sprintf("%s_f%d", b.pv.ID, gi), Kind: KindFolded, Group: -1, Stratum: -1, Module: fg.module}
	node.dotID = fmt.Sprintf("#fold%d", gi)
	if len(fg.members) > 0 {
		// In the cluster its members share (their module, or stratum
		// with --strata), if any.
		node.Group = groupIdx[fg.members[0]]
	}
	for _, m := range fg.members {
		if groupIdx[m] != node.Group {
			node.Group = -1
		}
		node.Members = append(node.Members, g.Nodes[m].Name)
		if b.redNode[m] {
			node.Unstratifiable = true
		}
		for _, c := range b.coordinated(m) {
			if !slices.Contains(node.Coordinated, c) {
				node.Coordinated = append(node.Coordinated, c)
			}
		}
	}
	node.Name = fmt.Sprintf("%s (%s)", fg.label, plural(len(fg.members), "collection"))
	node.label = fg.label + "\n" + plural(len(fg.members), "collection")
	return node
}

// foldTooltip is the tooltip of a folded node.
func (b *builder) foldTooltip(n *Node) []string {
	lines := []string{n.Name + ", folded: calmcheck dot --focus COLLECTION draws one of them, with what reaches it and what it reaches, in full"}
	for i, m := range n.Members {
		if i == 40 {
			lines = append(lines, fmt.Sprintf("... and %d more", len(n.Members)-40))
			break
		}
		if gi, ok := b.g.Lookup(m); ok {
			if d := b.g.Nodes[gi].Decl; d != nil {
				lines = append(lines, "  "+d.Kind.String()+" "+d.Schema()+" ("+b.g.Nodes[gi].Module+")")
				continue
			}
		}
		lines = append(lines, "  "+m)
	}
	if n.Unstratifiable {
		lines = append(lines, "unstratifiable: holds a cycle through a nonmonotonic edge with no temporal edge")
	}
	return append(lines, coordinationLines(n.Coordinated)...)
}

// plural writes n and a noun, with an s when n is not 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
