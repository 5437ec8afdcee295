package billing_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// TestLateUsage: usage for a closed month is stored with its real time and
// charged by one adjustment per department × offering × month in the next
// open period, priced on top of the month's usage by the graduated tiers
// (first 100 hours at 0.10, then 0.08); sending it again adds nothing; a
// rerun shows the adjustment once; a sender may have it refused instead.
func TestLateUsage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d) // now: 2 April 2026
		ingest := func(opts billing.IngestOptions, recs ...billing.UsageInput) billing.IngestReport {
			t.Helper()
			rep, err := w.b.Ingest(ctx, w.finance, recs, opts)
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		if rep := ingest(billing.IngestOptions{}, usage("u1", "2026-03-02T10:00:00Z", "25"), usage("u2", "2026-03-05T10:00:00Z", "35")); rep.Accepted != 2 {
			t.Fatalf("March usage = %+v", rep)
		}
		if _, err := w.b.Close(ctx, w.finance, "2026-03"); err != nil {
			t.Fatal(err)
		}
		march, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-03"})

		// 50 hours late, on top of March's 60: 40 at 0.10 and 10 at 0.08 = 4.80.
		late := []billing.UsageInput{usage("l1", "2026-03-30T10:00:00Z", "30"), usage("l2", "2026-03-31T23:00:00Z", "20")}
		if rep := ingest(billing.IngestOptions{}, late...); rep.Accepted != 2 || rep.Rejected != 0 {
			t.Fatalf("late usage = %+v", rep)
		}
		if rep := ingest(billing.IngestOptions{}, late...); rep.Accepted != 0 || rep.Duplicates != 2 {
			t.Fatalf("late usage again = %+v", rep)
		}
		line := func() billing.Line {
			t.Helper()
			if _, err := w.b.Run(ctx, w.finance, "2026-04"); err != nil {
				t.Fatal(err)
			}
			list, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-04"})
			st, err := w.b.Statement(ctx, w.finance, list[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			var found []billing.Line
			for _, l := range st.Lines {
				if l.Kind == "adjustment" {
					found = append(found, l)
				}
			}
			if len(found) != 1 {
				t.Fatalf("April's adjustment lines = %+v", found)
			}
			return found[0]
		}
		l := line()
		if !l.Amount.Equal(dec("4.80")) || !l.Quantity.Equal(dec("50")) || l.Unit != "unit-hour" || l.LateAdjustment() == 0 ||
			l.Description != "Late usage for March 2026 (2 records): Cloud VM — vm-hours" {
			t.Fatalf("late usage line = %+v", l)
		}
		// 10 more: March now has 110 hours, so all at 0.08 = 0.80.
		if rep := ingest(billing.IngestOptions{}, usage("l3", "2026-03-31T23:30:00Z", "10")); rep.Accepted != 1 {
			t.Fatalf("more late usage = %+v", rep)
		}
		l = line()
		if again := line(); !l.Amount.Equal(dec("5.60")) || !l.Quantity.Equal(dec("60")) || !strings.HasPrefix(l.Description, "Late usage for March 2026 (3 records)") ||
			!again.Amount.Equal(l.Amount) || again.LateAdjustment() != l.LateAdjustment() {
			t.Fatalf("late usage line after more = %+v, rerun %+v", l, again)
		}
		// The records keep their time and lead from the line; March's
		// records and statement are unchanged.
		adj, recs, err := w.b.LateUsage(ctx, w.finance, l.LateAdjustment(), 0)
		if err != nil || len(recs) != 3 || recs[0].IdempotencyKey != "l1" || !recs[2].Time.Equal(at("2026-03-31T23:30:00Z")) ||
			adj.Corrects != "2026-03" || adj.Period != "2026-04" || adj.Records != 3 {
			t.Fatalf("late records = %+v %+v, %v", adj, recs, err)
		}
		if _, _, err := w.b.LateUsage(ctx, w.member, l.LateAdjustment(), 0); err == nil {
			t.Fatal("a member read the late usage")
		}
		var vm int64
		if err := d.QueryRow(ctx, "SELECT id FROM offerings WHERE slug = 'vm-hours'").Scan(&vm); err != nil {
			t.Fatal(err)
		}
		if recs, err := w.b.Usage(ctx, w.finance, "2026-03", w.lab.ID, vm, 0); err != nil || len(recs) != 2 {
			t.Fatalf("March's own records = %d, %v", len(recs), err)
		}
		if after, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-03"}); !after[0].Total.Equal(march[0].Total) {
			t.Fatalf("March changed: %s → %s", march[0].Total, after[0].Total)
		}
		// Refused when asked.
		if rep := ingest(billing.IngestOptions{RefuseLate: true}, usage("l4", "2026-03-31T10:00:00Z", "5")); rep.Accepted != 0 || rep.Rejected != 1 ||
			rep.Errors[0].Field != "time" || !strings.Contains(rep.Errors[0].Message, "closed") {
			t.Fatalf("late usage refused = %+v", rep)
		}

		// Once April is closed too, late usage for March lands in May.
		w.clock.Advance(30 * 24 * time.Hour)
		if _, err := w.b.Close(ctx, w.finance, "2026-04"); err != nil {
			t.Fatal(err)
		}
		if rep := ingest(billing.IngestOptions{}, usage("l5", "2026-03-15T10:00:00Z", "10")); rep.Accepted != 1 {
			t.Fatalf("late usage after April closed = %+v", rep)
		}
		if _, err := w.b.Run(ctx, w.finance, "2026-05"); err != nil {
			t.Fatal(err)
		}
		may, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-05"})
		st, _ := w.b.Statement(ctx, w.finance, may[0].ID)
		found := false
		for _, l := range st.Lines {
			// March has 120 hours now: 10 more at 0.08.
			found = found || (l.Kind == "adjustment" && l.Amount.Equal(dec("0.80")) && strings.HasPrefix(l.Description, "Late usage for March 2026 (1 record)"))
		}
		if !found {
			t.Fatalf("May's lines = %+v", st.Lines)
		}
	})
}

