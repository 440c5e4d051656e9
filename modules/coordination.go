package modules

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Coordination kinds: what a coordination protocol guarantees about the
// collections it coordinates. The analysis treats every kind alike (the
// contents of the coordinated collections no longer depend on the order
// in which messages arrived); the kind is shown in reports and drawings.
var CoordinationKinds = []string{"total-order", "consensus", "voting", "barrier"}

// Coordination is a declaration that a module, or one of its rule blocks,
// provides coordination: `coordination: {kind: total-order, on: [pipe_out]}`.
// The collections On are ordered or agreed upon: every node that reads
// them sees the same facts in the same order, whatever order the messages
// upstream arrived in. The rules of the declaring module (or block) that
// lead to those collections are the protocol's mechanism, not points of
// order of the program.
type Coordination struct {
	Kind   string
	On     []Ref // the coordinated collections
	Pos    Pos   // position of the coordination key
	Module string
	Block  string // "" when declared on the whole module
}

// Where names the declaration: "ReliableMulticast" or "App.order".
func (c *Coordination) Where() string {
	if c.Block == "" {
		return c.Module
	}
	return c.Module + "." + c.Block
}

// Names returns the coordinated collections' names.
func (c *Coordination) Names() []string {
	out := make([]string, len(c.On))
	for i, r := range c.On {
		out[i] = r.Name
	}
	return out
}

// String renders the declaration: "total-order on pipe_out".
func (c *Coordination) String() string {
	return c.Kind + " on " + strings.Join(c.Names(), ", ")
}

// Seal is Blazes' punctuation: `seals: [{collection: cart_action, key:
// [session], by: checkout_msg}]` says that once a fact of By for a key
// has arrived, no more facts of Collection with that key arrive, so a
// nonmonotonic rule evaluated per that key (a count per session) sees a
// complete group and needs no global coordination. The module that
// declares the seal promises it: calmcheck checks that the key is the one
// the rule groups by, `calmcheck run` shows whether the promise holds.
type Seal struct {
	Collection Ref
	Key        []Ref // columns of Collection, carried under the same names by By
	By         Ref
	Pos        Pos // position of the entry
	Module     string
}

// KeyNames returns the key's column names.
func (s *Seal) KeyNames() []string {
	out := make([]string, len(s.Key))
	for i, r := range s.Key {
		out[i] = r.Name
	}
	return out
}

// String renders the seal: "cart_action per (session) by checkout_msg".
func (s *Seal) String() string {
	return fmt.Sprintf("%s per (%s) by %s", s.Collection.Name, strings.Join(s.KeyNames(), ", "), s.By.Name)
}

// Labels of contracts, as path labels (Bud's budlabel): Bot, A, N, D.
var ContractLabels = []string{"Bot", "A", "N", "D"}

// Contract is a protocol's promise about the label of the paths from one
// of its input interfaces to one of its output interfaces, in any module
// that realizes it: `contract: {kvput -> kvget_response: N}`.
type Contract struct {
	Input, Output Ref
	Label         string // Bot, A, N or D
	Pos           Pos    // position of the entry's key
	Module        string
}

// String renders the contract: "kvput -> kvget_response: N".
func (c *Contract) String() string {
	return c.Input.Name + " -> " + c.Output.Name + ": " + c.Label
}

// coordination reads `coordination: {kind: K, on: [collections]}`.
func (l *fileLoader) coordination(kn, vn *yaml.Node, module, block string) *Coordination {
	c := &Coordination{Pos: l.Pos(kn), Module: module, Block: block}
	what := "the coordination of " + module
	if block != "" {
		what += "." + block
	}
	ok := true
	l.Mapping(vn, what, func(key string, kn, vn *yaml.Node) {
		switch key {
		case "kind":
			s, good := l.Str(vn, "kind")
			if !good {
				ok = false
				return
			}
			if !contains(CoordinationKinds, s) {
				l.Errorf(vn, "unknown coordination kind %q (want %s)", s, strings.Join(CoordinationKinds, ", "))
				ok = false
				return
			}
			c.Kind = s
		case "on":
			for _, n := range l.Strings(vn, "on") {
				c.On = append(c.On, Ref{Name: n.Value, Pos: l.Pos(n)})
			}
		default:
			l.UnknownKey(kn, key, what, KnownKeys("coordination"))
		}
	})
	if YAMLResolve(vn).Kind != yaml.MappingNode {
		return nil
	}
	if c.Kind == "" && ok {
		l.diags.errorf("schema", c.Pos, "%s needs a kind (%s)", what, strings.Join(CoordinationKinds, ", "))
		ok = false
	}
	if len(c.On) == 0 {
		l.diags.errorf("schema", c.Pos, "%s needs on: the collections it orders or agrees on", what)
		ok = false
	}
	if !ok {
		return nil
	}
	return c
}

