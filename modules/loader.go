package modules

import (
	"fmt"
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
	MaxFileSize  = 16 << 20 // bytes in one spec file
	MaxDepth     = 1000     // nesting levels of YAML
	MaxTermDepth = 100      // nesting levels of a term in a rule
	// MaxJSONFileSize bounds the JSON files calmcheck reads: a --baseline
	// report, a --replay witness.
	MaxJSONFileSize = 64 << 20
	maxYAMLNodes    = 1_000_000 // nodes visited, aliases expanded (alias bombs)
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
	// Lattices are the user lattices of every file (file key lattices).
	Lattices map[string]*LatticeDef

	loaded       map[string]bool
	pre          map[string]*prefetched      // files being decoded ahead (prefetch.go)
	ahead        struct{ files, parsed int } // files decoded ahead, rules and declarations parsed ahead (for tests)
	latticeOrder []string                    // lattice names in load order
	latticeFuncs map[string]int              // functions of user lattices -> arity
}

// NewLibrary returns an empty library.
func NewLibrary() *Library {
	return &Library{Modules: map[string]*Module{}, Programs: map[string]*ProgramSpec{}, loaded: map[string]bool{},
		Lattices: map[string]*LatticeDef{}, latticeFuncs: map[string]int{}}
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
		lib.takePrefetched(fileKey(p)) // gone since it was prefetched: free its place
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
	if len(files) == 0 {
		return Diagnostics{{Pos: Pos{File: p}, Severity: Error, Check: "io", Message: "no spec files (*.yaml, *.yml) in this directory"}}
	}
	lib.prefetch(files)
	var ds Diagnostics
	for _, f := range files {
		ds = append(ds, lib.loadFile(f)...)
	}
	return ds
}

func (lib *Library) loadFile(name string) Diagnostics {
	key := fileKey(name)
	if lib.loaded[key] {
		return nil
	}
	lib.loaded[key] = true
	if p := lib.takePrefetched(key); p != nil {
		if p.ds != nil {
			return p.ds
		}
		return lib.loadWith(&fileLoader{YAMLFile: p.yf, dir: filepath.Dir(name), root: p.root, decoded: true})
	}
	data, ds := ReadFile(name)
	if ds != nil {
		return ds
	}
	return lib.loadData(name, data, false, filepath.Dir(name))
}

// LoadData loads one spec file given as bytes (name is used in positions).
func (lib *Library) LoadData(name string, data []byte) Diagnostics {
	return lib.loadData(name, data, false, filepath.Dir(name))
}

func (lib *Library) loadData(name string, data []byte, builtin bool, dir string) Diagnostics {
	return lib.loadWith(&fileLoader{YAMLFile: NewYAMLFile(name, data, "schema"), builtin: builtin, dir: dir})
}

// loadWith loads the file of l into the library.
func (lib *Library) loadWith(l *fileLoader) Diagnostics {
	l.lib = lib
	lib.Files = append(lib.Files, l.Name())
	l.load()
	return l.Diagnostics()
}

type fileLoader struct {
	*YAMLFile
	lib     *Library
	builtin bool
	dir     string

	decoded bool       // root was decoded ahead (prefetch)
	root    *yaml.Node // then: the root
	// Rules and declarations parsed ahead (preparse), by node.
	rules map[*yaml.Node]parsedRule
	decls map[*yaml.Node]parsedDecl
}