// TestUsageMeetsClose: usage checked while its period was open, which is
// closed before the usage is stored, is refused whole (nothing stored, not
// lost in the closed period's totals); sent again, it is late usage.
func TestUsageMeetsClose(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d) // now: 2 April 2026
		if rep, err := w.b.Ingest(ctx, w.finance, []billing.UsageInput{usage("m1", "2026-03-02T10:00:00Z", "10")}, billing.IngestOptions{}); err != nil || rep.Accepted != 1 {
			t.Fatalf("March usage = %+v, %v", rep, err)
		}
		batch := []billing.UsageInput{usage("m2", "2026-03-30T10:00:00Z", "5")}
		calls := 0
		_, err := w.b.IngestStream(ctx, w.finance, func() (billing.UsageChunk, error) {
			if calls++; calls > 1 {
				return billing.UsageChunk{}, nil
			}
			// Finance closes March while the batch is on its way.
			if _, err := w.b.Close(ctx, w.finance, "2026-03"); err != nil {
				t.Fatal(err)
			}
			return billing.UsageChunk{Records: batch}, nil
		}, billing.IngestOptions{})
		if engage.ErrorCode(err) != engage.ECONFLICT || !strings.Contains(err.Error(), "was closed while this usage was being stored") {
			t.Fatalf("usage meeting the close = %v", err)
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM usage_keys WHERE idempotency_key = 'm2'").Scan(&n); err != nil || n != 0 {
			t.Fatalf("m2 stored %d times, %v", n, err)
		}
		if rep, err := w.b.Ingest(ctx, w.finance, batch, billing.IngestOptions{}); err != nil || rep.Accepted != 1 {
			t.Fatalf("sent again = %+v, %v", rep, err)
		}
		if err := d.QueryRow(ctx, "SELECT late_records FROM adjustments WHERE corrects = '2026-03'").Scan(&n); err != nil || n != 1 {
			t.Fatalf("late records = %d, %v", n, err)
		}
	})
}

