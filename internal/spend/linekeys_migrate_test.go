package spend_test

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// TestLineKeysFromBeforeMigration40: lines stored before migration 40 had
// their content key (hexadecimal) in line_key; the migration moves those
// keys into spend_line_keys, and importing the same lines again adds
// nothing. The lines are put back as they were before the migration, and
// the migration's statement run again.
func TestLineKeysFromBeforeMigration40(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		admin := access.System("test")
		if _, err := s.Import(ctx, admin, "card.csv", strings.NewReader(cardFile)); err != nil {
			t.Fatal(err)
		}
		// The keys as the import before migration 40 kept them: the hex of
		// a line's key in line_key (the file's lines are all of March, so
		// which line holds which key does not change the key's month).
		rows, err := d.Query(ctx, "SELECT keys FROM spend_line_keys")
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(b); i += 16 {
				keys = append(keys, hex.EncodeToString(b[i:i+16]))
			}
		}
		rows.Close()
		if len(keys) != 4 {
			t.Fatalf("%d keys stored; want 4", len(keys))
		}
		for i, k := range keys {
			if _, err := d.Exec(ctx, "UPDATE spend_lines SET line_key = ? WHERE id = (SELECT MIN(id) FROM spend_lines WHERE line_key LIKE 'k%')", k); err != nil {
				t.Fatal(i, err)
			}
		}
		if _, err := d.Exec(ctx, "DELETE FROM spend_line_keys"); err != nil {
			t.Fatal(err)
		}
		unhex := "unhex(line_key)"
		if d.Dialect == db.Postgres {
			unhex = "decode(line_key, 'hex')"
		}
		if _, err := d.Exec(ctx, "INSERT INTO spend_line_keys(period, keys) SELECT period, "+unhex+" FROM spend_lines WHERE length(line_key) = 32"); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Import(ctx, admin, "card.csv", strings.NewReader(cardFile))
		if err != nil || rep.Added != 0 || rep.Unchanged != 4 {
			t.Fatalf("again after the migration = %+v, %v", rep, err)
		}
	})
}
