// Package monotonic is the CALM analysis of a composed program: where a
// Bloom-style program is nonmonotonic, where messages can reach those
// places in different orders (points of order), and whether the program is
// well-formed (stratifiable, fully specified).
//
// The checks are Analyzers in the style of golang.org/x/tools/go/analysis:
// each is a value with a Name, a Doc and a Run function that reports
// Findings with positions through a Pass; one driver (Analyze) runs them
// over a program's dependency graph and shares the graph computations
// (strongly connected components, reachability, path labels) between
// them. Every computation is linear in the size of the graph, except the
// per-input path-label tables, which are linear per input.
package monotonic

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
)

// An Analyzer is one check.
type Analyzer struct {
	// Name is the check's name, as shown in reports and accepted by
	// --checks and --disable.
	Name Check
	// Doc is the documentation: a first sentence (the short description),
	// then the details.
	Doc string
	// Severity is the severity of the check's findings.
	Severity modules.Severity
	// Run reports the check's findings on a program.
	Run func(*Pass)
}

// Short returns the first sentence of the analyzer's doc.
func (a *Analyzer) Short() string { return modules.FirstSentence(a.Doc) }

// Step is one edge of a path or cycle that a finding carries: from and to
// collections, the rule's operator and position.
type Step struct {
	From, To string
	Op       string
	Pos      modules.Pos // the rule's position
	Note     string      // what happens on this step ("nonmonotonic: notin", "asynchronous")
}

// Finding is a diagnostic of an analyzer (or of loading and composition,
// carried through the same report).
type Finding struct {
	Check    Check
	Severity modules.Severity
	Pos      modules.Pos
	Message  string
	Program  string
	Module   string
	// Collections are the collections the finding is about, the most
	// specific first; expectations match on them and fingerprints are
	// built from them.
	Collections []string
	// Inputs are the inputs (or channels) that reach the place, for
	// point-of-order and diffluent-path findings.
	Inputs []string
	// Pairs are the (input, output) pairs a finding about a place (a
	// rule where paths become diffluent) affects: the pair of Flow
	// first, then the others ordered by output, then input.
	Pairs []Pair
	// Key disambiguates findings of one check on the same collections
	// (the rule's module and block), for fingerprints.
	Key string
	// Rule is the rule the finding is about, if any: its acknowledgement
	// (coordinated:) applies.
	Rule *modules.Rule
	// Flow is the path or cycle of the finding, one step per rule.
	Flow []Step
	// OtherFlow is, for a timing join (a point of order or a snapshot
	// read), how the other literal of the rule is reached: the facts that
	// Flow's meet in one timestep.
	OtherFlow []Step
	// Expected is set when the program declares the finding (expect:).
	Expected bool
	// Acknowledged is the reason of the acknowledgement that turned the
	// finding into a note.
	Acknowledged string
	// Fingerprint identifies the finding across unrelated edits: built
	// from the program, the check, the key and the collections, never
	// from line numbers.
	Fingerprint string

	// replacedBy is the analyzer that reports this finding's subject
	// more precisely: when it runs too, the finding is dropped (see
	// Pass.ReportUnless).
	replacedBy *Analyzer
}

// Pass is what an analyzer's Run gets: the program, its graph, and the
// shared computations.
type Pass struct {
	Analyzer *Analyzer
	Program  *modules.Program
	Graph    *depgraph.Graph

	facts    *facts
	findings *[]Finding
}

// Report records a finding. Check, Severity and Program default to the
// analyzer's.
func (p *Pass) Report(f Finding) {
	if f.Check == "" {
		f.Check = p.Analyzer.Name
		f.Severity = p.Analyzer.Severity
	}
	if f.Program == "" {
		f.Program = p.Program.Name
	}
	*p.findings = append(*p.findings, f)
}

// ReportUnless records a finding that analyzer other reports more
// precisely: when other runs in the same analysis, the finding is dropped
// (diffluent-path leaves the pairs where coordination is missing to
// missing-coordination). The analysis, not the check, knows which
// analyzers run.
func (p *Pass) ReportUnless(other *Analyzer, f Finding) {
	f.replacedBy = other
	p.Report(f)
}