// TestLateUsageConcurrent: twenty senders posting late usage at once, for
// the same department × offering × month and for others, with usage of the
// open month, while April is run, all succeed on both engines (no deadlock
// answered as a conflict, no wait without end for a connection), each
// record is stored once and each adjustment is the hand-computed price of
// its records.
func TestLateUsageConcurrent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d) // now: 2 April 2026
		if _, err := w.b.Close(ctx, w.finance, "2026-02"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.b.Close(ctx, w.finance, "2026-03"); err != nil {
			t.Fatal(err)
		}
		const senders = 20
		var wg sync.WaitGroup
		errs := make([]error, senders)
		reps := make([]billing.IngestReport, senders)
		for i := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Even senders: March; odd ones: February. Each sends 3
				// records of 1 hour, one of them also sent by its neighbour,
				// and new usage for April.
				month := "2026-03"
				if i%2 == 1 {
					month = "2026-02"
				}
				recs := []billing.UsageInput{
					usage(fmt.Sprintf("late-%d-a", i), month+"-10T10:00:00Z", "1"),
					usage(fmt.Sprintf("late-%d-b", i), month+"-11T10:00:00Z", "1"),
					usage(fmt.Sprintf("late-%d-shared", i/2*2), month+"-12T10:00:00Z", "1"),
					usage(fmt.Sprintf("april-%d", i), "2026-04-01T10:00:00Z", "2"),
				}
				if i%3 == 0 {
					slices.Reverse(recs)
				}
				// As the API does: once, a clash answered as such (Ingest
				// would retry it).
				sent := false
				reps[i], errs[i] = w.b.IngestStream(ctx, w.finance, func() (billing.UsageChunk, error) {
					if sent {
						return billing.UsageChunk{}, nil
					}
					sent = true
					return billing.UsageChunk{Records: recs}, nil
				}, billing.IngestOptions{})
			}()
		}
		// Billing runs of April and adjustments meanwhile.
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.b.Run(ctx, w.finance, "2026-04"); err != nil {
					t.Errorf("run: %v", err)
				}
				if _, err := w.b.Adjust(ctx, w.finance, billing.AdjustmentInput{DepartmentID: w.lab.ID, Amount: dec("1"), Currency: "EUR", Reason: "meanwhile"}); err != nil {
					t.Errorf("adjustment: %v", err)
				}
			}()
		}
		wg.Wait()
		accepted, dups := 0, 0
		for i := range senders {
			if errs[i] != nil {
				t.Fatalf("sender %d: %v", i, errs[i])
			}
			accepted, dups = accepted+reps[i].Accepted, dups+reps[i].Duplicates
		}
		// 20 × (a, b, april), and 10 shared keys, each sent by two senders,
		// stored once.
		if want := senders*3 + senders/2; accepted != want || accepted+dups != senders*4 {
			t.Fatalf("accepted %d, duplicates %d; want %d stored of %d", accepted, dups, want, senders*4)
		}
		// Each month's late hours: 10 senders × 2 + the shared keys that
		// fell in it, at 0.10 an hour (no month reaches 100 hours).
		rows, err := d.Query(ctx, "SELECT corrects, amount, late_quantity, late_records FROM adjustments WHERE period = '2026-04' AND offering_id IS NOT NULL ORDER BY corrects")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]string{}
		for rows.Next() {
			var corrects string
			var amount, qty decimal.Decimal
			var n int
			if err := rows.Scan(&corrects, &amount, &qty, &n); err != nil {
				t.Fatal(err)
			}
			if got[corrects] != "" {
				t.Fatalf("two adjustments for %s", corrects)
			}
			got[corrects] = fmt.Sprintf("%s for %s hours, %d records", amount.StringFixed(2), qty.String(), n)
		}
		// The shared key of the pair (i, i+1) with i even is sent first by
		// whichever stores it: in March if sender i did, in February if
		// sender i+1 did. Whatever the order, the two months together have
		// 50 late records, and each adjustment prices its own hours.
		var hours int
		for _, m := range []string{"2026-02", "2026-03"} {
			var n int
			if err := d.QueryRow(ctx, "SELECT late_records FROM adjustments WHERE period = '2026-04' AND corrects = ?", m).Scan(&n); err != nil {
				t.Fatalf("%s: %v (adjustments %v)", m, err, got)
			}
			if want := fmt.Sprintf("%s for %d hours, %d records", decimal.NewFromInt(int64(n)).Mul(dec("0.10")).StringFixed(2), n, n); got[m] != want {
				t.Fatalf("%s: adjustment %q, want %q", m, got[m], want)
			}
			hours += n
		}
		if hours != senders*2+senders/2 {
			t.Fatalf("late records %d, want %d (%v)", hours, senders*2+senders/2, got)
		}
		var qty string
		if err := d.QueryRow(ctx, "SELECT CAST(quantity AS TEXT) FROM usage_totals WHERE period = '2026-04'").Scan(&qty); err != nil || !dec(qty).Equal(dec("40")) {
			t.Fatalf("April's usage = %s, %v", qty, err)
		}
	})
}

// TestCloseWaitsForUsageBeingStored: usage stored while a period is being
// closed — its transaction holding the period open, as it does from its
// check to its commit — is on the closed period's statement, never in its
// totals without being charged.
func TestCloseWaitsForUsageBeingStored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d) // now: 2 April 2026
		if rep, err := w.b.Ingest(ctx, w.finance, []billing.UsageInput{usage("u1", "2026-03-02T10:00:00Z", "25")}, billing.IngestOptions{}); err != nil || rep.Accepted != 1 {
			t.Fatalf("March usage = %+v, %v", rep, err)
		}
		vm := vmOffering(t, d)
		var plan int64
		if err := d.QueryRow(ctx, "SELECT id FROM rate_plans WHERE offering_id = ?", vm).Scan(&plan); err != nil {
			t.Fatal(err)
		}
		closed := make(chan error, 1)
		err := d.Transact(ctx, func(tx *db.Tx) error {
			// What storing usage does before it adds to the totals: hold
			// March open (on SQLite, any write holds the only writer).
			hold := "UPDATE billing_periods SET state = state WHERE period = '2026-03'"
			if tx.Engine() == db.Postgres {
				hold = "SELECT state FROM billing_periods WHERE period = '2026-03' FOR SHARE"
			}
			if _, err := tx.Exec(ctx, hold); err != nil {
				return err
			}
			go func() {
				_, err := w.b.Close(ctx, w.finance, "2026-03")
				closed <- err
			}()
			time.Sleep(300 * time.Millisecond) // the close has begun, and waits
			_, err := tx.Exec(ctx, "UPDATE usage_totals SET quantity = ?, records = 2 WHERE period = '2026-03' AND department_id = ? AND offering_id = ? AND plan_id = ?",
				"35", w.lab.ID, vm, plan)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-closed; err != nil {
			t.Fatal(err)
		}
		list, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-03"})
		st, err := w.b.Statement(ctx, w.finance, list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range st.Lines {
			if l.Kind == "usage" && !l.Quantity.Equal(dec("35")) {
				t.Fatalf("March closed with a usage line of %s hours; 35 were stored", l.Quantity)
			}
		}
	})
}
