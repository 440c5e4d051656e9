package modules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Input limits.
const (
	MaxFileSize  = 16 << 20  // bytes in one spec file
	MaxDepth     = 1000      // nesting levels of YAML
	maxYAMLNodes = 1_000_000 // nodes visited, aliases expanded (alias bombs)
)

// ProgramSpec is a program declared in a project file: a named set of root
// modules with the findings it expects.
type ProgramSpec struct {
	Name    string
	Doc     string
	Modules []Ref
	Expect  []Expect
	Pos     Pos
	Builtin bool
}

// Expect is a finding a program declares it expects (analysistest's
// "// want"): matched by check and, where given, collection and module.
type Expect struct {
	Check      string
	Collection string
	Module     string
	Contains   string // a substring of the message
	Pos        Pos
}

// Library is everything loaded: modules and programs by name.
type Library struct {
	Modules  map[string]*Module
	Programs map[string]*ProgramSpec
	Files    []string // files loaded, in order

	loaded map[string]bool
}

// NewLibrary returns an empty library.
func NewLibrary() *Library {
	return &Library{Modules: map[string]*Module{}, Programs: map[string]*ProgramSpec{}, loaded: map[string]bool{}}
}

// SortedModules returns the modules ordered by file and position (the
// built-in library first).
func (lib *Library) SortedModules() []*Module {
	ms := make([]*Module, 0, len(lib.Modules))
	for _, m := range lib.Modules {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.Builtin != b.Builtin {
			return a.Builtin
		}
		if a.Pos != b.Pos {
			return a.Pos.Before(b.Pos)
		}
		return a.Name < b.Name
	})
	return ms
}

// SortedPrograms returns the programs ordered by position.
func (lib *Library) SortedPrograms() []*ProgramSpec {
	ps := make([]*ProgramSpec, 0, len(lib.Programs))
	for _, p := range lib.Programs {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Builtin != b.Builtin {
			return a.Builtin
		}
		if a.Pos != b.Pos {
			return a.Pos.Before(b.Pos)
		}
		return a.Name < b.Name
	})
	return ps
}

// LoadFS loads every *.yaml file of fsys (recursively, in lexical order) as
// the built-in library. Positions name the files as dir/path, so that they
// point into the repository (e.g. specs/cart.yaml).
func (lib *Library) LoadFS(fsys fs.FS, dir string) Diagnostics {
	var ds Diagnostics
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isSpecFile(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return Diagnostics{{Severity: Error, Check: "io", Message: fmt.Sprintf("reading built-in library: %v", err)}}
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		name := path.Join(dir, f)
		if err != nil {
			ds = append(ds, Diagnostic{Pos: Pos{File: name}, Severity: Error, Check: "io", Message: err.Error()})
			continue
		}
		ds = append(ds, lib.loadData(name, data, true, "")...)
	}
	return ds
}

func isSpecFile(p string) bool {
	return strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")
}

// LoadPath loads a spec file, or every *.yaml file under a directory. A
// project file's `specs:` entries are loaded relative to it.
func (lib *Library) LoadPath(p string) Diagnostics {
	st, err := os.Stat(p)
	if err != nil {
		return Diagnostics{{Pos: Pos{File: p}, Severity: Error, Check: "io", Message: ioMessage(err)}}
	}
	if !st.IsDir() {
		return lib.loadFile(p)
	}
	var files []string
	err = filepath.WalkDir(p, func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && f != p && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && isSpecFile(f) {
			files = append(files, f)
		}
		return nil
	})
	if err != nil {
		return Diagnostics{{Pos: Pos{File: p}, Severity: Error, Check: "io", Message: ioMessage(err)}}
	}
	sort.Strings(files)
	var ds Diagnostics
	for _, f := range files {
		ds = append(ds, lib.loadFile(f)...)
	}
	return ds
}

