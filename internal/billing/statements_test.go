package billing_test

import (
	"context"
	"testing"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

// TestStatementIdentity: a statement is one department × period × currency
// for life. Reruns keep its id and record its totals; one a rerun leaves
// without lines is kept with a zero total; a new one never takes an id
// used before.
func TestStatementIdentity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d) // now: 2 April 2026
		o := &org.Service{DB: d, Clock: w.clock}
		ops, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "OPS", Name: "Operations", BillingMode: "showback"})
		if err != nil {
			t.Fatal(err)
		}
		run := func() map[string]billing.Statement {
			t.Helper()
			if _, err := w.b.Run(ctx, w.finance, "2026-04"); err != nil {
				t.Fatal(err)
			}
			list, err := w.b.Statements(ctx, w.finance, billing.StatementFilter{Period: "2026-04"})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]billing.Statement{}
			for _, st := range list {
				out[st.CostCentre+" "+st.Currency] = st
			}
			return out
		}
		// March's statement is made first, so that April's ids are not the
		// lowest.
		if _, err := w.b.Run(ctx, w.finance, "2026-03"); err != nil {
			t.Fatal(err)
		}
		opsUsage := usage("ops-1", "2026-04-01T10:00:00Z", "50")
		opsUsage.Department = "OPS"
		if rep, err := w.b.Ingest(ctx, w.finance, []billing.UsageInput{opsUsage}, billing.IngestOptions{AcceptPartial: true}); err != nil || rep.Accepted != 1 {
			t.Fatalf("ingest = %+v, %v", rep, err)
		}
		first := run()
		lab, opsSt := first["LAB EUR"], first["OPS EUR"]
		if len(first) != 2 || lab.ID == 0 || opsSt.ID == 0 || !opsSt.Total.Equal(dec("5.00")) {
			t.Fatalf("first run = %+v", first)
		}
		maxID := max(lab.ID, opsSt.ID)

		// OPS's usage goes (as when charges are allocated elsewhere) and LAB
		// gets a charge in another currency.
		if _, err := d.Exec(ctx, "DELETE FROM usage_totals WHERE department_id = ?", ops.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.b.Adjust(ctx, w.finance, billing.AdjustmentInput{DepartmentID: w.lab.ID, Amount: dec("12"), Currency: "USD", Reason: "US licence"}); err != nil {
			t.Fatal(err)
		}
		second := run()
		if second["LAB EUR"].ID != lab.ID || second["OPS EUR"].ID != opsSt.ID {
			t.Fatalf("ids changed by a rerun: %d → %d, %d → %d", lab.ID, second["LAB EUR"].ID, opsSt.ID, second["OPS EUR"].ID)
		}
		if st := second["OPS EUR"]; !st.Total.IsZero() || st.LineCount != 0 {
			t.Fatalf("OPS's statement without charges = %+v", st)
		}
		if usd := second["LAB USD"]; usd.ID <= maxID || !usd.Total.Equal(dec("12")) {
			t.Fatalf("the new statement %+v takes an id at most %d, used before", usd, maxID)
		}
		third := run()
		for k, st := range second {
			if third[k].ID != st.ID {
				t.Fatalf("%s: id %d → %d", k, st.ID, third[k].ID)
			}
		}
		full, err := w.b.Statement(ctx, w.finance, opsSt.ID)
		if err != nil || len(full.History) != 3 || !full.History[0].Total.Equal(dec("5.00")) || !full.History[1].Total.IsZero() ||
			full.History[1].LineCount != 0 || len(full.Lines) != 0 {
			t.Fatalf("OPS's statement = %+v, %v", full, err)
		}
		labFull, err := w.b.Statement(ctx, w.finance, lab.ID)
		if err != nil || len(labFull.History) != 3 || !labFull.History[2].Total.Equal(labFull.Total) || labFull.LineCount != len(labFull.Lines) {
			t.Fatalf("LAB's statement = %+v, %v", labFull, err)
		}
	})
}
