// Package batchformat is the cloud-charge batches' stored format, as far as
// migrations need it: the keys kept per period, the length of an element,
// and migration 10 (written in Go), which packed the charges of migration
// 7 into batches. It belongs to cloudbill and imports nothing of the
// product, so that every program that migrates (tests included) may list
// it without importing cloudbill.
package batchformat

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/klauspost/compress/s2"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
)

// ChargeKeys are the keys of the charges stored per period, which make a
// re-import change nothing.
var ChargeKeys = db.KeyRuns{Table: "cloud_charge_keys"}

// ElementFields is the length of a stored charge (an element of a batch).
const ElementFields = 19

// migrationSQL holds the SQL of this package's migrations, one folder per
// engine; the Go below runs it and does what SQL cannot.
//
//go:embed migrations
var migrationSQL embed.FS

// Migrations returns the migrations this package writes in Go, for
// db.Config.GoMigrations (schema.GoMigrations lists them with the others').
func Migrations() []db.GoMigration {
	return []db.GoMigration{{
		Version: 10,
		Name:    "cloud_batches",
		Up:      cloudBatchesUp,
		Down: func(ctx context.Context, tx *db.Tx) error {
			if err := unpackCloudBatches(ctx, tx); err != nil {
				return err
			}
			return execMigrationSQL(ctx, tx, "00010_cloud_batches_down.sql")
		},
	}}
}

// execMigrationSQL runs the statements of one embedded file as one Exec:
// without arguments both drivers run every statement in it.
func execMigrationSQL(ctx context.Context, tx *db.Tx, name string) error {
	text, err := migrationSQL.ReadFile("migrations/" + string(tx.Engine()) + "/" + name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, string(text)); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// unpackCloudBatches turns compressed batches back into JSON text, which
// the SQL reverting migration 10 reads.
func unpackCloudBatches(ctx context.Context, tx *db.Tx) error {
	ids, err := db.QueryIDs(ctx, tx, "SELECT id FROM cloud_charge_batches WHERE packed IS NOT NULL ORDER BY id")
	if err != nil {
		return err
	}
	for _, id := range ids {
		var packed []byte
		if err := tx.QueryRow(ctx, "SELECT packed FROM cloud_charge_batches WHERE id = ?", id).Scan(&packed); err != nil {
			return err
		}
		data, err := s2.Decode(nil, packed)
		if err != nil {
			return fmt.Errorf("cloud charge batch %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE cloud_charge_batches SET data = ?, packed = NULL WHERE id = ?", string(data), id); err != nil {
			return err
		}
	}
	return nil
}

// elementAmount is the index of a share's amount in its element.
const elementAmount = 2

// cloudBatchesUp moves cloud charges and allocations into batches (see the
// SQL), then sets each batch's amount to the exact sum of its elements'
// amounts. SQLite keeps amounts as text and adds them as floating point,
// so the sums are made here, the same way on both engines.
func cloudBatchesUp(ctx context.Context, tx *db.Tx) error {
	if err := execMigrationSQL(ctx, tx, "00010_cloud_batches_up.sql"); err != nil {
		return err
	}
	// The ids first, then one batch at a time: a result still being read
	// cannot share the transaction's connection with the updates on every
	// driver, and a batch holds up to 10,000 elements.
	ids, err := db.QueryIDs(ctx, tx, "SELECT id FROM cloud_charge_batches ORDER BY id")
	if err != nil {
		return err
	}
	read, err := tx.Prepare(ctx, "SELECT period, charges, data FROM cloud_charge_batches WHERE id = ?")
	if err != nil {
		return err
	}
	defer read.Close()
	update, err := tx.Prepare(ctx, "UPDATE cloud_charge_batches SET amount = ? WHERE id = ?")
	if err != nil {
		return err
	}
	defer update.Close()
	keys := map[string]db.Keys{}
	for _, id := range ids {
		var period, data string
		var charges int
		if err := read.QueryRowContext(ctx, id).Scan(&period, &charges, &data); err != nil {
			return err
		}
		sum, err := cloudBatchAmount(data, charges, func(k db.Key) { keys[period] = append(keys[period], k) })
		if err != nil {
			return fmt.Errorf("cloud charge batch %d: %w", id, err)
		}
		if _, err := update.ExecContext(ctx, sum.String(), id); err != nil {
			return err
		}
	}
	// Each charge's key, from its first share, in its period's runs.
	for period, ks := range keys {
		if db.SortKeys(ks) {
			return fmt.Errorf("cloud charges of %s: two fingerprints share a key", period)
		}
		if err := ChargeKeys.Add(ctx, tx, period, nil, 0, ks); err != nil {
			return err
		}
	}
	return nil
}

// cloudBatchAmount adds up the amounts of the elements of a batch's data,
// which must hold charges elements, and gives key the key of each charge
// whose first share it holds.
func cloudBatchAmount(data string, charges int, key func(db.Key)) (decimal.Decimal, error) {
	var elements [][]json.RawMessage
	if err := json.Unmarshal([]byte(data), &elements); err != nil {
		return decimal.Decimal{}, err
	}
	if len(elements) != charges {
		return decimal.Decimal{}, fmt.Errorf("%d elements, counted %d", len(elements), charges)
	}
	sum := decimal.Zero
	for i, e := range elements {
		if len(e) != ElementFields {
			return decimal.Decimal{}, fmt.Errorf("element %d has %d fields, want %d", i, len(e), ElementFields)
		}
		var text string
		if err := json.Unmarshal(e[elementAmount], &text); err != nil {
			return decimal.Decimal{}, fmt.Errorf("element %d: amount: %w", i, err)
		}
		amount, err := decimal.NewFromString(text)
		if err != nil {
			return decimal.Decimal{}, fmt.Errorf("element %d: amount: %w", i, err)
		}
		sum = sum.Add(amount)
		var part int
		var fingerprint string
		if err := json.Unmarshal(e[0], &part); err != nil {
			return decimal.Decimal{}, fmt.Errorf("element %d: part: %w", i, err)
		}
		if part != 0 {
			continue
		}
		if err := json.Unmarshal(e[3], &fingerprint); err != nil {
			return decimal.Decimal{}, fmt.Errorf("element %d: fingerprint: %w", i, err)
		}
		k, err := db.KeyOf(fingerprint)
		if err != nil {
			return decimal.Decimal{}, fmt.Errorf("element %d: %w", i, err)
		}
		key(k)
	}
	return sum, nil
}
