package db

import (
	"context"
	"fmt"
	"hash/fnv"
)

// Lock names work that one replica at a time may do. On PostgreSQL it is an
// advisory lock scoped to the schema Engage lives in (two installations in
// one database do not wait for each other); on SQLite the single writer
// already serialises writes, and one process serves a data directory.
type Lock int32

// The named locks. Their values are part of the key PostgreSQL sees; they
// must stay distinct.
const (
	// LockStartup is held while a replica migrates and loads demo data,
	// so that replicas starting together take turns and none serves a
	// half-loaded database.
	LockStartup Lock = 1001
	// LockBillingSchedule is held while a replica decides whether the
	// scheduled billing run is due and runs it.
	LockBillingSchedule Lock = 1002
	// LockSignIn is held while a sign-in attempt is counted and reserved.
	LockSignIn Lock = 1003
	// LockBillingRun is held by a billing run, a period's closing and
	// late usage, so that they rate one state of the month.
	LockBillingRun Lock = 1004
	// LockCloudImport is held by cloud-bill imports and reallocations,
	// which take turns on a period's batches.
	LockCloudImport Lock = 1005
	// LockDemo is held while demo data loads; replicas that see it held
	// (Held) answer as starting until the demo is whole.
	LockDemo Lock = 1006
	// LockSpendImport is held by spend imports, which tell new lines from
	// stored ones by the key runs of their periods.
	LockSpendImport Lock = 1016
)

// schemaKey is the first key of every named lock (PostgreSQL's two-key
// form): the hash of the schema Engage lives in.
const schemaKey = "hashtext(current_schema())"

// String names l in messages.
func (l Lock) String() string {
	switch l {
	case LockStartup:
		return "startup"
	case LockBillingSchedule:
		return "billing schedule"
	case LockSignIn:
		return "sign-in"
	case LockBillingRun:
		return "billing run"
	case LockCloudImport:
		return "cloud import"
	case LockDemo:
		return "demo"
	case LockSpendImport:
		return "spend import"
	}
	return fmt.Sprintf("#%d", int32(l))
}

// LockTx takes l for the rest of tx, waiting for it, on PostgreSQL; on
// SQLite the transaction already holds the only writer.
func LockTx(ctx context.Context, tx *Tx, l Lock) error {
	if tx.Engine() != Postgres {
		return nil
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock("+schemaKey+", ?)", int32(l)); err != nil {
		return fmt.Errorf("waiting for the %s lock: %w", l, err)
	}
	return nil
}

// TryLockTx takes l for the rest of tx if no one holds it and reports
// whether it did. On SQLite it always does.
func TryLockTx(ctx context.Context, tx *Tx, l Lock) (bool, error) {
	if tx.Engine() != Postgres {
		return true, nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock("+schemaKey+", ?)", int32(l)).Scan(&ok); err != nil {
		return false, fmt.Errorf("waiting for the %s lock: %w", l, err)
	}
	return ok, nil
}

// LockSubjectTx takes l for one subject (an e-mail address, an IP address)
// for the rest of tx, so that work on different subjects does not wait. The
// key is a single 64-bit one (a key space apart from the named locks'): the
// schema's hash above the hash of the lock and subject. Two subjects may
// rarely share a key; they then only wait for each other.
func LockSubjectTx(ctx context.Context, tx *Tx, l Lock, subject string) error {
	if tx.Engine() != Postgres {
		return nil
	}
	h := fnv.New32a()
	_, _ = fmt.Fprintf(h, "%d:%s", l, subject)
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock((hashtext(current_schema())::bigint << 32) | ?::bigint)", int64(h.Sum32())); err != nil {
		return fmt.Errorf("waiting for the %s lock: %w", l, err)
	}
	return nil
}

// WithLock runs fn while holding l, waiting for it first. On PostgreSQL the
// lock belongs to a connection of its own kept for the duration, so fn may
// use the pool freely (and run many transactions); it is released when fn
// returns, or by the server if the process dies. On SQLite fn simply runs.
func (db *DB) WithLock(ctx context.Context, l Lock, fn func() error) error {
	if db.Dialect != Postgres {
		return fn()
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("waiting for the %s lock: %w", l, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock("+schemaKey+", $1)", int32(l)); err != nil {
		return fmt.Errorf("waiting for the %s lock: %w", l, err)
	}
	defer func() {
		// A fresh context: the lock must be let go even when ctx ended.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+schemaKey+", $1)", int32(l))
	}()
	return fn()
}

// Held reports whether a replica holds l through WithLock, without taking
// it; a replica that dies lets it go. On SQLite, where one process serves a
// data directory, it is never held by another.
func (db *DB) Held(ctx context.Context, l Lock) (bool, error) {
	if db.Dialect != Postgres {
		return false, nil
	}
	// The two-key form shows the schema's key as classid (unsigned) and
	// the lock as objid, with objsubid 2.
	var held bool
	err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
		AND classid::bigint = (hashtext(current_schema())::bigint & 4294967295) AND objid::bigint = ?)`, int64(l)).Scan(&held)
	if err != nil {
		return false, fmt.Errorf("asking whether lock %d is held: %w", l, err)
	}
	return held, nil
}
