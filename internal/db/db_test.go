package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

func TestRebind(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"SELECT '?' , ? FROM t", "SELECT '?' , $1 FROM t"},
		{`SELECT "a?" , ?`, `SELECT "a?" , $1`},
	}
	for _, c := range cases {
		if got := db.Postgres.Rebind(c.in); got != c.want {
			t.Errorf("Rebind(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := db.SQLite.Rebind(c.in); got != c.in {
			t.Errorf("SQLite Rebind changed %q to %q", c.in, got)
		}
	}
}

func TestMigrateAndTransact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		current, err := d.MigrationsCurrent(ctx)
		if err != nil || !current {
			t.Fatalf("migrations current = %v, %v; want true", current, err)
		}
		// Migrating again does nothing.
		if n, err := d.Migrate(ctx); err != nil || n != 0 {
			t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
		}
		// A failing transaction leaves nothing behind.
		boom := errors.New("boom")
		err = d.Transact(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO settings(key, value) VALUES (?, ?)", "k", "v"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Transact error = %v, want boom", err)
		}
		var n int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM settings").Scan(&n); err != nil || n != 0 {
			t.Fatalf("settings rows after rollback = %d, %v; want 0", n, err)
		}
		// Unique violations are recognised on both engines.
		_, err = d.Exec(ctx, "INSERT INTO settings(key, value) VALUES (?, ?)", "k", "v")
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.Exec(ctx, "INSERT INTO settings(key, value) VALUES (?, ?)", "k", "w")
		if !db.IsUniqueViolation(err) {
			t.Fatalf("duplicate key error = %v, want a unique violation", err)
		}
		// The audit log refuses changes.
		_, err = d.Exec(ctx, `INSERT INTO audit_events(at, actor_name, action, entity_type, entity_id) VALUES (CURRENT_TIMESTAMP, 'x', 'a', 'e', '1')`)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "UPDATE audit_events SET action = 'b'"); err == nil {
			t.Fatal("updating an audit event succeeded; want refusal")
		}
		if _, err := d.Exec(ctx, "DELETE FROM audit_events"); err == nil {
			t.Fatal("deleting an audit event succeeded; want refusal")
		}
	})
}

// TestReadsSeeWrites: reads run again (on SQLite, prepared once per reader
// connection) see what was written since, and a bad query still reports
// its error.
func TestReadsSeeWrites(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Exec(ctx, "CREATE TABLE read_check (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			if _, err := d.Exec(ctx, "INSERT INTO read_check (id, name) VALUES (?, ?)", i, "n"); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM read_check WHERE name = ?", "n").Scan(&n); err != nil || n != i {
				t.Fatalf("count after %d inserts = %d, %v", i, n, err)
			}
			rows, err := d.Query(ctx, "SELECT id FROM read_check WHERE id <= ? ORDER BY id", i)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int
			for rows.Next() {
				var id int
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			rows.Close()
			if len(ids) != i || ids[i-1] != i {
				t.Fatalf("ids after %d inserts = %v", i, ids)
			}
		}
		if err := d.QueryRow(ctx, "SELECT nothing FROM no_such_table").Scan(new(int)); err == nil {
			t.Fatal("a query on a missing table succeeded")
		}
	})
}

// A program that opens the database without the migrations written in Go
// cannot migrate it, nor take it for current: it would leave a hole in the
// database's history.
func TestMigrateRefusesWithoutGoMigrations(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			cfg := db.Config{DataDir: t.TempDir()}
			if e.Name == "postgres" {
				cfg = db.Config{URL: dbtest.PostgresURL(t)}
			}
			d, err := db.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := d.Migrate(ctx); err == nil || !strings.Contains(err.Error(), "migration 10") {
				t.Fatalf("Migrate without the Go migrations = %v; want an error naming migration 10", err)
			}
			if _, err := d.MigrationsCurrent(ctx); err == nil {
				t.Fatal("MigrationsCurrent without the Go migrations gave no error")
			}
			var n int
			if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM departments").Scan(&n); err == nil {
				t.Fatal("a table was created")
			}
		})
	}
}
