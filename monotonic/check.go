package monotonic

// Check names a check: an analyzer's Name, a Finding's Check, the word
// accepted by --checks, --disable and a spec's expect: entries. Each
// check's constant (CheckPointOfOrder, ...) is written once, in the file
// of its analyzer; the code compares checks by these constants, never by
// strings.
type Check string

// The checks the driver itself reports.
const (
	CheckExpect Check = "expect"      // an expectation that matched no finding
	CheckStale  Check = "coordinated" // an acknowledgement that matched no finding
)
