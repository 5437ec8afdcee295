package db_test

import (
	"context"
	"testing"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// A named lock held by one replica keeps others of the same schema out,
// and not those of another schema.
func TestNamedLocksAcrossReplicasAndSchemas(t *testing.T) {
	ctx := context.Background()
	dbs := dbtest.Replicas(t, "postgres", 2)
	elsewhere := dbtest.OpenPostgres(t)
	try := func(d *db.DB) bool {
		t.Helper()
		var ok bool
		if err := d.Transact(ctx, func(tx *db.Tx) error {
			var err error
			ok, err = db.TryLockTx(ctx, tx, db.LockStartup)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	err := dbs[0].WithLock(ctx, db.LockStartup, func() error {
		if try(dbs[1]) {
			t.Error("another replica took the lock while it was held")
		}
		if !try(elsewhere) {
			t.Error("a replica of another schema could not take the lock")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !try(dbs[1]) {
		t.Fatal("the lock was not let go")
	}
}
