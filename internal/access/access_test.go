package access

import "testing"

// TestRolesApplyOnlyWhereTheyHold: a role grants something only in the
// departments it applies to, never merely because the person belongs to
// the department or covers it in another capacity.
func TestRolesApplyOnlyWhereTheyHold(t *testing.T) {
	const it, rnd, disc, sales = 1, 2, 3, 4
	cases := []struct {
		name       string
		p          *Principal
		dept       int64
		statements bool
		brm        bool
		budget     bool
	}{
		{"BRM in IT, which another BRM covers", &Principal{DepartmentID: it, Roles: []Role{BRM}, BRMFor: []int64{rnd, disc}, Covered: []int64{rnd, disc}}, it, false, false, false},
		{"BRM of R&D reads a department below it", &Principal{DepartmentID: it, Roles: []Role{BRM}, BRMFor: []int64{rnd, disc}, Covered: []int64{rnd, disc}}, disc, true, true, false},
		{"BRM who heads Sales but is not its BRM", &Principal{DepartmentID: it, Roles: []Role{BRM}, Heads: []int64{sales}, Covered: []int64{sales}}, sales, false, false, false},
		{"budget holder in a department someone else heads", &Principal{DepartmentID: disc, Roles: []Role{BudgetHolder}}, disc, false, false, false},
		{"budget holder who heads the department", &Principal{DepartmentID: disc, Roles: []Role{BudgetHolder}, Heads: []int64{disc}, Covered: []int64{disc}}, disc, true, false, true},
		{"budget holder who is BRM, not head, of Sales", &Principal{DepartmentID: disc, Roles: []Role{BudgetHolder}, BRMFor: []int64{sales}, Covered: []int64{sales}}, sales, false, false, false},
		{"head without the budget-holder role", &Principal{DepartmentID: disc, Roles: []Role{Requester}, Heads: []int64{disc}, Covered: []int64{disc}}, disc, false, false, false},
		{"BRM of Sales without the BRM role", &Principal{DepartmentID: it, Roles: []Role{Requester}, BRMFor: []int64{sales}, Covered: []int64{sales}}, sales, false, false, false},
		{"member of the department", &Principal{DepartmentID: it, Roles: []Role{Requester}}, it, false, false, false},
		{"finance", &Principal{DepartmentID: it, Roles: []Role{Finance}}, sales, true, false, false},
		{"nobody", nil, it, false, false, false},
	}
	for _, c := range cases {
		if got := c.p.CanReadStatements(c.dept); got != c.statements {
			t.Errorf("%s: CanReadStatements = %v; want %v", c.name, got, c.statements)
		}
		if got := c.p.IsBRMOf(c.dept); got != c.brm {
			t.Errorf("%s: IsBRMOf = %v; want %v", c.name, got, c.brm)
		}
		if got := c.p.HoldsBudgetOf(c.dept); got != c.budget {
			t.Errorf("%s: HoldsBudgetOf = %v; want %v", c.name, got, c.budget)
		}
	}
	if (&Principal{DepartmentID: it, Roles: []Role{BRM}}).ReadsStatements() {
		t.Error("a BRM who covers no department reads statements")
	}
}
