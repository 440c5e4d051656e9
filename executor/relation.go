package executor

// A relation holds the facts of one collection at one node: tuples stored
// flat (arity words each, in insertion order), the provenance of each
// tuple (the rule that derived it), and hash indexes. Index 0 is on the
// key columns and enforces the key constraint (for a collection without
// value columns the key is every column, so it is the set's deduplication);
// the others are the join indexes the rule plans asked for.
//
// An index maps the values of its columns to the newest tuple holding
// them and chains each tuple to the previous one with the same values, so
// a lookup yields exactly the matching tuples in reverse insertion order:
// deterministic, independent of hash values.
type relation struct {
	arity  int
	data   []V
	origin []int32
	n      int
	idx    []hidx
	// lw is the number of lineage words per tuple (0: no lineage is
	// kept); lin holds them, lw words per tuple (see lineage.go).
	lw  int
	lin []uint64
}

// hidx is an open-addressing hash table from the values of some columns
// to the last tuple holding them; next chains each tuple to the previous
// one with the same values (0 ends the chain). A chain holds exactly the
// tuples with one key, newest first.
type hidx struct {
	cols  []int
	slots []uint64 // 0: empty; else the key hash's high 32 bits (which also place the slot) << 32 | 1 + the last tuple with the key
	used  int
	next  []int32 // per tuple: 1 + the previous tuple with the same key
}

func slotTuple(s uint64) int { return int(uint32(s)) - 1 }

// newRelation makes a relation with the given key columns and join
// indexes (each a list of columns).
func newRelation(arity int, key []int, joins [][]int) *relation {
	r := &relation{arity: arity, idx: make([]hidx, 1+len(joins))}
	r.idx[0].cols = key
	for i, c := range joins {
		r.idx[i+1].cols = c
	}
	return r
}

func (r *relation) tuple(i int) []V { return r.data[i*r.arity : (i+1)*r.arity : (i+1)*r.arity] }

// slot finds the slot of the key whose values are vals (in the index's
// column order, hash h): the slot holding it, or the empty slot where it
// would go (found false).
func (r *relation) slot(ix *hidx, vals []V, h uint64) (int, bool) {
	mask := len(ix.slots) - 1
	tag := h >> 32
	for i := int(tag) & mask; ; i = (i + 1) & mask {
		s := ix.slots[i]
		if s == 0 {
			return i, false
		}
		if s>>32 == tag && r.keyIs(slotTuple(s), ix.cols, vals) {
			return i, true
		}
	}
}

func (r *relation) keyIs(i int, cols []int, vals []V) bool {
	base := i * r.arity
	for k, c := range cols {
		if r.data[base+c] != vals[k] {
			return false
		}
	}
	return true
}

// lookup returns the newest tuple of index k whose indexed columns hold
// vals (hash h, as hashVals(vals)), or -1; older ones follow with nextOf.
func (r *relation) lookup(k int, vals []V, h uint64) int {
	ix := &r.idx[k]
	if ix.used == 0 {
		return -1
	}
	if s, ok := r.slot(ix, vals, h); ok {
		return slotTuple(ix.slots[s])
	}
	return -1
}

func (r *relation) nextOf(k, i int) int { return int(r.idx[k].next[i]) - 1 }

// keyVals gathers the values of cols of t into buf.
func keyVals(buf []V, t []V, cols []int) []V {
	buf = buf[:0]
	for _, c := range cols {
		buf = append(buf, t[c])
	}
	return buf
}

// findKey returns the tuple with t's key, or -1.
func (r *relation) findKey(t []V) int {
	ix := &r.idx[0]
	if ix.used == 0 {
		return -1
	}
	var buf [16]V
	vals := keyVals(buf[:0], t, ix.cols)
	if s, ok := r.slot(ix, vals, hashVals(vals)); ok {
		return slotTuple(ix.slots[s])
	}
	return -1
}

func (r *relation) equalTuple(i int, t []V) bool {
	u := r.data[i*r.arity : (i+1)*r.arity]
	for k := range u {
		if u[k] != t[k] {
			return false
		}
	}
	return true
}

// contains reports whether t is in r.
func (r *relation) contains(t []V) bool {
	i := r.findKey(t)
	return i >= 0 && r.equalTuple(i, t)
}

// insert adds t unless it is present. It returns whether t was added and,
// when another tuple has t's key with different values, that tuple's
// index (and does not add t).
func (r *relation) insert(t []V, origin int32) (added bool, conflict int) {
	return r.insertL(t, origin, nil)
}

// insertL is insert with the tuple's lineage (nil: none). When t is
// already present its lineage gains lin.
func (r *relation) insertL(t []V, origin int32, lin []uint64) (added bool, conflict int) {
	ix := &r.idx[0]
	if 2*(ix.used+1) > len(ix.slots) {
		r.grow(ix)
	}
	var buf [16]V
	vals := keyVals(buf[:0], t, ix.cols)
	h := hashVals(vals)
	s, found := r.slot(ix, vals, h)
	if found {
		i := slotTuple(ix.slots[s])
		if r.equalTuple(i, t) {
			if r.lw > 0 && lin != nil {
				orLin(r.tupleLin(i), lin)
			}
			return false, -1
		}
		return false, i
	}
	r.appendAt(t, origin, s, h, lin)
	return true, -1
}

