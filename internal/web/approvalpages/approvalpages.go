// Package approvalpages is the web interface's approval area: what waits
// for a person's consent, a request with its timeline and decision,
// delegations while away, the signed links that decide without signing in,
// and the approval policies with their administration.
package approvalpages

import (
	"embed"
	"html/template"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/waiting"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the approval area.
type Pages struct {
	*page.Kit
	Approval *approval.Service
	Org      *org.Service
	// Catalog shows an order's lines and the department's spend beside a
	// request; nil leaves them out.
	Catalog *catalog.Catalog
	// Waiting lists what waits for the person, whatever area it is from.
	Waiting *waiting.Counter
	Clock   engage.Clock
}

// Routes are the approval pages: the inbox, a request with its timeline,
// delegations, signed links (no sign-in) and the policy admin.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /approvals", Handle: s.approvalInbox},
		{Pattern: "GET /approvals/policies", Handle: s.approvalPolicies},
		{Pattern: "GET /approvals/delegations", Handle: s.approvalDelegations},
		{Pattern: "POST /approvals/delegations", Handle: s.createApprovalDelegation},
		{Pattern: "POST /approvals/delegations/{id}/delete", Handle: s.deleteApprovalDelegation},
		{Pattern: "GET /approvals/link/{token}", Public: true, Handle: s.approvalLink},
		{Pattern: "POST /approvals/link/{token}", Public: true, Handle: s.decideApprovalLink},
		// Decisions and cancellations post to the request's own page: a
		// sub-path such as /approvals/{id}/decide would clash with the links.
		{Pattern: "GET /approvals/{id}", Handle: s.approvalRequest},
		{Pattern: "POST /approvals/{id}", Handle: s.actOnApproval},

		{Pattern: "GET /admin/approval-policies", Role: access.Admin, Handle: s.adminApprovalPolicies},
		{Pattern: "GET /admin/approval-policies/new", Role: access.Admin, Handle: s.approvalPolicyForm},
		{Pattern: "POST /admin/approval-policies", Role: access.Admin, Handle: s.saveApprovalPolicy},
		{Pattern: "GET /admin/approval-policies/{id}/edit", Role: access.Admin, Handle: s.approvalPolicyForm},
		{Pattern: "POST /admin/approval-policies/{id}", Role: access.Admin, Handle: s.saveApprovalPolicy},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area:  "approvals",
	FS:    templateFS,
	Funcs: funcs,
	Views: map[string]page.View{
		"approvals.html":               &inboxView{},
		"approval_request.html":        &requestView{Request: sampleRequest, For: []approval.Approver{{PersonID: 1}}, Order: &catalog.Order{Lines: []catalog.OrderLine{{}}}, CanCancel: true},
		"approval_link.html":           &linkView{Link: approval.LinkView{Request: sampleRequest, For: []approval.Approver{{PersonID: 1}}}, Stage: &approval.RequestStage{}},
		"approval_delegations.html":    &delegationsView{Delegations: []approval.Delegation{{}}},
		"approval_policies.html":       &policiesView{Policies: samplePolicies},
		"approval_policies_admin.html": &policiesView{Policies: samplePolicies},
		"approval_policy_form.html":    &policyFormView{Rows: []int{0}},
	},
}

var (
	sampleRequest  = approval.Request{Title: "An order", Amount: decimal.NewFromInt(1200), Currency: "EUR", DepartmentName: "Research"}
	samplePolicies = []policyView{{Policy: approval.Policy{Active: true}, Conditions: []string{"Every request"}, Stages: []string{"Manager"}}}
)

// funcs are the area's template functions.
var funcs = template.FuncMap{
	"approvalStatus": func(status string) string {
		switch status {
		case approval.Pending:
			return "Waiting for approval"
		case approval.Approved:
			return "Approved"
		case approval.Declined:
			return "Declined"
		case approval.Cancelled:
			return "Cancelled"
		}
		return status
	},
	"approvalStatusClass": func(status string) string {
		switch status {
		case approval.Approved:
			return "label ok"
		case approval.Declined, approval.Cancelled:
			return "label warn"
		}
		return "label"
	},
	"approvalVerdict": func(v string) string {
		switch v {
		case approval.Approve:
			return "approved"
		case approval.Decline:
			return "declined"
		}
		return "cancelled"
	},
	"approvalVia": func(v string) string {
		switch v {
		case approval.ViaLink:
			return "from a link in a message"
		case approval.ViaAPI:
			return "through the API"
		}
		return "in Engage"
	},
	"approvalRule":        func(r string) string { return approval.RuleLabels[r] },
	"approvalStageNumber": func(i int) int { return i + 1 },
}

// inboxView is the approvals page: what waits for the person, their own
// requests, what they decided lately and the delegations running.
type inboxView struct {
	page.Base
	WaitingList []waiting.Item
	Mine        []approval.Request
	MoreMine    bool
	Decided     []approval.Request
	Covering    []approval.Delegation // others away, whose approvals the person decides
	Away        []approval.Delegation // the person's own, running
}

// requestView is one request, with the decision form for those it waits
// for.
type requestView struct {
	page.Base
	Request    approval.Request
	For        []approval.Approver // the people the reader decides for
	CanCancel  bool
	Order      *catalog.Order // what an order asks for, when the reader may see it
	Spend      []catalog.Spend
	SpendKnown bool
}

// linkView is a request opened from a signed link, without signing in.
type linkView struct {
	page.Base
	Link  approval.LinkView
	Token string
	Stage *approval.RequestStage // the stage it waits for, while pending
}

// delegationsView is the person's delegations and the form adding one.
type delegationsView struct {
	page.Base
	Delegations []approval.Delegation
	Next        string
	Today       string
}

// policiesView lists the policies, as everyone sees them or for the
// administrator.
type policiesView struct {
	page.Base
	Policies []policyView
	Next     string
}

// policyFormView is the form of a policy with its stage rows.
type policyFormView struct {
	page.Base
	ID          int64
	Departments []org.Department
	Rows        []int
	DataClasses []string
}
