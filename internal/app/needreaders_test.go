package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/demo"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/paging"
)

// askAs creates a draft need as the person at email.
func askAs(t *testing.T, e *apptest.Engage, email, title string) frontdoor.Need {
	t.Helper()
	n, err := e.FrontDoor.Create(context.Background(), mustPrincipal(t, e, email), frontdoor.NeedInput{Title: title,
		Problem: "Samples are tracked in spreadsheets.", Outcome: "One register of samples.", Users: 12, DataClass: "internal"})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// move takes the actions on the need as the person at email.
func move(t *testing.T, e *apptest.Engage, email string, n frontdoor.Need, actions ...frontdoor.Action) frontdoor.Need {
	t.Helper()
	p := mustPrincipal(t, e, email)
	for _, a := range actions {
		var err error
		if n, err = e.FrontDoor.Act(context.Background(), p, n.Reference, a, frontdoor.ActInput{Version: n.Version, Reason: "Because."}); err != nil {
			t.Fatalf("%s %s as %s: %v", a, n.Reference, email, err)
		}
	}
	return n
}

// readsNeed reports whether the person at email reads the need by every way
// Engage offers: its page, the API, the list, the CSV export, the dashboard
// and the gate's details. All must agree, and the answer is returned.
func readsNeed(t *testing.T, e *apptest.Engage, email string, n frontdoor.Need) bool {
	t.Helper()
	ctx, p := context.Background(), mustPrincipal(t, e, email)
	_, err := e.FrontDoor.Find(ctx, p, n.Reference)
	found := err == nil

	ways := map[string]bool{}
	status, _ := clientOf(t, e, email).json(http.MethodGet, "/needs/"+n.Reference, "")
	ways["GET /api/v1/needs/{ref}"] = status == http.StatusOK
	listed := false
	for cursor := ""; ; {
		page, next, err := e.FrontDoor.List(ctx, p, frontdoor.ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page {
			listed = listed || m.Reference == n.Reference
		}
		if cursor = next; next == "" {
			break
		}
	}
	ways["the list"] = listed
	if slices.ContainsFunc(demo.Accounts, func(a demo.Account) bool { return a.Email == email }) { // those who sign in
		b := e.SignIn(t, email)
		res, _ := b.Get("/needs/" + n.Reference)
		ways["/needs/{ref}"] = res.StatusCode == http.StatusOK
		_, csv := b.Get("/needs?format=csv")
		ways["/needs?format=csv"] = strings.Contains(csv, n.Reference)
	}
	d, err := e.FrontDoor.Dashboard(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	counted := false
	for _, dc := range d.ByDepartment {
		if dc.DepartmentID == n.DepartmentID {
			counted = dc.ByState[n.State] > 0
		}
	}
	if n.State == frontdoor.Draft {
		// Drafts are the only ones of their state in the department here.
		ways["the dashboard"] = counted
	}
	gate, err := e.FrontDoor.Gate(ctx, p, n.Reference)
	if err != nil {
		t.Fatal(err)
	}
	ways["the gate's details"] = gate.Title != ""
	for way, reads := range ways {
		if reads != found {
			t.Errorf("%s: %s reads %s through %s: %v, but finding it: %v", email, n.State, n.Reference, way, reads, found)
		}
	}
	return found
}

// TestDraftsAreTheirAuthors: a draft never submitted is read, listed,
// counted and answered by the gate for its author only — not the
// department's people, its head, its BRM, the board or an administrator.
// Once submitted, they read it; sent back for more information, it stays
// theirs to read.
func TestDraftsAreTheirAuthors(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		bio := departmentByCode(t, e, "BIO")
		var colleague string
		if err := e.DB.QueryRow(ctx, "SELECT email FROM people WHERE department_id = ? AND email <> ? ORDER BY id LIMIT 1",
			bio.ID, "requester@example.com").Scan(&colleague); err != nil {
			t.Fatal(err)
		}
		n := askAs(t, e, "requester@example.com", "Sample register")
		if !readsNeed(t, e, "requester@example.com", n) {
			t.Fatal("the author does not read their own draft")
		}
		others := []string{colleague, "budget@example.com", "brm@example.com", "board@example.com", "admin@example.com", "finance@example.com"}
		for _, email := range others {
			if readsNeed(t, e, email, n) {
				t.Errorf("%s reads %s's draft %s", email, "requester@example.com", n.Reference)
			}
			gate, err := e.FrontDoor.Gate(ctx, mustPrincipal(t, e, email), n.Reference)
			if err != nil || gate.State != "" || !strings.HasPrefix(gate.Reason, "Unknown reference") {
				t.Errorf("the gate tells %s of another's draft: %+v %v", email, gate, err)
			}
		}
		// The board counts the drafts sent back for more information, not
		// those never submitted.
		var sentBack float64
		if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM needs WHERE state = 'draft' AND submitted_at IS NOT NULL").Scan(&sentBack); err != nil {
			t.Fatal(err)
		}
		if _, d := clientOf(t, e, "board@example.com").json(http.MethodGet, "/needs-dashboard", ""); d["by_state"].(map[string]any)["draft"] != sentBack {
			t.Errorf("the board's dashboard counts %v drafts; want the %v sent back", d["by_state"].(map[string]any)["draft"], sentBack)
		}

		n = move(t, e, "requester@example.com", n, "submit")
		for _, email := range others {
			if !readsNeed(t, e, email, n) {
				t.Errorf("%s does not read the submitted need %s", email, n.Reference)
			}
		}
		n = move(t, e, "brm@example.com", n, "request_info")
		if n.State != frontdoor.Draft || !readsNeed(t, e, "brm@example.com", n) {
			t.Errorf("the BRM who asked for more information no longer reads %s (%s)", n.Reference, n.State)
		}
	})
}

