package paging_test

import (
	"slices"
	"testing"

	"github.com/engagehq/engage/internal/paging"
)

// Trim keeps limit rows and gives the cursor of the last one kept when a
// row beyond them was fetched, and no cursor on the last page.
func TestTrim(t *testing.T) {
	id := func(n int64) paging.Cursor { return paging.Cursor{ID: n} }
	rows, next := paging.Trim([]int64{4, 5, 6}, 2, id)
	if !slices.Equal(rows, []int64{4, 5}) {
		t.Fatalf("rows = %v; want [4 5]", rows)
	}
	if c, err := paging.Decode(next); err != nil || c == nil || c.ID != 5 {
		t.Fatalf("next = %q (%v, %v); want the cursor of 5", next, c, err)
	}
	for _, full := range [][]int64{{4, 5}, {4}, nil} {
		if rows, next := paging.Trim(full, 2, id); !slices.Equal(rows, full) || next != "" {
			t.Fatalf("Trim(%v) = %v, %q; want them all and no cursor", full, rows, next)
		}
	}
}
