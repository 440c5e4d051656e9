package modules

import (
	"fmt"
	"strings"
)

// MaxInstances bounds the imported instances of one composed program
// (nested ones included): instances nest, so a few modules that each
// import two instances of the next would otherwise multiply without end.
const MaxInstances = 10_000

// importState is shared by a composition and the compositions of the
// modules it imports, recursively.
type importState struct {
	// units are the composed imported modules, each composed once and
	// copied into every instance.
	units map[string]*Program
	// chain is the path of imports being composed, outermost first, for
	// the detection of import cycles.
	chain []importLink
	// tooMany is set once a composition reached MaxInstances: the error
	// is reported once, and the qualified names that the missing
	// instances would have declared are not reported again.
	tooMany bool
}

type importLink struct {
	Import
	importer string
}

// instantiate makes the instances that the program's modules import (an
// include brings its imports along; one name imported twice with the same
// module is one instance), composing each imported module on its own and
// copying its collections and rules under qualified names. It runs before
// collect, so that instance collections come first, as in Bud.
func (c *composer) instantiate() {
	p := c.prog
	seen := map[string]importLink{}
	for _, m := range p.Modules {
		for _, im := range m.Imports {
			if prev, ok := seen[im.Name]; ok {
				if prev.Module != im.Module {
					c.failed[im.Name] = true
					c.diags.errorf("import", im.Pos, "conflicting imports: %s imports %s as %s, but %s imports %s as %s (%s)",
						m.Name, im.Module, im.Name, prev.importer, prev.Module, prev.Name, prev.Pos)
				}
				continue
			}
			link := importLink{Import: im, importer: m.Name}
			seen[im.Name] = link
			if c.lib.Modules[im.Module] == nil {
				c.failed[im.Name] = true
				c.diags.errorf("unknown-module", im.ModulePos, "module %s imports unknown module %s%s", m.Name, im.Module, suggest(im.Module, c.lib.moduleNames()))
				continue
			}
			for i, l := range c.imp.chain {
				if l.Module != im.Module {
					continue
				}
				parts := []string{im.Module}
				for _, l := range c.imp.chain[i+1:] {
					parts = append(parts, l.Name+": "+l.Module)
				}
				parts = append(parts, im.Name+": "+im.Module)
				c.diags.errorf("import-cycle", im.Pos, "import cycle: %s (an instance would contain itself)", strings.Join(parts, " -> "))
				link.Module = ""
				break
			}
			if link.Module == "" {
				c.failed[im.Name] = true
				continue
			}
			unit, ok := c.imp.units[im.Module]
			if !ok {
				c.imp.chain = append(c.imp.chain, link)
				var ds Diagnostics
				unit, ds = c.lib.compose(im.Module, []Ref{{Name: im.Module, Pos: im.ModulePos}}, c.imp)
				c.imp.chain = c.imp.chain[:len(c.imp.chain)-1]
				c.diags.ds = append(c.diags.ds, ds...)
				c.imp.units[im.Module] = unit
			}
			if unit == nil {
				c.failed[im.Name] = true
				continue
			}
			if len(c.prog.Instances)+1+len(unit.Instances) > MaxInstances {
				if !c.imp.tooMany {
					c.diags.errorf("import", im.Pos, "too many imported instances: more than %d in one program (instances nest: each import copies the imported module's own instances)", MaxInstances)
					c.imp.tooMany = true
				}
				return
			}
			c.addInstance(link, unit)
		}
	}
}

