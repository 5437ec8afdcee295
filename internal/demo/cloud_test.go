package demo_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/demo"
)

// cloudSums adds up the demo bill's EffectiveCost per sub-account for one
// period, reading the CSV independently of the FOCUS reader.
func cloudSums(t *testing.T, bill []byte, period string) (map[string]decimal.Decimal, int) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(bill)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	sums, rows := map[string]decimal.Decimal{}, 0
	for _, r := range recs[1:] {
		start, err := time.Parse(time.RFC3339, r[col["ChargePeriodStart"]])
		if err != nil {
			t.Fatal(err)
		}
		if billing.PeriodOf(start) != period {
			continue
		}
		rows++
		acct := r[col["SubAccountId"]]
		sums[acct] = sums[acct].Add(decimal.RequireFromString(r[col["EffectiveCost"]]))
	}
	return sums, rows
}

// TestDemoCloudBillAndCostPools loads the whole demo and checks that its
// cloud bill reached the statements through the rules: every euro of the
// previous month is on a department's statement or in the unallocated
// bucket, the clinical account and its share of the data lake are on the
// clinical statement, the sandbox is unallocated; and that cost pools give
// services a cost to recover.
func TestDemoCloudBillAndCostPools(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		if err := demo.LoadCosts(ctx, e.DB, e.Billing, e.CloudBill, e.Costs); err != nil {
			t.Fatal(err)
		}
		sys := access.System("test")
		now := e.Clock.Now()
		prev := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
		period := billing.PeriodOf(prev)
		bill, err := demo.CloudBill([]time.Time{prev, prev.AddDate(0, 1, 0)}, now)
		if err != nil {
			t.Fatal(err)
		}
		sums, rows := cloudSums(t, bill, period)
		if rows != 12*prev.AddDate(0, 1, -1).Day() {
			t.Fatalf("the demo bill has %d rows for %s; want 12 a day", rows, period)
		}

		imports, _, err := e.CloudBill.ListImports(ctx, sys, "", 10)
		if err != nil || len(imports) != 1 || imports[0].FileName != demo.DemoCloudFile || imports[0].Rejected != 0 {
			t.Fatalf("imports = %+v, %v; want the one demo file with nothing rejected", imports, err)
		}

		// Statements: cloud lines per department.
		stmts, err := e.Billing.Statements(ctx, sys, billing.StatementFilter{Period: period})
		if err != nil {
			t.Fatal(err)
		}
		cloud := map[string]decimal.Decimal{}
		total := decimal.Zero
		for _, st := range stmts {
			full, err := e.Billing.Statement(ctx, sys, st.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range full.Lines {
				if l.Kind == "cloud" {
					cloud[st.CostCentre] = cloud[st.CostCentre].Add(l.Amount)
					total = total.Add(l.Amount)
				}
			}
		}
		unallocated, err := e.CloudBill.Unallocated(ctx, sys, period)
		if err != nil {
			t.Fatal(err)
		}
		un := decimal.Zero
		for _, u := range unallocated {
			un = un.Add(u.Amount)
		}
		const sandbox, clinical, lake = "724681357902", "210987654321", "318273645501"
		if !un.Round(2).Equal(sums[sandbox].Round(2)) {
			t.Errorf("unallocated = %s; want the sandbox account's %s", un, sums[sandbox])
		}
		all := decimal.Zero
		for _, s := range sums {
			all = all.Add(s)
		}
		// Statement lines are rounded to the cent each; allow a cent a line.
		if diff := total.Add(un).Sub(all).Abs(); diff.GreaterThan(decimal.RequireFromString("0.50")) {
			t.Errorf("cloud lines %s + unallocated %s = %s; the bill's %s is %s", total, un, total.Add(un), period, all)
		}
		// CLIN also carries its headcount's share of the network hub.
		var clinPeople, allPeople int64
		if err := e.DB.QueryRow(ctx, `SELECT COUNT(CASE WHEN d.code = 'CLIN' THEN 1 END), COUNT(*) FROM people p
			JOIN departments d ON d.id = p.department_id WHERE p.active = ?`, true).Scan(&clinPeople, &allPeople); err != nil {
			t.Fatal(err)
		}
		network := sums["402938475610"].Mul(decimal.NewFromInt(clinPeople)).Div(decimal.NewFromInt(allPeople))
		wantClin := sums[clinical].Add(sums[lake].Mul(decimal.RequireFromString("0.2"))).Add(network)
		if d := cloud["CLIN"].Sub(wantClin).Abs(); d.GreaterThan(decimal.RequireFromString("0.05")) {
			t.Errorf("CLIN's cloud lines = %s; want the clinical account, 20%% of the data lake and its headcount's share of the network = %s", cloud["CLIN"], wantClin.Round(2))
		}
		for _, code := range []string{"BIO", "CHEM", "MKT", "SALES", "HR"} {
			if !cloud[code].IsPositive() {
				t.Errorf("%s has no cloud charges on its %s statement; cloud = %v", code, period, cloud)
			}
		}

		// Cost pools for every month, with recovery figures.
		res, err := e.Costs.Results(ctx, sys, period)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Pools) != 9 || len(res.Services) == 0 || len(res.Comparisons) == 0 {
			t.Errorf("%s has %d cost pools, %d services with recovery, %d legacy-cloud comparisons; want the demo's nine pools and some of each",
				period, len(res.Pools), len(res.Services), len(res.Comparisons))
		}
	})
}
