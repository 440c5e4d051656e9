package modules

import (
	"fmt"
	"strconv"
	"strings"
)

// PosFunc maps a byte offset inside a declaration or rule string to its
// position in the spec file.
type PosFunc func(off int) Pos

// LinePos is the PosFunc of a string that stands on one line of file,
// starting at line:col.
func LinePos(file string, line, col int) PosFunc {
	return func(off int) Pos { return Pos{File: file, Line: line, Col: col + off} }
}

// Aggregates are the head aggregate names.
var Aggregates = []string{"count", "sum", "min", "max", "avg", "accum", "choose"}

// Builtin describes a built-in function.
type Builtin struct {
	Name  string
	Arity int
	Doc   string
}

// Builtins are the built-in functions of the rule language.
var Builtins = []Builtin{
	{"me", 0, "the address of the node running the rule"},
	{"append", 2, "append(List, X): List with X added at the end"},
	{"delete_one", 2, "delete_one(List, X): List without the first element equal to X (unchanged if absent)"},
	{"len", 1, "len(List): the number of elements of a list (or bytes of a string)"},
	{"concat", 2, "concat(A, B): two lists joined, or two strings joined"},
	{"min", 2, "min(A, B): the smaller of two values"},
	{"max", 2, "max(A, B): the larger of two values"},
}

// LookupBuiltin returns the built-in function named name.
func LookupBuiltin(name string) (Builtin, bool) {
	for _, b := range Builtins {
		if b.Name == name {
			return b, true
		}
	}
	return Builtin{}, false
}

func isAggregate(name string) bool {
	for _, a := range Aggregates {
		if a == name {
			return true
		}
	}
	return false
}

type bailout struct{}

type parser struct {
	// funcs are the functions of user lattices (name -> arity) that
	// rules may call.
	funcs  map[string]int
	src    string
	lx     lexer
	tok    token
	pos    PosFunc
	diags  diagList
	head   bool // parsing the head: aggregates allowed
	inAgg  bool // inside an aggregate's argument
	depth  int  // nesting of terms (MaxTermDepth)
	parens int  // nesting of parentheses (MaxTermDepth)
}

func newParser(src string, pos PosFunc) *parser {
	if pos == nil {
		pos = LinePos("", 1, 1)
	}
	p := &parser{src: src, lx: lexer{src: src}, pos: pos}
	p.advance()
	return p
}

func (p *parser) at(off int) Pos { return p.pos(off) }

func (p *parser) advance()   { p.tok = p.lx.next(false) }
func (p *parser) advanceOp() { p.tok = p.lx.next(true) }

// fail records a syntax error at the current token and abandons the
// current construct.
func (p *parser) fail(format string, args ...any) {
	p.failAt(p.tok.off, format, args...)
}

func (p *parser) failAt(off int, format string, args ...any) {
	p.diags.errorf("syntax", p.at(off), format, args...)
	panic(bailout{})
}

func (p *parser) checkIllegal() {
	if p.tok.kind == tIllegal {
		if p.tok.err != "" {
			p.fail("%s", p.tok.err)
		}
		p.fail("unexpected character %s", p.tok.describe())
	}
}

func (p *parser) expect(k tokKind, context string) token {
	p.checkIllegal()
	t := p.tok
	if t.kind != k {
		p.fail("expected %s %s, found %s", k, context, t.describe())
	}
	p.advance()
	return t
}

// protect runs f, turning a bailout into a false result.
func (p *parser) protect(f func()) (ok bool) {
	depth, parens := p.depth, p.parens
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(bailout); !is {
				panic(r)
			}
			ok = false
			p.depth, p.parens = depth, parens
		}
	}()
	f()
	return true
}

// sync skips to the next comma at nesting depth 0 (or the end).
func (p *parser) sync() {
	depth := 0
	for {
		switch p.tok.kind {
		case tEOF:
			return
		case tLParen, tLBrack:
			depth++
		case tRParen, tRBrack:
			if depth > 0 {
				depth--
			}
		case tComma:
			if depth == 0 {
				return
			}
		}
		p.advance()
	}
}

// ParseDecl parses a state declaration:
//
//	KIND name(col, ...) [=> (col, ...)] [every N]
func ParseDecl(src string, pos PosFunc) (*Decl, Diagnostics) {
	p := newParser(src, pos)
	var d *Decl
	p.protect(func() { d = p.parseDecl() })
	if len(p.diags.ds) > 0 {
		return nil, p.diags.ds
	}
	d.Text = strings.Join(strings.Fields(src), " ")
	return d, nil
}

