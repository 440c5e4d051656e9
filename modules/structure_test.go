package modules

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestStructureAgrees: the spec language's structure is MappingKeys; the
// JSON Schema declares exactly those keys for each mapping, and the
// loader reads every key of each mapping and names them all when it
// reports an unknown one. (fmt takes its key order from MappingKeys, and
// the workload mappings are checked in package executor.)
func TestStructureAgrees(t *testing.T) {
	var schema any
	if err := json.Unmarshal(JSONSchema, &schema); err != nil {
		t.Fatal(err)
	}
	// Where each mapping's keys are in schema.json, and a spec that puts
	// KEY in such a mapping.
	for _, tc := range []struct {
		mapping, schemaPath, spec string
	}{
		{"file", "", "KEY: null\n"},
		{"module", "$defs/module", "modules:\n  A:\n    KEY: null\n"},
		{"import", "$defs/module/properties/import/additionalProperties/oneOf/1", "modules:\n  A:\n    import:\n      b: {KEY: null}\n"},
		{"block", "$defs/block/oneOf/1", "modules:\n  A:\n    rules:\n      blk: {KEY: null}\n"},
		{"rule", "$defs/ruleEntry/oneOf/1", "modules:\n  A:\n    rules:\n      blk:\n        - {KEY: null}\n"},
		{"program", "$defs/program/oneOf/2", "programs:\n  p: {KEY: null}\n"},
		{"expect", "$defs/program/oneOf/2/properties/expect/items", "programs:\n  p:\n    modules: [A]\n    expect:\n      - {KEY: x}\n"},
		{"coordination", "$defs/coordination", "modules:\n  A:\n    coordination: {KEY: null}\n"},
		{"seal", "$defs/module/properties/seals/items", "modules:\n  A:\n    seals:\n      - {KEY: null}\n"},
		{"lattice", "$defs/lattice/oneOf/1", "lattices:\n  l: {KEY: null}\n"},
		{"function", "$defs/lattice/oneOf/1/properties/functions/additionalProperties", "lattices:\n  l:\n    functions:\n      f: {KEY: null}\n"},
	} {
		t.Run(tc.mapping, func(t *testing.T) {
			want := MappingKeys[tc.mapping]
			if len(want) == 0 {
				t.Fatalf("MappingKeys has no %q", tc.mapping)
			}
			if got := schemaKeys(t, schema, tc.schemaPath); !sameSet(got, want) {
				t.Errorf("schema.json %s declares %v, MappingKeys %v", tc.schemaPath, got, want)
			}
			load := func(key string) string {
				lib := NewLibrary()
				return lib.LoadData("t.yaml", []byte(strings.ReplaceAll(tc.spec, "KEY", key))).Error()
			}
			for _, key := range want {
				if msg := load(key); strings.Contains(msg, "unknown key "+strconv.Quote(key)) {
					t.Errorf("the loader does not read %s: %s", key, msg)
				}
			}
			if msg := load("zzz"); !strings.Contains(msg, `unknown key "zzz"`) || !strings.Contains(msg, "(known keys: "+KnownKeys(tc.mapping)+")") {
				t.Errorf("an unknown key is not reported with the known keys %s: %s", KnownKeys(tc.mapping), msg)
			}
		})
	}
}

// schemaKeys returns the property names of the object at a slash path
// in the schema.
func schemaKeys(t *testing.T, schema any, path string) []string {
	t.Helper()
	v := schema
	if path != "" {
		for _, p := range strings.Split(path, "/") {
			switch x := v.(type) {
			case map[string]any:
				v = x[p]
			case []any:
				i, err := strconv.Atoi(p)
				if err != nil || i >= len(x) {
					t.Fatalf("schema path %s: no element %s", path, p)
				}
				v = x[i]
			default:
				t.Fatalf("schema path %s: %s is not in an object or array", path, p)
			}
		}
	}
	obj, _ := v.(map[string]any)
	props, ok := obj["properties"].(map[string]any)
	if !ok {
		t.Fatalf("schema path %s has no properties", path)
	}
	var keys []string
	for k := range props {
		keys = append(keys, k)
	}
	return keys
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
