package db

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// The helpers below are the small pieces every store needs to write its SQL
// once for both engines; they live here so that no product package keeps a
// copy of its own.

// Scanner is a *sql.Row or *sql.Rows: what a function reading one row
// scans it from.
type Scanner interface{ Scan(dest ...any) error }

// NullID is id as a query argument: SQL NULL for 0, which Engage's types
// use for "none" (no parent, no owner), and the id itself otherwise.
func NullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// TimePtr is a nullable time column as Engage's types hold it: nil for
// NULL, otherwise the time in UTC (PostgreSQL gives it in the session's
// zone).
func TimePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// Placeholders returns n placeholders, "?, ?, ?", for an IN list or one
// row of VALUES.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// ValueRows returns rows groups of width placeholders, "(?, ?), (?, ?)",
// for an INSERT of many rows at once.
func ValueRows(rows, width int) string {
	if rows <= 0 {
		return ""
	}
	one := "(" + Placeholders(width) + ")"
	return strings.Repeat(one+", ", rows-1) + one
}

// Args returns vs as query arguments, to go with Placeholders(len(vs)).
func Args[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// QueryIDs runs query and returns the first column of its rows, an id
// each. It reads every row before returning, so that the caller may run
// other statements on the same transaction afterwards.
func QueryIDs(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// RowsPerStatement bounds the rows InsertRows writes with one statement,
// well under both engines' limits on bound parameters (a row of 20
// columns makes 8,000).
const RowsPerStatement = 400

// InsertRows runs insert ("INSERT INTO t(a, b)") with the VALUES of rows,
// width columns each, and tail after them (an ON CONFLICT clause, or ""),
// in statements of at most RowsPerStatement rows: one round trip for many
// rows on both engines. No rows run nothing.
func InsertRows(ctx context.Context, q Querier, insert string, width int, rows [][]any, tail string) error {
	for start := 0; start < len(rows); start += RowsPerStatement {
		chunk := rows[start:min(start+RowsPerStatement, len(rows))]
		args := make([]any, 0, width*len(chunk))
		for _, r := range chunk {
			args = append(args, r...)
		}
		query := insert + " VALUES " + ValueRows(len(chunk), width)
		if tail != "" {
			query += " " + tail
		}
		if _, err := q.Exec(ctx, query, args...); err != nil {
			return err
		}
	}
	return nil
}
