package db

import (
	"context"
	"database/sql"
	"slices"
)

// Preparer is a Querier that can compile a statement for repeated use: a
// transaction.
type Preparer interface {
	Querier
	Prepare(ctx context.Context, query string) (*sql.Stmt, error)
}

// KeyTable is a table of keys that each arrive once: usage idempotency keys,
// cloud charge fingerprints. Its only column is its primary key.
type KeyTable struct {
	Table, Column string
}

const (
	// keysPerInsertSQLite is how many keys one SQLite statement inserts,
	// each a bound parameter (well under SQLite's 32,766 limit).
	keysPerInsertSQLite = 1000
	// keysPerInsertPostgres is how many keys one PostgreSQL statement
	// inserts, as one array.
	keysPerInsertPostgres = 10000
)

// Insert stores keys and returns those that were not stored before. keys
// may hold a key more than once; the caller must be in a transaction.
func (k KeyTable) Insert(ctx context.Context, tx Preparer, keys []string) (map[string]struct{}, error) {
	stored := make(keySet, len(keys))
	if tx.Engine() == Postgres {
		return stored, k.insertPostgres(ctx, tx, keys, stored)
	}
	return stored, k.insertSQLite(ctx, tx, keys, stored)
}

// keySet holds the keys stored by one Insert.
type keySet map[string]struct{}

// add adds the keys an INSERT … RETURNING gives.
func (stored keySet) add(rows *sql.Rows, err error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		stored[k] = struct{}{}
	}
	return rows.Err()
}

// insertSQLite inserts the keys with ON CONFLICT DO NOTHING RETURNING,
// keysPerInsertSQLite a statement, compiled once. OR FAIL instead of the
// default ABORT spares SQLite a statement journal, which would copy every
// page the statement touches (random keys touch a page each): any error
// fails the caller's whole transaction anyway.
func (k KeyTable) insertSQLite(ctx context.Context, tx Preparer, keys []string, stored keySet) error {
	var full *sql.Stmt
	args := make([]any, 0, min(len(keys), keysPerInsertSQLite))
	for start := 0; start < len(keys); start += keysPerInsertSQLite {
		part := keys[start:min(start+keysPerInsertSQLite, len(keys))]
		args = args[:0]
		for _, key := range part {
			args = append(args, key)
		}
		if len(part) < keysPerInsertSQLite {
			if err := stored.add(tx.Query(ctx, k.insertSQL(len(part)), args...)); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			var err error
			if full, err = tx.Prepare(ctx, k.insertSQL(keysPerInsertSQLite)); err != nil {
				return err
			}
			defer full.Close()
		}
		if err := stored.add(full.QueryContext(ctx, args...)); err != nil {
			return err
		}
	}
	return nil
}

func (k KeyTable) insertSQL(n int) string {
	return "INSERT OR FAIL INTO " + k.Table + "(" + k.Column + ") VALUES " + ValueRows(n, 1) + " ON CONFLICT DO NOTHING RETURNING " + k.Column
}

// insertPostgres inserts each chunk of keys with a plain INSERT, which costs
// the server much less than INSERT … ON CONFLICT: when it succeeds, every
// key of the chunk is new. When a key is already stored (sent again), or
// another transaction stores one of the same keys meanwhile, it fails on the
// primary key (or, waiting in another order, on a deadlock); the chunk is
// then undone to its savepoint and inserted again with ON CONFLICT DO
// NOTHING, which waits for the other transaction and skips what is already
// stored.
func (k KeyTable) insertPostgres(ctx context.Context, tx Preparer, keys []string, stored keySet) error {
	all := slices.Clone(keys)
	// Sorted, so that transactions sharing keys wait for each other in one
	// order; once each, since the plain INSERT refuses a key twice.
	slices.Sort(all)
	all = slices.Compact(all)
	insert := "INSERT INTO " + k.Table + "(" + k.Column + ") SELECT unnest(?::text[])"
	savepoint := "SAVEPOINT " + k.Table
	for start := 0; start < len(all); start += keysPerInsertPostgres {
		chunk := all[start:min(start+keysPerInsertPostgres, len(all))]
		if _, err := tx.Exec(ctx, savepoint); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, insert, chunk)
		if err == nil {
			for _, key := range chunk {
				stored[key] = struct{}{}
			}
			continue
		}
		if _, rerr := tx.Exec(ctx, "ROLLBACK TO "+savepoint); rerr != nil {
			return err
		}
		if err := stored.add(tx.Query(ctx, insert+" ON CONFLICT DO NOTHING RETURNING "+k.Column, chunk)); err != nil {
			return err
		}
	}
	return nil
}
