package costs_test

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
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
)

var sys = access.System("test")

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func pct(s string) *decimal.Decimal {
	d := dec(s)
	return &d
}

func date(s string) catalog.Date {
	d, err := catalog.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// world is a small company with three services, billed for March 2026:
//
//	Cloud VM (compute, cloud, owned by Vera): vm-medium at €60.00 a unit-month
//	  LAB 10 from 1 January: 10 × 60 = 600.00; unit-days 10 × 31 = 310
//	  OPS 6 from 16 March: 6 × 60 × 16/31 = 185.806… → 185.81; unit-days 6 × 16 = 96
//	Physical server (compute, legacy, owned by Vera): rack-server at €150.00
//	  LAB 4 from 1 January: 600.00; unit-days 124
//	E-mail (messaging, cloud, owned by Omar): mailbox at €4.50 a person-month
//	  LAB 20 from 1 January: 90.00; unit-days 620
//
// Charged in March: Cloud VM 785.81, Physical server 600.00, E-mail 90.00.
type world struct {
	costs                        *costs.Service
	cat                          *catalog.Catalog
	billing                      *billing.Service
	clock                        *engage.FixedClock
	vm, server, mail             catalog.Service
	vmOffering, serverOffering   int64
	mailOffering                 int64
	labID, opsID, veraID, omarID int64
	finance, board, requester    *access.Principal
	vera, omar                   *access.Principal
}

func setup(t *testing.T, d *db.DB) world {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	var w world
	for _, code := range []string{"LAB", "OPS"} {
		dep, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: code, Name: code + " department", BillingMode: "chargeback"})
		if err != nil {
			t.Fatal(err)
		}
		if code == "LAB" {
			w.labID = dep.ID
		} else {
			w.opsID = dep.ID
		}
	}
	person := func(email, name string) int64 {
		p, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: email, Name: name, DepartmentID: w.opsID, Active: true,
			Roles: []access.Role{access.Requester, access.ServiceOwner}})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	w.veraID, w.omarID = person("vera@example.com", "Vera Owner"), person("omar@example.com", "Omar Owner")
	ap, err := approval.New(ctx, d, clock)
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalog.Catalog{DB: d, Clock: clock, Org: o, Approvals: ap}
	service := func(name, slug, family, model string, owner int64) catalog.Service {
		s, err := cat.CreateService(ctx, sys, catalog.ServiceInput{Name: name, Slug: slug, Kind: "technical", Family: family, Sourcing: "built",
			Lifecycle: "live", DeliveryModel: model, DataCeiling: "internal", ArchStatus: "standard", AudienceAll: true, OwnerID: owner})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	offer := func(s catalog.Service, slug, unit, price string) int64 {
		off, err := cat.CreateOffering(ctx, sys, s.ID, catalog.OfferingInput{Slug: slug, Name: slug, Lifecycle: "live"},
			[]catalog.RatePlan{{Currency: "EUR", Unit: unit, UnitPrice: dec(price), EffectiveFrom: date("2026-01-01"), Tiers: []catalog.Tier{}}})
		if err != nil {
			t.Fatal(err)
		}
		return off.ID
	}
	w.vm = service("Cloud VM", "cloud-vm", "compute", "cloud", w.veraID)
	w.server = service("Physical server", "physical-server", "compute", "legacy", w.veraID)
	w.mail = service("E-mail", "email", "messaging", "cloud", w.omarID)
	w.vmOffering = offer(w.vm, "vm-medium", "unit-month", "60.00")
	w.serverOffering = offer(w.server, "rack-server", "unit-month", "150.00")
	w.mailOffering = offer(w.mail, "mailbox", "person-month", "4.50")
	if _, err := cat.ImportSubscriptions(ctx, sys, []catalog.ExistingSubscription{
		{DepartmentCode: "LAB", OfferingSlug: "vm-medium", Quantity: dec("10"), Start: date("2026-01-01")},
		{DepartmentCode: "OPS", OfferingSlug: "vm-medium", Quantity: dec("6"), Start: date("2026-03-16")},
		{DepartmentCode: "LAB", OfferingSlug: "rack-server", Quantity: dec("4"), Start: date("2026-01-01")},
		{DepartmentCode: "LAB", OfferingSlug: "mailbox", Quantity: dec("20"), Start: date("2026-01-01")},
	}); err != nil {
		t.Fatal(err)
	}
	w.billing = &billing.Service{DB: d, Clock: clock, Catalog: cat}
	if _, err := w.billing.Run(ctx, sys, "2026-03"); err != nil {
		t.Fatal(err)
	}
	w.costs = &costs.Service{DB: d, Clock: clock}
	w.cat, w.clock = cat, clock
	w.finance = &access.Principal{Name: "finance", Roles: []access.Role{access.Finance}}
	w.board = &access.Principal{Name: "board", Roles: []access.Role{access.PortfolioBoard}}
	w.requester = &access.Principal{Name: "requester", DepartmentID: w.labID, Roles: []access.Role{access.Requester}}
	w.vera = &access.Principal{PersonID: w.veraID, Name: "Vera Owner", DepartmentID: w.opsID, Roles: []access.Role{access.Requester, access.ServiceOwner}}
	w.omar = &access.Principal{PersonID: w.omarID, Name: "Omar Owner", DepartmentID: w.opsID, Roles: []access.Role{access.Requester, access.ServiceOwner}}
	return w
}

// loadPools adds March's pools:
//
//	P1 Hypervisor hosts, hardware, €1,000.00: 33.33 / 33.33 / 33.34 % of
//	   Cloud VM, Physical server, E-mail → 333.30, 333.30, 333.40
//	P2 Platform engineers, labour, €1,060.00 by subscription quantity over
//	   Cloud VM (406 unit-days) and Physical server (124): 1060 × 406/530 =
//	   812.00 and the remainder 248.00
//	P3 Data centre lease, facilities, €500.00, not allocated
//	P4 Mail licences, software, $300.00: 100 % E-mail
func (w world) loadPools(t *testing.T) map[string]costs.Pool {
	t.Helper()
	ctx := context.Background()
	out := map[string]costs.Pool{}
	for _, in := range []costs.PoolInput{
		{Period: "2026-03", Category: "hardware", Name: "Hypervisor hosts", Amount: dec("1000.00"), Currency: "EUR",
			Allocation: &costs.PoolAllocationInput{Method: costs.MethodPercent, Targets: []costs.PoolTargetInput{
				{Service: "cloud-vm", Percent: pct("33.33")}, {Service: "physical-server", Percent: pct("33.33")}, {ServiceID: w.mail.ID, Percent: pct("33.34")}}}},
		{Period: "2026-03", Category: "labour", Name: "Platform engineers", Amount: dec("1060.00"), Currency: "EUR",
			Allocation: &costs.PoolAllocationInput{Method: costs.MethodSubscriptionQuantity, Targets: []costs.PoolTargetInput{{Service: "cloud-vm"}, {Service: "physical-server"}}}},
		{Period: "2026-03", Category: "facilities", Name: "Data centre lease", Amount: dec("500.00"), Currency: "EUR"},
		{Period: "2026-03", Category: "software", Name: "Mail licences", Amount: dec("300.00"), Currency: "usd",
			Allocation: &costs.PoolAllocationInput{Method: costs.MethodPercent, Targets: []costs.PoolTargetInput{{Service: "email", Percent: pct("100")}}}},
	} {
		p, err := w.costs.CreatePool(ctx, w.finance, in)
		if err != nil {
			t.Fatalf("creating %s: %v", in.Name, err)
		}
		out[p.Name] = p
	}
	return out
}
