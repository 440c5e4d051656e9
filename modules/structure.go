package modules

import "strings"

// MappingKeys describes the spec language's mappings once (and those of
// workload files, which share its reader): for each kind of mapping, its
// keys, in the order calmcheck fmt writes them. The loader reports an
// unknown key with this list (KnownKeys), fmt orders keys by it, and
// TestStructureAgrees checks that schema.json declares the same keys and
// that the loader reads every one. A new key is added here first.
var MappingKeys = map[string][]string{
	"file":         {"specs", "lattices", "modules", "programs", "workload"},
	"module":       {"doc", "include", "import", "state", "contract", "coordination", "seals", "rules"},
	"import":       {"module"}, // the long form of an import: name: {module: M}
	"block":        {"coordination", "coordinated", "rules"},
	"rule":         {"rule", "coordinated"}, // the long form of a rule
	"program":      {"doc", "modules", "expect"},
	"expect":       {"check", "collection", "module", "contains"},
	"coordination": {"kind", "on"},
	"seal":         {"collection", "key", "by"},
	"lattice":      {"doc", "shape", "values", "merge", "bottom", "functions"},
	"function":     {"expr", "returns"},
	"workload":     {"doc", "program", "modules", "nodes", "facts", "inputs", "network", "max_ticks"},
	"input":        {"node", "tick", "fact", "facts"},
	"network":      {"policy", "delay", "duplicate", "drop"},
}

// KnownKeys lists a mapping's keys for a message: "doc, modules, expect".
func KnownKeys(mapping string) string {
	return strings.Join(MappingKeys[mapping], ", ")
}
