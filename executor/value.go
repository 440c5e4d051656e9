package executor

import (
	"encoding/json"
	"fmt"
	"github.com/calmcheck/calmcheck/modules"
	"strconv"
	"strings"
)

// Kind is the kind of a value. The kinds are totally ordered for
// determinism: every bool is less than every int, every int less than every
// string, every string less than every list.
type Kind uint8

// The value kinds, in their total order.
const (
	BoolKind Kind = iota
	IntKind
	StringKind
	ListKind
)

var valueKindNames = [...]string{"bool", "int", "string", "list"}

func (k Kind) String() string {
	if int(k) < len(valueKindNames) {
		return valueKindNames[k]
	}
	return "invalid"
}

// Value is a value of the rule language as the library API shows it: an
// int64, a string, a bool or a list of values. The zero Value is false.
type Value struct {
	kind Kind
	i    int64
	s    string
	l    []Value
}

// Int returns an integer value.
func Int(n int64) Value { return Value{kind: IntKind, i: n} }

// Str returns a string value.
func Str(s string) Value { return Value{kind: StringKind, s: s} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return Value{kind: BoolKind, i: 1}
	}
	return Value{kind: BoolKind}
}

// List returns a list value.
func List(elems ...Value) Value {
	return Value{kind: ListKind, l: append([]Value{}, elems...)}
}

// Kind returns the kind of v.
func (v Value) Kind() Kind { return v.kind }

// AsInt returns the integer of an int value.
func (v Value) AsInt() (int64, bool) { return v.i, v.kind == IntKind }

// AsString returns the string of a string value.
func (v Value) AsString() (string, bool) { return v.s, v.kind == StringKind }

// AsBool returns the boolean of a bool value.
func (v Value) AsBool() (bool, bool) { return v.i != 0, v.kind == BoolKind }

// AsList returns the elements of a list value (not a copy: do not modify).
func (v Value) AsList() ([]Value, bool) { return v.l, v.kind == ListKind }

// Compare orders values totally: by kind (bool < int < string < list),
// then false < true, integers numerically, strings bytewise, lists
// lexicographically (a proper prefix first).
func (v Value) Compare(w Value) int {
	if v.kind != w.kind {
		if v.kind < w.kind {
			return -1
		}
		return 1
	}
	switch v.kind {
	case BoolKind, IntKind:
		return cmpInt(v.i, w.i)
	case StringKind:
		return strings.Compare(v.s, w.s)
	}
	for i := 0; i < len(v.l) && i < len(w.l); i++ {
		if c := v.l[i].Compare(w.l[i]); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(v.l)), int64(len(w.l)))
}

// Equal reports whether v and w are the same value (lists structurally).
func (v Value) Equal(w Value) bool { return v.Compare(w) == 0 }

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String renders v in the syntax of the rule language: 7, "apple", true,
// ["a", 1].
func (v Value) String() string {
	var b strings.Builder
	v.write(&b)
	return b.String()
}

func (v Value) write(b *strings.Builder) {
	switch v.kind {
	case BoolKind:
		b.WriteString(strconv.FormatBool(v.i != 0))
	case IntKind:
		b.WriteString(strconv.FormatInt(v.i, 10))
	case StringKind:
		b.WriteString(modules.Quote(v.s))
	case ListKind:
		b.WriteByte('[')
		for i, e := range v.l {
			if i > 0 {
				b.WriteString(", ")
			}
			e.write(b)
		}
		b.WriteByte(']')
	}
}

// MarshalJSON renders v as JSON: numbers, strings, booleans and arrays.
func (v Value) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	v.writeJSON(&b)
	return []byte(b.String()), nil
}

func (v Value) writeJSON(b *strings.Builder) {
	switch v.kind {
	case BoolKind:
		b.WriteString(strconv.FormatBool(v.i != 0))
	case IntKind:
		b.WriteString(strconv.FormatInt(v.i, 10))
	case StringKind:
		// encoding/json, not strconv.Quote: Go's \x1b escapes are not JSON.
		data, _ := json.Marshal(v.s)
		b.Write(data)
	case ListKind:
		b.WriteByte('[')
		for i, e := range v.l {
			if i > 0 {
				b.WriteByte(',')
			}
			e.writeJSON(b)
		}
		b.WriteByte(']')
	}
}

// Fact is a tuple of a collection.
type Fact struct {
	Collection string
	Args       []Value
}

// String renders the fact as an atom: name(arg, ...).
func (f Fact) String() string {
	var b strings.Builder
	b.WriteString(f.Collection)
	b.WriteByte('(')
	for i, a := range f.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		a.write(&b)
	}
	b.WriteByte(')')
	return b.String()
}

// Compare orders facts by collection name, then arguments.
func (f Fact) Compare(g Fact) int {
	if c := strings.Compare(f.Collection, g.Collection); c != 0 {
		return c
	}
	for i := 0; i < len(f.Args) && i < len(g.Args); i++ {
		if c := f.Args[i].Compare(g.Args[i]); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(f.Args)), int64(len(g.Args)))
}

