// Package specs holds calmcheck's built-in library of module specs.
package specs

import "embed"

// FS holds the built-in spec files (*.yaml) and the project file calmcheck.yaml.
//
//go:embed *.yaml
var FS embed.FS
