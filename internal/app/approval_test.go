package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/db"
)

// submitLabOrder submits a request the way the catalog does: inside the
// transaction that creates its subject.
func submitLabOrder(t *testing.T, e *apptest.Engage, in approval.SubmitInput) approval.Request {
	t.Helper()
	var r approval.Request
	err := e.DB.Transact(context.Background(), func(tx *db.Tx) error {
		var err error
		r, err = e.Approval.Submit(context.Background(), tx, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestApprovalFromPolicyToDecision(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := apiClient{t, e, e.Token(t, "admin@example.com")}
		requester := person(t, e, "requester@example.com")
		budget := person(t, e, "budget@example.com")
		bio := departmentByCode(t, e, "BIO")
		disc := departmentByCode(t, e, "DISC")

		// The Biology Laboratory's head moves on: its budget holder is now the
		// head of Discovery Science, the department above it.
		if status, out := admin.json("PATCH", "/departments/"+strconv.FormatInt(bio.ID, 10),
			fmt.Sprintf(`{"version":%d,"head_id":0}`, bio.Version)); status != 200 {
			t.Fatalf("clearing BIO's head = %d %v", status, out)
		}
		status, pol := admin.json("POST", "/approval-policies", fmt.Sprintf(`{"name":"Lab spending","active":true,"priority":10,
			"conditions":{"subject_types":["lab-order"],"min_amount":"1000","currency":"EUR","department_ids":[%d]},
			"stages":[{"name":"Budget holder","quorum":"all","approvers":[{"kind":"budget-holder"}]}]}`, disc.ID))
		if status != http.StatusCreated || pol["version"].(float64) != 1 {
			t.Fatalf("create policy = %d %v", status, pol)
		}
		// Anyone signed in reads the policies, to see why approval is needed.
		reader := apiClient{t, e, e.Token(t, "requester@example.com")}
		if status, list := reader.json("GET", "/approval-policies", ""); status != 200 || !strings.Contains(fmt.Sprint(list["items"]), "name:Lab spending") {
			t.Fatalf("policies read by a requester = %d %v", status, list)
		}
		if status, _ := reader.json("POST", "/approval-policies", `{"name":"Mine","active":true,"priority":1,"conditions":{},"stages":[]}`); status != http.StatusForbidden {
			t.Fatalf("a requester creating a policy = %d; want 403", status)
		}

		var handled []approval.Request
		e.Approval.OnDecided("lab-order", func(ctx context.Context, tx *db.Tx, r approval.Request) error {
			handled = append(handled, r)
			return nil
		})
		req := submitLabOrder(t, e, approval.SubmitInput{SubjectType: "lab-order", SubjectID: 42, Title: "Sequencer service contract",
			Link: "/catalog", RequesterID: requester.ID, DepartmentID: bio.ID, Amount: decimal.RequireFromString("2500"), Currency: "EUR"})
		if req.Status != approval.Pending || len(req.Stages) != 1 || len(req.Stages[0].Approvers) != 1 || req.Stages[0].Approvers[0].PersonID != budget.ID {
			t.Fatalf("submitted request = %+v", req)
		}
		path := "/approvals/" + strconv.FormatInt(req.ID, 10)

		// It waits in the budget holder's inbox.
		b := e.SignIn(t, "budget@example.com")
		res, body := b.Get("/approvals")
		if res.StatusCode != 200 || !strings.Contains(body, `href="`+path+`"`) || !strings.Contains(body, "Sequencer service contract") ||
			!strings.Contains(body, "€2,500.00") || !strings.Contains(body, "Riley Chen") {
			t.Fatalf("budget holder's inbox = %d, missing the request", res.StatusCode)
		}
		// …and in the requester's own list, not as something to decide.
		rb := e.SignIn(t, "requester@example.com")
		_, body = rb.Get("/approvals")
		if !strings.Contains(body, "Nothing is waiting for your decision") || !strings.Contains(body, `href="`+path+`"`) {
			t.Fatalf("the requester's approvals page does not list their request under their own requests: %s", body)
		}
		if res, _ := rb.Post(path, url.Values{"verdict": {"approve"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("the requester approving their own request = %d; want 403", res.StatusCode)
		}

		// Declining without a reason names the field, keeps what was chosen, changes nothing.
		res, body = b.Post(path, url.Values{"verdict": {"decline"}, "reason": {"  "}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#reason"`) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Fatalf("decline without a reason = %d", res.StatusCode)
		}
		budgetAPI := apiClient{t, e, e.Token(t, "budget@example.com")}
		status, problem := budgetAPI.json("POST", "/approval-requests/"+strconv.FormatInt(req.ID, 10)+"/decide", `{"verdict":"decline"}`)
		if status != http.StatusUnprocessableEntity || !slices.Contains(locations(problem), "body.reason") {
			t.Fatalf("API decline without a reason = %d %v", status, problem)
		}
		if _, waiting := budgetAPI.json("GET", "/approval-requests?waiting_for_me=true", ""); !strings.Contains(fmt.Sprint(waiting["items"]), "title:Sequencer service contract") {
			t.Fatalf("waiting for the budget holder = %v", waiting)
		}

		// Approving through the form.
		res, _ = b.Post(path, url.Values{"verdict": {"approve"}, "reason": {"Within the lab's budget"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
			t.Fatalf("approve = %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
		res, body = b.Get(path)
		for _, want := range []string{`id="status">Approved`, "Submitted by Riley Chen", "Stage 1 of 1: Budget holder — approved",
			"Dana Whitfield approved on", "Within the lab&#39;s budget", "the lab-order goes ahead"} {
			if !strings.Contains(body, want) {
				t.Errorf("request page lacks %q", want)
			}
		}
		if strings.Contains(body, `name="verdict"`) {
			t.Error("the request page still offers a decision after it was approved")
		}
		if len(handled) != 1 || handled[0].ID != req.ID || handled[0].Status != approval.Approved {
			t.Fatalf("subject handler calls = %+v", handled)
		}
		// Someone from another department cannot see it.
		if res, _ := e.SignIn(t, "finance.reviewer@example.com").Get(path); res.StatusCode != http.StatusNotFound {
			t.Fatalf("an unrelated person reading the request = %d; want 404", res.StatusCode)
		}

		// The API shows the decision; the audit log has every step.
		_, got := reader.json("GET", "/approval-requests/"+strconv.FormatInt(req.ID, 10), "")
		decisions := got["decisions"].([]any)
		if got["status"] != "approved" || len(decisions) != 1 || decisions[0].(map[string]any)["via"] != "inbox" ||
			decisions[0].(map[string]any)["decider_name"] != "Dana Whitfield" {
			t.Fatalf("request through the API = %v", got)
		}
		_, events := admin.json("GET", "/audit-events?entity_type=approval_request&entity_id="+strconv.FormatInt(req.ID, 10), "")
		var actions []string
		for _, ev := range events["items"].([]any) {
			actions = append(actions, ev.(map[string]any)["action"].(string))
		}
		if strings.Join(actions, ",") != "approve,submit" {
			t.Fatalf("audit actions = %v; want approve, submit", actions)
		}
		_, events = admin.json("GET", fmt.Sprintf("/audit-events?entity_type=approval_policy&entity_id=%v", pol["id"]), "")
		if items := events["items"].([]any); len(items) != 1 || items[0].(map[string]any)["action"] != "create" {
			t.Fatalf("policy audit events = %v", events)
		}
	})
}

func TestApprovalSignedLinkWithoutSigningIn(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := apiClient{t, e, e.Token(t, "admin@example.com")}
		requester := person(t, e, "requester@example.com")
		brm := person(t, e, "brm@example.com")
		rnd := departmentByCode(t, e, "RND")
		status, out := admin.json("POST", "/approval-policies", fmt.Sprintf(`{"name":"R&D needs","active":true,"priority":1,
			"conditions":{"department_ids":[%d]},"stages":[{"name":"BRM","quorum":"any","approvers":[{"kind":"brm"}]}]}`, rnd.ID))
		if status != http.StatusCreated {
			t.Fatalf("create policy = %d %v", status, out)
		}
		req := submitLabOrder(t, e, approval.SubmitInput{SubjectType: "lab-notebook", SubjectID: 7, Title: "Electronic lab notebook",
			RequesterID: requester.ID, DepartmentID: departmentByCode(t, e, "BIO").ID})
		if len(req.Stages) != 1 || req.Stages[0].Approvers[0].PersonID != brm.ID {
			t.Fatalf("approvers = %+v; want the BRM of R&D", req.Stages)
		}
		link, err := e.Approval.SignedLink(req.ID, brm.ID)
		if err != nil {
			t.Fatal(err)
		}
		anon := e.Browser(t)
		res, body := anon.Get(link)
		if res.StatusCode != 200 || !strings.Contains(body, "Electronic lab notebook") || !strings.Contains(body, `value="approve"`) {
			t.Fatalf("link page = %d", res.StatusCode)
		}
		if res, _ := anon.Get(link[:len(link)-3] + "xyz"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("tampered link = %d; want 404", res.StatusCode)
		}
		// A decline needs a reason here too.
		if res, body := anon.Post(link, url.Values{"verdict": {"decline"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#reason"`) {
			t.Fatalf("link decline without reason = %d", res.StatusCode)
		}
		// The form is protected by the signed token and the double-submit cookie.
		if res, _ := anon.Post(link, url.Values{"verdict": {"approve"}, "csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("link approve with a forged CSRF token = %d; want 403", res.StatusCode)
		}
		res, _ = anon.Post(link, url.Values{"verdict": {"approve"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve by link = %d", res.StatusCode)
		}
		_, body = anon.Get(link)
		if !strings.Contains(body, "Sam Okafor approved this request") || !strings.Contains(body, "no longer waiting") || strings.Contains(body, `value="approve"`) {
			t.Fatal("a used link does not say it was used")
		}
		if res, _ := anon.Post(link, url.Values{"verdict": {"approve"}}); res.StatusCode != http.StatusConflict {
			t.Fatalf("reusing the link = %d; want 409", res.StatusCode)
		}
		_, got := admin.json("GET", "/approval-requests/"+strconv.FormatInt(req.ID, 10), "")
		if got["status"] != "approved" || got["decisions"].([]any)[0].(map[string]any)["via"] != "link" {
			t.Fatalf("request after the link = %v", got)
		}
	})
}

func TestApprovalPolicyAndDelegationPages(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := e.SignIn(t, "admin@example.com")
		rnd := departmentByCode(t, e, "RND")
		res, body := admin.Get("/admin/approval-policies")
		if res.StatusCode != 200 || !strings.Contains(body, `href="/admin/approval-policies/new"`) {
			t.Fatalf("policy list = %d", res.StatusCode)
		}
		res, body = admin.Get("/admin/approval-policies/new")
		if res.StatusCode != 200 || !strings.Contains(body, `name="stages[2].name"`) || !strings.Contains(body, `name="stage_rows" value="3"`) {
			t.Fatalf("new policy form = %d", res.StatusCode)
		}
		// Wrong input comes back with every field named and nothing typed lost.
		form := url.Values{"stage_rows": {"3"}, "name": {""}, "priority": {"5"}, "active": {"on"}, "conditions.min_amount": {"5000"},
			"conditions.currency": {"eur"}, "conditions.department_ids": {strconv.FormatInt(rnd.ID, 10)},
			"stages[0].name": {"Budget holder"}, "stages[0].quorum": {"all"}, "stages[0].budget_holder": {"on"},
			"stages[1].name": {"Relationship"}, "stages[1].quorum": {"any"}, "stages[1].people": {"brm@example.com, nobody@example.com"}}
		res, body = admin.Post("/admin/approval-policies", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#stages%5b1%5d.people"`) ||
			!strings.Contains(body, `value="brm@example.com, nobody@example.com"`) || !strings.Contains(body, `value="Budget holder"`) {
			t.Fatalf("invalid policy form = %d %s", res.StatusCode, body)
		}
		form.Set("stages[1].people", "brm@example.com")
		res, body = admin.Post("/admin/approval-policies", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#name"`) {
			t.Fatalf("policy without a name = %d", res.StatusCode)
		}
		form.Set("name", "Big spend in R&D")
		res, _ = admin.Post("/admin/approval-policies", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save policy = %d", res.StatusCode)
		}
		_, body = admin.Get("/admin/approval-policies")
		for _, want := range []string{"Big spend in R&amp;D", "Amount at or above 5000 EUR", "Research &amp; Development", "1. Budget holder", "2. Relationship — any one of: Sam Okafor"} {
			if !strings.Contains(body, want) {
				t.Errorf("policy list lacks %q", want)
			}
		}
		all, _, err := e.Approval.ListPolicies(context.Background(), system, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(all, func(p approval.Policy) bool { return p.Name == "Big spend in R&D" })
		if i < 0 || len(all[i].Stages) != 2 || all[i].Conditions.Currency != "EUR" || !slices.Equal(all[i].Conditions.DepartmentIDs, []int64{rnd.ID}) {
			t.Fatalf("saved policies = %+v", all)
		}
		edit := "/admin/approval-policies/" + strconv.FormatInt(all[i].ID, 10)
		_, body = admin.Get(edit + "/edit")
		if !strings.Contains(body, `name="version" value="1"`) || !strings.Contains(body, `value="brm@example.com"`) ||
			!strings.Contains(body, `name="stages[0].budget_holder" checked`) || !strings.Contains(body, `name="stage_rows" value="4"`) {
			t.Fatal("the edit form does not hold the saved policy")
		}
		form.Set("version", "1")
		form.Set("priority", "7")
		if res, _ = admin.Post(edit, form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("update policy = %d", res.StatusCode)
		}
		if res, body = admin.Post(edit, form); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed") {
			t.Fatalf("stale update = %d", res.StatusCode)
		}
		// Everyone sees the policies in plain words.
		requester := e.SignIn(t, "requester@example.com")
		if res, body = requester.Get("/approvals/policies"); res.StatusCode != 200 || !strings.Contains(body, "Big spend in R&amp;D") {
			t.Fatalf("policies for everyone = %d", res.StatusCode)
		}
		if res, _ = requester.Get("/admin/approval-policies"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("admin policy list for a requester = %d", res.StatusCode)
		}

		// Delegations.
		b := e.SignIn(t, "budget@example.com")
		if res, body = b.Get("/approvals/delegations"); res.StatusCode != 200 || !strings.Contains(body, "You have no delegations") {
			t.Fatalf("delegations page = %d", res.StatusCode)
		}
		res, body = b.Post("/approvals/delegations", url.Values{"delegate_email": {"budget@example.com"}, "from": {"2026-03-16"}, "to": {"2026-03-20"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#delegate_email"`) || !strings.Contains(body, `value="2026-03-20"`) {
			t.Fatalf("self-delegation = %d", res.StatusCode)
		}
		res, _ = b.Post("/approvals/delegations", url.Values{"delegate_email": {"brm@example.com"}, "from": {"2026-03-16"}, "to": {"2026-03-20"}, "note": {"Lab visit"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delegate = %d", res.StatusCode)
		}
		_, body = b.Get("/approvals/delegations")
		if !strings.Contains(body, "Sam Okafor") || !strings.Contains(body, "Running") || !strings.Contains(body, "Lab visit") {
			t.Fatal("the delegation is not listed as running")
		}
		if _, body = b.Get("/approvals"); !strings.Contains(body, "You have delegated your approvals to Sam Okafor") {
			t.Fatal("the approvals page does not mention the running delegation")
		}
		list, _, err := e.Approval.ListDelegations(context.Background(), system, approval.DelegationFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("delegations = %v, %v", list, err)
		}
		res, _ = b.Post(fmt.Sprintf("/approvals/delegations/%d/delete", list[0].ID), url.Values{})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove delegation = %d", res.StatusCode)
		}
		if list, _, _ = e.Approval.ListDelegations(context.Background(), system, approval.DelegationFilter{}); len(list) != 0 {
			t.Fatal("the delegation was not removed")
		}
	})
}

// TestThoseAskedToApproveAnOrderOpenIt: an approver from outside the
// order's department follows the approval page's link to the order, and so
// does their delegate today; someone not asked gets "not found".
func TestThoseAskedToApproveAnOrderOpenIt(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		owner, moderator := person(t, e, "owner@example.com"), person(t, e, "moderator@example.com")
		if _, err := e.Approval.CreatePolicy(ctx, mustPrincipal(t, e, "admin@example.com"), approval.PolicyInput{Name: "Collaboration owner approves",
			Active: true, Priority: 1, Conditions: approval.Conditions{SubjectTypes: []string{"order"}},
			Stages: []approval.Stage{{Name: "Service owner", Quorum: approval.QuorumAny,
				Approvers: []approval.ApproverRule{{Kind: approval.RulePeople, PersonIDs: []int64{owner.ID}}}}}}); err != nil {
			t.Fatal(err)
		}
		number := quoteLaptops(t, e, "requester@example.com", 1)
		status, out := clientOf(t, e, "requester@example.com").json("POST", "/quotes/"+number+"/order", "{}")
		if status != 201 || out["status"] != "pending" {
			t.Fatalf("the order = %d %v; want it waiting for approval", status, out)
		}
		order, request := out["number"].(string), int64(out["approval_request_id"].(float64))
		opens := func(email string) bool {
			t.Helper()
			apiStatus, _ := clientOf(t, e, email).json(http.MethodGet, "/orders/"+order, "")
			res, _ := e.SignIn(t, email).Get("/orders/" + order)
			if (apiStatus == http.StatusOK) != (res.StatusCode == http.StatusOK) {
				t.Errorf("%s: GET /api/v1/orders/%s = %d but the page = %d", email, order, apiStatus, res.StatusCode)
			}
			return res.StatusCode == http.StatusOK
		}
		if opens("moderator@example.com") {
			t.Fatalf("moderator@example.com, not asked, opens %s", order)
		}
		if _, page := e.SignIn(t, "owner@example.com").Get(fmt.Sprintf("/approvals/%d", request)); !strings.Contains(page, `href="/orders/`+order+`"`) {
			t.Fatalf("the approval page does not link to %s", order)
		}
		if !opens("owner@example.com") {
			t.Errorf("owner@example.com, asked to approve, does not open %s", order)
		}
		today := e.Clock.Now().UTC().Format("2006-01-02")
		if _, err := e.Approval.CreateDelegation(ctx, mustPrincipal(t, e, "owner@example.com"),
			approval.DelegationInput{DelegateID: moderator.ID, From: today, To: today}); err != nil {
			t.Fatal(err)
		}
		if !opens("moderator@example.com") {
			t.Errorf("the delegate today of the approver does not open %s", order)
		}
	})
}
