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
	// Errors groups the runs that ended in a runtime error, by error.
	Errors []jsonVError `json:"errors"`
}

type jsonVError struct {
	Check   string `json:"check"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
	Runs    int    `json:"runs"`
}

func toJSONErrors(es []verify.ErrorCount) []jsonVError {
	out := []jsonVError{}
	for _, e := range es {
		out = append(out, jsonVError{Check: e.Check, File: e.Pos.File, Line: e.Pos.Line, Column: e.Pos.Col, Message: e.Message, Runs: e.Runs})
	}
	return out
}

type jsonVWorkload struct {
	Name      string   `json:"name"`
	Generated bool     `json:"generated"`
	Nodes     []string `json:"nodes"`
	Facts     int      `json:"facts"`
	Inputs    int      `json:"inputs"`
	Note      string   `json:"note,omitempty"`
	// Rule coverage of the workload's baseline run.
	Rules      int      `json:"rules"`
	RulesTotal int      `json:"rules_total"`
	Unreached  []string `json:"unreached"`
}

type jsonVFinding struct {
	Fingerprint string       `json:"fingerprint"`
	Check       string       `json:"check"`
	File        string       `json:"file"`
	Line        int          `json:"line"`
	Column      int          `json:"column"`
	Verdict     string       `json:"verdict"`
	Witness     string       `json:"witness,omitempty"`
	Schedules   int          `json:"schedules"`
	Orders      int          `json:"orders"`
	Workloads   int          `json:"workloads"`
	Why         string       `json:"why,omitempty"`
	Broken      string       `json:"broken,omitempty"`
	Errors      []jsonVError `json:"errors"`
}

type jsonVPath struct {
	From       string       `json:"from"`
	To         string       `json:"to"`
	Label      string       `json:"label"`
	Effective  string       `json:"effective"`
	Covered    string       `json:"covered,omitempty"`
	Verdict    string       `json:"verdict"`
	Witness    string       `json:"witness,omitempty"`
	Schedules  int          `json:"schedules"`
	Orders     int          `json:"orders"`
	Workloads  int          `json:"workloads"`
	Exhaustive bool         `json:"exhaustive"`
	Empty      bool         `json:"empty"`
	Errors     int          `json:"errors"`
	ErrorKinds []jsonVError `json:"error_kinds"`
	Why        string       `json:"why,omitempty"`
	// Stale: divergences explained as stale snapshot reads.
	Stale int `json:"stale,omitempty"`
}

type jsonVerifySummary struct {
	Confirmed      int  `json:"confirmed"`
	NotReproduced  int  `json:"not_reproduced"`
	NotTested      int  `json:"not_tested"`
	PathsNotTested int  `json:"paths_not_tested"`
	Broken         int  `json:"broken"`
	Contradictions int  `json:"contradictions"`
	Witnesses      int  `json:"witnesses"`
	Failed         bool `json:"failed"`
}

func toJSONVerification(vreps []*verify.Report, requireTested bool) jsonVerification {
	v := jsonVerification{Programs: []jsonVerifiedProgram{}}
	for _, vr := range vreps {
		v.Seed, v.Schedules, v.Explore = vr.Seed, vr.Schedules, vr.Explore
		jp := jsonVerifiedProgram{Name: vr.Program, Verified: vr.Workloads != nil, Workloads: []jsonVWorkload{}, Findings: []jsonVFinding{},
			Paths: []jsonVPath{}, Witnesses: []*verify.Witness{}, Errors: toJSONErrors(vr.Errors)}
		for _, w := range vr.Workloads {
			jp.Workloads = append(jp.Workloads, jsonVWorkload{Name: w.Name, Generated: w.Generated, Nodes: append([]string{}, w.Nodes...), Facts: w.Facts, Inputs: w.Inputs, Note: w.Note,
				Rules: w.Rules, RulesTotal: w.RulesTotal, Unreached: append([]string{}, w.Unreached...)})
		}
		for _, f := range vr.Findings {
			if f.Verdict == verify.NotChecked {
				continue
			}
			jp.Findings = append(jp.Findings, jsonVFinding{Fingerprint: f.Fingerprint, Check: string(f.Check), File: f.Pos.File, Line: f.Pos.Line, Column: f.Pos.Col,
				Verdict: string(f.Verdict), Witness: f.Witness, Schedules: f.Schedules, Orders: f.Orders, Workloads: f.Workloads,
				Why: f.Why, Broken: f.Broken, Errors: toJSONErrors(f.ErrorKinds)})
			switch f.Verdict {
			case verify.Confirmed:
				v.Summary.Confirmed++
			case verify.NotReproduced:
				v.Summary.NotReproduced++
			case verify.NotTested:
				v.Summary.NotTested++
			}
			if f.Broken != "" {
				v.Summary.Broken++
			}
		}
		for _, p := range vr.Paths {
			jp.Paths = append(jp.Paths, jsonVPath{From: p.From, To: p.To, Label: p.Label, Effective: p.Effective, Covered: p.Covered, Verdict: string(p.Verdict), Witness: p.Witness,
				Schedules: p.Schedules, Orders: p.Orders, Workloads: p.Workloads, Exhaustive: p.Exhaustive, Empty: p.Empty, Errors: p.Errors,
				ErrorKinds: toJSONErrors(p.ErrorKinds), Why: p.Why, Stale: p.Stale})
			switch p.Verdict {
			case verify.Contradiction:
				v.Summary.Contradictions++
			case verify.NotTested:
				v.Summary.PathsNotTested++
			}
		}
		jp.Witnesses = append(jp.Witnesses, vr.Witnesses...)
		v.Summary.Witnesses += len(vr.Witnesses)
		v.Programs = append(v.Programs, jp)
	}
	v.Summary.Failed = verifyFailed(vreps, requireTested)
	return v
}

// writeVerifyJSON prints lint's JSON document for the programs, with the
// verification section added as its last key.
func writeVerifyJSON(w io.Writer, rep *lint.Report, vreps []*verify.Report, requireTested bool) error {
	f := &lint.JSON{ToolVersion: Version, Sections: []lint.Section{{Key: "verification", Value: toJSONVerification(vreps, requireTested)}}}
	return lint.Write(w, f, rep)
}
