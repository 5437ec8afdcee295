// Package paging encodes the opaque cursors of Engage's list endpoints.
// Lists are ordered by a sort key and then by id; a cursor holds the last
// row's key and id so the next page starts strictly after it (keyset
// pagination: stable under inserts, no OFFSET scans).
package paging

import (
	"encoding/base64"
	"encoding/json"

	"github.com/engagehq/engage"
)

const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Cursor is the position after which the next page starts.
type Cursor struct {
	Key string `json:"k"`
	ID  int64  `json:"i"`
}

// Encode returns the cursor as an opaque string.
func Encode(c Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode parses a cursor produced by Encode; "" is the first page.
func Decode(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c Cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID <= 0 {
		return nil, &engage.Error{Code: engage.EINVALID, Message: "The cursor is not valid.",
			Fields: []engage.FieldError{{Field: "cursor", Message: "Use the next_cursor value from a previous page, unchanged."}}}
	}
	return &c, nil
}

// Limit clamps a requested page size to [1, MaxLimit], DefaultLimit when 0.
func Limit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// Trim cuts the extra row a list fetches (limit+1 rows) to learn whether
// a next page exists, and returns the rows of the page with the cursor of
// the next one ("" on the last page); cursor gives a row's position.
func Trim[T any](rows []T, limit int, cursor func(T) Cursor) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, Encode(cursor(rows[limit-1]))
}
