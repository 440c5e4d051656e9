// Package render draws the predicate dependency graph of programs as the
// Bloom talk drew it, and better than Bud's budplot did: DOT text written
// here (deterministic, every string escaped), SVG and PNG through
// go-graphviz (Graphviz compiled to WebAssembly: no system Graphviz, no
// cgo), Mermaid for Markdown files and pull requests, and JSON for other
// tools.
//
// All formats are written from one View, built by Build from the
// dependency graph (depgraph) and the analysis (monotonic) of each
// program, so that they always agree. The legend is the talk's
// "Predicate Dependency Graph Legend":
//
//   - scratch-like collections (scratch, input, output, channel, periodic)
//     are ellipses, persistent tables rectangles;
//   - an edge A -> B when B is in the head and A in the body of a rule;
//   - temporal rules (<+ <- <+-) are labelled +/-, asynchronous ones (<~)
//     dashed;
//   - nonmonotonic rules have a circle on the arrow (arrowhead veeodot):
//     the points of order;
//   - S and T are blue diamonds (source and sink), ?? a red diamond for
//     underspecified dataflow, connected to the dangling ends.
//
// Beyond budplot: clusters by module (or by stratum), unstratifiable
// cycles in red, edges on diffluent (D) paths highlighted, tooltips with
// kinds, schemas, modules, rule texts and positions, strongly connected
// components collapsed into octagons, and a focus on one collection.
package render

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// Program is one program to draw: its dependency graph and what the
// analysis found.
type Program struct {
	Graph *depgraph.Graph
	// Strata is the stratum of each node (monotonic.Result.Strata); nil
	// when the program is unstratifiable.
	Strata []int
	// Findings are named (check and severity) in the tooltips of the
	// edges of their rule, or of the collection they are about.
	Findings []monotonic.Finding
}

// FromResult returns the Program of an analysis result.
func FromResult(r *monotonic.Result) Program {
	return Program{Graph: r.Graph, Strata: r.Strata, Findings: r.Findings}
}

// Options say what to draw.
type Options struct {
	// Legend draws the legend box.
	Legend bool
	// Clusters groups collections in one cluster per declaring module.
	Clusters bool
	// Collapse folds each strongly connected component of more than one
	// collection into one octagon node.
	Collapse bool
	// Strata groups collections by stratum instead of by module, and draws
	// temporal edges as timestep boundaries.
	Strata bool
	// Highlight colours every edge on a path of that label: "D" (the only
	// one supported) for diffluent paths. "" highlights nothing.
	Highlight string
	// Focus, when not empty, draws only what reaches or is reached from
	// the collection of that name.
	Focus string
	// MaxNodes is the number of drawn nodes above which Build collapses
	// strongly connected components even without Collapse, and above
	// which, still, it drops the clusters and asks Graphviz for its fast
	// layout, each time with a note (0: DefaultMaxNodes; negative: no
	// limit, for the formats that are not laid out here).
	MaxNodes int
}

// DefaultMaxNodes is the default Options.MaxNodes: about what Graphviz's
// dot lays out in a few seconds.
const DefaultMaxNodes = 600

// Node kinds besides the collection kinds (table, scratch, input, output,
// channel, periodic).
const (
	KindSource         = "source"         // S
	KindSink           = "sink"           // T
	KindUnderspecified = "underspecified" // ??
	KindComponent      = "component"      // a collapsed SCC
)

// Edge kinds.
const (
	EdgeRule           = "rule"           // body collection -> head collection
	EdgeSource         = "source"         // S -> source
	EdgeSink           = "sink"           // sink -> T
	EdgeUnderspecified = "underspecified" // ?? -> n or n -> ??
)

// View is what is drawn, in the order it is drawn.
type View struct {
	Options  Options        `json:"options"`
	Programs []*ProgramView `json:"programs"`
	// Legend lists the legend's entries; empty when there is no legend.
	Legend []LegendEntry `json:"legend,omitempty"`
	// Notes are what the user should be told about the drawing (a
	// fallback, a focus that excludes a program).
	Notes []string `json:"notes,omitempty"`
}

