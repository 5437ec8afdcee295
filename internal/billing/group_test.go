package billing_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// TestGroupedUsageMeetsClose: the committer still believes March open
// (its checks are kept for a while) when finance closes it; the group's
// transaction fails, and the request is stored alone, checked afresh: as
// late usage, not answered with a conflict.
func TestGroupedUsageMeetsClose(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d) // now: 2 April 2026
		w.b.GroupRecheck = time.Hour
		if rep, err := w.b.IngestGrouped(ctx, w.finance, []billing.UsageInput{usage("g1", "2026-03-02T10:00:00Z", "10")}); err != nil || rep.Accepted != 1 {
			t.Fatalf("March usage = %+v, %v", rep, err)
		}
		if _, err := w.b.Close(ctx, w.finance, "2026-03"); err != nil {
			t.Fatal(err)
		}
		_, commits0 := w.b.GroupStats()
		rep, err := w.b.IngestGrouped(ctx, w.finance, []billing.UsageInput{usage("g2", "2026-03-30T10:00:00Z", "5")})
		if err != nil || rep.Accepted != 1 {
			t.Fatalf("usage for March after the close = %+v, %v", rep, err)
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT late_records FROM adjustments WHERE corrects = '2026-03'").Scan(&n); err != nil || n != 1 {
			t.Fatalf("late records = %d, %v", n, err)
		}
		if _, commits := w.b.GroupStats(); commits != commits0+1 {
			t.Fatalf("%d transactions stored it; want 1 (alone)", commits-commits0)
		}
	})
}

// TestGroupedUsageAnswersEachRequest: concurrent requests, some refused,
// some repeating others' records: each is answered for itself, refusals
// store nothing, and each record is stored once.
func TestGroupedUsageAnswersEachRequest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		w.b.GroupWait = 5 * time.Millisecond // gather them
		var wg sync.WaitGroup
		errs := make(chan string, 100)
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				batch := []billing.UsageInput{usage(fmt.Sprintf("k%d", i), "2026-03-10T10:00:00Z", "1"), usage(fmt.Sprintf("k%d", i/2), "2026-03-10T10:00:00Z", "1")}
				if i%10 == 9 {
					batch[1].Unit = "request" // refused: the whole request
				}
				rep, err := w.b.IngestGrouped(ctx, w.finance, batch)
				switch {
				case err != nil:
					errs <- fmt.Sprintf("request %d: %v", i, err)
				case i%10 == 9 && (rep.Rejected != 1 || rep.Accepted != 0 || rep.Errors[0].Position != 1 || rep.Errors[0].Field != "unit"):
					errs <- fmt.Sprintf("refused request %d = %+v", i, rep)
				case i%10 != 9 && (rep.Rejected != 0 || rep.Accepted+rep.Duplicates != 2):
					errs <- fmt.Sprintf("request %d = %+v", i, rep)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		// Stored: k0…k29 but k19 and k29, which only the refused requests
		// 19 and 29 send (k9 comes with request 18 too, k4 and k14 with
		// requests 8 and 28).
		recs, err := w.b.Usage(ctx, w.finance, "2026-03", w.lab.ID, offeringID(t, d, "vm-hours"), 5000)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for k := range 30 {
			if k%10 == 9 && k != 9 {
				continue // its requests were refused, and no other sends it
			}
			want++
		}
		if len(recs) != want {
			t.Fatalf("%d records stored; want %d", len(recs), want)
		}
		if groups, commits := w.b.GroupStats(); commits >= 27 {
			t.Errorf("%d groups, %d transactions for 27 stored requests: nothing was grouped", groups, commits)
		}
	})
}

func offeringID(t *testing.T, d *db.DB, slug string) int64 {
	t.Helper()
	var id int64
	if err := d.QueryRow(context.Background(), "SELECT id FROM offerings WHERE slug = ?", slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