func (p *parser) parseDecl() *Decl {
	p.checkIllegal()
	kt := p.tok
	if kt.kind != tIdent {
		p.fail("expected a collection kind (table, scratch, input, output, channel, periodic, lattice), found %s", kt.describe())
	}
	kind := ParseKind(kt.text)
	lattice := kt.text == "lattice"
	if lattice {
		kind = Table
	}
	if kind == KindInvalid {
		if kt.text == "interface" {
			p.fail("unknown collection kind \"interface\": write input or output")
		}
		p.fail("unknown collection kind %q (want table, scratch, input, output, channel, periodic or lattice)", kt.text)
	}
	p.advance()
	p.checkIllegal()
	nt := p.tok
	if nt.kind != tIdent {
		p.fail("expected a collection name after %q, found %s (collection names start with a lowercase letter)", kt.text, nt.describe())
	}
	if strings.Contains(nt.text, ".") {
		p.fail("a declared collection name cannot be qualified: %q names a collection of the imported instance %s, which its own module declares", nt.text, nt.text[:strings.LastIndexByte(nt.text, '.')])
	}
	p.advance()
	d := &Decl{Kind: kind, Lattice: lattice, Name: nt.text, Pos: p.at(kt.off), NamePos: p.at(nt.off)}
	if _, lb := LookupLatticeBuiltin(nt.text); lb {
		p.failAt(nt.off, "%s is a lattice function; choose another collection name", nt.text)
	}
	d.Key = p.parseCols("key")
	if p.tok.kind == tArrow {
		p.advance()
		d.Val = p.parseCols("value")
	}
	if p.tok.kind == tIdent && p.tok.text == "every" {
		everyOff := p.tok.off
		p.advance()
		it := p.expect(tInt, "after every")
		n, err := strconv.ParseInt(it.text, 10, 64)
		if err != nil || n <= 0 {
			p.failAt(it.off, "periodic interval must be a positive integer, found %s", it.text)
		}
		if kind != Periodic {
			p.failAt(everyOff, "only a periodic collection has an interval (every)")
		}
		d.Every = n
	} else if kind == Periodic {
		p.fail("periodic %s needs an interval: add \"every N\" (timesteps)", d.Name)
	}
	p.checkIllegal()
	if p.tok.kind != tEOF {
		p.fail("unexpected %s after declaration", p.tok.describe())
	}
	// Column checks.
	seen := map[string]bool{}
	addrs := 0
	for i, c := range d.Columns() {
		if seen[c.Name] {
			p.diags.errorf("schema", c.Pos, "duplicate column %q in %s", c.Name, d.Name)
		}
		seen[c.Name] = true
		if c.Addr {
			addrs++
			if kind != Channel {
				p.diags.errorf("schema", c.Pos, "only a channel has an @ address column (%s is a %s)", d.Name, kind)
			} else if i >= len(d.Key) {
				p.diags.errorf("schema", c.Pos, "the @ address column of channel %s must be a key column (before =>)", d.Name)
			}
		}
	}
	if kind == Channel && addrs != 1 {
		p.diags.errorf("schema", d.NamePos, "channel %s must have exactly one @ column (the destination address), found %d", d.Name, addrs)
	}
	p.checkLatticeColumns(d)
	return d
}

func (p *parser) parseCols(which string) []Column {
	p.expect(tLParen, "to open the "+which+" columns")
	cols := []Column{}
	if p.tok.kind == tRParen {
		p.advance()
		return cols
	}
	for {
		p.checkIllegal()
		c := Column{}
		start := p.tok.off
		if p.tok.kind == tAt {
			c.Addr = true
			p.advance()
		}
		if p.tok.kind != tIdent && p.tok.kind != tVar || strings.Contains(p.tok.text, ".") {
			p.fail("expected a column name, found %s", p.tok.describe())
		}
		c.Name = p.tok.text
		c.Pos = p.at(start)
		p.advance()
		if p.tok.kind == tColon {
			p.advance()
			c.Type = p.parseLatticeType(0)
		}
		cols = append(cols, c)
		if p.tok.kind == tComma {
			p.advance()
			continue
		}
		p.expect(tRParen, "to close the "+which+" columns")
		return cols
	}
}

// ParseRule parses a rule "head OP body". On a syntax error it returns a
// nil rule and every error it found (it resynchronises at the next comma).
func ParseRule(src string, pos PosFunc) (*Rule, Diagnostics) {
	return parseRule(src, pos, nil)
}

