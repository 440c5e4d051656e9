package modules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// YAMLFile reads one YAML document with positions and the input limits of
// spec files (size, nesting depth, alias expansion), and collects
// diagnostics about its shape. The spec loader and the executor's workload
// reader both read through it.
type YAMLFile struct {
	src   *source
	check string // the check name of shape errors ("schema", "workload")
	diags diagList
	nodes int
}

// NewYAMLFile prepares data (named name in positions) for reading; check
// is the check name given to errors about the document's shape.
func NewYAMLFile(name string, data []byte, check string) *YAMLFile {
	return &YAMLFile{src: newSource(name, data), check: check}
}

// ReadFile reads a spec or workload file of at most MaxFileSize bytes
// (ReadLimited).
func ReadFile(name string) ([]byte, Diagnostics) {
	data, err := ReadLimited(name, MaxFileSize)
	if err != nil {
		check := "io"
		if errors.Is(err, ErrTooLarge) {
			check = "limit"
		}
		return nil, Diagnostics{{Pos: Pos{File: name}, Severity: Error, Check: check, Message: ioMessage(err)}}
	}
	return data, nil
}

// ErrTooLarge is the error of ReadLimited for a file over its limit.
var ErrTooLarge = errors.New("file too large")

// tooLarge wraps ErrTooLarge with the limit.
type tooLarge struct{ limit int64 }

func (e tooLarge) Error() string {
	return fmt.Sprintf("file is larger than %d MiB; refusing to read it", e.limit>>20)
}
func (e tooLarge) Is(target error) bool { return target == ErrTooLarge }

// ReadLimited reads a regular file of at most limit bytes. Anything else is
// refused before it is read: a directory, a FIFO (which would block until
// someone writes to it), a device such as /dev/zero (which never ends), a
// socket; and a larger file.
func ReadLimited(name string, limit int64) ([]byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if err := regular(st); err != nil {
		return nil, err
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regular(st); err != nil { // replaced since the first look
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge{limit}
	}
	return data, nil
}

func regular(st fs.FileInfo) error {
	switch {
	case st.IsDir():
		return errors.New("is a directory")
	case st.Mode()&fs.ModeNamedPipe != 0:
		return errors.New("is a named pipe (FIFO), not a regular file; refusing to read it")
	case st.Mode()&fs.ModeDevice != 0:
		return errors.New("is a device, not a regular file; refusing to read it")
	case !st.Mode().IsRegular():
		return errors.New("is not a regular file; refusing to read it")
	}
	return nil
}

func ioMessage(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Diagnostics returns what was reported so far.
func (f *YAMLFile) Diagnostics() Diagnostics { return f.diags.ds }

// Name is the file's name as positions give it.
func (f *YAMLFile) Name() string { return f.src.name }

// Decode reads the one document of the file and returns its root node
// (aliases resolved), or nil for an empty document or after an error. It
// refuses a file larger than MaxFileSize, more than one document, nesting
// deeper than MaxDepth and alias bombs.
func (f *YAMLFile) Decode() *yaml.Node {
	data := f.src.src
	if len(data) > MaxFileSize {
		f.diags.errorf("limit", Pos{File: f.src.name}, "file is larger than %d MiB; refusing to read it", MaxFileSize>>20)
		return nil
	}
	if off, msg := badCharacter(data); msg != "" {
		// yaml.v3 reports these without a position (or at 1:1).
		f.diags.errorf("yaml", f.src.posAt(off), "invalid YAML: %s", msg)
		return nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err != io.EOF {
			f.yamlError(err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			f.yamlError(err)
		} else {
			f.diags.errorf("yaml", f.src.nodePos(&extra), "a file holds one YAML document; found another")
		}
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || !f.checkShape(doc.Content[0], 0) {
		return nil
	}
	root := YAMLResolve(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	return root
}

// badCharacter finds the first byte that is not valid UTF-8 or a character
// YAML does not allow (control characters other than tab and line breaks,
// surrogates, U+FFFE and U+FFFF) and says what it is.
func badCharacter(data []byte) (int, string) {
	for off := 0; off < len(data); {
		c := data[off]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return off, fmt.Sprintf("control character %U is not allowed", rune(c))
			}
			off++
			continue
		}
		r, w := utf8.DecodeRune(data[off:])
		switch {
		case r == utf8.RuneError && w == 1:
			return off, fmt.Sprintf("invalid UTF-8 byte 0x%02x", c)
		case r >= 0x80 && r <= 0x9f && r != 0x85, r == 0xfffe, r == 0xffff:
			return off, fmt.Sprintf("control character %U is not allowed", r)
		}
		off += w
	}
	return 0, ""
}

// yamlError reports a yaml.v3 error with the line it names.
func (f *YAMLFile) yamlError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil && line > 0 {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	// yaml.v3 may name the line after the last (an error at the end of
	// the file): positions stay within the file.
	pos := Pos{File: f.src.name, Line: max(1, min(line, f.src.lines())), Col: 1}
	if strings.Contains(msg, "exceeded max depth") {
		msg = fmt.Sprintf("YAML nested deeper than %d levels; refusing it", MaxDepth)
	}
	f.diags.errorf("yaml", pos, "invalid YAML: %s", msg)
}

// checkShape refuses documents nested too deep or with too many nodes once
// aliases are expanded, before anything walks them.
func (f *YAMLFile) checkShape(n *yaml.Node, depth int) bool {
	if depth > MaxDepth {
		f.diags.errorf("limit", f.src.nodePos(n), "YAML nested deeper than %d levels; refusing it", MaxDepth)
		return false
	}
	f.nodes++
	if f.nodes > maxYAMLNodes {
		f.diags.errorf("limit", f.src.nodePos(n), "YAML has more than %d nodes once aliases are expanded (an alias bomb?); refusing it", maxYAMLNodes)
		return false
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return true
		}
		return f.checkShape(n.Alias, depth+1)
	}
	for _, c := range n.Content {
		if !f.checkShape(c, depth+1) {
			return false
		}
	}
	return true
}

// Pos is the position of a node (columns in bytes).
func (f *YAMLFile) Pos(n *yaml.Node) Pos { return f.src.nodePos(n) }

// ScalarPos maps offsets in a scalar's value to positions in the file,
// also in multi-line, quoted and block scalars.
func (f *YAMLFile) ScalarPos(n *yaml.Node) PosFunc { return f.src.scalarPos(n) }

// Errorf reports an error about the document's shape at node n.
func (f *YAMLFile) Errorf(n *yaml.Node, format string, args ...any) {
	f.diags.errorf(f.check, f.src.nodePos(n), format, args...)
}

// Report adds diagnostics found by other means (parsers of scalars).
func (f *YAMLFile) Report(ds ...Diagnostic) { f.diags.ds = append(f.diags.ds, ds...) }

// YAMLResolve follows aliases to the node they stand for.
func YAMLResolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// YAMLKindName describes a node's kind for messages: "a mapping", ...
func YAMLKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing (null)"
		}
		return "a scalar"
	}
	return "something else"
}

