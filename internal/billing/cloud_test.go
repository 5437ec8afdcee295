package billing_test

import (
	"context"
	"slices"
	"testing"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// fixedCloud is a cloud source that returns its totals as given.
type fixedCloud []billing.CloudTotal

func (c fixedCloud) AllocatedTotals(context.Context, db.Querier, string) ([]billing.CloudTotal, error) {
	return slices.Clone(c), nil
}

// The billing run states its own rules over cloud charges, whatever its
// source does: charges no rule allocated are never billed, and the lines
// come in the same order however the source orders them.
func TestCloudChargesBilledByBillingRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		totals := fixedCloud{
			{DepartmentID: w.lab.ID, Currency: "EUR", Provider: "Zeta", ServiceName: "Storage", Amount: dec("3.50"), Rows: 2},
			{DepartmentID: 0, Currency: "EUR", Provider: "Acme", ServiceName: "Compute", Amount: dec("1000"), Rows: 9},
			{DepartmentID: w.lab.ID, Currency: "EUR", Provider: "Acme", ServiceName: "Network", Amount: dec("1.25"), Rows: 1},
			{DepartmentID: w.lab.ID, Currency: "EUR", Provider: "Acme", ServiceName: "Compute", Amount: dec("10.00"), Rows: 4},
		}
		// run bills March with src as the cloud source (none when nil) and
		// returns the statement's total and its cloud lines.
		run := func(src billing.CloudSource) (total string, cloud []string) {
			t.Helper()
			b := *w.b
			b.Cloud = src
			if _, err := b.Run(ctx, w.finance, "2026-03"); err != nil {
				t.Fatal(err)
			}
			list, err := b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-03"})
			if err != nil || len(list) != 1 || list[0].DepartmentID != w.lab.ID {
				t.Fatalf("statements = %+v, %v: unallocated charges made a statement", list, err)
			}
			st, err := b.Statement(ctx, w.finance, list[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range st.Lines {
				if l.Kind == "cloud" {
					cloud = append(cloud, l.Source+" "+l.Amount.String())
				}
			}
			return st.Total.String(), cloud
		}
		base, _ := run(nil)
		// Only the allocated 14.75 is added, never the unallocated 1000.
		wantTotal := dec(base).Add(dec("14.75")).String()
		want := []string{"cloud:Acme:Compute 10", "cloud:Acme:Network 1.25", "cloud:Zeta:Storage 3.5"}
		reversed := slices.Clone(totals)
		slices.Reverse(reversed)
		for _, src := range []fixedCloud{totals, reversed} {
			total, lines := run(src)
			if total != wantTotal || !slices.Equal(lines, want) {
				t.Fatalf("source %v: total %s, cloud lines %q; want %s, %q", src, total, lines, wantTotal, want)
			}
		}
	})
}
