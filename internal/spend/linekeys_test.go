package spend

import (
	"context"
	"testing"

	"github.com/engagehq/engage/internal/db"
)

// TestHashSet: every hash is added once, however the set grows, zero
// included.
func TestHashSet(t *testing.T) {
	var s hashSet
	for i := uint64(0); i < 100000; i++ {
		h := i * 0x9e3779b97f4a7c15
		if !s.add(h) {
			t.Fatalf("%d was there before it was added", h)
		}
		if s.add(h) {
			t.Fatalf("%d added twice", h)
		}
	}
	if s.n != 99999 || !s.zero {
		t.Fatalf("n = %d, zero = %v", s.n, s.zero)
	}
}

// TestLineKeysCountOccurrences: equal lines of a file get different keys,
// the same ones in another reading of the file, whether they are in one
// chunk or several, and whether their first occurrence was stored before.
func TestLineKeysCountOccurrences(t *testing.T) {
	rec := []string{"2026-01-02", "STARBUCKS", "3.10"}
	keysOf := func(k *keyer, recs ...[]string) []db.Key {
		var out []db.Key
		for _, r := range recs {
			var c chunk
			key, at := c.add(KindCard, r)
			c.rows = append(c.rows, row{key: key, text: at, period: "2026-01"})
			if _, err := k.fresh(context.Background(), &c); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range k.periods {
			out = append(out, p.fresh...)
		}
		return out
	}
	stored := func(keys ...db.Key) *keyer {
		k := newKeyer(nil)
		s := append(db.Keys(nil), keys...)
		db.SortKeys(s)
		k.periods["2026-01"] = &periodKeys{stored: s, met: make([]uint64, 1)}
		return k
	}
	got := keysOf(stored(), rec, rec, []string{" 2026-01-02", "STARBUCKS ", "3.10"})
	if len(got) != 3 || got[0] == got[1] || got[1] == got[2] || got[0] == got[2] {
		t.Fatalf("equal lines share a key: %x", got)
	}
	if again := keysOf(stored(), rec, rec); again[0] != got[0] || again[1] != got[1] {
		t.Fatal("the same file read again keys its lines otherwise")
	}
	// The first occurrence stored before: the second is still the second.
	if more := keysOf(stored(got[0]), rec, rec, rec); len(more) != 2 || more[0] != got[1] || more[1] == got[1] || more[1] == got[0] {
		t.Fatalf("with the first stored, the next two lines are keyed %x", more)
	}
	var c chunk
	if k, _ := c.add(KindInvoice, rec); k == got[0] {
		t.Fatal("a card line and an invoice line share a key")
	}
}
