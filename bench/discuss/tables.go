package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/engagehq/engage/internal/db"
)

// tableReads are PostgreSQL's counts of reads of each table of the
// benchmark's schema (pg_stat_user_tables): scans through an index, whole
// scans, and the rows they returned. Their difference over a scenario,
// divided by its requests, says how many queries each request makes of
// each table and how many rows they read.
type tableReads map[string][3]int64

func readTables(ctx context.Context, d *db.DB) (tableReads, error) {
	// Counts reach the statistics within a second of a transaction's end.
	time.Sleep(1500 * time.Millisecond)
	rows, err := d.Query(ctx, `SELECT relname, COALESCE(idx_scan, 0), seq_scan, COALESCE(idx_tup_fetch, 0) + seq_tup_read
		FROM pg_stat_user_tables WHERE schemaname = current_schema()`)
	if err != nil {
		return nil, fmt.Errorf("reading table statistics: %w", err)
	}
	defer rows.Close()
	out := tableReads{}
	for rows.Next() {
		var name string
		var v [3]int64
		if err := rows.Scan(&name, &v[0], &v[1], &v[2]); err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, rows.Err()
}

// printTables prints, per request, the scans and rows read of each table
// read during a scenario, the most scanned first.
func printTables(before, after tableReads, requests int) {
	type line struct {
		name            string
		idx, seq, tuple float64
	}
	var lines []line
	for name, a := range after {
		b := before[name]
		if a == b {
			continue
		}
		n := float64(max(requests, 1))
		lines = append(lines, line{name, float64(a[0]-b[0]) / n, float64(a[1]-b[1]) / n, float64(a[2]-b[2]) / n})
	}
	slices.SortFunc(lines, func(x, y line) int { return cmp.Compare(y.idx+y.seq, x.idx+x.seq) })
	fmt.Println("  per request: table, index scans, whole-table scans, rows read")
	for _, l := range lines {
		fmt.Printf("    %-32s %6.2f %6.2f %9.1f\n", l.name, l.idx, l.seq, l.tuple)
	}
}
