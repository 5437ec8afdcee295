// Package dbtest gives tests a fresh, migrated database on each engine.
//
// SQLite lives in t.TempDir(). PostgreSQL comes from ENGAGE_TEST_DATABASE_URL
// (the test script starts a throwaway cluster and sets it); every test gets a
// schema of its own, dropped afterwards. When the variable is missing the
// PostgreSQL half fails if CI=true and is skipped, with a message, otherwise.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/schema"
)

// EnvURL names the variable holding the PostgreSQL URL used by tests.
const EnvURL = "ENGAGE_TEST_DATABASE_URL"

// Engine is one database engine to run a test on.
type Engine struct {
	Name string
	Open func(t testing.TB) *db.DB
}

// Engines lists SQLite and PostgreSQL.
func Engines() []Engine {
	return []Engine{{"sqlite", OpenSQLite}, {"postgres", OpenPostgres}}
}

// Each runs fn as a subtest on every engine with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open(t)) })
	}
}

// OpenSQLite returns a migrated SQLite database in a temporary directory.
func OpenSQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Config{DataDir: t.TempDir(), GoMigrations: schema.GoMigrations()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// PostgresURL returns a URL for a new, empty schema of its own, dropped when
// the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: PostgreSQL tests must run in CI (use ./scripts/test)", EnvURL)
		}
		t.Skipf("%s is not set: skipping the PostgreSQL half on this machine (./scripts/test starts a cluster)", EnvURL)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	schema := "t_" + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("creating test schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenPostgres returns a migrated PostgreSQL database in a schema of its own.
func OpenPostgres(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), db.Config{URL: PostgresURL(t), GoMigrations: schema.GoMigrations()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// EachReplicated runs fn as a subtest on every engine with one fresh
// database opened as n pools (see Replicas).
func EachReplicated(t *testing.T, n int, fn func(t *testing.T, dbs []*db.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, Replicas(t, e.Name, n)) })
	}
}

// Replicas opens one fresh, migrated database as n separate pools, like n
// replicas of Engage sharing it: on PostgreSQL n pools on one schema; on
// SQLite a single one (one process owns its file), whatever n.
func Replicas(t testing.TB, engine string, n int) []*db.DB {
	t.Helper()
	if engine == "sqlite" {
		return []*db.DB{OpenSQLite(t)}
	}
	url := PostgresURL(t)
	out := make([]*db.DB, n)
	for i := range out {
		d, err := db.Open(context.Background(), db.Config{URL: url, GoMigrations: schema.GoMigrations()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if i == 0 {
			if _, err := d.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		out[i] = d
	}
	return out
}

// AtOnce runs fn(0) … fn(n-1) in goroutines released together, as
// concurrent requests arrive, and waits for them all.
func AtOnce(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// RowValues reads every row of rows as its columns' values (text as
// []byte where the driver gives it so), and closes rows.
func RowValues(rows *sql.Rows) ([][]any, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
