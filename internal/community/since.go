package community

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/engagehq/engage/internal/db"
)

// MemberSince returns when person became a member of the community id (by
// hand or by rule), and false when they are not a member now. It reads
// through q and checks no access: the caller does. Discussions use it to
// limit how fast a new member posts.
func (s *Service) MemberSince(ctx context.Context, q db.Querier, id, personID int64) (time.Time, bool, error) {
	var since time.Time
	err := q.QueryRow(ctx, "SELECT m.since FROM community_members m WHERE m.community_id = ? AND m.person_id = ? AND "+memberWhere,
		id, personID).Scan(&since)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	} else if err != nil {
		return time.Time{}, false, fmt.Errorf("reading a membership: %w", err)
	}
	return since.UTC(), true, nil
}
