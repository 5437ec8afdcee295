package billing_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

func TestTrendAndBreakdown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := exportSetup(t, d)
		if _, err := w.b.Trend(ctx, w.member, w.lab.ID, "", 0); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a requester's trend = %v", err)
		}
		if _, err := w.b.Close(ctx, w.finance, "2026-03"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.b.Run(ctx, w.finance, "2026-04"); err != nil {
			t.Fatal(err)
		}
		// The clock is in April 2026: thirteen months from April 2025.
		tr, err := w.b.Trend(ctx, w.finance, w.lab.ID, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(tr.Months) != 13 || tr.Months[0].Period != "2025-04" || tr.Months[12].Period != "2026-04" || tr.Months[12].Label != "April 2026" {
			t.Fatalf("months = %+v", tr.Months)
		}
		march, april := statementOf(t, w, w.lab.ID, "2026-03"), statementOf(t, w, w.lab.ID, "2026-04")
		if !tr.Months[11].Total("EUR").Equal(march.Total) || tr.Months[11].State != "closed" || !tr.Months[12].Total("EUR").Equal(april.Total) ||
			tr.Months[10].State != "" || len(tr.Months[10].Totals) != 0 || len(tr.Currencies) != 1 {
			t.Fatalf("trend = %+v", tr)
		}
		// Across a year boundary, ending with a chosen month.
		tr, _ = w.b.Trend(ctx, w.finance, w.lab.ID, "2026-01", 3)
		if len(tr.Months) != 3 || tr.Months[0].Period != "2025-11" || tr.Months[2].Period != "2026-01" {
			t.Fatalf("three months to January = %+v", tr.Months)
		}

		b, err := w.b.Breakdown(ctx, w.finance, w.lab.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		sum := decimal.Zero
		for _, s := range b.Services {
			inner := decimal.Zero
			for _, o := range s.Offerings {
				inner = inner.Add(o.Amount)
			}
			if !inner.Equal(s.Amount) {
				t.Errorf("%s: offerings add up to %s, service says %s", s.Name, inner, s.Amount)
			}
			sum = sum.Add(s.Amount)
		}
		// Service desk, with its minimum top-up, is the largest.
		if len(b.Services) != 3 || b.Services[0].Name != "Service desk" || !b.Services[0].Amount.Equal(dec("500")) || !sum.Equal(march.Total) ||
			len(b.Totals) != 1 || !b.Totals[0].Amount.Equal(march.Total) {
			t.Fatalf("breakdown = %+v", b)
		}
		if sh := b.Shares[0]; !sh.Cloud.Equal(march.Total) || sh.Percent("cloud") != 100 || sh.Percent("legacy") != 0 {
			t.Fatalf("share = %+v", sh)
		}
		// Lines grouped by service for the statement page add up too.
		groups, err := w.b.GroupLines(ctx, march)
		if err != nil {
			t.Fatal(err)
		}
		sum = decimal.Zero
		for _, g := range groups {
			sum = sum.Add(g.Subtotal)
		}
		if len(groups) != 3 || groups[0].Name == "" || !sum.Equal(march.Total) {
			t.Fatalf("groups = %+v", groups)
		}
		for _, l := range march.Lines {
			if p, ok := l.UnitPrice(); l.Kind == "subscription" && l.Days == 16 && (!ok || !p.Equal(dec("4.5"))) {
				t.Errorf("unit price of the prorated mailbox line = %s, %v; want 4.50", p, ok)
			}
		}
	})
}

func TestSharePercent(t *testing.T) {
	sh := billing.DeliveryShare{Currency: "EUR", Cloud: dec("200"), Legacy: dec("100"), Other: dec("-50")}
	if sh.Percent("cloud") != 67 || sh.Percent("legacy") != 33 {
		t.Fatalf("percent = %d / %d", sh.Percent("cloud"), sh.Percent("legacy"))
	}
	if (billing.DeliveryShare{Other: dec("-5")}).Percent("cloud") != -1 {
		t.Fatal("an empty share has a percentage")
	}
	if got := billing.PlainAmount(dec("1240.5"), "EUR"); got != "1240.50" {
		t.Fatalf("plain amount = %q", got)
	}
	if got := billing.PlainAmount(dec("1240.5"), "JPY"); got != "1241" {
		t.Fatalf("plain yen amount = %q", got)
	}
}
