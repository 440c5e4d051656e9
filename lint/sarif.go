package lint

import (
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// SARIF 2.1.0 output: the log's types. A test of cmd/calmcheck validates
// the output against the SARIF 2.1.0 JSON schema.

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     sarifText    `json:"shortDescription"`
	FullDescription      sarifText    `json:"fullDescription"`
	Help                 sarifHelp    `json:"help"`
	DefaultConfiguration sarifRuleCfg `json:"defaultConfiguration"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifRuleCfg struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	RelatedLocations    []sarifLocation    `json:"relatedLocations,omitempty"`
	CodeFlows           []sarifCodeFlow    `json:"codeFlows,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          sarifProperties    `json:"properties"`
}

type sarifLocation struct {
	ID               int            `json:"id,omitempty"`
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	Message          *sarifText     `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifCodeFlow struct {
	Message     *sarifText        `json:"message,omitempty"`
	ThreadFlows []sarifThreadFlow `json:"threadFlows"`
}

type sarifThreadFlow struct {
	Locations []sarifThreadFlowLocation `json:"locations"`
}

type sarifThreadFlowLocation struct {
	Location sarifLocation `json:"location"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

type sarifProperties struct {
	Program     string   `json:"program,omitempty"`
	Module      string   `json:"module,omitempty"`
	Collections []string `json:"collections,omitempty"`
	Expected    bool     `json:"expected,omitempty"`
}

const helpURI = "https://github.com/calmcheck/calmcheck/blob/main/docs/checks.md"

func sarifLevel(s modules.Severity) string {
	switch s {
	case modules.Error:
		return "error"
	case modules.Warning:
		return "warning"
	}
	return "note"
}

// sarifURI turns a spec file name into a URI reference: relative paths
// (the usual case: specs/cart.yaml) stay relative to the source root.
func sarifURI(file string) (uri, base string) {
	if file == "" {
		return "calmcheck.yaml", "%SRCROOT%"
	}
	slashed := filepath.ToSlash(file)
	if filepath.IsAbs(file) {
		u := url.URL{Scheme: "file", Path: slashed}
		return u.String(), ""
	}
	u := url.URL{Path: strings.TrimPrefix(slashed, "./")}
	return u.String(), "%SRCROOT%"
}

func sarifLoc(pos modules.Pos, msg string) sarifLocation {
	uri, base := sarifURI(pos.File)
	loc := sarifLocation{PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri, URIBaseID: base}}}
	if pos.IsValid() {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: pos.Line, StartColumn: max(pos.Col, 1)}
	}
	if msg != "" {
		loc.Message = &sarifText{Text: msg}
	}
	return loc
}

// SARIF writes a SARIF 2.1.0 log: one run, one rule per check, one result
// per finding (a finding about paths is one per place) with its physical
// location, relatedLocations for the inputs and outputs of the pairs it
// affects (the first 50), at most one codeFlow (the path or cycle it
// carries), partialFingerprints independent of line numbers, and
// suppressions for acknowledged and expected findings. It streams: each
// result is one compact line, encoded when its program comes.
type SARIF struct {
	ToolVersion string

	w     *errWriter
	index map[monotonic.Check]int
	n     int
	g     *depgraph.Graph // the program whose results are written, for the declarations of collections
}

// maxRelated is how many relatedLocations a result carries: the inputs
// and outputs of the pairs a finding about a place affects, the first of
// them (the JSON report lists every pair).
const maxRelated = 50

func (f *SARIF) Start(w io.Writer, r *Report) error {
	f.w, f.index, f.n = &errWriter{w: w}, map[monotonic.Check]int{}, 0
	driver := sarifDriver{Name: "calmcheck", Version: f.ToolVersion, InformationURI: "https://github.com/calmcheck/calmcheck"}
	for i, c := range Checks() {
		f.index[c.Name] = i
		short := modules.FirstSentence(c.Doc)
		driver.Rules = append(driver.Rules, sarifRule{
			ID: string(c.Name), Name: string(c.Name),
			ShortDescription:     sarifText{Text: short},
			FullDescription:      sarifText{Text: strings.Join(strings.Fields(c.Doc), " ")},
			Help:                 sarifHelp{Text: c.Doc + "\n\nSee " + helpURI + "#" + string(c.Name), Markdown: c.Doc + "\n\n[docs/checks.md](" + helpURI + "#" + string(c.Name) + ")"},
			DefaultConfiguration: sarifRuleCfg{Level: sarifLevel(c.Severity)},
		})
	}
	f.w.Write([]byte{'{'})
	f.w.key(1, "$schema", true)
	f.w.value(1, "https://json.schemastore.org/sarif-2.1.0.json")
	f.w.key(1, "version", false)
	f.w.value(1, "2.1.0")
	f.w.key(1, "runs", false)
	f.w.Write([]byte("[\n    {"))
	f.w.key(3, "tool", true)
	f.w.value(3, sarifTool{Driver: driver})
	f.w.key(3, "results", false)
	f.w.Write([]byte{'['})
	f.results(r.Workspace)
	return f.w.err
}

