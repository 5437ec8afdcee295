package catalog_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

var sys = access.System("test")

type fixture struct {
	cat          *catalog.Catalog
	org          *org.Service
	clock        *engage.FixedClock
	lab, finance org.Department
	riley, owner *access.Principal
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func date(s string) catalog.Date {
	d, err := catalog.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	lab, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "LAB", Name: "Laboratory"})
	if err != nil {
		t.Fatal(err)
	}
	fin, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "FIN", Name: "Finance"})
	if err != nil {
		t.Fatal(err)
	}
	riley := newPerson(t, o, "riley@example.com", lab.ID, access.Requester)
	owner := newPerson(t, o, "owner@example.com", fin.ID, access.Requester, access.ServiceOwner)
	ap, err := approval.New(ctx, d, clock)
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalog.Catalog{DB: d, Clock: clock, Org: o, Approvals: ap}
	ap.OnDecided(catalog.SubjectOrder, cat.Decided)
	return fixture{cat: cat, org: o, clock: clock, lab: lab, finance: fin, riley: riley, owner: owner}
}

// newPerson adds a person with roles to a department and signs them in.
func newPerson(t *testing.T, o *org.Service, email string, dept int64, roles ...access.Role) *access.Principal {
	t.Helper()
	ctx := context.Background()
	p, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: email, Name: email, DepartmentID: dept, Active: true, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := o.Principal(ctx, p.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func service(name, family, delivery string) catalog.ServiceInput {
	return catalog.ServiceInput{Name: name, Summary: name + " for everyone", Kind: "technical", Family: family, Sourcing: "built",
		Lifecycle: "live", DeliveryModel: delivery, DataCeiling: "confidential", ArchStatus: "standard", AudienceAll: true,
		SLA: catalog.SLA{Availability: "99.9", LeadTimeDays: 2}}
}

func plan(from, unit, price string) catalog.RatePlan {
	return catalog.RatePlan{Currency: "EUR", Unit: unit, UnitPrice: dec(price), EffectiveFrom: date(from), Tiers: []catalog.Tier{}}
}

func TestQuoteCompareAndPriceChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		vmSvc, err := f.cat.CreateService(ctx, f.owner, service("Cloud VM", "compute", "cloud"))
		if err != nil {
			t.Fatal(err)
		}
		if vmSvc.OwnerID != f.owner.PersonID || vmSvc.Slug != "cloud-vm" {
			t.Fatalf("service = %+v", vmSvc)
		}
		physSvc, err := f.cat.CreateService(ctx, f.owner, service("Physical server", "compute", "legacy"))
		if err != nil {
			t.Fatal(err)
		}
		vm, err := f.cat.CreateOffering(ctx, f.owner, vmSvc.ID, catalog.OfferingInput{Name: "Medium", Lifecycle: "live", LeadTimeDays: 1},
			[]catalog.RatePlan{plan("2026-01-01", "unit-month", "62.00")})
		if err != nil {
			t.Fatal(err)
		}
		phys := catalog.RatePlan{Currency: "EUR", Unit: "unit-month", UnitPrice: dec("180.00"), OneTime: dec("2500.00"), EffectiveFrom: date("2025-01-01"), Tiers: []catalog.Tier{}}
		server, err := f.cat.CreateOffering(ctx, f.owner, physSvc.ID, catalog.OfferingInput{Name: "Rack server", Lifecycle: "live", LeadTimeDays: 20},
			[]catalog.RatePlan{phys})
		if err != nil {
			t.Fatal(err)
		}

		// 20 VMs: 20 × 62.00 = 1,240.00 a month; 36 × 1,240 = 44,640.00.
		// 20 servers: 20 × 180 = 3,600.00 a month; 2,500 set-up + 36 × 3,600 = 132,100.00.
		cmp, err := f.cat.Compare(ctx, f.riley, []int64{server.ID, vm.ID}, dec("20"))
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Columns[1].Monthly.Equal(dec("1240")) || !cmp.Columns[1].ThreeYear.Equal(dec("44640")) ||
			!cmp.Columns[0].ThreeYear.Equal(dec("132100")) || cmp.Cheapest != 1 {
			t.Fatalf("comparison = %+v", cmp)
		}
		// 132,100 − 44,640 = 87,460; 3,600 − 1,240 = 2,360 a month.
		want := "For 20 units, Medium costs €87,460.00 less over three years than Rack server (€2,360.00 less each month), and is ready in 1 working day instead of 20 working days."
		if cmp.Summary != want {
			t.Fatalf("summary = %q\nwant      %q", cmp.Summary, want)
		}
		if _, err := f.cat.Compare(ctx, f.riley, []int64{vm.ID}, dec("1")); len(engage.ErrorFields(err)) == 0 {
			t.Fatalf("comparing one offering = %v; want a field error", err)
		}

		// A quote: 3 VMs and 2 servers over 12 months.
		q, err := f.cat.CreateQuote(ctx, f.riley, catalog.QuoteInput{TermMonths: 12, Lines: []catalog.QuoteLineInput{
			{OfferingID: vm.ID, Quantity: dec("3")}, {OfferingID: server.ID, Quantity: dec("2")}}})
		if err != nil {
			t.Fatal(err)
		}
		// monthly 3×62 + 2×180 = 186 + 360 = 546; one-time 2,500 (per subscription, not per unit);
		// term 2,500 + 12 × 546 = 9,052.
		if q.Number != "Q-2026-000001" || !q.Monthly.Equal(dec("546")) || !q.OneTime.Equal(dec("2500")) || !q.TermTotal.Equal(dec("9052")) ||
			q.ValidUntil.String() != "2026-04-15" || q.DepartmentName != "Laboratory" {
			t.Fatalf("quote = %+v", q)
		}
		// Someone in Finance cannot open the Laboratory's quote.
		if _, err := f.cat.FindQuote(ctx, f.owner, q.Number); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("another department reading the quote = %v", err)
		}
		// Bad quantities are refused line by line.
		_, err = f.cat.PriceQuote(ctx, f.riley, catalog.QuoteInput{Lines: []catalog.QuoteLineInput{
			{OfferingID: vm.ID, Quantity: dec("-1")}, {OfferingID: vm.ID, Quantity: dec("5000000")}, {OfferingID: 999, Quantity: dec("1")}}})
		fields := engage.ErrorFields(err)
		if len(fields) != 3 || fields[0].Field != "lines[0].quantity" || fields[1].Field != "lines[1].quantity" || fields[2].Field != "lines[2].offering_id" {
			t.Fatalf("bad lines = %+v", fields)
		}

		// A price change from 1 April closes the current plan; earlier
		// dates keep the old price.
		if _, err := f.cat.AddRatePlan(ctx, f.owner, vm.ID, plan("2026-03-01", "unit-month", "55.00")); engage.ErrorCode(err) != engage.EINVALID {
			t.Fatalf("repricing the past = %v; want refusal", err)
		}
		updated, err := f.cat.AddRatePlan(ctx, f.owner, vm.ID, plan("2026-04-01", "unit-month", "58.00"))
		if err != nil {
			t.Fatal(err)
		}
		if len(updated.Plans) != 2 || updated.Plans[0].EffectiveTo == nil || updated.Plans[0].EffectiveTo.String() != "2026-04-01" {
			t.Fatalf("plans after a price change = %+v", updated.Plans)
		}
		if p, _ := catalog.PlanOn(updated.Plans, date("2026-03-31")); !p.UnitPrice.Equal(dec("62")) {
			t.Fatalf("price on 31 March = %s; want 62", p.UnitPrice)
		}
		if p, _ := catalog.PlanOn(updated.Plans, date("2026-04-01")); !p.UnitPrice.Equal(dec("58")) {
			t.Fatalf("price on 1 April = %s; want 58", p.UnitPrice)
		}
		// Tiers with a gap are refused with the field named.
		gap := plan("2026-05-01", "unit-month", "0")
		gap.TierMode = "graduated"
		hundred := dec("100")
		gap.Tiers = []catalog.Tier{{UpTo: &hundred, UnitPrice: dec("5")}, {UpTo: nil, UnitPrice: dec("4")}, {UpTo: nil, UnitPrice: dec("3")}}
		if _, err := f.cat.AddRatePlan(ctx, f.owner, vm.ID, gap); len(engage.ErrorFields(err)) == 0 || !strings.Contains(engage.ErrorFields(err)[0].Field, "tiers") {
			t.Fatalf("tiers with a gap = %v", err)
		}
		// A requester cannot change services.
		if _, err := f.cat.CreateService(ctx, f.riley, service("Sneaky", "compute", "cloud")); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("requester creating a service = %v", err)
		}
	})
}

