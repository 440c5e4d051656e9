package executor

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/calmcheck/calmcheck/modules"
	"gopkg.in/yaml.v3"
)

// Reading workload files (docs/semantics.md, "Workloads") and facts:
// the text side of a workload; workload.go binds one to a program.

// LoadWorkload reads a workload file.
func LoadWorkload(path string) (*Workload, modules.Diagnostics) {
	data, ds := modules.ReadFile(path)
	if ds != nil {
		return nil, ds
	}
	return ParseWorkload(path, data)
}

// ParseWorkload parses the workload: key of a YAML file (name is used in
// positions). The file's other keys (modules, programs, specs) belong to
// the spec loader and are ignored here.
func ParseWorkload(name string, data []byte) (*Workload, modules.Diagnostics) {
	p := &wparser{YAMLFile: modules.NewYAMLFile(name, data, "workload")}
	w := p.parse()
	ds := p.Diagnostics()
	if ds.HasErrors() {
		return nil, ds
	}
	return w, ds
}

// wparser reads a workload through the spec loader's YAML reader, which
// keeps positions and enforces the input limits.
type wparser struct {
	*modules.YAMLFile
}

func (p *wparser) errorAt(pos modules.Pos, format string, args ...any) {
	p.Report(modules.Diagnostic{Pos: pos, Severity: modules.Error, Check: "workload", Message: fmt.Sprintf(format, args...)})
}

func (p *wparser) parse() *Workload {
	doc := p.Decode()
	if doc == nil {
		if !p.Diagnostics().HasErrors() {
			p.errorAt(modules.Pos{File: p.Name(), Line: 1, Col: 1}, "the file is empty: a workload file has `workload:` with program, nodes, inputs, ...")
		}
		return nil
	}
	root := doc
	if root.Kind != yaml.MappingNode {
		p.Errorf(root, "a workload file must be a mapping with a workload key")
		return nil
	}
	var wn, wk *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := modules.YAMLResolve(root.Content[i]); k.Kind == yaml.ScalarNode && k.Value == "workload" {
			wk, wn = k, modules.YAMLResolve(root.Content[i+1])
		}
	}
	if wn == nil {
		p.Errorf(root, "no workload key in this file (a workload file has `workload:` with program, nodes, inputs, ...)")
		return nil
	}
	base := filepath.Base(p.Name())
	w := &Workload{Name: strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml"), File: p.Name(), Pos: p.Pos(wk)}
	if wn.Kind != yaml.MappingNode {
		p.Errorf(wn, "workload must be a mapping (program, nodes, facts, inputs, network), found %s", modules.YAMLKindName(wn))
		return nil
	}
	var nodesNode *yaml.Node
	p.Mapping(wn, "the workload", func(key string, kn, vn *yaml.Node) {
		switch key {
		case "doc":
			if s, ok := p.Str(vn, "doc"); ok {
				w.Doc = strings.TrimSpace(s)
			}
		case "program":
			if s, ok := p.Str(vn, "program"); ok {
				w.Program, w.ProgramPos = s, p.Pos(vn)
			}
		case "modules":
			for _, m := range p.Strings(vn, "modules") {
				for _, part := range strings.Split(m.Value, ",") {
					if part = strings.TrimSpace(part); part != "" {
						w.Modules = append(w.Modules, modules.Ref{Name: part, Pos: p.Pos(m)})
					}
				}
			}
		case "nodes":
			nodesNode = vn
			seen := map[string]modules.Pos{}
			for _, n := range p.Strings(vn, "nodes") {
				if n.Value == "" {
					p.Errorf(n, "a node address must not be empty")
					continue
				}
				if strings.ContainsFunc(n.Value, func(r rune) bool { return !unicode.IsPrint(r) }) {
					p.Errorf(n, "a node address must be printable (no control characters or line breaks): %q", n.Value)
					continue
				}
				if prev, dup := seen[n.Value]; dup {
					p.Errorf(n, "duplicate node %q (first at %s)", n.Value, prev)
					continue
				}
				seen[n.Value] = p.Pos(n)
				w.Nodes = append(w.Nodes, n.Value)
				w.NodePos = append(w.NodePos, p.Pos(n))
			}
		case "facts":
			p.Mapping(vn, "facts", func(node string, kn, vn *yaml.Node) {
				for _, f := range p.Strings(vn, "the facts of "+node) {
					if fact, ok := p.fact(f); ok {
						w.Facts = append(w.Facts, WorkloadFact{Node: node, Fact: fact, Pos: p.Pos(f)})
					}
				}
			})
		case "inputs":
			p.inputs(w, vn)
		case "network":
			p.network(w, vn)
		case "max_ticks":
			if n, ok := p.int(vn, "max_ticks", 1, math.MaxInt32); ok {
				w.MaxTicks = n
			}
		default:
			p.Errorf(kn, "unknown key %q in the workload (known keys: %s)", key, modules.KnownKeys("workload"))
		}
	})
	if w.Program == "" && len(w.Modules) == 0 {
		p.Errorf(wk, "the workload names no program: add `program: NAME` or `modules: [A, B]`")
	}
	if w.Program != "" && len(w.Modules) > 0 {
		p.Errorf(wk, "the workload names both a program and modules; give one of them")
	}
	if len(w.Nodes) == 0 {
		at := wk
		if nodesNode != nil {
			at = nodesNode
		}
		p.Errorf(at, "the workload has no nodes: add `nodes: [a, b]` (the addresses)")
	}
	if w.Network.Policy == "" {
		w.Network.Policy = PolicyFIFO
		if w.Network.Delay != [2]int{} {
			w.Network.Policy = PolicyRandom
		}
	}
	if w.Network.Policy == PolicyFIFO {
		w.Network.Delay = [2]int{1, 1}
	} else if w.Network.Delay == [2]int{} {
		w.Network.Delay = DefaultRandomDelay
	}
	return w
}

