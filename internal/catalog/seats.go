package catalog

import (
	"context"

	"github.com/engagehq/engage/internal/db"
)

// SeatOfferings returns the offerings priced per person and month (by any of their rate plans) — the
// seats a department's people use — by id, for measuring adoption per head.
// It reads through q and checks no access: the caller does.
func SeatOfferings(ctx context.Context, q db.Querier) ([]int64, error) {
	return db.QueryIDs(ctx, q, "SELECT DISTINCT offering_id FROM rate_plans WHERE unit = 'person-month' ORDER BY offering_id")
}
