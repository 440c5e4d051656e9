package lint

import (
	"strings"
	"testing"
)

// TestWriteTableAsTabwriter: the path table written row by row is what
// text/tabwriter writes, byte for byte (wide and empty cells, trailing
// spaces, runes of several bytes), and cells tabwriter reads as more
// than text go through tabwriter itself.
func TestWriteTableAsTabwriter(t *testing.T) {
	tables := [][][4]string{
		{{"    OUTPUT", "INPUT", "LABEL", "COORDINATE AT"}, {"    out", "a, b", "D stale", "x.yaml:1:2 (notin into é)"}, {"    ", "ünïcødé input", "A", ""}, {"    longer_output_name", "c", "Bot", "  trailing  "}},
		{{"    a", "", "", ""}},
		{{"    a\tb", "c", "d", "e"}, {"    x", "y\xff", "z", "w"}},
		{{"    a", "b\vc", "d", "e\f"}},
	}
	for i, rows := range tables {
		var got, want strings.Builder
		writeTable(&got, rows)
		writeTabwriter(&want, rows)
		if got.String() != want.String() {
			t.Errorf("table %d:\n got %q\nwant %q", i, got.String(), want.String())
		}
	}
}
