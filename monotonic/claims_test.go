package monotonic

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/depgraph"
	"github.com/calmcheck/calmcheck/modules"
)

// The claims of the 2010 talk "Building a consistent, replicated shopping
// cart in Bloom" about its programs, checked on the built-in library. Each
// test quotes its claim when it fails, so that a change to the library or
// the analysis that breaks one says which.

type claim struct {
	t    *testing.T
	text string
}

func newClaim(t *testing.T, text string) *claim { return &claim{t, text} }

func (c *claim) fail(format string, args ...any) {
	c.t.Helper()
	c.t.Errorf("the talk's claim %q does not hold: %s", c.text, fmt.Sprintf(format, args...))
}

func analyzeBuiltin(t *testing.T, program string) (*Result, []Finding) {
	t.Helper()
	return run(t, builtin(t, program))
}

func messages(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s: %s [%s]", f.Pos, f.Message, f.Check)
	}
	return b.String()
}

func TestClaimDeliveryHasNoPointOfOrder(t *testing.T) {
	c := newClaim(t, "BestEffortDelivery and ReliableDelivery have no point of order")
	for _, prog := range []string{"delivery-best-effort", "delivery-reliable"} {
		res, fs := analyzeBuiltin(t, prog)
		if pos := of(fs, "point-of-order"); len(pos) > 0 {
			c.fail("%s has points of order:%s", prog, messages(pos))
		}
		for i := range res.Graph.Edges {
			if e := &res.Graph.Edges[i]; e.Nonmonotonic {
				c.fail("%s has the nonmonotonic edge %s (%s)", prog, e.Rule.Text, e.Rule.Pos)
			}
		}
	}
}

func TestClaimReliableDeliveryOnlyAddsAsynchronousPaths(t *testing.T) {
	c := newClaim(t, "ReliableDelivery only adds asynchronous paths")
	be, _ := analyzeBuiltin(t, "delivery-best-effort")
	rel, _ := analyzeBuiltin(t, "delivery-reliable")
	edges := func(g *depgraph.Graph) map[string]*depgraph.Edge {
		m := map[string]*depgraph.Edge{}
		for i := range g.Edges {
			e := &g.Edges[i]
			m[g.Nodes[e.From].Name+" "+e.Op.String()+" "+g.Nodes[e.To].Name] = e
		}
		return m
	}
	beEdges := edges(be.Graph)
	added := 0
	for k, e := range edges(rel.Graph) {
		if _, ok := beEdges[k]; ok {
			continue
		}
		added++
		if e.Nonmonotonic {
			c.fail("ReliableDelivery adds the nonmonotonic edge %s (%s)", k, e.Rule.Pos)
		}
	}
	if added == 0 {
		c.fail("ReliableDelivery adds no edge at all")
	}
	async := false
	for _, p := range rel.Paths {
		from, to := rel.Graph.Nodes[p.From].Name, rel.Graph.Nodes[p.To].Name
		if p.Label > A {
			c.fail("path %s -> %s is labelled %v, more than asynchronous", from, to, p.Label)
		}
		if old, ok := labelOf(t, be, from, to); ok && old < p.Label {
			async = async || p.Label == A
		}
	}
	if !async {
		c.fail("no path of best-effort delivery becomes asynchronous with reliable delivery (labels %v)", rel.Paths)
	}
}

func TestClaimCartClientIsUnderspecified(t *testing.T) {
	c := newClaim(t, "CartClientProtocol alone and CartClient alone are underspecified")
	for prog, want := range map[string][]string{
		"cart-client-protocol": {"client_checkout", "client_action", "client_response"},
		"cart-client":          {"action_msg", "checkout_msg", "response_msg"},
	} {
		_, fs := analyzeBuiltin(t, prog)
		var got []string
		for _, f := range of(fs, "underspecified") {
			got = append(got, f.Collections...)
		}
		if !reflect.DeepEqual(got, want) {
			c.fail("%s: underspecified collections %v, want %v", prog, got, want)
		}
	}
}