// ProgramView is the drawing of one program.
type ProgramView struct {
	Name   string   `json:"name"`
	Doc    string   `json:"doc,omitempty"`
	ID     string   `json:"id"` // p0, p1, ...: prefix of the SVG ids
	Groups []*Group `json:"groups"`
	Nodes  []*Node  `json:"nodes"`
	Edges  []*Edge  `json:"edges"`
	// Stratifiable is false when the program has an unstratifiable cycle
	// (drawn red).
	Stratifiable bool `json:"stratifiable"`
	// Fast: too large for a careful layout, drawn with bounded iterations.
	Fast bool `json:"fast,omitempty"`

	prefix string // prefix of DOT IDs when several programs are drawn
}

// Group is a cluster: a module or a stratum.
type Group struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"` // "module" or "stratum"
	Label   string `json:"label"`
	Tooltip string `json:"tooltip"`
}

// Node is a drawn node: a collection, S, T, ??, or a collapsed component.
type Node struct {
	ID    string `json:"id"`   // SVG id, unique in the picture
	Name  string `json:"name"` // collection name, "S", "T", "??", or the members joined
	Kind  string `json:"kind"` // collection kind or one of the Kind* constants
	Group int    `json:"group"`
	// Collection details (empty for S, T, ??).
	Module  string   `json:"module,omitempty"`
	Schema  string   `json:"schema,omitempty"`
	Pos     string   `json:"pos,omitempty"`
	Stratum int      `json:"stratum"` // -1 when unknown
	Members []string `json:"members,omitempty"`
	// Unstratifiable: on a cycle through a nonmonotonic edge with no
	// temporal edge (drawn red).
	Unstratifiable bool   `json:"unstratifiable,omitempty"`
	Focus          bool   `json:"focus,omitempty"`
	Tooltip        string `json:"tooltip"`

	dotID string
}

// Edge is a drawn edge: the rules with the same ends and the same style
// are one edge.
type Edge struct {
	ID           string `json:"id"`
	Kind         string `json:"kind"`
	From         int    `json:"from"` // index in Nodes
	To           int    `json:"to"`
	Temporal     bool   `json:"temporal,omitempty"`
	Async        bool   `json:"async,omitempty"`
	Nonmonotonic bool   `json:"nonmonotonic,omitempty"`
	// Unstratifiable: an instantaneous edge inside a cycle through a
	// nonmonotonic edge (drawn red).
	Unstratifiable bool `json:"unstratifiable,omitempty"`
	// Diffluent: on a path labelled D from a source to a sink (coloured
	// with Highlight "D").
	Diffluent bool       `json:"diffluent,omitempty"`
	Rules     []RuleInfo `json:"rules,omitempty"`
	Tooltip   string     `json:"tooltip"`

	rules []*modules.Rule
}

// RuleInfo is a rule behind an edge.
type RuleInfo struct {
	Text   string `json:"text"`
	Op     string `json:"op"`
	Pos    string `json:"pos"`
	Module string `json:"module"`
	Block  string `json:"block"`
	// Reason says why the edge is nonmonotonic, if it is.
	Reason string `json:"reason,omitempty"`
}

