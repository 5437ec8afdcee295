package catalog

import (
	"context"
	"fmt"
	"slices"

	"github.com/engagehq/engage/internal/db"
)

// SubscriptionsObserver learns that departments' subscriptions changed: an
// order took effect (new subscriptions, or ended ones) or subscriptions were
// imported. It runs inside the transaction that made the change, after it
// is written; an error undoes the change.
type SubscriptionsObserver func(ctx context.Context, tx *db.Tx, departmentIDs []int64) error

// OnSubscriptionsChanged registers fn for every change of subscriptions.
// Register observers when wiring the application, before serving; the
// catalog never knows who observes it.
func (c *Catalog) OnSubscriptionsChanged(fn SubscriptionsObserver) {
	c.subsObserversMu.Lock()
	defer c.subsObserversMu.Unlock()
	c.subsObservers = append(c.subsObservers, fn)
}

func (c *Catalog) subscriptionsChanged(ctx context.Context, tx *db.Tx, departmentIDs []int64) error {
	c.subsObserversMu.Lock()
	observers := slices.Clone(c.subsObservers)
	c.subsObserversMu.Unlock()
	ids := slices.Clone(departmentIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, fn := range observers {
		if err := fn(ctx, tx, ids); err != nil {
			return err
		}
	}
	return nil
}

// Subscribed is a department holding a subscription to an offering of a
// service.
type Subscribed struct {
	DepartmentID, OfferingID, ServiceID int64
}

// Subscriptions returns, once per department and offering, the
// subscriptions that are not cancelled: ordered (or imported) and given no
// end date. A cancellation counts from the moment it takes effect, so that
// what follows subscriptions changes with the order and needs no timer.
// It reads through q and checks no access: the caller does.
func Subscriptions(ctx context.Context, q db.Querier) ([]Subscribed, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT s.department_id, s.offering_id, o.service_id FROM subscriptions s JOIN offerings o ON o.id = s.offering_id
		WHERE s.end_date IS NULL ORDER BY s.department_id, s.offering_id`)
	if err != nil {
		return nil, fmt.Errorf("reading subscriptions: %w", err)
	}
	defer rows.Close()
	var out []Subscribed
	for rows.Next() {
		var s Subscribed
		if err := rows.Scan(&s.DepartmentID, &s.OfferingID, &s.ServiceID); err != nil {
			return nil, fmt.Errorf("reading subscriptions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