// Result is the analysis of one program.
type Result struct {
	Program  *modules.Program
	Graph    *depgraph.Graph
	Findings []Finding
	// Paths are the path labels, one per (source, sink) pair connected by
	// a path, ordered by sink then source.
	Paths []PathLabel
	// Strata maps each node to its stratum; nil when the program is
	// unstratifiable.
	Strata []int
	// Stratification is depgraph's stratification of the program: Strata,
	// the cycles that make it unstratifiable, and the components of the
	// instantaneous edges.
	Stratification *depgraph.Stratification
	// Verdicts are the (input, output) pairs with the contracts,
	// coordination and seals of the program taken into account (see
	// Verdict), ordered by sink then source; Paths are Bud's labels alone.
	Verdicts []Verdict
	// ContractEdges are the contracts that stand in for missing
	// implementations: edge id len(Graph.Edges)+i in witness paths.
	ContractEdges []ContractEdge
	// Coordination resolves Program.Coordinations, in order; Seals
	// resolves Program.Seals.
	Coordination []CoordinationUse
	Seals        []SealUse
	// OrderPoints are the points of order, whether or not the
	// point-of-order check runs.
	OrderPoints []OrderPoint
	// TimingJoins are the rules where facts whose timing varies meet what
	// happens to be there in the same timestep (timing.go): the
	// order-sensitive ones (points of order) and the snapshot reads, in
	// rule order.
	TimingJoins []TimingJoin
	pointOf     map[*modules.Rule]int

	mu        sync.Mutex // guards facts (after the analysis) and diffluent
	facts     *facts     // the computations, for DiffluentEdges
	diffluent [2][]bool  // DiffluentEdges, once computed
}

// OrderPointOf returns the point of order of a rule, nil if it is none.
func (r *Result) OrderPointOf(rule *modules.Rule) *OrderPoint {
	if i, ok := r.pointOf[rule]; ok {
		return &r.OrderPoints[i]
	}
	return nil
}

// Analyzers lists every analyzer, in the order checks are documented.
var Analyzers = []*Analyzer{
	Unstratifiable,
	Underspecified,
	PointOfOrder,
	SnapshotRead,
	DiffluentPath,
	MissingCoordination,
	UnneededCoordination,
	Contract,
	NonmonotonicCycle,
	EndlessSend,
	Unused,
	LatticeLaw,
}

// Lookup returns the analyzer named name.
func Lookup(name string) *Analyzer {
	for _, a := range Analyzers {
		if a.Name == Check(name) {
			return a
		}
	}
	return nil
}

// Analyze builds p's graph and runs the analyzers on it. The findings are
// not yet sorted, acknowledged or matched against expectations: see
// Finish.
func Analyze(p *modules.Program, analyzers []*Analyzer) *Result {
	g := depgraph.Build(p)
	return AnalyzeGraph(g, analyzers)
}

// AnalyzeGraph runs the analyzers on a built graph.
func AnalyzeGraph(g *depgraph.Graph, analyzers []*Analyzer) *Result {
	return AnalyzeGraphConfig(g, analyzers, Config{})
}

// Config tunes what an analysis computes beyond its findings.
type Config struct {
	// NoFlows leaves out the findings' Flow and OtherFlow (their witness
	// paths, step by step): for outputs that do not print them (text,
	// GitHub annotations), which then do not pay for them.
	NoFlows bool
}

// AnalyzeGraphConfig is AnalyzeGraph with a Config.
func AnalyzeGraphConfig(g *depgraph.Graph, analyzers []*Analyzer, cfg Config) *Result {
	res := &Result{Program: g.Program, Graph: g}
	fs := newFacts(g)
	fs.noFlows = cfg.NoFlows
	res.facts = fs
	ran := map[*Analyzer]bool{}
	for _, a := range analyzers {
		pass := &Pass{Analyzer: a, Program: g.Program, Graph: g, facts: fs, findings: &res.Findings}
		a.Run(pass)
		ran[a] = true
	}
	kept := res.Findings[:0]
	for _, f := range res.Findings {
		if f.replacedBy == nil || !ran[f.replacedBy] {
			kept = append(kept, f)
		}
	}
	res.Findings = kept
	res.Paths = fs.pathLabels()
	res.Stratification = fs.stratification()
	res.Strata = res.Stratification.Strata
	res.OrderPoints = fs.orderPoints()
	res.TimingJoins = fs.model().tm.joins
	res.pointOf = make(map[*modules.Rule]int, len(res.OrderPoints))
	for i, p := range res.OrderPoints {
		res.pointOf[p.Rule] = i
	}
	res.Verdicts = fs.verdicts()
	res.ContractEdges = fs.contractEdges()
	res.Coordination = fs.coordinationUses()
	res.Seals = fs.sealUses()
	return res
}

// Options tune Finish.
type Options struct {
	// NoExpect ignores the program's expectations.
	NoExpect bool
	// Enabled reports whether a check ran; expectations of checks that did
	// not run are not reported as unmatched, and acknowledgements are
	// only reported stale when every check they can silence ran.
	Enabled func(Check) bool
}

// ackChecks are the checks whose findings are about a rule, which an
// acknowledgement can silence.
var ackChecks = []Check{CheckUnstratifiable, CheckPointOfOrder, CheckDiffluentPath, CheckMissingCoordination, CheckNonmonotonicCycle, CheckSnapshotRead}