// parseRule is ParseRule with the functions of user lattices (name ->
// arity) that the rule may call.
func parseRule(src string, pos PosFunc, funcs map[string]int) (*Rule, Diagnostics) {
	p := newParser(src, pos)
	p.funcs = funcs
	r := &Rule{Text: strings.Join(strings.Fields(src), " ")}
	if !p.protect(func() { p.parseHead(r) }) {
		return nil, p.diags.ds
	}
	if p.tok.kind == tEOF {
		p.diags.errorf("syntax", p.at(p.tok.off), "expected a body after %s", r.Op)
		return nil, p.diags.ds
	}
	for {
		var lit Literal
		if p.protect(func() { lit = p.parseLiteral() }) {
			r.Body = append(r.Body, lit)
			p.checkAfterLiteral()
		} else {
			p.sync()
		}
		if p.tok.kind == tComma {
			p.advance()
			if p.tok.kind == tEOF {
				p.diags.errorf("syntax", p.at(p.tok.off), "expected a literal after ','")
				break
			}
			continue
		}
		if p.tok.kind == tEOF {
			break
		}
		// Unreachable: checkAfterLiteral and sync stop at ',' or EOF.
		p.advance()
	}
	if len(p.diags.ds) > 0 {
		return nil, p.diags.ds
	}
	// Bare atoms: a bare head needs a single bare body atom.
	bodyBare := 0
	for _, l := range r.Body {
		if a, ok := l.(*AtomLit); ok && a.Bare {
			bodyBare++
		}
	}
	if r.Head.Bare || bodyBare > 0 {
		if !r.Head.Bare || len(r.Body) != 1 || bodyBare != 1 || r.Body[0].(*AtomLit).Negated {
			at := r.Pos
			if !r.Head.Bare {
				for _, l := range r.Body {
					if a, ok := l.(*AtomLit); ok && a.Bare {
						at = a.P
						break
					}
				}
			}
			p.diags.errorf("syntax", at, "a bare collection name (without arguments) is only allowed as \"head %s body\" with one bare body atom; give the arguments", r.Op)
			return nil, p.diags.ds
		}
	}
	return r, nil
}

// checkAfterLiteral reports garbage after a complete literal.
func (p *parser) checkAfterLiteral() {
	if p.tok.kind == tComma || p.tok.kind == tEOF {
		return
	}
	p.protect(func() {
		p.checkIllegal()
		p.fail("expected ',' or end of rule, found %s", p.tok.describe())
	})
	p.sync()
}

func (p *parser) parseHead(r *Rule) {
	p.checkIllegal()
	t := p.tok
	if t.kind != tIdent {
		if t.kind == tVar {
			p.fail("expected a collection name as the rule's head, found variable %s (collection names start with a lowercase letter)", t.describe())
		}
		p.fail("expected a collection name as the rule's head, found %s", t.describe())
	}
	r.Pos = p.at(t.off)
	r.Head.Pred = t.text
	r.Head.P = r.Pos
	// The token after the head is the operator: lex it in operator mode.
	p.advanceOp()
	if p.tok.kind == tLParen {
		p.head = true
		p.advance()
		r.Head.Args = p.parseArgs(true)
		p.head = false
	} else {
		r.Head.Bare = true
	}
	p.checkIllegal()
	switch p.tok.kind {
	case tLeq:
		r.Op = OpMerge
	case tOpDefer:
		r.Op = OpDefer
	case tOpDelete:
		r.Op = OpDelete
	case tOpUpsert:
		r.Op = OpUpsert
	case tOpAsync:
		r.Op = OpAsync
	default:
		p.fail("expected a rule operator (<=, <+, <-, <+-, <~) after the head, found %s", p.tok.describe())
	}
	r.OpPos = p.at(p.tok.off)
	p.advance()
}

// parseArgs parses "expr, ..., expr )" after the opening parenthesis; the
// closing parenthesis is consumed with the operator-mode lexer when
// opAfter is set (the head's last token).
func (p *parser) parseArgs(opAfter bool) []Expr {
	args := []Expr{}
	if p.tok.kind == tRParen {
		if opAfter {
			p.advanceOp()
		} else {
			p.advance()
		}
		return args
	}
	for {
		args = append(args, p.parseExpr())
		p.checkIllegal()
		if p.tok.kind == tComma {
			p.advance()
			continue
		}
		if p.tok.kind != tRParen {
			p.fail("expected ',' or ')' in argument list, found %s", p.tok.describe())
		}
		if opAfter {
			p.advanceOp()
		} else {
			p.advance()
		}
		return args
	}
}