func (f *SARIF) Program(w io.Writer, p *Program) error {
	f.g = p.Result.Graph
	f.results(p.Findings)
	f.g = nil
	return f.w.err
}

func (f *SARIF) End(w io.Writer, r *Report) error {
	f.w.endArray(3, f.n)
	f.w.Write([]byte("\n    }\n  ]\n}\n"))
	return f.w.err
}

// results writes the results of findings, in batches on every core.
func (f *SARIF) results(fs []monotonic.Finding) {
	f.w.elements(4, f.n, len(fs), func(s *errWriter, b []byte, i int) []byte {
		sw, _ := s.local.(*sarifWriter)
		if sw == nil {
			sw = &sarifWriter{SARIF: f, w: s}
			s.local = sw
		}
		return sw.appendResult(b, &fs[i])
	})
	f.n += len(fs)
}

// related gives a finding about a place the declarations of the inputs
// and outputs of its pairs, each once, inputs first: the other ends of
// the paths that become diffluent there.
func (f *SARIF) related(x *monotonic.Finding) []sarifLocation {
	if len(x.Pairs) == 0 || f.g == nil {
		return nil
	}
	var out []sarifLocation
	seen := map[string]bool{}
	add := func(name, what string) {
		if seen[name] || len(out) >= maxRelated {
			return
		}
		seen[name] = true
		v, ok := f.g.Lookup(name)
		if !ok {
			return
		}
		loc := sarifLoc(declPos(f.g.Nodes[v].Decl), what+" "+name)
		loc.ID = len(out) + 1
		out = append(out, loc)
	}
	for _, p := range x.Pairs {
		add(p.From, "input")
	}
	for _, p := range x.Pairs {
		add(p.To, "output")
	}
	return out
}

func declPos(d *modules.Decl) modules.Pos {
	if d.NamePos.IsValid() {
		return d.NamePos
	}
	return d.Pos
}

func (f *SARIF) result(x *monotonic.Finding) sarifResult {
	msg := x.Message
	if x.Program != "" {
		msg = x.Program + ": " + msg
	}
	res := sarifResult{
		RuleID: string(x.Check), RuleIndex: f.index[x.Check], Level: sarifLevel(x.Severity),
		Message:             sarifText{Text: msg},
		Locations:           []sarifLocation{sarifLoc(x.Pos, "")},
		PartialFingerprints: map[string]string{"calmcheck/v1": x.Fingerprint},
		RelatedLocations:    f.related(x),
		Properties:          sarifProperties{Program: x.Program, Module: x.Module, Collections: x.Collections, Expected: x.Expected},
	}
	if len(x.Flow) > 0 {
		// One thread flow per side: a timing join's other literal
		// (OtherFlow) is a second thread.
		var threads []sarifThreadFlow
		for _, flow := range [][]monotonic.Step{x.Flow, x.OtherFlow} {
			var locs []sarifThreadFlowLocation
			for _, s := range flow {
				text := s.From + " -> " + s.To + " (" + s.Op + ")"
				if s.Note != "" {
					text += ": " + s.Note
				}
				locs = append(locs, sarifThreadFlowLocation{Location: sarifLoc(s.Pos, text)})
			}
			if len(locs) > 0 {
				threads = append(threads, sarifThreadFlow{Locations: locs})
			}
		}
		res.CodeFlows = []sarifCodeFlow{{ThreadFlows: threads}}
	}
	if x.Acknowledged != "" {
		res.Suppressions = append(res.Suppressions, sarifSuppression{Kind: "inSource", Justification: "coordinated: " + x.Acknowledged})
	}
	if x.Expected {
		res.Suppressions = append(res.Suppressions, sarifSuppression{Kind: "external", Justification: "expected by program " + x.Program})
	}
	return res
}