func ioMessage(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func (lib *Library) loadFile(name string) Diagnostics {
	key := name
	if abs, err := filepath.Abs(name); err == nil {
		key = abs
	}
	if lib.loaded[key] {
		return nil
	}
	lib.loaded[key] = true
	f, err := os.Open(name)
	if err != nil {
		return Diagnostics{{Pos: Pos{File: name}, Severity: Error, Check: "io", Message: ioMessage(err)}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return Diagnostics{{Pos: Pos{File: name}, Severity: Error, Check: "io", Message: ioMessage(err)}}
	}
	if len(data) > MaxFileSize {
		return Diagnostics{{Pos: Pos{File: name}, Severity: Error, Check: "limit", Message: fmt.Sprintf("file is larger than %d MiB; refusing to read it", MaxFileSize>>20)}}
	}
	return lib.loadData(name, data, false, filepath.Dir(name))
}

// LoadData loads one spec file given as bytes (name is used in positions).
func (lib *Library) LoadData(name string, data []byte) Diagnostics {
	return lib.loadData(name, data, false, filepath.Dir(name))
}

func (lib *Library) loadData(name string, data []byte, builtin bool, dir string) Diagnostics {
	lib.Files = append(lib.Files, name)
	l := &fileLoader{lib: lib, src: newSource(name, data), builtin: builtin, dir: dir}
	l.load(data)
	return l.diags.ds
}

type fileLoader struct {
	lib     *Library
	src     *source
	builtin bool
	dir     string
	diags   diagList
	nodes   int
}

type yamlBail struct{}

func (l *fileLoader) load(data []byte) {
	if len(data) > MaxFileSize {
		l.diags.errorf("limit", Pos{File: l.src.name}, "file is larger than %d MiB; refusing to read it", MaxFileSize>>20)
		return
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return // an empty file declares nothing
		}
		l.yamlError(err)
		return
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			l.yamlError(err)
		} else {
			l.diags.errorf("yaml", l.src.nodePos(&extra), "a spec file holds one YAML document; found another")
		}
		return
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(yamlBail); !ok {
				panic(r)
			}
		}
	}()
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return
	}
	if !l.checkShape(doc.Content[0], 0) {
		return
	}
	root := l.resolve(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return
	}
	l.mapping(root, "the file", func(key string, kn, vn *yaml.Node) {
		switch key {
		case "modules":
			l.mapping(vn, "modules", l.module)
		case "programs":
			l.mapping(vn, "programs", l.program)
		case "specs":
			for _, sn := range l.strings(vn, "specs") {
				l.spec(sn)
			}
		case "workload":
			// A workload for the executor: read by `calmcheck run`.
		default:
			l.unknownKey(kn, key, "the file", "modules, programs, specs, workload")
		}
	})
}

// yamlError reports a yaml.v3 error with the line it names.
func (l *fileLoader) yamlError(err error) {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil && line > 0 {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	pos := Pos{File: l.src.name, Line: line, Col: 1}
	if line == 0 {
		pos.Line = 1
	}
	if strings.Contains(msg, "exceeded max depth") {
		msg = fmt.Sprintf("YAML nested deeper than %d levels; refusing it", MaxDepth)
	}
	l.diags.errorf("yaml", pos, "invalid YAML: %s", msg)
}

// checkShape refuses documents nested too deep or with too many nodes once
// aliases are expanded, before anything walks them.
func (l *fileLoader) checkShape(n *yaml.Node, depth int) bool {
	if depth > MaxDepth {
		l.diags.errorf("limit", l.src.nodePos(n), "YAML nested deeper than %d levels; refusing it", MaxDepth)
		return false
	}
	l.nodes++
	if l.nodes > maxYAMLNodes {
		l.diags.errorf("limit", l.src.nodePos(n), "YAML has more than %d nodes once aliases are expanded (an alias bomb?); refusing it", maxYAMLNodes)
		return false
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return true
		}
		return l.checkShape(n.Alias, depth+1)
	}
	for _, c := range n.Content {
		if !l.checkShape(c, depth+1) {
			return false
		}
	}
	return true
}

func (l *fileLoader) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
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

