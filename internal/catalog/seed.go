package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
)

// ExistingSubscription is a subscription that predates Engage, brought in
// when a department's consumption is migrated from an older system.
type ExistingSubscription struct {
	DepartmentCode string          `json:"department_code"`
	OfferingSlug   string          `json:"offering_slug"`
	Quantity       decimal.Decimal `json:"quantity"`
	Start          Date            `json:"start"`
	End            *Date           `json:"end,omitempty"`
}

// ImportSubscriptions records existing subscriptions without orders or
// approvals. Admins only; one transaction: any bad entry writes nothing.
func (c *Catalog) ImportSubscriptions(ctx context.Context, p *access.Principal, subs []ExistingSubscription) (int, error) {
	if p == nil || !p.IsAdmin() {
		return 0, engage.Errorf(engage.EFORBIDDEN, "Only administrators can import existing subscriptions.")
	}
	err := c.DB.Transact(ctx, func(tx *db.Tx) error {
		now := c.Clock.Now()
		var v engage.Validation
		var departments []int64
		for i, s := range subs {
			field := fmt.Sprintf("subscriptions[%d]", i)
			var deptID, offeringID int64
			if err := tx.QueryRow(ctx, "SELECT id FROM departments WHERE code = ?", strings.TrimSpace(s.DepartmentCode)).Scan(&deptID); err != nil {
				v.Add(field+".department_code", "No department with code %q.", s.DepartmentCode)
				continue
			}
			if err := tx.QueryRow(ctx, "SELECT id FROM offerings WHERE slug = ?", strings.TrimSpace(s.OfferingSlug)).Scan(&offeringID); err != nil {
				v.Add(field+".offering_slug", "No offering %q.", s.OfferingSlug)
				continue
			}
			if !s.Quantity.IsPositive() || s.Quantity.GreaterThan(maxQuantity) {
				v.Add(field+".quantity", "Give a quantity above zero and at most %s.", maxQuantityText)
				continue
			}
			if s.End != nil && s.End.Before(s.Start.Time) {
				v.Add(field+".end", "The end comes before the start.")
				continue
			}
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO subscriptions(department_id, offering_id, quantity, start_date, end_date, version, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`, deptID, offeringID, s.Quantity, s.Start.Time, NullDate(s.End), now, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("importing subscription: %w", err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO subscription_segments(subscription_id, effective_from, quantity) VALUES (?, ?, ?)", id, s.Start.Time, s.Quantity); err != nil {
				return fmt.Errorf("importing subscription: %w", err)
			}
			departments = append(departments, deptID)
			if err := audit.Record(ctx, tx, now, p, "import", "subscription", id, fmt.Sprintf("Existing subscription of %s to %s", s.DepartmentCode, s.OfferingSlug), nil, s); err != nil {
				return err
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := c.subscriptionsChanged(ctx, tx, departments); err != nil {
			return err
		}
		return bumpGeneration(ctx, tx)
	})
	if err != nil {
		return 0, err
	}
	c.snap.invalidate()
	return len(subs), nil
}
