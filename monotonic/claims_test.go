package monotonic

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/calmcheck/calmcheck/depgraph"
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
	pos := of(fs, "point-of-order")
	if len(pos) != 1 || pos[0].Collections[0] != "bigtable" || !slices.Contains(pos[0].Inputs, "kvput") ||
		!strings.Contains(pos[0].Message, "deletion (<-)") || !strings.Contains(pos[0].Message, "persisted") {
		c.fail("want one persisted point of order at the deletion in bigtable, reached from kvput; got:%s", messages(pos))
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
	aggregate := false
	for _, f := range pos {
		if f.Collections[0] != "action_cnt" {
			c.fail("point of order outside the aggregation into action_cnt: %s", f.Message)
		}
		if !strings.Contains(f.Message, "; observed") {
			c.fail("point of order is not only observed: %s", f.Message)
		}
		if !strings.Contains(f.Message, "keyed by (session") {
			c.fail("point of order is not keyed by session: %s", f.Message)
		}
		aggregate = aggregate || strings.Contains(f.Message, "count<")
	}
	if !aggregate {
		c.fail("no point of order at the count aggregate:%s", messages(pos))
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
	c := newClaim(t, "By using ReliableMulticast (voting-based) we add coordination to an already monotonic program component (update/replication), and still do not address the downstream point of order")
	_, fs := analyzeBuiltin(t, "replicated-disorderly-cart-reliable")
	inMulticast, atCheckout := false, false
	for _, f := range of(fs, "point-of-order") {
		inMulticast = inMulticast || f.Module == "ReliableMulticast"
		atCheckout = atCheckout || f.Collections[0] == "action_cnt"
	}
	if !inMulticast || !atCheckout {
		c.fail("points of order in ReliableMulticast: %v, at the cart's aggregation: %v:%s", inMulticast, atCheckout, messages(of(fs, "point-of-order")))
	}
}