// mapping walks a mapping node, reporting duplicate keys.
func (l *fileLoader) mapping(n *yaml.Node, what string, f func(key string, kn, vn *yaml.Node)) {
	n = l.resolve(n)
	if n.Kind != yaml.MappingNode {
		l.diags.errorf("schema", l.src.nodePos(n), "%s must be a mapping, found %s", what, kindName(n))
		return
	}
	seen := map[string]Pos{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := l.resolve(n.Content[i]), n.Content[i+1]
		if kn.Kind != yaml.ScalarNode {
			l.diags.errorf("schema", l.src.nodePos(kn), "keys of %s must be names, found %s", what, kindName(kn))
			continue
		}
		if kn.Value == "<<" {
			l.diags.errorf("schema", l.src.nodePos(kn), "merge keys (<<) are not supported in spec files")
			continue
		}
		if prev, dup := seen[kn.Value]; dup {
			l.diags.errorf("schema", l.src.nodePos(kn), "duplicate key %q in %s (first at %s)", kn.Value, what, prev)
			continue
		}
		seen[kn.Value] = l.src.nodePos(kn)
		f(kn.Value, kn, vn)
	}
}

func (l *fileLoader) unknownKey(kn *yaml.Node, key, what, known string) {
	l.diags.errorf("schema", l.src.nodePos(kn), "unknown key %q in %s (known keys: %s)", key, what, known)
}