// append adds t, which must not be present.
func (r *relation) append(t []V, origin int32) { r.appendAt(t, origin, -1, 0, nil) }

// tupleLin returns the lineage words of tuple i (nil without lineage).
func (r *relation) tupleLin(i int) []uint64 {
	if r.lw == 0 {
		return nil
	}
	return r.lin[i*r.lw : (i+1)*r.lw : (i+1)*r.lw]
}

// appendAt adds t with lineage lin; slot0 >= 0 is the (empty) slot of
// index 0 for t's key, with hash h0, already found by the caller.
func (r *relation) appendAt(t []V, origin int32, slot0 int, h0 uint64, lin []uint64) {
	if r.lw > 0 {
		if lin == nil {
			r.lin = append(r.lin, make([]uint64, r.lw)...)
		} else {
			r.lin = append(r.lin, lin[:r.lw]...)
		}
	}
	i := r.n
	if len(r.origin) == cap(r.origin) {
		// Double (append grows large slices by only a quarter, which
		// copies five times the final size on the way up).
		c := max(8, 2*cap(r.origin))
		r.data = append(make([]V, 0, c*r.arity), r.data...)
		r.origin = append(make([]int32, 0, c), r.origin...)
	}
	r.data = append(r.data, t...)
	r.origin = append(r.origin, origin)
	r.n++
	var buf [16]V
	for k := range r.idx {
		ix := &r.idx[k]
		var s int
		var h uint64
		found := false
		if k == 0 && slot0 >= 0 {
			s, h = slot0, h0
		} else {
			if 2*(ix.used+1) > len(ix.slots) {
				r.grow(ix)
			}
			vals := keyVals(buf[:0], t, ix.cols)
			h = hashVals(vals)
			s, found = r.slot(ix, vals, h)
		}
		if len(ix.next) == cap(ix.next) {
			ix.next = append(make([]int32, 0, cap(r.origin)), ix.next...)
		}
		if found {
			ix.next = append(ix.next, int32(uint32(ix.slots[s])))
		} else {
			ix.next = append(ix.next, 0)
			ix.used++
		}
		ix.slots[s] = h>>32<<32 | uint64(uint32(i+1))
	}
}

// grow doubles an index's table and re-inserts its keys.
func (r *relation) grow(ix *hidx) {
	old := ix.slots
	size := 2 * len(old)
	if size < 16 {
		size = 16
	}
	ix.slots = make([]uint64, size)
	mask := size - 1
	for _, s := range old {
		if s == 0 {
			continue
		}
		// The slot keeps the hash bits that place it: no tuple is read.
		i := int(s>>32) & mask
		for ix.slots[i] != 0 {
			i = (i + 1) & mask
		}
		ix.slots[i] = s
	}
}

// reset empties the relation, keeping its memory.
func (r *relation) reset() {
	if r.n == 0 {
		return
	}
	r.data = r.data[:0]
	r.origin = r.origin[:0]
	r.lin = r.lin[:0]
	r.n = 0
	for k := range r.idx {
		ix := &r.idx[k]
		if len(ix.slots) > 1024 && ix.used*8 < len(ix.slots) {
			ix.slots = nil // it was much bigger once: shrink
		} else {
			clear(ix.slots)
		}
		ix.used = 0
		ix.next = ix.next[:0]
	}
}

// retain keeps the tuples for which keep is true (in order) and rebuilds
// the indexes.
func (r *relation) retain(keep func(i int) bool) {
	data, origin, lin := r.data, r.origin, r.lin
	n := r.n
	r.data, r.origin, r.n = make([]V, 0, len(data)), make([]int32, 0, n), 0
	r.lin = nil
	for k := range r.idx {
		ix := &r.idx[k]
		clear(ix.slots)
		ix.used = 0
		ix.next = ix.next[:0]
	}
	for i := 0; i < n; i++ {
		if keep(i) {
			var l []uint64
			if r.lw > 0 {
				l = lin[i*r.lw : (i+1)*r.lw]
			}
			r.appendAt(data[i*r.arity:(i+1)*r.arity], origin[i], -1, 0, l)
		}
	}
}

// set is a set of tuples of one arity (no key constraint, no provenance):
// the outbox dedup, the seen sets of quiescence detection.
type tupleSet struct {
	rel *relation
}

func newTupleSet(arity int) *tupleSet {
	all := make([]int, arity)
	for i := range all {
		all[i] = i
	}
	return &tupleSet{rel: newRelation(arity, all, nil)}
}

func (s *tupleSet) add(t []V) bool {
	added, _ := s.rel.insert(t, 0)
	return added
}

func (s *tupleSet) has(t []V) bool { return s.rel.contains(t) }

func (s *tupleSet) reset() { s.rel.reset() }
