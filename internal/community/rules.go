package community

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
)

// RuleKind is what a membership rule matches people by.
type RuleKind string

// Kinds of membership rule. A community's rules add up: a person matched
// by any of them is a member (unless they left).
const (
	RuleLocation   RuleKind = "location"   // works at the location
	RuleFunction   RuleKind = "function"   // works in the business function
	RuleDepartment RuleKind = "department" // is in the department or one below it
	RuleRole       RuleKind = "role"       // holds the role
	RuleService    RuleKind = "service"    // their department subscribes to an offering of the service
	RuleOffering   RuleKind = "offering"   // their department subscribes to the offering
)

// RuleKinds lists every kind of rule, in the order forms show them.
var RuleKinds = []RuleKind{RuleLocation, RuleFunction, RuleDepartment, RuleRole, RuleService, RuleOffering}

// Rule is one membership rule of a community.
type Rule struct {
	ID          int64    `json:"id"`
	CommunityID int64    `json:"community_id"`
	Kind        RuleKind `json:"kind" enum:"location,function,department,role,service,offering"`
	RefID       int64    `json:"ref_id,omitempty" doc:"The location, function, department, service or offering"`
	Role        string   `json:"role,omitempty" doc:"The role, for a role rule"`
	Label       string   `json:"label" readOnly:"true" doc:"What it matches, in words"`
}

// RuleInput is a rule to add.
type RuleInput struct {
	Kind  RuleKind `json:"kind" enum:"location,function,department,role,service,offering"`
	RefID int64    `json:"ref_id,omitempty" minimum:"0"`
	Role  string   `json:"role,omitempty" maxLength:"40"`
}

var rulesSystem = access.System("communities")

// Rules returns the community's membership rules, with what each matches
// in words. Whoever reads the community may.
func (s *Service) Rules(ctx context.Context, p *access.Principal, id int64) ([]Rule, error) {
	if _, err := s.readable(ctx, p, id); err != nil {
		return nil, err
	}
	return s.rules(ctx, s.DB, id)
}

func (s *Service) rules(ctx context.Context, q db.Querier, id int64) ([]Rule, error) {
	rows, err := q.Query(ctx, "SELECT id, community_id, kind, ref_id, role FROM community_rules WHERE community_id = ? ORDER BY kind, ref_id, role, id", id)
	if err != nil {
		return nil, fmt.Errorf("reading a community's rules: %w", err)
	}
	out := []Rule{}
	for rows.Next() {
		var r Rule
		if err := rows.Scan(&r.ID, &r.CommunityID, &r.Kind, &r.RefID, &r.Role); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading a community's rules: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		label, err := s.label(ctx, RuleInput{Kind: out[i].Kind, RefID: out[i].RefID, Role: out[i].Role})
		if err != nil && engage.ErrorCode(err) != engage.ENOTFOUND {
			return nil, err
		}
		out[i].Label = label
	}
	return out, nil
}

// label says in words what a rule matches; a reference that does not
// exist is not found.
func (s *Service) label(ctx context.Context, in RuleInput) (string, error) {
	switch in.Kind {
	case RuleLocation:
		l, err := s.Org.FindLocation(ctx, rulesSystem, in.RefID)
		return "Works at " + l.Name, err
	case RuleFunction:
		f, err := s.Org.FindFunction(ctx, rulesSystem, in.RefID)
		return "Works in " + f.Name, err
	case RuleDepartment:
		d, err := s.Org.FindDepartment(ctx, rulesSystem, in.RefID)
		return "In " + d.Name + " or a department below it", err
	case RuleRole:
		return "Holds the role " + access.RoleLabels[access.Role(in.Role)], nil
	case RuleService:
		if s.Catalog == nil {
			return "", engage.Errorf(engage.ENOTFOUND, "There is no catalog.")
		}
		svc, err := s.Catalog.FindService(ctx, rulesSystem, fmt.Sprint(in.RefID))
		return "Their department subscribes to " + svc.Service.Name, err
	case RuleOffering:
		if s.Catalog == nil {
			return "", engage.Errorf(engage.ENOTFOUND, "There is no catalog.")
		}
		o, svc, err := s.Catalog.FindOffering(ctx, rulesSystem, in.RefID)
		return "Their department subscribes to " + svc.Name + ": " + o.Name, err
	}
	return "", engage.Errorf(engage.ENOTFOUND, "There is no such rule.")
}

