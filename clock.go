package engage

import (
	"sync"
	"time"
)

// Clock tells the time. Anything that bills, expires or measures a service
// level reads time from a Clock so that tests can fix it.
type Clock interface {
	Now() time.Time
}

// SystemClock reads the machine's clock, in UTC, truncated to microseconds so
// that a time written to either database reads back equal.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// FixedClock answers the instant it was set to until it is moved. Safe for
// concurrent use.
type FixedClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFixedClock returns a clock stopped at t.
func NewFixedClock(t time.Time) *FixedClock { return &FixedClock{t: t.UTC()} }

func (c *FixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *FixedClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
