// calmcheck patch (not upstream): see internal/wasm/lazy.go.

package graphviz

import (
	"github.com/goccy/go-graphviz/cgraph"
	"github.com/goccy/go-graphviz/internal/wasm"
	"github.com/tetratelabs/wazero"
)

func init() {
	// The descriptors exist only once the module is loaded (cgraph sets
	// them in its own OnLoad hook, which runs first).
	wasm.OnLoad(func() error {
		Directed = cgraph.Directed
		StrictDirected = cgraph.StrictDirected
		UnDirected = cgraph.UnDirected
		StrictUnDirected = cgraph.StrictUnDirected
		return nil
	})
}

// SetCompilationCache sets the cache Graphviz's WebAssembly is compiled
// with; nil (the default) compiles in memory. Call it before New, Load or
// ParseBytes: it has no effect once the module is loaded.
func SetCompilationCache(c wazero.CompilationCache) {
	wasm.SetCompilationCache(c)
}

// Load compiles and instantiates Graphviz's WebAssembly module if it is
// not yet loaded. New, NewWithPlugins, ParseBytes, ParseFile and
// cgraph.Open call it; call it before any other function of this module.
func Load() error {
	return wasm.Load()
}

// Loaded reports whether the module has been loaded.
func Loaded() bool {
	return wasm.Loaded()
}
