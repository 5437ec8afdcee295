package billing

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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

// recordsPerBatch bounds a batch row, so that showing a few records never
// decodes more than this many.
const recordsPerBatch = 10000

var usageKeys = db.KeyTable{Table: "usage_keys", Column: "idempotency_key"}

// storeKeys stores the records' idempotency keys and says, for each record,
// whether it is new: its key was not stored before, and it is the first
// record in ins with that key.
func storeKeys(ctx context.Context, tx *db.Tx, ins []UsageInput) ([]bool, error) {
	keys := make([]string, len(ins))
	for i, in := range ins {
		keys[i] = in.IdempotencyKey
	}
	stored, err := usageKeys.Insert(ctx, tx, keys)
	if err != nil {
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

type batchKey struct {
	period              string
	dept, offering, adj int64
	unit                string
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
		k := batchKey{r.period, r.dept, r.offering, r.adj, ins[i].Unit}
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
			_, err := tx.Exec(ctx, `INSERT INTO usage_batches(period, department_id, offering_id, unit, first_at, last_at, records, received_at, data, adjustment_id)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, k.period, k.dept, k.offering, k.unit,
				ins[part[0]].Time.UTC(), ins[part[len(part)-1]].Time.UTC(), len(part), now, string(buf), db.NullID(k.adj))
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
	t, ok := textenc.ParseStoredTime(at)
	if !ok {
		return fmt.Errorf("unreadable time %q", at)
	}
	r.Time = t
	return nil
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
