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

// TradeObserver learns of quotes and orders as they change: a quote when it
// is made and when it is ordered, an order when it is placed and each time
// its status changes. It runs inside the transaction that made the change,
// after it is written, with the quote or order as it now stands; an error
// undoes the change.
type TradeObserver struct {
	QuoteChanged func(ctx context.Context, tx *db.Tx, q Quote) error
	OrderChanged func(ctx context.Context, tx *db.Tx, o Order) error
}

// OnTrade registers an observer of quotes and orders (either function may
// be nil). Register observers when wiring the application, before serving.
func (c *Catalog) OnTrade(o TradeObserver) {
	c.subsObserversMu.Lock()
	defer c.subsObserversMu.Unlock()
	c.tradeObservers = append(c.tradeObservers, o)
}

func (c *Catalog) observers() []TradeObserver {
	c.subsObserversMu.Lock()
	defer c.subsObserversMu.Unlock()
	return slices.Clone(c.tradeObservers)
}

// quoteChanged tells the observers about the quote numbered number.
func (c *Catalog) quoteChanged(ctx context.Context, tx *db.Tx, number string) error {
	obs := c.observers()
	if len(obs) == 0 {
		return nil
	}
	q, err := findQuote(ctx, tx, number)
	if err != nil {
		return err
	}
	q.Expired = DateOf(c.Clock.Now()).After(q.ValidUntil.Time)
	for _, o := range obs {
		if o.QuoteChanged != nil {
			if err := o.QuoteChanged(ctx, tx, q); err != nil {
				return err
			}
		}
	}
	return nil
}

// orderChanged tells the observers about the order with the id.
func (c *Catalog) orderChanged(ctx context.Context, tx *db.Tx, id int64) error {
	obs := c.observers()
	if len(obs) == 0 {
		return nil
	}
	order, err := findOrder(ctx, tx, "o.id = ?", id)
	if err != nil {
		return err
	}
	for _, o := range obs {
		if o.OrderChanged != nil {
			if err := o.OrderChanged(ctx, tx, order); err != nil {
				return fmt.Errorf("telling of order %s: %w", order.Number, err)
			}
		}
	}
	return nil
}
