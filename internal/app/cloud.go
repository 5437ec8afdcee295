package app

import (
	"context"
	"sort"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
)

// cloudCharges hands allocated cloud charges to billing runs, in a fixed
// order so that repeated runs produce identical statements.
type cloudCharges struct{ c *cloudbill.Service }

func (cc cloudCharges) AllocatedTotals(ctx context.Context, q db.Querier, period string) ([]billing.CloudTotal, error) {
	totals, err := cc.c.AllocatedTotals(ctx, q, period)
	if err != nil {
		return nil, err
	}
	out := make([]billing.CloudTotal, 0, len(totals))
	for _, t := range totals {
		if t.DepartmentID == 0 {
			continue // unallocated: finance sees it, no department is charged
		}
		out = append(out, billing.CloudTotal{DepartmentID: t.DepartmentID, Currency: t.Currency, Provider: t.Provider,
			ServiceName: t.ServiceName, Amount: t.Amount, Rows: t.Rows})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.DepartmentID != b.DepartmentID {
			return a.DepartmentID < b.DepartmentID
		}
		if a.Currency != b.Currency {
			return a.Currency < b.Currency
		}
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		return a.ServiceName < b.ServiceName
	})
	return out, nil
}
