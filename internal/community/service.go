package community

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
)

// Service is the communities' rules over their store.
type Service struct {
	DB    *db.DB
	Clock engage.Clock
	Org   *org.Service
	// Catalog names the service owner of a service community.
	Catalog *catalog.Catalog
	// Publisher tells a requester that their request was decided; nothing
	// is told when nil.
	Publisher Publisher
	// Signals receives an engagement signal when someone joins by hand;
	// none is sent when nil.
	Signals activity.Recorder
}

func requireReader(p *access.Principal) error {
	if p == nil || p.GateOnly() {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

// MayManage reports whether p creates and edits communities: administrators
// and people holding the moderator role.
func MayManage(p *access.Principal) bool {
	return p != nil && !p.GateOnly() && p.HasAny(access.Admin, access.Moderator)
}

// Find returns one community that is not archived (archived ones only to
// those who manage communities). Everyone signed in may.
func (s *Service) Find(ctx context.Context, p *access.Principal, id int64) (Community, error) {
	if err := requireReader(p); err != nil {
		return Community{}, err
	}
	c, err := find(ctx, s.DB, "c.id = ?", id)
	if err == nil && c.Archived && !MayManage(p) {
		return Community{}, engage.Errorf(engage.ENOTFOUND, "There is no such community.")
	}
	return c, err
}

// FindBySlug is Find by the community's handle.
func (s *Service) FindBySlug(ctx context.Context, p *access.Principal, slug string) (Community, error) {
	if err := requireReader(p); err != nil {
		return Community{}, err
	}
	c, err := find(ctx, s.DB, "c.slug = ?", strings.ToLower(strings.TrimSpace(slug)))
	if err == nil && c.Archived && !MayManage(p) {
		return Community{}, engage.Errorf(engage.ENOTFOUND, "There is no such community.")
	}
	return c, err
}

// List returns every community that is not archived, by name.
func (s *Service) List(ctx context.Context, p *access.Principal) ([]Community, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, "SELECT "+columns+" WHERE NOT c.archived ORDER BY c.name, c.id")
	if err != nil {
		return nil, fmt.Errorf("reading communities: %w", err)
	}
	defer rows.Close()
	out := []Community{}
	for rows.Next() {
		c, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Rights says what p may do in the community id. An unknown or archived
// community is not found.
func (s *Service) Rights(ctx context.Context, p *access.Principal, id int64) (Rights, error) {
	c, err := s.FindBrief(ctx, p, id)
	if err != nil {
		return Rights{}, err
	}
	return s.rightsIn(ctx, s.DB, p, c)
}

func (s *Service) rightsIn(ctx context.Context, q db.Querier, p *access.Principal, c Community) (Rights, error) {
	m, err := readMembership(ctx, q, c.ID, p.PersonID)
	if err != nil {
		return Rights{}, err
	}
	staff, err := staffRoles(ctx, q, c.ID, p.PersonID)
	if err != nil {
		return Rights{}, err
	}
	owner, err := s.ownsService(ctx, p, c)
	if err != nil {
		return Rights{}, err
	}
	return rightsOf(p, c, m, staff, owner), nil
}

// ownsService reports whether p owns the catalog service of the service
// community c.
func (s *Service) ownsService(ctx context.Context, p *access.Principal, c Community) (bool, error) {
	if c.ServiceID == 0 || s.Catalog == nil || p.PersonID == 0 {
		return false, nil
	}
	svc, err := s.Catalog.FindService(ctx, access.System("communities"), fmt.Sprint(c.ServiceID))
	if err != nil && engage.ErrorCode(err) != engage.ENOTFOUND {
		return false, err
	}
	return err == nil && svc.Service.OwnerID != 0 && svc.Service.OwnerID == p.PersonID, nil
}

// rightsOf is what p may do in c, given p's membership, p's staff roles in
// c and whether p owns c's catalog service.
func rightsOf(p *access.Principal, c Community, m membership, staff map[StaffRole]bool, owner bool) Rights {
	r := Rights{Member: m.member(), Requested: m.requested && !m.member()}
	r.Moderate = p.HasAny(access.Admin, access.Moderator) || staff[ModeratorRole]
	isStaff := r.Moderate || staff[ITStaff] || staff[Support] || (c.SponsorID != 0 && c.SponsorID == p.PersonID)
	r.Answer = r.Moderate || staff[ITStaff] || owner
	if c.Archived {
		r.Read = r.Moderate
		return r
	}
	r.Read = c.Visibility != Closed || r.Member || isStaff || r.Answer
	switch c.Visibility {
	case Announcement:
		r.Post = isStaff || r.Answer
	default:
		r.Post = r.Member || isStaff || r.Answer
	}
	r.Join = !r.Member && c.Visibility != Closed
	r.Ask = !r.Member && !r.Requested && c.Visibility == Closed
	return r
}

// MemberIDs returns the people who belong to the community id now, by id.
// It reads through q and checks no access: the caller does.
func (s *Service) MemberIDs(ctx context.Context, q db.Querier, id int64) ([]int64, error) {
	return db.QueryIDs(ctx, q, "SELECT m.person_id FROM community_members m WHERE m.community_id = ? AND "+memberWhere+" ORDER BY m.person_id", id)
}

// Of returns the communities person belongs to now, by id.
func (s *Service) Of(ctx context.Context, q db.Querier, personID int64) ([]int64, error) {
	return db.QueryIDs(ctx, q, `SELECT m.community_id FROM community_members m JOIN communities c ON c.id = m.community_id
		WHERE m.person_id = ? AND NOT c.archived AND `+memberWhere+" ORDER BY m.community_id", personID)
}

// Readable returns the communities whose discussions p may read, by id:
// every open and announcement-only one, and the closed ones p belongs to or
// serves (all of them for moderators and administrators).
func (s *Service) Readable(ctx context.Context, p *access.Principal) ([]int64, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	cond, args := ReadableBy(p)
	return db.QueryIDs(ctx, s.DB, "SELECT c.id FROM communities c WHERE "+cond+" ORDER BY c.id", args...)
}

// ReadableBy is the condition on a community c that p reads its
// discussions (Readable), with its arguments: a query may read it as a
// column beside what it reads of the community's topics (it is never NULL).
func ReadableBy(p *access.Principal) (string, []any) {
	if p.HasAny(access.Admin, access.Moderator) {
		return "(NOT c.archived)", nil
	}
	return `(NOT c.archived AND (c.visibility <> 'closed' OR (c.sponsor_id IS NOT NULL AND c.sponsor_id = ?)
		OR EXISTS (SELECT 1 FROM community_members m WHERE m.community_id = c.id AND m.person_id = ? AND ` + memberWhere + `)
		OR EXISTS (SELECT 1 FROM community_staff st WHERE st.community_id = c.id AND st.person_id = ?)))`,
		[]any{p.PersonID, p.PersonID, p.PersonID}
}

// ReadableAt is ReadableBy for the community whose id is the column col of
// another area's query: a column, never NULL, that is true when p reads
// that community's discussions, without the query naming this area's
// tables.
func ReadableAt(p *access.Principal, col string) (string, []any) {
	cond, args := ReadableBy(p)
	return "EXISTS (SELECT 1 FROM communities c WHERE c.id = " + col + " AND " + cond + ")", args
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func (s *Service) check(ctx context.Context, in *Input) error {
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	if in.Visibility == "" {
		in.Visibility = Open
	}
	var v engage.Validation
	v.Text("name", in.Name)
	v.Text("description", in.Description)
	v.Require("name", in.Name, "the community's name, such as “iPhone users”")
	v.MaxLen("name", in.Name, 120)
	v.MaxLen("description", in.Description, 20000)
	switch {
	case in.Slug == "":
		v.Add("slug", "Enter a short handle, such as iphone.")
	case len(in.Slug) > 64 || !slugPattern.MatchString(in.Slug):
		v.Add("slug", "Use up to 64 lower-case letters, digits and single hyphens, such as mexico-site.")
	}
	if !slices.Contains(Kinds, in.Kind) {
		v.Add("kind", "Choose product, service or local.")
	}
	if !slices.Contains(Visibilities, in.Visibility) {
		v.Add("visibility", "Choose open, closed or announcement.")
	}
	if in.Kind == KindService && in.ServiceID == 0 {
		v.Add("service_id", "A service community names the catalog service it is about.")
	}
	if in.Kind == KindLocal && in.LocationID == 0 && in.FunctionID == 0 {
		v.Add("location_id", "A local community names a location, a business function or both.")
	}
	if in.ServiceID != 0 && s.Catalog != nil {
		if _, err := s.Catalog.FindService(ctx, access.System("communities"), fmt.Sprint(in.ServiceID)); engage.ErrorCode(err) == engage.ENOTFOUND {
			v.Add("service_id", "No catalog service with id %d.", in.ServiceID)
		} else if err != nil {
			return err
		}
	}
	if in.SponsorID != 0 {
		if _, err := s.Org.FindPersonByID(ctx, in.SponsorID); engage.ErrorCode(err) == engage.ENOTFOUND {
			v.Add("sponsor_id", "No person with id %d.", in.SponsorID)
		} else if err != nil {
			return err
		}
	}
	return v.Err()
}

// Create adds a community. Administrators and moderators only. Sending the
// same community again returns the one created.
func (s *Service) Create(ctx context.Context, p *access.Principal, in Input) (Community, error) {
	if err := requireReader(p); err != nil {
		return Community{}, err
	}
	if !MayManage(p) {
		return Community{}, engage.Errorf(engage.EFORBIDDEN, "Only administrators and moderators create communities.")
	}
	if err := s.check(ctx, &in); err != nil {
		return Community{}, err
	}
	var out Community
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		if existing, err := find(ctx, tx, "c.slug = ?", in.Slug); err == nil {
			if existing.Input() == in {
				out = existing
				return nil
			}
			return &engage.Error{Code: engage.ECONFLICT, Message: "Some fields need fixing.",
				Fields: []engage.FieldError{{Field: "slug", Message: in.Slug + " is already the handle of " + existing.Name + "."}}}
		} else if engage.ErrorCode(err) != engage.ENOTFOUND {
			return err
		}
		now := s.Clock.Now()
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO communities(slug, name, kind, visibility, description, service_id, location_id, function_id,
			sponsor_id, archived, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, 1, ?, ?) RETURNING id`,
			in.Slug, in.Name, in.Kind, in.Visibility, in.Description, db.NullID(in.ServiceID), db.NullID(in.LocationID),
			db.NullID(in.FunctionID), db.NullID(in.SponsorID), now, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("saving community %s: %w", in.Slug, err)
		}
		if err := audit.Record(ctx, tx, now, p, "create", "community", id, "Community "+in.Slug+": "+in.Name, nil, in); err != nil {
			return err
		}
		out, err = find(ctx, tx, "c.id = ?", id)
		return err
	})
	return out, err
}

// Join makes p a member of the community id: at once for an open or
// announcement-only community, as a request for a closed one. Joining
// again changes nothing; joining after leaving clears the opt-out.
func (s *Service) Join(ctx context.Context, p *access.Principal, id int64) (Rights, error) {
	if err := requireReader(p); err != nil {
		return Rights{}, err
	}
	var out Rights
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		c, err := find(ctx, tx, "c.id = ?", id)
		if err != nil {
			return err
		}
		if c.Archived {
			return engage.Errorf(engage.ENOTFOUND, "There is no such community.")
		}
		r, err := s.rightsIn(ctx, tx, p, c)
		if err != nil || r.Member || r.Requested {
			out = r
			return err
		}
		now := s.Clock.Now()
		hand, requested, action := true, false, "join"
		if c.Visibility == Closed && !r.Moderate {
			hand, requested, action = false, true, "ask to join"
			// Someone a rule admits, who left, comes back by clearing the
			// opt-out: there is nothing to ask.
			if m, err := readMembership(ctx, tx, c.ID, p.PersonID); err != nil {
				return err
			} else if m.byRule && m.optedOut {
				requested, action = false, "join"
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO community_members(community_id, person_id, by_hand, by_rule, opted_out, requested, since)
			VALUES (?, ?, ?, FALSE, FALSE, ?, ?)
			ON CONFLICT (community_id, person_id) DO UPDATE SET by_hand = excluded.by_hand OR community_members.by_hand,
			opted_out = FALSE, requested = excluded.requested, since = excluded.since`, c.ID, p.PersonID, hand, requested, now)
		if err != nil {
			return fmt.Errorf("joining %s: %w", c.Slug, err)
		}
		if err := audit.Record(ctx, tx, now, p, action, "community", c.ID, p.Name+" in "+c.Name, nil, nil); err != nil {
			return err
		}
		if action == "join" {
			if err := activity.Send(ctx, s.Signals, tx, activity.Signal{Kind: activity.Joined, PersonID: p.PersonID, CommunityID: c.ID,
				Ref: "community:" + c.Slug, At: now}); err != nil {
				return err
			}
		}
		out, err = s.rightsIn(ctx, tx, p, c)
		return err
	})
	return out, err
}

// Leave ends p's membership of the community id. When a rule makes p a
// member, the opt-out is kept until p joins again.
func (s *Service) Leave(ctx context.Context, p *access.Principal, id int64) (Rights, error) {
	if err := requireReader(p); err != nil {
		return Rights{}, err
	}
	var out Rights
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		c, err := find(ctx, tx, "c.id = ?", id)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		res, err := tx.Exec(ctx, `UPDATE community_members SET by_hand = FALSE, requested = FALSE, opted_out = by_rule, since = ?
			WHERE community_id = ? AND person_id = ? AND (by_hand OR requested OR (by_rule AND NOT opted_out))`, now, c.ID, p.PersonID)
		if err != nil {
			return fmt.Errorf("leaving %s: %w", c.Slug, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k > 0 {
			if err := audit.Record(ctx, tx, now, p, "leave", "community", c.ID, p.Name+" left "+c.Name, nil, nil); err != nil {
				return err
			}
		}
		out, err = s.rightsIn(ctx, tx, p, c)
		return err
	})
	return out, err
}