// addInstance copies the composed module unit into the program as the
// instance im: every collection, rule, nested instance, coordination,
// seal and contract, with names qualified by the instance name.
func (c *composer) addInstance(im importLink, unit *Program) {
	p := c.prog
	q := func(name string) string { return im.Name + "." + name }
	// within maps the path of an instance inside the unit ("" for the
	// unit itself) to its path in the program.
	within := func(path string) string {
		if path == "" {
			return im.Name
		}
		return q(path)
	}
	p.Instances = append(p.Instances, &Instance{Path: im.Name, Name: im.Name, Module: im.Module, Importer: im.importer, Pos: im.Pos, Mod: c.lib.Modules[im.Module]})
	for _, in := range unit.Instances {
		cp := *in
		cp.Path = q(in.Path)
		cp.Parent = within(in.Parent)
		p.Instances = append(p.Instances, &cp)
	}
	for _, d := range unit.Collections {
		cp := *d
		cp.Name = q(d.Name)
		cp.Instance = within(d.Instance)
		p.byName[cp.Name] = &cp
		p.Collections = append(p.Collections, &cp)
	}
	refs := func(rs []Ref) []Ref {
		out := make([]Ref, len(rs))
		for i, r := range rs {
			out[i] = Ref{Name: q(r.Name), Pos: r.Pos}
		}
		return out
	}
	coords := map[*Coordination]*Coordination{}
	for _, co := range unit.Coordinations {
		cp := *co
		cp.On = refs(co.On)
		coords[co] = &cp
		p.Coordinations = append(p.Coordinations, &cp)
	}
	for _, s := range unit.Seals {
		cp := *s
		cp.Collection = refs([]Ref{s.Collection})[0]
		cp.By = refs([]Ref{s.By})[0]
		p.Seals = append(p.Seals, &cp)
	}
	// A contract that the module realizes was checked where the module is
	// composed on its own; only an abstract one (the instance of a
	// protocol without implementation) still stands for its paths.
	read, written := map[string]bool{}, map[string]bool{}
	for _, r := range unit.Rules {
		written[r.Head.Pred] = true
		for a := range r.Atoms() {
			read[a.Pred] = true
		}
	}
	for _, ct := range unit.Contracts {
		if read[ct.Input.Name] && written[ct.Output.Name] {
			continue
		}
		cp := *ct
		cp.Input = refs([]Ref{ct.Input})[0]
		cp.Output = refs([]Ref{ct.Output})[0]
		p.Contracts = append(p.Contracts, &cp)
	}
	for _, r := range unit.Rules {
		cp := *r
		cp.Head.Pred = q(r.Head.Pred)
		cp.Body = make([]Literal, len(r.Body))
		for i, l := range r.Body {
			if a, ok := l.(*AtomLit); ok {
				na := *a
				na.Pred = q(a.Pred)
				l = &na
			}
			cp.Body[i] = l
		}
		cp.Instance = within(r.Instance)
		if r.Coord != nil {
			cp.Coord = coords[r.Coord]
		}
		cp.Text = qualifyText(r, im.Name)
		c.copyLatticeInfo(unit, r, &cp)
		c.instRules = append(c.instRules, &cp)
	}
}

// qualifyText rewrites a rule's text with the names of the collections it
// uses qualified by the instance name, keeping the rest as written.
func qualifyText(r *Rule, inst string) string {
	preds := map[string]bool{r.Head.Pred: true}
	for a := range r.Atoms() {
		preds[a.Pred] = true
	}
	var b strings.Builder
	lx := lexer{src: r.Text}
	last := 0
	for {
		t := lx.next(false)
		if t.kind == tEOF {
			break
		}
		if t.kind == tIdent && preds[t.text] {
			b.WriteString(r.Text[last:t.off])
			b.WriteString(inst + "." + t.text)
			last = t.off + len(t.text)
		}
	}
	b.WriteString(r.Text[last:])
	return b.String()
}

// checkInstanceNames reports an instance name that is also the name of a
// collection of the program: bed.x would read as a column of bed.
func (c *composer) checkInstanceNames() {
	for _, in := range c.prog.Instances {
		if in.Parent != "" {
			continue
		}
		if d := c.prog.byName[in.Name]; d != nil {
			c.diags.errorf("import", in.Pos, "instance name %s clashes with the collection %s declared in %s at %s; rename one of them", in.Name, d.Name, d.Module, d.Pos)
		}
	}
}

// unknownQualified explains an atom with a qualified name that the
// program does not have: the instance does not exist, or the collection
// is not one of the instance's.
func (c *composer) unknownQualified(a *Atom, where string) {
	if c.imp.tooMany || c.failed[a.Pred[:strings.IndexByte(a.Pred, '.')]] {
		return // the import's error is reported
	}
	p := c.prog
	inst := a.Pred[:strings.LastIndexByte(a.Pred, '.')]
	var paths []string
	found := false
	for _, in := range p.Instances {
		paths = append(paths, in.Path)
		found = found || in.Path == inst
	}
	if !found {
		imports := "imports no instance"
		if len(paths) == 0 {
			c.diags.errorf("unknown-collection", a.P, "unknown collection %s in %s: %s names a collection of the instance %s, but the program imports no module (add `import: {%s: SomeModule}`)", a.Pred, where, a.Pred, inst, inst)
			return
		}
		hint := suggest(inst, paths)
		if hint == "" {
			hint = " (instances: " + strings.Join(paths, ", ") + ")"
		}
		c.diags.errorf("unknown-collection", a.P, "unknown collection %s in %s: the program %s %s%s", a.Pred, where, imports, inst, hint)
		return
	}
	var names []string
	for _, d := range p.Collections {
		if d.Instance == inst {
			names = append(names, d.Name)
		}
	}
	c.diags.errorf("unknown-collection", a.P, "unknown collection %s in %s%s", a.Pred, where, suggest(a.Pred, names))
}

// Instance returns the imported instance whose path is path, or nil.
func (p *Program) Instance(path string) *Instance {
	for _, in := range p.Instances {
		if in.Path == path {
			return in
		}
	}
	return nil
}

// String renders the import as written: "bed: BestEffortDelivery".
func (im Import) String() string { return fmt.Sprintf("%s: %s", im.Name, im.Module) }
