package processcost_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
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
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/processcost"
)

var sys = access.System("test")

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// fixture is a small company billed for March 2026:
//
//	Cloud VM:        LAB 10 × 60.00 = 600.00; OPS 6 × 60.00 × 16/31 = 185.81
//	Physical server: LAB 4 × 150.00 = 600.00
//	E-mail:          LAB 20 × 4.50 = 90.00
//
// and a register: value stream order-to-cash with take-order (and its
// sub-process check-credit) and ship below it. Links:
//
//	Cloud VM:        take-order 50 %, ship 30 % (20 % unclaimed)
//	Physical server: check-credit 40 %, ship 80 % (120 %: scaled to 1/3, 2/3)
//	E-mail:          take-order 33.33 % (66.67 % unclaimed)
//
// One cost pool of €1,000.00 shares 50/30/20 % to VM, server and e-mail.
type fixture struct {
	svc                   *processcost.Service
	procs                 *process.Service
	billing               *billing.Service
	costs                 *costs.Service
	vs, take, check, ship process.Entry
	journey               process.Journey
	vm, server, mail      catalog.Service
	lab, ops              int64
	clock                 *engage.FixedClock
}

// recomputed lets the months marked stale settle and recomputes them, as
// the background worker does.
func (f fixture) recomputed(t *testing.T) {
	t.Helper()
	f.clock.Advance(processcost.Settle)
	if _, _, err := f.svc.RecomputeStale(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func setup(t *testing.T, d *db.DB) fixture {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	f := fixture{clock: clock}
	for _, code := range []string{"LAB", "OPS"} {
		dep, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: code, Name: code + " department", BillingMode: "chargeback"})
		if err != nil {
			t.Fatal(err)
		}
		if code == "LAB" {
			f.lab = dep.ID
		} else {
			f.ops = dep.ID
		}
	}
	ap, err := approval.New(ctx, d, clock)
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalog.Catalog{DB: d, Clock: clock, Org: o, Approvals: ap}
	service := func(name, slug, offering, unit, price string) catalog.Service {
		s, err := cat.CreateService(ctx, sys, catalog.ServiceInput{Name: name, Slug: slug, Kind: "technical", Family: "compute", Sourcing: "built",
			Lifecycle: "live", DeliveryModel: "cloud", DataCeiling: "internal", ArchStatus: "standard", AudienceAll: true})
		if err != nil {
			t.Fatal(err)
		}
		from, _ := catalog.ParseDate("2026-01-01")
		if _, err := cat.CreateOffering(ctx, sys, s.ID, catalog.OfferingInput{Slug: offering, Name: offering, Lifecycle: "live"},
			[]catalog.RatePlan{{Currency: "EUR", Unit: unit, UnitPrice: dec(price), EffectiveFrom: from, Tiers: []catalog.Tier{}}}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	f.vm = service("Cloud VM", "cloud-vm", "vm-medium", "unit-month", "60.00")
	f.server = service("Physical server", "physical-server", "rack-server", "unit-month", "150.00")
	f.mail = service("E-mail", "email", "mailbox", "person-month", "4.50")
	jan, _ := catalog.ParseDate("2026-01-01")
	mid, _ := catalog.ParseDate("2026-03-16")
	if _, err := cat.ImportSubscriptions(ctx, sys, []catalog.ExistingSubscription{
		{DepartmentCode: "LAB", OfferingSlug: "vm-medium", Quantity: dec("10"), Start: jan},
		{DepartmentCode: "OPS", OfferingSlug: "vm-medium", Quantity: dec("6"), Start: mid},
		{DepartmentCode: "LAB", OfferingSlug: "rack-server", Quantity: dec("4"), Start: jan},
		{DepartmentCode: "LAB", OfferingSlug: "mailbox", Quantity: dec("20"), Start: jan},
	}); err != nil {
		t.Fatal(err)
	}
	f.procs = &process.Service{DB: d, Clock: clock, Org: o, Services: cat}
	f.svc = &processcost.Service{DB: d, Clock: clock, Processes: f.procs, Catalog: cat}
	f.procs.OnServiceLinksChanged(f.svc.MarkStale)
	f.billing = &billing.Service{DB: d, Clock: clock, Catalog: cat}
	f.billing.OnRun(f.svc.Recompute)
	f.costs = &costs.Service{DB: d, Clock: clock}
	f.costs.OnPoolsChanged(f.svc.MarkPeriodStale)
	create := func(in process.Input) process.Entry {
		e, err := f.procs.Create(ctx, sys, in)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	f.vs = create(process.Input{Kind: process.ValueStream, Ref: "order-to-cash", Name: "Order to cash"})
	f.take = create(process.Input{Kind: process.Process, ParentID: f.vs.ID, Ref: "take-order", Name: "Take order", ExternalCustomers: true})
	f.check = create(process.Input{Kind: process.Process, ParentID: f.take.ID, Ref: "check-credit", Name: "Check credit", ExternalCustomers: true})
	f.ship = create(process.Input{Kind: process.Process, ParentID: f.vs.ID, Ref: "ship", Name: "Ship", ExternalCustomers: true})
	for _, l := range []struct {
		proc   process.Entry
		svc    catalog.Service
		weight string
	}{{f.take, f.vm, "50"}, {f.ship, f.vm, "30"}, {f.check, f.server, "40"}, {f.ship, f.server, "80"}, {f.take, f.mail, "33.33"}} {
		if _, err := f.procs.LinkService(ctx, sys, l.proc.ID, l.svc.ID, dec(l.weight)); err != nil {
			t.Fatal(err)
		}
	}
	if f.journey, err = f.procs.CreateJourney(ctx, sys, process.JourneyInput{Ref: "buy", Name: "Buy",
		ProcessIDs: []int64{f.check.ID, f.take.ID, f.ship.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.billing.Run(ctx, sys, "2026-03"); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) addPool(t *testing.T) {
	t.Helper()
	pct := func(s string) *decimal.Decimal { d := dec(s); return &d }
	if _, err := f.costs.CreatePool(context.Background(), sys, costs.PoolInput{Period: "2026-03", Category: "hardware", Name: "Hosts",
		Amount: dec("1000.00"), Currency: "EUR", Allocation: &costs.PoolAllocationInput{Method: costs.MethodPercent, Targets: []costs.PoolTargetInput{
			{Service: "cloud-vm", Percent: pct("50")}, {Service: "physical-server", Percent: pct("30")}, {Service: "email", Percent: pct("20")}}}}); err != nil {
		t.Fatal(err)
	}
}

func eur(ms []processcost.CostAmount) string {
	for _, m := range ms {
		if m.Currency == "EUR" {
			return m.Amount.StringFixed(2)
		}
	}
	return "0.00"
}

// Hand-computed (see fixture):
//
//	LAB VM 600.00: take 300.00, ship 180.00, unclaimed 120.00
//	OPS VM 185.81: take 92.905 → 92.91 (largest remainder), ship 55.743 → 55.74, unclaimed 37.162 → 37.16
//	LAB server 600.00: check 200.00, ship 400.00 (weights 40 and 80 scaled down)
//	LAB e-mail 90.00: take 29.997 → 30.00, unclaimed 60.003 → 60.00
//
// Own: take 422.91, check 200.00, ship 635.74, unclaimed 217.16; total
// 1,475.81 = the statements. Rolled up: take 622.91, the value stream
// 1,258.65. The journey through check, take and ship: 1,258.65 (check
// once). Cost: VM 500 → take 250, ship 150, unclaimed 100; server 300 →
// check 100, ship 200; e-mail 200 → take 66.66, unclaimed 133.34.
func TestHandComputedCosts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		f.addPool(t)
		f.recomputed(t)
		finance := &access.Principal{Name: "finance", Roles: []access.Role{access.Finance}}
		m, err := f.svc.Map(ctx, finance, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			got  []processcost.CostAmount
			want string
		}{
			{"take (rolled up)", m.Of(f.take.ID).Charged, "622.91"},
			{"check", m.Of(f.check.ID).Charged, "200.00"},
			{"ship", m.Of(f.ship.ID).Charged, "635.74"},
			{"value stream", m.Of(f.vs.ID).Charged, "1258.65"},
			{"unclaimed", m.Unclaimed.Charged, "217.16"},
			{"total", m.Total.Charged, "1475.81"},
			{"take cost", m.Of(f.take.ID).Cost, "416.66"},
			{"ship cost", m.Of(f.ship.ID).Cost, "350.00"},
			{"unclaimed cost", m.Unclaimed.Cost, "233.34"},
			{"total cost", m.Total.Cost, "1000.00"},
		} {
			if g := eur(c.got); g != c.want {
				t.Errorf("%s: %s, want %s", c.name, g, c.want)
			}
		}
		pf, err := f.svc.ProcessCost(ctx, finance, f.take.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if eur(pf.OwnCharged) != "422.91" || eur(pf.Charged) != "622.91" || pf.Processes != 2 || len(pf.Trend) != 13 || eur(pf.Trend[12].Charged) != "622.91" ||
			eur(pf.Trend[11].Charged) != "0.00" {
			t.Errorf("take order: own %s, rolled %s over %d processes, %d months", eur(pf.OwnCharged), eur(pf.Charged), pf.Processes, len(pf.Trend))
		}
		jf, err := f.svc.JourneyCost(ctx, finance, f.journey.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if eur(jf.Charged) != "1258.65" || jf.Processes != 3 {
			t.Errorf("journey: %s over %d processes, want 1258.65 over 3", eur(jf.Charged), jf.Processes)
		}
		costsOf, err := f.svc.ProcessCosts(ctx, finance, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		if got := costsOf[f.ship.ID]["EUR"].StringFixed(2); got != "635.74" {
			t.Errorf("ProcessCosts: ship %s", got)
		}
	})
}

// A change of weights or of pools marks the month: it reads at once as it
// was stored, marked as being recomputed, and once the worker has run the
// figures are those of the change; a billing run recomputes its month in
// its own transaction.
func TestRecomputedWhenInputsChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		finance := &access.Principal{Name: "finance", Roles: []access.Role{access.Finance}}
		// marked reads the map right after a change: the figures as stored
		// before it, marked.
		marked := func(step, unclaimed string) {
			t.Helper()
			m, err := f.svc.Map(ctx, finance, "2026-03")
			if err != nil {
				t.Fatal(err)
			}
			if !m.Recomputing || eur(m.Unclaimed.Charged) != unclaimed {
				t.Errorf("right after %s: recomputing %v, unclaimed %s; want the figures as stored (%s), marked", step, m.Recomputing, eur(m.Unclaimed.Charged), unclaimed)
			}
			pf, err := f.svc.ProcessCost(ctx, finance, f.ship.ID, "2026-03")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(pf.Recomputing, []string{"2026-03"}) {
				t.Errorf("right after %s, the process's months being recomputed: %v", step, pf.Recomputing)
			}
		}
		if _, err := f.procs.LinkService(ctx, sys, f.ship.ID, f.mail.ID, dec("66.67")); err != nil {
			t.Fatal(err)
		}
		marked("relinking", "217.16")
		f.recomputed(t)
		m, err := f.svc.Map(ctx, finance, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		// E-mail 90.00 now: take 29.997, ship 60.003 → 30.00 and 60.00; nothing unclaimed.
		if m.Recomputing || eur(m.Unclaimed.Charged) != "157.16" || eur(m.Of(f.ship.ID).Charged) != "695.74" {
			t.Errorf("after relinking: unclaimed %s, ship %s (recomputing %v)", eur(m.Unclaimed.Charged), eur(m.Of(f.ship.ID).Charged), m.Recomputing)
		}
		// A register file takes the e-mail link away again.
		if _, err := f.procs.ApplyRegister(ctx, sys, process.RegisterFile{Kind: "engage/process-register", Processes: []process.FileProcess{{
			Ref: "ship", Parent: "order-to-cash", Kind: process.Process, Name: "Ship", ExternalCustomers: true,
			Services: []process.FileLink{{Ref: "cloud-vm", Weight: "30"}, {Ref: "physical-server", Weight: "80"}}}}}, false); err != nil {
			t.Fatal(err)
		}
		marked("a register file", "157.16")
		f.recomputed(t)
		if m, err = f.svc.Map(ctx, finance, "2026-03"); err != nil {
			t.Fatal(err)
		} else if eur(m.Unclaimed.Charged) != "217.16" || eur(m.Of(f.ship.ID).Charged) != "635.74" {
			t.Errorf("after a register file: unclaimed %s, ship %s", eur(m.Unclaimed.Charged), eur(m.Of(f.ship.ID).Charged))
		}
		f.addPool(t)
		marked("a cost pool", "217.16")
		f.recomputed(t)
		if m, err = f.svc.Map(ctx, finance, "2026-03"); err != nil {
			t.Fatal(err)
		} else if eur(m.Total.Cost) != "1000.00" {
			t.Errorf("after a pool: cost %s", eur(m.Total.Cost))
		}
		if err := f.procs.Unlink(ctx, sys, f.take.ID, "service", f.vm.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.billing.Run(ctx, sys, "2026-03"); err != nil {
			t.Fatal(err)
		}
		var stale bool
		if err := d.QueryRow(ctx, "SELECT stale FROM process_cost_periods WHERE period = '2026-03'").Scan(&stale); err != nil || stale {
			t.Fatalf("after a run the month is computed: stale %v, %v", stale, err)
		}
		if m, err = f.svc.Map(ctx, finance, "2026-03"); err != nil {
			t.Fatal(err)
		} else if m.Recomputing || eur(m.Of(f.take.ID).Charged) != "230.00" || eur(m.Total.Charged) != "1475.81" {
			t.Errorf("after unlinking: take %s, total %s", eur(m.Of(f.take.ID).Charged), eur(m.Total.Charged))
		}
	})
}

// TestTheWorkerRecomputes: the worker the app runs beside its pages
// recomputes a month marked stale once it has settled, and what it stores
// equals a fresh computation of the month; a month waiting to settle is
// left alone; the worker stops when asked.
func TestTheWorkerRecomputes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		finance := &access.Principal{Name: "finance", Roles: []access.Role{access.Finance}}
		if _, err := f.procs.LinkService(ctx, sys, f.ship.ID, f.mail.ID, dec("66.67")); err != nil {
			t.Fatal(err)
		}
		// Not settled: nothing computed yet, a wait announced.
		if n, wait, err := f.svc.RecomputeStale(ctx); err != nil || n != 0 || wait != processcost.Settle {
			t.Fatalf("before the change settled: %d months computed, wait %s, %v", n, wait, err)
		}
		wctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); f.svc.Run(wctx, slog.New(slog.DiscardHandler)) }()
		f.clock.Advance(processcost.Settle)
		deadline := time.Now().Add(30 * time.Second)
		var m processcost.CostMap
		for {
			var err error
			if m, err = f.svc.Map(ctx, finance, "2026-03"); err != nil {
				t.Fatal(err)
			}
			if !m.Recomputing || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		stop()
		<-done
		if m.Recomputing {
			t.Fatal("the worker did not recompute the month within 30 s")
		}
		byWorker := storedFigures(t, d)
		if err := d.Transact(ctx, func(tx *db.Tx) error { return f.svc.Recompute(ctx, tx, "2026-03") }); err != nil {
			t.Fatal(err)
		}
		if fresh := storedFigures(t, d); byWorker != fresh || byWorker == "" {
			t.Errorf("the worker stored:\n%s\na fresh recompute:\n%s", byWorker, fresh)
		}
		if eur(m.Unclaimed.Charged) != "157.16" {
			t.Errorf("after the worker: unclaimed %s", eur(m.Unclaimed.Charged))
		}
	})
}

// storedFigures lists every stored figure, one a line, in order.
func storedFigures(t *testing.T, d *db.DB) string {
	t.Helper()
	rows, err := d.Query(context.Background(), `SELECT period, basis, process_id, department_id, currency, amount FROM process_costs
		ORDER BY period, basis, process_id, department_id, currency`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var period, basis, currency, amount string
		var proc, dept int64
		if err := rows.Scan(&period, &basis, &proc, &dept, &currency, &amount); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s %d %d %s %s\n", period, basis, proc, dept, currency, decimal.RequireFromString(amount).String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A budget holder sees their department's share; a BRM theirs; a
// requester nothing; finance and the board everything with the cost.
func TestAccessFollowsTheStatements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		f.addPool(t)
		f.recomputed(t)
		labHead := &access.Principal{Name: "lab head", DepartmentID: f.lab, Heads: []int64{f.lab}, Roles: []access.Role{access.Requester, access.BudgetHolder}}
		opsBRM := &access.Principal{Name: "ops brm", DepartmentID: f.lab, BRMFor: []int64{f.ops}, Roles: []access.Role{access.Requester, access.BRM}}
		board := &access.Principal{Name: "board", Roles: []access.Role{access.PortfolioBoard}}
		requester := &access.Principal{Name: "requester", DepartmentID: f.ops, Roles: []access.Role{access.Requester}}
		pf, err := f.svc.ProcessCost(ctx, labHead, f.take.ID, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		// LAB: take own 300.00 + 30.00, check 200.00.
		if eur(pf.OwnCharged) != "330.00" || eur(pf.Charged) != "530.00" || !pf.Partial || pf.SeesCost || len(pf.Cost) != 0 {
			t.Errorf("LAB's head: own %s, rolled %s, partial %v, cost %v", eur(pf.OwnCharged), eur(pf.Charged), pf.Partial, pf.Cost)
		}
		if pf, err = f.svc.ProcessCost(ctx, opsBRM, f.take.ID, "2026-03"); err != nil {
			t.Fatal(err)
		} else if eur(pf.Charged) != "92.91" {
			t.Errorf("OPS's BRM: %s, want 92.91", eur(pf.Charged))
		}
		if m, err := f.svc.Map(ctx, opsBRM, "2026-03"); err != nil {
			t.Fatal(err)
		} else if eur(m.Total.Charged) != "185.81" || len(m.Total.Cost) != 0 {
			t.Errorf("OPS's BRM: the map counts %s and cost %v; want OPS's statement 185.81 and no cost", eur(m.Total.Charged), m.Total.Cost)
		}
		if pf, err = f.svc.ProcessCost(ctx, board, f.take.ID, "2026-03"); err != nil {
			t.Fatal(err)
		} else if eur(pf.Charged) != "622.91" || pf.Partial || eur(pf.Cost) != "416.66" {
			t.Errorf("the board: %s, partial %v, cost %s", eur(pf.Charged), pf.Partial, eur(pf.Cost))
		}
		for _, p := range []*access.Principal{requester, nil} {
			if _, err := f.svc.ProcessCost(ctx, p, f.take.ID, "2026-03"); engage.ErrorCode(err) == "" {
				t.Errorf("%v read a process's cost", p)
			}
			if _, err := f.svc.Map(ctx, p, "2026-03"); err == nil {
				t.Errorf("%v read the map's costs", p)
			}
		}
	})
}

// The drill-down adds up to the figure it opens, with the lines behind it.
func TestDrillDownAddsUpToTheFigure(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		f.addPool(t)
		f.recomputed(t)
		finance := &access.Principal{Name: "finance", Roles: []access.Role{access.Finance}}
		for _, c := range []struct {
			subject       string
			id            int64
			charged, cost string
			shares        int
		}{
			// take: VM LAB 300.00, VM OPS 92.91, e-mail LAB 30.00; check: server LAB 200.00; cost: 250.00, 66.66, 100.00.
			{"process", f.take.ID, "622.91", "416.66", 7},
			{"journey", f.journey.ID, "1258.65", "766.66", 12},
			{"unclaimed", 0, "217.16", "233.34", 5},
		} {
			dr, err := f.svc.DrillDown(ctx, finance, c.subject, c.id, "2026-03")
			if err != nil {
				t.Fatal(err)
			}
			if eur(dr.Month.Charged) != c.charged || eur(dr.Month.Cost) != c.cost || len(dr.Shares) != c.shares {
				t.Errorf("%s: charged %s, cost %s in %d shares; want %s, %s in %d", c.subject, eur(dr.Month.Charged), eur(dr.Month.Cost), len(dr.Shares),
					c.charged, c.cost, c.shares)
			}
			for _, sh := range dr.Shares {
				if sh.Basis == processcost.Charged && len(sh.Lines) == 0 {
					t.Errorf("%s: a share of %s without its lines", c.subject, sh.ServiceName)
				}
			}
		}
	})
}

