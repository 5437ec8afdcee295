package db

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/klauspost/compress/s2"
	"github.com/pressly/goose/v3"
	"github.com/shopspring/decimal"
)

// goMigrationSQL holds the SQL of the migrations written in Go, one folder
// per engine. It lies outside migrations/ so that goose does not take the
// files for migrations of their own.
//
//go:embed gomigrations
var goMigrationSQL embed.FS

// goMigrations returns the migrations that SQL alone cannot do on every
// engine, for dialect.
func goMigrations(dialect Dialect) []*goose.Migration {
	cloudBatches := goose.NewGoMigration(10,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			return cloudBatchesUp(ctx, tx, dialect)
		}},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			if err := unpackCloudBatches(ctx, tx, dialect); err != nil {
				return err
			}
			return execGoMigrationSQL(ctx, tx, dialect, "00010_cloud_batches_down.sql")
		}})
	// The name `engage migrate status` shows; goose wants one ending in .go
	// that starts with the version.
	cloudBatches.Source = "00010_cloud_batches.go"
	return []*goose.Migration{cloudBatches}
}

// execGoMigrationSQL runs the statements of one embedded file as one Exec:
// without arguments both drivers run every statement in it.
func execGoMigrationSQL(ctx context.Context, tx *sql.Tx, dialect Dialect, name string) error {
	dir := "gomigrations/sqlite/"
	if dialect == Postgres {
		dir = "gomigrations/postgres/"
	}
	text, err := goMigrationSQL.ReadFile(dir + name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(text)); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// unpackCloudBatches turns compressed batches back into JSON text, which
// the SQL reverting migration 10 reads.
func unpackCloudBatches(ctx context.Context, tx *sql.Tx, dialect Dialect) error {
	ids, err := QueryIDs(ctx, &Tx{tx: tx, dialect: dialect}, "SELECT id FROM cloud_charge_batches WHERE packed IS NOT NULL ORDER BY id")
	if err != nil {
		return err
	}
	for _, id := range ids {
		var packed []byte
		if err := tx.QueryRowContext(ctx, dialect.Rebind("SELECT packed FROM cloud_charge_batches WHERE id = ?"), id).Scan(&packed); err != nil {
			return err
		}
		data, err := s2.Decode(nil, packed)
		if err != nil {
			return fmt.Errorf("cloud charge batch %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, dialect.Rebind("UPDATE cloud_charge_batches SET data = ?, packed = NULL WHERE id = ?"), string(data), id); err != nil {
			return err
		}
	}
	return nil
}

// cloudBatchElementFields is the length of an element of a cloud charge
// batch; its amount is at cloudBatchAmountField.
const (
	cloudBatchElementFields = 19
	cloudBatchAmountField   = 2
)

// cloudBatchesUp moves cloud charges and allocations into batches (see the
// SQL), then sets each batch's amount to the exact sum of its elements'
// amounts. SQLite keeps amounts as text and adds them as floating point,
// so the sums are made here, the same way on both engines.
func cloudBatchesUp(ctx context.Context, tx *sql.Tx, dialect Dialect) error {
	if err := execGoMigrationSQL(ctx, tx, dialect, "00010_cloud_batches_up.sql"); err != nil {
		return err
	}
	// The ids first, then one batch at a time: a result still being read
	// cannot share the transaction's connection with the updates on every
	// driver, and a batch holds up to 10,000 elements.
	ids, err := QueryIDs(ctx, &Tx{tx: tx, dialect: dialect}, "SELECT id FROM cloud_charge_batches ORDER BY id")
	if err != nil {
		return err
	}
	read, err := tx.PrepareContext(ctx, dialect.Rebind("SELECT period, charges, data FROM cloud_charge_batches WHERE id = ?"))
	if err != nil {
		return err
	}
	defer read.Close()
	update, err := tx.PrepareContext(ctx, dialect.Rebind("UPDATE cloud_charge_batches SET amount = ? WHERE id = ?"))
	if err != nil {
		return err
	}
	defer update.Close()
	keys := map[string]Keys{}
	for _, id := range ids {
		var period, data string
		var charges int
		if err := read.QueryRowContext(ctx, id).Scan(&period, &charges, &data); err != nil {
			return err
		}
		sum, err := cloudBatchAmount(data, charges, func(k Key) { keys[period] = append(keys[period], k) })
		if err != nil {
			return fmt.Errorf("cloud charge batch %d: %w", id, err)
		}
		if _, err := update.ExecContext(ctx, sum.String(), id); err != nil {
			return err
		}
	}
	// Each charge's key, from its first share, in its period's runs.
	for period, ks := range keys {
		if SortKeys(ks) {
			return fmt.Errorf("cloud charges of %s: two fingerprints share a key", period)
		}
		if err := cloudChargeKeys.Add(ctx, &Tx{tx: tx, dialect: dialect}, period, nil, 0, ks); err != nil {
			return err
		}
	}
	return nil
}

var cloudChargeKeys = KeyRuns{Table: "cloud_charge_keys"}

// cloudBatchAmount adds up the amounts of the elements of a batch's data,
// which must hold charges elements, and gives key the key of each charge
// whose first share it holds.
func cloudBatchAmount(data string, charges int, key func(Key)) (decimal.Decimal, error) {
	var elements [][]json.RawMessage
	if err := json.Unmarshal([]byte(data), &elements); err != nil {
		return decimal.Decimal{}, err
	}
	if len(elements) != charges {
		return decimal.Decimal{}, fmt.Errorf("%d elements, counted %d", len(elements), charges)
	}
	sum := decimal.Zero
	for i, e := range elements {
		if len(e) != cloudBatchElementFields {
			return decimal.Decimal{}, fmt.Errorf("element %d has %d fields, want %d", i, len(e), cloudBatchElementFields)
		}
		var text string
		if err := json.Unmarshal(e[cloudBatchAmountField], &text); err != nil {
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
		k, err := KeyOf(fingerprint)
		if err != nil {
			return decimal.Decimal{}, fmt.Errorf("element %d: %w", i, err)
		}
		key(k)
	}
	return sum, nil
}
