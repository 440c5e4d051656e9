package monotonic

// Check names a check: an analyzer's Name, a Finding's Check, the word
// accepted by --checks, --disable and a spec's expect: entries. The
// constants are the only place the names are written.
type Check string

// The analyzers' checks, in the order they are documented.
const (
	CheckUnstratifiable       Check = "unstratifiable"
	CheckUnderspecified       Check = "underspecified"
	CheckPointOfOrder         Check = "point-of-order"
	CheckSnapshotRead         Check = "snapshot-read"
	CheckDiffluentPath        Check = "diffluent-path"
	CheckMissingCoordination  Check = "missing-coordination"
	CheckUnneededCoordination Check = "unneeded-coordination"
	CheckContract             Check = "contract"
	CheckNonmonotonicCycle    Check = "nonmonotonic-cycle"
	CheckEndlessSend          Check = "endless-send"
	CheckUnused               Check = "unused"
	CheckLatticeLaw           Check = "lattice-law"
)

// The checks the driver itself reports.
const (
	CheckExpect Check = "expect"      // an expectation that matched no finding
	CheckStale  Check = "coordinated" // an acknowledgement that matched no finding
)
