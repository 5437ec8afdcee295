package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/spend"
)

// A marketplace purchase on the cloud bill (Quillstack sold by AWS, for
// Sales, in February 2026, an open month) is shadow spend; once February
// is billed again it is on Sales' statement too, and Sales' technology
// spend counts it once.
func TestFocusSaaSShadowShare(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		sys := access.System("test")
		sales := person(t, e, "head.sales@example.com").DepartmentID
		feb, mar := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		before, err := e.Spend.ShadowShares(ctx, feb, mar)
		if err != nil {
			t.Fatal(err)
		}
		cur := before[sales].Currency
		if cur == "" {
			t.Fatalf("Sales has no share in February: %+v", before)
		}
		if _, err := e.CloudBill.CreateRule(ctx, sys, cloudbill.AllocationRuleInput{Position: 1, Name: "Quillstack for Sales",
			Match: cloudbill.RuleMatch{ServiceName: "Quillstack"}, Action: cloudbill.ActionAssign, DepartmentID: sales}); err != nil {
			t.Fatal(err)
		}
		bill := "BilledCost,EffectiveCost,BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,ChargeDescription," +
			"ChargePeriodStart,ChargePeriodEnd,InvoiceId,InvoiceIssuerName,ProviderName,PublisherName,ServiceCategory,ServiceName,SubAccountId\n" +
			"120,120,acct-1," + cur + ",2026-02-01T00:00:00Z,2026-03-01T00:00:00Z,Purchase,Quillstack seats,2026-02-10T00:00:00Z,2026-03-10T00:00:00Z," +
			"INV-7,\"Amazon Web Services, Inc.\",AWS,Quillstack Ltd,Developer Tools,Quillstack,sub-1\n"
		if _, err := e.CloudBill.Import(ctx, sys, "marketplace.csv", strings.NewReader(bill), cloudbill.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		// The SaaS spend opens its case for Sales' BRM without a spend import.
		deadline := time.Now().Add(20 * time.Second)
		for !slices.ContainsFunc(mustCases(t, e), func(c spend.ShadowCase) bool { return c.Vendor == "Quillstack" && c.DepartmentID == sales }) {
			if time.Now().After(deadline) {
				t.Fatal("no shadow case for Quillstack in Sales after the cloud bill's import")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if _, err := e.Billing.Run(ctx, sys, "2026-02"); err != nil {
			t.Fatal(err)
		}
		lines, _, err := e.Spend.ListLines(ctx, sys, spend.LineFilter{DepartmentID: sales, Vendor: "Quillstack"})
		if err != nil || len(lines) != 1 || lines[0].Kind != spend.KindFocus || !lines[0].Amount.Equal(decimal.NewFromInt(120)) {
			t.Fatalf("Quillstack lines = %+v %v", lines, err)
		}
		after, err := e.Spend.ShadowShares(ctx, feb, mar)
		if err != nil {
			t.Fatal(err)
		}
		b, a, x := before[sales], after[sales], decimal.NewFromInt(120)
		if !a.Shadow.Equal(b.Shadow.Add(x)) || !a.Technology.Equal(b.Technology.Add(x)) {
			t.Errorf("Sales in February: before %+v, after %+v; want both up by 120", b, a)
		}
		rep, err := e.Spend.Shadow(ctx, sys, spend.ShadowFilter{DepartmentID: sales, Vendor: "Quillstack"})
		if err != nil || len(rep.Shadow) != 1 {
			t.Fatalf("Quillstack shadow = %+v %v", rep, err)
		}
	})
}