// ledgerAndMail creates a finance ledger only Finance may see and an
// e-mail service for everyone.
func ledgerAndMail(t *testing.T, f fixture) (ledger, mail catalog.Service) {
	t.Helper()
	ctx := context.Background()
	in := service("Finance ledger", "business-applications", "cloud")
	in.AudienceAll, in.Audience = false, []catalog.AudienceRef{{Kind: "department", ID: f.finance.ID}}
	ledger, err := f.cat.CreateService(ctx, f.owner, in)
	if err != nil {
		t.Fatal(err)
	}
	if mail, err = f.cat.CreateService(ctx, f.owner, service("E-mail", "messaging", "cloud")); err != nil {
		t.Fatal(err)
	}
	return ledger, mail
}

func TestAudienceAndOrders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		ledger, mail := ledgerAndMail(t, f)
		mailbox, err := f.cat.CreateOffering(ctx, f.owner, mail.ID, catalog.OfferingInput{Name: "Mailbox", Lifecycle: "live"},
			[]catalog.RatePlan{plan("2026-01-01", "person-month", "4.50")})
		if err != nil {
			t.Fatal(err)
		}
		// Riley (Laboratory) sees e-mail but not the Finance ledger.
		page, err := f.cat.ListServices(ctx, f.riley, catalog.ListFilter{})
		if err != nil || page.Total != 1 || page.Cards[0].Name != "E-mail" || page.Cards[0].PriceFrom == nil ||
			catalog.FormatPrice(*page.Cards[0].PriceFrom) != "€4.50 per person per month" {
			t.Fatalf("riley's catalog = %+v, %v", page, err)
		}
		if _, err := f.cat.FindService(ctx, f.riley, ledger.Slug); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("riley opening the ledger = %v", err)
		}
		// Search tolerates a typo and facets count.
		page, _ = f.cat.ListServices(ctx, f.owner, catalog.ListFilter{Query: "emial"})
		if page.Total != 1 || page.Cards[0].Name != "E-mail" {
			t.Fatalf("search with a typo = %+v", page)
		}
		page, _ = f.cat.ListServices(ctx, f.owner, catalog.ListFilter{Families: []string{"messaging"}})
		if page.Total != 1 || page.Facets["family:business-applications"] != 0 || page.Facets["family:messaging"] != 1 {
			t.Fatalf("facets = %+v", page.Facets)
		}

		// Order a quote: no approval policy applies, so the subscription
		// exists at once.
		q, err := f.cat.CreateQuote(ctx, f.riley, catalog.QuoteInput{Lines: []catalog.QuoteLineInput{{OfferingID: mailbox.ID, Quantity: dec("25")}}})
		if err != nil {
			t.Fatal(err)
		}
		start := date("2026-04-01")
		order, err := f.cat.OrderQuote(ctx, f.riley, q.Number, catalog.OrderInput{StartDate: &start})
		if err != nil {
			t.Fatal(err)
		}
		if order.Status != catalog.OrderApproved || order.Number != "ORD-2026-000001" {
			t.Fatalf("order = %+v", order)
		}
		subs, err := f.cat.ListSubscriptions(ctx, f.riley, catalog.SubscriptionFilter{DepartmentID: f.lab.ID})
		if err != nil || len(subs) != 1 || !subs[0].Quantity.Equal(dec("25")) || subs[0].StartDate != start || len(subs[0].Segments) != 1 {
			t.Fatalf("subscriptions = %+v, %v", subs, err)
		}
		// Finance's owner cannot see the Laboratory's subscriptions.
		if _, err := f.cat.ListSubscriptions(ctx, f.owner, catalog.SubscriptionFilter{DepartmentID: f.lab.ID}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("other department's subscriptions = %v", err)
		}
		// Ordering the quote again answers with its first order.
		again, err := f.cat.OrderQuote(ctx, f.riley, q.Number, catalog.OrderInput{})
		if err != nil || again.Number != order.Number {
			t.Fatalf("ordering quote %s again = %+v, %v; want order %s", q.Number, again, err, order.Number)
		}
		// A start in the past is refused; so is an expired quote.
		q2, err := f.cat.CreateQuote(ctx, f.riley, catalog.QuoteInput{Lines: []catalog.QuoteLineInput{{OfferingID: mailbox.ID, Quantity: dec("2")}}})
		if err != nil {
			t.Fatal(err)
		}
		past := date("2026-03-01")
		if _, err := f.cat.OrderQuote(ctx, f.riley, q2.Number, catalog.OrderInput{StartDate: &past}); len(engage.ErrorFields(err)) != 1 {
			t.Fatalf("start in the past = %v", err)
		}
		// Quantity change from 15 May to 30, then cancellation on 30 June.
		may := date("2026-05-15")
		change, err := f.cat.ChangeQuantity(ctx, f.riley, subs[0].ID, dec("30"), catalog.OrderInput{StartDate: &may})
		if err != nil || change.Kind != catalog.OrderChange || change.Status != catalog.OrderApproved || !change.Monthly.Equal(dec("22.5")) {
			t.Fatalf("change = %+v, %v", change, err)
		}
		june := date("2026-06-30")
		if _, err := f.cat.CancelSubscription(ctx, f.riley, subs[0].ID, catalog.OrderInput{StartDate: &june}); err != nil {
			t.Fatal(err)
		}
		subs, _ = f.cat.ListSubscriptions(ctx, f.riley, catalog.SubscriptionFilter{DepartmentID: f.lab.ID})
		if len(subs[0].Segments) != 2 || subs[0].Segments[1].From != may || !subs[0].Segments[1].Quantity.Equal(dec("30")) ||
			subs[0].EndDate == nil || *subs[0].EndDate != june {
			t.Fatalf("subscription after change and cancel = %+v", subs[0])
		}
		// Retired offerings cannot be quoted.
		if _, err := f.cat.UpdateOffering(ctx, f.owner, mailbox.ID, mailbox.Version, catalog.OfferingInput{Name: "Mailbox", Lifecycle: "retired"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cat.PriceQuote(ctx, f.riley, catalog.QuoteInput{Lines: []catalog.QuoteLineInput{{OfferingID: mailbox.ID, Quantity: dec("1")}}}); !strings.Contains(fmtErr(err), "retired") {
			t.Fatalf("quoting a retired offering = %v", err)
		}
		// A quote cannot be ordered once its offering retired.
		if _, err := f.cat.OrderQuote(ctx, f.riley, q2.Number, catalog.OrderInput{}); engage.ErrorCode(err) != engage.EINVALID {
			t.Fatalf("ordering a retired offering = %v", err)
		}
	})
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	for _, f := range engage.ErrorFields(err) {
		s += " " + f.Message
	}
	return s
}

