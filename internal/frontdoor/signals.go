package frontdoor

import (
	"context"
	"time"

	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/db"
)

// signal tells engagement measurement that a need of the requester's
// department was submitted, or decided: approved, rejected (in triage or
// by the board), or closed in triage (merged, sent to the catalog).
func (f *Service) signal(ctx context.Context, tx *db.Tx, n Need, to State, now time.Time) error {
	kind := activity.Kind("")
	switch to {
	case Submitted:
		kind = activity.NeedSent
	case Approved, Rejected:
		kind = activity.NeedDecided
	case Closed:
		if n.State != Triage {
			return nil
		}
		kind = activity.NeedDecided
	default:
		return nil
	}
	return activity.Send(ctx, f.Signals, tx, activity.Signal{Kind: kind, PersonID: n.RequesterID, DepartmentID: n.DepartmentID,
		Ref: "need:" + n.Reference, Title: n.Title, At: now})
}
