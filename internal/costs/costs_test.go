package costs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

func TestSplitGivesTheRemainderToTheLastShare(t *testing.T) {
	for _, tc := range []struct {
		name    string
		amount  string
		weights []string
		want    []string
	}{
		// 1,000.00 × 33.33 % = 333.30 twice; the last takes 1000.00 − 666.60 = 333.40.
		{"percentages", "1000.00", []string{"33.33", "33.33", "33.34"}, []string{"333.3", "333.3", "333.4"}},
		// 100 ÷ 3 = 33.3333333333333333 (16 places) twice; the last 100 − 66.6666666666666666.
		{"thirds", "100.00", []string{"1", "1", "1"}, []string{"33.3333333333333333", "33.3333333333333333", "33.3333333333333334"}},
		// A zero weight gets nothing; the remainder goes to the last non-zero weight.
		{"zero last", "10", []string{"1", "2", "0"}, []string{"3.3333333333333333", "6.6666666666666667", "0"}},
		// 1,060.00 by unit-days 406 and 124 (of 530): 812.00 and 248.00.
		{"driver", "1060.00", []string{"406", "124"}, []string{"812", "248"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w []decimal.Decimal
			for _, s := range tc.weights {
				w = append(w, dec(s))
			}
			got, err := costs.Split(dec(tc.amount), w)
			if err != nil {
				t.Fatal(err)
			}
			sum := decimal.Zero
			for i := range got {
				if !got[i].Equal(dec(tc.want[i])) {
					t.Errorf("share %d = %s; want %s", i, got[i], tc.want[i])
				}
				sum = sum.Add(got[i])
			}
			if !sum.Equal(dec(tc.amount)) {
				t.Errorf("shares add up to %s; want exactly %s", sum, tc.amount)
			}
		})
	}
	if _, err := costs.Split(dec("10"), []decimal.Decimal{decimal.Zero, decimal.Zero}); err == nil {
		t.Error("splitting by nothing succeeded")
	}
}

func TestRecoveryIsExactToOneDecimal(t *testing.T) {
	for _, tc := range []struct{ charged, cost, want string }{
		{"2.25", "4.00", "56.3"},          // 56.25 exactly: half away from zero (a float64 half-even would give 56.2)
		{"785.81", "1145.30", "68.6"},     // 68.6117…
		{"600.00", "581.30", "103.2"},     // 103.2169…
		{"0.1", "0.3", "33.3"},            // 33.333…
		{"0", "300.00", "0"},              // nothing charged
		{"1000.00", "1000.00", "100"},     // fully recovered
		{"0.35", "0.40", "87.5"},          // exact
		{"1.0049", "1.00", "100.5"},       // 100.49 → 100.5
		{"1.00045", "1.00", "100"},        // 100.045 → 100.0
		{"12345.67", "0.01", "123456700"}, // tiny cost
	} {
		got := costs.Recovery(dec(tc.charged), dec(tc.cost))
		if got == nil || !got.Equal(dec(tc.want)) {
			t.Errorf("Recovery(%s, %s) = %v; want %s", tc.charged, tc.cost, got, tc.want)
		}
	}
	if got := costs.Recovery(dec("90.00"), decimal.Zero); got != nil {
		t.Errorf("Recovery with no cost = %s; want undefined", got)
	}
}

func figure(t *testing.T, r costs.PeriodResults, slug, currency string) costs.CostFigure {
	t.Helper()
	for _, s := range r.Services {
		if s.Slug != slug {
			continue
		}
		for _, f := range s.Figures {
			if f.Currency == currency {
				return f
			}
		}
	}
	t.Fatalf("no %s figure for %s", currency, slug)
	return costs.CostFigure{}
}

func offering(t *testing.T, r costs.PeriodResults, slug, currency string) costs.OfferingUnitCost {
	t.Helper()
	for _, s := range r.Services {
		for _, o := range s.Offerings {
			if o.Slug == slug && o.Currency == currency {
				return o
			}
		}
	}
	t.Fatalf("no %s result for offering %s", currency, slug)
	return costs.OfferingUnitCost{}
}

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s; want %s", what, got, want)
	}
}