// Build makes the view of programs. It fails only on options it cannot
// honour: an unknown Highlight label, a Focus that names no collection of
// any program.
func Build(progs []Program, opt Options) (*View, error) {
	switch opt.Highlight {
	case "", "D":
	default:
		return nil, fmt.Errorf("--highlight %q: only D (diffluent paths) can be highlighted", opt.Highlight)
	}
	if opt.Focus != "" {
		found := false
		var names []string
		for _, p := range progs {
			if _, ok := p.Graph.Lookup(opt.Focus); ok {
				found = true
			}
			for _, n := range p.Graph.Nodes {
				names = append(names, n.Name)
			}
		}
		if !found {
			return nil, fmt.Errorf("--focus %q: no such collection in %s%s", opt.Focus, programList(progs), suggest(opt.Focus, names))
		}
	}
	v := &View{Options: opt}
	maxNodes := opt.MaxNodes
	if maxNodes == 0 {
		maxNodes = DefaultMaxNodes
	}
	used := map[string]int{}
	for i, p := range progs {
		if opt.Focus != "" {
			if _, ok := p.Graph.Lookup(opt.Focus); !ok {
				v.Notes = append(v.Notes, fmt.Sprintf("program %s has no collection %s: not drawn (--focus)", p.Graph.Program.Name, opt.Focus))
				continue
			}
		}
		pv := buildProgram(p, opt, i)
		if maxNodes > 0 && len(pv.Nodes) > maxNodes {
			o := opt
			if !o.Collapse {
				o.Collapse = true
				pv = buildProgram(p, o, i)
				v.Notes = append(v.Notes, fmt.Sprintf("program %s has %d collections, more than Graphviz lays out quickly (%d): strongly connected components collapsed (--collapse), %d nodes drawn; use --focus COLLECTION to see a part in full",
					pv.Name, len(p.Graph.Nodes), maxNodes, len(pv.Nodes)))
			}
			if len(pv.Nodes) > maxNodes {
				// Graphviz's dot spends most of its time on clusters and
				// on minimizing crossings: without clusters and with
				// bounded iterations, 2,000 nodes take seconds, not
				// minutes.
				o.Clusters, o.Strata = false, false
				pv = buildProgram(p, o, i)
				pv.Fast = true
				v.Notes = append(v.Notes, fmt.Sprintf("program %s: %d nodes to draw: drawn without clusters, with Graphviz's fast layout settings (more crossings)", pv.Name, len(pv.Nodes)))
			}
		}
		if opt.Strata && p.Strata == nil {
			v.Notes = append(v.Notes, fmt.Sprintf("program %s is unstratifiable: no strata to group by (--strata); its unstratifiable cycles are red", pv.Name))
		}
		used[pv.Name]++
		if used[pv.Name] > 1 {
			pv.Name = fmt.Sprintf("%s#%d", pv.Name, used[pv.Name])
		}
		v.Programs = append(v.Programs, pv)
	}
	if len(v.Programs) > 1 {
		for _, pv := range v.Programs {
			pv.prefix = pv.Name + "/"
			for _, n := range pv.Nodes {
				n.dotID = pv.prefix + n.dotID
			}
		}
	}
	if opt.Legend {
		v.Legend = legendEntries(v)
	}
	return v, nil
}

func programList(progs []Program) string {
	var names []string
	for _, p := range progs {
		names = append(names, p.Graph.Program.Name)
	}
	if len(names) == 1 {
		return "program " + names[0]
	}
	return "programs " + strings.Join(names, ", ")
}

