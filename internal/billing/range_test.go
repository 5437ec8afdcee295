package billing_test

import (
	"context"
	"strings"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// TestAmountsStayInRange: what a statement stores and shows stays below
// 10^15. An adjustment below 10^15 that rounds to 10^15 is refused; a usage
// record whose own charge is beyond it is refused when it arrives; usage
// adding up beyond it fails the run, naming the line, and writes nothing.
func TestAmountsStayInRange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d) // now: 2 April 2026
		adjust := func(amount string) error {
			_, err := w.b.Adjust(ctx, w.finance, billing.AdjustmentInput{DepartmentID: w.lab.ID, Amount: dec(amount), Currency: "EUR", Reason: "range"})
			return err
		}
		for _, a := range []string{"999999999999999.9999", "-999999999999999.995"} {
			err := adjust(a)
			if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "amount" || !strings.Contains(f[0].Message, "at most 999999999999999.99") {
				t.Fatalf("adjustment of %s = %v %v", a, err, f)
			}
		}
		if err := adjust("-999999999999999.9949"); err != nil {
			t.Fatalf("the largest refund, rounded to the cent: %v", err)
		}

		// A metered service at the largest unit price.
		svc, err := w.cat.CreateService(ctx, sys, catalog.ServiceInput{Name: "Gold", Kind: "technical", Family: "compute", Sourcing: "built",
			Lifecycle: "live", DeliveryModel: "cloud", DataCeiling: "internal", ArchStatus: "standard", AudienceAll: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.cat.CreateOffering(ctx, sys, svc.ID, catalog.OfferingInput{Slug: "gold", Name: "gold", Lifecycle: "live"},
			[]catalog.RatePlan{{Unit: "unit-hour", UnitPrice: dec("999999999999.9999999999"), EffectiveFrom: date("2026-01-01"), Currency: "EUR", Tiers: []catalog.Tier{}}}); err != nil {
			t.Fatal(err)
		}
		gold := func(key, qty string) billing.UsageInput {
			u := usage(key, "2026-04-01T10:00:00Z", qty)
			u.Offering = "gold"
			return u
		}
		rep, err := w.b.Ingest(ctx, w.finance, []billing.UsageInput{gold("g-big", "1000")}, billing.IngestOptions{})
		if err != nil || rep.Rejected != 1 || rep.Errors[0].Field != "quantity" || !strings.Contains(rep.Errors[0].Message, "more than a statement line can hold") {
			t.Fatalf("a record beyond a line = %+v, %v", rep, err)
		}
		if rep, err := w.b.Ingest(ctx, w.finance, []billing.UsageInput{gold("g-1", "600"), gold("g-2", "600")}, billing.IngestOptions{}); err != nil || rep.Accepted != 2 {
			t.Fatalf("two records within a line = %+v, %v", rep, err)
		}
		_, err = w.b.Run(ctx, w.finance, "2026-04")
		if f := engage.ErrorFields(err); engage.ErrorCode(err) != engage.EINVALID || len(f) != 1 || !strings.HasPrefix(f[0].Field, "line ") ||
			!strings.Contains(f[0].Message, "Gold — gold") || !strings.Contains(err.Error(), "Laboratory") {
			t.Fatalf("run beyond a line = %v %v", err, f)
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM statements WHERE period = '2026-04'").Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d statements written, %v", n, err)
		}
	})
}
