package db_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// TestKeyRuns: keys written as runs read back sorted; a period written
// often is merged into few rows; KeyOf refuses what is not a hash.
func TestKeyRuns(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		runs := db.KeyRuns{Table: "cloud_charge_keys"}
		key := func(i int) db.Key {
			h := sha256.Sum256(fmt.Appendf(nil, "charge %d", i))
			k, err := db.KeyOf(hex.EncodeToString(h[:]))
			if err != nil || [16]byte(h[:16]) != k {
				t.Fatalf("KeyOf = %x, %v", k, err)
			}
			return k
		}
		var all db.Keys
		next := 0
		for write := range 12 {
			stored, n, err := runs.Load(ctx, d, "2026-01")
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != len(all) || n > 8 || (write > 0 && n == 0) {
				t.Fatalf("write %d: loaded %d keys in %d rows, want %d in at most 8", write, len(stored), n, len(all))
			}
			for _, k := range all {
				if !stored.Contains(k) {
					t.Fatalf("write %d: key %x lost", write, k)
				}
			}
			if stored.Contains(key(-1)) {
				t.Fatal("a key never written is found")
			}
			var fresh db.Keys
			for range 1 + write*50 {
				fresh = append(fresh, key(next))
				next++
			}
			if db.SortKeys(fresh) {
				t.Fatal("distinct keys reported as duplicates")
			}
			err = d.Transact(ctx, func(tx *db.Tx) error { return runs.Add(ctx, tx, "2026-01", stored, n, fresh) })
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, fresh...)
		}
		if other, n, err := runs.Load(ctx, d, "2026-02"); err != nil || len(other) != 0 || n != 0 {
			t.Errorf("another period holds %d keys in %d rows, %v", len(other), n, err)
		}
		if !db.SortKeys(db.Keys{key(1), key(2), key(1)}) {
			t.Error("a repeated key is not reported")
		}
		for _, bad := range []string{"abc", "zz" + hex.EncodeToString(make([]byte, 20))} {
			if _, err := db.KeyOf(bad); err == nil {
				t.Errorf("KeyOf(%q) accepted", bad)
			}
		}
	})
}