func (l *fileLoader) load() {
	root := l.root
	if !l.decoded {
		root = l.Decode()
	}
	if root == nil {
		if len(l.Diagnostics()) == 0 {
			l.diags.errorf("schema", Pos{File: l.Name(), Line: 1, Col: 1}, "empty spec file: it declares no modules, programs, specs or workload")
		}
		return
	}
	if root.Kind == yaml.MappingNode && len(root.Content) == 0 {
		l.Errorf(root, "empty spec file: it declares no modules, programs, specs or workload")
		return
	}
	// Lattices first: the rules of the file may call their functions.
	if root.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "lattices" {
				l.Mapping(root.Content[i+1], "lattices", l.lattice)
			}
		}
		l.preparse(root)
	}
	l.Mapping(root, "the file", func(key string, kn, vn *yaml.Node) {
		switch key {
		case "lattices":
		case "modules":
			l.Mapping(vn, "modules", l.module)
		case "programs":
			l.Mapping(vn, "programs", l.program)
		case "specs":
			sns := l.Strings(vn, "specs")
			if !l.builtin {
				var files []string
				for _, sn := range sns {
					files = append(files, l.specPath(sn))
				}
				l.lib.prefetchFiles(files)
			}
			for _, sn := range sns {
				l.spec(sn)
			}
		case "workload":
			// A workload for the executor: read by `calmcheck run`.
		default:
			l.UnknownKey(kn, key, "the file", KnownKeys("file"))
		}
	})
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
	pos := l.Pos(kn)
	if !validModuleName(name) {
		l.diags.errorf("schema", pos, "module name %q must be CamelCase: a capital letter, then letters, digits or _", name)
		return
	}
	m := &Module{Name: name, Pos: pos, File: l.Name(), Builtin: l.builtin}
	vn = YAMLResolve(vn)
	if !(vn.Kind == yaml.ScalarNode && vn.Tag == "!!null") {
		l.Mapping(vn, "module "+name, func(key string, kn, vn *yaml.Node) {
			switch key {
			case "doc":
				if s, ok := l.Str(vn, "doc"); ok {
					m.Doc = strings.TrimSpace(s)
				}
			case "include":
				for _, in := range l.Strings(vn, "include") {
					m.Includes = append(m.Includes, Ref{Name: in.Value, Pos: l.Pos(in)})
				}
			case "import":
				l.imports(m, vn)
			case "state":
				for _, sn := range l.List(vn, "state") {
					d, ds := l.parseDecl(sn)
					l.diags.ds = append(l.diags.ds, ds...)
					if d != nil {
						d.Module = name
						m.State = append(m.State, d)
					}
				}
			case "rules":
				l.Mapping(vn, "rules of "+name, func(block string, bk, bv *yaml.Node) {
					l.block(m, block, bk, bv)
				})
			case "coordination":
				m.Coordination = l.coordination(kn, vn, name, "")
			case "seals":
				l.seals(m, vn)
			case "contract":
				l.contract(m, vn)
			default:
				l.UnknownKey(kn, key, "module "+name, KnownKeys("module"))
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

// imports reads `import: {bed: BestEffortDelivery}`; an entry may also be
// written long, `bed: {module: BestEffortDelivery}`.
func (l *fileLoader) imports(m *Module, vn *yaml.Node) {
	l.Mapping(vn, "the imports of "+m.Name, func(name string, kn, vn *yaml.Node) {
		im := Import{Name: name, Pos: l.Pos(kn)}
		if !validInstanceName(name) {
			l.diags.errorf("schema", im.Pos, "instance name %q must start with a lowercase letter, then letters, digits or _ (it qualifies the instance's collections: %s.pipe_in)", name, name)
			return
		}
		mn := YAMLResolve(vn)
		if mn.Kind == yaml.MappingNode {
			var modNode *yaml.Node
			l.Mapping(mn, "the import "+name, func(key string, kn, vn *yaml.Node) {
				switch key {
				case "module":
					modNode = vn
				default:
					l.UnknownKey(kn, key, "the import "+name, KnownKeys("import"))
				}
			})
			if modNode == nil {
				l.diags.errorf("schema", im.Pos, "the import %s needs a module: `%s: {module: SomeModule}`", name, name)
				return
			}
			mn = YAMLResolve(modNode)
		}
		s, ok := l.Str(mn, "the import "+name)
		if !ok {
			return
		}
		im.Module, im.ModulePos = strings.TrimSpace(s), l.Pos(mn)
		if !validModuleName(im.Module) {
			l.diags.errorf("schema", im.ModulePos, "the import %s names %q, which is not a module name (CamelCase)", name, im.Module)
			return
		}
		m.Imports = append(m.Imports, im)
	})
}

// validInstanceName reports whether s can name an imported instance: a
// lowercase-initial name of letters, digits and _ (no '.'), not a keyword
// of the rule language.
func validInstanceName(s string) bool {
	if s == "" || s == "notin" || s == "true" || s == "false" {
		return false
	}
	for i, r := range s {
		if i == 0 && !unicode.IsLower(r) {
			return false
		}
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

func (l *fileLoader) block(m *Module, name string, kn, vn *yaml.Node) {
	b := &Block{Name: name, Pos: l.Pos(kn), Module: m.Name, Rules: []*Rule{}}
	vn = YAMLResolve(vn)
	var rulesNode *yaml.Node
	switch vn.Kind {
	case yaml.SequenceNode:
		rulesNode = vn
	case yaml.MappingNode:
		// Long form: {coordination: {...}, coordinated: "why", rules: [...]}
		l.Mapping(vn, "block "+name, func(key string, kn, vn *yaml.Node) {
			switch key {
			case "rules":
				rulesNode = YAMLResolve(vn)
			case "coordinated":
				if s, ok := l.Str(vn, "coordinated"); ok {
					b.Ack, b.AckPos = strings.TrimSpace(s), l.Pos(kn)
				}
			case "coordination":
				b.Coordination = l.coordination(kn, vn, m.Name, name)
			default:
				l.UnknownKey(kn, key, "block "+name, KnownKeys("block"))
			}
		})
		if rulesNode == nil {
			l.diags.errorf("schema", b.Pos, "block %q has no rules key", name)
			return
		}
		if rulesNode.Kind != yaml.SequenceNode {
			l.Errorf(rulesNode, "rules of block %q must be a list, found %s", name, YAMLKindName(rulesNode))
			return
		}
	case yaml.ScalarNode:
		if vn.Tag == "!!null" {
			l.diags.errorf("schema", b.Pos, "block %q has no rules: write `%s: []` for an empty block", name, name)
			return
		}
		fallthrough
	default:
		l.Errorf(vn, "block %q must be a list of rules, found %s", name, YAMLKindName(vn))
		return
	}
	for i, rn := range rulesNode.Content {
		rn = YAMLResolve(rn)
		text, ack := rn, ""
		var ackPos Pos
		if rn.Kind == yaml.MappingNode {
			// Long form of a rule: {rule: "...", coordinated: "why"}
			text = nil
			l.Mapping(rn, "a rule", func(key string, kn, vn *yaml.Node) {
				switch key {
				case "rule":
					if _, ok := l.Str(vn, "rule"); ok {
						text = YAMLResolve(vn)
					}
				case "coordinated":
					if s, ok := l.Str(vn, "coordinated"); ok {
						ack, ackPos = strings.TrimSpace(s), l.Pos(kn)
					}
				default:
					l.UnknownKey(kn, key, "a rule", KnownKeys("rule"))
				}
			})
			if text == nil {
				l.Errorf(rn, "a rule written as a mapping needs a rule key")
				continue
			}
		} else if rn.Kind != yaml.ScalarNode || rn.Tag == "!!null" {
			l.Errorf(rn, "each rule of block %s must be a string, found %s", name, YAMLKindName(rn))
			continue
		}
		r, ds := l.parseRule(text)
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
	pos := l.Pos(kn)
	if !validProgramName(name) {
		l.diags.errorf("schema", pos, "program name %q may only hold letters, digits, '-', '_' and '.'", name)
		return
	}
	p := &ProgramSpec{Name: name, Pos: pos, Builtin: l.builtin}
	vn = YAMLResolve(vn)
	if vn.Kind == yaml.SequenceNode || vn.Kind == yaml.ScalarNode && vn.Tag != "!!null" {
		// Short form: programs: {name: [ModA, ModB]}
		for _, mn := range l.Strings(vn, "program "+name) {
			p.Modules = append(p.Modules, Ref{Name: mn.Value, Pos: l.Pos(mn)})
		}
	} else {
		l.Mapping(vn, "program "+name, func(key string, kn, vn *yaml.Node) {
			switch key {
			case "doc":
				if s, ok := l.Str(vn, "doc"); ok {
					p.Doc = strings.TrimSpace(s)
				}
			case "modules":
				for _, mn := range l.Strings(vn, "modules") {
					for _, part := range strings.Split(mn.Value, ",") {
						if part = strings.TrimSpace(part); part != "" {
							p.Modules = append(p.Modules, Ref{Name: part, Pos: l.Pos(mn)})
						}
					}
				}
			case "expect":
				l.expect(p, vn)
			default:
				l.UnknownKey(kn, key, "program "+name, KnownKeys("program"))
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
	vn = YAMLResolve(vn)
	if vn.Kind != yaml.SequenceNode {
		l.Errorf(vn, "expect must be a list of findings, found %s", YAMLKindName(vn))
		return
	}
	for _, en := range vn.Content {
		e := Expect{Pos: l.Pos(en)}
		l.Mapping(en, "an expected finding", func(key string, kn, vn *yaml.Node) {
			s, ok := l.Str(vn, key)
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
				l.UnknownKey(kn, key, "an expected finding", KnownKeys("expect"))
			}
		})
		if e.Check == "" {
			l.diags.errorf("schema", e.Pos, "an expected finding needs a check")
			continue
		}
		p.Expect = append(p.Expect, e)
	}
}

// specPath is the path a specs: entry names, relative to the file.
func (l *fileLoader) specPath(sn *yaml.Node) string {
	if filepath.IsAbs(sn.Value) {
		return sn.Value
	}
	return filepath.Join(l.dir, sn.Value)
}

func (l *fileLoader) spec(sn *yaml.Node) {
	if l.builtin {
		return // the embedded library is loaded whole
	}
	p := l.specPath(sn)
	ds := l.lib.LoadPath(p)
	for i := range ds {
		if ds[i].Check == "io" && ds[i].Pos.File == p {
			ds[i].Pos = l.Pos(sn)
			ds[i].Message = fmt.Sprintf("specs entry %q: %s", sn.Value, ds[i].Message)
		}
	}
	l.diags.ds = append(l.diags.ds, ds...)
}
