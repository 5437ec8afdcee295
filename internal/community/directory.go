package community

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/engagehq/engage/internal/access"
)

// ListFilter narrows the communities listed.
type ListFilter struct {
	Kind  Kind   // one kind; every kind when empty
	Query string // part of the name, the handle or the description
	Mine  bool   // only those p belongs to
	// Archived lists the archived ones too, for those who manage
	// communities (ignored for others).
	Archived bool
}

// DirectoryEntry is a community as one person sees it in a list: with what they
// may do in it.
type DirectoryEntry struct {
	Community
	Rights Rights `json:"rights"`
}

// Directory lists the communities p sees — those they belong to and those
// they may join or ask to join — by name, each with p's rights in it.
func (s *Service) Directory(ctx context.Context, p *access.Principal, f ListFilter) ([]DirectoryEntry, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	where := "NOT c.archived"
	if f.Archived && MayManage(p) {
		where = "1 = 1"
	}
	rows, err := s.DB.Query(ctx, "SELECT "+columns+" WHERE "+where+" ORDER BY c.name, c.id")
	if err != nil {
		return nil, fmt.Errorf("reading communities: %w", err)
	}
	var all []Community
	for rows.Next() {
		c, err := scan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	mine, staff, err := s.placesOf(ctx, p.PersonID)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	out := []DirectoryEntry{}
	for _, c := range all {
		if f.Kind != "" && c.Kind != f.Kind {
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(c.Name), q) && !strings.Contains(c.Slug, q) &&
			!strings.Contains(strings.ToLower(c.Description), q) {
			continue
		}
		owner := false
		if p.Has(access.ServiceOwner) {
			if owner, err = s.ownsService(ctx, p, c); err != nil {
				return nil, err
			}
		}
		r := rightsOf(p, c, mine[c.ID], staff[c.ID], owner)
		if f.Mine && !r.Member {
			continue
		}
		out = append(out, DirectoryEntry{Community: c, Rights: r})
	}
	return out, nil
}

// placesOf reads one person's memberships and staff roles, by community.
func (s *Service) placesOf(ctx context.Context, personID int64) (map[int64]membership, map[int64]map[StaffRole]bool, error) {
	mine, staff := map[int64]membership{}, map[int64]map[StaffRole]bool{}
	rows, err := s.DB.Query(ctx, "SELECT community_id, by_hand, by_rule, opted_out, requested FROM community_members WHERE person_id = ?", personID)
	if err != nil {
		return nil, nil, fmt.Errorf("reading memberships: %w", err)
	}
	for rows.Next() {
		var id int64
		var m membership
		if err := rows.Scan(&id, &m.byHand, &m.byRule, &m.optedOut, &m.requested); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("reading memberships: %w", err)
		}
		mine[id] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = s.DB.Query(ctx, "SELECT community_id, role FROM community_staff WHERE person_id = ?", personID)
	if err != nil {
		return nil, nil, fmt.Errorf("reading staff roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var role StaffRole
		if err := rows.Scan(&id, &role); err != nil {
			return nil, nil, fmt.Errorf("reading staff roles: %w", err)
		}
		if staff[id] == nil {
			staff[id] = map[StaffRole]bool{}
		}
		staff[id][role] = true
	}
	return mine, staff, rows.Err()
}

// Unsponsored lists the service communities without an executive sponsor,
// by name, for IT's dashboard: administrators and moderators, who name
// sponsors, get them; others get none.
func (s *Service) Unsponsored(ctx context.Context, p *access.Principal) ([]Community, error) {
	if !MayManage(p) {
		return []Community{}, nil
	}
	list, err := s.List(ctx, p)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list, func(c Community) bool { return !c.NeedsSponsor() }), nil
}
