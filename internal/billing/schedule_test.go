package billing_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// The scheduled run goes by the clock and the last run recorded in the
// database: replicas restarted every hour still run it every six hours, and
// replicas looking at the same moment run it once between them.
func TestScheduledRunByTheClockOnceAcrossReplicas(t *testing.T) {
	dbtest.EachReplicated(t, 3, func(t *testing.T, dbs []*db.DB) {
		ctx := context.Background()
		w := setup(t, dbs[0])
		if _, err := w.b.Run(ctx, w.finance, "2026-04"); err != nil { // opens April
			t.Fatal(err)
		}
		lastRun := func() time.Time {
			t.Helper()
			periods, err := w.b.Periods(ctx, w.finance)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range periods {
				if p.Period == "2026-04" && p.LastRunAt != nil {
					return p.LastRunAt.UTC()
				}
			}
			t.Fatal("April has no run")
			return time.Time{}
		}
		manual := lastRun()
		const every = 6 * time.Hour
		// Each hour every replica restarts (a new service) and looks.
		var runs []time.Time
		for hour := 0; hour <= 13; hour++ {
			var mu sync.Mutex
			ran := 0
			dbtest.AtOnce(len(dbs), func(i int) {
				replica := &billing.Service{DB: dbs[i], Clock: w.clock, Catalog: w.cat}
				ok, err := replica.RunScheduled(ctx, every, nil)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					ran++
					mu.Unlock()
				}
			})
			if ran > 1 {
				t.Fatalf("at hour %d the run ran %d times; want once", hour, ran)
			}
			if ran == 1 {
				runs = append(runs, w.clock.Now())
				if got := lastRun(); !got.Equal(w.clock.Now()) {
					t.Fatalf("at hour %d April was last run at %s; want now", hour, got)
				}
			}
			w.clock.Advance(time.Hour)
		}
		// The first look starts the clock (hour 0); runs follow at 6 and 12.
		start := manual
		if len(runs) != 2 || !runs[0].Equal(start.Add(6*time.Hour)) || !runs[1].Equal(start.Add(12*time.Hour)) {
			t.Fatalf("scheduled runs at %v; want at +6 h and +12 h after %s", runs, start)
		}
	})
}
