package catalog

import (
	"context"
	"slices"
	"sync"
	"time"
)

// consumersFor is how long a service page's list of the departments using
// the service is kept. The list changes with orders (which move the
// catalog's generation, so it is read again at once) and with the names of
// departments: a rename made through this replica shows at once, one made
// through another within this time.
const consumersFor = time.Minute

// maxConsumersKept bounds the cache; past it, it starts again empty.
const maxConsumersKept = 20000

type consumersCache struct {
	mu sync.Mutex
	m  map[int64]keptConsumers
}

type keptConsumers struct {
	list       []Consumer
	generation int64 // the snapshot's
	org        int64 // org.Service.Changes()
	day        Date
	at         time.Time
}

// consumers returns the departments subscribed to a service on day, from
// what is kept when it is still good for the snapshot s.
func (c *Catalog) consumers(ctx context.Context, s *snapshot, serviceID int64, day Date) ([]Consumer, error) {
	orgChanges := c.Org.Changes()
	cc := &c.consumersKept
	cc.mu.Lock()
	k, ok := cc.m[serviceID]
	cc.mu.Unlock()
	if ok && k.generation == s.generation && k.org == orgChanges && k.day.Equal(day.Time) && time.Since(k.at) < consumersFor {
		return slices.Clone(k.list), nil
	}
	list, err := serviceConsumers(ctx, c.DB, serviceID, day)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []Consumer{}
	}
	cc.mu.Lock()
	if cc.m == nil || len(cc.m) >= maxConsumersKept {
		cc.m = map[int64]keptConsumers{}
	}
	cc.m[serviceID] = keptConsumers{list: list, generation: s.generation, org: orgChanges, day: day, at: time.Now()}
	cc.mu.Unlock()
	return slices.Clone(list), nil
}
