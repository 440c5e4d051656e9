package modules

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token of the declaration and rule
// language.
type tokKind int

const (
	tEOF tokKind = iota
	tIllegal
	tIdent  // lowercase-initial name: collection, function, keyword; a.b.x qualified
	tVar    // uppercase-initial or _-initial name
	tInt    // 123
	tString // "..."
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
	tAt
	tArrow  // =>
	tAssign // =
	tEq     // ==
	tNeq    // !=
	tLss    // <
	tLeq    // <=
	tGtr    // >
	tGeq    // >=
	tAdd    // +
	tSub    // -
	tMul    // *
	tDiv    // /
	tPipe   // |
	tColon  // :
	tOpDefer
	tOpDelete
	tOpUpsert
	tOpAsync
)

var tokNames = map[tokKind]string{
	tEOF: "end of text", tIllegal: "illegal character", tIdent: "name", tVar: "variable",
	tInt: "integer", tString: "string", tLParen: "'('", tRParen: "')'", tLBrack: "'['",
	tRBrack: "']'", tComma: "','", tAt: "'@'", tArrow: "'=>'", tAssign: "'='", tEq: "'=='",
	tNeq: "'!='", tLss: "'<'", tLeq: "'<='", tGtr: "'>'", tGeq: "'>='", tAdd: "'+'",
	tSub: "'-'", tMul: "'*'", tDiv: "'/'", tPipe: "'|'", tColon: "':'", tOpDefer: "'<+'", tOpDelete: "'<-'",
	tOpUpsert: "'<+-'", tOpAsync: "'<~'",
}

func (k tokKind) String() string {
	if s, ok := tokNames[k]; ok {
		return s
	}
	return fmt.Sprintf("token(%d)", int(k))
}

type token struct {
	kind tokKind
	text string // source text (for strings: the unquoted value)
	off  int    // byte offset in the source
	err  string // for tIllegal and malformed strings
}

func (t token) describe() string {
	switch t.kind {
	case tIdent, tVar, tInt:
		return fmt.Sprintf("%q", t.text)
	case tString:
		return "string"
	case tEOF:
		return "end of text"
	case tIllegal:
		return fmt.Sprintf("%q", t.text)
	}
	return t.kind.String()
}

// lexer splits a declaration or rule string into tokens. In operator mode
// ("<+", "<-", "<+-", "<~" are recognised) it is used only for the rule's
// operator; everywhere else '<' is a comparison, so "X <-1" reads as X < -1.
type lexer struct {
	src string
	off int
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentPart(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func (lx *lexer) next(opMode bool) token {
	s := lx.src
	for lx.off < len(s) {
		c := s[lx.off]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			lx.off++
			continue
		}
		break
	}
	start := lx.off
	if start >= len(s) {
		return token{kind: tEOF, off: len(s)}
	}
	r, w := utf8.DecodeRuneInString(s[start:])
	if r == utf8.RuneError && w <= 1 {
		lx.off += 1
		return token{kind: tIllegal, text: s[start : start+1], off: start, err: "invalid UTF-8"}
	}
	switch {
	case isIdentStart(r):
		end := start + w
		for end < len(s) {
			r2, w2 := utf8.DecodeRuneInString(s[end:])
			if !isIdentPart(r2) {
				break
			}
			end += w2
		}
		if r == '_' || unicode.IsUpper(r) {
			lx.off = end
			return token{kind: tVar, text: s[start:end], off: start}
		}
		// A qualified name a.b.x names collection x of instance a.b (an
		// import); every segment starts with a lowercase letter.
		for end < len(s) && s[end] == '.' {
			r2, w2 := utf8.DecodeRuneInString(s[end+1:])
			if !isIdentStart(r2) || r2 == '_' || unicode.IsUpper(r2) {
				lx.off = end + 1
				return token{kind: tIllegal, text: s[start : end+1], off: end, err: fmt.Sprintf("expected a lowercase name after '.' in the qualified name %q", s[start:end]+".")}
			}
			end += 1 + w2
			for end < len(s) {
				r3, w3 := utf8.DecodeRuneInString(s[end:])
				if !isIdentPart(r3) {
					break
				}
				end += w3
			}
		}
		lx.off = end
		return token{kind: tIdent, text: s[start:end], off: start}
	case r >= '0' && r <= '9':
		end := start
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		lx.off = end
		return token{kind: tInt, text: s[start:end], off: start}
	case r == '"':
		return lx.lexString(start)
	}
	lx.off = start + 1
	two := ""
	if start+2 <= len(s) {
		two = s[start : start+2]
	}
	tok := func(k tokKind, n int) token {
		lx.off = start + n
		return token{kind: k, text: s[start : start+n], off: start}
	}
	if opMode && c0(s, start) == '<' {
		switch {
		case strings.HasPrefix(s[start:], "<+-"):
			return tok(tOpUpsert, 3)
		case two == "<+":
			return tok(tOpDefer, 2)
		case two == "<-":
			return tok(tOpDelete, 2)
		case two == "<~":
			return tok(tOpAsync, 2)
		}
	}
	switch two {
	case "=>":
		return tok(tArrow, 2)
	case "==":
		return tok(tEq, 2)
	case "!=":
		return tok(tNeq, 2)
	case "<=":
		return tok(tLeq, 2)
	case ">=":
		return tok(tGeq, 2)
	}
	switch s[start] {
	case '(':
		return tok(tLParen, 1)
	case ')':
		return tok(tRParen, 1)
	case '[':
		return tok(tLBrack, 1)
	case ']':
		return tok(tRBrack, 1)
	case ',':
		return tok(tComma, 1)
	case '@':
		return tok(tAt, 1)
	case '=':
		return tok(tAssign, 1)
	case '<':
		return tok(tLss, 1)
	case '>':
		return tok(tGtr, 1)
	case '+':
		return tok(tAdd, 1)
	case '-':
		return tok(tSub, 1)
	case '*':
		return tok(tMul, 1)
	case '/':
		return tok(tDiv, 1)
	case '|':
		return tok(tPipe, 1)
	case ':':
		return tok(tColon, 1)
	}
	lx.off = start + w
	return token{kind: tIllegal, text: s[start : start+w], off: start}
}

func c0(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// lexString reads a double-quoted string with the escapes \" \\ \n \t.
func (lx *lexer) lexString(start int) token {
	s := lx.src
	var b strings.Builder
	i := start + 1
	for i < len(s) {
		c := s[i]
		switch c {
		case '"':
			lx.off = i + 1
			return token{kind: tString, text: b.String(), off: start}
		case '\\':
			if i+1 >= len(s) {
				i++
				continue
			}
			switch s[i+1] {
			case '"', '\\':
				b.WriteByte(s[i+1])
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				lx.off = i + 2
				return token{kind: tIllegal, text: s[i : i+2], off: i, err: fmt.Sprintf("unknown escape %q in string", s[i:i+2])}
			}
			i += 2
		case '\n':
			lx.off = i
			return token{kind: tIllegal, text: s[start:i], off: start, err: "string not terminated"}
		default:
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && w <= 1 {
				lx.off = i + 1
				return token{kind: tIllegal, text: s[i : i+1], off: i, err: "invalid UTF-8 in string"}
			}
			b.WriteString(s[i : i+w])
			i += w
		}
	}
	lx.off = len(s)
	return token{kind: tIllegal, text: s[start:], off: start, err: "string not terminated"}
}

// Quote renders a string literal of the rule language, with exactly the
// escapes the lexer reads (\" \\ \n \t); other bytes are written as they
// are.
func Quote(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