// TestReviewersReadTheNeedsTheyReview: a reviewer reads the needs being
// assessed that wait for their kind of review and those they reviewed, not
// every need past triage; their queue holds only what waits for them.
func TestReviewersReadTheNeedsTheyReview(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		n := askAs(t, e, "requester@example.com", "Sample register")
		n = move(t, e, "requester@example.com", n, "submit")
		n = move(t, e, "brm@example.com", n, "start_triage", "accept")
		// Being assessed: every kind of reviewer reads it.
		for _, email := range []string{"architect@example.com", "security@example.com", "finance.reviewer@example.com"} {
			if !readsNeed(t, e, email, n) {
				t.Errorf("%s does not read %s, which waits for their review", email, n.Reference)
			}
		}
		if _, err := e.FrontDoor.Review(ctx, mustPrincipal(t, e, "architect@example.com"), n.Reference, "architecture", "approve", "", 0); err != nil {
			t.Fatal(err)
		}
		n, _ = e.FrontDoor.Find(ctx, mustPrincipal(t, e, "requester@example.com"), n.Reference)
		queue, _, err := e.FrontDoor.List(ctx, mustPrincipal(t, e, "architect@example.com"), frontdoor.ListFilter{Queue: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range queue {
			if m.Reference == n.Reference {
				t.Errorf("%s stays in the architect's queue after their review", n.Reference)
			}
		}
		n = move(t, e, "board@example.com", n, "reject")
		if !readsNeed(t, e, "architect@example.com", n) {
			t.Errorf("the architect no longer reads %s, which they reviewed", n.Reference)
		}
		if readsNeed(t, e, "security@example.com", n) {
			t.Errorf("the security reviewer reads %s, rejected before their review", n.Reference)
		}

		// Over the whole demo: every need a reviewer reads is of their own
		// department, asked by them, waiting for their review or reviewed
		// by them.
		for _, email := range []string{"security@example.com", "finance.reviewer@example.com"} {
			p := mustPrincipal(t, e, email)
			kind := map[access.Role]string{access.ReviewerSecurity: "security", access.ReviewerFinance: "finance"}
			var mine string
			for r, k := range kind {
				if p.Has(r) {
					mine = k
				}
			}
			for cursor := ""; ; {
				page, next, err := e.FrontDoor.List(ctx, p, frontdoor.ListFilter{Limit: paging.MaxLimit, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range page {
					var reviewedByMe, reviewedKind int
					if err := e.DB.QueryRow(ctx, `SELECT
						(SELECT COUNT(*) FROM need_events WHERE need_id = ? AND actor_id = ? AND action LIKE 'review_%'),
						(SELECT COUNT(*) FROM need_reviews WHERE need_id = ? AND kind = ?)`, m.ID, p.PersonID, m.ID, mine).Scan(&reviewedByMe, &reviewedKind); err != nil {
						t.Fatal(err)
					}
					if m.DepartmentID != p.DepartmentID && m.RequesterID != p.PersonID && reviewedByMe == 0 &&
						(m.State != frontdoor.Assessment || reviewedKind > 0) {
						t.Errorf("%s reads %s (%s of %s), which is not theirs to review", email, m.Reference, m.State, m.DepartmentName)
					}
				}
				if cursor = next; next == "" {
					break
				}
			}
		}
	})
}

// TestThoseAskedToConsentReadTheNeed: when an approval policy asks someone
// outside the need's department to consent to the board's decision, they
// read the need — through its page, the API and the link on the approval
// page — and so does their delegate today, while nobody else does; having
// decided, they still read it.
func TestThoseAskedToConsentReadTheNeed(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		owner, moderator := person(t, e, "owner@example.com"), person(t, e, "moderator@example.com")
		if _, err := e.Approval.CreatePolicy(ctx, mustPrincipal(t, e, "admin@example.com"), approval.PolicyInput{Name: "Collaboration owner consents",
			Active: true, Priority: 1, Conditions: approval.Conditions{SubjectTypes: []string{frontdoor.SubjectNeed}},
			Stages: []approval.Stage{{Name: "Service owner", Quorum: approval.QuorumAny,
				Approvers: []approval.ApproverRule{{Kind: approval.RulePeople, PersonIDs: []int64{owner.ID}}}}}}); err != nil {
			t.Fatal(err)
		}
		n := askAs(t, e, "requester@example.com", "Sample register")
		n = move(t, e, "requester@example.com", n, "submit")
		n = move(t, e, "brm@example.com", n, "start_triage", "accept")
		for email, kind := range map[string]string{"architect@example.com": "architecture", "security@example.com": "security", "finance.reviewer@example.com": "finance"} {
			if _, err := e.FrontDoor.Review(ctx, mustPrincipal(t, e, email), n.Reference, kind, "approve", "", 0); err != nil {
				t.Fatal(err)
			}
		}
		n, _ = e.FrontDoor.Find(ctx, mustPrincipal(t, e, "requester@example.com"), n.Reference)
		n = move(t, e, "brm@example.com", n, "to_decision")
		opt, err := e.FrontDoor.AddOption(ctx, mustPrincipal(t, e, "brm@example.com"), n.Reference,
			frontdoor.NeedOptionInput{Kind: "reuse", OfferingID: offeringID(t, e, "laptop-developer")})
		if err != nil {
			t.Fatal(err)
		}
		n, _ = e.FrontDoor.Find(ctx, mustPrincipal(t, e, "requester@example.com"), n.Reference)
		n, err = e.FrontDoor.Act(ctx, mustPrincipal(t, e, "board@example.com"), n.Reference, "decide",
			frontdoor.ActInput{Version: n.Version, OptionID: opt.ID, Reason: "Reuse what exists.", Exception: "Accepted."})
		if err != nil || n.State != frontdoor.Decision || n.ApprovalID == 0 {
			t.Fatalf("the board's decision = %+v, %v; want it waiting for consent", n, err)
		}

		// The approver, outside the department, follows the approval page's link.
		if readsNeed(t, e, "moderator@example.com", n) {
			t.Fatalf("moderator@example.com, not asked, reads %s", n.Reference)
		}
		if !readsNeed(t, e, "owner@example.com", n) {
			t.Errorf("owner@example.com, asked to consent, does not read %s", n.Reference)
		}
		b := e.SignIn(t, "owner@example.com")
		approvalPage := fmt.Sprintf("/approvals/%d", n.ApprovalID)
		if _, page := b.Get(approvalPage); !strings.Contains(page, `href="/needs/`+n.Reference+`"`) {
			t.Fatalf("%s does not link to the need", approvalPage)
		}
		if res, _ := b.Get("/needs/" + n.Reference); res.StatusCode != http.StatusOK {
			t.Errorf("the approver follows the link to /needs/%s: %d", n.Reference, res.StatusCode)
		}

		// A delegation that starts tomorrow opens nothing; one covering today does.
		day := func(d int) string { return e.Clock.Now().UTC().AddDate(0, 0, d).Format("2006-01-02") }
		delegate := func(from, to int) {
			t.Helper()
			if _, err := e.Approval.CreateDelegation(ctx, mustPrincipal(t, e, "owner@example.com"),
				approval.DelegationInput{DelegateID: moderator.ID, From: day(from), To: day(to)}); err != nil {
				t.Fatal(err)
			}
		}
		delegate(1, 3)
		if readsNeed(t, e, "moderator@example.com", n) {
			t.Errorf("the delegate of a delegation not yet begun reads %s", n.Reference)
		}
		delegate(0, 0)
		if !readsNeed(t, e, "moderator@example.com", n) {
			t.Errorf("the delegate today of the approver does not read %s", n.Reference)
		}

		// Having consented, the approver still reads the need, now approved.
		if _, err := e.Approval.Decide(ctx, mustPrincipal(t, e, "owner@example.com"), n.ApprovalID,
			approval.DecideInput{Verdict: approval.Approve, Via: approval.ViaInbox}); err != nil {
			t.Fatal(err)
		}
		n, _ = e.FrontDoor.Find(ctx, mustPrincipal(t, e, "requester@example.com"), n.Reference)
		if n.State != frontdoor.Approved || !readsNeed(t, e, "owner@example.com", n) {
			t.Errorf("the approver who consented does not read %s (%s)", n.Reference, n.State)
		}
	})
}