func TestResults(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		w.loadPools(t)
		r, err := w.costs.Results(ctx, w.finance, "2026-03")
		if err != nil {
			t.Fatal(err)
		}

		// Percentages: 1,000.00 as 333.30 + 333.30 + 333.40, exactly the pool.
		var hosts costs.PoolResult
		for _, p := range r.Pools {
			if p.Pool.Name == "Hypervisor hosts" {
				hosts = p
			}
		}
		if len(hosts.Shares) != 3 {
			t.Fatalf("Hypervisor hosts has %d shares; want 3", len(hosts.Shares))
		}
		sum := decimal.Zero
		for i, want := range []string{"333.30", "333.30", "333.40"} {
			eq(t, "hypervisor share "+hosts.Shares[i].ServiceName, hosts.Shares[i].Amount, want)
			sum = sum.Add(hosts.Shares[i].Amount)
		}
		eq(t, "hypervisor shares together", sum, "1000.00")

		// Subscription quantity: Cloud VM 406 unit-days (13.0967… unit-months),
		// Physical server 124 (4 unit-months): 812.00 and 248.00.
		for _, p := range r.Pools {
			if p.Pool.Name != "Platform engineers" {
				continue
			}
			if len(p.Shares) != 2 {
				t.Fatalf("Platform engineers has %d shares", len(p.Shares))
			}
			eq(t, "engineers to Cloud VM", p.Shares[0].Amount, "812.00")
			eq(t, "engineers to Physical server", p.Shares[1].Amount, "248.00")
			eq(t, "Cloud VM unit-months", p.Shares[0].Weight, "13.0967741935483871") // 406 ÷ 31
			eq(t, "Physical server unit-months", p.Shares[1].Weight, "4")
		}

		// Unallocated: the lease, 500.00, with its reason; USD apart from EUR.
		if len(r.Totals) != 2 || r.Totals[0].Currency != "EUR" || r.Totals[1].Currency != "USD" {
			t.Fatalf("totals = %+v; want EUR and USD", r.Totals)
		}
		eur, usd := r.Totals[0], r.Totals[1]
		eq(t, "EUR pools", eur.Pools, "2560.00")
		eq(t, "EUR allocated", eur.Allocated, "2060.00")
		eq(t, "EUR unallocated", eur.Unallocated, "500.00")
		eq(t, "EUR charged", eur.Charged, "1475.81") // 785.81 + 600.00 + 90.00
		eq(t, "USD pools", usd.Pools, "300.00")
		eq(t, "USD unallocated", usd.Unallocated, "0")
		for _, p := range r.Pools {
			if p.Pool.Name == "Data centre lease" && (!p.Unallocated.Equal(dec("500")) || p.Reason == "" || len(p.Shares) != 0) {
				t.Errorf("the lease = %+v; want 500.00 unallocated with a reason", p)
			}
		}

		// Cost = sum of shares; charged from the statement lines; recovery.
		vm := figure(t, r, "cloud-vm", "EUR")
		eq(t, "Cloud VM cost", vm.Cost, "1145.30") // 333.30 + 812.00
		eq(t, "Cloud VM charged", vm.Charged, "785.81")
		if vm.Recovery == nil || !vm.Recovery.Equal(dec("68.6")) || !vm.BelowCost { // 785.81 ÷ 1145.30 = 68.61…%
			t.Errorf("Cloud VM recovery = %v below=%v; want 68.6, below 100", vm.Recovery, vm.BelowCost)
		}
		srv := figure(t, r, "physical-server", "EUR")
		eq(t, "Physical server cost", srv.Cost, "581.30")                              // 333.30 + 248.00
		if srv.Recovery == nil || !srv.Recovery.Equal(dec("103.2")) || srv.BelowCost { // 600.00 ÷ 581.30 = 103.21…%
			t.Errorf("Physical server recovery = %v below=%v; want 103.2, not below", srv.Recovery, srv.BelowCost)
		}
		if len(srv.ByCategory) != 2 || srv.ByCategory[0].Category != "labour" || !srv.ByCategory[0].Amount.Equal(dec("248")) {
			t.Errorf("Physical server by category = %+v; want labour 248.00 then hardware 333.30", srv.ByCategory)
		}
		mailEUR, mailUSD := figure(t, r, "email", "EUR"), figure(t, r, "email", "USD")
		if mailEUR.Recovery == nil || !mailEUR.Recovery.Equal(dec("27.0")) { // 90.00 ÷ 333.40 = 26.99…%
			t.Errorf("E-mail EUR recovery = %v; want 27.0", mailEUR.Recovery)
		}
		eq(t, "E-mail USD cost", mailUSD.Cost, "300.00")
		if mailUSD.Recovery == nil || !mailUSD.Recovery.IsZero() || !mailUSD.Charged.IsZero() {
			t.Errorf("E-mail USD = %+v; want nothing charged, 0.0%% recovered", mailUSD)
		}

		// Unit cost: Cloud VM's 1,145.30 over 406/31 unit-months = 87.449…,
		// above its €60.00 price: priced below cost.
		vmo := offering(t, r, "vm-medium", "EUR")
		eq(t, "vm-medium quantity", vmo.Quantity, "13.0967741935483871")
		if vmo.UnitCost == nil || !vmo.UnitCost.Equal(dec("87.4490147783251232")) { // 1145.30 × 31 ÷ 406
			t.Errorf("vm-medium unit cost = %v; want 87.4490147783251232", vmo.UnitCost)
		}
		if vmo.UnitPrice == nil || !vmo.UnitPrice.Equal(dec("60")) || !vmo.BelowCost {
			t.Errorf("vm-medium price %v below=%v; want 60.00 and flagged below cost", vmo.UnitPrice, vmo.BelowCost)
		}
		// The rack server: 581.30 ÷ 4 = 145.325 under its 150.00 price.
		rack := offering(t, r, "rack-server", "EUR")
		if rack.UnitCost == nil || !rack.UnitCost.Equal(dec("145.325")) || rack.BelowCost {
			t.Errorf("rack-server unit cost %v below=%v; want 145.325, not below cost", rack.UnitCost, rack.BelowCost)
		}
		// The mailbox in USD: priced in EUR, so no price to compare with.
		mbx := offering(t, r, "mailbox", "USD")
		if mbx.UnitCost == nil || !mbx.UnitCost.Equal(dec("15")) || mbx.UnitPrice != nil || mbx.BelowCost { // 300.00 ÷ 20
			t.Errorf("mailbox USD = %+v; want unit cost 15, no price, not flagged", mbx)
		}
		var below []string
		for _, o := range r.BelowCost {
			below = append(below, o.Slug+" "+o.Currency)
		}
		if strings.Join(below, ", ") != "vm-medium EUR, mailbox EUR" { // by service name: Cloud VM, E-mail
			t.Errorf("below cost = %v; want vm-medium and mailbox in EUR", below)
		}

		// Legacy against cloud in compute, per unit-month in EUR.
		if len(r.Comparisons) != 1 {
			t.Fatalf("comparisons = %+v; want compute only", r.Comparisons)
		}
		c := r.Comparisons[0]
		if c.Family != "compute" || c.Unit != "unit-month" || c.Currency != "EUR" {
			t.Fatalf("comparison = %+v", c)
		}
		eq(t, "legacy unit cost", c.Legacy.UnitCost, "145.325")
		eq(t, "cloud unit cost", c.Cloud.UnitCost, "87.4490147783251232")
		eq(t, "saving per unit", c.Saving, "57.8759852216748768") // 145.325 − 87.4490147783251232
	})
}

