package db_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// Transactions taking numbers of a counter that does not exist yet, at
// once and from several pools, each get a number of their own, 1 to n.
func TestNextNumberConcurrentFirstOfTheYear(t *testing.T) {
	dbtest.EachReplicated(t, 3, func(t *testing.T, dbs []*db.DB) {
		ctx := context.Background()
		const takers = 12
		var mu sync.Mutex
		var got []int64
		dbtest.AtOnce(takers, func(i int) {
			var n int64
			err := dbs[i%len(dbs)].Transact(ctx, func(tx *db.Tx) error {
				var err error
				n, err = db.NextNumber(ctx, tx, "quote", 2027)
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got = append(got, n)
			mu.Unlock()
		})
		slices.Sort(got)
		want := make([]int64, takers)
		for i := range want {
			want[i] = int64(i + 1)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("numbers taken = %v; want 1 to %d once each", got, takers)
		}
	})
}
