package lint

import (
	"encoding/json"
	"fmt"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// Baseline is what a previous JSON report found, for Options.Baseline: a
// finding it has is hidden.
type Baseline struct {
	fingerprints map[string]bool
	// places are the findings about paths of a version 1 report, which
	// had one finding per (input, output) pair and fingerprinted the
	// pair: program, check, module, and the head and body of the rule
	// where the pair became diffluent. A finding about that place
	// matches them.
	places map[[5]string]bool
}

// pathChecks are the checks whose findings version 1 reported per pair
// and version 2 per place.
var pathChecks = map[monotonic.Check]bool{monotonic.CheckDiffluentPath: true, monotonic.CheckMissingCoordination: true}

// Has reports whether the baseline has the finding.
func (b *Baseline) Has(f *monotonic.Finding) bool {
	if b == nil {
		return false
	}
	if b.fingerprints[f.Fingerprint] {
		return true
	}
	if pathChecks[f.Check] && len(f.Collections) > 0 {
		for _, c := range f.Collections[1:] {
			if b.places[[5]string{f.Program, string(f.Check), f.Module, f.Collections[0], c}] {
				return true
			}
		}
	}
	return false
}

// ReadBaseline reads a previous JSON report (lint --format json), version
// 2 or 1. Version 1 fingerprinted findings about paths per (input,
// output) pair; they match the version 2 finding about the rule where
// the pair becomes diffluent (docs/ci.md).
func ReadBaseline(file string) (*Baseline, error) {
	data, err := modules.ReadLimited(file, modules.MaxJSONFileSize)
	if err != nil {
		return nil, err
	}
	var doc JSONReport
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not a calmcheck JSON report: %v", file, err)
	}
	if doc.Version != JSONVersion && doc.Version != 1 {
		return nil, fmt.Errorf("%s: unsupported report version %d (want %d or 1)", file, doc.Version, JSONVersion)
	}
	b := &Baseline{fingerprints: map[string]bool{}, places: map[[5]string]bool{}}
	add := func(fs []JSONFinding) {
		for _, f := range fs {
			if f.Fingerprint != "" {
				b.fingerprints[f.Fingerprint] = true
			}
			// version 1: collections are the output, the input, then the
			// rule's head and the collection it reads there
			if doc.Version == 1 && pathChecks[f.Check] && len(f.Collections) >= 4 {
				b.places[[5]string{f.Program, string(f.Check), f.Module, f.Collections[2], f.Collections[3]}] = true
			}
		}
	}
	add(doc.Findings)
	for _, p := range doc.Programs {
		add(p.Findings)
	}
	return b, nil
}