func TestDriverByChargedAmountAndOverEveryService(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		pools := w.loadPools(t)
		eng := pools["Platform engineers"]
		// By charged amount: 1,060.00 × 785.81 ÷ 1,385.81 = 601.0626276329366941 (16 places)
		// to Cloud VM; the remainder 458.9373723670633059 to the Physical server.
		if _, err := w.costs.SetAllocation(ctx, w.finance, eng.ID, eng.Version, costs.PoolAllocationInput{Method: costs.MethodChargedAmount,
			Targets: []costs.PoolTargetInput{{Service: "cloud-vm"}, {Service: "physical-server"}}}); err != nil {
			t.Fatal(err)
		}
		// A stale version is refused.
		if _, err := w.costs.SetAllocation(ctx, w.finance, eng.ID, eng.Version, costs.PoolAllocationInput{Method: costs.MethodNone}); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Errorf("stale allocation = %v; want a conflict", err)
		}
		// By subscription quantity over every service: Cloud VM 406,
		// E-mail 620, Physical server 124 unit-days of 1,150 → 406.00,
		// 620.00, 124.00 of a 1,150.00 pool.
		if _, err := w.costs.CreatePool(ctx, w.finance, costs.PoolInput{Period: "2026-03", Category: "facilities", Name: "Power", Amount: dec("1150.00"),
			Currency: "EUR", Allocation: &costs.PoolAllocationInput{Method: costs.MethodSubscriptionQuantity}}); err != nil {
			t.Fatal(err)
		}
		// Charged in a currency nobody charged in: unallocated, with the reason.
		if _, err := w.costs.CreatePool(ctx, w.finance, costs.PoolInput{Period: "2026-03", Category: "labour", Name: "Contractors", Amount: dec("70"),
			Currency: "GBP", Allocation: &costs.PoolAllocationInput{Method: costs.MethodChargedAmount}}); err != nil {
			t.Fatal(err)
		}
		r, err := w.costs.Results(ctx, w.finance, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Pools {
			switch p.Pool.Name {
			case "Platform engineers":
				eq(t, "engineers to Cloud VM", p.Shares[0].Amount, "601.0626276329366941")
				eq(t, "engineers to Physical server", p.Shares[1].Amount, "458.9373723670633059")
				eq(t, "engineers' shares", p.Shares[0].Amount.Add(p.Shares[1].Amount), "1060.00")
			case "Power":
				got := map[string]string{}
				for _, s := range p.Shares {
					got[s.ServiceSlug] = s.Amount.String()
				}
				if len(got) != 3 || got["cloud-vm"] != "406" || got["email"] != "620" || got["physical-server"] != "124" {
					t.Errorf("power shares = %v; want 406 / 620 / 124", got)
				}
			case "Contractors":
				if !p.Unallocated.Equal(dec("70")) || !strings.Contains(p.Reason, "GBP") {
					t.Errorf("contractors = %+v; want unallocated, nothing charged in GBP", p)
				}
			}
		}
	})
}

