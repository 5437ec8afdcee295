package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/engagehq/engage/internal/db"
)

// reportsTo says whether person reports to boss, directly or through
// managers: making boss's manager person would close a loop (3 → 2 → 3).
func reportsTo(ctx context.Context, q db.Querier, person, boss int64) (bool, error) {
	seen := map[int64]bool{}
	for cur := person; cur != 0 && !seen[cur]; {
		if cur == boss {
			return true, nil
		}
		seen[cur] = true
		var next int64
		err := q.QueryRow(ctx, "SELECT COALESCE(manager_id, 0) FROM people WHERE id = ?", cur).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		} else if err != nil {
			return false, fmt.Errorf("reading the managers of person %d: %w", person, err)
		}
		cur = next
	}
	return false, nil
}
