package spend

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/engagehq/engage/internal/db"
)

// lineKeys are the content keys of stored spend lines, as sorted runs per
// period (migration 40).
var lineKeys = db.KeyRuns{Table: "spend_line_keys"}

// A line's key is the first half of the SHA-256 of its kind, its cells
// and its occurrence among equal lines of its file (1 for the first).
// Equal lines have one date, so one period: the keys of stored lines are
// kept per period.

// lineHasher keys the lines of one file.
type lineHasher struct {
	kind  string
	buf   []byte
	seen  hashSet           // first halves of the first-occurrence keys met in this file
	again map[uint64]uint32 // occurrences of the lines met more than once
}

func newLineHasher(kind string) *lineHasher {
	return &lineHasher{kind: kind, again: map[uint64]uint32{}}
}

// sum hashes kind, the trimmed cells and occurrence.
func (k *lineHasher) sum(rec []string, occurrence uint32) db.Key {
	b := append(k.buf[:0], k.kind...)
	for _, c := range rec {
		b = append(b, 0x1f)
		b = append(b, strings.TrimSpace(c)...)
	}
	b = binary.LittleEndian.AppendUint32(b, occurrence)
	k.buf = b
	s := sha256.Sum256(b)
	return db.Key(s[:db.KeySize])
}

// key returns the key of the file's next line rec.
func (k *lineHasher) key(rec []string) db.Key {
	key := k.sum(rec, 1)
	if h := binary.LittleEndian.Uint64(key[:8]); !k.seen.add(h) {
		n := max(k.again[h], 1) + 1
		k.again[h] = n
		key = k.sum(rec, n)
	}
	return key
}

// keyer tells an import's new lines from those stored before: it loads
// the keys of a period the first time the import meets it, and writes the
// keys the import added as a run per period at the end.
type keyer struct {
	tx      *db.Tx
	periods map[string]*periodKeys
}

type periodKeys struct {
	stored db.Keys
	runs   int
	fresh  db.Keys
}

func newKeyer(tx *db.Tx) *keyer {
	return &keyer{tx: tx, periods: map[string]*periodKeys{}}
}

// fresh keeps the rows that were not stored before, in place.
func (k *keyer) fresh(ctx context.Context, rows []row) ([]row, error) {
	out := rows[:0]
	for _, r := range rows {
		p := k.periods[r.period]
		if p == nil {
			stored, runs, err := lineKeys.Load(ctx, k.tx, r.period)
			if err != nil {
				return nil, fmt.Errorf("reading the keys of %s's spend lines: %w", r.period, err)
			}
			p = &periodKeys{stored: stored, runs: runs}
			k.periods[r.period] = p
		}
		if p.stored.Contains(r.key) {
			continue
		}
		p.fresh = append(p.fresh, r.key)
		out = append(out, r)
	}
	return out, nil
}

// save writes the keys the import added.
func (k *keyer) save(ctx context.Context) error {
	names := make([]string, 0, len(k.periods))
	for period := range k.periods {
		names = append(names, period)
	}
	slices.Sort(names)
	for _, period := range names {
		p := k.periods[period]
		if db.SortKeys(p.fresh) {
			return fmt.Errorf("two spend lines of %s share a key", period)
		}
		if err := lineKeys.Add(ctx, k.tx, period, p.stored, p.runs, p.fresh); err != nil {
			return fmt.Errorf("storing the keys of %s's spend lines: %w", period, err)
		}
	}
	return nil
}

// rowKey is the line_key of an import's line: the import and line number,
// zero-padded so that an import's rows append to the column's index.
func rowKey(importID int64, line int) string {
	var b [24]byte
	out := append(b[:0], 'k')
	out = appendPadded(out, importID, 12)
	out = append(out, '-')
	out = appendPadded(out, int64(line), 10)
	return string(out)
}

func appendPadded(b []byte, n int64, width int) []byte {
	s := strconv.AppendInt(nil, n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// hashSet is a set of 64-bit hashes with open addressing: 8 bytes a slot,
// at most three quarters full, so that a file of millions of lines needs
// tens of megabytes to number its equal lines (a Go map takes twice that).
// Zero stands for an empty slot; the hash 0 is kept apart.
type hashSet struct {
	slots []uint64
	n     int
	zero  bool
}

// add adds h and reports whether it was not there.
func (s *hashSet) add(h uint64) bool {
	if h == 0 {
		was := s.zero
		s.zero = true
		return !was
	}
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case h:
			return false
		case 0:
			s.slots[i] = h
			s.n++
			return true
		}
	}
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(1024, 2*len(old)))
	mask := uint64(len(s.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := h & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = h
	}
}
