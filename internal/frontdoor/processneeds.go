package frontdoor

import (
	"context"
	"fmt"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
)

// ProcessNeeds are the needs linked to one process of the register that a
// person may read: the newest, and those delivered without a security
// review (what the portfolio flags on the process).
type ProcessNeeds struct {
	Needs      []Need
	Unreviewed []UnreviewedDelivery
}

// NeedsOfProcess returns the needs p may read linked to process id: the
// newest limit of them, newest first, and every one delivered without a
// security review as DeliveredWithoutSecurityReview says it — in one query,
// for the process's page.
func (f *Service) NeedsOfProcess(ctx context.Context, p *access.Principal, id int64, limit int) (ProcessNeeds, error) {
	out := ProcessNeeds{Needs: []Need{}, Unreviewed: []UnreviewedDelivery{}}
	if p == nil {
		return out, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	cond, args, err := f.readableBy(ctx, f.DB, p)
	if err != nil {
		return out, err
	}
	rows, err := f.DB.Query(ctx, "SELECT "+unreviewedColumn+", "+needColumns+`
		WHERE n.id IN (SELECT need_id FROM need_processes WHERE process_id = ?) AND `+cond+` ORDER BY n.id DESC`,
		append([]any{Delivered, Closed, ActionDeliver, id}, args...)...)
	if err != nil {
		return out, fmt.Errorf("listing the needs of process %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var unreviewed int
		n, err := scanNeed(prefixed{rows, &unreviewed})
		if err != nil {
			return out, fmt.Errorf("reading the needs of process %d: %w", id, err)
		}
		f.stamp(&n)
		if len(out.Needs) < limit {
			out.Needs = append(out.Needs, n)
		}
		if unreviewed == 1 {
			out.Unreviewed = append(out.Unreviewed, UnreviewedDelivery{Reference: n.Reference, Title: n.Title, State: n.State, ProcessIDs: []int64{id}})
		}
	}
	return out, rows.Err()
}

// unreviewedCond holds for a need delivered — waiting for acceptance, or
// closed after delivery — with no security review recorded; its arguments
// are Delivered, Closed and ActionDeliver. unreviewedColumn is it as 1 or 0.
const (
	unreviewedCond = `(n.state = ? OR (n.state = ? AND EXISTS (SELECT 1 FROM need_events e WHERE e.need_id = n.id AND e.action = ?)))
	AND NOT EXISTS (SELECT 1 FROM need_reviews r WHERE r.need_id = n.id AND r.kind = 'security')`
	unreviewedColumn = "CASE WHEN " + unreviewedCond + " THEN 1 ELSE 0 END"
)

// prefixed scans a row whose first column is read into first, and the
// rest as the scanner given it asks.
type prefixed struct {
	rows  interface{ Scan(dest ...any) error }
	first any
}

func (s prefixed) Scan(dest ...any) error { return s.rows.Scan(append([]any{s.first}, dest...)...) }
