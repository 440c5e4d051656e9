// Package modules implements the calmcheck spec language: YAML module specs
// with positions, the declaration and rule parser, well-formedness checks and
// composition of modules into a flat Program.
//
// The layers follow go/token, go/ast and go/parser: Pos is a small value, the
// AST types below are what the parser produces, Load reads files into a
// Library, and Library.Compose flattens a set of root modules into a Program
// that the analysis (depgraph, monotonic) and the executor read.
package modules

import (
	"fmt"
	"iter"
	"strconv"
	"strings"
)

// Pos is a source position: file, 1-based line and 1-based column (in
// bytes). The zero Pos is "no position".
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p carries a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as file:line:col (the parts that are known).
func (p Pos) String() string {
	switch {
	case !p.IsValid() && p.File == "":
		return "-"
	case !p.IsValid():
		return p.File
	case p.File == "":
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// FileLine formats p as file:line (or "line N" without a file), for
// messages that name a rule's place.
func (p Pos) FileLine() string {
	if p.File == "" {
		return "line " + strconv.Itoa(p.Line)
	}
	return p.File + ":" + strconv.Itoa(p.Line)
}

// Before orders positions by file, line, column.
func (p Pos) Before(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Kind is the kind of a collection.
type Kind int

// The collection kinds of the spec language.
const (
	KindInvalid Kind = iota
	Table
	Scratch
	Input
	Output
	Channel
	Periodic
)

// KindTraits are what a collection kind means, in one table: code asks
// these (Persistent, Interface), never the kind's name.
type KindTraits struct {
	// Name is the kind's keyword in the spec language.
	Name string
	// Persistent: facts survive the timestep (a table; drawn as a box).
	Persistent bool
	// Interface: an input or output interface of a module.
	Interface bool
}

var kindTraits = [...]KindTraits{
	KindInvalid: {Name: "invalid"},
	Table:       {Name: "table", Persistent: true},
	Scratch:     {Name: "scratch"},
	Input:       {Name: "input", Interface: true},
	Output:      {Name: "output", Interface: true},
	Channel:     {Name: "channel"},
	Periodic:    {Name: "periodic"},
}

// Traits returns the kind's traits (those of KindInvalid for a value out
// of range).
func (k Kind) Traits() KindTraits {
	if k < 0 || int(k) >= len(kindTraits) {
		return kindTraits[KindInvalid]
	}
	return kindTraits[k]
}

func (k Kind) String() string { return k.Traits().Name }

// ParseKind maps a kind keyword to its Kind (KindInvalid if unknown).
func ParseKind(s string) Kind {
	for i, t := range kindTraits {
		if i > 0 && t.Name == s {
			return Kind(i)
		}
	}
	return KindInvalid
}

// Persistent reports whether facts of this kind survive the timestep.
func (k Kind) Persistent() bool { return k.Traits().Persistent }

// Interface reports whether the kind is an input or output interface.
func (k Kind) Interface() bool { return k.Traits().Interface }

// Column is one column of a declaration.
type Column struct {
	Name string
	Addr bool // marked @: the destination address of a channel
	Pos  Pos
	// Type is the lattice type of a lattice-valued column (name: type),
	// nil for a plain column.
	Type *LatticeType
}

// Decl is a state declaration: KIND name(key...) [=> (val...)] [every N].
type Decl struct {
	Kind  Kind
	Name  string
	Key   []Column
	Val   []Column
	Every int64 // periodic interval in timesteps (periodic only)
	// Lattice marks a declaration written with the kind keyword lattice:
	// a table whose value columns hold lattices, merged on insert.
	Lattice bool
	Pos     Pos // position of the kind keyword
	NamePos Pos // position of the name
	Text    string
	Module  string // the module that declares it
	// Instance is the path of the imported instance that holds the
	// collection ("bed", "rd.bed"), "" for the program's own collections;
	// Name is then qualified with it ("bed.pipe_in").
	Instance string
}

// Local returns the collection's name inside its instance: Name without
// the instance's qualification ("pipe_in" for "bed.pipe_in").
func (d *Decl) Local() string {
	if d.Instance == "" {
		return d.Name
	}
	return d.Name[len(d.Instance)+1:]
}

// Arity is the number of columns.
func (d *Decl) Arity() int { return len(d.Key) + len(d.Val) }

// Column returns column i of Columns() without building the list (the
// zero Column past the last).
func (d *Decl) Column(i int) Column {
	switch {
	case i < len(d.Key):
		return d.Key[i]
	case i-len(d.Key) < len(d.Val):
		return d.Val[i-len(d.Key)]
	}
	return Column{}
}

// Columns returns key columns followed by value columns.
func (d *Decl) Columns() []Column {
	cols := make([]Column, 0, d.Arity())
	cols = append(cols, d.Key...)
	return append(cols, d.Val...)
}

// AddrIndex is the index of the @ column, or -1.
func (d *Decl) AddrIndex() int {
	for i, c := range d.Columns() {
		if c.Addr {
			return i
		}
	}
	return -1
}

// Schema renders the column lists as in the spec: (a, b) => (c).
func (d *Decl) Schema() string {
	var b strings.Builder
	b.WriteString(d.Name)
	writeCols(&b, d.Key)
	if len(d.Val) > 0 {
		b.WriteString(" => ")
		writeCols(&b, d.Val)
	}
	return b.String()
}

func writeCols(b *strings.Builder, cols []Column) {
	b.WriteByte('(')
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		if c.Addr {
			b.WriteByte('@')
		}
		b.WriteString(c.Name)
		if c.Type != nil {
			b.WriteString(": ")
			b.WriteString(c.Type.String())
		}
	}
	b.WriteByte(')')
}

// String renders the declaration canonically.
func (d *Decl) String() string {
	s := d.KindWord() + " " + d.Schema()
	if d.Kind == Periodic {
		s += fmt.Sprintf(" every %d", d.Every)
	}
	return s
}

// KindWord is the kind keyword of the declaration: its kind, or lattice.
func (d *Decl) KindWord() string {
	if d.Lattice {
		return "lattice"
	}
	return d.Kind.String()
}

// SameShape reports whether two declarations declare the same collection
// (kind, name and columns), as diamond inclusion requires.
func (d *Decl) SameShape(e *Decl) bool {
	if d.Kind != e.Kind || d.Lattice != e.Lattice || d.Name != e.Name || d.Every != e.Every || len(d.Key) != len(e.Key) || len(d.Val) != len(e.Val) {
		return false
	}
	dc, ec := d.Columns(), e.Columns()
	for i := range dc {
		if dc[i].Name != ec[i].Name || dc[i].Addr != ec[i].Addr || dc[i].Type.String() != ec[i].Type.String() {
			return false
		}
	}
	return true
}

// Op is a rule's merge operator.
type Op int

// The five Bloom operators.
const (
	OpInvalid Op = iota
	OpMerge      // <=  instantaneous
	OpDefer      // <+  deferred insert
	OpDelete     // <-  deferred delete
	OpUpsert     // <+- deferred upsert
	OpAsync      // <~  asynchronous
)

var opNames = [...]string{"?", "<=", "<+", "<-", "<+-", "<~"}

func (o Op) String() string {
	if o < 0 || int(o) >= len(opNames) {
		return "?"
	}
	return opNames[o]
}

// Temporal reports whether the operator crosses a timestep (<+ <- <+- <~).
func (o Op) Temporal() bool { return o == OpDefer || o == OpDelete || o == OpUpsert || o == OpAsync }

// Async reports whether the operator is <~.
func (o Op) Async() bool { return o == OpAsync }

// Nonmonotonic reports whether the operator itself is nonmonotonic (<- <+-).
func (o Op) Nonmonotonic() bool { return o == OpDelete || o == OpUpsert }

// Expr is a term: variable, literal, list, arithmetic, call or aggregate.
type Expr interface {
	Pos() Pos
	String() string
	exprNode()
}

// Var is a variable; Name "_" is the anonymous wildcard. Variables whose
// name starts with '$' are synthesized by the parser for bare atoms.
type Var struct {
	Name string
	P    Pos
}

// IntLit is an integer literal.
type IntLit struct {
	Value int64
	P     Pos
}

// StrLit is a string literal (Value is unquoted).
type StrLit struct {
	Value string
	P     Pos
}

// BoolLit is true or false.
type BoolLit struct {
	Value bool
	P     Pos
}

// ListExpr is [e1, ..., en]; in a body atom it is a pattern.
type ListExpr struct {
	Elems []Expr
	P     Pos
}

// BinaryExpr is X Op Y with Op one of + - * /.
type BinaryExpr struct {
	Op   string
	X, Y Expr
	P    Pos // position of the operator
}

// UnaryExpr is -X.
type UnaryExpr struct {
	Op string
	X  Expr
	P  Pos
}

// CallExpr is a call of a built-in function.
type CallExpr struct {
	Func string
	Args []Expr
	P    Pos
}

// AggExpr is a head aggregate count<X>, sum<X>, ... (Arg nil for count<>).
type AggExpr struct {
	Agg string
	Arg Expr
	P   Pos
}

func (e *Var) Pos() Pos        { return e.P }
func (e *IntLit) Pos() Pos     { return e.P }
func (e *StrLit) Pos() Pos     { return e.P }
func (e *BoolLit) Pos() Pos    { return e.P }
func (e *ListExpr) Pos() Pos   { return e.P }
func (e *BinaryExpr) Pos() Pos { return e.P }
func (e *UnaryExpr) Pos() Pos  { return e.P }
func (e *CallExpr) Pos() Pos   { return e.P }
func (e *AggExpr) Pos() Pos    { return e.P }

func (*Var) exprNode()        {}
func (*IntLit) exprNode()     {}
func (*StrLit) exprNode()     {}
func (*BoolLit) exprNode()    {}
func (*ListExpr) exprNode()   {}
func (*BinaryExpr) exprNode() {}
func (*UnaryExpr) exprNode()  {}
func (*CallExpr) exprNode()   {}
func (*AggExpr) exprNode()    {}

// Wildcard reports whether v is the anonymous variable _.
func (e *Var) Wildcard() bool { return e.Name == "_" }

// WalkVars calls f for every variable of e (wildcards included), in
// order, looking into lists, arithmetic, calls and aggregates.
func WalkVars(e Expr, f func(*Var)) {
	switch e := e.(type) {
	case *Var:
		f(e)
	case *ListExpr:
		for _, x := range e.Elems {
			WalkVars(x, f)
		}
	case *BinaryExpr:
		WalkVars(e.X, f)
		WalkVars(e.Y, f)
	case *UnaryExpr:
		WalkVars(e.X, f)
	case *CallExpr:
		for _, x := range e.Args {
			WalkVars(x, f)
		}
	case *AggExpr:
		if e.Arg != nil {
			WalkVars(e.Arg, f)
		}
	}
}

// Atom is pred(args...). Bare atoms (a name without arguments, only allowed
// as "head OP body" with a single bare body atom) get their Args filled with
// synthesized variables $1..$n during composition, when the arity is known.
type Atom struct {
	Pred string
	Args []Expr
	Bare bool
	P    Pos // position of the predicate name
}

// Literal is a body literal: *AtomLit, *CmpLit or *BindLit.
type Literal interface {
	Pos() Pos
	String() string
	litNode()
}

// AtomLit is a positive or negated (notin) atom in a body.
type AtomLit struct {
	Atom
	Negated bool
	NotPos  Pos // position of notin
}

// CmpLit is a comparison X op Y (== != < <= > >=).
type CmpLit struct {
	Op   string
	X, Y Expr
	P    Pos // position of the operator
}

// BindLit binds a variable: Var = X.
type BindLit struct {
	Var *Var
	X   Expr
	P   Pos // position of '='
}

// Pos returns the position of the literal (notin for negated atoms).
func (l *AtomLit) Pos() Pos {
	if l.Negated {
		return l.NotPos
	}
	return l.P
}
func (l *CmpLit) Pos() Pos  { return l.X.Pos() }
func (l *BindLit) Pos() Pos { return l.Var.P }

func (*AtomLit) litNode() {}
func (*CmpLit) litNode()  {}
func (*BindLit) litNode() {}

// Rule is "head OP body".
type Rule struct {
	Head   Atom
	Op     Op
	OpPos  Pos
	Body   []Literal
	Pos    Pos    // position of the head predicate
	Text   string // the rule as written (whitespace folded)
	Module string // the module whose block holds the rule
	Block  string // the block name
	Index  int    // index of the rule inside its block
	// Ack is an acknowledgement written on the rule or its block
	// (coordinated: "why"): its findings are known and handled.
	Ack    string
	AckPos Pos
	// Coord is the coordination declared on the rule's block, or else on
	// its module (nil if none): the rule is part of that protocol.
	Coord *Coordination
	// Instance is the path of the imported instance the rule belongs to
	// ("bed"), "" for the program's own rules; its atoms then name the
	// instance's collections by their qualified names.
	Instance string
	// Revealed are the body atoms over lattice collections whose values
	// the rule reads through reveal (set by composition, on a copy).
	Revealed map[*AtomLit]bool
}

// Aggregates returns the aggregates of the head, in order.
func (r *Rule) Aggregates() []*AggExpr {
	var out []*AggExpr
	for _, a := range r.Head.Args {
		if ag, ok := a.(*AggExpr); ok {
			out = append(out, ag)
		}
	}
	return out
}

// HasAggregate reports whether the head has an aggregate.
func (r *Rule) HasAggregate() bool {
	for _, a := range r.Head.Args {
		if _, ok := a.(*AggExpr); ok {
			return true
		}
	}
	return false
}

// Atoms yields the atoms of the body, in order, without BodyAtoms' slice
// (the analysis walks the atoms of every rule several times).
func (r *Rule) Atoms() iter.Seq[*AtomLit] {
	return func(yield func(*AtomLit) bool) {
		for _, l := range r.Body {
			if a, ok := l.(*AtomLit); ok && !yield(a) {
				return
			}
		}
	}
}

// BodyAtoms returns the atoms of the body (positive and negated).
func (r *Rule) BodyAtoms() []*AtomLit {
	var out []*AtomLit
	for _, l := range r.Body {
		if a, ok := l.(*AtomLit); ok {
			out = append(out, a)
		}
	}
	return out
}

// NonmonotonicUse reports whether the edge from body atom a to the head is
// nonmonotonic: a is negated, the head aggregates, the operator is <- or
// <+-, or the rule reveals a's lattice value.
func (r *Rule) NonmonotonicUse(a *AtomLit) bool {
	return a.Negated || r.HasAggregate() || r.Op.Nonmonotonic() || r.Reveals(a)
}

// GroupingKey returns the head terms that are not aggregates, rendered,
// when the head aggregates; nil otherwise.
func (r *Rule) GroupingKey() []string {
	if !r.HasAggregate() {
		return nil
	}
	var out []string
	for _, a := range r.Head.Args {
		if _, ok := a.(*AggExpr); !ok {
			out = append(out, a.String())
		}
	}
	return out
}

// Ref is a reference by name with a position (an include, a program's
// module list).
type Ref struct {
	Name string
	Pos  Pos
}

// Import is an entry of a module's `import:` mapping: a private instance
// named Name of Module, as Bud's `import Module => :name`.
type Import struct {
	Name      string
	Module    string
	Pos       Pos // position of the instance name
	ModulePos Pos // position of the module name
}

// Instance is an imported instance in a composed program.
type Instance struct {
	// Path is the qualified name of the instance: "bed", or "rd.bed" for
	// the instance bed that the instance rd imports.
	Path   string
	Name   string // the last segment of Path
	Module string // the module instantiated
	Parent string // the path of the enclosing instance, "" at top level
	// Importer is the module whose import: entry made the instance, and
	// Pos the position of that entry.
	Importer string
	Pos      Pos
	Mod      *Module
}

// Label renders the instance as "bed: BestEffortDelivery".
func (in *Instance) Label() string { return in.Name + ": " + in.Module }

// Block is a named rule block.
type Block struct {
	Name   string
	Rules  []*Rule
	Pos    Pos
	Module string
	Ack    string // coordinated: "why", on the whole block
	AckPos Pos
	// Coordination is the coordination the block provides (long form
	// `coordination: {kind: ..., on: [...]}`), nil if none.
	Coordination *Coordination
}

// Module is one module definition.
type Module struct {
	Name     string
	Doc      string
	Includes []Ref
	Imports  []Import // private instances of other modules, in order
	State    []*Decl
	Blocks   []*Block
	// Coordination is the coordination the module provides (nil if
	// none); Seals and Contracts are its seals and the contract of the
	// protocol it declares.
	Coordination *Coordination
	Seals        []*Seal
	Contracts    []*Contract
	Pos          Pos
	File         string
	Builtin      bool // loaded from the embedded library
}

// Block returns the block of m named name, or nil.
func (m *Module) Block(name string) *Block {
	for _, b := range m.Blocks {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// FirstSentence returns the doc's first sentence.
func (m *Module) FirstSentence() string { return FirstSentence(m.Doc) }

// FirstSentence returns the first sentence of a paragraph, with whitespace
// folded.
func FirstSentence(doc string) string {
	doc = strings.Join(strings.Fields(doc), " ")
	for i := 0; i+1 < len(doc); i++ {
		if doc[i] == '.' && doc[i+1] == ' ' {
			return doc[:i+1]
		}
	}
	return doc
}
