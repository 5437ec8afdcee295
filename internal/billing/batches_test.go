package billing_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// vmOffering returns the id of the metered offering of setup.
func vmOffering(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var id int64
	if err := d.QueryRow(context.Background(), "SELECT id FROM offerings WHERE slug = 'vm-hours'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestUsageStoredInBatches: records come back from the drill-down exactly as
// sent (odd text, tiny and huge quantities), in time order across requests,
// and any limit gives the first records of the full list.
func TestUsageStoredInBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		vm := vmOffering(t, d)
		odd := usage("odd \"key\" \\ é", "2026-03-04T08:00:00.123456789Z", "0.000001")
		odd.Source = "line one\nline \"two\"\t\\"
		nul := usage("nul\x00key", "2026-03-04T09:00:00Z", "1")
		first := []billing.UsageInput{
			usage("r3", "2026-03-20T10:00:00Z", "3"),
			usage("r1", "2026-03-02T10:00:00Z", "1"),
			odd,
			usage("r1", "2026-03-02T10:00:00Z", "1"), // the same key twice in one request
			usage("big", "2026-03-10T00:00:00Z", "12345678901234.567891"),
			nul,
		}
		rep, err := w.b.Ingest(ctx, w.finance, first, billing.IngestOptions{AcceptPartial: true})
		if err != nil || rep.Accepted != 4 || rep.Duplicates != 1 || rep.Rejected != 1 || rep.Errors[0].Position != 5 || rep.Errors[0].Field != "idempotency_key" {
			t.Fatalf("first request = %+v, %v", rep, err)
		}
		second := []billing.UsageInput{
			usage("r3", "2026-03-20T10:00:00Z", "3"), // stored before
			usage("s1", "2026-03-01T00:00:00Z", "5"),
			usage("s2", "2026-03-15T12:00:00Z", "6"),
			usage("s3", "2026-03-31T23:59:59Z", "7"),
		}
		rep, err = w.b.Ingest(ctx, w.finance, second, billing.IngestOptions{AcceptPartial: true})
		if err != nil || rep.Accepted != 3 || rep.Duplicates != 1 {
			t.Fatalf("second request = %+v, %v", rep, err)
		}
		all, err := w.b.Usage(ctx, w.finance, "2026-03", w.lab.ID, vm, 5000)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, r := range all {
			keys = append(keys, r.IdempotencyKey)
		}
		want := []string{"s1", "r1", odd.IdempotencyKey, "big", "s2", "r3", "s3"}
		if !slices.Equal(keys, want) {
			t.Fatalf("drill-down keys = %q; want %q", keys, want)
		}
		got := all[2]
		if !got.Time.Equal(odd.Time) || got.Source != odd.Source || !got.Quantity.Equal(dec("0.000001")) || got.Unit != "unit-hour" || got.SubscriptionID != 0 {
			t.Fatalf("odd record = %+v", got)
		}
		if !all[3].Quantity.Equal(dec("12345678901234.567891")) {
			t.Fatalf("big quantity = %s", all[3].Quantity)
		}
		for k := 1; k <= len(all); k++ {
			some, err := w.b.Usage(ctx, w.finance, "2026-03", w.lab.ID, vm, k)
			if err != nil || len(some) != k {
				t.Fatalf("limit %d = %d records, %v", k, len(some), err)
			}
			for i := range some {
				if some[i].IdempotencyKey != all[i].IdempotencyKey {
					t.Fatalf("limit %d: record %d = %q; want %q", k, i, some[i].IdempotencyKey, all[i].IdempotencyKey)
				}
			}
		}
		// The totals hold exactly what was accepted: 1+3+0.000001+big+5+6+7.
		var qty string
		var n int
		if err := d.QueryRow(ctx, "SELECT CAST(quantity AS TEXT), records FROM usage_totals WHERE period = '2026-03'").Scan(&qty, &n); err != nil {
			t.Fatal(err)
		}
		if !dec(qty).Equal(dec("12345678901256.567892")) || n != 7 {
			t.Fatalf("totals = %s over %d records", qty, n)
		}
	})
}

