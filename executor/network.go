package executor

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

// The network: messages in flight, their fate (the fault model: the
// workload's network policy or a Scheduler) and their delivery order.

type message struct {
	from, to int
	ch       int
	t        []V
	rule     int32
	sent     int
	lin      []uint64
}

type network struct {
	spec     NetworkSpec
	faults   faultModel
	buckets  map[int][]message
	inflight int
	maxDelay int
}

// A faultModel decides the fate of every message the run sends: when it
// arrives, whether it is lost, whether a duplicate arrives. The
// workload's network policy (random or FIFO delays, drops and duplicates
// drawn from the run's seed) is one; a Scheduler (every message delivered
// once, when it says) is the other. The run consults it once per message,
// in the order messages are sent.
type faultModel interface {
	// fate decides the fate of a message sent at tick. m describes it
	// when the run describes messages (for a Scheduler, or to record the
	// deliveries), nil otherwise.
	fate(tick int, m *Message) fate
}

// fate is what happens to one message: the timesteps at which it and its
// duplicate arrive (0: lost, or no duplicate), and how many copies were
// lost.
type fate struct {
	arrives, duplicate int
	duplicated         bool
	dropped            int
}

// policyFaults is the workload's network policy. Every message draws the
// same five numbers, so that changing one probability does not reshuffle
// the rest of the run.
type policyFaults struct {
	spec NetworkSpec
	rng  *rand.Rand
}

func (p *policyFaults) fate(tick int, _ *Message) fate {
	var f fate
	drop1, delay1 := p.rng.Float64(), p.delay()
	dup := p.rng.Float64()
	drop2, delay2 := p.rng.Float64(), p.delay()
	if drop1 < p.spec.Drop {
		f.dropped++
	} else {
		f.arrives = tick + delay1
	}
	if dup < p.spec.Duplicate {
		f.duplicated = true
		if p.spec.Policy == PolicyFIFO {
			delay2 = 2
		}
		if drop2 < p.spec.Drop {
			f.dropped++
		} else {
			f.duplicate = tick + delay2
		}
	}
	return f
}

func (p *policyFaults) delay() int {
	lo, hi := p.spec.Delay[0], p.spec.Delay[1]
	if p.spec.Policy != PolicyRandom || hi <= lo {
		// Draw anyway, to keep the stream aligned across policies.
		p.rng.Uint64()
		return lo
	}
	return lo + int(p.rng.Uint64N(uint64(hi-lo+1)))
}

// scheduledFaults delivers every message once, when a Scheduler says,
// within (tick, tick+maxDelay].
type scheduledFaults struct {
	s        Scheduler
	maxDelay int
}

func (s *scheduledFaults) fate(tick int, m *Message) fate {
	return fate{arrives: min(max(s.s.Arrival(m), tick+1), tick+s.maxDelay)}
}

// sending is a run's bookkeeping of the messages it sends: their
// numbers, their facts and text, and reused buffers.
type sending struct {
	seqs    map[string]int     // messages sent so far per channel, tuple, sender and receiver
	msgText map[string]msgFact // messages' facts and their text, by channel and tuple
	keyBuf  []byte
	idxBuf  []int
	arena   []V
}

// send hands the timestep's channel facts to the network, in a canonical
// order (channel, then value order), so that the random draws, and thus
// the whole run, depend only on the seed and the facts.
func (r *run) send(n *node) {
	sort.Ints(n.outC)
	for _, c := range n.outC {
		ob := n.outbox[c]
		cl := r.p.colls[c]
		if cl.lat != nil {
			compactRel(ob) // one merged message per key
		}
		idx := r.idxBuf[:0]
		for i := 0; i < ob.n; i++ {
			idx = append(idx, i)
		}
		r.idxBuf = idx
		if len(idx) > 1 {
			slices.SortFunc(idx, func(a, b int) int { return r.in.compareTuples(ob.tuple(a), ob.tuple(b)) })
		}
		for _, i := range idx {
			t := ob.tuple(i)
			to, ok := r.byAddr[t[cl.addr]]
			if !ok {
				rule := r.p.rules[ob.origin[i]].rule
				panic(r.errorf("address", rule.Pos, "rule %q sends %s to %s, which is not a node of the workload (nodes: %s)",
					rule.Text, r.in.showTuple(cl.name, t), r.in.show(t[cl.addr]), strings.Join(r.s.nodes, ", ")))
			}
			m := message{from: n.idx, to: to, ch: c, t: r.copyTuple(t), rule: ob.origin[i], sent: r.tick}
			if r.lw > 0 {
				m.lin = append([]uint64(nil), ob.tupleLin(i)...)
			}
			r.transmit(n, m)
		}
		ob.reset()
	}
	n.outC = n.outC[:0]
}

