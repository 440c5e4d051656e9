package render

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goccy/go-graphviz"
	"github.com/tetratelabs/wazero"
)

// Graphviz runs as WebAssembly, compiled to machine code (about a second)
// the first time a command draws. The compiled code is cached per user, in
// <os.UserCacheDir()>/calmcheck/graphviz, and never in a directory that
// other users can write (upstream go-graphviz used $TMPDIR/go-graphviz,
// where another local user could plant machine code; our patched copy in
// third_party/go-graphviz leaves the choice to us). The directory is used
// only if it and the calmcheck directory above it are real directories
// (not symbolic links), owned by the user, writable by no one else, and
// every directory above them is owned by the user or root and, if others
// may write to it, sticky. Otherwise Graphviz is compiled in memory each
// time. CALMCHECK_GRAPHVIZ_CACHE=off always compiles in memory.

// graphvizCacheDir returns the per-user cache directory, created if need
// be, or an error saying why it is not safe to use.
func graphvizCacheDir() (string, error) {
	if os.Getenv("CALMCHECK_GRAPHVIZ_CACHE") == "off" {
		return "", fmt.Errorf("CALMCHECK_GRAPHVIZ_CACHE=off")
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(base) {
		return "", fmt.Errorf("cache directory %q is not absolute", base)
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", err
	}
	// The directories above ours: symbolic links among them are resolved
	// (a home directory may be one), then each is checked.
	real, err := filepath.EvalSymlinks(base)
	if err != nil {
		return "", err
	}
	for d := real; ; d = filepath.Dir(d) {
		if err := checkAncestor(d); err != nil {
			return "", err
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	dir := real
	for _, name := range []string{"calmcheck", "graphviz"} {
		dir = filepath.Join(dir, name)
		if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
			return "", err
		}
		if err := checkPrivateDir(dir); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// graphvizCompilationCache is the cache Graphviz is compiled with: the
// per-user directory if it is safe, else none (compiled in memory).
func graphvizCompilationCache() wazero.CompilationCache {
	dir, err := graphvizCacheDir()
	if err != nil {
		return nil
	}
	c, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return nil
	}
	return c
}

// loadGraphviz compiles Graphviz, with the per-user cache if it is safe.
// It is called with gv locked, before the first drawing.
func loadGraphviz() error {
	if graphviz.Loaded() {
		return nil
	}
	graphviz.SetCompilationCache(graphvizCompilationCache())
	return graphviz.Load()
}

// GraphvizLoaded reports whether this process has compiled Graphviz (for
// tests: commands that draw nothing must not).
func GraphvizLoaded() bool { return graphviz.Loaded() }
