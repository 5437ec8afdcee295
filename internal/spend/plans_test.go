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
// charges of cloud bills through the index of those lines alone
// (spend_lines_focus) on both engines, not by walking millions of card
// lines.
func TestCloudShadowUsesItsIndex(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		months := []string{"2025-12", "2026-01", "2026-11"}
		{
			q, args := spend.CloudShadowQuery(months)
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
			if got := strings.Join(plan, " | "); !strings.Contains(got, "spend_lines_focus") {
				t.Errorf("the plan is %q; want it to use spend_lines_focus", got)
			}
		}
	})
}
