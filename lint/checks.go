package lint

import (
	"fmt"
	"strings"

	"github.com/calmcheck/calmcheck/modules"
	"github.com/calmcheck/calmcheck/monotonic"
)

// CheckDoc describes one check lint can report.
type CheckDoc struct {
	Name     monotonic.Check
	Severity modules.Severity
	Doc      string
}

// extraChecks are the checks lint reports besides the analyzers.
var extraChecks = []CheckDoc{
	{Name: "override", Severity: modules.Warning, Doc: `A block override that may not be meant (from composition).

A block with the same name as an inherited one replaces it. Composition
warns when a module replaces a block of a module it does not include (two
unrelated modules happen to use one block name), or when an empty block
replaces nothing. Rename one of the blocks, or drop the empty block.`},
	{Name: "shadow", Severity: modules.Warning, Doc: `A user module or program with the name of a built-in one (from loading).

The user's definition wins everywhere, including in built-in modules that
include it by name. Rename it unless replacing the built-in is the point.`},
	{Name: monotonic.CheckExpect, Severity: modules.Error, Doc: `An expected finding (expect: on a program) that did not occur.

Programs declare the findings they expect, as Go's analysistest does with
// want comments; an expectation that no finding matches means the program
or the analysis changed. Update the expect: list.`},
	{Name: monotonic.CheckStale, Severity: modules.Warning, Doc: `An acknowledgement (coordinated: "why") that matches no finding.

Like staticcheck's unused //lint:ignore: a rule or block says its
coordination is handled, but no finding of it remains, so the
acknowledgement would silently hide a future one. Remove it.`},
}

// Checks lists every check lint can report: the analyzers, then the
// checks of loading, composition, expectations and acknowledgements.
func Checks() []CheckDoc {
	var out []CheckDoc
	for _, a := range monotonic.Analyzers {
		out = append(out, CheckDoc{Name: a.Name, Severity: a.Severity, Doc: a.Doc})
	}
	return append(out, extraChecks...)
}

// SelectChecks returns the predicate of enabled checks for --checks
// (only these, if any) and --disable (not these). An unknown name is an
// error that lists the checks.
func SelectChecks(only, disable []string) (func(monotonic.Check) bool, error) {
	known := map[monotonic.Check]bool{}
	var names []string
	for _, c := range Checks() {
		known[c.Name] = true
		names = append(names, string(c.Name))
	}
	check := func(list []string) (map[monotonic.Check]bool, error) {
		set := map[monotonic.Check]bool{}
		for _, s := range list {
			c := monotonic.Check(strings.TrimSpace(s))
			if c == "" {
				continue
			}
			if !known[c] {
				return nil, fmt.Errorf("unknown check %q; the checks are %s", c, strings.Join(names, ", "))
			}
			set[c] = true
		}
		return set, nil
	}
	onlySet, err := check(only)
	if err != nil {
		return nil, err
	}
	off, err := check(disable)
	if err != nil {
		return nil, err
	}
	return func(c monotonic.Check) bool {
		if off[c] {
			return false
		}
		// expect and coordinated report on the checks that ran, so
		// --checks does not turn them off; --disable does.
		meta := c == monotonic.CheckExpect || c == monotonic.CheckStale
		return len(onlySet) == 0 || onlySet[c] || meta || !known[c]
	}, nil
}
