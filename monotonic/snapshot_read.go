package monotonic

import (
	"fmt"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
)

// CheckSnapshotRead is the snapshot-read check's name.
const CheckSnapshotRead Check = "snapshot-read"

// SnapshotRead reports the rules where transient facts read grow-only
// state whose contents depend on timing.
var SnapshotRead = &Analyzer{
	Name:     CheckSnapshotRead,
	Severity: modules.Note,
	Doc: `A rule where a transient fact reads grow-only state whose contents depend on timing: stale, never wrong.

A query (an input, a message, a scratch fact: it lasts one timestep) joined
with a table that only grows, filled by messages or by inputs at other
timesteps, answers with whatever has arrived when the query does. Each
answer is one the final state also gives (the table only grows and the
join is monotone), but a query that comes early misses facts that come
later: the answer is stale, never wrong. The finding names the rule and
both sides (flow and other_flow in JSON); the (input, output) pairs whose
paths cross it are marked stale in the label table (text: "A stale";
JSON: "stale": true), and their labels promise the snapshot guarantee
(docs/checks.md, "What the labels guarantee"). When the state is filled
by messages, the rule counts as asynchronous in the labels, so a
nonmonotonic step after it makes the path D. Periodics (the
retransmission idiom), static tables and initial facts are not snapshot
reads. If a stale answer is what the program means (a read of the
current state, as Hydro's nondet! on a snapshot says), acknowledge it
with coordinated: "why"; otherwise make the query wait for the state it
needs (a seal), or read only state that no longer changes.`,
	Run: runSnapshotRead,
}

func runSnapshotRead(pass *Pass) {
	g, f := pass.Graph, pass.facts
	f.async()
	m := f.model()
	done := map[*modules.Rule]bool{}
	for i := range m.tm.joins {
		tj := &m.tm.joins[i]
		if !tj.Snapshot || done[tj.Rule] {
			continue
		}
		done[tj.Rule] = true
		r := tj.Rule
		e, o := &g.Edges[tj.Edge], &g.Edges[tj.OtherEdge]
		head, lit, other := g.Nodes[e.To].Name, g.Nodes[e.From].Name, g.Nodes[o.From].Name
		var b strings.Builder
		fmt.Fprintf(&b, "snapshot read: in %s, %s", r.Shape(), lit)
		if g.Nodes[e.From].Kind == modules.Table {
			fmt.Fprintf(&b, " (grow-only state) meets %s, whose facts last one timestep", other)
		} else {
			fmt.Fprintf(&b, " (its facts last one timestep) reads %s, grow-only state", other)
		}
		if tj.Remote {
			b.WriteString(" filled through a <~")
		} else {
			b.WriteString(" filled by inputs")
		}
		fmt.Fprintf(&b, ": %s holds what had arrived in that timestep, a subset of what the final state gives (stale, never wrong); the paths through it are marked stale", head)
		if tj.Remote {
			b.WriteString(", and count as asynchronous")
		}
		pass.Report(Finding{
			Pos: e.Pos, Module: r.Module, Rule: r, Collections: []string{head, lit, other},
			Key:  ruleKey(r) + " snapshot",
			Flow: f.steps(f.witnessThen(e.From, tj.Edge), -1), OtherFlow: f.steps(f.witnessThen(o.From, tj.OtherEdge), -1),
			Message: b.String(),
		})
	}
}
