package community

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
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

// Membership names a person's membership of a community.
type Membership struct{ CommunityID, PersonID int64 }

// MembersSince is MemberSince for many memberships in one read: when each
// of those that are memberships now began; the others are left out.
func (s *Service) MembersSince(ctx context.Context, q db.Querier, ms []Membership) (map[Membership]time.Time, error) {
	out := map[Membership]time.Time{}
	const perRead = 200
	for len(ms) > 0 {
		chunk := ms[:min(perRead, len(ms))]
		ms = ms[len(chunk):]
		terms, args := make([]string, len(chunk)), make([]any, 0, 2*len(chunk))
		for i, m := range chunk {
			terms[i], args = "(m.community_id = ? AND m.person_id = ?)", append(args, m.CommunityID, m.PersonID)
		}
		rows, err := q.Query(ctx, "SELECT m.community_id, m.person_id, m.since FROM community_members m WHERE ("+
			strings.Join(terms, " OR ")+") AND "+memberWhere, args...)
		if err != nil {
			return nil, fmt.Errorf("reading %d memberships: %w", len(chunk), err)
		}
		for rows.Next() {
			var m Membership
			var since time.Time
			if err := rows.Scan(&m.CommunityID, &m.PersonID, &since); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading %d memberships: %w", len(chunk), err)
			}
			out[m] = since.UTC()
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reading %d memberships: %w", len(chunk), err)
		}
	}
	return out, nil
}

// uncountedColumns are the columns of a community without its member
// count. Rights are asked on every discussion page and post; counting the
// members there would scan them each time for a figure rights do not use.
var uncountedColumns = strings.Replace(columns,
	"(SELECT COUNT(*) FROM community_members m WHERE m.community_id = c.id AND (m.by_hand OR m.by_rule) AND NOT m.opted_out)", "0", 1)

// findUncounted is find by id without the member count (Members is 0).
func findUncounted(ctx context.Context, q db.Querier, id int64) (Community, error) {
	c, err := scan(q.QueryRow(ctx, "SELECT "+uncountedColumns+" WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, engage.Errorf(engage.ENOTFOUND, "There is no such community.")
	} else if err != nil {
		return c, fmt.Errorf("reading a community: %w", err)
	}
	return c, nil
}

// FindBrief is Find without the member count (Members is 0): for the
// discussions, which name a community on every post and page.
func (s *Service) FindBrief(ctx context.Context, p *access.Principal, id int64) (Community, error) {
	if err := requireReader(p); err != nil {
		return Community{}, err
	}
	c, err := findUncounted(ctx, s.DB, id)
	if err == nil && c.Archived && !MayManage(p) {
		return Community{}, engage.Errorf(engage.ENOTFOUND, "There is no such community.")
	}
	return c, err
}
