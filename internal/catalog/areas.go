package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
)

// What other areas read of the catalog's subscriptions, through this
// function and never its tables (see "How the code is laid out" in the
// README). It reads through q — the caller's transaction, or the database —
// and checks no access: the caller does.

// SubscriptionRun is a subscription that runs in a span of days, with the
// quantities it had.
type SubscriptionRun struct {
	ID             int64
	DepartmentID   int64
	DepartmentName string
	OfferingID     int64
	Quantity       decimal.Decimal
	Start          time.Time  // its first day (UTC)
	End            *time.Time // its last day (UTC); nil while it runs on
	// Segments are the quantities in force from a day on, oldest first;
	// none for a subscription whose quantity never changed.
	Segments []QuantityFrom
}

// QuantityFrom is a quantity in force from a day on.
type QuantityFrom struct {
	From     time.Time // UTC
	Quantity decimal.Decimal
}

// RunningSubscriptions returns the subscriptions running on at least one
// day from first to last (both included), in the order they were made.
func RunningSubscriptions(ctx context.Context, q db.Querier, first, last time.Time) ([]SubscriptionRun, error) {
	const running = "s.start_date <= ? AND (s.end_date IS NULL OR s.end_date >= ?)"
	rows, err := q.Query(ctx, `SELECT s.id, s.department_id, d.name, s.offering_id, s.quantity, s.start_date, s.end_date FROM subscriptions s
		JOIN departments d ON d.id = s.department_id WHERE `+running+` ORDER BY s.id`, last, first)
	if err != nil {
		return nil, fmt.Errorf("reading subscriptions: %w", err)
	}
	var out []SubscriptionRun
	index := map[int64]int{}
	for rows.Next() {
		var s SubscriptionRun
		var end sql.NullTime
		if err := rows.Scan(&s.ID, &s.DepartmentID, &s.DepartmentName, &s.OfferingID, &s.Quantity, &s.Start, &end); err != nil {
			rows.Close()
			return nil, err
		}
		s.Start = s.Start.UTC()
		if end.Valid {
			e := end.Time.UTC()
			s.End = &e
		}
		index[s.ID] = len(out)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	srows, err := q.Query(ctx, `SELECT g.subscription_id, g.effective_from, g.quantity FROM subscription_segments g
		JOIN subscriptions s ON s.id = g.subscription_id WHERE `+running+` ORDER BY g.subscription_id, g.effective_from`, last, first)
	if err != nil {
		return nil, fmt.Errorf("reading subscription segments: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var id int64
		var g QuantityFrom
		if err := srows.Scan(&id, &g.From, &g.Quantity); err != nil {
			return nil, err
		}
		g.From = g.From.UTC()
		if i, ok := index[id]; ok {
			out[i].Segments = append(out[i].Segments, g)
		}
	}
	return out, srows.Err()
}

// SubscribingDepartments returns the departments holding a subscription to
// an offering of the service serviceID that runs on day, by id.
func SubscribingDepartments(ctx context.Context, q db.Querier, serviceID int64, day time.Time) ([]int64, error) {
	day = DateOf(day).Time
	return db.QueryIDs(ctx, q, `SELECT DISTINCT s.department_id FROM subscriptions s JOIN offerings o ON o.id = s.offering_id
		WHERE o.service_id = ? AND s.start_date <= ? AND (s.end_date IS NULL OR s.end_date >= ?) ORDER BY s.department_id`, serviceID, day, day)
}
