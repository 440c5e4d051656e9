// Package executor runs composed programs under Bloom's timestep semantics
// on a simulated network: the semantics of docs/semantics.md.
//
// The layers, bottom up:
//
//   - value.go: values (Value for the API; interned 64-bit words V inside
//     a run) and their total order;
//   - relation.go: flat tuple storage with open-addressing hash indexes
//     (the key index is also the set's deduplication and key constraint);
//   - strata.go, compile.go: stratification (depgraph's, as lint), and the compiled Program:
//     each rule's join plans (order, bound columns, indexes), chosen once;
//   - eval.go, builtins.go: semi-naive evaluation of the plans, terms,
//     built-in functions and aggregates;
//   - node.go: one node's timestep: deliveries and inputs in, strata to a
//     fixpoint, deferred changes and key constraints, messages out;
//   - network.go: messages in flight and the fault model that decides
//     each one's fate (the workload's network policy, or a Scheduler);
//   - quiescence.go: when a run is over;
//   - run.go: a run: options, budgets and bounds, the timestep loop,
//     results;
//   - workload_parse.go: reading workload files and facts;
//     workload.go: binding a workload to a Program (Setup);
//   - trace.go: the trace.
//
// A Setup (Prepare, or Compile and Bind) is immutable; Setup.Run executes
// one run with its own state, so any number of runs may go in parallel.
package executor
