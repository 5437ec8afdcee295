package approval_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

func amount(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func TestPolicyMatching(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		one := stage("Check", approval.QuorumAny, 0, people(f.person["alice"]))
		// An inactive policy that would match everything first.
		off, err := f.s.CreatePolicy(f.ctx, f.as("admin"), approval.PolicyInput{Name: "Switched off", Active: false, Priority: 1,
			Stages: []approval.Stage{one}})
		if err != nil {
			t.Fatal(err)
		}
		big := f.policy("Big spend in euros", 10, approval.Conditions{MinAmount: amount("1000"), Currency: "eur"}, one)
		secret := f.policy("Sensitive data", 20, approval.Conditions{MinDataClass: "confidential"}, one)
		science := f.policy("Science", 30, approval.Conditions{DepartmentIDs: []int64{f.dept["SCI"]}, SubjectTypes: []string{"Need"}}, one)
		catalog := f.policy("Cloud offerings", 40, approval.Conditions{OfferingIDs: []int64{7}, ServiceIDs: []int64{9}, SubjectTypes: []string{"test-order"}}, one)
		if big.Conditions.Currency != "EUR" || science.Conditions.SubjectTypes[0] != "need" {
			t.Fatalf("conditions not normalised: %+v %+v", big.Conditions, science.Conditions)
		}

		in := func(amt, cur, dept, class, subject string, offerings, services []int64) approval.SubmitInput {
			return approval.SubmitInput{SubjectType: subject, SubjectID: 1, Title: "Case", RequesterID: f.person["req"],
				DepartmentID: f.dept[dept], Amount: decimal.RequireFromString(amt), Currency: cur, DataClass: class,
				OfferingIDs: offerings, ServiceIDs: services}
		}
		for _, c := range []struct {
			name string
			in   approval.SubmitInput
			want int64 // policy id; 0 for none
		}{
			{"exactly the threshold", in("1000.00", "EUR", "FIN", "", "test-order", nil, nil), big.ID},
			{"a cent below", in("999.99", "EUR", "FIN", "", "test-order", nil, nil), 0},
			{"same figure, other currency", in("5000", "USD", "FIN", "", "test-order", nil, nil), 0},
			{"first by priority wins", in("5000", "EUR", "LAB", "restricted", "need", []int64{7}, nil), big.ID},
			{"confidential is at the threshold", in("10", "EUR", "FIN", "confidential", "test-order", nil, nil), secret.ID},
			{"restricted is above it", in("10", "EUR", "FIN", "restricted", "test-order", nil, nil), secret.ID},
			{"internal is below it", in("10", "EUR", "FIN", "internal", "test-order", nil, nil), 0},
			{"no classification given", in("10", "EUR", "FIN", "", "test-order", nil, nil), 0},
			{"the department itself", in("0", "", "SCI", "", "need", nil, nil), science.ID},
			{"two levels below", in("0", "", "LAB", "", "need", nil, nil), science.ID},
			{"another branch", in("0", "", "FIN", "", "need", nil, nil), 0},
			{"another kind of request", in("0", "", "LAB", "", "test-order", nil, nil), 0},
			{"offering and service both needed", in("0", "", "FIN", "", "test-order", []int64{7}, nil), 0},
			{"offering and service", in("0", "", "FIN", "", "test-order", []int64{3, 7}, []int64{9}), catalog.ID},
		} {
			calls := len(f.calls)
			r, err := f.submit(c.in)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if r.PolicyID != c.want {
				t.Errorf("%s: policy %d (%s); want %d", c.name, r.PolicyID, r.PolicyName, c.want)
			}
			if r.PolicyID == off.ID {
				t.Errorf("%s: the inactive policy applied", c.name)
			}
			if c.want == 0 {
				if r.Status != approval.Approved || r.Outcome != approval.NoPolicyOutcome || r.DecidedAt == nil {
					t.Errorf("%s: no policy gives %s %q; want approved, %q", c.name, r.Status, r.Outcome, approval.NoPolicyOutcome)
				}
				if c.in.SubjectType == "test-order" && (len(f.calls) != calls+1 || f.calls[len(f.calls)-1].ID != r.ID || f.calls[len(f.calls)-1].Status != approval.Approved) {
					t.Errorf("%s: the subject's handler was not called with the approved request", c.name)
				}
			} else {
				if r.Status != approval.Pending || r.CurrentStage != 1 || len(r.Stages) != 1 {
					t.Errorf("%s: %s at stage %d with %d stages; want pending at stage 1", c.name, r.Status, r.CurrentStage, len(r.Stages))
				}
				if len(f.calls) != calls {
					t.Errorf("%s: the handler ran for a pending request", c.name)
				}
			}
			if n := f.auditCount("approval_request", r.ID, "submit"); n != 1 {
				t.Errorf("%s: %d submit audit events; want 1", c.name, n)
			}
		}
	})
}

