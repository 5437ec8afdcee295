package frontdoor

import (
	"context"
	"fmt"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
)

// UnreviewedDelivery is a need delivered with no security review, and the
// processes of the register it affects.
type UnreviewedDelivery struct {
	Reference  string  `json:"reference"`
	Title      string  `json:"title"`
	State      State   `json:"state"`
	ProcessIDs []int64 `json:"process_ids" nullable:"false"`
}

// DeliveredWithoutSecurityReview returns the needs p may read that were
// delivered — waiting for acceptance, or closed after delivery — with no
// security review recorded, and linked to processes of the register: what
// the portfolio flags on those processes. By reference.
func (f *Service) DeliveredWithoutSecurityReview(ctx context.Context, p *access.Principal) ([]UnreviewedDelivery, error) {
	if p == nil {
		return nil, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	cond, args, err := f.readableBy(ctx, f.DB, p)
	if err != nil {
		return nil, err
	}
	rows, err := f.DB.Query(ctx, `SELECT n.reference, n.title, n.state, np.process_id FROM needs n JOIN need_processes np ON np.need_id = n.id
		WHERE `+unreviewedCond+` AND `+cond+`
		ORDER BY n.reference, np.process_id`, append([]any{Delivered, Closed, ActionDeliver}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("reading the needs delivered without a security review: %w", err)
	}
	defer rows.Close()
	out := []UnreviewedDelivery{}
	for rows.Next() {
		var d UnreviewedDelivery
		var pid int64
		if err := rows.Scan(&d.Reference, &d.Title, &d.State, &pid); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].Reference == d.Reference {
			out[n-1].ProcessIDs = append(out[n-1].ProcessIDs, pid)
			continue
		}
		d.ProcessIDs = []int64{pid}
		out = append(out, d)
	}
	return out, rows.Err()
}
