// Package access is Engage's access policy: the roles a person can hold, the
// Principal a request acts as, and the rules that say which department's data
// a principal may read or change. Every product package asks this package;
// no rule is written in SQL.
//
// Department data (its people, needs, orders and subscriptions) is readable
// by the department's own people, by the head of the department or of any
// department above it, by the BRM assigned to it or to a department above it,
// and by finance, the portfolio board and admins. Its costs (statements,
// usage, cloud charges) are narrower: see CanReadStatements.
//
// A role grants something only where it applies: the BRM role in the
// departments the person is BRM of (BRMFor), the budget-holder role in the
// departments they head (Heads). Holding the role and belonging to a
// department is not enough.
package access

import (
	"context"
	"slices"
	"strings"
)

// Role is something a person is allowed to do in Engage.
type Role string

const (
	Requester            Role = "requester"
	BudgetHolder         Role = "budget-holder"
	BRM                  Role = "brm"
	ReviewerArchitecture Role = "reviewer-architecture"
	ReviewerSecurity     Role = "reviewer-security"
	ReviewerFinance      Role = "reviewer-finance"
	PortfolioBoard       Role = "portfolio-board"
	EnterpriseArchitect  Role = "enterprise-architect"
	ServiceOwner         Role = "service-owner"
	Finance              Role = "finance"
	Moderator            Role = "moderator"
	Admin                Role = "admin"
)

// AllRoles lists every role in the order they are shown.
var AllRoles = []Role{Requester, BudgetHolder, BRM, ReviewerArchitecture, ReviewerSecurity,
	ReviewerFinance, PortfolioBoard, EnterpriseArchitect, ServiceOwner, Finance, Moderator, Admin}

// RoleLabels are the plain-words names shown to people.
var RoleLabels = map[Role]string{
	Requester:            "Requester",
	BudgetHolder:         "Budget holder",
	BRM:                  "Business relationship manager",
	ReviewerArchitecture: "Architecture reviewer",
	ReviewerSecurity:     "Security reviewer",
	ReviewerFinance:      "Finance reviewer",
	PortfolioBoard:       "Portfolio board",
	EnterpriseArchitect:  "Enterprise architect",
	ServiceOwner:         "Service owner",
	Finance:              "Finance",
	Moderator:            "Community moderator",
	Admin:                "Administrator",
}

// ParseRole returns the role named s, or false.
func ParseRole(s string) (Role, bool) {
	r := Role(strings.TrimSpace(strings.ToLower(s)))
	return r, slices.Contains(AllRoles, r)
}

// Principal is who a request acts as.
type Principal struct {
	PersonID     int64
	Email        string
	Name         string
	DepartmentID int64 // 0 when the person has no department
	Roles        []Role
	// Covered lists the departments, besides their own, whose data this
	// person may read because they head it or are its BRM (directly or
	// through a department above it).
	Covered []int64
	// Heads lists the departments this person heads, and those below them.
	Heads []int64
	// BRMFor lists the departments whose BRM this person is, and those
	// below them.
	BRMFor []int64
	// Scope limits what a token may do: empty (or ScopeFull) for
	// everything the person may do, ScopeGate for the delivery gate only.
	Scope string
	// Via says how the request was authenticated: "session" or "token".
	Via string
	// TimeZone is the IANA name of the time zone of the person's location,
	// in which pages show times; "" is UTC.
	TimeZone string
}

// Token scopes.
const (
	// ScopeFull acts as the token's person in everything they may do.
	ScopeFull = "full"
	// ScopeGate may only ask the delivery gate whether work may proceed,
	// and learns only the answer and the need's state: what a delivery
	// pipeline needs, and nothing it could leak.
	ScopeGate = "gate"
)

// GateOnly reports whether p is limited to asking the delivery gate. Such a
// principal holds no role and reads no department's data.
func (p *Principal) GateOnly() bool { return p != nil && p.Scope == ScopeGate }

// Has reports whether p holds role r.
func (p *Principal) Has(r Role) bool {
	return p != nil && !p.GateOnly() && slices.Contains(p.Roles, r)
}

// HasAny reports whether p holds any of rs.
func (p *Principal) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// IsAdmin reports whether p administers Engage.
func (p *Principal) IsAdmin() bool { return p.Has(Admin) }

// ManagesMoney reports whether p runs the organisation's money: billing
// periods and runs, adjustments, cloud bills and their allocation, cost
// pools. That is finance's work, and an administrator's.
func (p *Principal) ManagesMoney() bool { return p.HasAny(Finance, Admin) }

// SeesAllDepartments reports whether p may read every department's data.
func (p *Principal) SeesAllDepartments() bool {
	return p.HasAny(Admin, Finance, PortfolioBoard)
}

// CanReadDepartment reports whether p may read the data of department id.
func (p *Principal) CanReadDepartment(id int64) bool {
	if p == nil || id == 0 || p.GateOnly() {
		return false
	}
	return p.SeesAllDepartments() || p.DepartmentID == id || slices.Contains(p.Covered, id)
}

// IsBRMOf reports whether p acts as BRM for department id: p holds the BRM
// role and is the BRM of that department or of one above it.
func (p *Principal) IsBRMOf(id int64) bool {
	return p.Has(BRM) && id != 0 && slices.Contains(p.BRMFor, id)
}

// HoldsBudgetOf reports whether p is department id's budget holder: p holds
// the budget-holder role and heads that department or one above it.
func (p *Principal) HoldsBudgetOf(id int64) bool {
	return p.Has(BudgetHolder) && id != 0 && slices.Contains(p.Heads, id)
}

// CanReadStatements reports whether p may read department id's costs:
// statements, usage and cloud charges. Those are for the department's
// budget holder (and those of departments above it), its BRM, finance,
// the board and admins; other members of the department, a BRM who is not
// its BRM and a budget holder who does not head it do not see them.
func (p *Principal) CanReadStatements(id int64) bool {
	if p == nil || id == 0 {
		return false
	}
	return p.SeesAllDepartments() || p.IsBRMOf(id) || p.HoldsBudgetOf(id)
}

// ReadsStatements reports whether p may read some department's costs.
func (p *Principal) ReadsStatements() bool {
	return p.SeesAllDepartments() || (p.Has(BRM) && len(p.BRMFor) > 0) || (p.Has(BudgetHolder) && len(p.Heads) > 0)
}

// ReadableDepartments returns the departments whose data p may read, and
// all=true when p may read every department.
func (p *Principal) ReadableDepartments() (ids []int64, all bool) {
	if p.SeesAllDepartments() {
		return nil, true
	}
	if p.GateOnly() {
		return nil, false
	}
	if p.DepartmentID != 0 {
		ids = append(ids, p.DepartmentID)
	}
	return append(ids, p.Covered...), false
}

type ctxKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal in ctx, or nil.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// System is the principal used by the command line and background jobs,
// which act with an operator's full authority.
func System(name string) *Principal {
	return &Principal{Name: name, Roles: []Role{Admin}, Via: "system"}
}
