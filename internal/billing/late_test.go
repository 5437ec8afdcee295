package billing_test

import (
	"context"
	"strings"
	"testing"
	"time"

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
