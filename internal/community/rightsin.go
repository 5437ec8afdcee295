package community

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
)

// RightsIn says what p may do in c, a community the caller has just read
// for p (FindBySlug, FindBrief): Rights without reading it again.
func (s *Service) RightsIn(ctx context.Context, p *access.Principal, c Community) (Rights, error) {
	if err := requireReader(p); err != nil {
		return Rights{}, err
	}
	return s.rightsIn(ctx, s.DB, p, c)
}

// The pages of a community and of a topic need the community and the
// reader's rights in it on every request: WithRights and BySlugWithRights
// read both in one query — the community (without its member count, or
// with it for its header), the reader's membership and their staff roles —
// where FindBrief and Rights took four.

// withRightsColumns follow a community's columns: the reader's membership
// and staff roles, as a bit set.
const withRightsColumns = `, COALESCE(me.by_hand, FALSE), COALESCE(me.by_rule, FALSE), COALESCE(me.opted_out, FALSE), COALESCE(me.requested, FALSE),
	(SELECT COALESCE(SUM(CASE st.role WHEN 'moderator' THEN 1 WHEN 'it_staff' THEN 2 WHEN 'support' THEN 4 ELSE 0 END), 0)
	FROM community_staff st WHERE st.community_id = c.id AND st.person_id = ?)`

var staffBits = []StaffRole{ModeratorRole, ITStaff, Support}

// withRights reads the community where cond holds (with its member count
// when counted) and p's membership and staff roles in it.
func (s *Service) withRights(ctx context.Context, p *access.Principal, counted bool, cond string, arg any) (Community, Rights, error) {
	return s.withRightsJoined(ctx, p, counted, Joined{}, cond, arg)
}

// Joined is what a caller of WithRightsJoined reads with a community and
// the reader's rights, in the same query: Columns (starting with a comma)
// follow the community's and the rights' columns, Join follows the
// community's joins, each with its arguments. Scan reads the row's last
// columns, Columns', with the dest it is given.
type Joined struct {
	Columns    string
	ColumnArgs []any
	Join       string
	JoinArgs   []any
	Scan       func(row interface{ Scan(...any) error }) error
}

// scanAfter scans a row's first columns into first, and the columns its
// caller names after them.
type scanAfter struct {
	row   interface{ Scan(...any) error }
	first []any
}

func (s scanAfter) Scan(dest ...any) error { return s.row.Scan(append(s.first, dest...)...) }

func (s *Service) withRightsJoined(ctx context.Context, p *access.Principal, counted bool, j Joined, cond string, args ...any) (Community, Rights, error) {
	if err := requireReader(p); err != nil {
		return Community{}, Rights{}, err
	}
	cols := uncountedColumns
	if counted {
		cols = columns
	}
	from := strings.LastIndex(cols, "FROM communities c")
	query := "SELECT " + cols[:from] + withRightsColumns + j.Columns + " " + cols[from:] +
		" LEFT JOIN community_members me ON me.community_id = c.id AND me.person_id = ? " + j.Join + " WHERE " + cond
	all := append(append([]any{p.PersonID}, j.ColumnArgs...), p.PersonID)
	all = append(append(all, j.JoinArgs...), args...)
	var c Community
	var m membership
	var bits int64
	row := scanAfter{s.DB.QueryRow(ctx, query, all...), []any{&c.ID, &c.Slug, &c.Name, &c.Kind, &c.Visibility, &c.Description,
		&c.ServiceID, &c.LocationID, &c.FunctionID, &c.SponsorID, &c.Archived, &c.Version, &c.CreatedAt, &c.UpdatedAt, &c.SponsorName,
		&c.Members, &m.byHand, &m.byRule, &m.optedOut, &m.requested, &bits}}
	var err error
	if j.Scan != nil {
		err = j.Scan(row)
	} else {
		err = row.Scan()
	}
	if errors.Is(err, sql.ErrNoRows) || (err == nil && c.Archived && !MayManage(p)) {
		return Community{}, Rights{}, engage.Errorf(engage.ENOTFOUND, "There is no such community.")
	} else if err != nil {
		return Community{}, Rights{}, fmt.Errorf("reading a community: %w", err)
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	staff := map[StaffRole]bool{}
	for i, role := range staffBits {
		if bits&(1<<i) != 0 {
			staff[role] = true
		}
	}
	owner, err := s.ownsService(ctx, p, c)
	if err != nil {
		return Community{}, Rights{}, err
	}
	return c, rightsOf(p, c, m, staff, owner), nil
}

// WithRightsJoined is WithRights where cond holds, with the columns j
// reads from the tables it joins, in one query: a topic's page reads its
// topic, its community and the reader's rights in it together.
func (s *Service) WithRightsJoined(ctx context.Context, p *access.Principal, j Joined, cond string, args ...any) (Community, Rights, error) {
	return s.withRightsJoined(ctx, p, false, j, cond, args...)
}

// WithRights is FindBrief and Rights together, in one query: community id
// without its member count, and what p may do in it.
func (s *Service) WithRights(ctx context.Context, p *access.Principal, id int64) (Community, Rights, error) {
	return s.withRights(ctx, p, false, "c.id = ?", id)
}

// BySlugWithRights is FindBySlug and RightsIn together, in one query: the
// community of slug with its member count, and what p may do in it.
func (s *Service) BySlugWithRights(ctx context.Context, p *access.Principal, slug string) (Community, Rights, error) {
	return s.withRights(ctx, p, true, "c.slug = ?", strings.ToLower(strings.TrimSpace(slug)))
}