func (p *parser) parseLiteral() Literal {
	p.checkIllegal()
	t := p.tok
	if t.kind == tIdent && t.text == "notin" {
		p.advance()
		p.checkIllegal()
		if p.tok.kind != tIdent {
			p.fail("expected a collection after notin, found %s", p.tok.describe())
		}
		atOff := p.tok.off
		a := p.parseAtom()
		if a.Bare {
			p.failAt(atOff, "notin needs an atom with arguments: notin %s(...)", a.Pred)
		}
		return &AtomLit{Atom: a, Negated: true, NotPos: p.at(t.off)}
	}
	if t.kind == tIdent && !isKeywordLit(t.text) {
		// An atom, unless it is a built-in call used in a comparison.
		save := p.lx.off
		saveTok := p.tok
		p.advance()
		isCall := p.tok.kind == tLss && isAggregate(t.text)
		isTest := false
		if p.tok.kind == tLParen {
			// Look past the balanced argument list.
			if p.isFunc(t.text) && p.callThenCompare() {
				isCall = true
			} else if _, lb := LookupLatticeBuiltin(t.text); lb {
				isTest = true
			} else if _, uf := p.funcs[t.text]; uf {
				isTest = true
			}
		}
		p.lx.off = save
		p.tok = saveTok
		if isTest {
			x := p.parsePrimary()
			return &TestLit{Call: x.(*CallExpr)}
		}
		if !isCall {
			a := p.parseAtom()
			return &AtomLit{Atom: a}
		}
	}
	if t.kind == tVar && t.text != "_" {
		// A binding Var = expr?
		save := p.lx.off
		p.advance()
		if p.tok.kind == tAssign {
			eq := p.tok
			p.advance()
			x := p.parseExpr()
			return &BindLit{Var: &Var{Name: t.text, P: p.at(t.off)}, X: x, P: p.at(eq.off)}
		}
		p.lx.off = save
		p.tok = t
	}
	x := p.parseExpr()
	p.checkIllegal()
	op := p.tok
	switch op.kind {
	case tEq, tNeq, tLss, tLeq, tGtr, tGeq:
	case tAssign:
		p.fail("only a variable can be bound with '='; use '==' to compare")
	default:
		p.fail("expected a comparison operator (==, !=, <, <=, >, >=) after %s, found %s", x.String(), op.describe())
	}
	p.advance()
	y := p.parseExpr()
	return &CmpLit{Op: op.text, X: x, Y: y, P: p.at(op.off)}
}

func isKeywordLit(s string) bool { return s == "true" || s == "false" }

// callThenCompare reports whether, from '(' at the current token, the
// balanced argument list is followed by a comparison operator. It moves
// the lexer; the caller restores it.
func (p *parser) callThenCompare() bool {
	depth := 0
	for {
		switch p.tok.kind {
		case tEOF:
			return false
		case tLParen, tLBrack:
			depth++
		case tRParen, tRBrack:
			depth--
			if depth == 0 {
				p.advance()
				switch p.tok.kind {
				case tEq, tNeq, tLss, tLeq, tGtr, tGeq, tAdd, tSub, tMul, tDiv:
					return true
				}
				return false
			}
		}
		p.advance()
	}
}

func (p *parser) parseAtom() Atom {
	t := p.tok
	a := Atom{Pred: t.text, P: p.at(t.off)}
	p.advance()
	if p.tok.kind != tLParen {
		a.Bare = true
		return a
	}
	p.advance()
	a.Args = p.parseArgs(false)
	return a
}

// Expressions: additive > multiplicative > unary > primary.
func (p *parser) parseExpr() Expr {
	defer p.leave(p.depth)
	x := p.parseTerm()
	for p.tok.kind == tAdd || p.tok.kind == tSub {
		op := p.tok
		p.enter()
		p.advance()
		y := p.parseTerm()
		x = &BinaryExpr{Op: op.text, X: x, Y: y, P: p.at(op.off)}
	}
	return x
}

// enter counts one more level of term nesting (an operator, a list, a
// call, an aggregate, a unary minus) and refuses more than MaxTermDepth:
// recursion that deep would exhaust the stack, and the executor evaluates
// terms recursively. Parentheses are counted apart (enterParen), so that
// the rendering of a term, which adds some, nests as deep as the term.
func (p *parser) enter() {
	p.depth++
	if p.depth > MaxTermDepth {
		p.fail("term nested deeper than %d levels", MaxTermDepth)
	}
}

