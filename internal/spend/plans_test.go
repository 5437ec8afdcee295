package spend_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/spend"
)

// TestCloudShadowUsesItsIndex: the shadow-spend page reads the SaaS
// charges of cloud bills, and the vendors billed through IT's cloud
// account, through indexes of those lines alone on both engines, not by
// walking millions of card lines.
func TestCloudShadowUsesItsIndex(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		months := []string{"2025-12", "2026-01", "2026-11"}
		shadowQuery, shadowArgs := spend.CloudShadowQuery(months)
		for _, c := range []struct {
			q    string
			args []any
		}{{shadowQuery, shadowArgs}, {spend.CloudSanctionsQuery, nil}} {
			q, args := c.q, c.args
			var plan []string
			err := d.Transact(ctx, func(tx *db.Tx) error {
				explain := "EXPLAIN QUERY PLAN "
				if d.Dialect == db.Postgres {
					// An empty table is cheapest to scan whole: say
					// otherwise, as millions of lines do.
					if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
						return err
					}
					explain = "EXPLAIN "
				}
				rows, err := tx.Query(ctx, explain+q, args...)
				if err != nil {
					return err
				}
				all, err := dbtest.RowValues(rows)
				for _, vals := range all {
					for _, v := range vals {
						if b, ok := v.([]byte); ok {
							v = string(b)
						}
						plan = append(plan, fmt.Sprint(v))
					}
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(plan, " | "); !strings.Contains(got, "spend_lines_focus") && !strings.Contains(got, "spend_lines_billed_by") {
				t.Errorf("the plan of %s is %q; want it to use an index of the SaaS charges", q, got)
			}
		}
	})
}
