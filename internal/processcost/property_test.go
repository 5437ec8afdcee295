package processcost_test

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/process"
)

// For random weights (summing below, at or above 100 % per service) and
// random statement lines (with and without a service, in EUR and JPY),
// each month's processes plus unclaimed equal the statements exactly, for
// everyone and for each department alone.
func TestProcessesPlusUnclaimedEqualTheStatements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		rng := rand.New(rand.NewSource(15))
		procs := []process.Entry{f.vs, f.take, f.check, f.ship}
		services := []int64{f.vm.ID, f.server.ID, f.mail.ID}
		finance := &access.Principal{Name: "finance", Roles: []access.Role{access.Finance}}
		for round := 0; round < 8; round++ {
			for _, svc := range services {
				for _, pr := range procs {
					if rng.Intn(3) == 0 {
						if err := f.procs.Unlink(ctx, sys, pr.ID, "service", svc); err != nil {
							t.Fatal(err)
						}
						continue
					}
					w := decimal.New(rng.Int63n(1000001), -4) // 0 to 100 with four places
					if _, err := f.procs.LinkService(ctx, sys, pr.ID, svc, w); err != nil {
						t.Fatal(err)
					}
				}
			}
			period := fmt.Sprintf("2025-%02d", round+1)
			addStatements(t, d, rng, period, []int64{f.lab, f.ops}, services)
			f.recomputed(t)
			want := map[int64]map[string]decimal.Decimal{0: {}}
			sts, err := (&billing.Service{DB: d}).Statements(ctx, finance, billing.StatementFilter{Period: period})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range sts {
				if want[st.DepartmentID] == nil {
					want[st.DepartmentID] = map[string]decimal.Decimal{}
				}
				want[st.DepartmentID][st.Currency] = want[st.DepartmentID][st.Currency].Add(st.Total)
				want[0][st.Currency] = want[0][st.Currency].Add(st.Total)
			}
			for dept, byCur := range want {
				p := finance
				if dept != 0 {
					p = &access.Principal{Name: "brm", BRMFor: []int64{dept}, Roles: []access.Role{access.BRM}}
				}
				m, err := f.svc.Map(ctx, p, period)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]decimal.Decimal{}
				for _, a := range m.Total.Charged {
					got[a.Currency] = a.Amount
				}
				// The top of the tree plus unclaimed, too.
				top := m.Unclaimed.Charged
				for _, a := range m.Of(f.vs.ID).Charged {
					top = append(top, a)
				}
				topSum := map[string]decimal.Decimal{}
				for _, a := range top {
					topSum[a.Currency] = topSum[a.Currency].Add(a.Amount)
				}
				for c, w := range byCur {
					if !got[c].Equal(w) || !topSum[c].Equal(w) {
						t.Errorf("round %d, department %d, %s: processes + unclaimed = %s (from the top: %s), statements %s", round, dept, c, got[c], topSum[c], w)
					}
				}
			}
		}
	})
}

// addStatements writes a month of statements with random lines, as a
// billing run would leave them.
func addStatements(t *testing.T, d *db.DB, rng *rand.Rand, period string, depts, services []int64) {
	t.Helper()
	ctx := context.Background()
	err := d.Transact(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO billing_periods(period, state) VALUES (?, 'open')", period); err != nil {
			return err
		}
		for _, dept := range depts {
			for _, currency := range []string{"EUR", "JPY"} {
				places := int32(2)
				if currency == "JPY" {
					places = 0
				}
				n := 1 + rng.Intn(8)
				total := decimal.Zero
				var id int64
				if err := tx.QueryRow(ctx, `INSERT INTO statements(period, department_id, currency, mode, total, generated_at, line_count)
					VALUES (?, ?, ?, 'chargeback', '0', ?, ?) RETURNING id`, period, dept, currency, time.Now(), n).Scan(&id); err != nil {
					return err
				}
				for i := 0; i < n; i++ {
					amount := decimal.New(rng.Int63n(2000000)-100000, -places)
					var svc any
					kind := "adjustment"
					if rng.Intn(5) > 0 {
						svc, kind = services[rng.Intn(len(services))], "subscription"
					}
					if _, err := tx.Exec(ctx, `INSERT INTO statement_lines(statement_id, position, kind, service_id, description, quantity, exact_amount, amount)
						VALUES (?, ?, ?, ?, 'line', '1', ?, ?)`, id, i+1, kind, svc, amount.String(), amount.String()); err != nil {
						return err
					}
					total = total.Add(amount)
				}
				if _, err := tx.Exec(ctx, "UPDATE statements SET total = ? WHERE id = ?", total.String(), id); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