// TestUsageConcurrentSenders: two senders sending overlapping keys at once
// store each key once, on both engines.
func TestUsageConcurrentSenders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		batch := func(from, to int, reverse bool) []billing.UsageInput {
			var out []billing.UsageInput
			for i := from; i < to; i++ {
				out = append(out, usage(fmt.Sprintf("k%06d", i), "2026-03-10T10:00:00Z", "1"))
			}
			if reverse {
				slices.Reverse(out)
			}
			return out
		}
		var wg sync.WaitGroup
		reps := make([]billing.IngestReport, 4)
		errs := make([]error, 4)
		for i := range reps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[i], errs[i] = w.b.Ingest(ctx, w.finance, batch(i*10000, i*10000+20000, i%2 == 1), billing.IngestOptions{AcceptPartial: true})
			}()
		}
		wg.Wait()
		accepted, dups := 0, 0
		for i := range reps {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			accepted += reps[i].Accepted
			dups += reps[i].Duplicates
		}
		if accepted != 50000 || dups != 30000 {
			t.Fatalf("accepted %d, duplicates %d; want 50000, 30000", accepted, dups)
		}
		var qty string
		var n int
		if err := d.QueryRow(ctx, "SELECT CAST(quantity AS TEXT), records FROM usage_totals WHERE period = '2026-03'").Scan(&qty, &n); err != nil {
			t.Fatal(err)
		}
		if !dec(qty).Equal(dec("50000")) || n != 50000 {
			t.Fatalf("totals = %s over %d", qty, n)
		}
	})
}

// TestUsageMigratedToBatches: usage stored one row per record before
// migration 9 is readable, and its keys still count as duplicates, after it;
// reverting the migration gives the rows back.
func TestUsageMigratedToBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		vm := vmOffering(t, d)
		if err := d.MigrateTo(ctx, 8); err != nil {
			t.Fatal(err)
		}
		received := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
		for i, r := range []struct{ key, at, qty, source string }{
			{"old-2", "2026-03-09T10:30:00Z", "2.25", "meter"},
			{"old-1", "2026-03-02T10:00:00Z", "1", ""},
		} {
			if _, err := d.Exec(ctx, `INSERT INTO usage_records(idempotency_key, at, period, department_id, offering_id, quantity, unit, source, received_at)
				VALUES (?, ?, '2026-03', ?, ?, ?, 'unit-hour', ?, ?)`, r.key, at(r.at), w.lab.ID, vm, r.qty, r.source, received.Add(time.Duration(i))); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.MigrateTo(ctx, 9); err != nil {
			t.Fatal(err)
		}
		// The later migrations too, which today's code reads.
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		recs, err := w.b.Usage(ctx, w.finance, "2026-03", w.lab.ID, vm, 0)
		if err != nil || len(recs) != 2 || recs[0].IdempotencyKey != "old-1" || !recs[1].Time.Equal(at("2026-03-09T10:30:00Z")) ||
			!recs[1].Quantity.Equal(dec("2.25")) || recs[1].Source != "meter" || recs[1].Unit != "unit-hour" {
			t.Fatalf("migrated usage = %+v, %v", recs, err)
		}
		rep, err := w.b.Ingest(ctx, w.finance, []billing.UsageInput{usage("old-1", "2026-03-02T10:00:00Z", "1"), usage("new", "2026-03-03T10:00:00Z", "4")}, billing.IngestOptions{AcceptPartial: true})
		if err != nil || rep.Accepted != 1 || rep.Duplicates != 1 {
			t.Fatalf("after migration = %+v, %v", rep, err)
		}
		if err := d.MigrateTo(ctx, 8); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM usage_records WHERE period = '2026-03' AND department_id = ?", w.lab.ID).Scan(&n); err != nil || n != 3 {
			t.Fatalf("usage rows after reverting = %d, %v", n, err)
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
