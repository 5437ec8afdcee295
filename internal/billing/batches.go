package billing

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/textenc"
)

// Usage is kept in batches (migration 00009): the records of one request
// that share a period, department, offering and unit are one row of
// usage_batches, each record a JSON array [key, time, subscription or null,
// quantity, source]. Their keys are kept once each in usage_keys. A billing
// run reads usage_totals, kept as batches are stored; batches are read only
// to show the records behind a statement line. Writing one key row per
// record and one batch row per group, instead of one indexed row per
// record, is what lets ingestion keep up with busy meters.

const (
	// keysPerInsert is how many keys one statement inserts: SQLite binds
	// each as a parameter (well under its 32,766 limit); PostgreSQL takes
	// them as one array.
	keysPerInsertSQLite   = 1000
	keysPerInsertPostgres = 10000
	// recordsPerBatch bounds a batch row, so that showing a few records
	// never decodes more than this many.
	recordsPerBatch = 10000
)

// storeKeys stores the records' idempotency keys and says, for each record,
// whether it is new: its key was not stored before, and it is the first
// record in ins with that key.
func storeKeys(ctx context.Context, tx *db.Tx, ins []UsageInput) ([]bool, error) {
	stored := make(keySet, len(ins))
	store := storeKeysSQLite
	if tx.Engine() == db.Postgres {
		store = storeKeysPostgres
	}
	if err := store(ctx, tx, ins, stored); err != nil {
		return nil, fmt.Errorf("storing usage keys: %w", err)
	}
	fresh := make([]bool, len(ins))
	for i, in := range ins {
		if _, ok := stored[in.IdempotencyKey]; ok {
			fresh[i] = true
			delete(stored, in.IdempotencyKey) // a key twice in one request counts once
		}
	}
	return fresh, nil
}

// keySet holds the keys stored by a request.
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