// TestAnnouncementReach: announcements reach their audience only; many
// pages opened at once by one person record one sighting (on PostgreSQL a
// conflicting insert must not abort the transaction); following an
// announcement counts a click; reach is for admins and the service's owner.
func TestAnnouncementReach(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		ledger, mail := ledgerAndMail(t, f)
		// Meant for everyone, but about a service only Finance sees.
		if _, err := f.cat.Announce(ctx, f.owner, catalog.AnnouncementInput{ServiceID: ledger.ID, Kind: "change", Title: "Ledger upgrade", AudienceAll: true}); err != nil {
			t.Fatal(err)
		}
		launch, err := f.cat.Announce(ctx, f.owner, catalog.AnnouncementInput{ServiceID: mail.ID, Kind: "launch", Title: "Bigger mailboxes", AudienceAll: true})
		if err != nil {
			t.Fatal(err)
		}
		change, err := f.cat.Announce(ctx, f.owner, catalog.AnnouncementInput{ServiceID: mail.ID, Kind: "change", Title: "New spam filter", AudienceAll: true})
		if err != nil {
			t.Fatal(err)
		}
		// Several people, each opening many pages at the same moment.
		readers := []*access.Principal{f.riley}
		for i := range 3 {
			readers = append(readers, newPerson(t, f.org, fmt.Sprintf("reader%d@example.com", i), f.lab.ID, access.Requester))
		}
		const pages = 16
		for _, p := range readers {
			start := make(chan struct{})
			errs := make(chan error, pages)
			for range pages {
				go func() {
					<-start
					list, err := f.cat.Announcements(ctx, p, catalog.AnnouncementFilter{Limit: 5, Record: true})
					if err == nil && (len(list) != 2 || list[0].ID != change.ID || list[1].ID != launch.ID || list[0].Reach != nil) {
						err = fmt.Errorf("the news = %+v; want %q and %q, without reach", list, change.Title, launch.Title)
					}
					errs <- err
				}()
			}
			close(start)
			for range pages {
				if err := <-errs; err != nil {
					t.Fatalf("%d pages at once: %v", pages, err)
				}
			}
		}
		slug, err := f.cat.FollowAnnouncement(ctx, f.riley, launch.ID)
		if err != nil || slug != mail.Slug {
			t.Fatalf("following the launch = %q, %v", slug, err)
		}
		list, err := f.cat.Announcements(ctx, f.owner, catalog.AnnouncementFilter{ServiceID: mail.ID})
		if err != nil || len(list) != 2 || list[1].ID != launch.ID || list[1].Reach == nil || *list[1].Reach != (catalog.Reach{Seen: len(readers), Clicked: 1}) {
			t.Fatalf("the owner's view of the news = %+v, %v; want the launch seen %d times, clicked once", list, err, len(readers))
		}
	})
}

