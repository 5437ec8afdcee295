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

// chunk is a part of the file on its way from the reader to the writer:
// its rows, and the text each row's key is hashed from (row.text indexes
// it, and four bytes after it hold the occurrence), kept so that the
// keyer can key a line it finds repeated.
type chunk struct {
	rows []row
	text []byte
}

// add appends the hashed text of a record of kind to the chunk and
// returns the key of its first occurrence and where the text is.
func (c *chunk) add(kind string, rec []string) (db.Key, [2]int) {
	start := len(c.text)
	b := append(c.text, kind...)
	for _, cell := range rec {
		b = append(b, 0x1f)
		b = append(b, strings.TrimSpace(cell)...)
	}
	end := len(b)
	c.text = append(b, 0, 0, 0, 0)
	at := [2]int{start, end}
	return c.key(at, 1), at
}

// key returns the key of the occurrence of the line whose text is at.
func (c *chunk) key(at [2]int, occurrence uint32) db.Key {
	binary.LittleEndian.PutUint32(c.text[at[1]:], occurrence)
	s := sha256.Sum256(c.text[at[0] : at[1]+4])
	return db.Key(s[:db.KeySize])
}

// keyer numbers equal lines of a file and tells an import's new lines
// from those stored before: it loads the keys of a period the first time
// the import meets it, and writes the keys the import adds as runs of the
// period, a run at a time. What it holds for a file of n lines: the stored
// keys of the periods it meets (16 bytes each) with a bit each for "met in
// this file", and a set of 8-byte hashes of the new lines' keys.
type keyer struct {
	tx      *db.Tx
	periods map[string]*periodKeys
	seen    hashSet           // first halves of the first-occurrence keys of new lines met in this file
	again   map[uint64]uint32 // occurrences of the lines met more than once
}

type periodKeys struct {
	stored db.Keys
	met    []uint64 // bit i: stored[i] was met in this file as a first occurrence
	runs   int
	fresh  db.Keys // keys added and not yet written
}

func newKeyer(tx *db.Tx) *keyer {
	return &keyer{tx: tx, periods: map[string]*periodKeys{}, again: map[uint64]uint32{}}
}

// fresh keys the chunk's rows, and keeps those that were not stored
// before, in place.
func (k *keyer) fresh(ctx context.Context, c *chunk) ([]row, error) {
	out := c.rows[:0]
	for _, r := range c.rows {
		p := k.periods[r.period]
		if p == nil {
			stored, runs, err := lineKeys.Load(ctx, k.tx, r.period)
			if err != nil {
				return nil, fmt.Errorf("reading the keys of %s's spend lines: %w", r.period, err)
			}
			p = &periodKeys{stored: stored, runs: runs, met: make([]uint64, (len(stored)+63)/64)}
			k.periods[r.period] = p
		}
		key, first, stored := r.key, false, false
		h := binary.LittleEndian.Uint64(key[:8])
		if i, found := p.stored.Search(key); found {
			first, stored = p.met[i/64]&(1<<(i%64)) == 0, true
			p.met[i/64] |= 1 << (i % 64)
		} else {
			first = k.seen.add(h)
		}
		if !first {
			n := max(k.again[h], 1) + 1
			k.again[h] = n
			key = c.key(r.text, n)
			stored = p.stored.Contains(key)
		}
		if stored {
			continue
		}
		p.fresh = append(p.fresh, key)
		if len(p.fresh) == db.RunKeys {
			if err := k.write(ctx, r.period, p); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// write stores the period's keys added since it last wrote them, as a run.
func (k *keyer) write(ctx context.Context, period string, p *periodKeys) error {
	if db.SortKeys(p.fresh) {
		return fmt.Errorf("two spend lines of %s share a key", period)
	}
	n, err := lineKeys.Append(ctx, k.tx, period, p.fresh)
	if err != nil {
		return fmt.Errorf("storing the keys of %s's spend lines: %w", period, err)
	}
	p.runs += n
	p.fresh = p.fresh[:0]
	return nil
}

// save writes the keys the import added and not yet written, and merges
// the runs of the periods that have too many.
func (k *keyer) save(ctx context.Context) error {
	names := make([]string, 0, len(k.periods))
	for period := range k.periods {
		names = append(names, period)
	}
	slices.Sort(names)
	for _, period := range names {
		p := k.periods[period]
		if err := k.write(ctx, period, p); err != nil {
			return err
		}
		p.stored, p.met = nil, nil
		if err := lineKeys.Compact(ctx, k.tx, period, p.runs); err != nil {
			return fmt.Errorf("merging the keys of %s's spend lines: %w", period, err)
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
