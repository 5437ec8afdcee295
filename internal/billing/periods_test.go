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

// TestPeriodsFromNowhere: usage dated far from now is refused and opens no
// period; months that have not ended cannot be closed, months that have
// not begun cannot be run or corrected; the window is configurable.
func TestPeriodsFromNowhere(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d) // now: 2 April 2026
		periods := func() string {
			list, err := w.b.Periods(ctx, w.finance)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range list {
				out = append(out, p.Period+" "+p.State)
			}
			return strings.Join(out, ", ")
		}
		rep, err := w.b.Ingest(ctx, w.finance, []billing.UsageInput{
			usage("far-future", "9999-12-31T10:00:00Z", "1"),
			usage("next-week", "2026-04-09T10:00:00Z", "1"),
			usage("long-ago", "2025-02-25T10:00:00Z", "1"), // 401 days before now
			usage("in-time", "2026-04-01T10:00:00Z", "1"),
			usage("fast-clock", "2026-04-03T10:00:00Z", "1"), // a day ahead
		}, billing.IngestOptions{AcceptPartial: true})
		if err != nil || rep.Accepted != 2 || rep.Rejected != 3 {
			t.Fatalf("ingest = %+v, %v", rep, err)
		}
		for i, e := range rep.Errors {
			if e.Field != "time" || e.Position != i || !strings.Contains(e.Message, "outside the usage window") {
				t.Fatalf("refusal %d = %+v", i, e)
			}
		}
		if got := periods(); got != "2026-04 open" {
			t.Fatalf("periods = %s", got)
		}

		// Closing: only months that have ended.
		for _, p := range []string{"2026-04", "2027-06", "2030-01"} {
			if _, err := w.b.Close(ctx, w.finance, p); engage.ErrorCode(err) != engage.EINVALID || !strings.Contains(engage.ErrorFields(err)[0].Message, "has not ended") {
				t.Fatalf("close %s = %v", p, err)
			}
		}
		if _, err := w.b.Run(ctx, w.finance, "2030-01"); engage.ErrorCode(err) != engage.EINVALID {
			t.Fatalf("run 2030-01 = %v", err)
		}
		if _, err := w.b.Adjust(ctx, w.finance, billing.AdjustmentInput{DepartmentID: w.lab.ID, Corrects: "2030-01", Amount: dec("5"), Currency: "EUR",
			Reason: "ahead of time"}); len(engage.ErrorFields(err)) != 1 || engage.ErrorFields(err)[0].Field != "corrects" {
			t.Fatalf("adjustment of 2030-01 = %v", err)
		}
		if got := periods(); got != "2026-04 open" {
			t.Fatalf("periods after refusals = %s", got)
		}
		if _, err := w.b.Close(ctx, w.finance, "2026-03"); err != nil {
			t.Fatalf("close March = %v", err)
		}

		// A window of 30 days back and none ahead.
		narrow := *w.b
		narrow.UsagePast, narrow.UsageFuture = 30*24*time.Hour, 0
		rep, err = narrow.Ingest(ctx, w.finance, []billing.UsageInput{usage("n1", "2026-03-02T08:00:00Z", "1"), usage("n2", "2026-04-02T09:00:01Z", "1"),
			usage("n3", "2026-04-02T08:00:00Z", "1")}, billing.IngestOptions{AcceptPartial: true})
		if err != nil || rep.Accepted != 1 || rep.Rejected != 2 || rep.Errors[0].Position != 0 || rep.Errors[1].Position != 1 {
			t.Fatalf("narrow window = %+v, %v", rep, err)
		}
	})
}