func TestPoolValidationAndAccess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		w.loadPools(t)
		// Percentages must add up to exactly 100.
		_, err := w.costs.CreatePool(ctx, w.finance, costs.PoolInput{Period: "2026-03", Category: "labour", Name: "Odd", Amount: dec("10"), Currency: "EUR",
			Allocation: &costs.PoolAllocationInput{Method: costs.MethodPercent, Targets: []costs.PoolTargetInput{{Service: "cloud-vm", Percent: pct("50")}, {Service: "email", Percent: pct("49.99")}}}})
		if fields := engage.ErrorFields(err); len(fields) != 1 || fields[0].Field != "allocation.targets" || !strings.Contains(fields[0].Message, "99.99") {
			t.Errorf("percentages of 99.99 = %v; want refused", err)
		}
		_, err = w.costs.CreatePool(ctx, w.finance, costs.PoolInput{Period: "March", Category: "marketing", Name: "Hypervisor hosts", Amount: dec("-1"), Currency: "euro"})
		got := map[string]bool{}
		for _, f := range engage.ErrorFields(err) {
			got[f.Field] = true
		}
		if len(got) != 4 || !got["period"] || !got["category"] || !got["amount"] || !got["currency"] {
			t.Errorf("bad pool = %v; want period, category, amount and currency named", err)
		}
		// A name is unique in its period.
		_, err = w.costs.CreatePool(ctx, w.finance, costs.PoolInput{Period: "2026-03", Category: "labour", Name: "Hypervisor hosts", Amount: dec("1"), Currency: "EUR"})
		if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "name" {
			t.Errorf("duplicate name = %v", err)
		}

		// A requester reaches nothing.
		if _, err := w.costs.ListPools(ctx, w.requester, "2026-03"); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("requester lists pools: %v", err)
		}
		if _, err := w.costs.CreatePool(ctx, w.requester, costs.PoolInput{}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("requester creates a pool: %v", err)
		}
		if _, err := w.costs.ImportPools(ctx, w.requester, strings.NewReader("period\n")); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("requester imports pools: %v", err)
		}
		if _, err := w.costs.Results(ctx, w.requester, "2026-03"); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("requester reads results: %v", err)
		}
		if _, err := w.costs.ServiceCosts(ctx, w.requester, "cloud-vm", "2026-03", 3); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("requester reads a service's costs: %v", err)
		}
		// The board reads but does not load.
		if _, err := w.costs.ListPools(ctx, w.board, "2026-03"); err != nil {
			t.Errorf("board lists pools: %v", err)
		}
		if _, err := w.costs.CreatePool(ctx, w.board, costs.PoolInput{}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("board creates a pool: %v", err)
		}

		// A service owner sees only the services they own.
		if _, err := w.costs.ListPools(ctx, w.vera, "2026-03"); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("a service owner lists pools: %v", err)
		}
		r, err := w.costs.Results(ctx, w.vera, "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range r.Services {
			names = append(names, s.Slug)
		}
		if strings.Join(names, ",") != "cloud-vm,physical-server" || !r.Partial || len(r.Pools) != 0 || len(r.Totals) != 0 || len(r.Comparisons) != 0 {
			t.Errorf("Vera's results: services %v, %d pools, partial=%v; want her two services only", names, len(r.Pools), r.Partial)
		}
		for _, o := range r.BelowCost {
			if o.ServiceSlug == "email" {
				t.Error("Vera sees that Omar's mailbox is below cost")
			}
		}
		if _, err := w.costs.ServiceCosts(ctx, w.vera, "email", "2026-03", 3); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("Vera reads Omar's E-mail costs: %v", err)
		}
		if _, err := w.costs.ServiceCosts(ctx, w.omar, "email", "2026-03", 3); err != nil {
			t.Errorf("Omar reads his own E-mail costs: %v", err)
		}

		// Deleting is audited and removes the shares.
		pools, _ := w.costs.ListPools(ctx, w.finance, "2026-03")
		if len(pools) != 4 {
			t.Fatalf("%d pools; want 4", len(pools))
		}
		if err := w.costs.DeletePool(ctx, w.finance, pools[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.costs.FindPool(ctx, w.finance, pools[0].ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Errorf("deleted pool found: %v", err)
		}
	})
}

