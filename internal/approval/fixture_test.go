package approval_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/db"
)

// start is the instant the test clock starts at: Monday 16 March 2026.
var start = time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC)

// fixture is a small organisation:
//
//	ROOT  head ceo, BRM brm
//	├── SCI   no head, no BRM
//	│   ├── LAB  head labhead
//	│   └── BIO  no head
//	└── FIN   head finhead
//
// req works in BIO and reports to mgr. alice, bob and carol (and the
// inactive gone) sit on the portfolio board; dana has no role.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	s      *approval.Service
	clock  *engage.FixedClock
	dept   map[string]int64
	person map[string]int64
	calls  []approval.Request // what the "test-order" handler saw
}

func setup(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t, ctx: ctx, d: d, clock: engage.NewFixedClock(start), dept: map[string]int64{}, person: map[string]int64{}}
	f.s = &approval.Service{DB: d, Clock: f.clock}
	f.s.OnDecided("test-order", func(ctx context.Context, tx *db.Tx, r approval.Request) error {
		f.calls = append(f.calls, r)
		return nil
	})
	now := f.clock.Now()
	err := d.Transact(ctx, func(tx *db.Tx) error {
		for _, dep := range []struct{ code, parent string }{{"ROOT", ""}, {"SCI", "ROOT"}, {"LAB", "SCI"}, {"BIO", "SCI"}, {"FIN", "ROOT"}} {
			var parent any
			if dep.parent != "" {
				parent = f.dept[dep.parent]
			}
			var id int64
			if err := tx.QueryRow(ctx, "INSERT INTO departments(code, name, parent_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
				dep.code, dep.code+" department", parent, now, now).Scan(&id); err != nil {
				return err
			}
			f.dept[dep.code] = id
		}
		for _, p := range []struct {
			name, dept, manager string
			active              bool
			roles               []access.Role
		}{
			{"ceo", "ROOT", "", true, nil},
			{"brm", "ROOT", "ceo", true, []access.Role{access.BRM}},
			{"labhead", "LAB", "ceo", true, []access.Role{access.BudgetHolder}},
			{"finhead", "FIN", "ceo", true, []access.Role{access.BudgetHolder}},
			{"mgr", "BIO", "ceo", true, nil},
			{"req", "BIO", "mgr", true, []access.Role{access.Requester}},
			{"alice", "SCI", "ceo", true, []access.Role{access.PortfolioBoard}},
			{"bob", "FIN", "ceo", true, []access.Role{access.PortfolioBoard}},
			{"carol", "LAB", "ceo", true, []access.Role{access.PortfolioBoard}},
			{"gone", "LAB", "ceo", false, []access.Role{access.PortfolioBoard}},
			{"dana", "FIN", "finhead", true, nil},
			{"stranger", "FIN", "finhead", true, nil},
			{"admin", "ROOT", "ceo", true, []access.Role{access.Admin}},
		} {
			var manager any
			if p.manager != "" {
				manager = f.person[p.manager]
			}
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO people(email, name, department_id, manager_id, active, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, p.name+"@example.com", upper(p.name), f.dept[p.dept], manager, p.active, now, now).Scan(&id); err != nil {
				return err
			}
			f.person[p.name] = id
			for _, r := range p.roles {
				if _, err := tx.Exec(ctx, "INSERT INTO person_roles(person_id, role) VALUES (?, ?)", id, string(r)); err != nil {
					return err
				}
			}
		}
		for _, u := range []struct{ dept, head, brm string }{{"ROOT", "ceo", "brm"}, {"LAB", "labhead", ""}, {"FIN", "finhead", ""}} {
			var brm any
			if u.brm != "" {
				brm = f.person[u.brm]
			}
			if _, err := tx.Exec(ctx, "UPDATE departments SET head_id = ?, brm_id = ? WHERE id = ?", f.person[u.head], brm, f.dept[u.dept]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// upper gives "alice" the display name "Alice".
func upper(s string) string { return string(s[0]-'a'+'A') + s[1:] }

// as returns the principal of a fixture person.
func (f *fixture) as(name string) *access.Principal {
	p := &access.Principal{PersonID: f.person[name], Name: upper(name), Via: "session"}
	switch name {
	case "admin":
		p.Roles = []access.Role{access.Admin}
	case "alice", "bob", "carol":
		p.Roles = []access.Role{access.PortfolioBoard}
	}
	return p
}

// policy creates an active policy as the administrator.
func (f *fixture) policy(name string, priority int, cond approval.Conditions, stages ...approval.Stage) approval.Policy {
	f.t.Helper()
	p, err := f.s.CreatePolicy(f.ctx, f.as("admin"), approval.PolicyInput{Name: name, Active: true, Priority: priority, Conditions: cond, Stages: stages})
	if err != nil {
		f.t.Fatalf("creating policy %s: %v", name, err)
	}
	return p
}

func people(ids ...int64) approval.ApproverRule {
	return approval.ApproverRule{Kind: approval.RulePeople, PersonIDs: ids}
}

func stage(name, quorum string, n int, rules ...approval.ApproverRule) approval.Stage {
	return approval.Stage{Name: name, Quorum: quorum, QuorumN: n, Approvers: rules}
}

// order is a request from req in BIO for amount in EUR.
func (f *fixture) order(amount string) approval.SubmitInput {
	return approval.SubmitInput{SubjectType: "test-order", SubjectID: 1, Title: "Order " + amount, Link: "/orders/1",
		RequesterID: f.person["req"], DepartmentID: f.dept["BIO"], Amount: decimal.RequireFromString(amount), Currency: "EUR"}
}

// submit runs Submit in a transaction of its own, as a caller would.
func (f *fixture) submit(in approval.SubmitInput) (approval.Request, error) {
	var r approval.Request
	err := f.d.Transact(f.ctx, func(tx *db.Tx) error {
		var err error
		r, err = f.s.Submit(f.ctx, tx, in)
		return err
	})
	return r, err
}

func (f *fixture) mustSubmit(in approval.SubmitInput) approval.Request {
	f.t.Helper()
	r, err := f.submit(in)
	if err != nil {
		f.t.Fatalf("submitting %q: %v", in.Title, err)
	}
	return r
}

func (f *fixture) decide(who string, id int64, verdict, reason string) (approval.Request, error) {
	return f.s.Decide(f.ctx, f.as(who), id, approval.DecideInput{Verdict: verdict, Reason: reason})
}

func (f *fixture) mustDecide(who string, id int64, verdict, reason string) approval.Request {
	f.t.Helper()
	r, err := f.decide(who, id, verdict, reason)
	if err != nil {
		f.t.Fatalf("%s deciding %s on request %d: %v", who, verdict, id, err)
	}
	return r
}

// approverIDs lists the person ids of a stage's approvers, sorted.
func approverIDs(st approval.RequestStage) []int64 {
	var out []int64
	for _, a := range st.Approvers {
		out = append(out, a.PersonID)
	}
	slices.Sort(out)
	return out
}

func (f *fixture) ids(names ...string) []int64 {
	var out []int64
	for _, n := range names {
		out = append(out, f.person[n])
	}
	slices.Sort(out)
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := engage.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q); want code %q", err, got, code)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, engage.EINVALID)
	for _, fe := range engage.ErrorFields(err) {
		if fe.Field == field {
			return
		}
	}
	t.Fatalf("error %v does not name the field %q", err, field)
}

// auditCount counts audit events about one entity.
func (f *fixture) auditCount(entity string, id int64, action string) int {
	f.t.Helper()
	var n int
	if err := f.d.QueryRow(f.ctx, "SELECT COUNT(*) FROM audit_events WHERE entity_type = ? AND entity_id = ? AND action = ?",
		entity, strconv.FormatInt(id, 10), action).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}
