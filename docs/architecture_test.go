package docs

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestLayers: the package list of docs/architecture.md is the module's
// packages, bottom up, and every import of the module's own packages
// points down that list (internal/ helpers excepted): dependencies point
// one way, as the doc says.
func TestLayers(t *testing.T) {
	doc, err := os.ReadFile("architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```layers\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/architecture.md has no layers block")
	}
	layers := strings.Fields(string(m[1]))
	rank := map[string]int{}
	for i, p := range layers {
		rank[p] = i
	}
	const module = "github.com/calmcheck/calmcheck/"
	root := ".."
	found := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != root {
			return filepath.SkipDir // another module (third_party)
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			return nil // no Go files
		}
		rel, _ := filepath.Rel(root, path)
		name := filepath.ToSlash(rel)
		if strings.HasPrefix(name, "internal/") {
			return nil
		}
		found[name] = true
		r, ok := rank[name]
		if !ok {
			t.Errorf("package %s is not in the layers of docs/architecture.md", name)
			return nil
		}
		for _, imp := range pkg.Imports {
			dep, own := strings.CutPrefix(imp, module)
			if !own || strings.HasPrefix(dep, "internal/") {
				continue
			}
			if dr, ok := rank[dep]; !ok || dr >= r {
				t.Errorf("%s imports %s, which is not below it in the layers of docs/architecture.md", name, dep)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range layers {
		if !found[p] {
			t.Errorf("the layers of docs/architecture.md name %s, which is not a package", p)
		}
	}
	if !slices.Contains(layers, "cmd/calmcheck") {
		t.Error("no cmd/calmcheck in the layers")
	}
}
