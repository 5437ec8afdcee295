package cloudbill

import (
	"context"
	"fmt"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

// parsePeriod reads a billing period, YYYY-MM (rating.ParsePeriod), as its
// first instant (UTC).
func parsePeriod(s string) (time.Time, error) {
	p, err := rating.ParsePeriod("period", s)
	return p.Start(), err
}

// appendPeriod appends the billing period (YYYY-MM, UTC) of t.
func appendPeriod(b []byte, t time.Time) []byte {
	y, m, _ := t.UTC().Date()
	return fmt.Appendf(b, "%04d-%02d", y, int(m))
}

// closedPeriods returns the billing periods that are closed (billing's).
func closedPeriods(ctx context.Context, q db.Querier) (map[string]bool, error) {
	return billing.ClosedPeriods(ctx, q)
}

// requireOpen refuses a closed period. A period billing has not billed has
// not been closed, so it is open.
func requireOpen(ctx context.Context, q db.Querier, period string) error {
	state, err := billing.PeriodState(ctx, q, period)
	if err != nil {
		return err
	}
	if state == "closed" {
		return engage.Errorf(engage.ECONFLICT, "Period %s is closed and never changes; corrections are adjustments in an open period.", period)
	}
	return nil
}
