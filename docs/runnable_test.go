package docs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/internal/golden"
)

// A Markdown file's blocks marked for the test, in order. The mark is an
// HTML comment (invisible on GitHub) on the line before the block's fence:
//
//	<!-- file NAME -->   the block is written to NAME
//	<!-- run -->         each line of the block is a command; every one must
//	<!-- run exit=N -->  exit 0, the last one N (default 0)
//	<!-- output -->      the block is the standard output of the run block
//	                     before it; a line "..." stands for any lines
//
// go test ./docs -update rewrites the output blocks without "..." lines
// to what the commands print now (check the diff: it is what users see).
type mdBlock struct {
	kind, arg string
	line      int
	text      string
	exit      int
	start     int // byte offsets of text in the file
	end       int
}

var markRE = regexp.MustCompile(`^<!-- (file|run|output)\s*([^>]*?)\s*-->$`)

func markedBlocks(t *testing.T, md string) []mdBlock {
	t.Helper()
	lines := strings.Split(md, "\n")
	var out []mdBlock
	for i := 0; i < len(lines); i++ {
		m := markRE.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			continue
		}
		b := mdBlock{kind: m[1], arg: m[2], line: i + 1}
		if b.kind == "run" && b.arg != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(b.arg, "exit="))
			if err != nil || !strings.HasPrefix(b.arg, "exit=") {
				t.Fatalf("line %d: bad mark %q", i+1, lines[i])
			}
			b.exit = n
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			t.Fatalf("line %d: a mark not followed by a fenced block", i+1)
		}
		j := i + 2
		for j < len(lines) && !strings.HasPrefix(lines[j], "```") {
			j++
		}
		b.text = strings.Join(lines[i+2:j], "\n") + "\n"
		b.start = len(strings.Join(lines[:i+2], "\n")) + 1
		b.end = b.start + len(b.text)
		out = append(out, b)
		i = j
	}
	return out
}

// commands joins a run block's lines (a line ending in \ continues on the
// next), without blank lines.
func commands(text string) []string {
	var out []string
	cur := ""
	for _, l := range strings.Split(text, "\n") {
		if strings.HasSuffix(l, "\\") {
			cur += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		cur += l
		if strings.TrimSpace(cur) != "" {
			out = append(out, cur)
		}
		cur = ""
	}
	return out
}

// matchOutput compares output with a block where "..." lines stand for
// any number of lines.
func matchOutput(want, got string) bool {
	w := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	g := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	var match func(i, j int) bool
	match = func(i, j int) bool {
		if i == len(w) {
			return j == len(g)
		}
		if w[i] == "..." {
			for k := j; k <= len(g); k++ {
				if match(i+1, k) {
					return true
				}
			}
			return false
		}
		return j < len(g) && w[i] == g[j] && match(i+1, j+1)
	}
	return match(0, 0)
}

// runMarkedBlocks runs a Markdown file's marked blocks, in order, in a
// fresh temporary directory, with the calmcheck built from this
// repository first on PATH.
func runMarkedBlocks(t *testing.T, file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	blocks := markedBlocks(t, string(data))
	if len(blocks) == 0 {
		t.Fatalf("%s has no marked block", file)
	}
	bin := buildCalmcheck(t)
	dir := t.TempDir()
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "NO_COLOR=1", "COLUMNS=")
	lastOut := ""
	lastRun := 0
	src := string(data)
	var fixed []string // with -update: the file with the outputs shown as they are now
	at := 0
	for _, b := range blocks {
		switch b.kind {
		case "file":
			p := filepath.Join(dir, b.arg)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(b.text), 0o644); err != nil {
				t.Fatal(err)
			}
		case "run":
			cmds := commands(b.text)
			lastOut, lastRun = "", b.line
			for i, c := range cmds {
				cmd := exec.Command("sh", "-c", c)
				cmd.Dir, cmd.Env = dir, env
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatalf("%s:%d: %s: %v", file, b.line, c, err)
				}
				want := 0
				if i == len(cmds)-1 {
					want = b.exit
				}
				if code != want {
					t.Errorf("%s:%d: %s: exit %d, want %d\n%s%s", file, b.line, c, code, want, stderr.String(), stdout.String())
				}
				lastOut += stdout.String()
			}
		case "output":
			if lastRun == 0 {
				t.Fatalf("%s:%d: an output block before any run block", file, b.line)
			}
			if !matchOutput(b.text, lastOut) && golden.Update() && !strings.Contains(b.text, "\n...\n") {
				fixed = append(fixed, src[at:b.start], lastOut)
				at = b.end
				continue
			}
			if !matchOutput(b.text, lastOut) {
				t.Errorf("%s:%d: the output shown is not what the commands at line %d print now; they print:\n%s", file, b.line, lastRun, lastOut)
			}
		}
	}
	if fixed != nil {
		fixed = append(fixed, src[at:])
		if err := os.WriteFile(file, []byte(strings.Join(fixed, "")), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: outputs updated (-update)", file)
	}
	return len(blocks)
}

