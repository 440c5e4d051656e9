package verify

import (
	"fmt"
	"sort"
	"strings"

	"github.com/calmcheck/calmcheck/executor"
)

// randomSchedule delays each message by a number of timesteps drawn from
// [lo, hi] by hashing the seed with the message's key: a pure function of
// the message, so it is safe for concurrent use, and removing an input
// (when a witness is minimized) leaves the other messages' delays alone.
type randomSchedule struct {
	seed   uint64
	lo, hi int
}

func (s randomSchedule) Arrival(m *executor.Message) int {
	if s.hi <= s.lo {
		return m.Sent + s.lo
	}
	h := mix(s.seed ^ fnv(m.Key()))
	return m.Sent + s.lo + int(h%uint64(s.hi-s.lo+1))
}

func (s randomSchedule) MaxDelay() int { return max(s.hi, 1) }

func fnv(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix is SplitMix64's finalizer.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// subSeed derives the seed of one part of the exploration from the
// user's seed and the names of the part, so that every part is
// deterministic on its own.
func subSeed(seed uint64, parts ...any) uint64 {
	return mix(seed ^ fnv(fmt.Sprint(parts...)))
}

// delays is an explicit schedule: message key -> delay. Messages it does
// not list arrive in the next timestep.
type delays map[string]int

func (d delays) schedule() *executor.Schedule { return &executor.Schedule{Delays: d, Default: 1} }

// key is a canonical text of the schedule (its non-default delays).
func (d delays) key() string {
	keys := make([]string, 0, len(d))
	for k, v := range d {
		if v != 1 {
			keys = append(keys, fmt.Sprintf("%s=%d", k, v))
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, "\n")
}

// nonDefault returns the keys of the messages the schedule delays by more
// than one timestep, sorted.
func (d delays) nonDefault() []string {
	var keys []string
	for k, v := range d {
		if v != 1 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// hash is a hash of key(), computed as the exclusive or of a hash per
// non-default delay, so that changing one delay updates it in O(1).
func (d delays) hash() uint64 {
	var h uint64
	for k, v := range d {
		h ^= entryHash(k, v)
	}
	return h
}

func entryHash(key string, d int) uint64 {
	if d == 1 {
		return 0
	}
	return mix(fnv(key) ^ uint64(d)*0x9e3779b97f4a7c15)
}

func delaysOf(ms []executor.Message) delays {
	d := delays{}
	for i := range ms {
		if ms[i].Arrives > ms[i].Sent {
			d[ms[i].Key()] = ms[i].Arrives - ms[i].Sent
		}
	}
	return d
}

// An event at a node: a message arriving or an input injected.
type event struct {
	id      string
	at      int // timestep
	msg     int // index of the message in the run's deliveries, -1 for an input
	message bool
}

// eventsByNode lists what arrives at each node in a run.
func eventsByNode(ms []executor.Message, inputs []executor.WorkloadFact) map[string][]event {
	by := map[string][]event{}
	for i := range ms {
		m := &ms[i]
		if m.Arrives == 0 {
			continue
		}
		by[m.To] = append(by[m.To], event{id: m.Key(), at: m.Arrives, msg: i, message: true})
	}
	for _, in := range inputs {
		by[in.Node] = append(by[in.Node], event{id: "input " + in.Fact.String(), at: in.Tick, msg: -1})
	}
	for _, evs := range by {
		sort.Slice(evs, func(i, j int) bool {
			if evs[i].at != evs[j].at {
				return evs[i].at < evs[j].at
			}
			return evs[i].id < evs[j].id
		})
	}
	return by
}

// dependents returns, for every message m of a run, the messages that may
// depend on it: those sent by the receiver once m arrived, and, through
// them, by every node they reached, from the timestep they arrived on.
// (Anything a node sends after it was affected counts: conservative, so
// that a reordering never moves a message ahead of its own cause.)
func dependents(ms []executor.Message) [][]bool {
	order := make([]int, len(ms))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ms[order[a]].Sent < ms[order[b]].Sent })
	out := make([][]bool, len(ms))
	for i := range ms {
		dep := make([]bool, len(ms))
		affected := map[string]int{ms[i].To: ms[i].Arrives} // node -> first timestep it may act on m
		for _, j := range order {
			e := &ms[j]
			if j == i {
				continue
			}
			if t, ok := affected[e.From]; ok && e.Sent >= t {
				dep[j] = true
				if old, ok := affected[e.To]; !ok || e.Arrives < old {
					affected[e.To] = e.Arrives
				}
			}
		}
		out[i] = dep
	}
	return out
}

// A reversal is a schedule made from a run's by changing one message's
// delay; hash identifies the schedule (delays.hash).
type reversal struct {
	base  delays
	key   string
	delay int
	hash  uint64
}

// delays returns the reversal's schedule.
func (r reversal) delays() delays {
	c := make(delays, len(r.base)+1)
	for k, v := range r.base {
		c[k] = v
	}
	c[r.key] = r.delay
	return c
}

// orderSignature is the delivery order of a run: at every node, the
// sequence of what arrives together (timesteps are left out: two runs
// with the same signature deliver in the same order).
func orderSignature(nodes []string, ms []executor.Message, inputs []executor.WorkloadFact) string {
	by := eventsByNode(ms, inputs)
	var b strings.Builder
	for _, n := range nodes {
		b.WriteString(n)
		b.WriteString(":")
		last := -1
		for _, e := range by[n] {
			if e.at != last {
				b.WriteString("|")
				last = e.at
			} else {
				b.WriteString(",")
			}
			b.WriteString(e.id)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// reversals returns the schedules that reverse one race of a run: for a
// message m and an event e at the same node that arrives together with
// m or in the next timestep anything arrives there, and does not depend
// on m (an input, or a message not caused by m: see dependents), m is delayed to
// arrive together with e, and after it. Every other message keeps its
// delay. This is the partial-order reduction: only messages that race to
// the same node are reordered (messages to different nodes are never
// permuted against each other), one adjacent pair at a time; reversing
// races in the runs that result reaches the other orders, as bubble sort
// does.
func reversals(ms []executor.Message, inputs []executor.WorkloadFact, maxDelay int) []reversal {
	base := delaysOf(ms)
	bh := base.hash()
	by := eventsByNode(ms, inputs)
	deps := dependents(ms)
	nodes := make([]string, 0, len(by))
	for n := range by {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	var out []reversal
	seen := map[uint64]bool{}
	add := func(key string, d int) {
		old, ok := base[key]
		if !ok {
			old = 1
		}
		if d < 1 || d > maxDelay || old == d {
			return
		}
		h := bh ^ entryHash(key, old) ^ entryHash(key, d)
		if !seen[h] {
			seen[h] = true
			out = append(out, reversal{base: base, key: key, delay: d, hash: h})
		}
	}
	for _, n := range nodes {
		evs := by[n]
		for i, m := range evs {
			if !m.message {
				continue
			}
			next := -1 // the next timestep anything arrives at n after m
			for _, e := range evs[i+1:] {
				if e.at > m.at {
					next = e.at
					break
				}
			}
			for _, e := range evs {
				if e.id == m.id || (e.at != m.at && e.at != next) {
					continue
				}
				if e.message && deps[m.msg][e.msg] {
					continue // e may depend on m
				}
				sent := ms[m.msg].Sent
				if e.at > m.at {
					add(m.id, e.at-sent)
				}
				add(m.id, e.at+1-sent)
			}
		}
	}
	return out
}
