package approval

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

var subjectTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// ListPolicies lists policies in the order they are evaluated. Everyone
// signed in may read them, so that people can see why approval is needed.
func (s *Service) ListPolicies(ctx context.Context, p *access.Principal, cursor string, limit int) ([]Policy, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	return listPolicies(ctx, s.DB, cursor, limit)
}

// FindPolicy returns one policy; everyone signed in may read it.
func (s *Service) FindPolicy(ctx context.Context, p *access.Principal, id int64) (Policy, error) {
	if err := requireSignedIn(p); err != nil {
		return Policy{}, err
	}
	return findPolicy(ctx, s.DB, id)
}

// CreatePolicy adds a policy. Administrators only.
func (s *Service) CreatePolicy(ctx context.Context, p *access.Principal, in PolicyInput) (Policy, error) {
	if err := requireAdmin(p); err != nil {
		return Policy{}, err
	}
	var id int64
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		if err := checkPolicy(ctx, tx, &in, s.Currencies); err != nil {
			return err
		}
		var err error
		if id, err = insertPolicy(ctx, tx, in, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "create", "approval_policy", id, "Created approval policy "+in.Name, nil, in)
	})
	if err != nil {
		return Policy{}, err
	}
	return findPolicy(ctx, s.DB, id)
}

// UpdatePolicy replaces a policy if version is the one the editor read.
// Requests already submitted keep the stages and approvers they had.
func (s *Service) UpdatePolicy(ctx context.Context, p *access.Principal, id int64, version int, in PolicyInput) (Policy, error) {
	if err := requireAdmin(p); err != nil {
		return Policy{}, err
	}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		cur, err := findPolicy(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkPolicy(ctx, tx, &in, s.Currencies); err != nil {
			return err
		}
		n, err := updatePolicy(ctx, tx, id, version, in, now)
		if err != nil {
			return err
		} else if n == 0 {
			return engage.Errorf(engage.ECONFLICT,
				"Someone else changed this approval policy after you opened it (you edited version %d). Reload it to see their change, then make yours again.", version)
		}
		return audit.Record(ctx, tx, now, p, "update", "approval_policy", id, "Updated approval policy "+in.Name, cur.Input(), in)
	})
	if err != nil {
		return Policy{}, err
	}
	return findPolicy(ctx, s.DB, id)
}

// checkPolicy normalises in and names every field that is wrong.
func checkPolicy(ctx context.Context, q db.Querier, in *PolicyInput, currencies rating.Currencies) error {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	var v engage.Validation
	v.Require("name", in.Name, "a name for the policy")
	v.MaxLen("name", in.Name, 200)
	v.MaxLen("description", in.Description, 2000)
	if in.Priority < 0 {
		v.Add("priority", "Enter 0 or a larger whole number; lower numbers are tried first.")
	}

	c := &in.Conditions
	c.Currency = strings.ToUpper(strings.TrimSpace(c.Currency))
	switch {
	case c.MinAmount != nil && c.MinAmount.IsNegative():
		v.Add("conditions.min_amount", "Enter an amount of 0 or more.")
	case c.MinAmount != nil && rating.Fee.CheckIn(*c.MinAmount, c.Currency) != "":
		v.Add("conditions.min_amount", "%s", rating.Fee.CheckIn(*c.MinAmount, c.Currency))
	case c.MinAmount != nil && c.Currency == "":
		v.Add("conditions.currency", "Enter the three-letter currency code of the amount, for example EUR.")
	case c.MinAmount != nil && currencies.Check(c.Currency) != "":
		v.Add("conditions.currency", "%s", currencies.Check(c.Currency))
	case c.MinAmount == nil && c.Currency != "":
		v.Add("conditions.min_amount", "Enter the amount the currency %s applies to, or leave the currency empty.", c.Currency)
	}
	var bad bool
	if c.OfferingIDs, bad = positiveIDs(c.OfferingIDs); bad {
		v.Add("conditions.offering_ids", "Offering ids are whole numbers above 0.")
	}
	if c.ServiceIDs, bad = positiveIDs(c.ServiceIDs); bad {
		v.Add("conditions.service_ids", "Service ids are whole numbers above 0.")
	}
	if c.MinDataClass != "" && DataClassRank(c.MinDataClass) < 0 {
		v.Add("conditions.min_data_class", "Choose public, internal, confidential or restricted.")
	}
	c.DepartmentIDs, _ = positiveIDs(c.DepartmentIDs)
	if len(c.DepartmentIDs) > 0 {
		o, err := loadOrg(ctx, q)
		if err != nil {
			return err
		}
		for _, id := range c.DepartmentIDs {
			if _, ok := o.parent[id]; !ok {
				v.Add("conditions.department_ids", "No department with id %d.", id)
			}
		}
	}
	var types []string
	for _, t := range c.SubjectTypes {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || slices.Contains(types, t) {
			continue
		}
		if !subjectTypePattern.MatchString(t) {
			v.Add("conditions.subject_types", "%q is not a kind of request: use a word such as order or need.", t)
			continue
		}
		types = append(types, t)
	}
	c.SubjectTypes = types

	if len(in.Stages) == 0 {
		v.Add("stages", "Add at least one stage: who approves, and how many of them must agree.")
	}
	for i := range in.Stages {
		if err := checkStage(ctx, q, &v, fmt.Sprintf("stages[%d]", i), &in.Stages[i]); err != nil {
			return err
		}
	}
	return v.Err()
}

