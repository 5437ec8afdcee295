package frontdoor_test

import (
	"context"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
)

// TestDeliveredWithoutSecurityReview: a need linked to processes and
// delivered with no security review is listed, for those who may read it,
// while it waits for acceptance and once closed; with its security review,
// or not yet delivered, it is not.
func TestDeliveredWithoutSecurityReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		reg := &process.Service{DB: d, Clock: w.clock, Org: &org.Service{DB: d, Clock: w.clock}}
		w.fd.Processes = reg
		quote, err := reg.Create(ctx, sys, process.Input{Kind: process.Process, Ref: "quote", Name: "Give a quote"})
		if err != nil {
			t.Fatal(err)
		}
		n, err := w.fd.Create(ctx, w.riley, frontdoor.NeedInput{Title: "Quotes in minutes", Problem: "Slow quotes.", Outcome: "Fast quotes.",
			ProcessIDs: []int64{quote.ID}, Users: 10, DataClass: "internal"})
		if err != nil {
			t.Fatal(err)
		}
		listed := func(want bool) {
			t.Helper()
			got, err := w.fd.DeliveredWithoutSecurityReview(ctx, w.riley)
			if err != nil || (len(got) == 1) != want || (want && (got[0].Reference != n.Reference || !slices.Equal(got[0].ProcessIDs, []int64{quote.ID}))) {
				t.Fatalf("in %s: listed %+v, %v; want listed %v", n.State, got, err, want)
			}
			if got, err := w.fd.DeliveredWithoutSecurityReview(ctx, w.stranger); err != nil || len(got) != 0 {
				t.Fatalf("a stranger learns of %+v, %v", got, err)
			}
		}
		must := func(p *access.Principal, action frontdoor.Action, in frontdoor.ActInput) {
			t.Helper()
			if n, err = w.act(t, p, n.Reference, action, in); err != nil {
				t.Fatalf("%s: %v", action, err)
			}
		}
		must(w.riley, "submit", frontdoor.ActInput{})
		must(w.brm, "start_triage", frontdoor.ActInput{})
		must(w.brm, "accept", frontdoor.ActInput{})
		for _, r := range []struct {
			p    *access.Principal
			kind string
		}{{w.arch, "architecture"}, {w.sec, "security"}, {w.fin, "finance"}} {
			if _, err := w.fd.Review(ctx, r.p, n.Reference, r.kind, "approve", "Fine.", 0); err != nil {
				t.Fatal(err)
			}
		}
		oneTime, monthly := decimal.RequireFromString("1000"), decimal.RequireFromString("10")
		opt, err := w.fd.AddOption(ctx, w.arch, n.Reference, frontdoor.NeedOptionInput{Kind: "build", Title: "Build it", OneTime: &oneTime,
			Monthly: &monthly, DeliveryDays: 10, DataCeiling: "restricted"})
		if err != nil {
			t.Fatal(err)
		}
		must(w.brm, "to_decision", frontdoor.ActInput{})
		must(w.board, "decide", frontdoor.ActInput{OptionID: opt.ID, Reason: "Worth it"})
		must(w.brm, "start_delivery", frontdoor.ActInput{})
		must(w.brm, "deliver", frontdoor.ActInput{})
		listed(false)
		// A need carried over from before security reviews were recorded.
		if _, err := d.Exec(ctx, "DELETE FROM need_reviews WHERE kind = 'security'"); err != nil {
			t.Fatal(err)
		}
		listed(true)
		must(w.riley, "accept_delivery", frontdoor.ActInput{})
		listed(true)
	})
}