// The CSV has a row per process and currency, the unclaimed part and the
// total; a name a spreadsheet would run as a formula is written as text.
func TestCostsCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		in := f.ship.Input()
		in.Name = "=HYPERLINK(\"http://x\")"
		if _, err := f.procs.Update(ctx, sys, f.ship.ID, f.ship.Version, in); err != nil {
			t.Fatal(err)
		}
		finance := &access.Principal{Name: "finance", Roles: []access.Role{access.Finance}}
		var buf strings.Builder
		if err := f.svc.WriteCSV(ctx, finance, "2026-03", &buf); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{
			"period,ref,name,parent_ref,kind,currency,own_charged,charged,own_cost,cost\n",
			"2026-03,take-order,Take order,order-to-cash,process,EUR,422.91,622.91,0.00,0.00\n",
			"2026-03,ship,\"'=HYPERLINK(\"\"http://x\"\")\",order-to-cash,process,EUR,635.74,635.74,0.00,0.00\n",
			"2026-03,,Unclaimed,,unclaimed,EUR,217.16,217.16,0.00,0.00\n",
			"2026-03,,Total,,total,EUR,1475.81,1475.81,0.00,0.00\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("the CSV lacks %q:\n%s", want, out)
			}
		}
		requester := &access.Principal{Name: "requester", DepartmentID: f.lab, Roles: []access.Role{access.Requester}}
		if err := f.svc.WriteCSV(ctx, requester, "2026-03", &buf); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("a requester's CSV: %v", err)
		}
	})
}