// transmit hands a message to the network: the fault model decides its
// fate (lost, or delivered after a delay, perhaps duplicated).
func (r *run) transmit(n *node, m message) {
	net := r.net
	r.res.Stats.Sent++
	r.noise = true
	n.sent = true
	if r.periodic {
		if s := r.nodes[m.to].seenDeliv[m.ch]; s == nil || !s.has(m.t) {
			r.activity = true
		}
	}
	var info *Message
	if r.seqs != nil {
		info = r.messageInfo(n, m)
	}
	f := net.faults.fate(r.tick, info)
	var arrivalBuf [2]int
	arrivals := arrivalBuf[:0]
	if f.arrives > 0 {
		arrivals = append(arrivals, f.arrives)
	}
	if f.duplicate > 0 {
		arrivals = append(arrivals, f.duplicate)
	}
	if f.duplicated {
		r.res.Stats.Duplicated++
	}
	dropped := f.dropped
	if info != nil {
		info.Arrives, info.Duplicate = f.arrives, f.duplicate
	}
	if info != nil && r.opts.Deliveries {
		r.res.Deliveries = append(r.res.Deliveries, *info)
	}
	r.res.Stats.Dropped += dropped
	for _, at := range arrivals {
		net.buckets[at] = append(net.buckets[at], m)
		net.inflight++
	}
	if net.inflight > r.opts.MaxFacts*len(r.nodes) {
		panic(r.errorf("max-facts", r.p.rules[m.rule].rule.Pos, "more than %d messages in flight (--max-facts times the number of nodes)", r.opts.MaxFacts*len(r.nodes)))
	}
	if n.tr != nil {
		n.tr.Sent = append(n.tr.Sent, Send{To: r.nodes[m.to].addr, Fact: r.in.fact(r.p.colls[m.ch].name, m.t), Arrives: append([]int{}, arrivals...), Dropped: dropped})
	}
}

// messageInfo describes a message for a Scheduler and Result.Deliveries,
// numbering the messages with the same sender, receiver and fact.
func (r *run) messageInfo(n *node, m message) *Message {
	// The message's words (channel, tuple), then sender and receiver:
	// a message sent again (a retransmission, a periodic resend) is
	// converted once, and numbered without building its text.
	kb := r.keyBuf[:0]
	put := func(v uint64) {
		for i := 0; i < 8; i++ {
			kb = append(kb, byte(v>>(8*i)))
		}
	}
	put(uint64(m.ch))
	for _, v := range m.t {
		put(uint64(v))
	}
	mf, ok := r.msgText[string(kb)]
	if !ok {
		mf.fact = r.factOf(r.p.colls[m.ch].name, m.t)
		mf.text = mf.fact.String()
		if r.msgText == nil {
			r.msgText = map[string]msgFact{}
		}
		r.msgText[string(kb)] = mf
	}
	put(uint64(n.idx))
	put(uint64(m.to))
	r.keyBuf = kb
	seq := r.seqs[string(kb)] + 1
	r.seqs[string(kb)] = seq
	info := &Message{From: n.addr, To: r.nodes[m.to].addr, Fact: mf.fact, Sent: r.tick, Seq: seq}
	info.key = MessageKey(info.From, info.To, mf.text, seq)
	return info
}

// copyTuple copies t into the run's arena (messages live until they are
// delivered; the arena is dropped with the run).
func (r *run) copyTuple(t []V) []V {
	if len(r.arena) < len(t) {
		r.arena = make([]V, max(1024, len(t)))
	}
	c := r.arena[:len(t):len(t)]
	r.arena = r.arena[len(t):]
	copy(c, t)
	return c
}
