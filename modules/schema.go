package modules

import _ "embed"

// JSONSchema is a JSON Schema (draft 2020-12) of the spec file format, for
// editors (yaml-language-server) and other tools. `calmcheck schema`
// prints it; a test validates the built-in library against it.
//
//go:embed schema.json
var JSONSchema []byte
