package modules

import (
	"sort"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// source is one loaded file with its line index, so that offsets inside
// YAML scalars map back to file:line:col.
type source struct {
	name       string
	src        []byte
	lineStarts []int
}

func newSource(name string, src []byte) *source {
	s := &source{name: name, src: src, lineStarts: []int{0}}
	for i, c := range src {
		if c == '\n' {
			s.lineStarts = append(s.lineStarts, i+1)
		}
	}
	return s
}

// posAt converts a byte offset into a position.
func (s *source) posAt(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(s.src) {
		off = len(s.src)
	}
	i := sort.Search(len(s.lineStarts), func(i int) bool { return s.lineStarts[i] > off }) - 1
	if i < 0 {
		i = 0
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
	off := s.lineStarts[n.Line-1]
	for c := 1; c < n.Column && off < len(s.src) && s.src[off] != '\n'; c++ {
		_, w := utf8.DecodeRune(s.src[off:])
		off += w
	}
	return off
}

// scalarPos returns a PosFunc for the value of scalar node n: it aligns the
// (unquoted, folded) value with the raw text of the file, so that an offset
// in the value maps to the line and column where that character stands,
// also in multi-line, quoted and block scalars.
func (s *source) scalarPos(n *yaml.Node) PosFunc {
	start := s.nodeOffset(n)
	v := n.Value
	raw := s.src[start:]
	if len(raw) >= len(v) && string(raw[:len(v)]) == v {
		// The value stands in the file as it is (a plain scalar on one
		// line, the common case): offsets map directly.
		return func(off int) Pos { return s.posAt(start + max(0, min(off, len(v)))) }
	}
	m := make([]int, len(v)+1)
	i, j := 0, 0
	for i < len(v) {
		if j >= len(raw) {
			m[i] = start + len(raw)
			i++
			continue
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
		j++ // quote, escape, block indicator or indentation
	}
	if len(v) > 0 {
		m[len(v)] = m[len(v)-1] + 1
	} else {
		m[0] = start
	}
	return func(off int) Pos {
		if off < 0 {
			off = 0
		}
		if off > len(v) {
			off = len(v)
		}
		return s.posAt(m[off])
	}
}