// TestServiceConsumersKept: a service page's list of the departments using
// it is kept, but new subscriptions and a department renamed through this
// replica show at once.
func TestServiceConsumersKept(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		mail, err := f.cat.CreateService(ctx, f.owner, service("E-mail", "messaging", "cloud"))
		if err != nil {
			t.Fatal(err)
		}
		box, err := f.cat.CreateOffering(ctx, f.owner, mail.ID, catalog.OfferingInput{Name: "Mailbox", Lifecycle: "live"},
			[]catalog.RatePlan{plan("2026-01-01", "person-month", "4.50")})
		if err != nil {
			t.Fatal(err)
		}
		names := func() []string {
			t.Helper()
			detail, err := f.cat.FindService(ctx, f.riley, mail.Slug)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range detail.Consumers {
				out = append(out, c.DepartmentName+" "+c.Quantity.String())
			}
			return out
		}
		if got := names(); len(got) != 0 {
			t.Fatalf("consumers before any subscription = %q", got)
		}
		if _, err := f.cat.ImportSubscriptions(ctx, sys, []catalog.ExistingSubscription{
			{DepartmentCode: "LAB", OfferingSlug: box.Slug, Quantity: dec("40"), Start: date("2026-01-01")}}); err != nil {
			t.Fatal(err)
		}
		if got := names(); len(got) != 1 || got[0] != "Laboratory 40" {
			t.Fatalf("consumers right after a subscription = %q; want Laboratory 40", got)
		}
		lab, err := f.org.FindDepartment(ctx, sys, f.lab.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.org.UpdateDepartment(ctx, sys, lab.ID, lab.Version, org.DepartmentInput{Code: lab.Code, Name: "Wet Laboratory"}); err != nil {
			t.Fatal(err)
		}
		if got := names(); len(got) != 1 || got[0] != "Wet Laboratory 40" {
			t.Fatalf("consumers right after a rename = %q; want Wet Laboratory 40", got)
		}
	})
}

