package waiting

import (
	"context"
	"sync"
	"time"

	"github.com/engagehq/engage/internal/access"
)

// countFor is how long a person's count of what waits is kept. Every page
// shows the count in its navigation, and counting ran the approval and
// front-door queries on every page. Whoever acts drops their own count
// (Forget), so they see the new one on their next page; what someone else
// does shows in the count within this time.
const countFor = time.Second

// maxCountsKept bounds what is kept; past it, it starts again empty.
const maxCountsKept = 20000

// Counter answers For as its List does, and keeps for each person how many
// items waited at the last answer, for a count shown on every page.
type Counter struct {
	List List
	// Changes, when set, moves whenever people, roles or departments may
	// have changed (org.Service.Changes); a count kept before is read again.
	Changes func() int64

	mu     sync.Mutex
	seq    uint64 // moves with each Forget
	floor  uint64 // a count started before this is not kept
	kept   map[int64]keptCount
	forgot map[int64]uint64 // seq at each person's last Forget
}

type keptCount struct {
	n       int
	at      time.Time // wall clock
	changes int64
}

// For returns what waits for p, as List.For, and keeps how many.
func (c *Counter) For(ctx context.Context, p *access.Principal) ([]Item, error) {
	if c == nil {
		return []Item{}, nil
	}
	var items []Item
	_, err := c.counting(p, func() (n int, err error) {
		items, err = c.List.For(ctx, p)
		return len(items), err
	})
	return items, err
}

// Count is how many items wait for p, as kept for up to a second; when it
// is not kept, the sources count (List.Count) rather than list.
func (c *Counter) Count(ctx context.Context, p *access.Principal) (int, error) {
	if c == nil || p == nil {
		return 0, nil
	}
	c.mu.Lock()
	k, ok := c.kept[p.PersonID]
	c.mu.Unlock()
	if ok && k.changes == c.changes() && time.Since(k.at) < countFor {
		return k.n, nil
	}
	return c.counting(p, func() (int, error) { return c.List.Count(ctx, p) })
}

// counting runs count for p and keeps what it says.
func (c *Counter) counting(p *access.Principal, count func() (int, error)) (int, error) {
	c.mu.Lock()
	start := c.seq
	c.mu.Unlock()
	changes := c.changes()
	n, err := count()
	if err == nil && p != nil {
		c.keep(p.PersonID, n, start, changes)
	}
	return n, err
}

// Forget drops the person's kept count, and any being counted now: they
// acted, and may have changed what waits for them.
func (c *Counter) Forget(personID int64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	delete(c.kept, personID)
	if c.forgot == nil || len(c.forgot) >= maxCountsKept {
		c.forgot, c.floor = map[int64]uint64{}, c.seq
	}
	c.forgot[personID] = c.seq
}

// keep records a count begun at start, unless the person's count was
// forgotten since: it may have been read before their change.
func (c *Counter) keep(personID int64, n int, start uint64, changes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if start < c.floor || c.forgot[personID] > start {
		return
	}
	if c.kept == nil || len(c.kept) >= maxCountsKept {
		c.kept = map[int64]keptCount{}
	}
	c.kept[personID] = keptCount{n: n, at: time.Now(), changes: changes}
}

func (c *Counter) changes() int64 {
	if c.Changes == nil {
		return 0
	}
	return c.Changes()
}
