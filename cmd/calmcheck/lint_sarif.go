package main

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// SARIF 2.1.0 output: one run, one rule per check, one result per finding
// with its physical location, a codeFlow for the path or cycle it
// carries, partialFingerprints independent of line numbers, and
// suppressions for acknowledged and expected findings. A test validates
// it against the SARIF 2.1.0 JSON schema (testdata/sarif-schema-2.1.0.json).

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

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
	CodeFlows           []sarifCodeFlow    `json:"codeFlows,omitempty"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          sarifProperties    `json:"properties"`
}

type sarifLocation struct {
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

func writeSARIF(w io.Writer, r *lintReport) error {
	checks := allChecks()
	index := map[string]int{}
	driver := sarifDriver{Name: "calmcheck", Version: Version, InformationURI: "https://github.com/calmcheck/calmcheck"}
	for i, c := range checks {
		index[c.Name] = i
		short := modules.FirstSentence(c.Doc)
		driver.Rules = append(driver.Rules, sarifRule{
			ID: c.Name, Name: c.Name,
			ShortDescription:     sarifText{Text: short},
			FullDescription:      sarifText{Text: strings.Join(strings.Fields(c.Doc), " ")},
			Help:                 sarifHelp{Text: c.Doc + "\n\nSee " + helpURI + "#" + c.Name, Markdown: c.Doc + "\n\n[docs/checks.md](" + helpURI + "#" + c.Name + ")"},
			DefaultConfiguration: sarifRuleCfg{Level: sarifLevel(c.Severity)},
		})
	}
	results := []sarifResult{}
	for _, f := range r.all() {
		msg := f.Message
		if f.Program != "" {
			msg = f.Program + ": " + msg
		}
		res := sarifResult{
			RuleID: f.Check, RuleIndex: index[f.Check], Level: sarifLevel(f.Severity),
			Message:             sarifText{Text: msg},
			Locations:           []sarifLocation{sarifLoc(f.Pos, "")},
			PartialFingerprints: map[string]string{"calmcheck/v1": f.Fingerprint},
			Properties:          sarifProperties{Program: f.Program, Module: f.Module, Collections: f.Collections, Expected: f.Expected},
		}
		if _, ok := index[f.Check]; !ok {
			res.RuleIndex = 0
			res.RuleID = f.Check
		}
		if len(f.Flow) > 0 {
			var locs []sarifThreadFlowLocation
			for _, s := range f.Flow {
				text := s.From + " -> " + s.To + " (" + s.Op + ")"
				if s.Note != "" {
					text += ": " + s.Note
				}
				locs = append(locs, sarifThreadFlowLocation{Location: sarifLoc(s.Pos, text)})
			}
			res.CodeFlows = []sarifCodeFlow{{ThreadFlows: []sarifThreadFlow{{Locations: locs}}}}
		}
		if f.Acknowledged != "" {
			res.Suppressions = append(res.Suppressions, sarifSuppression{Kind: "inSource", Justification: "coordinated: " + f.Acknowledged})
		}
		if f.Expected {
			res.Suppressions = append(res.Suppressions, sarifSuppression{Kind: "external", Justification: "expected by program " + f.Program})
		}
		results = append(results, res)
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}