// Mapping walks a mapping node in order, reporting a node that is not a
// mapping, keys that are not names, merge keys and duplicate keys; f gets
// each key with its value (aliases resolved).
func (f *YAMLFile) Mapping(n *yaml.Node, what string, fn func(key string, kn, vn *yaml.Node)) {
	n = YAMLResolve(n)
	if n.Kind != yaml.MappingNode {
		f.Errorf(n, "%s must be a mapping, found %s", what, YAMLKindName(n))
		return
	}
	seen := map[string]Pos{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := YAMLResolve(n.Content[i]), YAMLResolve(n.Content[i+1])
		if kn.Kind != yaml.ScalarNode {
			f.Errorf(kn, "keys of %s must be names, found %s", what, YAMLKindName(kn))
			continue
		}
		if kn.Value == "<<" {
			f.Errorf(kn, "merge keys (<<) are not supported")
			continue
		}
		if prev, dup := seen[kn.Value]; dup {
			f.Errorf(kn, "duplicate key %q in %s (first at %s)", kn.Value, what, prev)
			continue
		}
		seen[kn.Value] = f.Pos(kn)
		fn(kn.Value, kn, vn)
	}
}

// UnknownKey reports a key that what does not know.
func (f *YAMLFile) UnknownKey(kn *yaml.Node, key, what, known string) {
	f.Errorf(kn, "unknown key %q in %s (known keys: %s)", key, what, known)
}

// Str returns a scalar's value, reporting other node kinds.
func (f *YAMLFile) Str(n *yaml.Node, what string) (string, bool) {
	n = YAMLResolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		f.Errorf(n, "%s must be a string, found %s", what, YAMLKindName(n))
		return "", false
	}
	return n.Value, true
}

// Strings returns the scalar nodes of a list (or of a single scalar).
func (f *YAMLFile) Strings(n *yaml.Node, what string) []*yaml.Node {
	if r := YAMLResolve(n); r.Kind == yaml.ScalarNode && r.Tag != "!!null" {
		return []*yaml.Node{r}
	}
	return f.List(n, what)
}

// List returns the scalar nodes of a list; anything else, a single string
// included, is reported (where a list is the only form the language has).
func (f *YAMLFile) List(n *yaml.Node, what string) []*yaml.Node {
	n = YAMLResolve(n)
	if n.Kind != yaml.SequenceNode {
		f.Errorf(n, "%s must be a list of strings, found %s", what, YAMLKindName(n))
		return nil
	}
	var out []*yaml.Node
	for _, c := range n.Content {
		c = YAMLResolve(c)
		if c.Kind != yaml.ScalarNode || c.Tag == "!!null" {
			f.Errorf(c, "each entry of %s must be a string, found %s", what, YAMLKindName(c))
			continue
		}
		out = append(out, c)
	}
	return out
}
