package cloudbill

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

// Action is what a rule does with the charges it matches.
type Action string

const (
	ActionAssign Action = "assign" // the whole charge to one department
	ActionSplit  Action = "split"  // fixed percentages over departments
	ActionDriver Action = "driver" // shares in proportion to a driver
)

// Driver is what a driver rule splits by.
type Driver string

const (
	// DriverHeadcount splits by the active people of each department.
	DriverHeadcount Driver = "headcount"
	// DriverSubscriptions splits by the quantity of an offering each
	// department subscribed to in the charge's period, weighted by days.
	DriverSubscriptions Driver = "subscriptions"
)

// RuleMatch says which charges a rule applies to. Every criterion given must
// match; a rule without criteria matches every charge.
type RuleMatch struct {
	TagKey           string `json:"tag_key,omitempty" doc:"Tag key, compared case-insensitively; give tag_value with it"`
	TagValue         string `json:"tag_value,omitempty" doc:"Tag value, compared exactly"`
	SubAccountID     string `json:"sub_account_id,omitempty"`
	ServiceName      string `json:"service_name,omitempty" doc:"Compared case-insensitively"`
	ServiceCategory  string `json:"service_category,omitempty" doc:"Compared case-insensitively"`
	ResourceIDPrefix string `json:"resource_id_prefix,omitempty" doc:"Charges whose ResourceId starts with this (case-sensitive)"`
}

// SplitShare is one department's fixed share of a split rule.
type SplitShare struct {
	DepartmentID int64           `json:"department_id"`
	Percent      decimal.Decimal `json:"percent" doc:"Percentage, such as 33.33; a rule's percentages add up to exactly 100"`
}

// AllocationRuleInput is what finance sets on a rule.
type AllocationRuleInput struct {
	// Position is where the rule goes in the order (1 is tried first); 0
	// puts a new rule last and leaves an existing rule where it is.
	Position int       `json:"position,omitempty" minimum:"0"`
	Name     string    `json:"name"`
	Match    RuleMatch `json:"match,omitempty" doc:"Which charges the rule applies to; none given matches every charge."`
	Action   Action    `json:"action" enum:"assign,split,driver"`
	// DepartmentID is the department an assign rule gives charges to.
	DepartmentID int64 `json:"department_id,omitempty"`
	// Splits are the fixed shares of a split rule.
	Splits []SplitShare `json:"splits,omitempty"`
	// Driver, OfferingID and DepartmentIDs describe a driver rule:
	// subscriptions need the offering; no departments means all.
	Driver        Driver  `json:"driver,omitempty" enum:"headcount,subscriptions,"`
	OfferingID    int64   `json:"offering_id,omitempty"`
	DepartmentIDs []int64 `json:"department_ids,omitempty"`
}

