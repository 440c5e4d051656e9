package specs

import "embed"

// Workloads holds the built-in workloads (workloads/*.yaml) that
// `calmcheck run NAME` runs: each file has a top-level workload key naming
// a program of the built-in library.
//
//go:embed workloads/*.yaml
var Workloads embed.FS
