package community

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
)

// Publisher tells people that something happened; it runs in the caller's
// transaction (package notify).
type Publisher interface {
	Publish(ctx context.Context, tx *db.Tx, ev notify.Event) error
}

// EventTypes are the events communities publish: a request to join a
// closed community granted or refused.
var EventTypes = []string{"community.request_granted", "community.request_refused"}

// StaffRoles lists every staff role, in the order pages show them.
var StaffRoles = []StaffRole{ModeratorRole, ITStaff, Support}

// StaffLabels name the staff roles for people.
var StaffLabels = map[StaffRole]string{ModeratorRole: "Moderator", ITStaff: "IT staff", Support: "Local support contact"}

// StaffMember is someone named on a community's page.
type StaffMember struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Title string `json:"title,omitempty"`
}

// Staff is who runs a community, with their names: the header of its page.
type Staff struct {
	Sponsor    *StaffMember  `json:"sponsor,omitempty" doc:"The executive sponsor; absent when there is none"`
	Moderators []StaffMember `json:"moderators" nullable:"false"`
	ITStaff    []StaffMember `json:"it_staff" nullable:"false"`
	Support    []StaffMember `json:"support" nullable:"false" doc:"Local support contacts"`
}

// readable returns the community id when p may read it.
func (s *Service) readable(ctx context.Context, p *access.Principal, id int64) (Community, error) {
	return s.allowed(ctx, p, id, func(r Rights) bool { return r.Read }, "Only the members of %s see who is in it.")
}

// moderated returns the community id when p moderates it: its moderators,
// people holding the moderator role, and administrators.
func (s *Service) moderated(ctx context.Context, p *access.Principal, id int64) (Community, error) {
	return s.allowed(ctx, p, id, func(r Rights) bool { return r.Moderate }, "Only the moderators of %s may do this.")
}

// allowed returns the community id when p's rights in it pass ok, and
// refuses with refusal (naming the community) when they do not.
func (s *Service) allowed(ctx context.Context, p *access.Principal, id int64, ok func(Rights) bool, refusal string) (Community, error) {
	c, err := s.Find(ctx, p, id)
	if err != nil {
		return c, err
	}
	r, err := s.rightsIn(ctx, s.DB, p, c)
	if err != nil {
		return c, err
	}
	if !ok(r) {
		return c, engage.Errorf(engage.EFORBIDDEN, refusal, c.Name)
	}
	return c, nil
}

func requireManager(p *access.Principal) error {
	if err := requireReader(p); err != nil {
		return err
	}
	if !MayManage(p) {
		return engage.Errorf(engage.EFORBIDDEN, "Only administrators and moderators manage communities.")
	}
	return nil
}

// Staff returns who runs the community id, with names. Everyone who may
// see the community may.
func (s *Service) Staff(ctx context.Context, p *access.Principal, id int64) (Staff, error) {
	c, err := s.Find(ctx, p, id)
	if err != nil {
		return Staff{}, err
	}
	return staffOf(ctx, s.DB, c)
}

