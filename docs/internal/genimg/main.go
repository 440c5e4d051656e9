// Command genimg draws the tutorial's pictures into docs/img (run by go
// generate ./docs/..., in the docs directory). Each file is written
// through a temporary file and a rename, and only when it changed.
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/calmcheck/calmcheck/docs"
	"github.com/calmcheck/calmcheck/internal/atomicfile"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "genimg:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	for _, p := range docs.Pictures {
		svg, err := docs.Draw(ctx, p)
		if err != nil {
			return err
		}
		path := filepath.Join("img", p.File)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, svg) {
			continue
		}
		if err := atomicfile.WriteFile(path, svg, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", path)
	}
	return nil
}
