package spend

import "testing"

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
// the same ones in another reading of the file.
func TestLineKeysCountOccurrences(t *testing.T) {
	rec := []string{"2026-01-02", "STARBUCKS", "3.10"}
	a, b := newLineHasher(KindCard), newLineHasher(KindCard)
	k1, k2, k3 := a.key(rec), a.key(rec), a.key([]string{" 2026-01-02", "STARBUCKS ", "3.10"})
	if k1 == k2 || k2 == k3 || k1 == k3 {
		t.Fatal("equal lines share a key")
	}
	if b.key(rec) != k1 || b.key(rec) != k2 {
		t.Fatal("the same file read again keys its lines otherwise")
	}
	if newLineHasher(KindInvoice).key(rec) == k1 {
		t.Fatal("a card line and an invoice line share a key")
	}
}
