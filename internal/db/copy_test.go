package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// sliceRows gives CopyFrom the rows of a slice.
type sliceRows struct {
	rows [][]any
	i    int
}

func (s *sliceRows) Next() bool             { s.i++; return s.i <= len(s.rows) }
func (s *sliceRows) Values() ([]any, error) { return s.rows[s.i-1], nil }
func (s *sliceRows) Err() error             { return nil }

// TestCopyFrom: rows copied in a BulkWrite transaction read back as written
// (text, integers, exact numbers, booleans, bytes), on both engines; a
// failed transaction leaves none of them.
func TestCopyFrom(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.Exec(ctx, "CREATE TABLE copy_probe(name TEXT NOT NULL, n BIGINT NOT NULL, amount NUMERIC NOT NULL, ok BOOLEAN NOT NULL, b BYTEA NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		cols := []string{"name", "n", "amount", "ok", "b"}
		var rows [][]any
		for i := range 3000 {
			rows = append(rows, []any{fmt.Sprintf("row ‘%d’", i), int64(i), fmt.Sprintf("%d.%02d", i-1500, i%100), i%2 == 0, []byte{byte(i), 0, 0xff}})
		}
		err := d.TransactOnce(ctx, func(tx *db.Tx) error {
			n, err := tx.CopyFrom(ctx, "copy_probe", cols, &sliceRows{rows: rows})
			if err == nil && n != int64(len(rows)) {
				err = fmt.Errorf("copied %d rows, want %d", n, len(rows))
			}
			return err
		}, db.BulkWrite())
		if err != nil {
			t.Fatal(err)
		}
		var count int
		var sum string
		if err := d.QueryRow(ctx, "SELECT COUNT(*), CAST(SUM(amount) AS TEXT) FROM copy_probe").Scan(&count, &sum); err != nil {
			t.Fatal(err)
		}
		want := decimal.Zero
		for _, r := range rows {
			want = want.Add(decimal.RequireFromString(r[2].(string)))
		}
		if got, err := decimal.NewFromString(sum); count != 3000 || err != nil || !got.Equal(want) {
			t.Fatalf("count %d sum %s, want 3000 and %s", count, sum, want)
		}
		var name string
		var n int64
		var amount string
		var ok bool
		var b []byte
		if err := d.QueryRow(ctx, "SELECT name, n, CAST(amount AS TEXT), ok, b FROM copy_probe WHERE n = 1001").Scan(&name, &n, &amount, &ok, &b); err != nil {
			t.Fatal(err)
		}
		if name != "row ‘1001’" || amount != "-499.01" || ok || string(b) != string([]byte{0xe9, 0, 0xff}) {
			t.Fatalf("row 1001 = %q %d %s %v %x", name, n, amount, ok, b)
		}
		err = d.TransactOnce(ctx, func(tx *db.Tx) error {
			if _, err := tx.CopyFrom(ctx, "copy_probe", cols, &sliceRows{rows: rows[:10]}); err != nil {
				return err
			}
			return fmt.Errorf("undo")
		}, db.BulkWrite())
		if err == nil || err.Error() != "undo" {
			t.Fatalf("err = %v", err)
		}
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM copy_probe").Scan(&count); err != nil || count != 3000 {
			t.Fatalf("after a rolled-back copy: %d rows, %v", count, err)
		}
	})
}

// TestCopyNumeric: amounts given to COPY as CopyNumeric (PostgreSQL only)
// read back exactly, as their text would have been stored: negative, with
// three decimals, large, beyond 64 bits, tiny, zero, with trailing zeros.
func TestCopyNumeric(t *testing.T) {
	d := dbtest.OpenPostgres(t)
	ctx := context.Background()
	if _, err := d.Exec(ctx, "CREATE TABLE copy_numeric(n BIGINT NOT NULL, amount NUMERIC NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	amounts := []string{"0", "14.99", "-40", "-0.01", "333.333", "1000", "123456789012345678.99", "0.001", "7.50", "-1234.5",
		"0.00", "-20.100", "1234567890123456789012.10"}
	var rows [][]any
	for i, a := range amounts {
		rows = append(rows, []any{int64(i), db.CopyNumeric(decimal.RequireFromString(a))})
	}
	err := d.TransactOnce(ctx, func(tx *db.Tx) error {
		_, err := tx.CopyFrom(ctx, "copy_numeric", []string{"n", "amount"}, &sliceRows{rows: rows})
		return err
	}, db.BulkWrite())
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range amounts {
		var got string
		if err := d.QueryRow(ctx, "SELECT CAST(amount AS TEXT) FROM copy_numeric WHERE n = ?", i).Scan(&got); err != nil {
			t.Fatal(err)
		}
		// As the decimal's text would have stored it.
		if want := decimal.RequireFromString(a).String(); got != want {
			t.Errorf("amount %d = %s, want %s", i, got, want)
		}
	}
}
