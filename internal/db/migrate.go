package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations
var migrations embed.FS

// GoMigration is a migration written in Go, for a change SQL alone cannot
// make the same on both engines (exact decimal sums on SQLite, a format
// only Go code knows). The package that owns the data writes it; the
// database runs it in the migration's transaction like an SQL one. Both
// directions are required: every migration is reversible.
type GoMigration struct {
	Version int64
	// Name is shown by `engage migrate status` after the version, as the
	// file name of an SQL migration is.
	Name     string
	Up, Down func(ctx context.Context, tx *Tx) error
}

// goVersions are the versions whose migration is written in Go by another
// package (10: cloudbill's cloud-charge batches). Migrating refuses to run
// without one of them, so that a program which forgot to pass it cannot
// leave a hole in a database's history.
var goVersions = []int64{10}

// gooseGoMigrations turns the Go migrations given to Open into goose's.
func (db *DB) gooseGoMigrations() ([]*goose.Migration, error) {
	given := map[int64]bool{}
	var out []*goose.Migration
	for _, m := range db.goMigs {
		if m.Up == nil || m.Down == nil {
			return nil, fmt.Errorf("migration %d (%s) must go both up and down", m.Version, m.Name)
		}
		if given[m.Version] {
			return nil, fmt.Errorf("migration %d is given twice", m.Version)
		}
		given[m.Version] = true
		up, down := m.Up, m.Down
		gm := goose.NewGoMigration(m.Version,
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
				return up(ctx, &Tx{tx: tx, dialect: db.Dialect, count: &db.txStatements})
			}},
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
				return down(ctx, &Tx{tx: tx, dialect: db.Dialect, count: &db.txStatements})
			}})
		// goose wants a name ending in .go that starts with the version.
		gm.Source = fmt.Sprintf("%05d_%s.go", m.Version, m.Name)
		out = append(out, gm)
	}
	for _, v := range goVersions {
		if !given[v] {
			return nil, fmt.Errorf("migration %d, written in Go, was not given to the database (db.Config.GoMigrations)", v)
		}
	}
	return out, nil
}

// MigrationState is one migration and whether it has been applied.
type MigrationState struct {
	Version int64
	Name    string
	Applied bool
}

func (db *DB) provider() (*goose.Provider, error) {
	dir := "migrations/sqlite"
	dialect := goose.DialectSQLite3
	goMigs, err := db.gooseGoMigrations()
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithGoMigrations(goMigs...)}
	if db.Dialect == Postgres {
		dir = "migrations/postgres"
		dialect = goose.DialectPostgres
		// Replicas starting together take turns: the first migrates, the
		// others wait and find nothing to do.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("creating migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(dialect, db.write, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("reading embedded migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and returns how many ran.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("applying migrations: %w", err)
	}
	for _, r := range results {
		db.logger.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return len(results), nil
}

// MigrateTo applies or reverts migrations until version is the last one
// applied. Engage itself only migrates up; this serves tests of a
// migration's effect on data written before it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if current > version {
		_, err = p.DownTo(ctx, version)
	} else {
		_, err = p.UpTo(ctx, version)
	}
	if err != nil {
		return fmt.Errorf("migrating to %d: %w", version, err)
	}
	return nil
}

// MigrationStatus lists every embedded migration and whether it is applied.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading migration status: %w", err)
	}
	out := make([]MigrationState, len(st))
	for i, s := range st {
		out[i] = MigrationState{Version: s.Source.Version, Name: s.Source.Path, Applied: s.State == goose.StateApplied}
	}
	return out, nil
}

// MigrationsCurrent reports whether every embedded migration is applied.
func (db *DB) MigrationsCurrent(ctx context.Context) (bool, error) {
	p, err := db.provider()
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("checking migrations: %w", err)
	}
	return !pending, nil
}
