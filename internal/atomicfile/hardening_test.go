//go:build unix

package atomicfile

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWriteFollowsSymlinks: writing through a symbolic link replaces its
// target and keeps the link (it replaced the link with a regular file and
// left the target as it was); a chain of links and a dangling link too.
func TestWriteFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real", "f.yaml")
	os.MkdirAll(filepath.Dir(target), 0o755)
	os.WriteFile(target, []byte("old"), 0o640)
	link := filepath.Join(dir, "link.yaml")
	os.Symlink("real/f.yaml", link)
	link2 := filepath.Join(dir, "link2.yaml")
	os.Symlink(link, link2)
	for i, p := range []string{link, link2} {
		want := []string{"new", "newer"}[i]
		if err := WriteFile(p, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a link", p)
		}
		data, _ := os.ReadFile(target)
		st, _ := os.Stat(target)
		if string(data) != want || st.Mode().Perm() != 0o640 {
			t.Errorf("target holds %q, mode %v", data, st.Mode())
		}
	}
	dangling := filepath.Join(dir, "dangling.yaml")
	os.Symlink("made.yaml", dangling)
	if err := WriteFile(dangling, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "made.yaml")); string(data) != "x" {
		t.Errorf("dangling link's target: %q", data)
	}
	loop := filepath.Join(dir, "loop")
	os.Symlink("loop", loop)
	if err := WriteFile(loop, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Errorf("link loop: %v", err)
	}
}

// TestWriteReadOnly: a read-only file is refused unless forced (it was
// rewritten); forced, it stays read-only.
func TestWriteReadOnly(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ro.yaml")
	os.WriteFile(p, []byte("old"), 0o444)
	err := WriteFile(p, []byte("new"), 0o644)
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("got %v", err)
	}
	if data, _ := os.ReadFile(p); string(data) != "old" {
		t.Fatalf("read-only file rewritten: %q", data)
	}
	if err := WriteFile(p, []byte("new"), 0o644, Options{Force: true}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(data) != "new" || st.Mode().Perm() != 0o444 {
		t.Errorf("forced: %q %v", data, st.Mode())
	}
	if entries, _ := os.ReadDir(filepath.Dir(p)); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// TestWriteKeepsOwner: the new file has the old one's owner and group
// (they became the writer's). Only root can make a file another user's.
func TestWriteKeepsOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give a file another owner")
	}
	p := filepath.Join(t.TempDir(), "f.yaml")
	os.WriteFile(p, []byte("old"), 0o644)
	if err := os.Chown(p, 65534, 65533); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	s := st.Sys().(*syscall.Stat_t)
	if s.Uid != 65534 || s.Gid != 65533 {
		t.Errorf("owner %d:%d, want 65534:65533", s.Uid, s.Gid)
	}
}

// TestInterruptRemovesTemp: a process interrupted while it writes leaves
// no temporary file behind (.NAME.tmpNNN stayed).
func TestInterruptRemovesTemp(t *testing.T) {
	if dir := os.Getenv("ATOMICFILE_TEST_DIR"); dir != "" {
		testHookBeforeRename = func() {
			syscall.Kill(os.Getpid(), syscall.SIGINT)
			select {} // the handler ends the process
		}
		WriteFile(filepath.Join(dir, "f.yaml"), []byte("new"), 0o644)
		t.Fatal("not interrupted")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f.yaml"), []byte("old"), 0o644)
	cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptRemovesTemp$", "-test.count=1")
	cmd.Env = append(os.Environ(), "ATOMICFILE_TEST_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child was not interrupted: %s", out)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left behind: %v (%s)", names, out)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "f.yaml")); string(data) != "old" {
		t.Errorf("interrupted write changed the file: %q", data)
	}
}
