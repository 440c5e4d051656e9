//go:build unix

package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGraphvizCacheDir: the compiled Graphviz is cached only in a private
// per-user directory; a directory another user could have written, a
// symbolic link or a file in its place is never used.
func TestGraphvizCacheDir(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, base string)
		want    string // error substring; "" = usable
	}{
		{"fresh", func(*testing.T, string) {}, ""},
		{"existing private", func(t *testing.T, base string) {
			mkdir(t, filepath.Join(base, "calmcheck", "graphviz"), 0o700)
		}, ""},
		{"readable by others is closed", func(t *testing.T, base string) {
			mkdir(t, filepath.Join(base, "calmcheck", "graphviz"), 0o755)
		}, ""},
		{"group-writable", func(t *testing.T, base string) {
			mkdir(t, filepath.Join(base, "calmcheck", "graphviz"), 0o700)
			chmod(t, filepath.Join(base, "calmcheck", "graphviz"), 0o770)
		}, "writable by others"},
		{"world-writable parent", func(t *testing.T, base string) {
			mkdir(t, filepath.Join(base, "calmcheck"), 0o700)
			chmod(t, filepath.Join(base, "calmcheck"), 0o777)
		}, "writable by others"},
		{"symlink", func(t *testing.T, base string) {
			other := filepath.Join(t.TempDir(), "planted")
			mkdir(t, other, 0o700)
			mkdir(t, filepath.Join(base, "calmcheck"), 0o700)
			if err := os.Symlink(other, filepath.Join(base, "calmcheck", "graphviz")); err != nil {
				t.Fatal(err)
			}
		}, "not a directory"},
		{"file", func(t *testing.T, base string) {
			mkdir(t, filepath.Join(base, "calmcheck"), 0o700)
			if err := os.WriteFile(filepath.Join(base, "calmcheck", "graphviz"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "not a directory"},
		{"ancestor writable by others", func(t *testing.T, base string) {
			chmod(t, base, 0o777)
		}, "writable by others"},
		{"ancestor writable by others, sticky", func(t *testing.T, base string) {
			chmod(t, base, 0o777|os.ModeSticky)
		}, ""},
	}
	if os.Getuid() == 0 {
		tests = append(tests, struct {
			name    string
			prepare func(t *testing.T, base string)
			want    string
		}{"owned by another user", func(t *testing.T, base string) {
			d := filepath.Join(base, "calmcheck", "graphviz")
			mkdir(t, d, 0o700)
			if err := os.Chown(d, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}, "not owned by the user"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := filepath.Join(t.TempDir(), "cache")
			mkdir(t, base, 0o700)
			t.Setenv("XDG_CACHE_HOME", base)
			t.Setenv("CALMCHECK_GRAPHVIZ_CACHE", "")
			tc.prepare(t, base)
			dir, err := graphvizCacheDir()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("not usable: %v", err)
				}
				fi, err := os.Lstat(dir)
				if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
					t.Fatalf("cache dir %s: %v %v", dir, fi.Mode(), err)
				}
				if !strings.HasPrefix(dir, base) {
					t.Fatalf("cache dir %s not under %s", dir, base)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %q, %v; want an error with %q", dir, err, tc.want)
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		t.Setenv("XDG_CACHE_HOME", t.TempDir())
		t.Setenv("CALMCHECK_GRAPHVIZ_CACHE", "off")
		if dir, err := graphvizCacheDir(); err == nil {
			t.Fatalf("CALMCHECK_GRAPHVIZ_CACHE=off gave %s", dir)
		}
	})
}

func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(dir, mode); err != nil {
		t.Fatal(err)
	}
	chmod(t, dir, mode)
}

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}