func (s *Service) checkRule(ctx context.Context, in *RuleInput) error {
	in.Role = strings.TrimSpace(in.Role)
	var v engage.Validation
	switch {
	case !slices.Contains(RuleKinds, in.Kind):
		v.Add("kind", "Choose location, function, department, role, service or offering.")
	case in.Kind == RuleRole:
		in.RefID = 0
		if _, ok := access.ParseRole(in.Role); !ok {
			v.Add("role", "Name a role, such as requester or service_owner.")
		}
	default:
		in.Role = ""
		if in.RefID <= 0 {
			v.Add("ref_id", "Choose the %s the rule matches.", in.Kind)
		} else if _, err := s.label(ctx, *in); engage.ErrorCode(err) == engage.ENOTFOUND {
			v.Add("ref_id", "No %s with id %d.", in.Kind, in.RefID)
		} else if err != nil {
			return err
		}
	}
	return v.Err()
}

// AddRule adds a membership rule to the community id and makes the people
// it matches members at once (those who left stay out). The community's
// moderators, moderators and administrators may. Adding a rule it already
// has changes nothing.
func (s *Service) AddRule(ctx context.Context, p *access.Principal, id int64, in RuleInput) (Rule, error) {
	c, err := s.moderated(ctx, p, id)
	if err != nil {
		return Rule{}, err
	}
	if err := s.checkRule(ctx, &in); err != nil {
		return Rule{}, err
	}
	label, err := s.label(ctx, in)
	if err != nil {
		return Rule{}, err
	}
	out := Rule{CommunityID: c.ID, Kind: in.Kind, RefID: in.RefID, Role: in.Role, Label: label}
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO community_rules(community_id, kind, ref_id, role) VALUES (?, ?, ?, ?)
			ON CONFLICT (community_id, kind, ref_id, role) DO NOTHING`, c.ID, in.Kind, in.RefID, in.Role)
		if err != nil {
			return fmt.Errorf("adding a rule to %s: %w", c.Slug, err)
		}
		if err := tx.QueryRow(ctx, "SELECT id FROM community_rules WHERE community_id = ? AND kind = ? AND ref_id = ? AND role = ?",
			c.ID, in.Kind, in.RefID, in.Role).Scan(&out.ID); err != nil {
			return fmt.Errorf("adding a rule to %s: %w", c.Slug, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		now := s.Clock.Now()
		if err := audit.Record(ctx, tx, now, p, "add rule", "community", c.ID, c.Name+": "+label, nil, in); err != nil {
			return err
		}
		return s.reevaluate(ctx, tx, nil, []int64{c.ID})
	})
	return out, err
}

// RemoveRule takes a rule off the community id; the people only it made
// members stop being members. Removing it again changes nothing.
func (s *Service) RemoveRule(ctx context.Context, p *access.Principal, id, ruleID int64) error {
	c, err := s.moderated(ctx, p, id)
	if err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		var in RuleInput
		err := tx.QueryRow(ctx, "SELECT kind, ref_id, role FROM community_rules WHERE id = ? AND community_id = ?", ruleID, c.ID).Scan(&in.Kind, &in.RefID, &in.Role)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading a rule: %w", err)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM community_rules WHERE id = ?", ruleID); err != nil {
			return fmt.Errorf("removing a rule: %w", err)
		}
		label, _ := s.label(ctx, in)
		if err := audit.Record(ctx, tx, s.Clock.Now(), p, "remove rule", "community", c.ID, c.Name+": "+label, in, nil); err != nil {
			return err
		}
		return s.reevaluate(ctx, tx, nil, []int64{c.ID})
	})
}

// PeopleChanged re-evaluates the membership rules for the people given,
// inside tx: organisation calls it (org.Service.OnPeopleChanged) when they
// move, change roles or their department moves.
func (s *Service) PeopleChanged(ctx context.Context, tx *db.Tx, personIDs []int64) error {
	if len(personIDs) == 0 {
		return nil
	}
	return s.reevaluate(ctx, tx, personIDs, nil)
}

// SubscriptionsChanged re-evaluates the rules on subscriptions for the
// people of the departments given, inside tx: the catalog calls it
// (catalog.Catalog.OnSubscriptionsChanged) when orders take effect.
func (s *Service) SubscriptionsChanged(ctx context.Context, tx *db.Tx, departmentIDs []int64) error {
	if len(departmentIDs) == 0 {
		return nil
	}
	var people []int64
	for chunk := range slices.Chunk(departmentIDs, 500) {
		ids, err := db.QueryIDs(ctx, tx, "SELECT id FROM people WHERE department_id IN ("+db.Placeholders(len(chunk))+")", db.Args(chunk)...)
		if err != nil {
			return fmt.Errorf("reading the people of departments: %w", err)
		}
		people = append(people, ids...)
	}
	if len(people) == 0 {
		return nil
	}
	return s.reevaluate(ctx, tx, people, nil)
}

// Reevaluate evaluates every rule of every community for everyone, in one
// transaction: the demo loader and repairs use it.
func (s *Service) Reevaluate(ctx context.Context, p *access.Principal) error {
	if !MayManage(p) {
		return engage.Errorf(engage.EFORBIDDEN, "Only administrators and moderators re-evaluate communities.")
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error { return s.reevaluate(ctx, tx, nil, nil) }, db.BulkWrite())
}

// person is what rules look at.
type person struct {
	id, department, location, function int64
	active                             bool
}

// matcher answers which rules match a person.
type matcher struct {
	rules      map[int64][]Rule         // by community
	below      map[int64]map[int64]bool // department rule's root → departments in its tree
	roles      map[int64][]access.Role  // person → roles
	offerings  map[int64]map[int64]bool // department → offerings subscribed
	services   map[int64]map[int64]bool // department → services subscribed
	needsRoles bool
}

// matches reports which of community's rules match pe.
func (m *matcher) matches(community int64, pe person, each func(Rule) bool) {
	if !pe.active {
		return
	}
	for _, r := range m.rules[community] {
		ok := false
		switch r.Kind {
		case RuleLocation:
			ok = pe.location == r.RefID
		case RuleFunction:
			ok = pe.function == r.RefID
		case RuleDepartment:
			ok = m.below[r.RefID][pe.department]
		case RuleRole:
			ok = slices.Contains(m.roles[pe.id], access.Role(r.Role))
		case RuleService:
			ok = m.services[pe.department][r.RefID]
		case RuleOffering:
			ok = m.offerings[pe.department][r.RefID]
		}
		if ok && !each(r) {
			return
		}
	}
}

// newMatcher loads the rules of the communities given (every community
// that is not archived when nil) and what they need to know.
func (s *Service) newMatcher(ctx context.Context, q db.Querier, communities []int64) (*matcher, error) {
	query := "SELECT r.id, r.community_id, r.kind, r.ref_id, r.role FROM community_rules r JOIN communities c ON c.id = r.community_id WHERE NOT c.archived"
	var args []any
	if communities != nil {
		query += " AND r.community_id IN (" + db.Placeholders(len(communities)) + ")"
		args = db.Args(communities)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading membership rules: %w", err)
	}
	m := &matcher{rules: map[int64][]Rule{}, below: map[int64]map[int64]bool{}}
	var kinds = map[RuleKind]bool{}
	var roots []int64
	for rows.Next() {
		var r Rule
		if err := rows.Scan(&r.ID, &r.CommunityID, &r.Kind, &r.RefID, &r.Role); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading membership rules: %w", err)
		}
		m.rules[r.CommunityID] = append(m.rules[r.CommunityID], r)
		kinds[r.Kind] = true
		if r.Kind == RuleDepartment {
			roots = append(roots, r.RefID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(roots) > 0 {
		children, err := departmentChildren(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, root := range roots {
			tree := map[int64]bool{}
			stack := []int64{root}
			for len(stack) > 0 {
				id := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if !tree[id] {
					tree[id] = true
					stack = append(stack, children[id]...)
				}
			}
			m.below[root] = tree
		}
	}
	m.needsRoles = kinds[RuleRole]
	if (kinds[RuleService] || kinds[RuleOffering]) && s.Catalog != nil {
		subs, err := catalog.Subscriptions(ctx, q)
		if err != nil {
			return nil, err
		}
		m.offerings, m.services = map[int64]map[int64]bool{}, map[int64]map[int64]bool{}
		for _, sub := range subs {
			if m.offerings[sub.DepartmentID] == nil {
				m.offerings[sub.DepartmentID], m.services[sub.DepartmentID] = map[int64]bool{}, map[int64]bool{}
			}
			m.offerings[sub.DepartmentID][sub.OfferingID] = true
			m.services[sub.DepartmentID][sub.ServiceID] = true
		}
	}
	return m, nil
}

func departmentChildren(ctx context.Context, q db.Querier) (map[int64][]int64, error) {
	rows, err := q.Query(ctx, "SELECT id, COALESCE(parent_id, 0) FROM departments")
	if err != nil {
		return nil, fmt.Errorf("reading the department tree: %w", err)
	}
	defer rows.Close()
	children := map[int64][]int64{}
	for rows.Next() {
		var id, parent int64
		if err := rows.Scan(&id, &parent); err != nil {
			return nil, fmt.Errorf("reading the department tree: %w", err)
		}
		children[parent] = append(children[parent], id)
	}
	return children, rows.Err()
}

// chunk is how many ids go in one IN list or multi-row insert, well under
// both engines' limits on bound parameters.
const chunk = 400

// loadPeople reads the people given (everyone when nil) as rules see them,
// with their roles when the rules need them.
func (m *matcher) loadPeople(ctx context.Context, q db.Querier, ids []int64) ([]person, error) {
	const cols = "SELECT id, COALESCE(department_id, 0), COALESCE(location_id, 0), COALESCE(function_id, 0), active FROM people"
	var out []person
	read := func(query string, args ...any) error {
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("reading people: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var pe person
			if err := rows.Scan(&pe.id, &pe.department, &pe.location, &pe.function, &pe.active); err != nil {
				return fmt.Errorf("reading people: %w", err)
			}
			out = append(out, pe)
		}
		return rows.Err()
	}
	if ids == nil {
		if err := read(cols + " ORDER BY id"); err != nil {
			return nil, err
		}
	} else {
		for c := range slices.Chunk(ids, chunk) {
			if err := read(cols+" WHERE id IN ("+db.Placeholders(len(c))+")", db.Args(c)...); err != nil {
				return nil, err
			}
		}
	}
	if m.needsRoles {
		all := make([]int64, len(out))
		for i, pe := range out {
			all[i] = pe.id
		}
		var err error
		if m.roles, err = org.RolesOf(ctx, q, all); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type pair struct{ community, person int64 }

// reevaluate brings community_members.by_rule in line with the rules for
// the people given (everyone when nil) in the communities given (every
// community that is not archived when nil), inside tx. A match never
// clears an opt-out; a person no rule matches any more keeps what they did
// by hand and their opt-out.
func (s *Service) reevaluate(ctx context.Context, tx *db.Tx, people, communities []int64) error {
	m, err := s.newMatcher(ctx, tx, communities)
	if err != nil {
		return err
	}
	if communities == nil && len(m.rules) == 0 {
		// No rules anywhere: only stale matches could need clearing.
		var stale int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM community_members WHERE by_rule").Scan(&stale); err != nil {
			return fmt.Errorf("reading members: %w", err)
		} else if stale == 0 {
			return nil
		}
	}
	if people != nil {
		slices.Sort(people)
		people = slices.Compact(people)
	}
	list, err := m.loadPeople(ctx, tx, people)
	if err != nil {
		return err
	}
	want := map[pair]bool{}
	for _, pe := range list {
		for c := range m.rules {
			m.matches(c, pe, func(Rule) bool { want[pair{c, pe.id}] = true; return false })
		}
	}
	have, err := ruleMembers(ctx, tx, people, communities)
	if err != nil {
		return err
	}
	var add, drop []pair
	for k := range want {
		if !have[k] {
			add = append(add, k)
		}
	}
	for k := range have {
		if !want[k] {
			drop = append(drop, k)
		}
	}
	now := s.Clock.Now()
	sortPairs(add)
	for c := range slices.Chunk(add, chunk) {
		args := make([]any, 0, 4*len(c))
		for _, k := range c {
			args = append(args, k.community, k.person, now, true)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO community_members(community_id, person_id, since, by_rule) VALUES `+db.ValueRows(len(c), 4)+`
			ON CONFLICT (community_id, person_id) DO UPDATE SET by_rule = TRUE`, args...); err != nil {
			return fmt.Errorf("adding members by rule: %w", err)
		}
	}
	sortPairs(drop)
	byCommunity := map[int64][]int64{}
	var order []int64
	for _, k := range drop {
		if byCommunity[k.community] == nil {
			order = append(order, k.community)
		}
		byCommunity[k.community] = append(byCommunity[k.community], k.person)
	}
	for _, cid := range order {
		for c := range slices.Chunk(byCommunity[cid], chunk) {
			args := append([]any{cid}, db.Args(c)...)
			in := " AND person_id IN (" + db.Placeholders(len(c)) + ")"
			if _, err := tx.Exec(ctx, "UPDATE community_members SET by_rule = FALSE WHERE community_id = ?"+in, args...); err != nil {
				return fmt.Errorf("removing members by rule: %w", err)
			}
			if _, err := tx.Exec(ctx, "DELETE FROM community_members WHERE community_id = ?"+in+
				" AND NOT by_hand AND NOT requested AND NOT opted_out", args...); err != nil {
				return fmt.Errorf("removing members by rule: %w", err)
			}
		}
	}
	return nil
}