func TestPolicyAdministration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		valid := approval.PolicyInput{Name: "Board", Active: true, Priority: 10,
			Stages: []approval.Stage{stage("Board", approval.QuorumAny, 0, approval.ApproverRule{Kind: approval.RuleRole, Role: access.PortfolioBoard})}}
		if _, err := f.s.CreatePolicy(f.ctx, f.as("alice"), valid); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a non-admin creating a policy: %v; want forbidden", err)
		}
		// Every wrong field is named.
		_, err := f.s.CreatePolicy(f.ctx, f.as("admin"), approval.PolicyInput{Priority: -1,
			Conditions: approval.Conditions{MinAmount: amount("100"), MinDataClass: "secret", DepartmentIDs: []int64{99999}},
			Stages: []approval.Stage{
				{Name: "", Quorum: "most", Approvers: []approval.ApproverRule{{Kind: "friends"}}},
				{Name: "Named", Quorum: approval.QuorumN, QuorumN: 3, Approvers: []approval.ApproverRule{people(f.person["alice"], f.person["bob"])}},
				{Name: "Empty", Quorum: approval.QuorumAll},
				{Name: "Role", Quorum: approval.QuorumAll, Approvers: []approval.ApproverRule{{Kind: approval.RuleRole, Role: "wizard"}, people(99999)}},
			}})
		for _, field := range []string{"name", "priority", "conditions.currency", "conditions.min_data_class", "conditions.department_ids",
			"stages[0].name", "stages[0].quorum", "stages[0].approvers[0].kind", "stages[1].quorum_n", "stages[2].approvers",
			"stages[3].approvers[0].role", "stages[3].approvers[1].person_ids"} {
			wantField(t, err, field)
		}
		_, err = f.s.CreatePolicy(f.ctx, f.as("admin"), approval.PolicyInput{Name: "No stages", Priority: 1})
		wantField(t, err, "stages")

		p, err := f.s.CreatePolicy(f.ctx, f.as("admin"), valid)
		if err != nil {
			t.Fatal(err)
		}
		if p.Version != 1 || len(p.Stages) != 1 || p.Stages[0].Approvers[0].Role != access.PortfolioBoard {
			t.Fatalf("created policy = %+v", p)
		}
		// Everyone signed in reads policies.
		list, _, err := f.s.ListPolicies(f.ctx, f.as("stranger"), "", 0)
		if err != nil || len(list) != 1 || list[0].Name != "Board" {
			t.Fatalf("policies read by anyone = %v, %v", list, err)
		}
		if _, _, err := f.s.ListPolicies(f.ctx, nil, "", 0); engage.ErrorCode(err) != engage.EUNAUTHORIZED {
			t.Fatalf("policies read signed out: %v", err)
		}
		// Updates are versioned; a stale version is a conflict.
		in := p.Input()
		in.Name = "Portfolio board"
		in.Stages = append(in.Stages, stage("Finance", approval.QuorumAll, 0, people(f.person["finhead"])))
		p2, err := f.s.UpdatePolicy(f.ctx, f.as("admin"), p.ID, 1, in)
		if err != nil || p2.Version != 2 || p2.Name != "Portfolio board" || len(p2.Stages) != 2 {
			t.Fatalf("update = %+v, %v", p2, err)
		}
		in.Name = "Stale"
		_, err = f.s.UpdatePolicy(f.ctx, f.as("admin"), p.ID, 1, in)
		wantCode(t, err, engage.ECONFLICT)
		if got, _ := f.s.FindPolicy(f.ctx, f.as("req"), p.ID); got.Name != "Portfolio board" {
			t.Fatalf("after a stale update the policy is %q", got.Name)
		}
		if _, err := f.s.UpdatePolicy(f.ctx, f.as("admin"), 99999, 1, in); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("updating a missing policy: %v", err)
		}
		if f.auditCount("approval_policy", p.ID, "create") != 1 || f.auditCount("approval_policy", p.ID, "update") != 1 {
			t.Fatal("policy changes are not audited once each")
		}

		// Keyset paging visits every policy once, in priority order.
		for i := range 5 {
			v := valid
			v.Name = "Extra"
			v.Priority = 5 - i
			if _, err := f.s.CreatePolicy(f.ctx, f.as("admin"), v); err != nil {
				t.Fatal(err)
			}
		}
		var prios []int
		cursor := ""
		for {
			page, next, err := f.s.ListPolicies(f.ctx, f.as("req"), cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page {
				prios = append(prios, p.Priority)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if got := fmtInts(prios); got != "1,2,3,4,5,10" {
			t.Fatalf("paged priorities = %s; want 1,2,3,4,5,10", got)
		}
	})
}

func fmtInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = decimal.NewFromInt(int64(x)).String()
	}
	return strings.Join(parts, ",")
}
