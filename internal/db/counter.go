package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// NextNumber returns the next value of a yearly counter — the 42 of
// Q-2026-000042 — inside the caller's transaction, so that a rolled-back
// request does not use up a number.
func NextNumber(ctx context.Context, tx Querier, name string, year int) (int64, error) {
	var n int64
	err := tx.QueryRow(ctx, "UPDATE counters SET value = value + 1 WHERE name = ? AND year = ? RETURNING value", name, year).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.Exec(ctx, "INSERT INTO counters(name, year, value) VALUES (?, ?, 1)", name, year); err != nil {
			return 0, fmt.Errorf("starting counter %s: %w", name, err)
		}
		return 1, nil
	} else if err != nil {
		return 0, fmt.Errorf("advancing counter %s: %w", name, err)
	}
	return n, nil
}