// A quote orders once, however many times and however fast it is sent:
// thirty attempts at the same moment make one order and one subscription,
// and every attempt answers with that order.
func TestQuoteOrdersOnceUnderConcurrency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		_, mail := ledgerAndMail(t, f)
		mailbox, err := f.cat.CreateOffering(ctx, f.owner, mail.ID, catalog.OfferingInput{Name: "Mailbox", Lifecycle: "live"},
			[]catalog.RatePlan{plan("2026-01-01", "person-month", "4.50")})
		if err != nil {
			t.Fatal(err)
		}
		q, err := f.cat.CreateQuote(ctx, f.riley, catalog.QuoteInput{Lines: []catalog.QuoteLineInput{{OfferingID: mailbox.ID, Quantity: dec("10")}}})
		if err != nil {
			t.Fatal(err)
		}
		const attempts = 30
		numbers := make([]string, attempts)
		errs := make([]error, attempts)
		var wg sync.WaitGroup
		for i := range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o, err := f.cat.OrderQuote(ctx, f.riley, q.Number, catalog.OrderInput{})
				numbers[i], errs[i] = o.Number, err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("attempt %d: %v", i, err)
			}
			if numbers[i] != numbers[0] {
				t.Fatalf("attempt %d answered order %s, attempt 0 order %s", i, numbers[i], numbers[0])
			}
		}
		var orders, subs int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM orders").Scan(&orders); err != nil {
			t.Fatal(err)
		}
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM subscriptions").Scan(&subs); err != nil {
			t.Fatal(err)
		}
		if orders != 1 || subs != 1 {
			t.Fatalf("%d concurrent orders of one quote made %d orders and %d subscriptions; want 1 and 1", attempts, orders, subs)
		}
	})
}