// leave restores the nesting depth saved on entry.
func (p *parser) leave(depth int) { p.depth = depth }

func (p *parser) enterParen() {
	p.parens++
	if p.parens > MaxTermDepth {
		p.fail("parentheses nested deeper than %d levels", MaxTermDepth)
	}
}

func (p *parser) parseTerm() Expr {
	defer p.leave(p.depth)
	x := p.parseUnary()
	for p.tok.kind == tMul || p.tok.kind == tDiv {
		op := p.tok
		p.enter()
		p.advance()
		y := p.parseUnary()
		x = &BinaryExpr{Op: op.text, X: x, Y: y, P: p.at(op.off)}
	}
	return x
}

func (p *parser) parseUnary() Expr {
	if p.tok.kind == tSub {
		op := p.tok
		p.advance()
		if p.tok.kind == tInt {
			it := p.tok
			n, err := strconv.ParseInt("-"+it.text, 10, 64)
			if err != nil {
				p.failAt(it.off, "integer -%s out of range", it.text)
			}
			p.advance()
			return &IntLit{Value: n, P: p.at(op.off)}
		}
		defer p.leave(p.depth)
		p.enter()
		x := p.parseUnary()
		return &UnaryExpr{Op: "-", X: x, P: p.at(op.off)}
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() Expr {
	p.checkIllegal()
	t := p.tok
	switch t.kind {
	case tInt:
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			p.fail("integer %s out of range", t.text)
		}
		p.advance()
		return &IntLit{Value: n, P: p.at(t.off)}
	case tString:
		p.advance()
		return &StrLit{Value: t.text, P: p.at(t.off)}
	case tVar:
		p.advance()
		return &Var{Name: t.text, P: p.at(t.off)}
	case tLBrack:
		defer p.leave(p.depth)
		p.enter()
		p.advance()
		l := &ListExpr{P: p.at(t.off), Elems: []Expr{}}
		if p.tok.kind == tRBrack {
			p.advance()
			return l
		}
		for {
			l.Elems = append(l.Elems, p.parseExpr())
			p.checkIllegal()
			if p.tok.kind == tComma {
				p.advance()
				continue
			}
			p.expect(tRBrack, "to close the list")
			return l
		}
	case tLParen:
		p.enterParen()
		p.advance()
		x := p.parseExpr()
		p.expect(tRParen, "to close the parenthesis")
		p.parens--
		return x
	case tIdent:
		switch t.text {
		case "true", "false":
			p.advance()
			return &BoolLit{Value: t.text == "true", P: p.at(t.off)}
		case "notin":
			p.fail("notin is only allowed before a body atom")
		}
		p.advance()
		if p.tok.kind == tLss && isAggregate(t.text) {
			return p.parseAggregate(t)
		}
		if p.tok.kind == tLeq && isAggregate(t.text) {
			p.fail("expected an aggregate argument after %s<, found '='", t.text)
		}
		if p.tok.kind != tLParen {
			if isAggregate(t.text) {
				p.failAt(t.off, "aggregate %s needs an argument in angle brackets: %s<X>", t.text, t.text)
			}
			p.failAt(t.off, "unexpected name %q in a term: variables start with an uppercase letter or _, and a function call needs parentheses", t.text)
		}
		arity, ok := p.funcArity(t.text)
		if !ok {
			p.failAt(t.off, "unknown function %q (built-ins: %s; lattice functions: %s)", t.text, builtinNames(), latticeBuiltinNames())
		}
		defer p.leave(p.depth)
		p.enter()
		p.advance()
		args := p.parseArgs(false)
		if len(args) != arity {
			p.failAt(t.off, "function %s takes %d argument%s, found %d", t.text, arity, plural(arity), len(args))
		}
		return &CallExpr{Func: t.text, Args: args, P: p.at(t.off)}
	}
	p.fail("expected a term, found %s", t.describe())
	return nil
}

func (p *parser) parseAggregate(name token) Expr {
	if !p.head {
		p.failAt(name.off, "aggregate %s<...> is only allowed in the head of a rule", name.text)
	}
	if p.inAgg {
		p.failAt(name.off, "nested aggregate %s<...> inside another aggregate", name.text)
	}
	p.advance() // '<'
	agg := &AggExpr{Agg: name.text, P: p.at(name.off)}
	if p.tok.kind == tGtr {
		if name.text != "count" {
			p.fail("aggregate %s needs an argument: %s<X>", name.text, name.text)
		}
		p.advance()
		return agg
	}
	defer p.leave(p.depth)
	p.enter()
	p.inAgg = true
	agg.Arg = p.parseExpr()
	p.inAgg = false
	p.expect(tGtr, "to close the aggregate")
	return agg
}

// isFunc reports whether name is a function the rule may call.
func (p *parser) isFunc(name string) bool {
	_, ok := p.funcArity(name)
	return ok
}

// funcArity returns the arity of a built-in, lattice or user lattice
// function.
func (p *parser) funcArity(name string) (int, bool) {
	if b, ok := LookupBuiltin(name); ok {
		return b.Arity, true
	}
	if b, ok := LookupLatticeBuiltin(name); ok {
		return b.Arity, true
	}
	n, ok := p.funcs[name]
	return n, ok
}

func latticeBuiltinNames() string {
	var names []string
	for _, b := range LatticeBuiltins {
		names = append(names, b.Name)
	}
	return strings.Join(names, ", ")
}

func builtinNames() string {
	var names []string
	for _, b := range Builtins {
		names = append(names, b.Name)
	}
	return strings.Join(names, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// String methods render terms canonically.

func (e *Var) String() string     { return e.Name }
func (e *IntLit) String() string  { return strconv.FormatInt(e.Value, 10) }
func (e *StrLit) String() string  { return Quote(e.Value) }
func (e *BoolLit) String() string { return strconv.FormatBool(e.Value) }
func (e *ListExpr) String() string {
	return "[" + joinExprs(e.Elems) + "]"
}
func (e *BinaryExpr) String() string {
	return fmt.Sprintf("%s %s %s", wrap(e.X), e.Op, wrap(e.Y))
}
func (e *UnaryExpr) String() string {
	switch e.X.(type) {
	case *BinaryExpr, *IntLit, *UnaryExpr:
		// -(0) and -(-X): without parentheses they would read back as
		// one literal or as a different term.
		return "-(" + e.X.String() + ")"
	}
	return "-" + e.X.String()
}
func (e *CallExpr) String() string { return e.Func + "(" + joinExprs(e.Args) + ")" }
func (e *AggExpr) String() string {
	if e.Arg == nil {
		return e.Agg + "<>"
	}
	return e.Agg + "<" + e.Arg.String() + ">"
}

func wrap(e Expr) string {
	if _, ok := e.(*BinaryExpr); ok {
		return "(" + e.String() + ")"
	}
	return e.String()
}

func joinExprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// String renders an atom.
func (a *Atom) String() string {
	if a.Bare {
		return a.Pred
	}
	return a.Pred + "(" + joinExprs(a.Args) + ")"
}

func (l *AtomLit) String() string {
	if l.Negated {
		return "notin " + l.Atom.String()
	}
	return l.Atom.String()
}
func (l *CmpLit) String() string  { return l.X.String() + " " + l.Op + " " + l.Y.String() }
func (l *BindLit) String() string { return l.Var.Name + " = " + l.X.String() }

// Shape renders the rule as its dependencies and place, for messages:
// "head <op> a, notin b (file:10)".
func (r *Rule) Shape() string {
	// Built by hand: a large program's findings name a hundred thousand
	// rules this way.
	var b strings.Builder
	b.WriteString(r.Head.Pred)
	b.WriteByte(' ')
	b.WriteString(r.Op.String())
	b.WriteByte(' ')
	n := 0
	for i, l := range r.Body {
		a, ok := l.(*AtomLit)
		if !ok || r.seenAtom(i, a) {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		if a.Negated {
			b.WriteString("notin ")
		}
		b.WriteString(a.Pred)
	}
	b.WriteString(" (")
	b.WriteString(r.Pos.FileLine())
	b.WriteByte(')')
	return b.String()
}

// seenAtom reports whether an atom before Body[i] has a's predicate and
// negation.
func (r *Rule) seenAtom(i int, a *AtomLit) bool {
	for _, l := range r.Body[:i] {
		if x, ok := l.(*AtomLit); ok && x.Pred == a.Pred && x.Negated == a.Negated {
			return true
		}
	}
	return false
}

// String renders the rule canonically (bare atoms stay bare).
func (r *Rule) String() string {
	var b strings.Builder
	b.WriteString(r.Head.String())
	b.WriteString(" ")
	b.WriteString(r.Op.String())
	b.WriteString(" ")
	for i, l := range r.Body {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l.String())
	}
	return b.String()
}
