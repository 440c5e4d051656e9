package main

import (
	"context"
	"fmt"
	"github.com/calmcheck/calmcheck/internal/textsafe"
	"io"
	"os"
	"strings"

	"github.com/calmcheck/calmcheck/executor"
	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/specs"
	"github.com/calmcheck/calmcheck/verify"
	"github.com/spf13/cobra"
)

// replayed is one re-executed execution of a witness.
type replayed struct {
	Name       string           `json:"name"`
	Reproduced bool             `json:"reproduced"`
	Mismatches []string         `json:"mismatches"`
	Result     *executor.Result `json:"result"`
	setup      *executor.Setup
}

type replayJSON struct {
	Replay     string      `json:"replay"`
	Program    string      `json:"program"`
	Witness    string      `json:"witness"`
	Executions []*replayed `json:"executions"`
	Differ     bool        `json:"differ"`
}

// runReplay is `calmcheck run --replay FILE`.
func runReplay(cmd *cobra.Command, o runOptions) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if o.format != "text" && o.format != "json" {
		return fmt.Errorf("unknown --format %q (want text or json)", o.format)
	}
	if o.seeds != "" || o.policy != "" {
		return fmt.Errorf("--replay follows the delivery order it recorded; it takes no --seeds or --policy")
	}
	fail := func(msg string) error {
		return report(modules.Diagnostics{{Pos: modules.Pos{File: o.replay}, Severity: modules.Error, Check: "replay", Message: msg}}, stderr)
	}
	data, err := modules.ReadLimited(o.replay, modules.MaxJSONFileSize)
	if err != nil {
		return fail(ioMessageOf(err))
	}
	rf, err := verify.ParseReplay(data)
	if err != nil {
		return fail(err.Error())
	}
	wa, wb, sa, sb, err := rf.Runs()
	if err != nil {
		return fail(err.Error())
	}
	ws, lds := modules.LoadWorkspace(specs.FS, "specs", rf.Specs)
	if ws.Builtin {
		// The built-in library alone, whatever the current directory holds.
		ws, lds = modules.LoadWorkspace(specs.FS, "specs", nil)
	}
	if err := report(lds, stderr); err != nil {
		return err
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	w := rf.Witness
	var runs []*replayed
	for i, x := range []struct {
		wl    *executor.Workload
		sched *executor.Schedule
		rec   *verify.Execution
	}{{wa, sa, &w.A}, {wb, sb, &w.B}} {
		s, ds := executor.Prepare(ws.Lib, x.wl)
		if err := report(ds, stderr); err != nil {
			return err
		}
		res := s.Run(ctx, executor.Options{Scheduler: x.sched, Deliveries: true, Trace: o.trace, MaxTicks: o.maxTicks, MaxFacts: o.maxFacts, Timeout: o.timeout})
		mis := x.rec.Check(res)
		if res.Err != nil {
			mis = append([]string{res.Err.Diagnostic().String()}, mis...)
		}
		runs = append(runs, &replayed{Name: []string{"A", "B"}[i], Reproduced: len(mis) == 0, Mismatches: append([]string{}, mis...), Result: res, setup: s})
	}
	a, b := seedOutcomeLines(runs[0].Result), seedOutcomeLines(runs[1].Result)
	differ := strings.Join(a, "\n") != strings.Join(b, "\n")
	if o.format == "json" {
		for _, r := range runs {
			r.Result.Deliveries = nil // the record has them
		}
		if err := writeRunJSON(stdout, replayJSON{Replay: o.replay, Program: runs[0].setup.Program().Name(), Witness: w.ID, Executions: runs, Differ: differ}); err != nil {
			return err
		}
	} else {
		writeReplayText(textsafe.NewWriter(stdout), o.replay, w, runs, a, b)
	}
	for _, r := range runs {
		if !r.Reproduced {
			fmt.Fprintf(stderr, "%s: error: execution %s did not reproduce its record: %s [replay]\n", o.replay, r.Name, strings.Join(r.Mismatches, "; "))
			return exitError{exitTrouble}
		}
	}
	_ = differ // reproduced: the witness holds, differing or not (exit 0)
	return nil
}

func execOf(w *verify.Witness, name string) *verify.Execution {
	if name == "A" {
		return &w.A
	}
	return &w.B
}

func ioMessageOf(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

func writeReplayText(w io.Writer, file string, wt *verify.Witness, runs []*replayed, a, b []string) {
	var claims []string
	for _, c := range wt.Confirms {
		claims = append(claims, "confirms "+c.String())
	}
	for _, c := range wt.Contradicts {
		claims = append(claims, "contradicts "+c.String())
	}
	fmt.Fprintf(w, "replay    %s: witness %s (%s) of %s\n", file, wt.ID, wt.Kind, wt.Program)
	if len(claims) > 0 {
		fmt.Fprintf(w, "          %s\n", strings.Join(claims, "; "))
	}
	for _, r := range runs {
		fmt.Fprintf(w, "\n== execution %s\n", r.Name)
		if r.Result.Trace != nil {
			r.Result.Trace.WriteText(w)
			fmt.Fprintln(w)
		}
		wl := r.setup.Workload()
		fmt.Fprintf(w, "program   %s\n", r.setup.Program().Name())
		fmt.Fprintf(w, "nodes     %s\n", strings.Join(wl.Nodes, ", "))
		fmt.Fprintf(w, "network   the recorded delivery order (%d message%s delayed beyond the next timestep)\n", len(execOf(wt, r.Name).Delays), plural(len(execOf(wt, r.Name).Delays)))
		fmt.Fprintf(w, "result    %s; %d messages\n", describeRunStop(r.Result), r.Result.Stats.Sent)
		writeRunNodes(w, r.Result)
		if r.Reproduced {
			fmt.Fprintf(w, "\nexecution %s reproduced its record exactly (%d messages)\n", r.Name, len(r.Result.Deliveries))
		} else {
			fmt.Fprintf(w, "\nexecution %s did NOT reproduce its record:\n", r.Name)
			for _, m := range r.Mismatches {
				fmt.Fprintf(w, "  %s\n", m)
			}
		}
	}
	fmt.Fprintln(w)
	if strings.Join(a, "\n") == strings.Join(b, "\n") {
		fmt.Fprintln(w, "the two executions agree: the same output facts and final tables at every node")
		return
	}
	fmt.Fprintln(w, "the two executions differ, side by side (~ different, - only in A, + only in B):")
	fmt.Fprintln(w)
	sideBySide(w, "execution A", "execution B", a, b)
}
