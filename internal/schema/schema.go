// Package schema lists the database migrations that Engage's packages
// write in Go, beside the SQL ones internal/db embeds. A package that owns
// some data writes the migrations of its format (cloudbill, in
// cloudbill/batchformat: the cloud-charge batches); every program that
// opens the database — the application and its commands, the tests, the
// benchmarks — passes this one list to db.Open, so that each migrates
// through the same history.
package schema

import (
	"slices"

	"github.com/engagehq/engage/internal/cloudbill/batchformat"
	"github.com/engagehq/engage/internal/db"
)

// GoMigrations returns every migration written in Go, for
// db.Config.GoMigrations.
func GoMigrations() []db.GoMigration {
	return slices.Concat(batchformat.Migrations())
}
