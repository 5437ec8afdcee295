package process

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
)

// What other areas read of the register, through these functions and never
// its tables. Each reads through q — the caller's transaction, or the
// database — and checks no access: the caller does.

// Weight is one link of a process to a catalog service.
type Weight struct {
	ProcessID int64
	ServiceID int64
	Weight    decimal.Decimal // percent, 0 to 100
}

// ServiceWeights returns every process ↔ service link, by service, then
// process.
func ServiceWeights(ctx context.Context, q db.Querier) ([]Weight, error) {
	rows, err := q.Query(ctx, "SELECT process_id, service_id, weight FROM process_services ORDER BY service_id, process_id")
	if err != nil {
		return nil, fmt.Errorf("reading the process register's service links: %w", err)
	}
	defer rows.Close()
	var out []Weight
	for rows.Next() {
		var w Weight
		if err := rows.Scan(&w.ProcessID, &w.ServiceID, &w.Weight); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Tree maps every entry of the register to its parent (0 at the top).
func Tree(ctx context.Context, q db.Querier) (map[int64]int64, error) { return parents(ctx, q) }

// OnServiceLinksChanged registers fn to be called, in the transaction that
// changes them, whenever links of processes to catalog services are added,
// changed or removed (by hand, by a register file or a CSV import).
func (s *Service) OnServiceLinksChanged(fn func(ctx context.Context, tx *db.Tx) error) {
	s.relinked = append(s.relinked, fn)
}

func (s *Service) servicesRelinked(ctx context.Context, tx *db.Tx) error {
	for _, fn := range s.relinked {
		if err := fn(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}
