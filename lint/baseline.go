package lint

import (
	"encoding/json"
	"fmt"
	"github.com/calmcheck/calmcheck/modules"
)

// ReadBaseline reads the fingerprints of the findings of a previous JSON
// report (lint --format json), for Options.Baseline.
func ReadBaseline(file string) (map[string]bool, error) {
	data, err := modules.ReadLimited(file, modules.MaxJSONFileSize)
	if err != nil {
		return nil, err
	}
	var doc JSONReport
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not a calmcheck JSON report: %v", file, err)
	}
	if doc.Version != JSONVersion {
		return nil, fmt.Errorf("%s: unsupported report version %d (want %d)", file, doc.Version, JSONVersion)
	}
	set := map[string]bool{}
	add := func(fs []JSONFinding) {
		for _, f := range fs {
			if f.Fingerprint != "" {
				set[f.Fingerprint] = true
			}
		}
	}
	add(doc.Findings)
	for _, p := range doc.Programs {
		add(p.Findings)
	}
	return set, nil
}
