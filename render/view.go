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
//
// And what the program declares about coordination (docs/coordination.md):
// coordinated collections with a double border and a lock (🔒) with the
// coordination's kind, in a warning colour when the coordination is
// unneeded; a coordination protocol's own nonmonotonic rules muted (grey);
// each seal as a dotted edge from the collection that seals to the sealed
// one, labelled with its key, and the rules it covers purple and labelled
// "sealed"; and each contract that stands in for a missing implementation
// as a dash-dot edge labelled with its label ("N (contract)").
package render

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/lint"
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
	// Stratification is monotonic.Result.Stratification: the components
	// that make the program unstratifiable are drawn red. Nil computes it.
	Stratification *depgraph.Stratification
	// Result is the analysis the program comes from (FromResult): what
	// --highlight D colours is its DiffluentEdges.
	Result *monotonic.Result
	// Findings are named (check and severity) in the tooltips of the
	// edges of their rule, or of the collection they are about.
	Findings []monotonic.Finding
	// Coordination, Seals and ContractEdges are the program's coordination
	// declarations, seals and the contracts that stand in for missing
	// implementations, as the analysis resolved them
	// (monotonic.Result.Coordination, Seals, ContractEdges): drawn as
	// coordinated collections, seal edges and contract edges. Nil for
	// none; ids out of range are ignored.
	Coordination  []monotonic.CoordinationUse
	Seals         []monotonic.SealUse
	ContractEdges []monotonic.ContractEdge
}

// FromResult returns the Program of an analysis result.
func FromResult(r *monotonic.Result) Program {
	return Program{Result: r, Graph: r.Graph, Strata: r.Strata, Stratification: r.Stratification, Findings: r.Findings,
		Coordination: r.Coordination, Seals: r.Seals, ContractEdges: r.ContractEdges}
}

// FromReport returns the Programs of a lint report: their analysis, with
// the findings as lint reports them (expectations and acknowledgements
// applied).
func FromReport(rep *lint.Report) []Program {
	var out []Program
	for _, pr := range rep.Programs {
		p := FromResult(pr.Result)
		p.Findings = pr.Findings
		out = append(out, p)
	}
	return out
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
	// Fold draws the collections of each module (or imported instance)
	// as one node, except the collections the findings are about, kept
	// expanded while the picture stays within MaxNodes and MaxEdges (all
	// of them when there is no limit). Build folds a program that is
	// still too large once its components are collapsed.
	Fold bool `json:",omitempty"`
	// NoCollapse: Build never collapses nor folds on its own (a program
	// too large is still drawn with the fast layout).
	NoCollapse bool `json:",omitempty"`

	// fill: Build folds on its own, so the budget left once the
	// findings' collections are expanded goes to the others.
	fill bool
	// Strata groups collections by stratum instead of by module, and draws
	// temporal edges as timestep boundaries.
	Strata bool
	// Highlight colours every edge on a path of that label: "D" (the only
	// one supported) for diffluent paths. "" highlights nothing.
	Highlight string
	// Effective, with Highlight "D", colours the paths whose effective
	// label is D (monotonic.Verdict.Effective: the program's coordination
	// and seals counted; where coordination is missing) instead of those
	// whose label is D (Verdict.Label: Bud's labels, with contracts
	// standing in for missing implementations).
	Effective bool `json:",omitempty"`
	// Focus, when not empty, draws only what reaches or is reached from
	// the collection of that name.
	Focus string
	// MaxNodes is the number of drawn nodes above which Build collapses
	// strongly connected components even without Collapse, and above
	// which, still, it drops the clusters and asks Graphviz for its fast
	// layout, each time with a note (0: DefaultMaxNodes; negative: no
	// limit, for the formats that are not laid out here).
	MaxNodes int
	// MaxEdges is, as MaxNodes, a bound on the drawn edges beyond one per
	// drawn node (edges - nodes) above which Build collapses, then asks for
	// the fast layout: Graphviz's dot is far from linear in the edges of a
	// dense graph (30 nodes and 435 edges took 13 s of CPU, 50 and 2,450
	// over 250 s) while sparse graphs of a few hundred edges take under a
	// second. 0: DefaultMaxEdges; negative: no limit.
	MaxEdges int `json:",omitempty"`
}

// DefaultMaxNodes is the default Options.MaxNodes: about what Graphviz's
// dot lays out in a few seconds.
const DefaultMaxNodes = 600

// DefaultMaxEdges is the default Options.MaxEdges: a dense graph of 25
// nodes and 300 edges (275 beyond one per node) takes Graphviz's dot about
// 3 s of CPU.
const DefaultMaxEdges = 250

