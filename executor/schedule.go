package executor

import (
	"strconv"
	"strings"
)

// Message is a message handed to the network, as a Scheduler sees it and
// as Result.Deliveries records it.
type Message struct {
	From string `json:"from"`
	To   string `json:"to"`
	Fact Fact   `json:"fact"`
	// Seq numbers the messages with the same sender, receiver and fact in
	// the order they are sent (1, 2, ...), so that Key identifies a
	// message across runs whose timing differs.
	Seq  int `json:"seq"`
	Sent int `json:"sent"` // the timestep it was sent in
	// Arrives is the timestep it is delivered in (0: lost); Duplicate the
	// timestep its duplicate is delivered in (0: none, or lost).
	Arrives   int `json:"arrives"`
	Duplicate int `json:"duplicate,omitempty"`

	key string // Key, once computed by the run
}

// Key identifies the message within a run independently of timing:
// sender, receiver, fact and sequence number, e.g.
// `client>server action_msg("server", "client", 7, "apple", "A", 1)#1`.
func (m *Message) Key() string {
	if m.key != "" {
		return m.key
	}
	return MessageKey(m.From, m.To, m.Fact.String(), m.Seq)
}

// MessageKey is Message.Key from its parts (fact as Fact.String prints it).
func MessageKey(from, to, fact string, seq int) string {
	var b strings.Builder
	b.Grow(len(from) + len(to) + len(fact) + 8)
	b.WriteString(from)
	b.WriteByte('>')
	b.WriteString(to)
	b.WriteByte(' ')
	b.WriteString(fact)
	b.WriteByte('#')
	b.WriteString(strconv.Itoa(seq))
	return b.String()
}

// A Scheduler decides when each message arrives, in place of the
// workload's network policy: under a Scheduler no message is lost or
// duplicated, and the run draws no random numbers. It is consulted once
// per message, in the order messages are sent (timestep by timestep,
// nodes in workload order, each node's messages in the canonical order of
// docs/semantics.md), so a Scheduler that depends only on the messages it
// is shown makes the run deterministic. A Scheduler is used by one run at
// a time unless it is safe for concurrent use (a Schedule is).
type Scheduler interface {
	// Arrival returns the timestep at which m arrives; m.Arrives is 0.
	// Values not after m.Sent are raised to m.Sent+1, values more than
	// MaxDelay after m.Sent lowered to m.Sent+MaxDelay.
	Arrival(m *Message) int
	// MaxDelay bounds the delay of every message (at least 1); the
	// quiescence of programs with periodic collections waits for it.
	MaxDelay() int
}

// Schedule is a Scheduler that delays each message by the number of
// timesteps Delays gives for its Key, and the others by Default (1 when
// 0): the exact delivery order of a recorded run (replay), or a schedule
// built by hand. It is read-only and safe for concurrent use.
type Schedule struct {
	Delays  map[string]int
	Default int
}

// Arrival implements Scheduler.
func (s *Schedule) Arrival(m *Message) int {
	if d, ok := s.Delays[m.Key()]; ok {
		return m.Sent + d
	}
	return m.Sent + max(1, s.Default)
}

// MaxDelay implements Scheduler.
func (s *Schedule) MaxDelay() int {
	d := max(1, s.Default)
	for _, x := range s.Delays {
		d = max(d, x)
	}
	return min(d, MaxDelay)
}

// ScheduleOf returns the Schedule that delivers every message of
// deliveries (a run's Result.Deliveries) exactly when it was delivered
// in that run, and any other message in the next timestep.
func ScheduleOf(deliveries []Message) *Schedule {
	s := &Schedule{Delays: make(map[string]int, len(deliveries)), Default: 1}
	for i := range deliveries {
		m := &deliveries[i]
		if m.Arrives > m.Sent {
			s.Delays[m.Key()] = m.Arrives - m.Sent
		}
	}
	return s
}