// Finish applies acknowledgements and expectations to the findings of
// one program, reports stale ones, fills in fingerprints and sorts.
func Finish(p *modules.Program, findings []Finding, opt Options) []Finding {
	enabled := opt.Enabled
	if enabled == nil {
		enabled = func(Check) bool { return true }
	}
	// Acknowledgements: a finding about an acknowledged rule becomes a note.
	used := map[modules.Pos]bool{}
	for i := range findings {
		f := &findings[i]
		if f.Rule == nil || f.Rule.Ack == "" {
			continue
		}
		used[f.Rule.AckPos] = true
		f.Acknowledged = f.Rule.Ack
		f.Severity = modules.Note
	}
	allAck := true
	for _, c := range ackChecks {
		allAck = allAck && enabled(c)
	}
	if allAck {
		seen := map[modules.Pos]bool{}
		for _, r := range p.Rules {
			if r.Ack == "" || used[r.AckPos] || seen[r.AckPos] {
				continue
			}
			seen[r.AckPos] = true
			findings = append(findings, Finding{
				Check: CheckStale, Severity: modules.Warning, Pos: r.AckPos, Program: p.Name, Module: r.Module,
				Collections: []string{r.Head.Pred}, Key: r.Module + "." + r.Block,
				Message: "acknowledgement (coordinated: \"" + r.Ack + "\") matches no finding in " + r.Module + "." + r.Block + ": remove it, or it will hide a future finding",
			})
		}
	}
	// Expectations.
	if !opt.NoExpect {
		for _, e := range p.Expect {
			if c := Check(e.Check); !enabled(c) && c != CheckExpect && c != CheckStale {
				continue
			}
			matched := false
			for i := range findings {
				if matches(e, &findings[i]) {
					findings[i].Expected = true
					matched = true
				}
			}
			if !matched {
				findings = append(findings, Finding{
					Check: CheckExpect, Severity: modules.Error, Pos: e.Pos, Program: p.Name,
					Collections: nonEmpty(e.Collection), Key: describeExpect(e),
					Message: "expected finding " + describeExpect(e) + " did not occur",
				})
			}
		}
	}
	inChunks(len(findings), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			findings[i].Fingerprint = Fingerprint(&findings[i])
		}
	})
	SortFindings(findings)
	return findings
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func describeExpect(e modules.Expect) string {
	parts := []string{"check " + e.Check}
	if e.Collection != "" {
		parts = append(parts, "collection "+e.Collection)
	}
	if e.Module != "" {
		parts = append(parts, "module "+e.Module)
	}
	if e.Contains != "" {
		parts = append(parts, "containing \""+e.Contains+"\"")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func matches(e modules.Expect, f *Finding) bool {
	if Check(e.Check) != f.Check {
		return false
	}
	if e.Module != "" && e.Module != f.Module {
		return false
	}
	if e.Contains != "" && !strings.Contains(f.Message, e.Contains) {
		return false
	}
	if e.Collection != "" {
		found := false
		for _, c := range f.Collections {
			found = found || c == e.Collection
		}
		for _, p := range f.Pairs {
			found = found || p.From == e.Collection || p.To == e.Collection
		}
		if !found {
			return false
		}
	}
	return true
}

// Fingerprint identifies a finding across unrelated edits of the specs:
// a hash of its program, check, key and collections (sorted), never of
// positions or messages.
func Fingerprint(f *Finding) string {
	cols := append([]string(nil), f.Collections...)
	sort.Strings(cols)
	h := sha256.New()
	for _, s := range []string{f.Program, string(f.Check), f.Key, strings.Join(cols, ",")} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// SortFindings orders findings by position, then check, then message: a
// deterministic order.
func SortFindings(fs []Finding) {
	cmp := func(a, b *Finding) int {
		switch {
		case a.Pos != b.Pos:
			if a.Pos.Before(b.Pos) {
				return -1
			}
			return 1
		case a.Check != b.Check:
			return strings.Compare(string(a.Check), string(b.Check))
		}
		return strings.Compare(a.Message, b.Message)
	}
	sorted := true
	for i := 1; i < len(fs) && sorted; i++ {
		sorted = cmp(&fs[i-1], &fs[i]) <= 0
	}
	if sorted {
		return
	}
	// Sort their indexes, then move each finding once: a finding is a
	// large struct, and a large program has a hundred thousand.
	idx := make([]int32, len(fs))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(i, j int32) int { return cmp(&fs[i], &fs[j]) })
	out := make([]Finding, len(fs))
	for k, i := range idx {
		out[k] = fs[i]
	}
	copy(fs, out)
}