// A legacy service's cloud alternatives and the pickers' offerings are kept
// sorted with the catalog's snapshot: they follow the catalog's changes at
// once, list only what the person may see, by name whatever the case, and
// the alternatives can be cut to the first few with the count of all.
func TestAlternativesAndPickersFollowTheCatalog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		add := func(in catalog.ServiceInput, offering, lifecycle string) catalog.Service {
			t.Helper()
			svc, err := f.cat.CreateService(ctx, f.owner, in)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.cat.CreateOffering(ctx, f.owner, svc.ID, catalog.OfferingInput{Name: offering, Lifecycle: lifecycle},
				[]catalog.RatePlan{plan("2026-01-01", "unit-month", "10.00")}); err != nil {
				t.Fatal(err)
			}
			return svc
		}
		legacy := add(service("Physical server", "compute", "legacy"), "Rack server", "retiring")
		add(service("Zeta cloud", "compute", "cloud"), "Small", "live")
		add(service("alpha cloud", "compute", "cloud"), "Small", "live")
		beta := service("Beta cloud", "compute", "cloud")
		beta.Lifecycle = "pilot"
		add(beta, "Small", "pilot")
		planned := service("Gamma cloud", "compute", "cloud")
		planned.Lifecycle = "planned"
		add(planned, "Small", "planned")                                     // takes no orders yet
		add(service("Delta cloud", "compute", "cloud"), "Small", "retiring") // nothing to order
		add(service("Object storage", "storage", "cloud"), "Bucket", "live") // another family
		financeOnly := service("Epsilon cloud", "compute", "cloud")
		financeOnly.AudienceAll, financeOnly.Audience = false, []catalog.AudienceRef{{Kind: "department", ID: f.finance.ID}}
		add(financeOnly, "Small", "live") // not offered to Riley's department

		names := func(limit int) ([]string, int) {
			t.Helper()
			alts, total, err := f.cat.Alternatives(ctx, f.riley, legacy.ID, limit)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, a := range alts {
				out = append(out, a.Service.Name)
			}
			return out, total
		}
		if got, total := names(0); strings.Join(got, ", ") != "alpha cloud, Beta cloud, Zeta cloud" || total != 3 {
			t.Fatalf("alternatives = %q of %d; want alpha, Beta and Zeta cloud of 3", got, total)
		}
		if got, total := names(2); strings.Join(got, ", ") != "alpha cloud, Beta cloud" || total != 3 {
			t.Fatalf("the first two alternatives = %q of %d; want alpha and Beta cloud of 3", got, total)
		}
		labels := func(list func(context.Context, *access.Principal) ([]catalog.OfferingOption, error)) string {
			t.Helper()
			opts, err := list(ctx, f.riley)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, o := range opts {
				out = append(out, o.Label)
			}
			return strings.Join(out, "; ")
		}
		const comparable = "alpha cloud — Small; Beta cloud — Small; Delta cloud — Small; Gamma cloud — Small; Object storage — Bucket; Physical server — Rack server; Zeta cloud — Small"
		if got := labels(f.cat.ComparableOfferings); got != comparable {
			t.Fatalf("comparable offerings = %q; want %q", got, comparable)
		}
		if got, want := labels(f.cat.OrderableOfferings), "alpha cloud — Small; Beta cloud — Small; Object storage — Bucket; Zeta cloud — Small"; got != want {
			t.Fatalf("orderable offerings = %q; want %q", got, want)
		}

		// A new cloud service shows at once, in its place.
		add(service("Aardvark cloud", "compute", "cloud"), "Tiny", "live")
		if got, total := names(2); strings.Join(got, ", ") != "Aardvark cloud, alpha cloud" || total != 4 {
			t.Fatalf("alternatives after a new cloud service = %q of %d; want Aardvark and alpha cloud of 4", got, total)
		}
		if got := labels(f.cat.ComparableOfferings); !strings.HasPrefix(got, "Aardvark cloud — Tiny; alpha cloud — Small;") {
			t.Fatalf("comparable offerings after a new service = %q; want Aardvark cloud's first", got)
		}
		// Without words, the catalog lists by name in the same order.
		page, err := f.cat.ListServices(ctx, f.riley, catalog.ListFilter{Families: []string{"compute"}, DeliveryModels: []string{"cloud"}, Limit: 3, Offset: 1})
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, c := range page.Cards {
			listed = append(listed, c.Name)
		}
		if strings.Join(listed, ", ") != "alpha cloud, Beta cloud, Delta cloud" || page.Total != 6 {
			t.Fatalf("the compute family's cloud services from the second = %q of %d; want alpha, Beta and Delta cloud of 6", listed, page.Total)
		}
	})
}