// Node kinds besides the collection kinds (table, scratch, input, output,
// channel, periodic).
const (
	KindSource         = "source"         // S
	KindSink           = "sink"           // T
	KindUnderspecified = "underspecified" // ??
	KindComponent      = "component"      // a collapsed SCC
	KindFolded         = "folded"         // a module's collections (or a band of the dataflow), folded
)

// Edge kinds.
const (
	EdgeRule           = "rule"           // body collection -> head collection
	EdgeSource         = "source"         // S -> source
	EdgeSink           = "sink"           // sink -> T
	EdgeUnderspecified = "underspecified" // ?? -> n or n -> ??
	EdgeSeal           = "seal"           // the sealing collection -> the sealed one
	EdgeContract       = "contract"       // a contract's input -> its output
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
	// Coordination and Seals are the program's coordination declarations
	// and seals (drawn or not: --focus may leave them out).
	Coordination []*CoordinationInfo `json:"coordination,omitempty"`
	Seals        []*SealInfo         `json:"seals,omitempty"`
	// Fast: too large for a careful layout, drawn with bounded iterations.
	Fast bool `json:"fast,omitempty"`
	// FoldedBy says how collections were folded (Options.Fold):
	// "module", or "dataflow" (bands of the dataflow, when there are too
	// many modules); Kept of the Wanted collections of findings stayed
	// expanded.
	FoldedBy string `json:"folded_by,omitempty"`
	Kept     int    `json:"kept,omitempty"`
	Wanted   int    `json:"wanted,omitempty"`
	// Extra counts the other components kept expanded, as the budget
	// allowed.
	Extra int `json:"extra,omitempty"`

	prefix string // prefix of DOT IDs when several programs are drawn
}

// Group is a cluster: a module, an imported instance or a stratum.
type Group struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"` // "module", "instance" or "stratum"
	Label   string `json:"label"`
	Tooltip string `json:"tooltip"`
	// Parent is the ID of the enclosing group: an instance's cluster is
	// drawn inside the cluster of its importer ("" at top level).
	Parent string `json:"parent,omitempty"`

	parent int // index of the enclosing group, -1 at top level
}

// Node is a drawn node: a collection, S, T, ??, or a collapsed component.
type Node struct {
	ID   string `json:"id"`   // SVG id, unique in the picture
	Name string `json:"name"` // collection name, "S", "T", "??", or the members joined
	Kind string `json:"kind"` // collection kind or one of the Kind* constants
	// Persistent: a collection whose facts survive the timestep (a
	// table), drawn as a box.
	Persistent bool `json:"-"`
	Group      int  `json:"group"`
	// Collection details (empty for S, T, ??).
	Module  string   `json:"module,omitempty"`
	Schema  string   `json:"schema,omitempty"`
	Pos     string   `json:"pos,omitempty"`
	Stratum int      `json:"stratum"` // -1 when unknown
	Members []string `json:"members,omitempty"`
	// Unstratifiable: on a cycle through a nonmonotonic edge with no
	// temporal edge (drawn red).
	Unstratifiable bool `json:"unstratifiable,omitempty"`
	Focus          bool `json:"focus,omitempty"`
	// Lattice: a lattice collection (Bloom^L), whose values merge; drawn
	// as a three-dimensional box.
	Lattice bool `json:"lattice,omitempty"`
	// Coordinated lists the coordination declarations that order or agree
	// on the collection (on a member, for a component): drawn with a
	// double border and a lock with their kinds.
	Coordinated []*CoordinationInfo `json:"coordinated,omitempty"`
	Tooltip     string              `json:"tooltip"`

	dotID string
	// label is a folded node's label: its module (or band) over its
	// number of collections.
	label string
}

// CoordinationInfo is a coordination declaration (coordination: {kind,
// on}) and what the analysis found of it.
type CoordinationInfo struct {
	Kind  string   `json:"kind"`  // total-order, consensus, voting, barrier
	Where string   `json:"where"` // the declaring module, or module.block
	On    []string `json:"on"`
	Pos   string   `json:"pos"`
	// Needed is false when the declaration changes no path's label
	// (calmcheck lint's unneeded-coordination): drawn in a warning colour.
	Needed bool `json:"needed"`
}

// SealInfo is a seal: once a fact of By has arrived for a key, no more
// facts of Collection arrive for that key.
type SealInfo struct {
	Collection string   `json:"collection"`
	Key        []string `json:"key"`
	By         string   `json:"by"`
	Module     string   `json:"module"`
	Pos        string   `json:"pos"`
}

// String is the seal as calmcheck lint writes it: "cart_action per
// (session) by checkout_msg".
func (s *SealInfo) String() string {
	return fmt.Sprintf("%s per (%s) by %s", s.Collection, strings.Join(s.Key, ", "), s.By)
}