func checkStage(ctx context.Context, q db.Querier, v *engage.Validation, field string, st *Stage) error {
	st.Name = strings.TrimSpace(st.Name)
	v.Require(field+".name", st.Name, "a name for the stage, for example Budget holder")
	v.MaxLen(field+".name", st.Name, 200)
	switch st.Quorum {
	case QuorumAll, QuorumAny:
		st.QuorumN = 0
	case QuorumN:
		if st.QuorumN < 1 {
			v.Add(field+".quorum_n", "Enter how many approvals the stage needs: 1 or more.")
		}
	default:
		v.Add(field+".quorum", "Choose all, any, or a number of approvers.")
	}
	if len(st.Approvers) == 0 {
		v.Add(field+".approvers", "Choose who approves this stage.")
	}
	named := map[int64]bool{}
	onlyNamed := true
	for j := range st.Approvers {
		a := &st.Approvers[j]
		af := fmt.Sprintf("%s.approvers[%d]", field, j)
		switch a.Kind {
		case RuleManager, RuleBudgetHolder, RuleBRM:
			a.Role, a.PersonIDs = "", nil
			onlyNamed = false
		case RuleRole:
			a.PersonIDs = nil
			onlyNamed = false
			role, ok := access.ParseRole(string(a.Role))
			if !ok {
				v.Add(af+".role", "Choose one of the roles.")
			}
			a.Role = role
		case RulePeople:
			a.Role = ""
			var bad bool
			a.PersonIDs, bad = positiveIDs(a.PersonIDs)
			if bad || len(a.PersonIDs) == 0 {
				v.Add(af+".person_ids", "Name at least one person.")
				continue
			}
			known, err := existingPeople(ctx, q, a.PersonIDs)
			if err != nil {
				return err
			}
			for _, id := range a.PersonIDs {
				if !known[id] {
					v.Add(af+".person_ids", "No person with id %d.", id)
				}
				named[id] = true
			}
		default:
			v.Add(af+".kind", "Choose manager, budget-holder, brm, role or people.")
		}
	}
	if st.Quorum == QuorumN && onlyNamed && len(st.Approvers) > 0 && st.QuorumN > len(named) {
		v.Add(field+".quorum_n", "Only %d people can approve this stage, so it cannot need %d approvals.", len(named), st.QuorumN)
	}
	return nil
}

// positiveIDs removes duplicates and reports whether any id was not positive.
func positiveIDs(ids []int64) ([]int64, bool) {
	var out []int64
	bad := false
	for _, id := range ids {
		if id <= 0 {
			bad = true
			continue
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, bad
}

// matches reports whether every condition given matches the request.
func (c Conditions) matches(in SubmitInput, o orgView) bool {
	if c.MinAmount != nil {
		if !strings.EqualFold(in.Currency, c.Currency) || in.Amount.LessThan(*c.MinAmount) {
			return false
		}
	}
	if len(c.OfferingIDs) > 0 && !overlaps(c.OfferingIDs, in.OfferingIDs) {
		return false
	}
	if len(c.ServiceIDs) > 0 && !overlaps(c.ServiceIDs, in.ServiceIDs) {
		return false
	}
	if c.MinDataClass != "" {
		got := DataClassRank(in.DataClass)
		if got < 0 || got < DataClassRank(c.MinDataClass) {
			return false
		}
	}
	if len(c.DepartmentIDs) > 0 && !o.within(in.DepartmentID, c.DepartmentIDs) {
		return false
	}
	if len(c.SubjectTypes) > 0 && !slices.Contains(c.SubjectTypes, in.SubjectType) {
		return false
	}
	return true
}

func overlaps(a, b []int64) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// Describe says in plain words which requests the conditions select.
func (c Conditions) Describe() []string {
	var out []string
	if len(c.SubjectTypes) > 0 {
		out = append(out, "Kinds of request: "+strings.Join(c.SubjectTypes, ", "))
	}
	if c.MinAmount != nil {
		out = append(out, fmt.Sprintf("Amount at or above %s %s", c.MinAmount.String(), c.Currency))
	}
	if c.MinDataClass != "" {
		out = append(out, "Data classified "+c.MinDataClass+" or above")
	}
	if len(c.DepartmentIDs) > 0 {
		out = append(out, fmt.Sprintf("Departments %s and those below them", joinIDs(c.DepartmentIDs)))
	}
	if len(c.OfferingIDs) > 0 {
		out = append(out, "Offerings "+joinIDs(c.OfferingIDs))
	}
	if len(c.ServiceIDs) > 0 {
		out = append(out, "Services "+joinIDs(c.ServiceIDs))
	}
	if len(out) == 0 {
		out = append(out, "Every request")
	}
	return out
}

// Describe says in plain words who approves a stage and how many must;
// name gives the names of people named by id (nil shows a count).
func (st Stage) Describe(name func(id int64) string) string {
	var who []string
	for _, a := range st.Approvers {
		switch a.Kind {
		case RuleRole:
			who = append(who, "everyone with the role "+access.RoleLabels[a.Role])
		case RulePeople:
			if name == nil {
				who = append(who, plural(len(a.PersonIDs), "named person", "named people"))
				continue
			}
			for _, id := range a.PersonIDs {
				who = append(who, name(id))
			}
		default:
			who = append(who, strings.ToLower(RuleLabels[a.Kind]))
		}
	}
	q := "all of"
	switch st.Quorum {
	case QuorumAny:
		q = "any one of"
	case QuorumN:
		q = fmt.Sprintf("%d of", st.QuorumN)
	}
	return q + ": " + strings.Join(who, ", ")
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return strings.Join(parts, ", ")
}

// dayOf returns the UTC date of t.
func dayOf(t time.Time) string { return t.UTC().Format(dateLayout) }
