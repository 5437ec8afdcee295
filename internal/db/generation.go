package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// BumpGeneration adds one to the counter kept in the settings table under
// key, creating it at 1. An area that keeps an in-memory snapshot bumps its
// counter in the same transaction as every write, and rebuilds the snapshot
// when the counter it reads has moved.
func BumpGeneration(ctx context.Context, tx Querier, key string) error {
	res, err := tx.Exec(ctx, "UPDATE settings SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = ?", key)
	if err != nil {
		return fmt.Errorf("marking %s changed: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.Exec(ctx, "INSERT INTO settings(key, value) VALUES (?, '1')", key); err != nil {
			return fmt.Errorf("marking %s changed: %w", key, err)
		}
	}
	return nil
}

// Generation reads the counter kept under key: 0 before the first bump.
func Generation(ctx context.Context, q Querier, key string) (int64, error) {
	var v string
	err := q.QueryRow(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("reading %s: %w", key, err)
	}
	return strconv.ParseInt(v, 10, 64)
}
