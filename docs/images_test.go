package docs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPicturesCurrent fails when a committed picture is not what the code
// draws now: run go generate ./docs/... and commit docs/img.
func TestPicturesCurrent(t *testing.T) {
	for _, p := range Pictures {
		want, err := Draw(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("img", p.File))
		if err != nil {
			t.Errorf("%v: run go generate ./docs/...", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("docs/img/%s is stale: run go generate ./docs/... and commit docs/img", p.File)
		}
	}
}

// TestTutorialShowsEveryPicture: the tutorial shows each picture, with
// the command that draws it, and shows no picture that is not generated.
func TestTutorialShowsEveryPicture(t *testing.T) {
	data, err := os.ReadFile("tutorial.md")
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	known := map[string]bool{}
	for _, p := range Pictures {
		known[p.File] = true
		if !strings.Contains(md, "](img/"+p.File+")") {
			t.Errorf("tutorial.md does not show img/%s", p.File)
		}
		if !strings.Contains(md, p.Command) {
			t.Errorf("tutorial.md does not give the command %q", p.Command)
		}
	}
	for _, m := range regexp.MustCompile(`\]\(img/([^)]+)\)`).FindAllStringSubmatch(md, -1) {
		if !known[m[1]] {
			t.Errorf("tutorial.md shows img/%s, which go generate does not draw", m[1])
		}
	}
}