// Equal reports whether two facts are the same.
func (f Fact) Equal(g Fact) bool { return f.Compare(g) == 0 }

// ---------------------------------------------------------------------------
// Interned values.
//
// Inside a run every value is a V: a 64-bit word. Booleans and integers
// that fit in 62 bits are stored inline; strings, lists and the few
// integers that do not fit are interned, so that equal values have equal
// words and tuples hash and compare as machine words. Interning is
// canonical (a list is interned by its elements' words), so V equality is
// value equality.

// V is an interned value.
type V uint64

const (
	tagShift = 62
	tagMask  = V(3) << tagShift
	tagInt   = V(0) << tagShift
	tagBool  = V(1) << tagShift
	tagRef   = V(2) << tagShift
	payload  = ^tagMask

	minInline = -(int64(1) << 61)
	maxInline = int64(1)<<61 - 1
)

var (
	vFalse = tagBool
	vTrue  = tagBool | 1
)

func vbool(b bool) V {
	if b {
		return vTrue
	}
	return vFalse
}

// entry is an interned value.
type entry struct {
	kind Kind
	i    int64  // IntKind (outside the inline range)
	s    string // StringKind
	l    []V    // ListKind
	// size is a list's size written out (every element of every nested
	// list counted, shared parts as often as they occur), saturating:
	// interned lists share their parts, a list that holds the one before
	// it twice doubles in size at each step without costing more cells.
	size int64
}

// symtab is a frozen set of interned values (the constants of a compiled
// program); it is only read once built, so runs share it.
type symtab struct {
	entries []entry
	strs    map[string]V
	lists   map[string]V
	ints    map[int64]V
}

func newSymtab() *symtab {
	return &symtab{strs: map[string]V{}, lists: map[string]V{}, ints: map[int64]V{}}
}

// interner interns values for one run: it reads the program's frozen
// constants and adds its own.
type interner struct {
	base    *symtab
	own     symtab
	buf     []byte
	cells   int // list elements and string bytes/8 interned by the run
	maxCell int
}

func newInterner(base *symtab, maxCells int) *interner {
	in := &interner{base: base, maxCell: maxCells}
	in.own = symtab{strs: map[string]V{}, lists: map[string]V{}, ints: map[int64]V{}}
	return in
}

// errTooLarge is raised (as a runError) when a run interns more than its
// value budget.
type budgetError struct{ cells int }

func (in *interner) charge(n int) {
	in.cells += n
	if in.maxCell > 0 && in.cells > in.maxCell {
		panic(budgetError{in.maxCell})
	}
}

func (in *interner) entry(v V) *entry {
	i := int(v & payload)
	if in.base != nil {
		if i < len(in.base.entries) {
			return &in.base.entries[i]
		}
		i -= len(in.base.entries)
	}
	return &in.own.entries[i]
}

func (in *interner) add(e entry) V {
	n := len(in.own.entries)
	if in.base != nil {
		n += len(in.base.entries)
	}
	in.own.entries = append(in.own.entries, e)
	return tagRef | V(n)
}

func (in *interner) int(n int64) V {
	if n >= minInline && n <= maxInline {
		return V(uint64(n)) & payload
	}
	if in.base != nil {
		if v, ok := in.base.ints[n]; ok {
			return v
		}
	}
	if v, ok := in.own.ints[n]; ok {
		return v
	}
	v := in.add(entry{kind: IntKind, i: n})
	in.own.ints[n] = v
	return v
}

func (in *interner) str(s string) V {
	if in.base != nil {
		if v, ok := in.base.strs[s]; ok {
			return v
		}
	}
	if v, ok := in.own.strs[s]; ok {
		return v
	}
	in.charge(1 + len(s)/8)
	v := in.add(entry{kind: StringKind, s: s})
	in.own.strs[s] = v
	return v
}

// list interns a list; elems may be reused by the caller afterwards.
func (in *interner) list(elems []V) V {
	in.buf = in.buf[:0]
	for _, e := range elems {
		in.buf = append(in.buf, byte(e), byte(e>>8), byte(e>>16), byte(e>>24), byte(e>>32), byte(e>>40), byte(e>>48), byte(e>>56))
	}
	if in.base != nil {
		if v, ok := in.base.lists[string(in.buf)]; ok {
			return v
		}
	}
	if v, ok := in.own.lists[string(in.buf)]; ok {
		return v
	}
	in.charge(1 + len(elems))
	size := int64(1)
	for _, e := range elems {
		size += in.size(e)
		if size > maxListSize {
			size = maxListSize + 1
		}
	}
	if in.maxCell > 0 && size > int64(in.maxCell/writtenOutShare) {
		// Converting it (outputs, lattice merges) writes out every
		// nested element, several times over: bounded at a share of
		// the cells.
		panic(budgetError{in.maxCell})
	}
	v := in.add(entry{kind: ListKind, l: append([]V(nil), elems...), size: size})
	in.own.lists[string(in.buf)] = v
	return v
}