func (p *wparser) int(n *yaml.Node, what string, lo, hi int) (int, bool) {
	n = modules.YAMLResolve(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.Errorf(n, "%s must be an integer, found %s", what, describeScalar(n))
		return 0, false
	}
	v, err := strconv.ParseInt(n.Value, 0, 64)
	if err != nil || v < int64(lo) || v > int64(hi) {
		p.Errorf(n, "%s must be an integer from %d to %d, found %s", what, lo, hi, n.Value)
		return 0, false
	}
	return int(v), true
}

func (p *wparser) prob(n *yaml.Node, what string) (float64, bool) {
	n = modules.YAMLResolve(n)
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!float" && n.Tag != "!!int") {
		p.Errorf(n, "%s must be a probability from 0 to 1, found %s", what, describeScalar(n))
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || !(v >= 0 && v <= 1) {
		p.Errorf(n, "%s must be a probability from 0 to 1, found %s", what, n.Value)
		return 0, false
	}
	return v, true
}

func describeScalar(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return strconv.Quote(n.Value)
	}
	return modules.YAMLKindName(n)
}

func (p *wparser) inputs(w *Workload, n *yaml.Node) {
	n = modules.YAMLResolve(n)
	if n.Kind != yaml.SequenceNode {
		p.Errorf(n, "inputs must be a list of {node, tick, fact} entries, found %s", modules.YAMLKindName(n))
		return
	}
	for _, e := range n.Content {
		e = modules.YAMLResolve(e)
		var node string
		tick := 0
		var facts []*yaml.Node
		hasNode, hasTick := false, false
		p.Mapping(e, "an input", func(key string, kn, vn *yaml.Node) {
			switch key {
			case "node":
				node, hasNode = p.Str(vn, "node")
			case "tick":
				hasTick = true
				tick, _ = p.int(vn, "tick", 1, math.MaxInt32)
			case "fact", "facts":
				facts = append(facts, p.Strings(vn, key)...)
			default:
				p.Errorf(kn, "unknown key %q in an input (known keys: %s)", key, modules.KnownKeys("input"))
			}
		})
		if e.Kind != yaml.MappingNode {
			continue
		}
		if !hasNode || !hasTick || len(facts) == 0 {
			var missing []string
			if !hasNode {
				missing = append(missing, "node")
			}
			if !hasTick {
				missing = append(missing, "tick")
			}
			if len(facts) == 0 {
				missing = append(missing, "fact")
			}
			p.Errorf(e, "an input needs node, tick and fact; missing %s", strings.Join(missing, ", "))
			continue
		}
		for _, f := range facts {
			if fact, ok := p.fact(f); ok {
				w.Inputs = append(w.Inputs, WorkloadFact{Node: node, Tick: tick, Fact: fact, Pos: p.Pos(f)})
			}
		}
	}
}

