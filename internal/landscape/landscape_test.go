package landscape_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/landscape"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
)

var sys = access.System("test")

// needs is a front door that knows one need delivered without a security
// review, readable only by the department's people.
type needs struct {
	processID int64
	dept      int64
}

func (n needs) DeliveredWithoutSecurityReview(_ context.Context, p *access.Principal) ([]frontdoor.UnreviewedDelivery, error) {
	if p.DepartmentID != n.dept {
		return nil, nil
	}
	return []frontdoor.UnreviewedDelivery{{Reference: "NEED-2026-0001", Title: "Quotes on the phone", State: frontdoor.Delivered, ProcessIDs: []int64{n.processID}}}, nil
}

type fixture struct {
	s                    *landscape.Service
	reg                  *process.Service
	cat                  *catalog.Catalog
	architect, reader    *access.Principal
	outsider             *access.Principal
	o2c, quote, invoice  process.Entry
	dunning              process.Entry
	crm, ledger, payroll catalog.Service
	desk, books, mailer  process.Application
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	dept, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "SALES", Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	owner, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: "owner@example.com", Name: "Olive Owner", DepartmentID: dept.ID, Active: true,
		Roles: []access.Role{access.Requester}})
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{architect: &access.Principal{PersonID: owner.ID, Name: "architect", Roles: []access.Role{access.EnterpriseArchitect}},
		reader:   &access.Principal{PersonID: owner.ID, Name: "reader", DepartmentID: dept.ID, Roles: []access.Role{access.Requester}},
		outsider: &access.Principal{PersonID: owner.ID, Name: "outsider", Roles: []access.Role{access.Requester}}}
	f.cat = &catalog.Catalog{DB: d, Clock: clock, Org: o}
	f.reg = &process.Service{DB: d, Clock: clock, Org: o, Services: f.cat}
	for _, s := range []struct {
		into                          *catalog.Service
		name, vendor, life, archState string
	}{{&f.crm, "CRM", "Salesforce", "live", "standard"}, {&f.ledger, "Ledger", "", "retiring", "standard"}, {&f.payroll, "Payroll", "", "live", "sunset"}} {
		sourcing := "built"
		if s.vendor != "" {
			sourcing = "bought"
		}
		*s.into, err = f.cat.CreateService(ctx, sys, catalog.ServiceInput{Name: s.name, Summary: s.name + " for everyone", Kind: "business",
			Family: "business-applications", Sourcing: sourcing, Vendor: s.vendor, Lifecycle: s.life, DeliveryModel: "cloud", DataCeiling: "confidential",
			ArchStatus: s.archState, AudienceAll: true, SLA: catalog.SLA{Availability: "99.9", LeadTimeDays: 2}})
		if err != nil {
			t.Fatal(err)
		}
	}
	mk := func(in process.Input) process.Entry {
		e, err := f.reg.Create(ctx, f.architect, in)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	f.o2c = mk(process.Input{Kind: process.ValueStream, Ref: "order-to-cash", Name: "Order to cash", Enablement: "manual"})
	f.quote = mk(process.Input{Kind: process.Process, Ref: "quote", Name: "Give a quote", ParentID: f.o2c.ID, Criticality: "high", Enablement: "automated"})
	f.invoice = mk(process.Input{Kind: process.Process, Ref: "invoice", Name: "Invoice", ParentID: f.o2c.ID, Enablement: "partly_automated"})
	f.dunning = mk(process.Input{Kind: process.Process, Ref: "dunning", Name: "Dunning", ParentID: f.invoice.ID})
	app := func(in process.ApplicationInput) process.Application {
		a, err := f.reg.CreateApplication(ctx, f.architect, in)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	f.desk = app(process.ApplicationInput{Ref: "sales-desk", Name: "Sales desk", Vendor: "Salesforce", OwnerPersonID: owner.ID, FunctionalFit: 4, TechnicalFit: 4})
	f.books = app(process.ApplicationInput{Ref: "books", Name: "Books", FunctionalFit: 2, TechnicalFit: 2, ServiceIDs: []int64{f.ledger.ID}})
	f.mailer = app(process.ApplicationInput{Ref: "mailer", Name: "Mailer", Vendor: "Acme", OwnerPersonID: owner.ID, Lifecycle: "retired"})
	link := func(pid, aid int64, w string) {
		if _, err := f.reg.LinkApplication(ctx, f.architect, pid, aid, decimal.RequireFromString(w)); err != nil {
			t.Fatal(err)
		}
	}
	linkSvc := func(pid, sid int64, w string) {
		if _, err := f.reg.LinkService(ctx, f.architect, pid, sid, decimal.RequireFromString(w)); err != nil {
			t.Fatal(err)
		}
	}
	// Give a quote: Salesforce carries 40 + 50 of 100 (90 %); a retired
	// application counts for nothing.
	link(f.quote.ID, f.desk.ID, "40")
	linkSvc(f.quote.ID, f.crm.ID, "50")
	linkSvc(f.quote.ID, f.payroll.ID, "10")
	link(f.quote.ID, f.mailer.ID, "100")
	// Invoice: the desk and Books, which has no owner and runs on the
	// retiring ledger; Salesforce carries 30 of 60 (50 %).
	link(f.invoice.ID, f.desk.ID, "30")
	link(f.invoice.ID, f.books.ID, "30")
	f.s = &landscape.Service{Register: f.reg, Catalog: f.cat, Needs: needs{processID: f.invoice.ID, dept: dept.ID}}
	return f
}

func kinds(fl []landscape.RiskFlag) []string {
	var out []string
	for _, f := range fl {
		out = append(out, f.Kind)
	}
	return out
}

func evidence(fl []landscape.RiskFlag, kind string) []string {
	var out []string
	for _, f := range fl {
		if f.Kind == kind {
			for _, e := range f.Evidence {
				out = append(out, e.Kind+":"+e.Ref+" "+e.Href)
			}
		}
	}
	return out
}

// TestRiskFlags: each flag on a fixture, with its evidence; a need flags a
// process only for those who may read it; a change to the register or the
// catalog shows at once.
func TestRiskFlags(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		quote, err := f.s.ProcessFlags(ctx, f.reader, f.quote.ID)
		if err != nil || !slices.Equal(kinds(quote), []string{landscape.RetiringService, landscape.SingleVendor}) {
			t.Fatalf("quote flags = %+v, %v", quote, err)
		}
		if ev := evidence(quote, landscape.RetiringService); !slices.Equal(ev, []string{"service:" + f.payroll.Slug + " /catalog/" + f.payroll.Slug}) {
			t.Fatalf("quote's retiring evidence = %v", ev)
		}
		if quote[1].Title != "Depends on a single vendor: Salesforce carries 90 % of the weight" || len(quote[1].Evidence) != 2 {
			t.Fatalf("single vendor = %+v", quote[1])
		}
		invoice, err := f.s.ProcessFlags(ctx, f.reader, f.invoice.ID)
		if err != nil || !slices.Equal(kinds(invoice), []string{landscape.RetiringService, landscape.UnownedApplication, landscape.UnreviewedDelivery}) {
			t.Fatalf("invoice flags = %+v, %v", invoice, err)
		}
		if ev := evidence(invoice, landscape.RetiringService); !slices.Equal(ev, []string{"service:" + f.ledger.Slug + " /catalog/" + f.ledger.Slug}) ||
			invoice[0].Evidence[0].Detail != "retiring; runs Books" {
			t.Fatalf("invoice's retiring evidence = %+v", invoice[0])
		}
		if ev := evidence(invoice, landscape.UnownedApplication); !slices.Equal(ev, []string{"application:books /portfolio/applications/" + itoa(f.books.ID)}) {
			t.Fatalf("unowned evidence = %v", ev)
		}
		if ev := evidence(invoice, landscape.UnreviewedDelivery); !slices.Equal(ev, []string{"need:NEED-2026-0001 /needs/NEED-2026-0001"}) {
			t.Fatalf("need evidence = %v", ev)
		}
		// Someone who may not read the need does not learn of it.
		if fl, err := f.s.ProcessFlags(ctx, f.outsider, f.invoice.ID); err != nil || len(fl) != 2 {
			t.Fatalf("outsider's invoice flags = %+v, %v", fl, err)
		}
		if fl, err := f.s.ProcessFlags(ctx, f.reader, f.dunning.ID); err != nil || len(fl) != 0 {
			t.Fatalf("dunning flags = %+v, %v", fl, err)
		}
		risks, err := f.s.Risks(ctx, f.reader)
		if err != nil || len(risks) != 2 || risks[0].Process.ID != f.invoice.ID || risks[1].Process.ID != f.quote.ID {
			t.Fatalf("risks = %+v, %v", risks, err)
		}
		// Fixing the causes clears the flags at once.
		if _, err := f.reg.UpdateApplication(ctx, f.architect, f.books.ID, f.books.Version, process.ApplicationInput{Ref: "books", Name: "Books",
			OwnerPersonID: f.reader.PersonID, FunctionalFit: 2, TechnicalFit: 2}); err != nil {
			t.Fatal(err)
		}
		in := f.payroll.Input()
		in.ArchStatus = "approved"
		if _, err := f.cat.UpdateService(ctx, sys, f.payroll.ID, f.payroll.Version, in); err != nil {
			t.Fatal(err)
		}
		if fl, err := f.s.ProcessFlags(ctx, f.reader, f.invoice.ID); err != nil || !slices.Equal(kinds(fl), []string{landscape.UnreviewedDelivery}) {
			t.Fatalf("invoice flags after the fix = %+v, %v", fl, err)
		}
		if fl, err := f.s.ProcessFlags(ctx, f.reader, f.quote.ID); err != nil || !slices.Equal(kinds(fl), []string{landscape.SingleVendor}) {
			t.Fatalf("quote flags after the fix = %+v, %v", fl, err)
		}
		if _, err := f.s.Risks(ctx, nil); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("anonymous risks = %v", err)
		}
		if _, err := f.s.ProcessFlags(ctx, f.reader, 99999); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("unknown process = %v", err)
		}
	})
}