// storeKeysSQLite inserts the keys with ON CONFLICT DO NOTHING RETURNING,
// keysPerInsertSQLite a statement, compiled once.
func storeKeysSQLite(ctx context.Context, tx *db.Tx, ins []UsageInput, stored keySet) error {
	var full *sql.Stmt
	args := make([]any, 0, min(len(ins), keysPerInsertSQLite))
	for start := 0; start < len(ins); start += keysPerInsertSQLite {
		part := ins[start:min(start+keysPerInsertSQLite, len(ins))]
		args = args[:0]
		for _, in := range part {
			args = append(args, in.IdempotencyKey)
		}
		if len(part) < keysPerInsertSQLite {
			if err := stored.add(tx.Query(ctx, insertKeysSQL(len(part)), args...)); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			var err error
			if full, err = tx.Prepare(ctx, insertKeysSQL(keysPerInsertSQLite)); err != nil {
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

// storeKeysPostgres inserts each chunk of keys with a plain INSERT, which
// costs the server much less than INSERT … ON CONFLICT: when it succeeds,
// every key of the chunk is new. When a key is already stored (a record
// sent again), or another request stores one of the same keys meanwhile,
// it fails on the unique key (or, waiting in another order, on a
// deadlock); the chunk is then undone to its savepoint and inserted again
// with ON CONFLICT DO NOTHING, which waits for the other request and skips
// what is already stored.
func storeKeysPostgres(ctx context.Context, tx *db.Tx, ins []UsageInput, stored keySet) error {
	all := make([]string, 0, len(ins))
	for _, in := range ins {
		all = append(all, in.IdempotencyKey)
	}
	// Sorted, so that requests sharing keys wait for each other in one
	// order; once each, since the plain INSERT refuses a key twice.
	slices.Sort(all)
	all = slices.Compact(all)
	for start := 0; start < len(all); start += keysPerInsertPostgres {
		keys := all[start:min(start+keysPerInsertPostgres, len(all))]
		if _, err := tx.Exec(ctx, "SAVEPOINT usage_keys"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO usage_keys(idempotency_key) SELECT unnest(?::text[])", keys)
		if err == nil {
			for _, k := range keys {
				stored[k] = struct{}{}
			}
			continue
		}
		if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT usage_keys"); rerr != nil {
			return err
		}
		if err := stored.add(tx.Query(ctx, "INSERT INTO usage_keys(idempotency_key) SELECT unnest(?::text[]) ON CONFLICT DO NOTHING RETURNING idempotency_key", keys)); err != nil {
			return err
		}
	}
	return nil
}

func insertKeysSQL(n int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO usage_keys(idempotency_key) VALUES ")
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(?)")
	}
	sb.WriteString(" ON CONFLICT DO NOTHING RETURNING idempotency_key")
	return sb.String()
}

type batchKey struct {
	period         string
	dept, offering int64
	unit           string
}

// storeBatches writes the new records (fresh) as batches, each in time
// order.
func storeBatches(ctx context.Context, tx *db.Tx, recs []resolved, ins []UsageInput, fresh []bool, now time.Time) error {
	groups := map[batchKey][]int{}
	var order []batchKey
	for i, r := range recs {
		if !fresh[i] {
			continue
		}
		k := batchKey{r.period, r.dept, r.offering, ins[i].Unit}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	var buf []byte
	for _, k := range order {
		idx := groups[k]
		slices.SortStableFunc(idx, func(a, b int) int { return ins[a].Time.Compare(ins[b].Time) })
		for start := 0; start < len(idx); start += recordsPerBatch {
			part := idx[start:min(start+recordsPerBatch, len(idx))]
			buf = appendBatch(buf[:0], part, recs, ins)
			_, err := tx.Exec(ctx, `INSERT INTO usage_batches(period, department_id, offering_id, unit, first_at, last_at, records, received_at, data)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, k.period, k.dept, k.offering, k.unit,
				ins[part[0]].Time.UTC(), ins[part[len(part)-1]].Time.UTC(), len(part), now, string(buf))
			if err != nil {
				return fmt.Errorf("storing usage: %w", err)
			}
		}
	}
	return nil
}

// appendBatch writes records as a batch's JSON array.
func appendBatch(b []byte, idx []int, recs []resolved, ins []UsageInput) []byte {
	b = append(b, '[')
	for n, i := range idx {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = textenc.AppendJSONString(b, ins[i].IdempotencyKey)
		b = append(b, ',', '"')
		b = ins[i].Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"', ',')
		if recs[i].sub != 0 {
			b = strconv.AppendInt(b, recs[i].sub, 10)
		} else {
			b = append(b, "null"...)
		}
		b = append(b, ',', '"')
		b = append(b, recs[i].qty.String()...)
		b = append(b, '"', ',')
		b = textenc.AppendJSONString(b, ins[i].Source)
		b = append(b, ']')
	}
	return append(b, ']')
}

// storedRecord reads one record of a batch.
type storedRecord struct{ UsageRecord }

// storedTimeLayouts are the times a batch holds: RFC 3339 as Engage writes
// them, and SQLite's own form in batches made from older databases.
var storedTimeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00"}

func (r *storedRecord) UnmarshalJSON(b []byte) error {
	var f [5]json.RawMessage
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	var at string
	for i, dst := range []any{&r.IdempotencyKey, &at, &r.SubscriptionID, &r.Quantity, &r.Source} {
		if err := json.Unmarshal(f[i], dst); err != nil {
			return fmt.Errorf("field %d: %w", i, err)
		}
	}
	for _, layout := range storedTimeLayouts {
		if t, err := time.Parse(layout, at); err == nil {
			r.Time = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("unreadable time %q", at)
}

// readBatches returns the first limit records, in time order, of the
// batches rows gives in order of their first time.
func readBatches(rows *sql.Rows, limit int) ([]UsageRecord, error) {
	defer rows.Close()
	out := []UsageRecord{}
	byTime := func(a, b UsageRecord) int { return a.Time.Compare(b.Time) }
	for rows.Next() {
		var first time.Time
		var unit, data string
		if err := rows.Scan(&first, &unit, &data); err != nil {
			return nil, err
		}
		if len(out) >= limit {
			slices.SortStableFunc(out, byTime)
			out = out[:limit]
			if out[limit-1].Time.Before(first) {
				break // this batch and the later ones start after the last kept
			}
		}
		var recs []storedRecord
		if err := json.Unmarshal([]byte(data), &recs); err != nil {
			return nil, fmt.Errorf("reading stored usage: %w", err)
		}
		for _, r := range recs {
			r.Unit = unit
			out = append(out, r.UsageRecord)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, byTime)
	return out[:min(limit, len(out))], nil
}
