package cloudbill

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/engagehq/engage"
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

// closedPeriods returns the billing periods that are closed.
func closedPeriods(ctx context.Context, q db.Querier) (map[string]bool, error) {
	rows, err := q.Query(ctx, "SELECT period FROM billing_periods WHERE state = 'closed'")
	if err != nil {
		return nil, fmt.Errorf("reading billing periods: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out[p] = true
	}
	return out, rows.Err()
}

// requireOpen refuses a closed period. A period without a billing_periods
// row has not been closed, so it is open.
func requireOpen(ctx context.Context, q db.Querier, period string) error {
	var state string
	err := q.QueryRow(ctx, "SELECT state FROM billing_periods WHERE period = ?", period).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("reading billing period %s: %w", period, err)
	}
	if state == "closed" {
		return engage.Errorf(engage.ECONFLICT, "Period %s is closed and never changes; corrections are adjustments in an open period.", period)
	}
	return nil
}
