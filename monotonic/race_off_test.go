//go:build !race

package monotonic

const raceEnabled = false
