package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/notify"
)

// A replica that dies after claiming deliveries holds them for ClaimLease
// (30 s) at most: then another replica sends them, with the same
// Engage-Delivery id.
func TestDeadWorkersClaimsLapseAfterTheLease(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		rcv := newReceiver(t)
		w, _ := f.webhook(rcv.URL)
		f.publish(notify.Event{Type: "need.submitted", Title: "Claimed, then the sender died"})
		id := f.deliveries(w.ID)[0].ID
		// What a claim leaves behind when its process is killed before sending.
		if _, err := d.Exec(f.ctx, "UPDATE notify_deliveries SET claimed_until = ?, attempts = attempts + 1 WHERE id = ?",
			f.clock.Now().Add(notify.ClaimLease), id); err != nil {
			t.Fatal(err)
		}
		if notify.ClaimLease > 30*time.Second {
			t.Fatalf("ClaimLease = %s; want at most 30 s", notify.ClaimLease)
		}
		f.clock.Advance(notify.ClaimLease - time.Second)
		if n := f.deliverDue(); n != 0 {
			t.Fatalf("within the lease another worker attempted %d deliveries; want 0", n)
		}
		f.clock.Advance(2 * time.Second)
		if n := f.deliverDue(); n != 1 || len(rcv.requests()) != 1 {
			t.Fatalf("after the lease: attempted %d, received %d; want 1, 1", n, len(rcv.requests()))
		}
		if dl := f.delivery(id); dl.State != notify.Delivered || dl.AttemptCount != 2 {
			t.Fatalf("delivery = %s after %d attempts; want delivered, the second attempt counted", dl.State, dl.AttemptCount)
		}
	})
}

// A live worker renews its claims while it sends, so a send slower than the
// lease is not taken over and sent twice by another worker.
func TestLiveWorkerKeepsItsClaimsPastTheLease(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		release := make(chan struct{})
		var hits atomic.Int32
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			<-release
		}))
		t.Cleanup(slow.Close)
		defer close(release)
		w, _ := f.webhook(slow.URL)
		f.publish(notify.Event{Type: "need.submitted", Title: "Slow endpoint"})
		id := f.deliveries(w.ID)[0].ID

		f.s.LeaseRenewal = 10 * time.Millisecond
		done := make(chan int, 1)
		go func() { n, _ := f.s.DeliverDue(context.Background()); done <- n }()
		waitFor(t, func() bool { return hits.Load() == 1 })

		other := notify.New(d, f.clock, nil)
		other.AllowPrivateTargets = true
		for i := 0; i < 4; i++ { // 4 × 20 s: well past the first lease
			f.clock.Advance(20 * time.Second)
			want := f.clock.Now().Add(notify.ClaimLease)
			waitFor(t, func() bool { return claimedUntil(t, d, id).Equal(want) })
			if n, err := other.DeliverDue(f.ctx); err != nil || n != 0 {
				t.Fatalf("at +%s another worker attempted %d (%v); want 0", f.clock.Now().Sub(start), n, err)
			}
		}
		release <- struct{}{}
		if n := <-done; n != 1 || hits.Load() != 1 {
			t.Fatalf("attempted %d, endpoint hit %d times; want 1, 1", n, hits.Load())
		}
		if dl := f.delivery(id); dl.State != notify.Delivered || dl.AttemptCount != 1 {
			t.Fatalf("delivery = %s after %d attempts; want delivered after 1", dl.State, dl.AttemptCount)
		}
	})
}

func claimedUntil(t *testing.T, d *db.DB, id int64) time.Time {
	t.Helper()
	var until *time.Time
	if err := d.QueryRow(context.Background(), "SELECT claimed_until FROM notify_deliveries WHERE id = ?", id).Scan(&until); err != nil {
		t.Fatal(err)
	}
	if until == nil {
		return time.Time{}
	}
	return until.UTC()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
