package main

import (
	"context"

	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/schema"
)

// openNoMigrate opens the database without applying migrations, so that
// `migrate status` can show what is pending.
func openNoMigrate(ctx context.Context, cfg config.Config) (*db.DB, error) {
	return db.Open(ctx, db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, GoMigrations: schema.GoMigrations()})
}
