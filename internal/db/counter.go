package db

import (
	"context"
	"fmt"
)

// NextNumber returns the next value of a yearly counter — the 42 of
// Q-2026-000042 — inside the caller's transaction, so that a rolled-back
// request does not use up a number. Starting a counter and advancing it are
// one statement: two transactions taking the first number of a year at once
// (on PostgreSQL, where they run side by side) get 1 and 2, and neither fails
// on the other's new row.
func NextNumber(ctx context.Context, tx Querier, name string, year int) (int64, error) {
	var n int64
	err := tx.QueryRow(ctx, `INSERT INTO counters(name, year, value) VALUES (?, ?, 1)
		ON CONFLICT (name, year) DO UPDATE SET value = counters.value + 1 RETURNING value`, name, year).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("advancing counter %s: %w", name, err)
	}
	return n, nil
}
