// calmcheck patch (not upstream): the module is compiled and instantiated
// on first use (Load), not in a package init, and with the compilation
// cache the caller chose (SetCompilationCache), not one in the shared
// temporary directory. See third_party/go-graphviz/README.md.

package wasm

import (
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero"
)

var (
	loadOnce         sync.Once
	loadErr          error
	loaded           bool
	onLoad           []func() error
	compilationCache wazero.CompilationCache
)

// SetCompilationCache sets the cache the module is compiled with; nil (the
// default) compiles in memory. It has an effect only before Load.
func SetCompilationCache(c wazero.CompilationCache) {
	compilationCache = c
}

// OnLoad registers f to run once the module is loaded, in registration
// order (the package inits of cgraph and gvc register theirs).
func OnLoad(f func() error) {
	onLoad = append(onLoad, f)
}

// Load compiles and instantiates the module the first time it is called
// and returns the same error on every later call.
func Load() error {
	loadOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				loadErr = fmt.Errorf("loading graphviz: %v", r)
			}
		}()
		load()
		for _, f := range onLoad {
			if err := f(); err != nil {
				loadErr = fmt.Errorf("loading graphviz: %w", err)
				return
			}
		}
		loaded = true
	})
	return loadErr
}

// Loaded reports whether Load has run successfully.
func Loaded() bool { return loaded }