// AllocationRule is an allocation rule.
type AllocationRule struct {
	ID int64 `json:"id"`
	AllocationRuleInput
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Input returns what may be edited, for audit and forms.
func (r AllocationRule) Input() AllocationRuleInput { return r.AllocationRuleInput }

// ListRules returns the rules in the order they are tried.
func (s *Service) ListRules(ctx context.Context, p *access.Principal) ([]AllocationRule, error) {
	if err := requireFinance(p, "read allocation rules"); err != nil {
		return nil, err
	}
	return loadRules(ctx, s.DB)
}

// FindRule returns one rule.
func (s *Service) FindRule(ctx context.Context, p *access.Principal, id int64) (AllocationRule, error) {
	if err := requireFinance(p, "read allocation rules"); err != nil {
		return AllocationRule{}, err
	}
	return findRule(ctx, s.DB, id)
}

// CreateRule adds a rule at in.Position (last when 0), moving the rules at
// and after that position down by one.
func (s *Service) CreateRule(ctx context.Context, p *access.Principal, in AllocationRuleInput) (AllocationRule, error) {
	if err := requireFinance(p, "change allocation rules"); err != nil {
		return AllocationRule{}, err
	}
	var id int64
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.now()
		if err := checkRule(ctx, tx, &in); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO cloud_allocation_rules(position, name, tag_key, tag_value, sub_account_id, service_name,
			service_category, resource_prefix, action, driver, offering_id, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id`,
			1<<30, in.Name, in.Match.TagKey, in.Match.TagValue, in.Match.SubAccountID, in.Match.ServiceName, in.Match.ServiceCategory,
			in.Match.ResourceIDPrefix, in.Action, in.Driver, db.NullID(in.OfferingID), now, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("adding allocation rule: %w", err)
		}
		if err := writeTargets(ctx, tx, id, in); err != nil {
			return err
		}
		if err := placeRule(ctx, tx, id, in.Position); err != nil {
			return err
		}
		r, err := findRule(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "create", "cloud_allocation_rule", id, "Added cloud allocation rule "+in.Name, nil, r.Input())
	})
	if err != nil {
		return AllocationRule{}, err
	}
	return findRule(ctx, s.DB, id)
}

// UpdateRule replaces a rule if version is the one the editor read. Charges
// already allocated keep their allocation until their period is
// reallocated.
func (s *Service) UpdateRule(ctx context.Context, p *access.Principal, id int64, version int, in AllocationRuleInput) (AllocationRule, error) {
	if err := requireFinance(p, "change allocation rules"); err != nil {
		return AllocationRule{}, err
	}
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.now()
		cur, err := findRule(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := checkRule(ctx, tx, &in); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE cloud_allocation_rules SET name = ?, tag_key = ?, tag_value = ?, sub_account_id = ?, service_name = ?,
			service_category = ?, resource_prefix = ?, action = ?, driver = ?, offering_id = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? AND archived_at IS NULL`,
			in.Name, in.Match.TagKey, in.Match.TagValue, in.Match.SubAccountID, in.Match.ServiceName, in.Match.ServiceCategory,
			in.Match.ResourceIDPrefix, in.Action, in.Driver, db.NullID(in.OfferingID), now, id, version)
		if err != nil {
			return fmt.Errorf("changing allocation rule: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleRule(version)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM cloud_allocation_targets WHERE rule_id = ?", id); err != nil {
			return fmt.Errorf("changing allocation rule: %w", err)
		}
		if err := writeTargets(ctx, tx, id, in); err != nil {
			return err
		}
		if in.Position != 0 && in.Position != cur.Position {
			if err := placeRule(ctx, tx, id, in.Position); err != nil {
				return err
			}
		}
		after, err := findRule(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "update", "cloud_allocation_rule", id, "Changed cloud allocation rule "+in.Name, cur.Input(), after.Input())
	})
	if err != nil {
		return AllocationRule{}, err
	}
	return findRule(ctx, s.DB, id)
}

// DeleteRule takes a rule out of the order. It is archived, not erased:
// allocations already made keep naming it.
func (s *Service) DeleteRule(ctx context.Context, p *access.Principal, id int64, version int) error {
	if err := requireFinance(p, "change allocation rules"); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.now()
		cur, err := findRule(ctx, tx, id)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE cloud_allocation_rules SET archived_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND archived_at IS NULL",
			now, now, id, version)
		if err != nil {
			return fmt.Errorf("removing allocation rule: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleRule(version)
		}
		if err := renumber(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "delete", "cloud_allocation_rule", id, "Removed cloud allocation rule "+cur.Name, cur.Input(), nil)
	})
}

func staleRule(version int) error {
	return engage.Errorf(engage.ECONFLICT,
		"Someone else changed this allocation rule after you opened it (you edited version %d). Reload it to see their change, then make yours again.", version)
}

