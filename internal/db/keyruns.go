package db

import (
	"bytes"
	"context"
	"fmt"
	"slices"
)

// KeyRuns is a table of keys kept as sorted runs per period: each row holds
// a period and up to RunKeys keys of KeySize bytes, sorted, one after the
// other. A caller that must tell new keys from stored ones loads a period's
// runs once and looks keys up in memory, then writes the new ones as a run:
// a few rows per import, instead of an index entry per key inserted at a
// random place (which costs SQLite several microseconds a key).
//
// The table has the columns id, period and keys (BLOB, BYTEA).
type KeyRuns struct {
	Table string
}

const (
	// KeySize is the size of a key: the first half of a SHA-256.
	KeySize = 16
	// RunKeys is the most keys one row holds (1 MiB).
	RunKeys = 1 << 16
	// maxRuns is how many rows a period may have before writing merges
	// them into as few as hold its keys.
	maxRuns = 8
)

// Key is one key.
type Key [KeySize]byte

// KeyOf returns the key of a hexadecimal hash: its first KeySize bytes.
// 128 bits keep the chance of two different hashes sharing a key below one
// in 10^18 even for billions of keys.
func KeyOf(hexHash string) (Key, error) {
	var k Key
	if len(hexHash) < 2*KeySize {
		return k, fmt.Errorf("hash %q is shorter than %d bytes", hexHash, KeySize)
	}
	for i := range k {
		hi, ok1 := fromHex(hexHash[2*i])
		lo, ok2 := fromHex(hexHash[2*i+1])
		if !ok1 || !ok2 {
			return k, fmt.Errorf("hash %q is not hexadecimal", hexHash)
		}
		k[i] = hi<<4 | lo
	}
	return k, nil
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Keys is a sorted set of keys.
type Keys []Key

func compareKeys(a, b Key) int { return bytes.Compare(a[:], b[:]) }

// Contains says whether k is in the set.
func (ks Keys) Contains(k Key) bool {
	_, found := slices.BinarySearchFunc(ks, k, compareKeys)
	return found
}

// SortKeys sorts keys and reports whether one appears twice.
func SortKeys(ks Keys) (duplicate bool) {
	slices.SortFunc(ks, compareKeys)
	for i := 1; i < len(ks); i++ {
		if ks[i] == ks[i-1] {
			return true
		}
	}
	return false
}

// Load reads the keys of a period, sorted, and the number of rows they
// were in. The set it returns is the size of the keys, no larger.
func (t KeyRuns) Load(ctx context.Context, q Querier, period string) (Keys, int, error) {
	rows, err := q.Query(ctx, "SELECT keys FROM "+t.Table+" WHERE period = ?", period)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var blobs [][]byte
	n := 0
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, 0, err
		}
		if len(b)%KeySize != 0 {
			return nil, 0, fmt.Errorf("%s of %s: %d bytes is not a whole number of keys", t.Table, period, len(b))
		}
		blobs = append(blobs, b)
		n += len(b) / KeySize
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	out := make(Keys, 0, n)
	for _, b := range blobs {
		for i := 0; i < len(b); i += KeySize {
			out = append(out, Key(b[i:i+KeySize]))
		}
	}
	if len(blobs) > 1 {
		SortKeys(out)
	}
	return out, len(blobs), nil
}

// Search finds k in the set: its index, and whether it is there.
func (ks Keys) Search(k Key) (int, bool) {
	return slices.BinarySearchFunc(ks, k, compareKeys)
}

// Add writes fresh, sorted keys not in stored, to a period that has runs
// rows holding stored. When that makes too many rows, the period's rows
// are replaced by as few as hold stored and fresh together.
func (t KeyRuns) Add(ctx context.Context, q Querier, period string, stored Keys, runs int, fresh Keys) error {
	if len(fresh) == 0 {
		return nil
	}
	if runs+(len(fresh)+RunKeys-1)/RunKeys > maxRuns {
		if _, err := q.Exec(ctx, "DELETE FROM "+t.Table+" WHERE period = ?", period); err != nil {
			return err
		}
		fresh = mergeKeys(stored, fresh)
	}
	_, err := t.Append(ctx, q, period, fresh)
	return err
}

// Append writes fresh, sorted keys not stored before as new rows of a
// period, without merging its rows, and returns how many rows it wrote: a
// writer of many keys appends them a run at a time, so as not to hold them
// all, then calls Compact.
func (t KeyRuns) Append(ctx context.Context, q Querier, period string, fresh Keys) (int, error) {
	var buf []byte
	rows := 0
	for start := 0; start < len(fresh); start += RunKeys {
		part := fresh[start:min(start+RunKeys, len(fresh))]
		if buf == nil {
			buf = make([]byte, 0, len(part)*KeySize)
		}
		buf = buf[:0]
		for _, k := range part {
			buf = append(buf, k[:]...)
		}
		if _, err := q.Exec(ctx, "INSERT INTO "+t.Table+"(period, keys) VALUES (?, ?)", period, buf); err != nil {
			return rows, err
		}
		rows++
	}
	return rows, nil
}

// Compact replaces the rows of a period that has more than the rows its
// keys need (runs is how many it has) by as few as hold them.
func (t KeyRuns) Compact(ctx context.Context, q Querier, period string, runs int) error {
	if runs <= maxRuns {
		return nil
	}
	keys, _, err := t.Load(ctx, q, period)
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, "DELETE FROM "+t.Table+" WHERE period = ?", period); err != nil {
		return err
	}
	_, err = t.Append(ctx, q, period, keys)
	return err
}

// mergeKeys merges two sorted sets.
func mergeKeys(a, b Keys) Keys {
	out := make(Keys, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if compareKeys(a[0], b[0]) <= 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}