// TestRedundancyAndHeatmap: a process two applications in use enable is a
// candidate for reuse, leading to the front door; the heatmap's values in
// each view; the cost view waits for costs.
func TestRedundancyAndHeatmap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		red, err := f.s.Redundancies(ctx, f.reader)
		if err != nil || len(red) != 1 || red[0].Process.ID != f.invoice.ID || len(red[0].Applications) != 2 ||
			red[0].NeedHref != "/needs/new?title=Consolidate+the+applications+of+Invoice" {
			t.Fatalf("redundancies = %+v, %v", red, err)
		}
		if red[0].Applications[0].Disposition != "eliminate" && red[0].Applications[1].Disposition != "eliminate" {
			t.Fatalf("dispositions = %+v", red[0].Applications)
		}
		cells := func(view string, p *access.Principal) string {
			h, err := f.s.Heatmap(ctx, p, view)
			if err != nil {
				t.Fatal(err)
			}
			out := ""
			for _, c := range h.Cells {
				out += c.Process.Ref + "=" + c.Value + "/" + itoa(int64(c.Level)) + "/" + itoa(int64(c.Size)) + " "
			}
			return out
		}
		for view, want := range map[string]string{
			landscape.ViewEnablement:  "order-to-cash=manual/1/4 quote=automated/3/1 invoice=partly automated/2/2 dunning=not assessed/0/1 ",
			landscape.ViewRisk:        "order-to-cash=no flag/0/4 quote=2 flags/2/1 invoice=3 flags/3/2 dunning=no flag/0/1 ",
			landscape.ViewDisposition: "order-to-cash=no rated application/0/4 quote=invest/1/1 invoice=eliminate/4/2 dunning=no rated application/0/1 ",
			landscape.ViewCost:        "order-to-cash=/0/4 quote=/0/1 invoice=/0/2 dunning=/0/1 ",
		} {
			if got := cells(view, f.reader); got != want {
				t.Errorf("%s:\n got %s\nwant %s", view, got, want)
			}
		}
		if h, err := f.s.Heatmap(ctx, f.reader, landscape.ViewCost); err != nil || h.Available {
			t.Fatalf("cost view without costs = %+v, %v", h, err)
		}
		f.s.Costs = func(_ context.Context, p *access.Principal) (map[int64]decimal.Decimal, string, error) {
			return map[int64]decimal.Decimal{f.o2c.ID: decimal.RequireFromString("1000"), f.quote.ID: decimal.RequireFromString("250"),
				f.invoice.ID: decimal.RequireFromString("250.01")}, "EUR", nil
		}
		if got, want := cells(landscape.ViewCost, f.reader), "order-to-cash=1000.00 EUR/4/4 quote=250.00 EUR/1/1 invoice=250.01 EUR/2/2 dunning=no cost/0/1 "; got != want {
			t.Errorf("cost:\n got %s\nwant %s", got, want)
		}
		if _, err := f.s.Heatmap(ctx, f.reader, "colour"); engage.ErrorCode(err) != engage.EINVALID {
			t.Fatalf("unknown view = %v", err)
		}
	})
}

func itoa(n int64) string { return decimal.NewFromInt(n).String() }