// seals reads `seals: [{collection: c, key: [cols], by: b}, ...]`.
func (l *fileLoader) seals(m *Module, vn *yaml.Node) {
	vn = YAMLResolve(vn)
	if vn.Kind != yaml.SequenceNode {
		l.Errorf(vn, "seals must be a list of seals, found %s", YAMLKindName(vn))
		return
	}
	for _, en := range vn.Content {
		s := &Seal{Pos: l.Pos(en), Module: m.Name}
		hasKey := false
		l.Mapping(en, "a seal", func(key string, kn, vn *yaml.Node) {
			switch key {
			case "collection", "by":
				v, ok := l.Str(vn, key)
				if !ok {
					return
				}
				r := Ref{Name: v, Pos: l.Pos(vn)}
				if key == "by" {
					s.By = r
				} else {
					s.Collection = r
				}
			case "key":
				hasKey = true
				if n := YAMLResolve(vn); n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
					return // key: [] seals the whole collection
				}
				for _, c := range l.Strings(vn, "key") {
					s.Key = append(s.Key, Ref{Name: c.Value, Pos: l.Pos(c)})
				}
			default:
				l.UnknownKey(kn, key, "a seal", KnownKeys("seal"))
			}
		})
		if YAMLResolve(en).Kind != yaml.MappingNode {
			continue
		}
		var missing []string
		if s.Collection.Name == "" {
			missing = append(missing, "collection")
		}
		if !hasKey {
			missing = append(missing, "key")
		}
		if s.By.Name == "" {
			missing = append(missing, "by")
		}
		if len(missing) > 0 {
			l.diags.errorf("schema", s.Pos, "a seal needs %s", strings.Join(missing, ", "))
			continue
		}
		m.Seals = append(m.Seals, s)
	}
}

// contract reads `contract: {"input -> output": LABEL, ...}`.
func (l *fileLoader) contract(m *Module, vn *yaml.Node) {
	l.Mapping(vn, "the contract of "+m.Name, func(key string, kn, vn *yaml.Node) {
		pos := l.Pos(kn)
		in, out, ok := strings.Cut(key, "->")
		in, out = strings.TrimSpace(in), strings.TrimSpace(out)
		if !ok || !validCollectionName(in) || !validCollectionName(out) {
			l.diags.errorf("schema", pos, "a contract entry is written \"input -> output: LABEL\", found %q", key)
			return
		}
		label, good := l.Str(vn, "a contract's label")
		if !good {
			return
		}
		if !contains(ContractLabels, label) {
			l.Errorf(vn, "unknown path label %q in the contract of %s (want Bot, A, N or D)", label, m.Name)
			return
		}
		// Positions of the two names inside the key, for compose errors.
		inPos := pos
		outPos := pos
		if i := strings.Index(key, out); i > 0 && pos.IsValid() {
			outPos.Col += i
		}
		m.Contracts = append(m.Contracts, &Contract{
			Input: Ref{Name: in, Pos: inPos}, Output: Ref{Name: out, Pos: outPos},
			Label: label, Pos: pos, Module: m.Name,
		})
	})
}

func validCollectionName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if i == 0 && !(r == '_' || 'a' <= r && r <= 'z' || r > 127) {
			return false
		}
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r > 127) {
			return false
		}
	}
	return true
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// checkCoordination resolves the coordination declarations, seals and
// contracts of the program's modules against its collections.
func (c *composer) checkCoordination(winners map[*Block]bool) {
	p := c.prog
	unknown := func(r Ref, what string) bool {
		if p.byName[r.Name] != nil {
			return false
		}
		c.diags.errorf("unknown-collection", r.Pos, "unknown collection %s in %s%s", r.Name, what, suggest(r.Name, c.collectionNames()))
		return true
	}
	addCoord := func(co *Coordination) {
		ok := true
		for _, r := range co.On {
			if unknown(r, "the coordination of "+co.Where()) {
				ok = false
			}
		}
		if ok {
			p.Coordinations = append(p.Coordinations, co)
		}
	}
	for _, m := range p.Modules {
		if m.Coordination != nil {
			addCoord(m.Coordination)
		}
		for _, b := range m.Blocks {
			if b.Coordination != nil && winners[b] {
				addCoord(b.Coordination)
			}
		}
		for _, s := range m.Seals {
			ok := !unknown(s.Collection, "a seal of "+m.Name)
			ok = !unknown(s.By, "a seal of "+m.Name) && ok
			if !ok {
				continue
			}
			for _, k := range s.Key {
				for _, d := range []*Decl{p.byName[s.Collection.Name], p.byName[s.By.Name]} {
					if !hasColumn(d, k.Name) {
						c.diags.errorf("schema", k.Pos, "seal key %s is not a column of %s %s; a seal's key names columns of its collection that its by collection carries under the same names", k.Name, d.Name, colList(d))
						ok = false
					}
				}
			}
			if ok {
				p.Seals = append(p.Seals, s)
			}
		}
		for _, ct := range m.Contracts {
			ok := !unknown(ct.Input, "the contract of "+m.Name)
			ok = !unknown(ct.Output, "the contract of "+m.Name) && ok
			if !ok {
				continue
			}
			if d := p.byName[ct.Input.Name]; d.Kind != Input {
				c.diags.errorf("schema", ct.Input.Pos, "a contract runs from an input interface; %s is a %s", d.Name, d.Kind)
				ok = false
			}
			if d := p.byName[ct.Output.Name]; d.Kind != Output {
				c.diags.errorf("schema", ct.Output.Pos, "a contract runs to an output interface; %s is a %s", d.Name, d.Kind)
				ok = false
			}
			if ok {
				p.Contracts = append(p.Contracts, ct)
			}
		}
	}
}

func hasColumn(d *Decl, name string) bool {
	for _, c := range d.Columns() {
		if c.Name == name {
			return true
		}
	}
	return false
}

func (c *composer) collectionNames() []string {
	names := make([]string, 0, len(c.prog.byName))
	for n := range c.prog.byName {
		names = append(names, n)
	}
	return names
}
