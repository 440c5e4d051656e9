package executor

import "math"

// Quiescence: when a run is over. Without periodic collections, when no
// message is in flight and the last timestep changed nothing; with them,
// when a window of timesteps long enough for every period and delay
// brought nothing new.

// quiescence is what a run tracks to know when it is over.
type quiescence struct {
	periodic     bool
	quiet        int
	lastActivity int
	noise        bool // exact mode: something happened this tick
	activity     bool // periodic mode: something new happened this tick
}

// quietWindow is rounds × (every + 2 × delay) timesteps, saturated at
// math.MaxInt32 (longer than any run): a huge period must not wrap the
// window around to a small number.
func quietWindow(rounds int, every int64, delay int) int {
	const limit = math.MaxInt32
	w := uint64(max(every, 0)) + 2*uint64(max(delay, 0))
	if w > limit || uint64(rounds)*w > limit {
		return limit
	}
	return rounds * int(w)
}

// quiescent decides, at the end of a timestep, whether the run is over;
// see docs/semantics.md ("Quiescence").
func (r *run) quiescent() bool {
	t := r.tick
	if r.activity {
		r.lastActivity = t
	}
	if t < r.s.lastInput {
		return false
	}
	for _, n := range r.nodes {
		if len(n.changeC) > 0 {
			return false
		}
	}
	if !r.periodic {
		return r.net.inflight == 0 && !r.noise
	}
	if t-r.lastActivity < r.quiet {
		return false
	}
	for _, ms := range r.net.buckets {
		for _, m := range ms {
			if s := r.nodes[m.to].seenDeliv[m.ch]; s == nil || !s.has(m.t) {
				return false
			}
		}
	}
	return true
}