func TestServiceCostsOverMonths(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		w.loadPools(t)
		sc, err := w.costs.ServiceCosts(ctx, w.vera, "cloud-vm", "", 3)
		if err != nil {
			t.Fatal(err)
		}
		// The latest period with pools or statements is March; three months end there.
		if sc.Period != "2026-03" || len(sc.Months) != 3 || sc.Months[0].Period != "2026-01" || sc.Months[2].Period != "2026-03" {
			t.Fatalf("months = %+v", sc.Months)
		}
		if len(sc.Months[0].Figures) != 0 {
			t.Errorf("January has figures %+v; nothing was billed or pooled", sc.Months[0].Figures)
		}
		march := sc.Months[2].Figures
		if len(march) != 1 || !march[0].Cost.Equal(dec("1145.30")) || !march[0].Charged.Equal(dec("785.81")) || !march[0].Recovery.Equal(dec("68.6")) {
			t.Errorf("March = %+v", march)
		}
		// Consumers: LAB 10 for the whole month, OPS 6 for 16 of 31 days.
		if len(sc.Consumers) != 2 {
			t.Fatalf("consumers = %+v", sc.Consumers)
		}
		lab, ops := sc.Consumers[0], sc.Consumers[1]
		if lab.DepartmentName != "LAB department" || !lab.Quantity.Equal(dec("10")) || len(lab.Charged) != 1 || !lab.Charged[0].Amount.Equal(dec("600")) {
			t.Errorf("LAB = %+v", lab)
		}
		if !ops.Quantity.Equal(dec("3.0967741935483871")) || !ops.Charged[0].Amount.Equal(dec("185.81")) { // 6 × 16 ÷ 31
			t.Errorf("OPS = %+v", ops)
		}
		if len(sc.Offerings) != 1 || !sc.Offerings[0].BelowCost {
			t.Errorf("offerings = %+v; want vm-medium below cost", sc.Offerings)
		}
		if _, err := w.costs.ServiceCosts(ctx, w.finance, "no-such-service", "", 3); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Errorf("unknown service: %v", err)
		}
	})
}