// checkRule normalises in and names every field that is wrong.
func checkRule(ctx context.Context, q db.Querier, in *AllocationRuleInput) error {
	in.Name = strings.TrimSpace(in.Name)
	m := &in.Match
	m.TagKey, m.TagValue = strings.TrimSpace(m.TagKey), strings.TrimSpace(m.TagValue)
	m.SubAccountID, m.ServiceName = strings.TrimSpace(m.SubAccountID), strings.TrimSpace(m.ServiceName)
	m.ServiceCategory = strings.TrimSpace(m.ServiceCategory)
	var v engage.Validation
	v.Require("name", in.Name, "a name for the rule, for example Biology tagged resources")
	v.MaxLen("name", in.Name, 200)
	if in.Position < 0 {
		v.Add("position", "Enter 1 or more for where the rule goes (1 is tried first), or leave it out to put the rule last.")
	}
	switch {
	case m.TagKey == "" && m.TagValue != "":
		v.Add("match.tag_key", "Enter the tag key the value %q belongs to.", m.TagValue)
	case m.TagKey != "" && m.TagValue == "":
		v.Add("match.tag_value", "Enter the value the tag %s must have.", m.TagKey)
	}
	for _, f := range []struct{ field, value string }{{"match.tag_key", m.TagKey}, {"match.tag_value", m.TagValue},
		{"match.sub_account_id", m.SubAccountID}, {"match.service_name", m.ServiceName}, {"match.service_category", m.ServiceCategory},
		{"match.resource_id_prefix", m.ResourceIDPrefix}} {
		v.MaxLen(f.field, f.value, 500)
	}

	depts, err := departmentIDs(ctx, q)
	if err != nil {
		return err
	}
	known := func(field string, id int64) {
		if !depts[id] {
			v.Add(field, "No department with id %d.", id)
		}
	}
	switch in.Action {
	case ActionAssign:
		in.Splits, in.Driver, in.OfferingID, in.DepartmentIDs = nil, "", 0, nil
		if in.DepartmentID <= 0 {
			v.Add("department_id", "Choose the department that gets these charges.")
		} else {
			known("department_id", in.DepartmentID)
		}
	case ActionSplit:
		in.DepartmentID, in.Driver, in.OfferingID, in.DepartmentIDs = 0, "", 0, nil
		if len(in.Splits) == 0 {
			v.Add("splits", "Give the departments and the percentage each one gets.")
		}
		sum := decimal.Zero
		seen := map[int64]bool{}
		for i, sp := range in.Splits {
			f := fmt.Sprintf("splits[%d]", i)
			switch {
			case sp.DepartmentID <= 0:
				v.Add(f+".department_id", "Choose a department.")
			case seen[sp.DepartmentID]:
				v.Add(f+".department_id", "Department %d is already in the split; give each department once.", sp.DepartmentID)
			default:
				known(f+".department_id", sp.DepartmentID)
			}
			seen[sp.DepartmentID] = true
			if !sp.Percent.IsPositive() || sp.Percent.GreaterThan(decimal.NewFromInt(100)) {
				v.Add(f+".percent", "Give a percentage above 0 and at most 100.")
			} else if msg := rating.Percent.Check(sp.Percent); msg != "" {
				v.Add(f+".percent", "%s", msg)
			}
			sum = sum.Add(sp.Percent)
		}
		if len(in.Splits) > 0 && !sum.Equal(decimal.NewFromInt(100)) {
			v.Add("splits", "The percentages add up to %s; they must add up to exactly 100.", sum.String())
		}
	case ActionDriver:
		in.DepartmentID, in.Splits = 0, nil
		switch in.Driver {
		case DriverHeadcount:
			in.OfferingID = 0
		case DriverSubscriptions:
			if in.OfferingID <= 0 {
				v.Add("offering_id", "Choose the offering whose subscriptions divide the charges.")
			} else {
				var n int
				if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM offerings WHERE id = ?", in.OfferingID).Scan(&n); err != nil {
					return fmt.Errorf("checking offering: %w", err)
				}
				if n == 0 {
					v.Add("offering_id", "No offering with id %d.", in.OfferingID)
				}
			}
		default:
			v.Add("driver", "Choose headcount or subscriptions.")
		}
		seen := map[int64]bool{}
		for i, id := range in.DepartmentIDs {
			f := fmt.Sprintf("department_ids[%d]", i)
			if seen[id] {
				v.Add(f, "Department %d is listed twice.", id)
				continue
			}
			seen[id] = true
			known(f, id)
		}
	default:
		v.Add("action", "Choose assign, split or driver.")
	}
	return v.Err()
}