// ContractInfo is a protocol's contract that stands in for its missing
// implementation: the paths from Input to Output are labelled Label.
type ContractInfo struct {
	Module string `json:"module"`
	Input  string `json:"input"`
	Output string `json:"output"`
	Label  string `json:"label"` // Bot, A, N or D
	Pos    string `json:"pos"`
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
	// TimingJoin: the edge is nonmonotonic only as an order-sensitive
	// timing join (a fact whose timing varies meets a negated, shrinking or
	// transient one in the same timestep: a point of order); Snapshot: a
	// snapshot read (a transient fact reads grow-only state that timing
	// fills: stale, never wrong).
	TimingJoin bool `json:"timingJoin,omitempty"`
	Snapshot   bool `json:"snapshot,omitempty"`
	// Unstratifiable: an instantaneous edge inside a cycle through a
	// nonmonotonic edge (drawn red).
	Unstratifiable bool `json:"unstratifiable,omitempty"`
	// Diffluent: on a path labelled D from a source to a sink (coloured
	// with Highlight "D"; the effective label with Options.Effective).
	Diffluent bool `json:"diffluent,omitempty"`
	// For a nonmonotonic rule edge: Mechanism is the coordination whose
	// own mechanism its rules are (drawn muted: not a point of order of
	// the program); Sealed the seal that covers them (drawn purple,
	// labelled "sealed"); MissedSeal a seal on the collection they read
	// that does not cover them (they stay points of order).
	Mechanism  *CoordinationInfo `json:"mechanism,omitempty"`
	Sealed     *SealInfo         `json:"sealed,omitempty"`
	MissedSeal *SealInfo         `json:"missedSeal,omitempty"`
	// Seal is the seal of an edge of kind seal; Contract the contract of
	// an edge of kind contract.
	Seal     *SealInfo     `json:"seal,omitempty"`
	Contract *ContractInfo `json:"contract,omitempty"`
	Rules    []RuleInfo    `json:"rules,omitempty"`
	Tooltip  string        `json:"tooltip"`

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
	if opt.Effective && opt.Highlight != "D" {
		return nil, fmt.Errorf("--effective: only with --highlight D")
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
	maxEdges := opt.MaxEdges
	if maxEdges == 0 {
		maxEdges = DefaultMaxEdges
	}
	tooLarge := func(pv *ProgramView) bool {
		return len(pv.Nodes) > maxNodes || maxEdges > 0 && len(pv.Edges)-len(pv.Nodes) > maxEdges
	}
	used := map[string]int{}
	for i, p := range progs {
		if opt.Focus != "" {
			if _, ok := p.Graph.Lookup(opt.Focus); !ok {
				v.Notes = append(v.Notes, fmt.Sprintf("program %s has no collection %s: not drawn (--focus)", p.Graph.Program.Name, opt.Focus))
				continue
			}
		}
		pv := buildProgram(p, opt, i, maxNodes, maxEdges)
		if maxNodes > 0 && tooLarge(pv) {
			o := opt
			if !o.Collapse && !o.NoCollapse {
				o.Collapse = true
				nodes, edges := len(pv.Nodes), len(pv.Edges)
				pv = buildProgram(p, o, i, maxNodes, maxEdges)
				v.Notes = append(v.Notes, fmt.Sprintf("program %s has %d collections (%d nodes and %d edges to draw), more than Graphviz lays out quickly (%d nodes, %d edges beyond one per node): strongly connected components collapsed (--collapse=scc), %d nodes and %d edges drawn; use --focus COLLECTION to see a part in full",
					pv.Name, len(p.Graph.Nodes), nodes, edges, maxNodes, maxEdges, len(pv.Nodes), len(pv.Edges)))
			}
			if tooLarge(pv) && !o.Fold && !o.NoCollapse {
				nodes, edges := len(pv.Nodes), len(pv.Edges)
				o.Fold, o.fill = true, true
				pv = buildProgram(p, o, i, maxNodes, maxEdges)
				v.Notes = append(v.Notes, foldNote(pv, nodes, edges))
			}
			if tooLarge(pv) {
				// Graphviz's dot spends most of its time on clusters and
				// on minimizing crossings: without clusters and with
				// bounded iterations, 2,000 nodes take seconds, not
				// minutes.
				o.Clusters, o.Strata = false, false
				pv = buildProgram(p, o, i, maxNodes, maxEdges)
				pv.Fast = true
				v.Notes = append(v.Notes, fmt.Sprintf("program %s: %d nodes and %d edges to draw: drawn without clusters, with Graphviz's fast layout settings (more crossings)", pv.Name, len(pv.Nodes), len(pv.Edges)))
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
	dEdge    []bool // per edge, then per contract edge (len(g.Edges)+i)
	comp     *depgraph.SCC
	compNode []int // component -> view node, for collapsed components
	fold     *fold // what is folded (Options.Fold), nil when nothing is

	// What the program declares about coordination, per graph node and
	// edge (-1: none): the declarations that coordinate a node, the
	// declaration whose mechanism an edge is, the seal that covers it,
	// one that does not.
	coords                 []*CoordinationInfo
	seals                  []*SealInfo
	nodeCoords             [][]int
	mechBy, sealBy, missBy []int
	// Per edge: an order-sensitive timing join (a point of order, drawn
	// as a nonmonotonic edge), a snapshot read (monotonic.Result.TimingJoins).
	timing, snapshot []bool

	instGroups map[string]int // instance path -> its cluster
	modGroups  map[string]int // module name -> its cluster
}

func buildProgram(p Program, opt Options, idx, maxNodes, maxEdges int) *ProgramView {
	g := p.Graph
	b := &builder{p: p, g: g, opt: opt}
	b.pv = &ProgramView{Name: g.Program.Name, Doc: modules.FirstSentence(g.Program.Doc), ID: fmt.Sprintf("p%d", idx), Stratifiable: true}
	b.focus()
	b.unstratifiable()
	if opt.Highlight == "D" {
		res := p.Result
		if res == nil {
			res = monotonic.AnalyzeGraph(g, nil)
		}
		b.dEdge = res.DiffluentEdges(opt.Effective)
	}
	b.coordination()
	b.groups()
	if opt.Fold {
		if maxNodes <= 0 {
			maxNodes, maxEdges = len(g.Nodes)+3, 0 // no limit: every finding's collection expanded
		}
		b.computeFold(maxNodes, maxEdges)
		b.pv.FoldedBy, b.pv.Kept, b.pv.Wanted, b.pv.Extra = "module", b.fold.kept, b.fold.wanted, b.fold.extra
		switch {
		case b.fold.band:
			b.pv.FoldedBy = "dataflow"
		case b.fold.parts:
			b.pv.FoldedBy = "module parts"
		}
	}
	b.nodes()
	b.edges()
	b.ends()
	b.declared()
	b.tooltips()
	return b.pv
}

// coordination resolves the program's coordination declarations and
// seals against its graph.
func (b *builder) coordination() {
	g, p := b.g, b.p
	nn, ne := len(g.Nodes), len(g.Edges)
	minus := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = -1
		}
		return out
	}
	b.mechBy, b.sealBy, b.missBy = minus(ne), minus(ne), minus(ne)
	b.nodeCoords = make([][]int, nn)
	for k, u := range p.Coordination {
		info := &CoordinationInfo{Needed: u.Needed}
		if c := u.Decl; c != nil {
			info.Kind, info.Where, info.On, info.Pos = c.Kind, c.Where(), c.Names(), posLine(c.Pos)
		}
		b.coords = append(b.coords, info)
		for _, v := range u.Nodes {
			if v >= 0 && v < nn && !slices.Contains(b.nodeCoords[v], k) {
				b.nodeCoords[v] = append(b.nodeCoords[v], k)
			}
		}
		for _, ei := range u.Mechanism {
			if ei >= 0 && ei < ne && b.mechBy[ei] < 0 {
				b.mechBy[ei] = k
			}
		}
	}
	for si, u := range p.Seals {
		info := &SealInfo{}
		if s := u.Seal; s != nil {
			info.Collection, info.Key, info.By, info.Module, info.Pos = s.Collection.Name, s.KeyNames(), s.By.Name, s.Module, posLine(s.Pos)
		}
		b.seals = append(b.seals, info)
		for _, ei := range u.Covers {
			if ei >= 0 && ei < ne && b.sealBy[ei] < 0 {
				b.sealBy[ei] = si
			}
		}
		for _, ei := range u.Misses {
			if ei >= 0 && ei < ne && b.missBy[ei] < 0 {
				b.missBy[ei] = si
			}
		}
	}
	b.pv.Coordination, b.pv.Seals = b.coords, b.seals
	b.timingJoins()
}

// timingJoins marks the edges of the timing joins: an order-sensitive one
// is a point of order, drawn as a nonmonotonic edge (covered by a seal or
// a protocol's mechanism when every join on the edge is); a snapshot read
// is drawn labelled "snapshot".
func (b *builder) timingJoins() {
	res, g := b.p.Result, b.g
	if res == nil {
		return
	}
	ne := len(g.Edges)
	b.timing, b.snapshot = make([]bool, ne), make([]bool, ne)
	open := make([]bool, ne)
	mech, seal := make([]int, ne), make([]int, ne)
	for i := range mech {
		mech[i], seal[i] = -1, -1
	}
	for _, tj := range res.TimingJoins {
		ei := tj.Edge
		if ei < 0 || ei >= ne {
			continue
		}
		if tj.Snapshot {
			b.snapshot[ei] = true
			continue
		}
		b.timing[ei] = true
		switch {
		case tj.Coordination != nil:
			if k := slices.IndexFunc(b.p.Coordination, func(u monotonic.CoordinationUse) bool { return u.Decl == tj.Coordination }); k >= 0 && mech[ei] < 0 {
				mech[ei] = k
			}
		case tj.Seal != nil:
			if si := slices.IndexFunc(b.p.Seals, func(u monotonic.SealUse) bool { return u.Seal == tj.Seal }); si >= 0 && seal[ei] < 0 {
				seal[ei] = si
			}
		default:
			open[ei] = true
		}
	}
	for ei := range ne {
		if !b.timing[ei] || open[ei] || g.Edges[ei].Nonmonotonic {
			continue // Bud's nonmonotonic edges keep their own coverage
		}
		if mech[ei] >= 0 {
			b.mechBy[ei] = mech[ei]
		} else if seal[ei] >= 0 {
			b.sealBy[ei] = seal[ei]
		}
	}
}

// pointOfOrder reports whether graph edge i is drawn as a point of order:
// nonmonotonic, or an order-sensitive timing join.
func (b *builder) pointOfOrder(i int) bool {
	return b.g.Edges[i].Nonmonotonic || b.timing != nil && b.timing[i]
}

// coordinated returns the declarations that coordinate graph node v.
func (b *builder) coordinated(v int) []*CoordinationInfo {
	var out []*CoordinationInfo
	for _, k := range b.nodeCoords[v] {
		out = append(out, b.coords[k])
	}
	return out
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
	fwd := g.Reach([]int{f}, false, 0)
	bwd := g.Reach([]int{f}, true, 0)
	for i := range b.keep {
		b.keep[i] = fwd[i] || bwd[i]
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		b.keepEdge[i] = fwd[e.From] && fwd[e.To] || bwd[e.From] && bwd[e.To]
	}
}

// unstratifiable marks the nodes and instantaneous edges of every
// component of the instantaneous edges that holds a nonmonotonic edge:
// exactly the components that make monotonic's strata nil.
func (b *builder) unstratifiable() {
	g := b.g
	b.redNode = make([]bool, len(g.Nodes))
	b.redEdge = make([]bool, len(g.Edges))
	st := b.p.Stratification
	if st == nil {
		st = g.Stratify(nil, nil)
	}
	bad := make([]bool, st.Inst.Count)
	for _, c := range st.Cycles {
		bad[st.Inst.Comp[g.Edges[c.Edge].From]] = true
	}
	for i := range g.Edges {
		e := &g.Edges[i]
		if !e.Temporal && st.Inst.Same(e.From, e.To) && bad[st.Inst.Comp[e.From]] {
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
			pv.Groups = append(pv.Groups, &Group{ID: fmt.Sprintf("%s_s%d", pv.ID, s), Kind: "stratum", Label: fmt.Sprintf("stratum %d", s), Tooltip: tip, parent: -1})
		}
	case b.opt.Clusters:
		for i, n := range g.Nodes {
			if !b.keep[i] {
				continue
			}
			if n.Imported() {
				b.instanceGroup(n.Decl.Instance)
				continue
			}
			if n.Module != "" {
				b.moduleGroup(n.Module)
			}
		}
	}
}

// moduleGroup returns the cluster of the module named name, made on
// first use.
func (b *builder) moduleGroup(name string) int {
	if gi, ok := b.modGroups[name]; ok {
		return gi
	}
	if b.modGroups == nil {
		b.modGroups = map[string]int{}
	}
	tip := "module " + name
	if m := b.g.Program.Module(name); m != nil {
		tip += " (" + posLine(m.Pos) + ")"
		if d := modules.FirstSentence(m.Doc); d != "" {
			tip += "\n" + d
		}
	}
	pv := b.pv
	gi := len(pv.Groups)
	pv.Groups = append(pv.Groups, &Group{ID: fmt.Sprintf("%s_m%d", pv.ID, gi), Kind: "module", Label: name, Tooltip: tip, parent: -1})
	b.modGroups[name] = gi
	return gi
}

// instanceGroup returns the cluster of the imported instance at path
// ("bed: BestEffortDelivery"), made on first use inside the cluster of
// the instance that imports it.
func (b *builder) instanceGroup(path string) int {
	if gi, ok := b.instGroups[path]; ok {
		return gi
	}
	if b.instGroups == nil {
		b.instGroups = map[string]int{}
	}
	in := b.g.Program.Instance(path)
	if in == nil {
		return -1
	}
	// Inside the cluster of the importer: the enclosing instance, or the
	// importing module.
	var parent int
	if in.Parent != "" {
		parent = b.instanceGroup(in.Parent)
	} else {
		parent = b.moduleGroup(in.Importer)
	}
	tip := fmt.Sprintf("instance %s of module %s, imported by %s (%s)", in.Path, in.Module, in.Importer, posLine(in.Pos))
	if in.Mod != nil {
		if d := modules.FirstSentence(in.Mod.Doc); d != "" {
			tip += "\n" + d
		}
	}
	pv := b.pv
	gi := len(pv.Groups)
	gr := &Group{ID: fmt.Sprintf("%s_i%d", pv.ID, gi), Kind: "instance", Label: in.Label(), Tooltip: tip, parent: parent}
	if parent >= 0 {
		gr.Parent = pv.Groups[parent].ID
	}
	pv.Groups = append(pv.Groups, gr)
	b.instGroups[path] = gi
	return gi
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
	for i, n := range g.Nodes {
		groupIdx[i] = -1
		if !b.keep[i] {
			continue
		}
		if gi, ok := b.instGroups[n.Decl.Instance]; ok && n.Imported() {
			groupIdx[i] = gi
		} else if gi, ok := b.modGroups[n.Module]; ok && !n.Imported() {
			groupIdx[i] = gi
		} else if len(pv.Groups) > 0 && pv.Groups[0].Kind == "stratum" {
			groupIdx[i] = b.p.Strata[i]
		}
	}
	b.rep = make([]int, len(g.Nodes))
	for i := range b.rep {
		b.rep[i] = -1
	}
	if b.opt.Collapse || b.fold != nil {
		// A component of the whole graph is drawn whole or not at all
		// under --focus: a node that reaches or is reached from the
		// focus takes its component with it, edges included.
		if b.comp == nil {
			b.comp = g.SCC(0)
		}
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
			if b.fold != nil && b.fold.of[c] >= 0 {
				gi := b.fold.of[c]
				if b.fold.node[gi] < 0 {
					b.fold.node[gi] = len(pv.Nodes)
					pv.Nodes = append(pv.Nodes, b.foldNode(int(gi), groupIdx))
				}
				b.rep[i] = b.fold.node[gi]
				continue
			}
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
			ID: fmt.Sprintf("%s_n%d", pv.ID, i), Name: n.Name, Kind: n.Kind.String(), Persistent: n.Kind.Persistent(), Group: groupIdx[i],
			Module: n.Module, Stratum: b.stratum(i), Unstratifiable: b.redNode[i],
			Focus:       b.opt.Focus != "" && n.Name == b.opt.Focus,
			Coordinated: b.coordinated(i),
		}
		if d != nil {
			node.Lattice = d.Lattice
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
		for _, c := range b.coordinated(int(m)) {
			if !slices.Contains(node.Coordinated, c) {
				node.Coordinated = append(node.Coordinated, c)
			}
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

// edgeKey identifies the drawn edge of a rule edge: same ends, same style
// (the same coordination mechanism, seal, missed seal).
type edgeKey struct {
	from, to                               int
	temporal, async, nonmonotone, snapshot bool
	mech, seal, miss                       int
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
		if from == to && collapsed(pv.Nodes[from]) {
			continue // inside a collapsed component or a folded module
		}
		mech, seal, miss := -1, -1, -1
		nonmono := b.pointOfOrder(i)
		snap := b.snapshot != nil && b.snapshot[i]
		if nonmono {
			mech, seal, miss = b.mechBy[i], b.sealBy[i], b.missBy[i]
		}
		k := edgeKey{from, to, e.Temporal, e.Async, nonmono, snap, mech, seal, miss}
		ei, ok := byKey[k]
		if !ok {
			ei = len(pv.Edges)
			byKey[k] = ei
			de := &Edge{
				ID: fmt.Sprintf("%s_e%d", pv.ID, i), Kind: EdgeRule, From: from, To: to,
				Temporal: e.Temporal, Async: e.Async, Nonmonotonic: nonmono,
				TimingJoin: nonmono && !e.Nonmonotonic, Snapshot: snap,
			}
			switch {
			case mech >= 0:
				de.Mechanism = b.coords[mech]
			case seal >= 0:
				de.Sealed = b.seals[seal]
			}
			if miss >= 0 {
				de.MissedSeal = b.seals[miss]
			}
			pv.Edges = append(pv.Edges, de)
		}
		de := pv.Edges[ei]
		if e.Nonmonotonic {
			de.TimingJoin = false // nonmonotonic in its own right
		}
		de.Unstratifiable = de.Unstratifiable || b.redEdge[i]
		de.Diffluent = de.Diffluent || b.dEdge != nil && b.dEdge[i]
		ri := RuleInfo{Text: e.Rule.Text, Op: e.Op.String(), Pos: posLine(e.Rule.Pos), Module: e.Rule.Module, Block: e.Rule.Block, Reason: e.Reason()}
		if b.p.Result != nil {
			ri.Reason = b.p.Result.StepReason(i)
		}
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

// declared adds an edge per seal (from the collection that seals to the
// sealed one) and per contract that stands in for a missing
// implementation (from its input to its output), between drawn nodes.
func (b *builder) declared() {
	g, pv := b.g, b.pv
	ends := func(from, to int) (int, int, bool) {
		if from < 0 || to < 0 || from >= len(g.Nodes) || to >= len(g.Nodes) || !b.keep[from] || !b.keep[to] {
			return 0, 0, false
		}
		f, t := b.rep[from], b.rep[to]
		if f < 0 || t < 0 || f == t && collapsed(pv.Nodes[f]) {
			return 0, 0, false
		}
		return f, t, true
	}
	for si, u := range b.p.Seals {
		if f, t, ok := ends(u.By, u.Collection); ok {
			pv.Edges = append(pv.Edges, &Edge{ID: fmt.Sprintf("%s_seal%d", pv.ID, si), Kind: EdgeSeal, From: f, To: t, Seal: b.seals[si]})
		}
	}
	for ci, ce := range b.p.ContractEdges {
		f, t, ok := ends(ce.From, ce.To)
		if !ok {
			continue
		}
		info := &ContractInfo{Input: g.Nodes[ce.From].Name, Output: g.Nodes[ce.To].Name, Label: ce.Label.String()}
		if c := ce.Contract; c != nil {
			info.Module, info.Pos = c.Module, posLine(c.Pos)
		}
		e := &Edge{ID: fmt.Sprintf("%s_k%d", pv.ID, ci), Kind: EdgeContract, From: f, To: t, Contract: info}
		if di := len(g.Edges) + ci; di < len(b.dEdge) {
			e.Diffluent = b.dEdge[di]
		}
		pv.Edges = append(pv.Edges, e)
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
		case KindFolded:
			lines = b.foldTooltip(n)
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
			lines = append(lines, coordinationLines(n.Coordinated)...)
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
			lines = append(lines, coordinationLines(n.Coordinated)...)
			for _, s := range b.seals {
				if s.Collection == n.Name {
					lines = append(lines, fmt.Sprintf("sealed per (%s) by %s: once %s has arrived for a key, no more facts of %s arrive for it (%s, %s)",
						strings.Join(s.Key, ", "), s.By, s.By, s.Collection, s.Module, s.Pos))
				}
				if s.By == n.Name {
					lines = append(lines, fmt.Sprintf("seals %s per (%s): once %s has arrived for a key, no more facts of %s arrive for it (%s, %s)",
						s.Collection, strings.Join(s.Key, ", "), s.By, s.Collection, s.Module, s.Pos))
				}
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
		case EdgeSeal:
			s := e.Seal
			lines = append(lines,
				fmt.Sprintf("seal: once a fact of %s has arrived for a (%s), no more facts of %s arrive for it", s.By, strings.Join(s.Key, ", "), s.Collection),
				fmt.Sprintf("declared by %s (%s): %s", s.Module, s.Pos, s))
			lines = append(lines, b.sealRules(s)...)
		case EdgeContract:
			c := e.Contract
			lines = append(lines, fmt.Sprintf("contract of %s (%s): %s -> %s: %s", c.Module, c.Pos, c.Input, c.Output, c.Label),
				"stands in for the missing implementation of "+c.Module+": the paths through it are labelled "+c.Label)
			if c.Label == "N" || c.Label == "D" {
				lines = append(lines, "a point of order implied by the abstraction")
			}
			if e.Diffluent {
				lines = append(lines, b.diffluentLine())
			}
		default:
			switch {
			case e.Async:
				lines = append(lines, "asynchronous (<~): sent over a channel, arrives at a later timestep")
			case e.Temporal:
				lines = append(lines, "temporal: takes effect in the next timestep")
			}
			switch {
			case e.Mechanism != nil:
				c := e.Mechanism
				lines = append(lines, fmt.Sprintf("nonmonotonic, but part of the %s coordination of %s on %s (%s): the protocol's own mechanism, not a point of order of the program",
					c.Kind, c.Where, strings.Join(c.On, ", "), c.Pos))
			case e.Sealed != nil:
				lines = append(lines, fmt.Sprintf("nonmonotonic, but sealed: %s (%s, %s): it reads groups the seal completes, so it needs no coordination",
					e.Sealed, e.Sealed.Module, e.Sealed.Pos))
			case e.TimingJoin:
				lines = append(lines, "a timing join: a point of order (which facts meet in one timestep depends on timing)")
			case e.Nonmonotonic:
				lines = append(lines, "nonmonotonic: a point of order")
			}
			if e.Snapshot {
				lines = append(lines, "a snapshot read: a transient fact reads grow-only state that timing fills (stale, never wrong)")
			}
			if s := e.MissedSeal; s != nil {
				lines = append(lines, fmt.Sprintf("the seal %s (%s) does not cover it: the rule is not evaluated per the seal's key", s, s.Pos))
			}
			if e.Unstratifiable {
				lines = append(lines, "unstratifiable: on a cycle through a nonmonotonic edge with no temporal edge")
			}
			if e.Diffluent {
				lines = append(lines, b.diffluentLine())
			}
			for i, r := range e.Rules {
				if i == 40 {
					lines = append(lines, fmt.Sprintf("... and %d more rules", len(e.Rules)-40))
					break
				}
				l := r.Text + "\n  " + r.Pos + " (" + r.Module + "." + r.Block + ")"
				switch {
				case strings.HasPrefix(r.Reason, "timing join: "):
					l += ", a " + r.Reason
				case r.Reason != "":
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

// diffluentLine is the tooltip line of an edge on a highlighted D path.
func (b *builder) diffluentLine() string {
	if b.opt.Effective {
		return "on a path still diffluent (D) with the program's coordination and seals: coordination is missing"
	}
	return "on a diffluent (D) path: asynchrony, then nonmonotonicity"
}

// sealRules lists the rules a seal covers and those it does not, for
// the seal edge's tooltip.
func (b *builder) sealRules(s *SealInfo) []string {
	g := b.g
	var covers, misses []string
	add := func(list []string, ei int) []string {
		r := g.Edges[ei].Rule
		l := "  " + r.Text + " (" + posLine(r.Pos) + ")"
		if !slices.Contains(list, l) {
			list = append(list, l)
		}
		return list
	}
	for ei := range g.Edges {
		if si := b.sealBy[ei]; si >= 0 && b.seals[si] == s {
			covers = add(covers, ei)
		}
		if si := b.missBy[ei]; si >= 0 && b.seals[si] == s {
			misses = add(misses, ei)
		}
	}
	var lines []string
	if len(covers) > 0 {
		lines = append(append(lines, "covers (evaluated per its key: no coordination needed):"), covers...)
	}
	if len(misses) > 0 {
		lines = append(append(lines, "does not cover (evaluated per another key: still points of order):"), misses...)
	}
	if len(covers) == 0 && len(misses) == 0 {
		lines = append(lines, "covers no nonmonotonic rule")
	}
	return lines
}

// coordinationLines are the tooltip lines of a coordinated collection.
func coordinationLines(cs []*CoordinationInfo) []string {
	var lines []string
	for _, c := range cs {
		l := fmt.Sprintf("coordinated: %s coordination of %s on %s (%s)", c.Kind, c.Where, strings.Join(c.On, ", "), c.Pos)
		if !c.Needed {
			l += "\n  unneeded: it changes no path's label (unneeded-coordination)"
		}
		lines = append(lines, l)
	}
	return lines
}

// truncate shortens s to n runes, with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// collapsed reports whether a node stands for several collections (a
// component, a folded module): the edges inside it are not drawn.
func collapsed(n *Node) bool { return n.Kind == KindComponent || n.Kind == KindFolded }

// foldNote says what folding did to a program and how to see the rest.
func foldNote(pv *ProgramView, nodes, edges int) string {
	how := "the collections of each module folded into one node each"
	switch pv.FoldedBy {
	case "module parts":
		how = "the collections of each module folded (a large module into parts, in dataflow order)"
	case "dataflow":
		how = "the collections folded into bands of the dataflow (too many modules to fold by module)"
	}
	var kept string
	switch {
	case pv.Wanted == 0:
		kept = "no finding is about a collection"
	case pv.Kept == pv.Wanted:
		kept = fmt.Sprintf("the %d collections the findings are about kept expanded", pv.Wanted)
	case pv.Kept > 0:
		kept = fmt.Sprintf("%d of the %d collections the findings are about kept expanded (the most severe findings first)", pv.Kept, pv.Wanted)
	default:
		kept = fmt.Sprintf("none of the %d collections the findings are about fit: all folded", pv.Wanted)
	}
	if pv.Extra > 0 {
		kept += fmt.Sprintf("; %d other components kept expanded, as the budget allows", pv.Extra)
	}
	return fmt.Sprintf("program %s: still %d nodes and %d edges: %s (--collapse=module), %s; %d nodes and %d edges drawn; use --focus COLLECTION to draw one collection's part in full, or -T dot for the whole graph",
		pv.Name, nodes, edges, how, kept, len(pv.Nodes), len(pv.Edges))
}
