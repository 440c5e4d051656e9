package main

import (
	"io"

	"github.com/calmcheck/calmcheck/lint"
	"github.com/calmcheck/calmcheck/verify"
)

// The verification section of the JSON document (docs/lint-json.md,
// "Verification"): `calmcheck verify --format json` prints lint's
// document for the verified programs with this section added at the end.

type jsonVerification struct {
	Seed      uint64                `json:"seed"`
	Schedules int                   `json:"schedules"`
	Explore   string                `json:"explore"`
	Programs  []jsonVerifiedProgram `json:"programs"`
	Summary   jsonVerifySummary     `json:"summary"`
}

type jsonVerifiedProgram struct {
	Name      string            `json:"name"`
	Verified  bool              `json:"verified"`
	Workloads []jsonVWorkload   `json:"workloads"`
	Findings  []jsonVFinding    `json:"findings"`
	Paths     []jsonVPath       `json:"paths"`
	Witnesses []*verify.Witness `json:"witnesses"`
}

type jsonVWorkload struct {
	Name      string   `json:"name"`
	Generated bool     `json:"generated"`
	Nodes     []string `json:"nodes"`
	Facts     int      `json:"facts"`
	Inputs    int      `json:"inputs"`
	Note      string   `json:"note,omitempty"`
}

type jsonVFinding struct {
	Fingerprint string `json:"fingerprint"`
	Check       string `json:"check"`
	File        string `json:"file"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	Verdict     string `json:"verdict"`
	Witness     string `json:"witness,omitempty"`
	Schedules   int    `json:"schedules"`
	Orders      int    `json:"orders"`
	Workloads   int    `json:"workloads"`
}

type jsonVPath struct {
	From       string `json:"from"`
	To         string `json:"to"`
	Label      string `json:"label"`
	Effective  string `json:"effective"`
	Covered    string `json:"covered,omitempty"`
	Verdict    string `json:"verdict"`
	Witness    string `json:"witness,omitempty"`
	Schedules  int    `json:"schedules"`
	Orders     int    `json:"orders"`
	Workloads  int    `json:"workloads"`
	Exhaustive bool   `json:"exhaustive"`
	Empty      bool   `json:"empty"`
	Errors     int    `json:"errors"`
}

type jsonVerifySummary struct {
	Confirmed      int  `json:"confirmed"`
	NotReproduced  int  `json:"not_reproduced"`
	Contradictions int  `json:"contradictions"`
	Witnesses      int  `json:"witnesses"`
	Failed         bool `json:"failed"`
}

func toJSONVerification(vreps []*verify.Report) jsonVerification {
	v := jsonVerification{Programs: []jsonVerifiedProgram{}}
	for _, vr := range vreps {
		v.Seed, v.Schedules, v.Explore = vr.Seed, vr.Schedules, vr.Explore
		jp := jsonVerifiedProgram{Name: vr.Program, Verified: vr.Workloads != nil, Workloads: []jsonVWorkload{}, Findings: []jsonVFinding{},
			Paths: []jsonVPath{}, Witnesses: []*verify.Witness{}}
		for _, w := range vr.Workloads {
			jp.Workloads = append(jp.Workloads, jsonVWorkload{Name: w.Name, Generated: w.Generated, Nodes: append([]string{}, w.Nodes...), Facts: w.Facts, Inputs: w.Inputs, Note: w.Note})
		}
		for _, f := range vr.Findings {
			if f.Verdict == verify.NotChecked {
				continue
			}
			jp.Findings = append(jp.Findings, jsonVFinding{Fingerprint: f.Fingerprint, Check: f.Check, File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Col,
				Verdict: string(f.Verdict), Witness: f.Witness, Schedules: f.Schedules, Orders: f.Orders, Workloads: f.Workloads})
			switch f.Verdict {
			case verify.Confirmed:
				v.Summary.Confirmed++
			case verify.NotReproduced:
				v.Summary.NotReproduced++
			}
		}
		for _, p := range vr.Paths {
			jp.Paths = append(jp.Paths, jsonVPath{From: p.From, To: p.To, Label: p.Label, Effective: p.Effective, Covered: p.Covered, Verdict: string(p.Verdict), Witness: p.Witness,
				Schedules: p.Schedules, Orders: p.Orders, Workloads: p.Workloads, Exhaustive: p.Exhaustive, Empty: p.Empty, Errors: p.Errors})
			if p.Verdict == verify.Contradiction {
				v.Summary.Contradictions++
			}
		}
		jp.Witnesses = append(jp.Witnesses, vr.Witnesses...)
		v.Summary.Witnesses += len(vr.Witnesses)
		v.Programs = append(v.Programs, jp)
	}
	v.Summary.Failed = verifyFailed(vreps)
	return v
}

// writeVerifyJSON prints lint's JSON document for the programs, with the
// verification section added as its last key.
func writeVerifyJSON(w io.Writer, rep *lint.Report, vreps []*verify.Report) error {
	f := &lint.JSON{ToolVersion: Version, Sections: []lint.Section{{Key: "verification", Value: toJSONVerification(vreps)}}}
	return lint.Write(w, f, rep)
}