// str returns a scalar's value, reporting other node kinds.
func (l *fileLoader) str(n *yaml.Node, what string) (string, bool) {
	n = l.resolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.diags.errorf("schema", l.src.nodePos(n), "%s must be a string, found %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// strings returns the scalar nodes of a list (or of a single scalar).
func (l *fileLoader) strings(n *yaml.Node, what string) []*yaml.Node {
	n = l.resolve(n)
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []*yaml.Node{n}
	}
	if n.Kind != yaml.SequenceNode {
		l.diags.errorf("schema", l.src.nodePos(n), "%s must be a list of strings, found %s", what, kindName(n))
		return nil
	}
	var out []*yaml.Node
	for _, c := range n.Content {
		c = l.resolve(c)
		if c.Kind != yaml.ScalarNode || c.Tag == "!!null" {
			l.diags.errorf("schema", l.src.nodePos(c), "each entry of %s must be a string, found %s", what, kindName(c))
			continue
		}
		out = append(out, c)
	}
	return out
}

func validModuleName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if i == 0 && !unicode.IsUpper(r) {
			return false
		}
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func validProgramName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '_' && r != '-' && r != '.' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func (l *fileLoader) module(name string, kn, vn *yaml.Node) {
	pos := l.src.nodePos(kn)
	if !validModuleName(name) {
		l.diags.errorf("schema", pos, "module name %q must be CamelCase: a capital letter, then letters, digits or _", name)
		return
	}
	m := &Module{Name: name, Pos: pos, File: l.src.name, Builtin: l.builtin}
	vn = l.resolve(vn)
	if !(vn.Kind == yaml.ScalarNode && vn.Tag == "!!null") {
		l.mapping(vn, "module "+name, func(key string, kn, vn *yaml.Node) {
			switch key {
			case "doc":
				if s, ok := l.str(vn, "doc"); ok {
					m.Doc = strings.TrimSpace(s)
				}
			case "include":
				for _, in := range l.strings(vn, "include") {
					m.Includes = append(m.Includes, Ref{Name: in.Value, Pos: l.src.nodePos(in)})
				}
			case "state":
				for _, sn := range l.strings(vn, "state") {
					d, ds := ParseDecl(sn.Value, l.src.scalarPos(sn))
					l.diags.ds = append(l.diags.ds, ds...)
					if d != nil {
						d.Module = name
						m.State = append(m.State, d)
					}
				}
			case "rules":
				l.mapping(vn, "rules of "+name, func(block string, bk, bv *yaml.Node) {
					l.block(m, block, bk, bv)
				})
			case "coordination":
				m.Coordination = l.coordination(kn, vn, name, "")
			case "seals":
				l.seals(m, vn)
			case "contract":
				l.contract(m, vn)
			default:
				l.unknownKey(kn, key, "module "+name, "doc, include, state, contract, coordination, seals, rules")
			}
		})
	}
	// Each rule belongs to the coordination of its block, or else of its
	// module.
	for _, b := range m.Blocks {
		for _, r := range b.Rules {
			r.Coord = b.Coordination
			if r.Coord == nil {
				r.Coord = m.Coordination
			}
		}
	}
	l.addModule(m)
}

func (l *fileLoader) block(m *Module, name string, kn, vn *yaml.Node) {
	b := &Block{Name: name, Pos: l.src.nodePos(kn), Module: m.Name, Rules: []*Rule{}}
	vn = l.resolve(vn)
	var rulesNode *yaml.Node
	switch vn.Kind {
	case yaml.SequenceNode:
		rulesNode = vn
	case yaml.MappingNode:
		// Long form: {coordination: {...}, coordinated: "why", rules: [...]}
		l.mapping(vn, "block "+name, func(key string, kn, vn *yaml.Node) {
			switch key {
			case "rules":
				rulesNode = l.resolve(vn)
			case "coordinated":
				if s, ok := l.str(vn, "coordinated"); ok {
					b.Ack, b.AckPos = strings.TrimSpace(s), l.src.nodePos(kn)
				}
			case "coordination":
				b.Coordination = l.coordination(kn, vn, m.Name, name)
			default:
				l.unknownKey(kn, key, "block "+name, "coordination, coordinated, rules")
			}
		})
		if rulesNode == nil {
			l.diags.errorf("schema", b.Pos, "block %q has no rules key", name)
			return
		}
		if rulesNode.Kind != yaml.SequenceNode {
			l.diags.errorf("schema", l.src.nodePos(rulesNode), "rules of block %q must be a list, found %s", name, kindName(rulesNode))
			return
		}
	case yaml.ScalarNode:
		if vn.Tag == "!!null" {
			l.diags.errorf("schema", b.Pos, "block %q has no rules: write `%s: []` for an empty block", name, name)
			return
		}
		fallthrough
	default:
		l.diags.errorf("schema", l.src.nodePos(vn), "block %q must be a list of rules, found %s", name, kindName(vn))
		return
	}
	for i, rn := range rulesNode.Content {
		rn = l.resolve(rn)
		text, ack := rn, ""
		var ackPos Pos
		if rn.Kind == yaml.MappingNode {
			// Long form of a rule: {rule: "...", coordinated: "why"}
			text = nil
			l.mapping(rn, "a rule", func(key string, kn, vn *yaml.Node) {
				switch key {
				case "rule":
					if _, ok := l.str(vn, "rule"); ok {
						text = l.resolve(vn)
					}
				case "coordinated":
					if s, ok := l.str(vn, "coordinated"); ok {
						ack, ackPos = strings.TrimSpace(s), l.src.nodePos(kn)
					}
				default:
					l.unknownKey(kn, key, "a rule", "rule, coordinated")
				}
			})
			if text == nil {
				l.diags.errorf("schema", l.src.nodePos(rn), "a rule written as a mapping needs a rule key")
				continue
			}
		} else if rn.Kind != yaml.ScalarNode || rn.Tag == "!!null" {
			l.diags.errorf("schema", l.src.nodePos(rn), "each rule of block %s must be a string, found %s", name, kindName(rn))
			continue
		}
		r, ds := ParseRule(text.Value, l.src.scalarPos(text))
		l.diags.ds = append(l.diags.ds, ds...)
		if r != nil {
			r.Module, r.Block, r.Index = m.Name, name, i
			r.Ack, r.AckPos = ack, ackPos
			if r.Ack == "" {
				r.Ack, r.AckPos = b.Ack, b.AckPos
			}
			b.Rules = append(b.Rules, r)
		}
	}
	m.Blocks = append(m.Blocks, b)
}

func (l *fileLoader) addModule(m *Module) {
	prev, dup := l.lib.Modules[m.Name]
	switch {
	case !dup:
	case prev.Builtin && !m.Builtin:
		l.diags.warnf("shadow", m.Pos, "module %s shadows the built-in module of the same name (%s)", m.Name, prev.Pos)
	default:
		l.diags.errorf("duplicate-module", m.Pos, "duplicate module %s (first declared at %s)", m.Name, prev.Pos)
		return
	}
	l.lib.Modules[m.Name] = m
}

func (l *fileLoader) program(name string, kn, vn *yaml.Node) {
	pos := l.src.nodePos(kn)
	if !validProgramName(name) {
		l.diags.errorf("schema", pos, "program name %q may only hold letters, digits, '-', '_' and '.'", name)
		return
	}
	p := &ProgramSpec{Name: name, Pos: pos, Builtin: l.builtin}
	vn = l.resolve(vn)
	if vn.Kind == yaml.SequenceNode || vn.Kind == yaml.ScalarNode && vn.Tag != "!!null" {
		// Short form: programs: {name: [ModA, ModB]}
		for _, mn := range l.strings(vn, "program "+name) {
			p.Modules = append(p.Modules, Ref{Name: mn.Value, Pos: l.src.nodePos(mn)})
		}
	} else {
		l.mapping(vn, "program "+name, func(key string, kn, vn *yaml.Node) {
			switch key {
			case "doc":
				if s, ok := l.str(vn, "doc"); ok {
					p.Doc = strings.TrimSpace(s)
				}
			case "modules":
				for _, mn := range l.strings(vn, "modules") {
					for _, part := range strings.Split(mn.Value, ",") {
						if part = strings.TrimSpace(part); part != "" {
							p.Modules = append(p.Modules, Ref{Name: part, Pos: l.src.nodePos(mn)})
						}
					}
				}
			case "expect":
				l.expect(p, vn)
			default:
				l.unknownKey(kn, key, "program "+name, "doc, modules, expect")
			}
		})
	}
	if len(p.Modules) == 0 {
		l.diags.errorf("schema", pos, "program %s names no modules", name)
	}
	if prev, dup := l.lib.Programs[name]; dup {
		if prev.Builtin && !p.Builtin {
			l.diags.warnf("shadow", pos, "program %s shadows the built-in program of the same name (%s)", name, prev.Pos)
		} else {
			l.diags.errorf("duplicate-program", pos, "duplicate program %s (first declared at %s)", name, prev.Pos)
			return
		}
	}
	l.lib.Programs[name] = p
}

func (l *fileLoader) expect(p *ProgramSpec, vn *yaml.Node) {
	vn = l.resolve(vn)
	if vn.Kind != yaml.SequenceNode {
		l.diags.errorf("schema", l.src.nodePos(vn), "expect must be a list of findings, found %s", kindName(vn))
		return
	}
	for _, en := range vn.Content {
		e := Expect{Pos: l.src.nodePos(en)}
		l.mapping(en, "an expected finding", func(key string, kn, vn *yaml.Node) {
			s, ok := l.str(vn, key)
			if !ok {
				return
			}
			switch key {
			case "check":
				e.Check = s
			case "collection":
				e.Collection = s
			case "module":
				e.Module = s
			case "contains":
				e.Contains = s
			default:
				l.unknownKey(kn, key, "an expected finding", "check, collection, module, contains")
			}
		})
		if e.Check == "" {
			l.diags.errorf("schema", e.Pos, "an expected finding needs a check")
			continue
		}
		p.Expect = append(p.Expect, e)
	}
}

func (l *fileLoader) spec(sn *yaml.Node) {
	if l.builtin {
		return // the embedded library is loaded whole
	}
	p := sn.Value
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.dir, p)
	}
	ds := l.lib.LoadPath(p)
	for i := range ds {
		if ds[i].Check == "io" && ds[i].Pos.File == p {
			ds[i].Pos = l.src.nodePos(sn)
			ds[i].Message = fmt.Sprintf("specs entry %q: %s", sn.Value, ds[i].Message)
		}
	}
	l.diags.ds = append(l.diags.ds, ds...)
}