func TestClaimBasicKVSPutCrossesPointOfOrderAndTemporalEdge(t *testing.T) {
	c := newClaim(t, "BasicKVS's put path crosses a point of order (its deletion/overwrite) and a temporal edge")
	res, fs := analyzeBuiltin(t, "basic-kvs")
	g := res.Graph
	// The deletion, and (timing joins, docs/checks.md) the get that reads
	// what the puts left in the same timestep: a get's answer depends on
	// the order of puts and gets (basic-kvs kvget -> kvget_response is N).
	pos := of(fs, "point-of-order")
	if len(pos) != 2 || pos[0].Collections[0] != "bigtable" || !slices.Contains(pos[0].Inputs, "kvput") ||
		!strings.Contains(pos[0].Message, "deletion (<-)") || !strings.Contains(pos[0].Message, "persisted") ||
		pos[1].Collections[0] != "kvget_response" || !strings.Contains(pos[1].Message, "timing join (kvget meets bigtable (reached only locally)") {
		c.fail("want one persisted point of order at the deletion in bigtable, reached from kvput, and the get's timing join; got:%s", messages(pos))
	}
	put, _ := g.Lookup("kvput")
	for _, ei := range g.Out(put) {
		if e := &g.Edges[ei]; !e.Temporal {
			c.fail("the edge %s -> %s (%s) out of kvput is not temporal", g.Nodes[e.From].Name, g.Nodes[e.To].Name, e.Rule.Pos)
		}
	}
	if l, ok := labelOf(t, res, "kvput", "kvget_response"); !ok || l != N {
		c.fail("path kvput -> kvget_response is %v (found %v), want N", l, ok)
	}
}

func TestClaimDestructiveCartOverKVSProtocolIsUnderspecified(t *testing.T) {
	c := newClaim(t, "DestructiveCart with only KVSProtocol is underspecified")
	_, fs := analyzeBuiltin(t, "destructive-cart")
	var got []string
	for _, f := range of(fs, "underspecified") {
		got = append(got, f.Collections...)
	}
	if want := []string{"kvput", "kvget", "kvget_response"}; !reflect.DeepEqual(got, want) {
		c.fail("underspecified collections %v, want %v", got, want)
	}
}

func TestClaimDestructiveCartWithBasicKVSOrdersEveryUpdate(t *testing.T) {
	c := newClaim(t, "DestructiveCart with BasicKVS has a point of order on every cart update (persisted)")
	res, fs := analyzeBuiltin(t, "destructive-cart-basic-kvs")
	g := res.Graph
	var deletion *Finding
	for i, f := range of(fs, "point-of-order") {
		if f.Collections[0] == "bigtable" {
			deletion = &of(fs, "point-of-order")[i]
		}
	}
	if deletion == nil || !slices.Contains(deletion.Inputs, "client_action") || !strings.Contains(deletion.Message, "persisted") {
		c.fail("want a persisted point of order at the deletion in bigtable, reached from client_action; got:%s", messages(of(fs, "point-of-order")))
		return
	}
	// Every cart update (every rule writing kvput) feeds that deletion.
	put, _ := g.Lookup("kvput")
	feeds := false
	for _, ei := range g.Out(put) {
		e := &g.Edges[ei]
		feeds = feeds || e.Rule == deletion.Rule
	}
	if !feeds {
		c.fail("kvput, written by every cart update, does not feed the deletion %s", deletion.Rule.Text)
	}
	for _, f := range of(fs, "point-of-order") {
		if f.Collections[0] == "kvput" && !strings.Contains(f.Message, "persisted") {
			c.fail("the point of order of the cart's first add is not persisted: %s", f.Message)
		}
	}
}

func TestClaimReplicatedDestructiveCartOrdersForwarding(t *testing.T) {
	c := newClaim(t, "DestructiveCart with replication has another point of order at forwarding to replicas")
	// The replication channel of best-effort multicast is pipe_chan: in the
	// replicated cart, the store's deletion is reached through it (each
	// update forwarded to a replica meets the point of order there); in
	// the single-node cart, no point of order is.
	_, single := analyzeBuiltin(t, "destructive-cart-basic-kvs")
	for _, f := range of(single, "point-of-order") {
		if strings.Contains(f.Message, "pipe_chan") {
			c.fail("the single-node cart already has a point of order reached through replication: %s", f.Message)
		}
	}
	_, repl := analyzeBuiltin(t, "replicated-destructive-cart")
	found := false
	for _, f := range of(repl, "point-of-order") {
		if f.Collections[0] == "bigtable" && strings.Contains(f.Message, "through ") && strings.Contains(f.Message, "pipe_chan") &&
			strings.Contains(f.Message, "persisted") {
			found = true
		}
	}
	if !found {
		c.fail("no persisted point of order at bigtable reached through the replication channel pipe_chan:%s", messages(of(repl, "point-of-order")))
	}
}