func sortPairs(ps []pair) {
	slices.SortFunc(ps, func(a, b pair) int {
		if a.community != b.community {
			return int(a.community - b.community)
		}
		return int(a.person - b.person)
	})
}

// ruleMembers reads who is a member by rule now, among people and
// communities (all when nil), in communities that are not archived.
func ruleMembers(ctx context.Context, q db.Querier, people, communities []int64) (map[pair]bool, error) {
	base := "SELECT m.community_id, m.person_id FROM community_members m JOIN communities c ON c.id = m.community_id WHERE m.by_rule AND NOT c.archived"
	var args []any
	if communities != nil {
		base += " AND m.community_id IN (" + db.Placeholders(len(communities)) + ")"
		args = db.Args(communities)
	}
	out := map[pair]bool{}
	read := func(query string, args ...any) error {
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("reading members by rule: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k pair
			if err := rows.Scan(&k.community, &k.person); err != nil {
				return fmt.Errorf("reading members by rule: %w", err)
			}
			out[k] = true
		}
		return rows.Err()
	}
	if people == nil {
		return out, read(base, args...)
	}
	for c := range slices.Chunk(people, chunk) {
		if err := read(base+" AND m.person_id IN ("+db.Placeholders(len(c))+")", append(slices.Clone(args), db.Args(c)...)...); err != nil {
			return nil, err
		}
	}
	return out, nil
}
