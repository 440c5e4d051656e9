//go:build !unix

package render

import "errors"

// Without Unix owners and modes the cache's safety cannot be checked:
// Graphviz is compiled in memory.

func checkPrivateDir(string) error { return errors.New("no per-user cache on this system") }

func checkAncestor(string) error { return errors.New("no per-user cache on this system") }