func TestClaimDisorderlyCartOrdersOnlyAtCheckout(t *testing.T) {
	c := newClaim(t, "DisorderlyCart's points of order are only at the aggregation before checkout (observed, keyed by session), while the action path into its log is monotonic")
	res, fs := analyzeBuiltin(t, "disorderly-cart")
	pos := of(fs, "point-of-order")
	if len(pos) == 0 {
		c.fail("no point of order at all")
	}
	// Before checkout, the aggregation and negation into action_cnt; at
	// checkout, the timing join where the checkout message meets the
	// counts (which messages came first decides the answer).
	aggregate, checkout := false, false
	for _, f := range pos {
		switch {
		case f.Collections[0] == "action_cnt":
			if !strings.Contains(f.Message, "keyed by (session") {
				c.fail("point of order is not keyed by session: %s", f.Message)
			}
		case f.Collections[0] == "status" && slices.Contains(f.Collections, "checkout_msg") && strings.Contains(f.Message, "timing join"):
			checkout = true
		default:
			c.fail("point of order outside the aggregation into action_cnt and the checkout: %s", f.Message)
		}
		if !strings.Contains(f.Message, "; observed") {
			c.fail("point of order is not only observed: %s", f.Message)
		}
		aggregate = aggregate || strings.Contains(f.Message, "count<")
	}
	if !aggregate || !checkout {
		c.fail("no point of order at the count aggregate (%v) or at checkout (%v):%s", aggregate, checkout, messages(pos))
	}
	g := res.Graph
	in, _ := g.Lookup("client_action")
	logc, _ := g.Lookup("cart_action")
	labels, reached := Labels(g, in)
	if !reached[logc] || labels[logc] > A {
		c.fail("the path client_action -> cart_action is labelled %v (reached %v), want at most A", labels[logc], reached[logc])
	}
}

func TestClaimReplicatedDisorderlyCartNeedsDelivery(t *testing.T) {
	c := newClaim(t, "ReplicatedDisorderlyCart without a delivery implementation is underspecified")
	_, fs := analyzeBuiltin(t, "replicated-disorderly-cart-abstract")
	var got []string
	for _, f := range of(fs, "underspecified") {
		got = append(got, f.Collections...)
	}
	if !slices.Contains(got, "pipe_in") || !slices.Contains(got, "pipe_out") {
		c.fail("underspecified collections %v, want pipe_in and pipe_out among them", got)
	}
}

func TestClaimReplicatedDisorderlyCartIsFullySpecifiedWithTheSamePointsOfOrder(t *testing.T) {
	c := newClaim(t, "ReplicatedDisorderlyCart with best-effort delivery is fully specified, with the same points of order as the abstract one")
	_, concrete := analyzeBuiltin(t, "replicated-disorderly-cart")
	if u := of(concrete, "underspecified"); len(u) > 0 {
		c.fail("still underspecified:%s", messages(u))
	}
	_, abstract := analyzeBuiltin(t, "replicated-disorderly-cart-abstract")
	where := func(fs []Finding) []string {
		var out []string
		for _, f := range of(fs, "point-of-order") {
			out = append(out, f.Pos.String()+" "+strings.Join(f.Collections, ","))
		}
		return out
	}
	if a, b := where(abstract), where(concrete); !reflect.DeepEqual(a, b) || len(a) == 0 {
		c.fail("points of order differ:\nabstract %v\nconcrete %v", a, b)
	}
	// ... and replication itself is coordination-free: no point of order
	// in the multicast or delivery modules.
	for _, f := range of(concrete, "point-of-order") {
		if f.Module != "DisorderlyCart" {
			c.fail("point of order in %s: %s", f.Module, f.Message)
		}
	}
}