func TestImportPoolsFromCSV(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		bad := "period,category,name,amount,currency,allocation,services\n" +
			"2026-03,labour,Engineers,1200.00,EUR,percent,cloud-vm 50; physical-server 50\n" +
			"2026-03,marketing,Posters,10.00,EUR,,\n" +
			"2026-03,hardware,Racks,\"1,000.00\",EUR,none,\n" +
			"2026-03,software,Licences,99.00,EUR,percent,cloud-vm 60; email 30\n" +
			"2026-03,software,Backup,5.00,EUR,subscription-quantity,no-such-service\n"
		_, err := w.costs.ImportPools(ctx, w.finance, strings.NewReader(bad))
		var got []string
		for _, f := range engage.ErrorFields(err) {
			got = append(got, f.Field)
		}
		want := "line 3: category, line 4: amount, line 5: services, line 6: services"
		if engage.ErrorCode(err) != engage.EINVALID || strings.Join(got, ", ") != want {
			t.Fatalf("bad file = %v (%v); want errors on %s", err, got, want)
		}
		if pools, _ := w.costs.ListPools(ctx, w.finance, ""); len(pools) != 0 {
			t.Fatalf("a bad file wrote %d pools; want none (all or nothing)", len(pools))
		}

		good := "period,category,name,amount,currency,allocation,services\n" +
			"2026-03,labour,Engineers,1200.00,EUR,percent,cloud-vm 50%; physical-server 50\n" +
			"2026-03,External vendor,Carrier,80.00,eur,charged-amount,\n" +
			"2026-02,hardware,Racks,400,EUR,,\n"
		// Every field of the last line there but not its line break, which
		// every line before has: cut, maybe in a field (400 cut to 40).
		if _, err := w.costs.ImportPools(ctx, w.finance, strings.NewReader(strings.TrimSuffix(good, "\n"))); engage.ErrorCode(err) != engage.EINVALID ||
			len(engage.ErrorFields(err)) != 1 || engage.ErrorFields(err)[0].Field != "line 4" || !strings.Contains(engage.ErrorFields(err)[0].Message, "cut short") {
			t.Fatalf("a cut file = %v %v", err, engage.ErrorFields(err))
		}
		rep, err := w.costs.ImportPools(ctx, w.finance, strings.NewReader(good))
		if err != nil || rep.Rows != 3 || rep.Created != 3 || strings.Join(rep.Periods, ",") != "2026-02,2026-03" {
			t.Fatalf("good file = %+v, %v", rep, err)
		}
		rep, err = w.costs.ImportPools(ctx, w.finance, strings.NewReader(good))
		if err != nil || rep.Unchanged != 3 || rep.Created != 0 {
			t.Fatalf("same file again = %+v, %v; want 3 unchanged", rep, err)
		}
		changed := strings.Replace(good, "1200.00", "1300.00", 1)
		if rep, err = w.costs.ImportPools(ctx, w.finance, strings.NewReader(changed)); err != nil || rep.Updated != 1 || rep.Unchanged != 2 {
			t.Fatalf("changed file = %+v, %v; want 1 updated", rep, err)
		}
		pools, _ := w.costs.ListPools(ctx, w.finance, "2026-03")
		if len(pools) != 2 || pools[0].Category != "external-vendor" || pools[0].Currency != "EUR" || pools[0].Allocation.Method != costs.MethodChargedAmount {
			t.Fatalf("March pools = %+v", pools)
		}
		if eng := pools[1]; !eng.Amount.Equal(dec("1300")) || len(eng.Allocation.Targets) != 2 || !eng.Allocation.Targets[0].Percent.Equal(dec("50")) {
			t.Errorf("Engineers = %+v", eng)
		}
		// Exported, the pools read back as nothing to change.
		var out strings.Builder
		if err := w.costs.ExportPools(ctx, w.finance, "", &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "2026-03,labour,Engineers,1300,EUR,percent,cloud-vm 50; physical-server 50\n") {
			t.Errorf("export = %q", out.String())
		}
		if rep, err = w.costs.ImportPools(ctx, w.finance, strings.NewReader(out.String())); err != nil || rep.Unchanged != 3 {
			t.Errorf("re-importing the export = %+v, %v", rep, err)
		}
		// A header that is wrong is refused at line 1.
		_, err = w.costs.ImportPools(ctx, w.finance, strings.NewReader("period,name,cost\n"))
		if f := engage.ErrorFields(err); len(f) == 0 || f[0].Field != "line 1" {
			t.Errorf("bad header = %v", err)
		}
	})
}

func TestLoadDemoNeedsItsServices(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := setup(t, d)
		// Without the demo catalog, the demo pools cannot be allocated.
		err := costs.LoadDemo(context.Background(), w.costs, []string{"2026-03"})
		if err == nil || !strings.Contains(err.Error(), "physical-server") && !strings.Contains(err.Error(), "san-storage") {
			t.Errorf("LoadDemo without the demo catalog = %v; want refused naming a missing service", err)
		}
		if pools, _ := w.costs.ListPools(context.Background(), w.finance, "2026-03"); len(pools) != 0 {
			t.Errorf("LoadDemo left %d pools behind", len(pools))
		}
	})
}
