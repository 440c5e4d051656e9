package executor

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const echoSpec = `
modules:
  Echo:
    state:
      - input   say(to, w)
      - channel word(@to, from, w)
      - output  heard(from, w)
    rules:
      r:
        - word(T, me(), W) <~ say(T, W)
        - heard(F, W) <= word(_, F, W)
`

// A Schedule delivers each message after the delay it gives for the
// message's key, others after the default; Result.Deliveries records every
// message with its sequence number.
func TestScheduleDelays(t *testing.T) {
	s := prepare(t, echoSpec, `
workload:
  modules: [Echo]
  nodes: [a, b]
  inputs:
    - {node: a, tick: 1, fact: 'say("b", 1)'}
    - {node: a, tick: 1, fact: 'say("b", 2)'}
    - {node: a, tick: 2, fact: 'say("b", 1)'}
`)
	sched := &Schedule{Delays: map[string]int{
		`a>b word("b", "a", 1)#1`: 5,
		`a>b word("b", "a", 1)#2`: 2,
	}}
	res := mustRun(t, s, Options{Scheduler: sched, Deliveries: true})
	if got, want := outputs(res, "b"), `2 heard("a", 2); 4 heard("a", 1); 6 heard("a", 1)`; got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
	var got []string
	for _, m := range res.Deliveries {
		got = append(got, m.Key()+" "+strconv.Itoa(m.Sent)+"->"+strconv.Itoa(m.Arrives))
	}
	want := []string{
		`a>b word("b", "a", 1)#1 1->6`,
		`a>b word("b", "a", 2)#1 1->2`,
		`a>b word("b", "a", 1)#2 2->4`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("deliveries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Stats.Sent != 3 || res.Stats.Delivered != 3 || res.Stats.Dropped != 0 {
		t.Errorf("stats %+v", res.Stats)
	}
}

type fixedScheduler struct{ at, max int }

func (f fixedScheduler) Arrival(m *Message) int { return f.at }
func (f fixedScheduler) MaxDelay() int          { return f.max }

// Arrivals not after the send are raised to the next timestep, arrivals
// beyond MaxDelay lowered to it.
func TestSchedulerClamps(t *testing.T) {
	s := prepare(t, echoSpec, "workload:\n  modules: [Echo]\n  nodes: [a, b]\n  inputs: [{node: a, tick: 3, fact: 'say(\"b\", 1)'}]\n")
	for _, tc := range []struct {
		sched  fixedScheduler
		arrive int
	}{{fixedScheduler{0, 4}, 4}, {fixedScheduler{3, 4}, 4}, {fixedScheduler{100, 4}, 7}, {fixedScheduler{6, 4}, 6}} {
		res := mustRun(t, s, Options{Scheduler: tc.sched, Deliveries: true})
		if len(res.Deliveries) != 1 || res.Deliveries[0].Arrives != tc.arrive {
			t.Errorf("%+v: deliveries %+v, want arrival %d", tc.sched, res.Deliveries, tc.arrive)
		}
	}
}

// A random run, replayed with the schedule of its deliveries, is the same
// run: the same outputs, tables and deliveries (a Scheduler never loses or
// duplicates, so the network here does neither).
func TestReplayOfRandomRun(t *testing.T) {
	s := builtin(t, "replicated-disorderly-cart")
	for seed := uint64(1); seed <= 20; seed++ {
		a := mustRun(t, s, Options{Seed: seed, Deliveries: true})
		b := mustRun(t, s, Options{Scheduler: ScheduleOf(a.Deliveries), Deliveries: true})
		if !reflect.DeepEqual(a.Nodes, b.Nodes) || !reflect.DeepEqual(a.Deliveries, b.Deliveries) || a.Ticks != b.Ticks {
			t.Fatalf("seed %d: the replay differs from the run", seed)
		}
	}
}

// The Seq of a message counts the earlier messages with the same sender,
// receiver and fact, so keys stay the same when timing changes.
func TestMessageKey(t *testing.T) {
	m := Message{From: "a", To: "b", Fact: Fact{Collection: "word", Args: []Value{Str("b"), Int(1)}}, Seq: 2}
	if got := m.Key(); got != `a>b word("b", 1)#2` {
		t.Errorf("key %q", got)
	}
	if d := (&Schedule{Delays: map[string]int{"x": 9}, Default: 0}).MaxDelay(); d != 9 {
		t.Errorf("MaxDelay %d", d)
	}
	if d := (&Schedule{}).MaxDelay(); d != 1 {
		t.Errorf("MaxDelay of the empty schedule %d", d)
	}
}

// NoTables leaves the final tables out and changes nothing else.
func TestNoTables(t *testing.T) {
	s := builtin(t, "replicated-disorderly-cart")
	a := mustRun(t, s, Options{Seed: 3})
	b := mustRun(t, s, Options{Seed: 3, NoTables: true})
	for i := range a.Nodes {
		if b.Nodes[i].Tables != nil || !reflect.DeepEqual(a.Nodes[i].Outputs, b.Nodes[i].Outputs) {
			t.Fatalf("node %s: tables %v, outputs differ: %v", a.Nodes[i].Node, b.Nodes[i].Tables, !reflect.DeepEqual(a.Nodes[i].Outputs, b.Nodes[i].Outputs))
		}
	}
	if a.Stats != b.Stats || a.Ticks != b.Ticks {
		t.Error("NoTables changed the run")
	}
}