func (p *wparser) network(w *Workload, n *yaml.Node) {
	p.Mapping(n, "network", func(key string, kn, vn *yaml.Node) {
		switch key {
		case "policy":
			if s, ok := p.Str(vn, "policy"); ok {
				if s != PolicyFIFO && s != PolicyRandom {
					p.Errorf(vn, "unknown policy %q (want fifo or random)", s)
					return
				}
				w.Network.Policy = s
			}
		case "delay":
			vn = modules.YAMLResolve(vn)
			if vn.Kind != yaml.SequenceNode || len(vn.Content) != 2 {
				p.Errorf(vn, "delay must be [min, max] in timesteps, found %s", modules.YAMLKindName(vn))
				return
			}
			lo, ok1 := p.int(vn.Content[0], "the least delay", 1, MaxDelay)
			hi, ok2 := p.int(vn.Content[1], "the greatest delay", 1, MaxDelay)
			if ok1 && ok2 {
				if lo > hi {
					p.Errorf(vn, "delay [%d, %d]: the least delay is greater than the greatest", lo, hi)
					return
				}
				w.Network.Delay = [2]int{lo, hi}
			}
		case "duplicate":
			if v, ok := p.prob(vn, "duplicate"); ok {
				w.Network.Duplicate = v
			}
		case "drop":
			if v, ok := p.prob(vn, "drop"); ok {
				w.Network.Drop = v
			}
		default:
			p.Errorf(kn, "unknown key %q in network (known keys: %s)", key, modules.KnownKeys("network"))
		}
	})
	if w.Network.Policy == PolicyFIFO && w.Network.Delay != [2]int{} && w.Network.Delay != [2]int{1, 1} {
		p.Errorf(n, "the fifo policy delivers in the next timestep; a delay range needs policy: random")
	}
}

func (p *wparser) fact(n *yaml.Node) (Fact, bool) {
	f, err := ParseFact(n.Value)
	if err != nil {
		p.errorAt(p.ScalarPos(n)(err.Off), "%s", err.Msg)
		return Fact{}, false
	}
	return f, true
}

// FactError is an error in a fact, at a byte offset of its text.
type FactError struct {
	Off int
	Msg string
}

func (e *FactError) Error() string { return fmt.Sprintf("offset %d: %s", e.Off, e.Msg) }

// ParseFact parses a fact written as a rule head with constant arguments:
// name(arg, ...) where an argument is an integer, a string in double
// quotes (escapes \" \\ \n \t), true, false, a list [a, b] of those, or a
// bare lowercase name, which stands for the string of that name (so that
// node addresses read as in members(r2)).
func ParseFact(src string) (Fact, *FactError) {
	fp := &factParser{src: src}
	f, err := fp.parse()
	if err != nil {
		return Fact{}, err
	}
	return f, nil
}

type factParser struct {
	src string
	off int
}

func (fp *factParser) errf(off int, format string, args ...any) *FactError {
	return &FactError{Off: off, Msg: fmt.Sprintf(format, args...)}
}

func (fp *factParser) skip() {
	for fp.off < len(fp.src) && strings.IndexByte(" \t\r\n", fp.src[fp.off]) >= 0 {
		fp.off++
	}
}

func (fp *factParser) ident() string {
	start := fp.off
	for fp.off < len(fp.src) {
		r, w := utf8.DecodeRuneInString(fp.src[fp.off:])
		if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		fp.off += w
	}
	return fp.src[start:fp.off]
}

