package db_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

func TestPlaceholders(t *testing.T) {
	for n, want := range []string{"", "?", "?, ?", "?, ?, ?"} {
		if got := db.Placeholders(n); got != want {
			t.Errorf("Placeholders(%d) = %q; want %q", n, got, want)
		}
	}
	for _, c := range []struct {
		rows, width int
		want        string
	}{{0, 2, ""}, {1, 1, "(?)"}, {2, 3, "(?, ?, ?), (?, ?, ?)"}} {
		if got := db.ValueRows(c.rows, c.width); got != c.want {
			t.Errorf("ValueRows(%d, %d) = %q; want %q", c.rows, c.width, got, c.want)
		}
	}
}

// The store helpers write and read the same on both engines: rows inserted
// at once, 0 stored as NULL, an IN list of ids, ids read back in order, a
// nullable time in UTC.
func TestStoreHelpers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		timeType := "TIMESTAMP"
		if d.Dialect == db.Postgres {
			timeType = "TIMESTAMPTZ"
		}
		if _, err := d.Exec(ctx, "CREATE TABLE kit (id BIGINT PRIMARY KEY, parent_id BIGINT, at "+timeType+")"); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 16, 10, 0, 0, 0, time.FixedZone("CET", 3600))
		if _, err := d.Exec(ctx, "INSERT INTO kit(id, parent_id, at) VALUES "+db.ValueRows(3, 3),
			1, db.NullID(0), at, 2, db.NullID(1), nil, 3, db.NullID(1), at); err != nil {
			t.Fatal(err)
		}
		ids, err := db.QueryIDs(ctx, d, "SELECT id FROM kit WHERE parent_id IS NULL")
		if err != nil || !slices.Equal(ids, []int64{1}) {
			t.Fatalf("ids without a parent = %v, %v; want [1]", ids, err)
		}
		ids, err = db.QueryIDs(ctx, d, "SELECT id FROM kit WHERE id IN ("+db.Placeholders(2)+") ORDER BY id DESC", db.Args([]int64{1, 3})...)
		if err != nil || !slices.Equal(ids, []int64{3, 1}) {
			t.Fatalf("ids of 1 and 3 = %v, %v; want [3 1]", ids, err)
		}
		if ids, err := db.QueryIDs(ctx, d, "SELECT id FROM kit WHERE id > ?", 10); err != nil || len(ids) != 0 {
			t.Fatalf("no ids = %v, %v", ids, err)
		}
		if _, err := db.QueryIDs(ctx, d, "SELECT id FROM nowhere"); err == nil {
			t.Fatal("a failing query gave no error")
		}
		// In a transaction every id is read before the next statement.
		err = d.Transact(ctx, func(tx *db.Tx) error {
			ids, err := db.QueryIDs(ctx, tx, "SELECT id FROM kit ORDER BY id")
			if err != nil {
				return err
			}
			for _, id := range ids {
				if _, err := tx.Exec(ctx, "UPDATE kit SET parent_id = ? WHERE id = ?", db.NullID(id-1), id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64]*time.Time{1: &at, 2: nil} {
			var got sql.NullTime
			if err := d.QueryRow(ctx, "SELECT at FROM kit WHERE id = ?", id).Scan(&got); err != nil {
				t.Fatal(err)
			}
			p := db.TimePtr(got)
			switch {
			case want == nil && p != nil:
				t.Errorf("time of %d = %v; want nil", id, p)
			case want != nil && (p == nil || !p.Equal(*want) || p.Location() != time.UTC):
				t.Errorf("time of %d = %v; want %v in UTC", id, p, want.UTC())
			}
		}
	})
}

// A BulkWrite transaction has SQLite's bulk settings on its connection and
// leaves the defaults behind; Holding keeps other replicas out of the named
// lock until the transaction ends.
func TestTransactOptions(t *testing.T) {
	dbtest.EachReplicated(t, 2, func(t *testing.T, dbs []*db.DB) {
		ctx := context.Background()
		d := dbs[0]
		pragma := func(q interface {
			QueryRowContext(context.Context, string, ...any) *sql.Row
		}, name string) int {
			t.Helper()
			var v int
			if err := q.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		err := d.TransactOnce(ctx, func(tx *db.Tx) error {
			if d.Dialect == db.SQLite {
				var cache, temp int
				if err := tx.QueryRow(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
					return err
				}
				if err := tx.QueryRow(ctx, "PRAGMA temp_store").Scan(&temp); err != nil {
					return err
				}
				if cache != -16384 || temp != 2 {
					t.Errorf("in a bulk write: cache_size %d, temp_store %d; want -16384, 2 (memory)", cache, temp)
				}
				return nil
			}
			return dbs[1].Transact(ctx, func(other *db.Tx) error {
				if ok, err := db.TryLockTx(ctx, other, db.LockCloudImport); err != nil || ok {
					t.Errorf("another replica took the held lock: %v, %v", ok, err)
				}
				return nil
			})
		}, db.BulkWrite(), db.Holding(db.LockCloudImport))
		if err != nil {
			t.Fatal(err)
		}
		if d.Dialect == db.SQLite {
			if cache, temp := pragma(d.SQL(), "cache_size"), pragma(d.SQL(), "temp_store"); cache != -2000 || temp != 0 {
				t.Errorf("after a bulk write: cache_size %d, temp_store %d; want the defaults -2000, 0", cache, temp)
			}
			return
		}
		err = dbs[1].Transact(ctx, func(other *db.Tx) error {
			if ok, err := db.TryLockTx(ctx, other, db.LockCloudImport); err != nil || !ok {
				t.Errorf("the lock was not let go: %v, %v", ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestInsertRows: rows beyond one statement's worth are all written, and
// the tail (an ON CONFLICT clause) applies to each statement.
func TestInsertRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Exec(ctx, "CREATE TABLE kit_rows (id BIGINT PRIMARY KEY, n INTEGER NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		rows := make([][]any, 0, db.RowsPerStatement+50)
		for i := range db.RowsPerStatement + 50 {
			rows = append(rows, []any{i % (db.RowsPerStatement + 10), 1})
		}
		before := d.Statements()
		if err := d.Transact(ctx, func(tx *db.Tx) error {
			return db.InsertRows(ctx, tx, "INSERT INTO kit_rows(id, n)", 2, rows, "ON CONFLICT (id) DO UPDATE SET n = kit_rows.n + excluded.n")
		}); err != nil {
			t.Fatal(err)
		}
		if n := d.Statements() - before; n != 2 {
			t.Errorf("%d statements, want 2", n)
		}
		var count, sum int
		if err := d.QueryRow(ctx, "SELECT COUNT(*), SUM(n) FROM kit_rows").Scan(&count, &sum); err != nil || count != db.RowsPerStatement+10 || sum != len(rows) {
			t.Errorf("%d rows summing to %d (%v), want %d and %d", count, sum, err, db.RowsPerStatement+10, len(rows))
		}
		if err := db.InsertRows(ctx, d, "INSERT INTO kit_rows(id, n)", 2, nil, ""); err != nil {
			t.Errorf("no rows: %v", err)
		}
	})
}
