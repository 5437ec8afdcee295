package app

import (
	"context"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
)

// cloudCharges hands cloudbill's allocated totals to billing runs. It only
// converts types: which charges are billed, and in what order, is billing's
// rule (billing.CloudSource).
type cloudCharges struct{ c *cloudbill.Service }

func (cc cloudCharges) AllocatedTotals(ctx context.Context, q db.Querier, period string) ([]billing.CloudTotal, error) {
	totals, err := cc.c.AllocatedTotals(ctx, q, period)
	if err != nil {
		return nil, err
	}
	out := make([]billing.CloudTotal, len(totals))
	for i, t := range totals {
		out[i] = billing.CloudTotal{DepartmentID: t.DepartmentID, Currency: t.Currency, Provider: t.Provider,
			ServiceName: t.ServiceName, Amount: t.Amount, Rows: t.Rows}
	}
	return out, nil
}