func (fp *factParser) parse() (Fact, *FactError) {
	fp.skip()
	start := fp.off
	name := fp.ident()
	if name == "" {
		return Fact{}, fp.errf(fp.off, "expected a fact such as members(\"r2\"): a collection name, then constant arguments in parentheses")
	}
	if r, _ := utf8.DecodeRuneInString(name); !unicode.IsLower(r) {
		return Fact{}, fp.errf(start, "expected a collection name (lowercase), found %q", name)
	}
	// A qualified name (bed.pipe_in) names a collection of an imported
	// instance.
	for fp.off < len(fp.src) && fp.src[fp.off] == '.' {
		fp.off++
		seg := fp.ident()
		if r, _ := utf8.DecodeRuneInString(seg); !unicode.IsLower(r) {
			return Fact{}, fp.errf(fp.off-len(seg), "expected a collection name (lowercase) after '.' in %q", fp.src[start:fp.off])
		}
		name = fp.src[start:fp.off]
	}
	f := Fact{Collection: name, Args: []Value{}}
	fp.skip()
	if fp.off == len(fp.src) {
		return f, nil // a bare name: a fact of no columns
	}
	if fp.src[fp.off] != '(' {
		return Fact{}, fp.errf(fp.off, "expected '(' after %s", name)
	}
	fp.off++
	fp.skip()
	if fp.off < len(fp.src) && fp.src[fp.off] == ')' {
		fp.off++
	} else {
		for {
			v, err := fp.value(0)
			if err != nil {
				return Fact{}, err
			}
			f.Args = append(f.Args, v)
			fp.skip()
			if fp.off < len(fp.src) && fp.src[fp.off] == ',' {
				fp.off++
				continue
			}
			if fp.off < len(fp.src) && fp.src[fp.off] == ')' {
				fp.off++
				break
			}
			return Fact{}, fp.errf(fp.off, "expected ',' or ')' in the arguments of %s", name)
		}
	}
	fp.skip()
	if fp.off != len(fp.src) {
		return Fact{}, fp.errf(fp.off, "unexpected text after the fact: %q", fp.src[fp.off:])
	}
	return f, nil
}

func (fp *factParser) value(depth int) (Value, *FactError) {
	fp.skip()
	if depth > 100 {
		return Value{}, fp.errf(fp.off, "lists nested deeper than 100 levels")
	}
	if fp.off >= len(fp.src) {
		return Value{}, fp.errf(fp.off, "expected a value, found the end of the fact")
	}
	start := fp.off
	c := fp.src[fp.off]
	switch {
	case c == '"':
		return fp.str()
	case c == '[':
		fp.off++
		fp.skip()
		elems := []Value{}
		if fp.off < len(fp.src) && fp.src[fp.off] == ']' {
			fp.off++
			return Value{kind: ListKind, l: elems}, nil
		}
		for {
			v, err := fp.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			elems = append(elems, v)
			fp.skip()
			if fp.off < len(fp.src) && fp.src[fp.off] == ',' {
				fp.off++
				continue
			}
			if fp.off < len(fp.src) && fp.src[fp.off] == ']' {
				fp.off++
				return Value{kind: ListKind, l: elems}, nil
			}
			return Value{}, fp.errf(fp.off, "expected ',' or ']' in a list")
		}
	case c == '-' || (c >= '0' && c <= '9'):
		fp.off++
		for fp.off < len(fp.src) && fp.src[fp.off] >= '0' && fp.src[fp.off] <= '9' {
			fp.off++
		}
		n, err := strconv.ParseInt(fp.src[start:fp.off], 10, 64)
		if err != nil {
			return Value{}, fp.errf(start, "integer %s out of range (64 bits)", fp.src[start:fp.off])
		}
		return Int(n), nil
	}
	r, _ := utf8.DecodeRuneInString(fp.src[fp.off:])
	if r == '_' || unicode.IsLetter(r) {
		id := fp.ident()
		switch {
		case id == "true":
			return Bool(true), nil
		case id == "false":
			return Bool(false), nil
		case r == '_' || unicode.IsUpper(r):
			return Value{}, fp.errf(start, "a fact takes constants, but %s is a variable", id)
		}
		fp.skip()
		if fp.off < len(fp.src) && fp.src[fp.off] == '(' {
			return Value{}, fp.errf(start, "a fact takes constants, not function calls (%s(...))", id)
		}
		return Str(id), nil
	}
	return Value{}, fp.errf(start, "expected a value (integer, \"string\", true, false, [list] or a name), found %q", string(r))
}

func (fp *factParser) str() (Value, *FactError) {
	start := fp.off
	fp.off++
	var b strings.Builder
	for fp.off < len(fp.src) {
		c := fp.src[fp.off]
		switch c {
		case '"':
			fp.off++
			return Str(b.String()), nil
		case '\\':
			if fp.off+1 >= len(fp.src) {
				return Value{}, fp.errf(start, "string not terminated")
			}
			switch e := fp.src[fp.off+1]; e {
			case '"', '\\':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				return Value{}, fp.errf(fp.off, "unknown escape %q in string", fp.src[fp.off:fp.off+2])
			}
			fp.off += 2
		default:
			b.WriteByte(c)
			fp.off++
		}
	}
	return Value{}, fp.errf(start, "string not terminated")
}