func departmentIDs(ctx context.Context, q db.Querier) (map[int64]bool, error) {
	ids, err := db.QueryIDs(ctx, q, "SELECT id FROM departments")
	if err != nil {
		return nil, fmt.Errorf("reading departments: %w", err)
	}
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

func writeTargets(ctx context.Context, q db.Querier, id int64, in AllocationRuleInput) error {
	type target struct {
		dept    int64
		percent any
	}
	var ts []target
	switch in.Action {
	case ActionAssign:
		ts = append(ts, target{in.DepartmentID, nil})
	case ActionSplit:
		for _, sp := range in.Splits {
			ts = append(ts, target{sp.DepartmentID, sp.Percent})
		}
	case ActionDriver:
		for _, d := range in.DepartmentIDs {
			ts = append(ts, target{d, nil})
		}
	}
	for i, t := range ts {
		if _, err := q.Exec(ctx, "INSERT INTO cloud_allocation_targets(rule_id, position, department_id, percent) VALUES (?, ?, ?, ?)",
			id, i+1, t.dept, t.percent); err != nil {
			return fmt.Errorf("writing allocation rule departments: %w", err)
		}
	}
	return nil
}

// placeRule moves rule id to position (last when 0 or past the end) and
// numbers the active rules 1, 2, 3… in order.
func placeRule(ctx context.Context, q db.Querier, id int64, position int) error {
	ids, err := orderedRuleIDs(ctx, q)
	if err != nil {
		return err
	}
	ids = slices.DeleteFunc(ids, func(x int64) bool { return x == id })
	if position <= 0 || position > len(ids) {
		ids = append(ids, id)
	} else {
		ids = slices.Insert(ids, position-1, id)
	}
	return setPositions(ctx, q, ids)
}

func renumber(ctx context.Context, q db.Querier) error {
	ids, err := orderedRuleIDs(ctx, q)
	if err != nil {
		return err
	}
	return setPositions(ctx, q, ids)
}

func orderedRuleIDs(ctx context.Context, q db.Querier) ([]int64, error) {
	ids, err := db.QueryIDs(ctx, q, "SELECT id FROM cloud_allocation_rules WHERE archived_at IS NULL ORDER BY position, id")
	if err != nil {
		return nil, fmt.Errorf("reading allocation rules: %w", err)
	}
	return ids, nil
}

func setPositions(ctx context.Context, q db.Querier, ids []int64) error {
	for i, id := range ids {
		if _, err := q.Exec(ctx, "UPDATE cloud_allocation_rules SET position = ? WHERE id = ? AND position <> ?", i+1, id, i+1); err != nil {
			return fmt.Errorf("ordering allocation rules: %w", err)
		}
	}
	return nil
}

const ruleColumns = `SELECT id, position, name, tag_key, tag_value, sub_account_id, service_name, service_category, resource_prefix,
	action, driver, offering_id, version, created_at, updated_at FROM cloud_allocation_rules`

func findRule(ctx context.Context, q db.Querier, id int64) (AllocationRule, error) {
	rules, err := queryRules(ctx, q, ruleColumns+" WHERE id = ? AND archived_at IS NULL", id)
	if err != nil {
		return AllocationRule{}, err
	}
	if len(rules) == 0 {
		return AllocationRule{}, engage.Errorf(engage.ENOTFOUND, "No allocation rule with id %d.", id)
	}
	return rules[0], nil
}

// loadRules returns the active rules in the order they are tried.
func loadRules(ctx context.Context, q db.Querier) ([]AllocationRule, error) {
	return queryRules(ctx, q, ruleColumns+" WHERE archived_at IS NULL ORDER BY position, id")
}

func queryRules(ctx context.Context, q db.Querier, query string, args ...any) ([]AllocationRule, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("reading allocation rules: %w", err)
	}
	var out []AllocationRule
	index := map[int64]int{}
	for rows.Next() {
		var r AllocationRule
		var offering sql.NullInt64
		m := &r.Match
		if err := rows.Scan(&r.ID, &r.Position, &r.Name, &m.TagKey, &m.TagValue, &m.SubAccountID, &m.ServiceName, &m.ServiceCategory,
			&m.ResourceIDPrefix, &r.Action, &r.Driver, &offering, &r.Version, &r.CreatedAt, &r.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading allocation rule: %w", err)
		}
		r.OfferingID = offering.Int64
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		index[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading allocation rules: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	trows, err := q.Query(ctx, "SELECT t.rule_id, t.department_id, t.percent FROM cloud_allocation_targets t "+
		"JOIN cloud_allocation_rules r ON r.id = t.rule_id WHERE r.archived_at IS NULL ORDER BY t.rule_id, t.position")
	if err != nil {
		return nil, fmt.Errorf("reading allocation rule departments: %w", err)
	}
	defer trows.Close()
	for trows.Next() {
		var ruleID, dept int64
		var percent decimal.NullDecimal
		if err := trows.Scan(&ruleID, &dept, &percent); err != nil {
			return nil, fmt.Errorf("reading allocation rule departments: %w", err)
		}
		i, ok := index[ruleID]
		if !ok {
			continue
		}
		r := &out[i]
		switch r.Action {
		case ActionAssign:
			r.DepartmentID = dept
		case ActionSplit:
			r.Splits = append(r.Splits, SplitShare{DepartmentID: dept, Percent: percent.Decimal})
		case ActionDriver:
			r.DepartmentIDs = append(r.DepartmentIDs, dept)
		}
	}
	if err := trows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