func TestClaimReliableMulticastAddsCoordinationToReplication(t *testing.T) {
	c := newClaim(t, "Too much coordination! By using ReliableMulticast (voting-based, not shown) we add coordination to an already monotonic program component (update/replication), and still do not address the downstream point of order.")
	res, fs := analyzeBuiltin(t, "replicated-disorderly-cart-reliable")
	inMulticast, atCheckout := false, false
	for _, f := range of(fs, "point-of-order") {
		inMulticast = inMulticast || f.Module == "ReliableMulticast"
		atCheckout = atCheckout || f.Collections[0] == "action_cnt" && f.Severity == modules.Warning
	}
	if !inMulticast || !atCheckout {
		c.fail("points of order in ReliableMulticast: %v, at the cart's aggregation: %v:%s", inMulticast, atCheckout, messages(of(fs, "point-of-order")))
	}
	// "we add coordination to an already monotonic program component":
	// the voting coordination is unneeded, on a path labelled A.
	un := of(fs, "unneeded-coordination")
	if len(un) != 1 || un[0].Module != "ReliableMulticast" || !reflect.DeepEqual(un[0].Collections, []string{"mcast_done"}) ||
		!strings.Contains(un[0].Message, "voting coordination") || !strings.Contains(un[0].Message, "labelled A (monotonic: coordination-free)") {
		c.fail("want unneeded-coordination of ReliableMulticast's voting on mcast_done, on a path labelled A; got:%s", messages(un))
	}
	if len(res.Coordination) != 1 || res.Coordination[0].Needed {
		c.fail("coordination uses %+v", res.Coordination)
	}
	// "and still do not address the downstream point of order": the
	// count at checkout is still missing coordination, and the unneeded
	// coordination says so.
	if !strings.Contains(un[0].Message, "does not address the order-sensitive steps after it: the nonmonotonic count<R> in action_cnt") {
		c.fail("the unneeded coordination does not name the point of order it leaves: %s", un[0].Message)
	}
	mc := of(fs, "missing-coordination")
	if len(mc) != 2 || mc[0].Collections[0] != "action_cnt" || mc[0].Module != "DisorderlyCart" ||
		mc[1].Collections[0] != "status" || mc[1].Module != "DisorderlyCart" {
		c.fail("want coordination missing at the count into action_cnt and at checkout; got:%s", messages(mc))
	}
}

func TestClaimReplicatedCartUpdatesAndReplicationAreCoordinationFree(t *testing.T) {
	c := newClaim(t, "Client updates and replication of cart state may be coordination-free")
	res, fs := analyzeBuiltin(t, "replicated-disorderly-cart")
	// The update and replication paths, from the client's action into
	// every replica's log, are at most asynchronous.
	g := res.Graph
	in, _ := g.Lookup("client_action")
	for _, via := range []string{"cart_action", "send_mcast", "pipe_chan", "mcast_done"} {
		v, _ := g.Lookup(via)
		labels, reached := Labels(g, in)
		if !reached[v] || labels[v] > A {
			c.fail("the path client_action -> %s is labelled %v (reached %v), want at most A", via, labels[v], reached[v])
		}
	}
	// Nothing there is a point of order, nothing needs or wastes
	// coordination: every finding is about the count at checkout.
	for _, f := range fs {
		if f.Check == "unneeded-coordination" || f.Check == "contract" {
			c.fail("%s", f.Message)
		}
		if (f.Check == "point-of-order" || f.Check == "missing-coordination") && f.Module != "DisorderlyCart" {
			c.fail("%s in %s: %s", f.Check, f.Module, f.Message)
		}
	}
}

func TestClaimReplicatedCartCheckoutNeedsCoordination(t *testing.T) {
	c := newClaim(t, "Some coordination may be necessary to handle a *checkout* message")
	_, fs := analyzeBuiltin(t, "replicated-disorderly-cart")
	// Two places: the count before checkout (client_action's path), and
	// the checkout itself, where the checkout message meets the counts in
	// one timestep (client_checkout's path: D, Bud's "channel race").
	mc := of(fs, "missing-coordination")
	if len(mc) != 2 {
		c.fail("want two missing-coordination findings, before and at checkout; got:%s", messages(mc))
		return
	}
	if g := mc[1]; g.Collections[0] != "status" || len(g.Pairs) != 1 || g.Pairs[0] != (Pair{From: "client_checkout", To: "client_response"}) ||
		!strings.Contains(g.Message, "timing join in status <= action_cnt, checkout_msg") {
		c.fail("missing coordination is not at checkout, on client_checkout -> client_response: %v %v %s", g.Collections, g.Pairs, g.Message)
	}
	f := mc[0]
	if f.Collections[0] != "action_cnt" || len(f.Pairs) != 1 || f.Pairs[0] != (Pair{From: "client_action", To: "client_response"}) || f.Severity != modules.Warning {
		c.fail("missing coordination is not at the count before checkout, on client_action -> client_response: %v %v", f.Collections, f.Pairs)
	}
	// The cheapest fix: a seal per session by the checkout, which carries
	// the session (the sealed cart).
	if !strings.Contains(f.Message, "seals: [{collection: cart_action, key: [session], by: checkout_msg}]") {
		c.fail("the fix is not a seal of the log per session by the checkout: %s", f.Message)
	}
	for _, p := range of(fs, "point-of-order") {
		if !strings.Contains(p.Message, "; observed") || p.Severity != modules.Warning {
			c.fail("the point of order is not only observed (at checkout): %s", p.Message)
		}
	}
}

