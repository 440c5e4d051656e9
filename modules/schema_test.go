package modules

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("spec.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("spec.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// yamlToJSON decodes YAML into the JSON data model the validator reads.
func yamlToJSON(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSchemaAcceptsBuiltinLibrary(t *testing.T) {
	s := compileSchema(t)
	files, _ := filepath.Glob("../specs/*.yaml")
	more, _ := filepath.Glob("../specs/*/*.yaml")
	files = append(files, more...)
	if len(files) < 5 {
		t.Fatalf("found only %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(yamlToJSON(t, data)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if err := s.Validate(yamlToJSON(t, []byte(deliverySpec))); err != nil {
		t.Errorf("design example: %v", err)
	}
	if err := s.Validate(yamlToJSON(t, []byte(importSpec))); err != nil {
		t.Errorf("imports: %v", err)
	}
	if err := s.Validate(yamlToJSON(t, []byte(latticeRules("cs(S, [R], 1) <= act(S, R)", "done(S) <= co(S, N), cs(S, A, _), ge(size(A), N)")))); err != nil {
		t.Errorf("lattices: %v", err)
	}
}

func TestSchemaRejectsMalformedSpecs(t *testing.T) {
	s := compileSchema(t)
	for name, src := range map[string]string{
		"unknown top key":       "module: {}\n",
		"lowercase module":      "modules:\n  cart: {}\n",
		"unknown module key":    "modules:\n  A:\n    stat: []\n",
		"state not a list":      "modules:\n  A:\n    state: {x: 1}\n",
		"bad declaration kind":  "modules:\n  A:\n    state: ['tabel t(a)']\n",
		"rule without operator": "modules:\n  A:\n    rules:\n      r: ['t(X) = s(X)']\n",
		"block without rules":   "modules:\n  A:\n    rules:\n      r: {coordinated: why}\n",
		"expect without check":  "programs:\n  p:\n    modules: [A]\n    expect: [{collection: x}]\n",
		"program unknown key":   "programs:\n  p:\n    mods: [A]\n",
		"import capitalized":    "modules:\n  A:\n    import: {Bed: B}\n",
		"import lowercase mod":  "modules:\n  A:\n    import: {bed: b}\n",
		"import keyword":        "modules:\n  A:\n    import: {notin: B}\n",
		"import long unknown":   "modules:\n  A:\n    import: {bed: {mod: B}}\n",
		"import list":           "modules:\n  A:\n    import: [B]\n",
		"lattice uppercase":     "lattices:\n  Vc: lmax\n",
		"lattice unknown key":   "lattices:\n  vc:\n    shap: lmax\n",
		"lattice bad domain":    "lattices:\n  vc:\n    values: float\n",
		"lattice func no expr":  "lattices:\n  vc:\n    shape: lset\n    functions:\n      f: {returns: lmax}\n",
		"lattice decl kind":     "modules:\n  A:\n    state: ['lattic s(k) => (v: lmax)']\n",
	} {
		if err := s.Validate(yamlToJSON(t, []byte(src))); err == nil {
			t.Errorf("%s: the schema accepts\n%s", name, src)
		}
	}
}
