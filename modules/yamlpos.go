package modules

import (
	"sort"
	"strconv"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// source is one loaded file with its line index, so that offsets inside
// YAML scalars map back to file:line:col.
type source struct {
	name       string
	src        []byte
	lineStarts []int
	// ascii[i] is true when line i+1 holds only ASCII: columns in
	// characters are then columns in bytes.
	ascii []bool
	// runeMarks caches, for a line with other characters, the byte offset
	// of every runeMarkStep-th character, so that a column is found
	// without walking the line from its start for every node (many nodes
	// on one long line would be quadratic).
	runeMarks map[int][]int
	marksMu   sync.Mutex // runeMarks: rules of one file are parsed concurrently (preparse)
}

const runeMarkStep = 64

func newSource(name string, src []byte) *source {
	s := &source{name: name, src: src, lineStarts: []int{0}}
	ascii := true
	for i, c := range src {
		if c >= utf8.RuneSelf {
			ascii = false
		}
		// Line breaks as YAML counts them: LF, CRLF and a lone CR.
		if c == '\n' || c == '\r' && (i+1 == len(src) || src[i+1] != '\n') {
			s.lineStarts = append(s.lineStarts, i+1)
			s.ascii = append(s.ascii, ascii)
			ascii = true
		}
	}
	s.ascii = append(s.ascii, ascii)
	return s
}

// lines is the number of lines of the file: a final line break ends the
// last line rather than starting an empty one.
func (s *source) lines() int {
	n := len(s.lineStarts)
	if n > 1 && s.lineStarts[n-1] == len(s.src) {
		n--
	}
	return n
}

// posAt converts a byte offset into a position. An offset at the end of
// the file is placed just after its last character, never on a line
// after the last.
func (s *source) posAt(off int) Pos {
	off = max(0, min(off, len(s.src)))
	i := sort.Search(len(s.lineStarts), func(i int) bool { return s.lineStarts[i] > off }) - 1
	i = max(i, 0)
	if i >= s.lines() {
		i = s.lines() - 1
		return Pos{File: s.name, Line: i + 1, Col: len(s.src) - s.lineStarts[i] + 1}
	}
	return Pos{File: s.name, Line: i + 1, Col: off - s.lineStarts[i] + 1}
}

// nodePos is the position of a YAML node. yaml.v3 counts columns in
// characters; positions count bytes, as go/token does.
func (s *source) nodePos(n *yaml.Node) Pos {
	return s.posAt(s.nodeOffset(n))
}

func (s *source) nodeOffset(n *yaml.Node) int {
	if n == nil || n.Line < 1 || n.Line > len(s.lineStarts) {
		return 0
	}
	return s.columnOffset(n.Line-1, n.Column)
}

// columnOffset is the byte offset of character column col (from 1) of
// line index li, or the end of the line.
func (s *source) columnOffset(li, col int) int {
	start := s.lineStarts[li]
	end := len(s.src)
	if li+1 < len(s.lineStarts) {
		end = s.lineStarts[li+1]
		for end > start && (s.src[end-1] == '\n' || s.src[end-1] == '\r') {
			end--
		}
	}
	if col < 1 {
		return start
	}
	if s.ascii[li] {
		return min(start+col-1, end)
	}
	s.marksMu.Lock()
	marks, ok := s.runeMarks[li]
	s.marksMu.Unlock()
	if !ok {
		marks = []int{start}
		for off, c := start, 0; off < end; c++ {
			if c > 0 && c%runeMarkStep == 0 {
				marks = append(marks, off)
			}
			_, w := utf8.DecodeRune(s.src[off:end])
			off += w
		}
		s.marksMu.Lock()
		if s.runeMarks == nil {
			s.runeMarks = map[int][]int{}
		}
		s.runeMarks[li] = marks
		s.marksMu.Unlock()
	}
	k := min((col-1)/runeMarkStep, len(marks)-1)
	off := marks[k]
	for c := k*runeMarkStep + 1; c < col && off < end; c++ {
		_, w := utf8.DecodeRune(s.src[off:end])
		off += w
	}
	return off
}

// scalarPos returns a PosFunc for the value of scalar node n: it aligns the
// (unquoted, unescaped, folded) value with the raw text of the file, so
// that an offset in the value maps to the line and column where that
// character stands, also in multi-line, quoted and block scalars and under
// every escape of double-quoted scalars (a character written as an escape
// maps to its backslash).
func (s *source) scalarPos(n *yaml.Node) PosFunc {
	start := s.nodeOffset(n)
	v := n.Value
	raw := s.src[start:]
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && len(raw) >= len(v) && string(raw[:len(v)]) == v {
		// The value stands in the file as it is (a plain scalar on one
		// line, the common case): offsets map directly.
		return func(off int) Pos { return s.posAt(start + max(0, min(off, len(v)))) }
	}
	double := n.Style&yaml.DoubleQuotedStyle != 0
	m := make([]int, len(v)+1)
	i, j := 0, 0
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && len(raw) > 0 {
		j = 1 // the opening quote
	}
	for i < len(v) {
		if j >= len(raw) {
			m[i] = start + len(raw)
			i++
			continue
		}
		if double && raw[j] == '\\' {
			dec, w := yamlEscape(raw[j:])
			if w > 0 && dec == "" {
				// An escaped line break: it and the next line's
				// indentation stand for nothing.
				j += w
				for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t') {
					j++
				}
				continue
			}
			if w > 0 && len(v)-i >= len(dec) && v[i:i+len(dec)] == dec {
				for k := range len(dec) {
					m[i+k] = start + j
				}
				i += len(dec)
				j += w
				continue
			}
		}
		if v[i] == raw[j] {
			m[i] = start + j
			i++
			j++
			continue
		}
		if v[i] == ' ' || v[i] == '\n' || v[i] == '\t' {
			// A folded line break: the value's space stands for raw
			// white space that the next value character follows.
			m[i] = start + j
			i++
			for j < len(raw) && (raw[j] == ' ' || raw[j] == '\n' || raw[j] == '\r' || raw[j] == '\t') {
				j++
			}
			continue
		}
		j++ // quote, block indicator or indentation
	}
	if len(v) > 0 {
		m[len(v)] = m[len(v)-1] + 1
	} else {
		m[0] = start
	}
	return func(off int) Pos {
		return s.posAt(m[max(0, min(off, len(v)))])
	}
}

// yamlEscape decodes the escape sequence at the start of b (which starts
// with a backslash) as yaml.v3 does in a double-quoted scalar: the bytes it
// stands for and its length in the file; an escaped line break stands for
// nothing; w = 0 for an invalid escape.
func yamlEscape(b []byte) (dec string, w int) {
	if len(b) < 2 {
		return "", 0
	}
	simple := map[byte]string{
		'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", '\t': "\t", 'n': "\n", 'v': "\v", 'f': "\f",
		'r': "\r", 'e': "\x1b", ' ': " ", '"': "\"", '/': "/", '\\': "\\",
		'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029",
	}
	if d, ok := simple[b[1]]; ok {
		return d, 2
	}
	switch b[1] {
	case '\n':
		return "", 2
	case '\r':
		if len(b) > 2 && b[2] == '\n' {
			return "", 3
		}
		return "", 2
	}
	digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[b[1]]
	if digits == 0 || len(b) < 2+digits {
		return "", 0
	}
	r, err := strconv.ParseUint(string(b[2:2+digits]), 16, 32)
	if err != nil {
		return "", 0
	}
	return string(rune(r)), 2 + digits
}