func TestClaimSealedCartNeedsNoCoordination(t *testing.T) {
	c := newClaim(t, "A point of order whose grouping key is covered by a seal needs no global coordination (the sealed cart)")
	_, fs := analyzeBuiltin(t, "sealed-cart")
	for _, f := range fs {
		if f.Severity != modules.Note {
			c.fail("the sealed cart reports a %v: %s [%s]", f.Severity, f.Message, f.Check)
		}
		if f.Check == "missing-coordination" || f.Check == "unneeded-coordination" {
			c.fail("%s", f.Message)
		}
	}
	// The count, the negation and the log count, and the timing joins
	// where the checkout (or the last action) meets the counts: all
	// covered by the seal.
	poo := of(fs, "point-of-order")
	var at []string
	for _, f := range poo {
		at = append(at, f.Collections[0])
	}
	if want := []string{"action_cnt", "action_cnt", "log_cnt", "sealed", "sealed", "status"}; !reflect.DeepEqual(at, want) {
		c.fail("want the count, the negation, the log count and the timing joins at checkout as sealed points of order (%v); got:%s", want, messages(poo))
	}
	for _, f := range poo {
		if !strings.HasPrefix(f.Acknowledged, "sealed: cart_action per (session) by checkout_msg") {
			c.fail("point of order not covered by the seal: %s (%q)", f.Message, f.Acknowledged)
		}
	}
}

func TestClaimOrderedCartCoordinatesWhereTheCheckoutNeedsIt(t *testing.T) {
	c := newClaim(t, "Some coordination may be necessary to handle a *checkout* message (ordered delivery in front of the cart provides it)")
	res, fs := analyzeBuiltin(t, "ordered-cart")
	for _, f := range fs {
		if f.Severity != modules.Note {
			c.fail("the ordered cart reports a %v: %s [%s]", f.Severity, f.Message, f.Check)
		}
	}
	if len(res.Coordination) != 1 || !res.Coordination[0].Needed || res.Coordination[0].Decl.Kind != "total-order" {
		c.fail("coordination uses %+v", res.Coordination)
	}
	for _, f := range of(fs, "point-of-order") {
		if f.Module == "OrderedCart" && !strings.HasPrefix(f.Acknowledged, "coordinated: total-order coordination on pipe_out (OrderedDelivery") {
			c.fail("the cart's point of order is not covered by the ordered delivery: %s", f.Acknowledged)
		}
	}
}

func TestClaimAbstractCartShowsThePointOfOrderOfTheStore(t *testing.T) {
	c := newClaim(t, "All this was evident even in the abstract cart (once we committed to using a KVS); our concrete implementation has the same points of order that were implied by the abstraction")
	_, abstract := analyzeBuiltin(t, "destructive-cart")
	found := false
	for _, f := range of(abstract, "point-of-order") {
		if f.Module == "KVSProtocol" && strings.Contains(f.Message, "implied by the abstraction") && slices.Contains(f.Inputs, "client_action") {
			found = true
		}
	}
	if !found {
		c.fail("the abstract cart shows no point of order implied by KVSProtocol, reached from the client's updates:%s", messages(of(abstract, "point-of-order")))
	}
	// BasicKVS realizes it where the contract said, and keeps the
	// contract; the replicated store does not (its puts are forwarded to
	// replicas: "a point of order as each tuple is forwarded").
	_, concrete := analyzeBuiltin(t, "destructive-cart-basic-kvs")
	if ct := of(concrete, "contract"); len(ct) > 0 {
		c.fail("BasicKVS breaks KVSProtocol's contract:%s", messages(ct))
	}
	store := false
	for _, f := range of(concrete, "point-of-order") {
		store = store || f.Module == "BasicKVS" && slices.Contains(f.Inputs, "client_action")
	}
	if !store {
		c.fail("no point of order in BasicKVS reached from the client's updates")
	}
	// Both of the replicated store's paths are D: a put's overwrite and
	// a get's read of the replica race the replication messages.
	_, repl := analyzeBuiltin(t, "replicated-destructive-cart")
	ct := of(repl, "contract")
	if len(ct) != 2 || !slices.ContainsFunc(ct, func(f Finding) bool {
		return f.Module == "ReplicatedKVS" && strings.Contains(f.Message, "deletion (<-)")
	}) || !slices.ContainsFunc(ct, func(f Finding) bool {
		return strings.Contains(f.Message, "kvget -> kvget_response: N") && strings.Contains(f.Message, "the path is D")
	}) {
		c.fail("want ReplicatedKVS to break the contract of both puts and gets; got:%s", messages(ct))
	}
}
