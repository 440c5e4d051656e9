package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var specRefRE = regexp.MustCompile(`specs/([A-Za-z0-9_-]+\.yaml):(\d+)(?::(\d+))?`)

// codeLineRE matches the rules and declarations of a spec file.
var codeLineRE = regexp.MustCompile(`^\s*(- |rule: ).*<[=+~-]|^\s*- (input|output|table|scratch|channel|interface|periodic|lattice) `)

var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// specKeys are words every spec line may hold: a doc line sharing only
// these with a spec line does not talk about it.
var specKeys = map[string]bool{"doc": true, "include": true, "state": true, "rules": true, "modules": true,
	"programs": true, "expect": true, "check": true, "collection": true, "module": true, "seals": true,
	"key": true, "by": true, "kind": true, "on": true, "coordination": true, "notin": true, "count": true,
	"input": true, "output": true, "table": true, "scratch": true, "channel": true, "interface": true}

// TestSpecReferences: every position in the built-in specs that the docs
// quote (specs/cart.yaml:111:31 in a sample output) points at a line of
// that file, a column on it that is not blank, and a line that shares a
// name with the doc line quoting it. After editing specs/, move the
// positions with go run ./docs/internal/specrefs -from REV (REV: the
// commit before the edit).
func TestSpecReferences(t *testing.T) {
	files, _ := filepath.Glob("*.md")
	files = append(files, filepath.Join("..", "README.md"))
	specLines := map[string][]string{}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docLines := strings.Split(string(data), "\n")
		for i, docLine := range docLines {
			// a wrapped message continues on lines indented by four
			context := docLine
			for j := i + 1; j < len(docLines) && strings.HasPrefix(docLines[j], "    "); j++ {
				context += " " + docLines[j]
			}
			for _, m := range specRefRE.FindAllStringSubmatchIndex(docLine, -1) {
				n++
				ref := docLine[m[0]:m[1]]
				file := docLine[m[2]:m[3]]
				ls, ok := specLines[file]
				if !ok {
					src, err := os.ReadFile(filepath.Join("..", "specs", file))
					if err != nil {
						t.Errorf("%s:%d: %s: %v", f, i+1, ref, err)
						continue
					}
					ls = strings.Split(string(src), "\n")
					specLines[file] = ls
				}
				line, _ := strconv.Atoi(docLine[m[4]:m[5]])
				if line < 1 || line > len(ls) {
					t.Errorf("%s:%d: %s: specs/%s has %d lines", f, i+1, ref, file, len(ls))
					continue
				}
				spec := ls[line-1]
				if m[6] >= 0 {
					col, _ := strconv.Atoi(docLine[m[6]:m[7]])
					if col < 1 || col > len(spec) || spec[col-1] == ' ' {
						t.Errorf("%s:%d: %s: column %d is not on the text of line %q", f, i+1, ref, col, spec)
						continue
					}
				}
				// A doc line that names something of the file (a
				// finding's message) must name something of the line;
				// a table row with only the position cannot be checked.
				docWords := map[string]bool{}
				// The positions' own words (specs, kvs, yaml) name
				// no collection: kvs.yaml is not kvs.kvput.
				for _, w := range identRE.FindAllString(specRefRE.ReplaceAllString(context, " "), -1) {
					if len(w) > 2 && !specKeys[w] {
						docWords[w] = true
					}
				}
				shared, namesFile := false, false
				code, _, _ := strings.Cut(spec, " #")
				for _, w := range identRE.FindAllString(code, -1) {
					shared = shared || docWords[w]
				}
				for _, l := range ls {
					if !codeLineRE.MatchString(l) {
						continue // docs and expectations use plain words
					}
					l, _, _ = strings.Cut(l, " #")
					for _, w := range identRE.FindAllString(l, -1) {
						namesFile = namesFile || docWords[w]
					}
				}
				if namesFile && !shared {
					t.Errorf("%s:%d: %s points at %q, which names nothing the doc line names: move the positions with go run ./docs/internal/specrefs -from REV", f, i+1, ref, strings.TrimSpace(spec))
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no positions in the built-in specs found in the docs: the pattern is wrong")
	}
}
