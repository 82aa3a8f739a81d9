package passnum

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/Paris must resolve on machines without a zoneinfo database.
)

// Paris is the programme's time zone: days, ages and validity are Paris days.
var Paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("time zone %s: %v", name, err))
	}
	return loc
}

// Clock gives the current time; tests inject a fixed or stepping clock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// FixedClock always returns T until moved; it is safe for one goroutine at a
// time only when moved, which tests do between steps.
type FixedClock struct{ T time.Time }

// Now returns the fixed instant.
func (c *FixedClock) Now() time.Time { return c.T }

// Advance moves the clock forward.
func (c *FixedClock) Advance(d time.Duration) { c.T = c.T.Add(d) }