// suggest returns ` (did you mean "x"?)` for the closest name, if close.
func suggest(name string, candidates []string) string {
	best, bestD := "", 3
	sort.Strings(candidates)
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := prev[j-1]
			if ra[i-1] != rb[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// builder holds the state of building one program's view.
type builder struct {
	p    Program
	g    *depgraph.Graph
	opt  Options
	pv   *ProgramView
	keep []bool // node drawn (focus)
	// keepEdge reports whether a graph edge is drawn (focus).
	keepEdge []bool
	rep      []int // graph node -> view node (-1: not drawn)
	redNode  []bool
	redEdge  []bool
	dEdge    []bool
	comp     *depgraph.SCC
	compNode []int // component -> view node, for collapsed components
}

func buildProgram(p Program, opt Options, idx int) *ProgramView {
	g := p.Graph
	b := &builder{p: p, g: g, opt: opt}
	b.pv = &ProgramView{Name: g.Program.Name, Doc: modules.FirstSentence(g.Program.Doc), ID: fmt.Sprintf("p%d", idx), Stratifiable: true}
	b.focus()
	b.unstratifiable()
	if opt.Highlight == "D" {
		b.dEdge = diffluentEdges(g)
	}
	b.groups()
	b.nodes()
	b.edges()
	b.ends()
	b.tooltips()
	return b.pv
}

// focus computes which nodes and edges are drawn.
func (b *builder) focus() {
	g := b.g
	b.keep = make([]bool, len(g.Nodes))
	b.keepEdge = make([]bool, len(g.Edges))
	f, ok := g.Lookup(b.opt.Focus)
	if b.opt.Focus == "" || !ok {
		for i := range b.keep {
			b.keep[i] = true
		}
		for i := range b.keepEdge {
			b.keepEdge[i] = true
		}
		return
	}
	fwd := reach(g, f, true)
	bwd := reach(g, f, false)
	for i := range b.keep {
		b.keep[i] = fwd[i] || bwd[i]
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		b.keepEdge[i] = fwd[e.From] && fwd[e.To] || bwd[e.From] && bwd[e.To]
	}
}

// reach returns the nodes reachable from n (forward) or reaching it.
func reach(g *depgraph.Graph, n int, forward bool) []bool {
	seen := make([]bool, len(g.Nodes))
	seen[n] = true
	queue := []int{n}
	for len(queue) > 0 {
		v := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		var es []int32
		if forward {
			es = g.Out(v)
		} else {
			es = g.In(v)
		}
		for _, ei := range es {
			w := g.Edges[ei].To
			if !forward {
				w = g.Edges[ei].From
			}
			if !seen[w] {
				seen[w] = true
				queue = append(queue, w)
			}
		}
	}
	return seen
}

// unstratifiable marks the nodes and instantaneous edges of every
// component of the instantaneous edges that holds a nonmonotonic edge:
// exactly the components that make monotonic's strata nil.
func (b *builder) unstratifiable() {
	g := b.g
	b.redNode = make([]bool, len(g.Nodes))
	b.redEdge = make([]bool, len(g.Edges))
	inst := g.SCC(depgraph.FlagTemporal)
	bad := make([]bool, inst.Count)
	for i := range g.Edges {
		e := &g.Edges[i]
		if !e.Temporal && e.Nonmonotonic && inst.Same(e.From, e.To) {
			bad[inst.Comp[e.From]] = true
		}
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if !e.Temporal && inst.Same(e.From, e.To) && bad[inst.Comp[e.From]] {
			b.redEdge[i] = true
			b.redNode[e.From], b.redNode[e.To] = true, true
			b.pv.Stratifiable = false
		}
	}
}

// groups makes the clusters: strata, or modules.
func (b *builder) groups() {
	g, pv := b.g, b.pv
	switch {
	case b.opt.Strata && b.p.Strata != nil:
		max := -1
		for i, s := range b.p.Strata {
			if b.keep[i] && s > max {
				max = s
			}
		}
		for s := 0; s <= max; s++ {
			tip := fmt.Sprintf("stratum %d: evaluated after every collection it depends on through a nonmonotonic edge in the same timestep", s)
			if s == 0 {
				tip = "stratum 0: depends on no nonmonotonic edge within a timestep"
			}
			pv.Groups = append(pv.Groups, &Group{ID: fmt.Sprintf("%s_s%d", pv.ID, s), Kind: "stratum", Label: fmt.Sprintf("stratum %d", s), Tooltip: tip})
		}
	case b.opt.Clusters:
		seen := map[string]bool{}
		for i, n := range g.Nodes {
			if !b.keep[i] || seen[n.Module] || n.Module == "" {
				continue
			}
			seen[n.Module] = true
			tip := "module " + n.Module
			if m := g.Program.Module(n.Module); m != nil {
				tip += " (" + posLine(m.Pos) + ")"
				if d := modules.FirstSentence(m.Doc); d != "" {
					tip += "\n" + d
				}
			}
			pv.Groups = append(pv.Groups, &Group{ID: fmt.Sprintf("%s_m%d", pv.ID, len(pv.Groups)), Kind: "module", Label: n.Module, Tooltip: tip})
		}
	}
}

func (b *builder) stratum(i int) int {
	if b.p.Strata == nil {
		return -1
	}
	return b.p.Strata[i]
}

// nodes makes a node per drawn collection, or per collapsed component
// (at the place of its first member).
func (b *builder) nodes() {
	g, pv := b.g, b.pv
	groupIdx := make([]int, len(g.Nodes))
	byModule := map[string]int{}
	for gi, gr := range pv.Groups {
		if gr.Kind == "module" {
			byModule[gr.Label] = gi
		}
	}
	for i, n := range g.Nodes {
		groupIdx[i] = -1
		if !b.keep[i] {
			continue
		}
		if gi, ok := byModule[n.Module]; ok {
			groupIdx[i] = gi
		} else if len(pv.Groups) > 0 && pv.Groups[0].Kind == "stratum" {
			groupIdx[i] = b.p.Strata[i]
		}
	}
	b.rep = make([]int, len(g.Nodes))
	for i := range b.rep {
		b.rep[i] = -1
	}
	if b.opt.Collapse {
		// A component of the whole graph is drawn whole or not at all
		// under --focus: a node that reaches or is reached from the
		// focus takes its component with it, edges included.
		b.comp = g.SCC(0)
		b.compNode = make([]int, b.comp.Count)
		for c := range b.compNode {
			b.compNode[c] = -1
		}
	}
	for i, n := range g.Nodes {
		if !b.keep[i] {
			continue
		}
		if b.comp != nil {
			c := b.comp.Comp[i]
			if ms := b.comp.Members(int(c)); len(ms) > 1 {
				if b.compNode[c] < 0 {
					b.compNode[c] = len(pv.Nodes)
					pv.Nodes = append(pv.Nodes, b.componentNode(ms, groupIdx))
				}
				b.rep[i] = b.compNode[c]
				continue
			}
		}
		b.rep[i] = len(pv.Nodes)
		d := n.Decl
		node := &Node{
			ID: fmt.Sprintf("%s_n%d", pv.ID, i), Name: n.Name, Kind: n.Kind.String(), Group: groupIdx[i],
			Module: n.Module, Stratum: b.stratum(i), Unstratifiable: b.redNode[i],
			Focus: b.opt.Focus != "" && n.Name == b.opt.Focus,
		}
		if d != nil {
			node.Schema = d.Schema()
			node.Pos = posLine(d.Pos)
		}
		node.dotID = n.Name
		if !plainIdent(n.Name) {
			node.dotID = fmt.Sprintf("#%d", i)
		}
		pv.Nodes = append(pv.Nodes, node)
	}
}

func (b *builder) componentNode(ms []int32, groupIdx []int) *Node {
	g := b.g
	node := &Node{ID: fmt.Sprintf("%s_c%d", b.pv.ID, b.comp.Comp[ms[0]]), Kind: KindComponent, Group: groupIdx[ms[0]], Stratum: b.stratum(int(ms[0]))}
	node.dotID = fmt.Sprintf("#scc%d", ms[0])
	for _, m := range ms {
		n := &g.Nodes[m]
		node.Members = append(node.Members, n.Name)
		if groupIdx[m] != node.Group {
			node.Group = -1
		}
		if b.stratum(int(m)) != node.Stratum {
			node.Stratum = -1
		}
		if b.redNode[m] {
			node.Unstratifiable = true
		}
		if b.opt.Focus != "" && n.Name == b.opt.Focus {
			node.Focus = true
		}
	}
	if node.Group >= 0 && b.pv.Groups[node.Group].Kind == "module" {
		node.Module = b.pv.Groups[node.Group].Label
	}
	node.Name = strings.Join(node.Members, ", ")
	return node
}

// edgeKey identifies the drawn edge of a rule edge: same ends, same style.
type edgeKey struct {
	from, to                     int
	temporal, async, nonmonotone bool
}

func (b *builder) edges() {
	g, pv := b.g, b.pv
	byKey := map[edgeKey]int{}
	for i := range g.Edges {
		e := &g.Edges[i]
		if !b.keepEdge[i] {
			continue
		}
		from, to := b.rep[e.From], b.rep[e.To]
		if from < 0 || to < 0 {
			continue
		}
		if from == to && pv.Nodes[from].Kind == KindComponent {
			continue // inside a collapsed component
		}
		k := edgeKey{from, to, e.Temporal, e.Async, e.Nonmonotonic}
		ei, ok := byKey[k]
		if !ok {
			ei = len(pv.Edges)
			byKey[k] = ei
			pv.Edges = append(pv.Edges, &Edge{
				ID: fmt.Sprintf("%s_e%d", pv.ID, i), Kind: EdgeRule, From: from, To: to,
				Temporal: e.Temporal, Async: e.Async, Nonmonotonic: e.Nonmonotonic,
			})
		}
		de := pv.Edges[ei]
		de.Unstratifiable = de.Unstratifiable || b.redEdge[i]
		de.Diffluent = de.Diffluent || b.dEdge != nil && b.dEdge[i]
		ri := RuleInfo{Text: e.Rule.Text, Op: e.Op.String(), Pos: posLine(e.Rule.Pos), Module: e.Rule.Module, Block: e.Rule.Block, Reason: e.Reason()}
		dup := false
		for _, r := range de.rules {
			dup = dup || r == e.Rule
		}
		if !dup {
			de.Rules = append(de.Rules, ri)
			de.rules = append(de.rules, e.Rule)
		}
	}
}

// ends adds S, T and ?? and their edges, for the drawn collections.
func (b *builder) ends() {
	g, pv := b.g, b.pv
	type end struct {
		kind, name, id string
		edges          [][2]int // (graph node, direction: 0 into the node, 1 out of it)
	}
	s := &end{kind: KindSource, name: "S", id: "S"}
	t := &end{kind: KindSink, name: "T", id: "T"}
	u := &end{kind: KindUnderspecified, name: "??", id: "U"}
	for _, n := range g.Sources() {
		if b.keep[n] {
			s.edges = append(s.edges, [2]int{n, 0})
		}
	}
	for _, n := range g.Sinks() {
		if b.keep[n] {
			t.edges = append(t.edges, [2]int{n, 1})
		}
	}
	for _, d := range g.Underspecified() {
		if !b.keep[d.Node] {
			continue
		}
		dir := 0
		if d.Direction == depgraph.DirOutput {
			dir = 1
		}
		u.edges = append(u.edges, [2]int{d.Node, dir})
	}
	for _, x := range []*end{s, t, u} {
		if len(x.edges) == 0 {
			continue
		}
		xi := len(pv.Nodes)
		pv.Nodes = append(pv.Nodes, &Node{ID: pv.ID + "_" + x.id, Name: x.name, Kind: x.kind, Group: -1, Stratum: -1, dotID: "#" + x.name})
		seen := map[[2]int]bool{}
		for _, ed := range x.edges {
			n := b.rep[ed[0]]
			if seen[[2]int{n, ed[1]}] {
				continue
			}
			seen[[2]int{n, ed[1]}] = true
			kind := EdgeUnderspecified
			switch x.kind {
			case KindSource:
				kind = EdgeSource
			case KindSink:
				kind = EdgeSink
			}
			e := &Edge{ID: fmt.Sprintf("%s_%s%d", pv.ID, x.id, ed[0]), Kind: kind, From: xi, To: n}
			if ed[1] == 1 {
				e.From, e.To = n, xi
			}
			pv.Edges = append(pv.Edges, e)
		}
	}
}

// posLine formats a position as file:line.
func posLine(p modules.Pos) string {
	if !p.IsValid() {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// tooltips fills in the tooltips of nodes and edges.
func (b *builder) tooltips() {
	g, pv := b.g, b.pv
	// Findings: on the edges of their rule, else on their first
	// collection.
	byRule := map[*modules.Rule][]string{}
	byColl := map[string][]string{}
	for _, f := range b.p.Findings {
		// The check and severity only: calmcheck lint gives the message,
		// which would make every picture change with its wording.
		line := fmt.Sprintf("%s: %s (calmcheck lint)", f.Severity, f.Check)
		if f.Acknowledged != "" {
			line += " (acknowledged: " + truncate(f.Acknowledged, 80) + ")"
		}
		switch {
		case f.Rule != nil:
			byRule[f.Rule] = append(byRule[f.Rule], line)
		case len(f.Collections) > 0:
			byColl[f.Collections[0]] = append(byColl[f.Collections[0]], line)
		}
	}
	dangling := map[int]depgraph.Direction{}
	for _, d := range g.Underspecified() {
		dangling[d.Node] = d.Direction
	}
	sources, sinks := map[int]bool{}, map[int]bool{}
	for _, n := range g.Sources() {
		sources[n] = true
	}
	for _, n := range g.Sinks() {
		sinks[n] = true
	}
	var ids = map[string]int{}
	for i, n := range g.Nodes {
		ids[n.Name] = i
	}
	for _, n := range pv.Nodes {
		var lines []string
		switch n.Kind {
		case KindSource:
			lines = append(lines, "S: dataflow source: the input interfaces nothing in the program writes")
		case KindSink:
			lines = append(lines, "T: dataflow sink: the output interfaces nothing in the program reads")
		case KindUnderspecified:
			lines = append(lines, "??: underspecified dataflow: an interface or channel with one end dangling (nothing writes it, or nothing reads it)")
		case KindComponent:
			lines = append(lines, fmt.Sprintf("strongly connected component of %d collections:", len(n.Members)))
			for i, m := range n.Members {
				if i == 40 {
					lines = append(lines, fmt.Sprintf("... and %d more", len(n.Members)-40))
					break
				}
				d := g.Nodes[ids[m]].Decl
				if d != nil {
					lines = append(lines, "  "+d.Kind.String()+" "+d.Schema()+" ("+g.Nodes[ids[m]].Module+")")
				}
			}
			if n.Unstratifiable {
				lines = append(lines, "unstratifiable: holds a cycle through a nonmonotonic edge with no temporal edge")
			}
		default:
			i := ids[n.Name]
			gn := &g.Nodes[i]
			if gn.Decl != nil {
				lines = append(lines, gn.Decl.String())
			}
			lines = append(lines, "module "+n.Module+" ("+n.Pos+")")
			if n.Stratum >= 0 {
				lines = append(lines, fmt.Sprintf("stratum %d", n.Stratum))
			}
			if sources[i] {
				lines = append(lines, "source: an input interface nothing in the program writes (S)")
			}
			if sinks[i] {
				lines = append(lines, "sink: an output interface nothing in the program reads (T)")
			}
			switch dangling[i] {
			case depgraph.DirInput:
				lines = append(lines, "underspecified: read, but nothing in the program writes it (??)")
			case depgraph.DirOutput:
				lines = append(lines, "underspecified: written, but nothing in the program reads it (??)")
			}
			if n.Unstratifiable {
				lines = append(lines, "unstratifiable: on a cycle through a nonmonotonic edge with no temporal edge")
			}
			seen := map[string]bool{}
			for _, f := range byColl[n.Name] {
				if !seen[f] {
					seen[f] = true
					lines = append(lines, f)
				}
			}
		}
		n.Tooltip = strings.Join(lines, "\n")
	}
	for _, e := range pv.Edges {
		from, to := pv.Nodes[e.From], pv.Nodes[e.To]
		lines := []string{from.Name + " -> " + to.Name}
		switch e.Kind {
		case EdgeSource:
			lines = append(lines, to.Name+" is a source of the dataflow (S)")
		case EdgeSink:
			lines = append(lines, from.Name+" is a sink of the dataflow (T)")
		case EdgeUnderspecified:
			if from.Kind == KindUnderspecified {
				lines = append(lines, "nothing in the program writes "+to.Name+" (??)")
			} else {
				lines = append(lines, "nothing in the program reads "+from.Name+" (??)")
			}
		default:
			switch {
			case e.Async:
				lines = append(lines, "asynchronous (<~): sent over a channel, arrives at a later timestep")
			case e.Temporal:
				lines = append(lines, "temporal: takes effect in the next timestep")
			}
			if e.Nonmonotonic {
				lines = append(lines, "nonmonotonic: a point of order")
			}
			if e.Unstratifiable {
				lines = append(lines, "unstratifiable: on a cycle through a nonmonotonic edge with no temporal edge")
			}
			if e.Diffluent {
				lines = append(lines, "on a diffluent (D) path: asynchrony, then nonmonotonicity")
			}
			for _, r := range e.Rules {
				l := r.Text + "\n  " + r.Pos + " (" + r.Module + "." + r.Block + ")"
				if r.Reason != "" {
					l += ", nonmonotonic: " + r.Reason
				}
				lines = append(lines, l)
			}
			seen := map[string]bool{}
			for _, r := range e.rules {
				for _, f := range byRule[r] {
					if !seen[f] {
						seen[f] = true
						lines = append(lines, f)
					}
				}
			}
		}
		e.Tooltip = strings.Join(lines, "\n")
	}
}

// truncate shortens s to n runes, with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
