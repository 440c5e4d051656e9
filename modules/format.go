package modules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FormatWidth is the column at which Format wraps docs.
const FormatWidth = 80

// Format returns the canonical layout of a spec file: keys in a fixed
// order, two-space indentation, declarations and rules rendered by the
// parser (one rule per line, one space around operators and after
// commas, kinds aligned), includes and module lists as flow lists, docs
// folded at FormatWidth columns, a blank line between modules and between
// programs. Comments are kept. A workload (a top-level workload key, alone
// or beside modules and programs) is laid out too: its keys in a fixed
// order, nodes and module lists as flow lists, one input per line as a
// flow mapping, the network as one flow mapping. A file with errors is not formatted: the
// diagnostics are returned instead. Format is idempotent, and it checks
// that the result means exactly what the input meant.
func Format(name string, src []byte) ([]byte, Diagnostics) {
	lib := NewLibrary()
	if ds := lib.LoadData(name, src).Errors(); len(ds) > 0 {
		return nil, ds
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return src, nil // empty file: nothing to format
	}
	f := &formatter{}
	f.comment(doc.HeadComment, 0)
	if doc.HeadComment != "" {
		f.buf.WriteByte('\n')
	}
	root := doc.Content[0]
	if root.Kind == yaml.MappingNode {
		f.comment(root.HeadComment, 0)
		f.mapping(root, 0, "top")
	} else {
		f.buf.Write(src) // null document: keep as is
		return src, nil
	}
	if foot := strings.Trim(root.FootComment+"\n"+doc.FootComment, "\n"); foot != "" {
		f.buf.WriteByte('\n')
		f.comment(foot, 0)
	}
	out := f.buf.Bytes()
	if err := sameMeaning(name, src, out); err != nil {
		return nil, Diagnostics{{Pos: Pos{File: name, Line: 1, Col: 1}, Severity: Error, Check: "fmt",
			Message: fmt.Sprintf("internal error: the formatted file would mean something else (%v); not formatting it, please report this", err)}}
	}
	return out, nil
}

type formatter struct {
	buf bytes.Buffer
}

func (f *formatter) indent(n int) { f.buf.WriteString(strings.Repeat(" ", n)) }

// comment writes a comment block (yaml.v3 keeps the # marks) at indent.
func (f *formatter) comment(c string, indent int) {
	if c == "" {
		return
	}
	for _, line := range strings.Split(c, "\n") {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			f.buf.WriteByte('\n')
			continue
		}
		f.indent(indent)
		f.buf.WriteString(line)
		f.buf.WriteByte('\n')
	}
}

// lineComment ends the current line with c, if any.
func (f *formatter) lineComment(cs ...string) {
	for _, c := range cs {
		if c != "" {
			f.buf.WriteString("  ")
			f.buf.WriteString(strings.ReplaceAll(c, "\n", " "))
		}
	}
	f.buf.WriteByte('\n')
}

// keyOrder is the key order of each formatting context: MappingKeys,
// under the names of fmt's contexts.
var keyOrder = map[string][]string{
	"top":          MappingKeys["file"],
	"module":       MappingKeys["module"],
	"importlong":   MappingKeys["import"],
	"program":      MappingKeys["program"],
	"blocklong":    MappingKeys["block"],
	"rulelong":     MappingKeys["rule"],
	"expect":       MappingKeys["expect"],
	"coordination": MappingKeys["coordination"],
	"seal":         MappingKeys["seal"],
	"workload":     MappingKeys["workload"],
	"input":        MappingKeys["input"],
	"network":      MappingKeys["network"],
}

// childContext names the context of a mapping value.
func childContext(ctx, key string) string {
	switch ctx {
	case "top":
		switch key {
		case "modules", "programs", "workload":
			return key
		case "specs":
			return "flowlist"
		}
		return "raw"
	case "workload":
		switch key {
		case "doc":
			return "doc"
		case "program", "max_ticks":
			return "scalar"
		case "modules", "nodes":
			return "flowlist"
		case "facts":
			return "facts"
		case "inputs":
			return "inputlist"
		case "network":
			return "network"
		}
		return "raw"
	case "facts":
		return "flowlist"
	case "network":
		if key == "delay" {
			return "flowlist"
		}
		return "scalar"
	case "input":
		return "flowscalar"
	case "modules":
		return "module"
	case "module":
		switch key {
		case "doc":
			return "doc"
		case "include":
			return "flowlist"
		case "import":
			return "imports"
		case "state":
			return "state"
		case "rules":
			return "rules"
		case "coordination":
			return "coordination"
		case "seals":
			return "seallist"
		case "contract":
			return "contract"
		}
	case "rules":
		return "block"
	case "coordination":
		if key == "on" {
			return "flowlist"
		}
		return "scalar"
	case "seal":
		if key == "key" {
			return "flowlist"
		}
		return "scalar"
	case "contract":
		return "scalar"
	case "imports":
		return "importlong"
	case "importlong":
		return "scalar"
	case "blocklong":
		switch key {
		case "rules":
			return "rulelist"
		case "coordination":
			return "coordination"
		}
		return "doc"
	case "rulelong":
		if key == "rule" {
			return "rule"
		}
		return "doc"
	case "programs":
		return "program"
	case "program":
		switch key {
		case "doc":
			return "doc"
		case "modules":
			return "flowlist"
		case "expect":
			return "expectlist"
		}
	case "expect":
		return "flowscalar"
	}
	return "raw"
}