func staffOf(ctx context.Context, q db.Querier, c Community) (Staff, error) {
	out := Staff{Moderators: []StaffMember{}, ITStaff: []StaffMember{}, Support: []StaffMember{}}
	rows, err := q.Query(ctx, `SELECT st.role, p.id, p.name, p.email, p.title FROM community_staff st JOIN people p ON p.id = st.person_id
		WHERE st.community_id = ? ORDER BY p.name, p.id`, c.ID)
	if err != nil {
		return out, fmt.Errorf("reading a community's staff: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var role StaffRole
		var pe StaffMember
		if err := rows.Scan(&role, &pe.ID, &pe.Name, &pe.Email, &pe.Title); err != nil {
			return out, fmt.Errorf("reading a community's staff: %w", err)
		}
		switch role {
		case ModeratorRole:
			out.Moderators = append(out.Moderators, pe)
		case ITStaff:
			out.ITStaff = append(out.ITStaff, pe)
		case Support:
			out.Support = append(out.Support, pe)
		}
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	if c.SponsorID != 0 {
		var sp StaffMember
		if err := q.QueryRow(ctx, "SELECT id, name, email, title FROM people WHERE id = ?", c.SponsorID).Scan(&sp.ID, &sp.Name, &sp.Email, &sp.Title); err != nil {
			return out, fmt.Errorf("reading a community's sponsor: %w", err)
		}
		out.Sponsor = &sp
	}
	return out, nil
}

func staleVersion(version int) error {
	return engage.Errorf(engage.ECONFLICT,
		"Someone else changed this community after you opened it (you edited version %d). Reload it to see their change, then make yours again.", version)
}

// Update replaces the community's fields, sponsor included, if version is
// the one read. Administrators and moderators only.
func (s *Service) Update(ctx context.Context, p *access.Principal, id int64, version int, in Input) (Community, error) {
	if err := requireManager(p); err != nil {
		return Community{}, err
	}
	if err := s.check(ctx, &in); err != nil {
		return Community{}, err
	}
	var out Community
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		cur, err := find(ctx, tx, "c.id = ?", id)
		if err != nil {
			return err
		}
		if cur.Version != version {
			return staleVersion(version)
		}
		if cur.Input() == in {
			out = cur
			return nil
		}
		now := s.Clock.Now()
		_, err = tx.Exec(ctx, `UPDATE communities SET slug = ?, name = ?, kind = ?, visibility = ?, description = ?, service_id = ?, location_id = ?,
			function_id = ?, sponsor_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			in.Slug, in.Name, in.Kind, in.Visibility, in.Description, db.NullID(in.ServiceID), db.NullID(in.LocationID), db.NullID(in.FunctionID),
			db.NullID(in.SponsorID), now, id, version)
		if db.IsUniqueViolation(err) {
			return &engage.Error{Code: engage.ECONFLICT, Message: "Some fields need fixing.",
				Fields: []engage.FieldError{{Field: "slug", Message: in.Slug + " is already the handle of another community."}}}
		} else if err != nil {
			return fmt.Errorf("saving community %s: %w", in.Slug, err)
		}
		if err := audit.Record(ctx, tx, now, p, "update", "community", id, "Community "+in.Slug+": "+in.Name, cur.Input(), in); err != nil {
			return err
		}
		out, err = find(ctx, tx, "c.id = ?", id)
		return err
	})
	return out, err
}

// SetArchived archives the community id (it leaves every list; its pages
// stay for those who manage communities) or brings it back, if version is
// the one read. Administrators and moderators only; asking for the state
// it is in changes nothing.
func (s *Service) SetArchived(ctx context.Context, p *access.Principal, id int64, version int, archived bool) (Community, error) {
	if err := requireManager(p); err != nil {
		return Community{}, err
	}
	var out Community
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		cur, err := find(ctx, tx, "c.id = ?", id)
		if err != nil {
			return err
		}
		if cur.Archived == archived {
			out = cur
			return nil
		}
		if cur.Version != version {
			return staleVersion(version)
		}
		now := s.Clock.Now()
		if _, err := tx.Exec(ctx, "UPDATE communities SET archived = ?, version = version + 1, updated_at = ? WHERE id = ?", archived, now, id); err != nil {
			return fmt.Errorf("archiving %s: %w", cur.Slug, err)
		}
		action := map[bool]string{true: "archive", false: "restore"}[archived]
		if err := audit.Record(ctx, tx, now, p, action, "community", id, "Community "+cur.Slug+": "+cur.Name,
			map[string]bool{"archived": cur.Archived}, map[string]bool{"archived": archived}); err != nil {
			return err
		}
		out, err = find(ctx, tx, "c.id = ?", id)
		return err
	})
	return out, err
}

// AddStaff names personID to role in the community id. Administrators and
// moderators only; naming someone already named changes nothing.
func (s *Service) AddStaff(ctx context.Context, p *access.Principal, id, personID int64, role StaffRole) (Staff, error) {
	return s.changeStaff(ctx, p, id, personID, role, true)
}

// RemoveStaff takes personID off role in the community id. Administrators
// and moderators only; removing someone not named changes nothing.
func (s *Service) RemoveStaff(ctx context.Context, p *access.Principal, id, personID int64, role StaffRole) (Staff, error) {
	return s.changeStaff(ctx, p, id, personID, role, false)
}

func (s *Service) changeStaff(ctx context.Context, p *access.Principal, id, personID int64, role StaffRole, add bool) (Staff, error) {
	if err := requireManager(p); err != nil {
		return Staff{}, err
	}
	var v engage.Validation
	if !slices.Contains(StaffRoles, role) {
		v.Add("role", "Choose moderator, it_staff or support.")
	}
	who, err := s.Org.FindPersonByID(ctx, personID)
	if engage.ErrorCode(err) == engage.ENOTFOUND || personID <= 0 {
		v.Add("person_id", "No person with id %d.", personID)
	} else if err != nil {
		return Staff{}, err
	}
	if err := v.Err(); err != nil {
		return Staff{}, err
	}
	var out Staff
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		c, err := find(ctx, tx, "c.id = ?", id)
		if err != nil {
			return err
		}
		query, action := `INSERT INTO community_staff(community_id, person_id, role) VALUES (?, ?, ?)
			ON CONFLICT (community_id, person_id, role) DO NOTHING`, "add staff"
		if !add {
			query, action = "DELETE FROM community_staff WHERE community_id = ? AND person_id = ? AND role = ?", "remove staff"
		}
		res, err := tx.Exec(ctx, query, c.ID, personID, role)
		if err != nil {
			return fmt.Errorf("changing the staff of %s: %w", c.Slug, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			if err := audit.Record(ctx, tx, s.Clock.Now(), p, action, "community", c.ID,
				fmt.Sprintf("%s: %s as %s", c.Name, who.Name, StaffLabels[role]), nil, map[string]any{"person_id": personID, "role": role}); err != nil {
				return err
			}
		}
		out, err = staffOf(ctx, tx, c)
		return err
	})
	return out, err
}

// Member is one person's place in a community, as its members page shows
// it: how they are in (by hand, by rule and which rules), or that they left
// or asked to join.
type Member struct {
	PersonID   int64     `json:"person_id"`
	Name       string    `json:"name"`
	Department string    `json:"department,omitempty"`
	ByHand     bool      `json:"by_hand"`
	ByRule     bool      `json:"by_rule"`
	OptedOut   bool      `json:"opted_out" doc:"Left although a rule matches them; kept until they join again"`
	Requested  bool      `json:"requested" doc:"Asked to join a closed community"`
	Rules      []string  `json:"rules" nullable:"false" doc:"The rules that match them, in words"`
	Since      time.Time `json:"since"`
}

// Member reports whether m belongs to the community now.
func (m Member) Member() bool { return (m.ByHand || m.ByRule) && !m.OptedOut }

// MemberFilter narrows a community's people.
type MemberFilter struct {
	// Show is "members" (the default), "opted_out" or "requests".
	Show  string
	Query string // part of a name
	After int64  // the last person id of the previous page
	Limit int    // 1–500; 100 when 0
}

// Members lists the community's members (or those who left, or who ask to
// join) by name, with why each is in. Whoever reads the community may see
// its members; those who left and requests are for its moderators.
func (s *Service) Members(ctx context.Context, p *access.Principal, id int64, f MemberFilter) ([]Member, error) {
	var c Community
	var err error
	switch f.Show {
	case "", "members":
		f.Show = "members"
		c, err = s.readable(ctx, p, id)
	case "opted_out", "requests":
		c, err = s.moderated(ctx, p, id)
	default:
		var v engage.Validation
		v.Add("show", "Choose members, opted_out or requests.")
		return nil, v.Err()
	}
	if err != nil {
		return nil, err
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 1 || f.Limit > 500 {
		var v engage.Validation
		v.Add("limit", "Ask for 1 to 500 people at a time.")
		return nil, v.Err()
	}
	where := map[string]string{"members": memberWhere, "opted_out": "m.opted_out", "requests": "m.requested AND NOT m.by_hand"}[f.Show]
	args := []any{c.ID, f.After}
	if q := strings.TrimSpace(f.Query); q != "" {
		where += ` AND LOWER(p.name) LIKE ? ESCAPE '\'`
		args = append(args, db.Like(q))
	}
	args = append(args, f.Limit)
	rows, err := s.DB.Query(ctx, `SELECT m.person_id, p.name, COALESCE(d.name, ''), m.by_hand, m.by_rule, m.opted_out, m.requested, m.since,
		COALESCE(p.department_id, 0), COALESCE(p.location_id, 0), COALESCE(p.function_id, 0), p.active
		FROM community_members m JOIN people p ON p.id = m.person_id LEFT JOIN departments d ON d.id = p.department_id
		WHERE m.community_id = ? AND m.person_id > ? AND `+where+` ORDER BY m.person_id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("reading members: %w", err)
	}
	out := []Member{}
	var people []person
	for rows.Next() {
		var m Member
		var pe person
		if err := rows.Scan(&m.PersonID, &m.Name, &m.Department, &m.ByHand, &m.ByRule, &m.OptedOut, &m.Requested, &m.Since,
			&pe.department, &pe.location, &pe.function, &pe.active); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading members: %w", err)
		}
		m.Since, m.Rules, pe.id = m.Since.UTC(), []string{}, m.PersonID
		out = append(out, m)
		people = append(people, pe)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// Why: the rules that match each person now, in words.
	mt, err := s.newMatcher(ctx, s.DB, []int64{c.ID})
	if err != nil {
		return nil, err
	}
	if mt.needsRoles {
		ids := make([]int64, len(people))
		for i, pe := range people {
			ids[i] = pe.id
		}
		if mt.roles, err = org.RolesOf(ctx, s.DB, ids); err != nil {
			return nil, err
		}
	}
	labels := map[int64]string{}
	for i, pe := range people {
		mt.matches(c.ID, pe, func(r Rule) bool {
			if _, ok := labels[r.ID]; !ok {
				labels[r.ID], _ = s.label(ctx, RuleInput{Kind: r.Kind, RefID: r.RefID, Role: r.Role})
			}
			out[i].Rules = append(out[i].Rules, labels[r.ID])
			return true
		})
	}
	return out, nil
}

// JoinRequest is someone asking to join a closed community.
type JoinRequest struct {
	CommunityID int64     `json:"community_id"`
	PersonID    int64     `json:"person_id"`
	Name        string    `json:"name"`
	Since       time.Time `json:"since"`
}

// Requests lists who asks to join the community id, oldest first. Its
// moderators only.
func (s *Service) Requests(ctx context.Context, p *access.Principal, id int64) ([]JoinRequest, error) {
	c, err := s.moderated(ctx, p, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Query(ctx, `SELECT m.person_id, p.name, m.since FROM community_members m JOIN people p ON p.id = m.person_id
		WHERE m.community_id = ? AND m.requested AND NOT m.by_hand ORDER BY m.since, m.person_id LIMIT 500`, c.ID)
	if err != nil {
		return nil, fmt.Errorf("reading requests: %w", err)
	}
	defer rows.Close()
	out := []JoinRequest{}
	for rows.Next() {
		r := JoinRequest{CommunityID: c.ID}
		if err := rows.Scan(&r.PersonID, &r.Name, &r.Since); err != nil {
			return nil, fmt.Errorf("reading requests: %w", err)
		}
		r.Since = r.Since.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Decide grants or refuses personID's request to join the community id;
// the person is told in their inbox. Its moderators only. Deciding a
// request that is no longer waiting changes nothing.
func (s *Service) Decide(ctx context.Context, p *access.Principal, id, personID int64, grant bool) error {
	c, err := s.moderated(ctx, p, id)
	if err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		m, err := readMembership(ctx, tx, c.ID, personID)
		if err != nil {
			return err
		}
		if !m.requested || m.byHand {
			return nil
		}
		now := s.Clock.Now()
		query := "UPDATE community_members SET requested = FALSE, by_hand = TRUE, opted_out = FALSE, since = ? WHERE community_id = ? AND person_id = ?"
		action, title := "grant", "You are now a member of "+c.Name
		if !grant {
			query = "UPDATE community_members SET requested = FALSE, since = ? WHERE community_id = ? AND person_id = ?"
			action, title = "refuse", "Your request to join "+c.Name+" was refused"
		}
		if _, err := tx.Exec(ctx, query, now, c.ID, personID); err != nil {
			return fmt.Errorf("deciding a request to join %s: %w", c.Slug, err)
		}
		if !grant {
			if _, err := tx.Exec(ctx, `DELETE FROM community_members WHERE community_id = ? AND person_id = ?
				AND NOT by_hand AND NOT by_rule AND NOT opted_out AND NOT requested`, c.ID, personID); err != nil {
				return fmt.Errorf("deciding a request to join %s: %w", c.Slug, err)
			}
		}
		if err := audit.Record(ctx, tx, now, p, action+" request", "community", c.ID, c.Name+": person "+strconv.FormatInt(personID, 10),
			nil, map[string]any{"person_id": personID, "granted": grant}); err != nil {
			return err
		}
		if grant {
			if err := activity.Send(ctx, s.Signals, tx, activity.Signal{Kind: activity.Joined, PersonID: personID, CommunityID: c.ID,
				Ref: "community:" + c.Slug, At: now}); err != nil {
				return err
			}
		}
		if s.Publisher == nil {
			return nil
		}
		return s.Publisher.Publish(ctx, tx, notify.Event{Type: "community.request_" + map[bool]string{true: "granted", false: "refused"}[grant],
			Subject: c.Name, Title: title, Link: "/communities/" + c.Slug, Recipients: []int64{personID}, At: now,
			Data: map[string]any{"community": c.Slug, "person_id": personID, "granted": grant}})
	})
}

// Names returns the names of the communities given, by id; it reads
// through q and checks no access. Announcements use it to name their
// audience.
func (s *Service) Names(ctx context.Context, q db.Querier, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for c := range slices.Chunk(ids, chunk) {
		rows, err := q.Query(ctx, "SELECT id, name FROM communities WHERE id IN ("+db.Placeholders(len(c))+")", db.Args(c)...)
		if err != nil {
			return nil, fmt.Errorf("reading community names: %w", err)
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
