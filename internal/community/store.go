package community

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
)

const columns = `c.id, c.slug, c.name, c.kind, c.visibility, c.description, COALESCE(c.service_id, 0), COALESCE(c.location_id, 0),
	COALESCE(c.function_id, 0), COALESCE(c.sponsor_id, 0), c.archived, c.version, c.created_at, c.updated_at, COALESCE(sp.name, ''),
	(SELECT COUNT(*) FROM community_members m WHERE m.community_id = c.id AND (m.by_hand OR m.by_rule) AND NOT m.opted_out)
	FROM communities c LEFT JOIN people sp ON sp.id = c.sponsor_id`

// memberWhere is the condition on community_members m that makes a member.
const memberWhere = "(m.by_hand OR m.by_rule) AND NOT m.opted_out"

func scan(row interface{ Scan(...any) error }) (Community, error) {
	var c Community
	err := row.Scan(&c.ID, &c.Slug, &c.Name, &c.Kind, &c.Visibility, &c.Description, &c.ServiceID, &c.LocationID, &c.FunctionID,
		&c.SponsorID, &c.Archived, &c.Version, &c.CreatedAt, &c.UpdatedAt, &c.SponsorName, &c.Members)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, err
}

func find(ctx context.Context, q db.Querier, where string, arg any) (Community, error) {
	c, err := scan(q.QueryRow(ctx, "SELECT "+columns+" WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return c, engage.Errorf(engage.ENOTFOUND, "There is no such community.")
	} else if err != nil {
		return c, fmt.Errorf("reading a community: %w", err)
	}
	return c, nil
}

// membership is one person's row for one community, if any.
type membership struct {
	byHand, byRule, optedOut, requested bool
}

func (m membership) member() bool { return (m.byHand || m.byRule) && !m.optedOut }

func readMembership(ctx context.Context, q db.Querier, communityID, personID int64) (membership, error) {
	var m membership
	err := q.QueryRow(ctx, `SELECT by_hand, by_rule, opted_out, requested FROM community_members WHERE community_id = ? AND person_id = ?`,
		communityID, personID).Scan(&m.byHand, &m.byRule, &m.optedOut, &m.requested)
	if errors.Is(err, sql.ErrNoRows) {
		return membership{}, nil
	}
	if err != nil {
		return m, fmt.Errorf("reading a membership: %w", err)
	}
	return m, nil
}

func staffRoles(ctx context.Context, q db.Querier, communityID, personID int64) (map[StaffRole]bool, error) {
	rows, err := q.Query(ctx, `SELECT role FROM community_staff WHERE community_id = ? AND person_id = ?`, communityID, personID)
	if err != nil {
		return nil, fmt.Errorf("reading a community's staff: %w", err)
	}
	defer rows.Close()
	out := map[StaffRole]bool{}
	for rows.Next() {
		var r StaffRole
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out[r] = true
	}
	return out, rows.Err()
}