// buildCalmcheck builds this repository's calmcheck into a temporary
// directory and returns the directory.
func buildCalmcheck(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "calmcheck"), "../cmd/calmcheck")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestREADMEFirstHour: the README explains what a newcomer needs before
// reading code: every label and the point of order, installation from a
// clone (go install ...@latest cannot work: the module is not published),
// and an exit-status row for every command calmcheck has (it covered lint
// only).
func TestREADMEFirstHour(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	for _, want := range []string{"- A **point of order** is", "- **Bot**:", "- **A** (asynchronous):", "- **N** (nonmonotonic):", "- **D** (diffluent):",
		"## What it tells you", "go install ./cmd/calmcheck", "## Exit status"} {
		if !strings.Contains(md, want) {
			t.Errorf("README lacks %q", want)
		}
	}
	if strings.Contains(md, "@latest") {
		t.Error("README installs with @latest, which cannot work before the module is published")
	}
	out, err := exec.Command(filepath.Join(buildCalmcheck(t), "calmcheck"), "help").Output()
	if err != nil {
		t.Fatal(err)
	}
	_, cmds, _ := strings.Cut(string(out), "Available Commands:\n")
	cmds, _, _ = strings.Cut(cmds, "\n\n")
	table := md[strings.Index(md, "## Exit status"):]
	table, _, _ = strings.Cut(table[3:], "\n## ")
	n := 0
	for _, l := range strings.Split(cmds, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || f[0] == "help" {
			continue
		}
		n++
		if !regexp.MustCompile("(?m)^\\| [^|]*`" + f[0] + "[ `]").MatchString(table) {
			t.Errorf("the README's exit-status table has no row for calmcheck %s", f[0])
		}
	}
	if n < 10 {
		t.Errorf("only %d commands in calmcheck help", n)
	}
}

// TestREADMERunnable runs the README's marked blocks on a fresh directory:
// its example spec, its commands and the output it shows stay true.
func TestREADMERunnable(t *testing.T) {
	if n := runMarkedBlocks(t, filepath.Join("..", "README.md")); n < 4 {
		t.Errorf("only %d marked blocks in the README", n)
	}
}

func TestMatchOutput(t *testing.T) {
	for _, tc := range []struct {
		want, got string
		ok        bool
	}{
		{"a\nb\n", "a\nb\n", true},
		{"a\n...\nd\n", "a\nb\nc\nd\n", true},
		{"a\n...\n", "a\n", true},
		{"a\nb\n", "a\nc\n", false},
		{"a\n", "a\nb\n", false},
	} {
		if got := matchOutput(tc.want, tc.got); got != tc.ok {
			t.Errorf("matchOutput(%q, %q) = %v", tc.want, tc.got, got)
		}
	}
}

// TestTutorialRunnable runs the tutorial's marked blocks (chapter 11,
// "Your own program") from scratch in a fresh directory: its files, every
// command with its exit status, and the outputs it shows.
func TestTutorialRunnable(t *testing.T) {
	if n := runMarkedBlocks(t, "tutorial.md"); n < 10 {
		t.Errorf("only %d marked blocks in the tutorial", n)
	}
}

// TestTutorialExamples: the files the tutorial has the reader write are
// docs/examples/todo/*.yaml, which the pictures are drawn from, and they
// are in fmt's canonical layout.
func TestTutorialExamples(t *testing.T) {
	data, err := os.ReadFile("tutorial.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range markedBlocks(t, string(data)) {
		if b.kind != "file" {
			continue
		}
		n++
		want, err := os.ReadFile(filepath.Join("examples", "todo", b.arg))
		if err != nil {
			t.Errorf("%s: %v", b.arg, err)
			continue
		}
		if string(want) != b.text {
			t.Errorf("tutorial.md:%d: %s differs from docs/examples/todo/%s", b.line, b.arg, b.arg)
		}
	}
	if n == 0 {
		t.Error("the tutorial writes no file")
	}
	files, _ := filepath.Glob(filepath.Join("examples", "todo", "*.yaml"))
	if len(files) != n {
		t.Errorf("docs/examples/todo has %d files, the tutorial writes %d", len(files), n)
	}
}
