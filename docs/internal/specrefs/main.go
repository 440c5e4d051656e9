// Command specrefs moves the positions in the built-in specs that the
// docs quote (specs/cart.yaml:118:31 in a sample output) to where the
// same text is now, after the specs were edited or reformatted:
//
//	go run ./docs/internal/specrefs -from REV
//
// REV is a commit whose specs/ the docs' positions were written against
// (the commit before the edit). For each position it finds the quoted
// line of specs/FILE at REV in the current file and rewrites line and
// column; a line that cannot be found is reported, and the exit status is
// 1. The docs test (go test ./docs) checks that every position points at
// a line that names what the doc line talks about.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

var refRE = regexp.MustCompile(`specs/([A-Za-z0-9_-]+\.yaml):(\d+)(?::(\d+))?`)

func main() {
	from := flag.String("from", "HEAD", "the commit whose specs/ the docs' positions refer to")
	flag.Parse()
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "specrefs:", err)
		os.Exit(2)
	}
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append(files, filepath.Join(root, "README.md"))
	m := &mover{root: root, rev: *from, old: map[string][]string{}, cur: map[string][]string{}}
	bad := false
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, "specrefs:", err)
			os.Exit(2)
		}
		out := refRE.ReplaceAllStringFunc(string(src), func(ref string) string {
			moved, err := m.move(ref)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %s: %v\n", f, ref, err)
				bad = true
				return ref
			}
			return moved
		})
		if out != string(src) {
			if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "specrefs:", err)
				os.Exit(2)
			}
			fmt.Println("updated", f)
		}
	}
	if bad {
		os.Exit(1)
	}
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

type mover struct {
	root, rev string
	old, cur  map[string][]string
}

func (m *mover) lines(cache map[string][]string, file string, atRev bool) ([]string, error) {
	if ls, ok := cache[file]; ok {
		return ls, nil
	}
	var data []byte
	var err error
	if atRev {
		cmd := exec.Command("git", "show", m.rev+":specs/"+file)
		cmd.Dir = m.root
		data, err = cmd.Output()
	} else {
		data, err = os.ReadFile(filepath.Join(m.root, "specs", file))
	}
	if err != nil {
		return nil, err
	}
	ls := strings.Split(string(bytes.TrimRight(data, "\n")), "\n")
	cache[file] = ls
	return ls, nil
}

// move maps specs/FILE:LINE[:COL] at the old revision to the current file.
func (m *mover) move(ref string) (string, error) {
	sub := refRE.FindStringSubmatch(ref)
	file := sub[1]
	line, _ := strconv.Atoi(sub[2])
	col := 0
	if sub[3] != "" {
		col, _ = strconv.Atoi(sub[3])
	}
	old, err := m.lines(m.old, file, true)
	if err != nil {
		return "", err
	}
	cur, err := m.lines(m.cur, file, false)
	if err != nil {
		return "", err
	}
	if line < 1 || line > len(old) {
		return "", fmt.Errorf("line %d is not in specs/%s at %s", line, file, m.rev)
	}
	text := strings.TrimSpace(old[line-1])
	if c, _, ok := strings.Cut(text, " #"); ok && strings.TrimSpace(c) != "" {
		text = strings.TrimSpace(c) // the comment's spacing is the formatter's
	}
	if text == "" {
		return "", fmt.Errorf("line %d of specs/%s at %s is blank", line, file, m.rev)
	}
	indent := strings.Index(old[line-1], text)
	// The same text may occur more than once: take the occurrence with the
	// same rank.
	rank := 0
	for i := 0; i < line-1; i++ {
		if strings.Contains(old[i], text) {
			rank++
		}
	}
	for i, l := range cur {
		at := strings.Index(l, text)
		if at < 0 {
			continue
		}
		if rank > 0 {
			rank--
			continue
		}
		out := fmt.Sprintf("specs/%s:%d", file, i+1)
		if sub[3] != "" {
			out += ":" + strconv.Itoa(col-indent+at)
		}
		return out, nil
	}
	return "", fmt.Errorf("the line %q is no longer in specs/%s", text, file)
}