// pairs returns a mapping's key/value pairs in the context's key order.
func pairs(n *yaml.Node, ctx string) [][2]*yaml.Node {
	var ps [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		ps = append(ps, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	if order, ok := keyOrder[ctx]; ok {
		rank := func(k string) int {
			for i, o := range order {
				if o == k {
					return i
				}
			}
			return len(order)
		}
		sort.SliceStable(ps, func(i, j int) bool { return rank(ps[i][0].Value) < rank(ps[j][0].Value) })
	}
	return ps
}

func (f *formatter) mapping(n *yaml.Node, indent int, ctx string) {
	ps := pairs(n, ctx)
	var header *yaml.Node
	footer := ""
	if ctx == "top" && len(n.Content) >= 2 {
		// The comment above the file's first key is the file's header, the
		// comments after its last content the file's footer: they stay in
		// place when the keys are reordered.
		header = n.Content[0]
		f.comment(header.HeadComment, 0)
		footer = takeTrailing(n)
	}
	for i, p := range ps {
		k, v := p[0], p[1]
		if i > 0 && (ctx == "top" || ctx == "modules" || ctx == "programs") {
			f.buf.WriteByte('\n')
		}
		if k != header {
			f.comment(k.HeadComment, indent)
		}
		f.indent(indent)
		key := k.Value
		if ctx == "contract" {
			// "a  ->b" is "a -> b"
			if in, out, ok := strings.Cut(key, "->"); ok {
				key = strings.TrimSpace(in) + " -> " + strings.TrimSpace(out)
			}
		}
		f.buf.WriteString(f.key(key))
		f.buf.WriteByte(':')
		f.value(k, v, indent, childContext(ctx, k.Value))
		f.comment(k.FootComment, indent)
	}
	if footer != "" {
		f.buf.WriteByte('\n')
		f.comment(footer, 0)
	}
}

// takeTrailing removes and returns the foot comments along the chain of
// last entries of n (where yaml.v3 puts the comments at the end of a
// file), deepest first.
func takeTrailing(n *yaml.Node) string {
	var parts []string
	for n != nil {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			if len(n.Content) >= 2 {
				k := n.Content[len(n.Content)-2]
				if k.FootComment != "" {
					parts = append(parts, k.FootComment)
					k.FootComment = ""
				}
				next = n.Content[len(n.Content)-1]
			}
		case yaml.SequenceNode:
			if len(n.Content) > 0 {
				next = n.Content[len(n.Content)-1]
			}
		}
		if n.FootComment != "" {
			parts = append(parts, n.FootComment)
			n.FootComment = ""
		}
		n = next
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "\n")
}

// value writes the value of key k (after "key:"), in context ctx.
func (f *formatter) value(k, v *yaml.Node, indent int, ctx string) {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	switch {
	case ctx == "raw":
		f.raw(k, v, indent)
		return
	case ctx == "block" && v.Kind == yaml.MappingNode:
		ctx = "blocklong"
	case ctx == "block":
		ctx = "rulelist"
	case ctx == "program" && v.Kind != yaml.MappingNode:
		ctx = "flowlist"
	}
	switch v.Kind {
	case yaml.MappingNode:
		if (ctx == "coordination" || ctx == "network") && flowable(v) && len(v.Content) > 0 {
			f.buf.WriteString(" " + f.flowMapping(v, ctx))
			f.lineComment(k.LineComment, v.LineComment)
			return
		}
		if len(v.Content) == 0 {
			f.buf.WriteString(" {}")
			f.lineComment(k.LineComment, v.LineComment)
			return
		}
		f.lineComment(k.LineComment, v.LineComment)
		f.comment(v.HeadComment, indent+2)
		f.mapping(v, indent+2, ctx)
		f.comment(v.FootComment, indent+2)
	case yaml.SequenceNode:
		if ctx == "flowlist" || len(v.Content) == 0 {
			if ctx == "flowlist" && f.flowList(v, indent) {
				f.lineComment(k.LineComment, v.LineComment)
				return
			}
			if len(v.Content) == 0 {
				f.buf.WriteString(" []")
				f.lineComment(k.LineComment, v.LineComment)
				return
			}
		}
		f.lineComment(k.LineComment, v.LineComment)
		f.comment(v.HeadComment, indent+2)
		f.sequence(v, indent+2, ctx)
		f.comment(v.FootComment, indent+2)
	default:
		if v.Tag == "!!null" {
			// An empty value (a module with nothing in it yet) stays empty.
			f.lineComment(k.LineComment, v.LineComment)
			return
		}
		if ctx == "flowlist" {
			// include: A is a list of one.
			f.buf.WriteString(" [" + f.flowScalar(v) + "]")
			f.lineComment(k.LineComment, v.LineComment)
			return
		}
		text := v.Value
		if ctx == "doc" {
			text = strings.TrimSpace(text) // as the loader reads docs
		}
		if ctx == "rule" {
			if r, ds := ParseRule(text, nil); len(ds) == 0 {
				text = r.String()
			}
		}
		f.buf.WriteByte(' ')
		if typedPlain(v) && ctx != "doc" && ctx != "rule" {
			f.buf.WriteString(v.Value) // a number or a bool stays one
		} else {
			f.scalar(text, indent+2, ctx == "doc")
		}
		f.lineComment(k.LineComment, v.LineComment)
	}
}

// flowList writes [a, b] when every item is a plain scalar without
// comments and the line fits; it reports whether it did.
func (f *formatter) flowList(v *yaml.Node, indent int) bool {
	var items []string
	for _, c := range v.Content {
		if c.Kind != yaml.ScalarNode || c.HeadComment != "" || c.LineComment != "" || c.FootComment != "" {
			return false
		}
		items = append(items, f.flowScalar(c))
	}
	line := " [" + strings.Join(items, ", ") + "]"
	if indent+len(line) > FormatWidth+20 {
		return false
	}
	f.buf.WriteString(line)
	return true
}

func (f *formatter) sequence(n *yaml.Node, indent int, ctx string) {
	itemCtx := "raw"
	switch ctx {
	case "state":
		itemCtx = "decl"
	case "rulelist":
		itemCtx = "rule"
	case "expectlist":
		itemCtx = "expect"
	case "seallist":
		itemCtx = "seal"
	case "flowlist":
		itemCtx = "flowscalar"
	case "inputlist":
		itemCtx = "input"
	}
	width := 0
	if itemCtx == "decl" {
		for _, c := range n.Content {
			if d, ds := ParseDecl(c.Value, nil); len(ds) == 0 {
				width = max(width, len(d.KindWord()))
			}
		}
	}
	for _, c := range n.Content {
		if c.Kind == yaml.AliasNode && c.Alias != nil {
			c = c.Alias
		}
		f.comment(c.HeadComment, indent)
		if c.Kind == yaml.MappingNode && len(c.Content) > 0 && itemCtx == "rule" {
			f.comment(pairs(c, "rulelong")[0][0].HeadComment, indent)
		}
		f.indent(indent)
		f.buf.WriteString("- ")
		switch {
		case (itemCtx == "expect" || itemCtx == "seal" || itemCtx == "input") && c.Kind == yaml.MappingNode && flowable(c):
			f.buf.WriteString(f.flowMapping(c, itemCtx))
			f.lineComment(c.LineComment)
		case itemCtx == "rule" && c.Kind == yaml.MappingNode:
			// Long form of a rule: the first key on the dash's line.
			ps := pairs(c, "rulelong")
			for i, p := range ps {
				if i > 0 {
					f.comment(p[0].HeadComment, indent+2)
					f.indent(indent + 2)
				}
				f.buf.WriteString(f.key(p[0].Value) + ":")
				f.value(p[0], p[1], indent+2, childContext("rulelong", p[0].Value))
			}
		case c.Kind == yaml.ScalarNode:
			text := c.Value
			switch itemCtx {
			case "decl":
				if d, ds := ParseDecl(text, nil); len(ds) == 0 {
					kind := d.KindWord()
					text = kind + strings.Repeat(" ", width-len(kind)+1) + strings.TrimPrefix(d.String(), kind+" ")
				}
			case "rule":
				if r, ds := ParseRule(text, nil); len(ds) == 0 {
					text = r.String()
				}
			}
			if typedPlain(c) && itemCtx != "rule" && itemCtx != "decl" {
				f.buf.WriteString(text)
			} else {
				f.scalar(text, indent+2, false)
			}
			f.lineComment(c.LineComment)
		default:
			f.raw(nil, c, indent)
		}
		f.comment(c.FootComment, indent)
	}
}

// flowMapping renders a flowable mapping as {k: v, k: [a, b]}, keys in
// the context's order.
func (f *formatter) flowMapping(n *yaml.Node, ctx string) string {
	var parts []string
	for _, p := range pairs(n, ctx) {
		v := p[1]
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		text := f.flowScalar(v)
		switch {
		case v.Kind == yaml.SequenceNode:
			var items []string
			for _, x := range v.Content {
				items = append(items, f.flowScalar(x))
			}
			text = "[" + strings.Join(items, ", ") + "]"
		case childContext(ctx, p[0].Value) == "flowlist" && v.Tag != "!!null":
			text = "[" + text + "]" // on: a is on: [a]
		}
		parts = append(parts, f.key(p[0].Value)+": "+text)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// flowable reports whether a mapping of scalars and lists of scalars,
// without comments, can be written as one flow mapping.
func flowable(n *yaml.Node) bool {
	for _, c := range n.Content {
		if c.Kind == yaml.AliasNode && c.Alias != nil {
			c = c.Alias
		}
		if c.HeadComment != "" || c.LineComment != "" || c.FootComment != "" {
			return false
		}
		switch c.Kind {
		case yaml.ScalarNode:
		case yaml.SequenceNode:
			for _, x := range c.Content {
				if x.Kind != yaml.ScalarNode || x.HeadComment != "" || x.LineComment != "" || x.FootComment != "" {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// raw writes a subtree the formatter has no layout for (a workload) with
// yaml.v3's own encoder, indented under its key.
func (f *formatter) raw(k, v *yaml.Node, indent int) {
	var b bytes.Buffer
	e := yaml.NewEncoder(&b)
	e.SetIndent(2)
	_ = e.Encode(v)
	_ = e.Close()
	text := strings.TrimRight(b.String(), "\n")
	if v.Kind == yaml.ScalarNode || (v.Kind != yaml.MappingNode && v.Kind != yaml.SequenceNode) || v.Style&yaml.FlowStyle != 0 {
		f.buf.WriteString(" " + text)
		if k != nil {
			f.lineComment(k.LineComment)
		} else {
			f.buf.WriteByte('\n')
		}
		return
	}
	if k != nil {
		f.lineComment(k.LineComment)
	}
	for _, line := range strings.Split(text, "\n") {
		if k == nil {
			// a sequence item: first line on the dash's line
			f.buf.WriteString(line + "\n")
			k = &yaml.Node{}
			continue
		}
		f.indent(indent + 2)
		f.buf.WriteString(line + "\n")
	}
}

func (f *formatter) key(s string) string {
	if plainSafe(s, true) {
		return s
	}
	return quoteYAML(s)
}

func (f *formatter) flowScalar(n *yaml.Node) string {
	if typedPlain(n) {
		return n.Value
	}
	s := n.Value
	if plainSafe(s, true) {
		return s
	}
	return quoteYAML(s)
}

// scalar writes a block-context scalar; a doc that does not fit is folded.
func (f *formatter) scalar(s string, indent int, doc bool) {
	if doc && (strings.Contains(s, "\n") || indent+len(s) > FormatWidth) {
		f.blockScalar(s, indent)
		return
	}
	if plainSafe(s, false) {
		f.buf.WriteString(s)
		return
	}
	f.buf.WriteString(quoteYAML(s))
}

// blockScalar writes a doc as a folded (>-) scalar wrapped at the width,
// or as a literal (|-) one when it has line breaks of its own.
func (f *formatter) blockScalar(s string, indent int) {
	lines := strings.Split(s, "\n")
	literal := len(lines) > 1
	for _, l := range lines {
		if strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ") || strings.Contains(l, "\t") {
			f.buf.WriteString(quoteYAML(s))
			return
		}
	}
	if literal {
		f.buf.WriteString("|-")
		for _, l := range lines {
			f.buf.WriteByte('\n')
			if l != "" {
				f.indent(indent)
				f.buf.WriteString(l)
			}
		}
		return
	}
	if strings.Contains(s, "  ") {
		f.buf.WriteString(quoteYAML(s))
		return
	}
	f.buf.WriteString(">-")
	words := strings.Split(s, " ")
	col := FormatWidth
	for _, w := range words {
		if col+1+len(w) > FormatWidth && col > indent {
			f.buf.WriteByte('\n')
			f.indent(indent)
			f.buf.WriteString(w)
			col = indent + len(w)
			continue
		}
		f.buf.WriteByte(' ')
		f.buf.WriteString(w)
		col += 1 + len(w)
	}
}

// typedPlain reports whether n is a plain scalar that YAML reads as a
// number or a bool (a workload's tick or drop rate): it is written as it
// is, not quoted into a string.
func typedPlain(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Style != 0 {
		return false
	}
	switch n.ShortTag() {
	case "!!int", "!!float", "!!bool":
		return true
	}
	return false
}

// plainSafe reports whether s can be written as a plain YAML scalar that
// reads back as the same string (inFlow: inside [...] or {...}).
func plainSafe(s string, inFlow bool) bool {
	if s == "" || s != strings.TrimSpace(s) || strings.ContainsAny(s, "\n\r\t") {
		return false
	}
	if strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@`") {
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	if inFlow && strings.ContainsAny(s, ",[]{}") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfeff {
			return false
		}
	}
	// Plain scalars that YAML reads as null, bools or numbers.
	var v any
	if err := yaml.Unmarshal([]byte("k: "+s), &struct{ K *any }{&v}); err != nil {
		return false
	}
	got, ok := v.(string)
	return ok && got == s
}

// quoteYAML writes s single-quoted when it can, else double-quoted.
func quoteYAML(s string) string {
	simple := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfeff {
			simple = false
			break
		}
	}
	if simple {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return strconv.Quote(s) // Go's escapes are YAML double-quoted escapes
}

// sameMeaning checks that out loads to the same modules, programs, specs
// and workload as src.
func sameMeaning(name string, src, out []byte) error {
	a, ea := canonicalDump(name, src)
	b, eb := canonicalDump(name, out)
	if ea != nil || eb != nil {
		return fmt.Errorf("reload: %v %v", ea, eb)
	}
	if !reflect.DeepEqual(a, b) {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		return fmt.Errorf("before %s, after %s", firstDiff(string(ja), string(jb)), firstDiff(string(jb), string(ja)))
	}
	return nil
}

func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	end := min(len(a), i+60)
	return strconv.Quote(a[i:end])
}

func coordString(c *Coordination) string {
	if c == nil {
		return ""
	}
	return c.String()
}

func canonicalDump(name string, src []byte) (map[string]any, error) {
	lib := NewLibrary()
	if ds := lib.LoadData(name, src).Errors(); len(ds) > 0 {
		return nil, ds
	}
	dump := map[string]any{}
	for _, m := range lib.SortedModules() {
		var inc, imps, decls, blocks []string
		for _, in := range m.Includes {
			inc = append(inc, in.Name)
		}
		for _, im := range m.Imports {
			imps = append(imps, im.String())
		}
		for _, d := range m.State {
			decls = append(decls, d.String())
		}
		for _, b := range m.Blocks {
			s := b.Name + "|" + b.Ack + "|" + coordString(b.Coordination)
			for _, r := range b.Rules {
				s += "|" + r.String() + "#" + r.Ack
			}
			blocks = append(blocks, s)
		}
		sort.Strings(blocks)
		var seals, contracts []string
		for _, se := range m.Seals {
			seals = append(seals, se.String())
		}
		for _, c := range m.Contracts {
			contracts = append(contracts, c.String())
		}
		dump["module "+m.Name] = []any{m.Doc, inc, imps, decls, blocks, coordString(m.Coordination), seals, contracts}
	}
	for name, d := range lib.Lattices {
		dump["lattice "+name] = []any{d.Doc, d.String()}
	}
	for _, p := range lib.SortedPrograms() {
		var ms, ex []string
		for _, m := range p.Modules {
			ms = append(ms, m.Name)
		}
		for _, e := range p.Expect {
			ex = append(ex, e.Check+"|"+e.Collection+"|"+e.Module+"|"+e.Contains)
		}
		dump["program "+p.Name] = []any{p.Doc, ms, ex}
	}
	var rest struct {
		Specs    any `yaml:"specs"`
		Workload any `yaml:"workload"`
	}
	if err := yaml.Unmarshal(src, &rest); err != nil {
		return nil, err
	}
	if s, ok := rest.Specs.(string); ok {
		rest.Specs = []any{s} // specs: a is specs: [a]
	}
	dump["specs"], dump["workload"] = rest.Specs, rest.Workload
	return dump, nil
}
