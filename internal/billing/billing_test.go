package billing_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

var sys = access.System("test")

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func date(s string) catalog.Date {
	d, _ := catalog.ParseDate(s)
	return d
}

func at(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

type world struct {
	b       *billing.Service
	cat     *catalog.Catalog
	lab     org.Department
	clock   *engage.FixedClock
	member  *access.Principal
	finance *access.Principal
}

func setup(t *testing.T, d *db.DB) world {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	lab, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "LAB", Name: "Laboratory", BillingMode: "chargeback"})
	if err != nil {
		t.Fatal(err)
	}
	ap, _ := approval.New(ctx, d, clock)
	cat := &catalog.Catalog{DB: d, Clock: clock, Org: o, Approvals: ap}
	svc := func(name string) catalog.Service {
		s, err := cat.CreateService(ctx, sys, catalog.ServiceInput{Name: name, Kind: "technical", Family: "compute", Sourcing: "built",
			Lifecycle: "live", DeliveryModel: "cloud", DataCeiling: "internal", ArchStatus: "standard", AudienceAll: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	offer := func(s catalog.Service, slug string, plan catalog.RatePlan) {
		plan.EffectiveFrom, plan.Currency = date("2026-01-01"), "EUR"
		if plan.Tiers == nil {
			plan.Tiers = []catalog.Tier{}
		}
		if _, err := cat.CreateOffering(ctx, sys, s.ID, catalog.OfferingInput{Slug: slug, Name: slug, Lifecycle: "live"}, []catalog.RatePlan{plan}); err != nil {
			t.Fatal(err)
		}
	}
	hundred := dec("100")
	offer(svc("E-mail"), "mailbox", catalog.RatePlan{Unit: "person-month", UnitPrice: dec("4.50")})
	offer(svc("Cloud VM"), "vm-hours", catalog.RatePlan{Unit: "unit-hour", TierMode: "graduated",
		Tiers: []catalog.Tier{{UpTo: &hundred, UnitPrice: dec("0.10")}, {UnitPrice: dec("0.08")}}})
	offer(svc("Service desk"), "desk", catalog.RatePlan{Unit: "person-month", UnitPrice: dec("7.00"), Minimum: dec("500")})
	if _, err := cat.ImportSubscriptions(ctx, sys, []catalog.ExistingSubscription{
		{DepartmentCode: "LAB", OfferingSlug: "mailbox", Quantity: dec("20"), Start: date("2026-03-16")},
		{DepartmentCode: "LAB", OfferingSlug: "desk", Quantity: dec("10"), Start: date("2026-01-01")},
	}); err != nil {
		t.Fatal(err)
	}
	return world{b: &billing.Service{DB: d, Clock: clock, Catalog: cat}, cat: cat, lab: lab, clock: clock,
		member:  &access.Principal{PersonID: 0, Name: "member", DepartmentID: lab.ID, Roles: []access.Role{access.Requester}},
		finance: &access.Principal{Name: "finance", Roles: []access.Role{access.Finance}}}
}

func usage(key, when, qty string) billing.UsageInput {
	return billing.UsageInput{IdempotencyKey: key, Time: at(when), Department: "LAB", Offering: "vm-hours", Quantity: dec(qty), Unit: "unit-hour", Source: "test"}
}

func TestUsageRunCloseAndAdjust(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		// A requester cannot send usage.
		if _, err := w.b.Ingest(ctx, w.member, []billing.UsageInput{usage("x", "2026-03-02T10:00:00Z", "1")}, billing.IngestOptions{AcceptPartial: true}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("requester ingest = %v", err)
		}
		// Atomic: one bad record refuses the batch, and nothing is stored.
		bad := usage("b2", "2026-03-03T10:00:00Z", "-5")
		rep, err := w.b.Ingest(ctx, w.finance, []billing.UsageInput{usage("b1", "2026-03-03T10:00:00Z", "5"), bad}, billing.IngestOptions{})
		if err != nil || rep.Accepted != 0 || len(rep.Errors) != 1 || rep.Errors[0].Position != 1 || rep.Errors[0].Field != "quantity" {
			t.Fatalf("atomic batch = %+v, %v", rep, err)
		}
		// 60 hours, then 70 more and a duplicate: tiers accumulate over the period.
		rep, err = w.b.Ingest(ctx, w.finance, []billing.UsageInput{usage("u1", "2026-03-02T10:00:00Z", "25"), usage("u2", "2026-03-05T10:00:00Z", "35")}, billing.IngestOptions{AcceptPartial: true})
		if err != nil || rep.Accepted != 2 {
			t.Fatalf("first batch = %+v, %v", rep, err)
		}
		wrongUnit := usage("u4", "2026-03-09T10:00:00Z", "1")
		wrongUnit.Unit = "request"
		rep, err = w.b.Ingest(ctx, w.finance, []billing.UsageInput{usage("u2", "2026-03-05T10:00:00Z", "35"), usage("u3", "2026-03-20T10:00:00Z", "70"), wrongUnit}, billing.IngestOptions{AcceptPartial: true})
		if err != nil || rep.Accepted != 1 || rep.Duplicates != 1 || rep.Rejected != 1 || rep.Errors[0].Field != "unit" {
			t.Fatalf("second batch = %+v, %v", rep, err)
		}

		run, err := w.b.Run(ctx, w.finance, "2026-03")
		if err != nil || run.Statements != 1 {
			t.Fatalf("run = %+v, %v", run, err)
		}
		list, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-03"})
		st, err := w.b.Statement(ctx, w.finance, list[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		// Mailbox: 20 × 4.50 × 16/31 = 46.451612… → 46.45
		// VM hours: 100 × 0.10 + 30 × 0.08 = 12.40
		// Service desk: 10 × 7.00 = 70.00, below the 500.00 minimum → top-up 430.00
		// Total = 46.45 + 12.40 + 70.00 + 430.00 = 558.85
		want := map[string]string{"subscription:mailbox": "46.45", "usage": "12.40", "subscription:desk": "70", "minimum": "430"}
		got := map[string]decimal.Decimal{}
		for _, l := range st.Lines {
			k := l.Kind
			if l.Kind == "subscription" {
				k += ":" + map[bool]string{true: "mailbox", false: "desk"}[l.Days == 16]
			}
			got[k] = l.Amount
		}
		for k, v := range want {
			if !got[k].Equal(dec(v)) {
				t.Errorf("line %s = %s; want %s (lines %+v)", k, got[k], v, st.Lines)
			}
		}
		if !st.Total.Equal(dec("558.85")) || st.Mode != "chargeback" || st.PeriodLabel != "March 2026" {
			t.Fatalf("statement = %+v", st)
		}
		// Running again gives identical results.
		if _, err := w.b.Run(ctx, w.finance, "2026-03"); err != nil {
			t.Fatal(err)
		}
		again, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-03"})
		if len(again) != 1 || !again[0].Total.Equal(st.Total) {
			t.Fatalf("second run = %+v", again)
		}
		// A member of the department without the budget-holder role cannot read it.
		if _, err := w.b.Statement(ctx, w.member, st.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("member reading the statement = %v", err)
		}
		// Drill-down to the usage behind the usage line.
		var vm int64
		for _, l := range st.Lines {
			if l.Kind == "usage" {
				vm = l.OfferingID
			}
		}
		recs, err := w.b.Usage(ctx, w.finance, "2026-03", w.lab.ID, vm, 0)
		if err != nil || len(recs) != 3 {
			t.Fatalf("usage drill-down = %d, %v", len(recs), err)
		}

		// Close; then nothing changes March.
		if _, err := w.b.Close(ctx, w.finance, "2026-03"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.b.Run(ctx, w.finance, "2026-03"); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("run on a closed period = %v", err)
		}
		rep, _ = w.b.Ingest(ctx, w.finance, []billing.UsageInput{usage("late", "2026-03-30T10:00:00Z", "5")}, billing.IngestOptions{AcceptPartial: true, RefuseLate: true})
		if rep.Accepted != 0 || rep.Rejected != 1 || rep.Errors[0].Field != "time" {
			t.Fatalf("usage into a closed period = %+v", rep)
		}
		// An adjustment for March lands in April, as its own line.
		target, err := w.b.Adjust(ctx, w.finance, billing.AdjustmentInput{DepartmentID: w.lab.ID, Corrects: "2026-03", Amount: dec("-12.40"),
			Currency: "EUR", Reason: "VM hours were a test load"})
		if err != nil || target != "2026-04" {
			t.Fatalf("adjustment = %q, %v", target, err)
		}
		if _, err := w.b.Adjust(ctx, w.finance, billing.AdjustmentInput{DepartmentID: w.lab.ID, Currency: "EUR"}); len(engage.ErrorFields(err)) != 2 {
			t.Fatalf("empty adjustment = %v", err)
		}
		if _, err := w.b.Run(ctx, w.finance, "2026-04"); err != nil {
			t.Fatal(err)
		}
		april, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-04"})
		ast, _ := w.b.Statement(ctx, w.finance, april[0].ID)
		found := false
		for _, l := range ast.Lines {
			found = found || (l.Kind == "adjustment" && l.Amount.Equal(dec("-12.40")))
		}
		// April: mailbox 20 × 4.50 = 90.00; desk 70.00 + top-up 430.00; adjustment −12.40 → 577.60
		if !found || !ast.Total.Equal(dec("577.60")) {
			t.Fatalf("april = %+v", ast)
		}
		// March is unchanged.
		march, err := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-03"})
		if err != nil || len(march) != 1 || !march[0].Total.Equal(dec("558.85")) || march[0].PeriodState != "closed" {
			t.Fatalf("march after close = %+v, %v", march, err)
		}
	})
}

type failingCloud struct{}

func (failingCloud) AllocatedTotals(context.Context, db.Querier, string) ([]billing.CloudTotal, error) {
	return nil, errFail
}

var errFail = engage.Errorf(engage.EUNAVAILABLE, "cloud charges unavailable")

// A run that fails part-way leaves the period's statements as they were.
func TestFailedRunChangesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		if _, err := w.b.Run(ctx, w.finance, "2026-03"); err != nil {
			t.Fatal(err)
		}
		before, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-03"})
		broken := *w.b
		broken.Cloud = failingCloud{}
		if _, err := broken.Run(ctx, w.finance, "2026-03"); err == nil {
			t.Fatal("a run whose cloud source fails succeeded")
		}
		after, _ := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-03"})
		if len(after) != len(before) || after[0].ID != before[0].ID || !after[0].Total.Equal(before[0].Total) {
			t.Fatalf("statements changed by a failed run: before %+v after %+v", before, after)
		}
		if _, err := billing.ParsePeriod("2026-13"); len(engage.ErrorFields(err)) != 1 {
			t.Fatalf("bad period = %v", err)
		}
	})
}