// writtenOutShare: a list may have at most MaxValueCells/writtenOutShare
// elements written out (65,536 by default), so that converting it to a
// lattice value for a merge, comparing and interning the result (each
// costing its size written out, at every merge) stays cheap: a set that
// holds itself doubles at each merge, and each doubling costs as much as
// all before it.
const writtenOutShare = 256

// maxListSize saturates entry.size.
const maxListSize = 1 << 50

// size is the written-out size of an interned value: 1 for a scalar.
func (in *interner) size(v V) int64 {
	if v&tagMask != tagRef {
		return 1
	}
	e := in.entry(v)
	if e.kind != ListKind {
		return 1
	}
	if e.size == 0 {
		return 1 + int64(len(e.l)) // a constant interned before sizes (not nested)
	}
	return e.size
}

// freeze turns the run-local values into a symtab (used to build the
// constants of a compiled program).
func (in *interner) freeze() *symtab {
	st := in.own
	return &st
}

func (in *interner) kind(v V) Kind {
	switch v & tagMask {
	case tagInt:
		return IntKind
	case tagBool:
		return BoolKind
	}
	return in.entry(v).kind
}

// asInt returns the integer of v.
func (in *interner) asInt(v V) (int64, bool) {
	switch v & tagMask {
	case tagInt:
		return int64(uint64(v)<<2) >> 2, true
	case tagRef:
		if e := in.entry(v); e.kind == IntKind {
			return e.i, true
		}
	}
	return 0, false
}

func (in *interner) asList(v V) ([]V, bool) {
	if v&tagMask != tagRef {
		return nil, false
	}
	e := in.entry(v)
	return e.l, e.kind == ListKind
}

func (in *interner) asString(v V) (string, bool) {
	if v&tagMask != tagRef {
		return "", false
	}
	e := in.entry(v)
	return e.s, e.kind == StringKind
}

// compare orders interned values as Value.Compare does.
func (in *interner) compare(a, b V) int {
	if a == b {
		return 0
	}
	if a&tagMask == tagInt && b&tagMask == tagInt {
		return cmpInt(int64(uint64(a)<<2)>>2, int64(uint64(b)<<2)>>2)
	}
	ka, kb := in.kind(a), in.kind(b)
	if ka != kb {
		if ka < kb {
			return -1
		}
		return 1
	}
	switch ka {
	case BoolKind:
		return cmpInt(int64(a&1), int64(b&1))
	case IntKind:
		x, _ := in.asInt(a)
		y, _ := in.asInt(b)
		return cmpInt(x, y)
	case StringKind:
		return strings.Compare(in.entry(a).s, in.entry(b).s)
	}
	la, lb := in.entry(a).l, in.entry(b).l
	for i := 0; i < len(la) && i < len(lb); i++ {
		if c := in.compare(la[i], lb[i]); c != 0 {
			return c
		}
	}
	return cmpInt(int64(len(la)), int64(len(lb)))
}

func (in *interner) compareTuples(a, b []V) int {
	for i := range a {
		if c := in.compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// value converts an interned value to a Value.
func (in *interner) value(v V) Value {
	switch v & tagMask {
	case tagInt:
		n, _ := in.asInt(v)
		return Int(n)
	case tagBool:
		return Bool(v&1 == 1)
	}
	e := in.entry(v)
	switch e.kind {
	case IntKind:
		return Int(e.i)
	case StringKind:
		return Str(e.s)
	}
	l := make([]Value, len(e.l))
	for i, x := range e.l {
		l[i] = in.value(x)
	}
	return Value{kind: ListKind, l: l}
}

// intern converts a Value to an interned value.
func (in *interner) intern(v Value) V {
	switch v.kind {
	case BoolKind:
		return vbool(v.i != 0)
	case IntKind:
		return in.int(v.i)
	case StringKind:
		return in.str(v.s)
	}
	elems := make([]V, len(v.l))
	for i, e := range v.l {
		elems[i] = in.intern(e)
	}
	return in.list(elems)
}

func (in *interner) fact(name string, t []V) Fact {
	f := Fact{Collection: name, Args: make([]Value, len(t))}
	for i, v := range t {
		f.Args[i] = in.value(v)
	}
	return f
}

// show renders an interned value (for error messages).
func (in *interner) show(v V) string { return in.value(v).String() }

func (in *interner) showTuple(name string, t []V) string { return in.fact(name, t).String() }

// hashing

const hashSeed = 0x9E3779B97F4A7C15

func mix(h, x uint64) uint64 {
	h ^= x
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 31
	return h
}

func hashVals(vs []V) uint64 {
	h := uint64(hashSeed)
	for _, v := range vs {
		h = mix(h, uint64(v))
	}
	// fmix64 (MurmurHash3): every input bit affects the low bits, which
	// pick the slot.
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func describeKind(in *interner, v V) string {
	return fmt.Sprintf("%s %s", in.kind(v), in.show(v))
}
