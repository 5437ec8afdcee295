package approval_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

func TestApproverResolution(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		rule := func(kind string) approval.ApproverRule { return approval.ApproverRule{Kind: kind} }
		f.policy("Everyone", 10, approval.Conditions{SubjectTypes: []string{"test-order"}},
			stage("Manager", approval.QuorumAll, 0, rule(approval.RuleManager)),
			stage("Budget holder", approval.QuorumAll, 0, rule(approval.RuleBudgetHolder)),
			stage("BRM", approval.QuorumAll, 0, rule(approval.RuleBRM)),
			stage("Board", approval.QuorumAny, 0, approval.ApproverRule{Kind: approval.RuleRole, Role: access.PortfolioBoard}),
			stage("Named", approval.QuorumAll, 0, people(f.person["dana"], f.person["req"], f.person["gone"])),
			stage("Mixed", approval.QuorumN, 2, rule(approval.RuleManager), people(f.person["mgr"], f.person["dana"])),
		)
		r := f.mustSubmit(f.order("10"))
		for _, c := range []struct {
			stage int
			want  []int64
		}{
			{1, f.ids("mgr")},                   // req's manager
			{2, f.ids("ceo")},                   // BIO and SCI have no head: ROOT's
			{3, f.ids("brm")},                   // the BRM of ROOT, two levels up
			{4, f.ids("alice", "bob", "carol")}, // not the inactive gone
			{5, f.ids("dana")},                  // not the requester, not the inactive
			{6, f.ids("mgr", "dana")},           // a person named twice counts once
		} {
			st, _ := r.Stage(c.stage)
			if got := approverIDs(st); !slices.Equal(got, c.want) {
				t.Errorf("stage %d (%s) approvers = %v; want %v", c.stage, st.Name, got, c.want)
			}
		}
		if st, _ := r.Stage(6); st.Approvers[0].Rule == "" {
			t.Error("an approver does not record the rule that chose them")
		}

		// In LAB, the budget holder is LAB's own head.
		in := f.order("10")
		in.DepartmentID = f.dept["LAB"]
		lab := f.mustSubmit(in)
		if st, _ := lab.Stage(2); !slices.Equal(approverIDs(st), f.ids("labhead")) {
			t.Errorf("LAB's budget holder = %v; want labhead", approverIDs(st))
		}

		// Approvers were fixed at submission: a new head of ROOT changes nothing.
		if _, err := d.Exec(f.ctx, "UPDATE departments SET head_id = ? WHERE id = ?", f.person["finhead"], f.dept["ROOT"]); err != nil {
			t.Fatal(err)
		}
		again, err := f.s.FindRequest(f.ctx, f.as("req"), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st, _ := again.Stage(2); !slices.Equal(approverIDs(st), f.ids("ceo")) {
			t.Errorf("after the org changed, stage 2 approvers = %v; want still ceo", approverIDs(st))
		}
	})
}

func TestMisconfiguredPolicyRefusesSubmission(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, c := range []struct {
			name  string
			stage approval.Stage
			who   string // submitter
			says  string
		}{
			{"only the requester", stage("Self", approval.QuorumAll, 0, people(f.person["req"])), "req", "only the requester"},
			{"no manager", stage("Manager", approval.QuorumAll, 0, approval.ApproverRule{Kind: approval.RuleManager}), "ceo", "nobody found"},
			{"nobody active", stage("Gone", approval.QuorumAny, 0, people(f.person["mgr"])), "req", "nobody active"},
			{"quorum too high", stage("Three", approval.QuorumN, 3, approval.ApproverRule{Kind: approval.RuleRole, Role: access.BudgetHolder}), "req", "needs 3 approvals but only 2"},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := f.policy("Policy "+c.name, 1, approval.Conditions{}, c.stage)
				if c.name == "nobody active" {
					// mgr leaves after the policy was written.
					if _, err := d.Exec(f.ctx, "UPDATE people SET active = ? WHERE id = ?", false, f.person["mgr"]); err != nil {
						t.Fatal(err)
					}
					defer d.Exec(f.ctx, "UPDATE people SET active = ? WHERE id = ?", true, f.person["mgr"])
				}
				in := f.order("10")
				in.RequesterID = f.person[c.who]
				_, err := f.submit(in)
				wantCode(t, err, engage.EINVALID)
				msg := engage.ErrorMessage(err)
				if !strings.Contains(msg, p.Name) || !strings.Contains(msg, c.stage.Name) || !strings.Contains(msg, c.says) {
					t.Errorf("message %q does not name the policy, the stage and %q", msg, c.says)
				}
				var n int
				if err := d.QueryRow(f.ctx, "SELECT COUNT(*) FROM approval_requests").Scan(&n); err != nil || n != 0 {
					t.Errorf("a refused submission left %d requests (%v)", n, err)
				}
				// Switch it off so that the next case sees only its own policy.
				in2 := p.Input()
				in2.Active = false
				if _, err := f.s.UpdatePolicy(f.ctx, f.as("admin"), p.ID, p.Version, in2); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

func TestStagesRunInOrderWithQuorum(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.policy("Three stages", 1, approval.Conditions{},
			stage("Both managers", approval.QuorumAll, 0, people(f.person["alice"], f.person["bob"])),
			stage("Two of three", approval.QuorumN, 2, people(f.person["carol"], f.person["ceo"], f.person["finhead"])),
			stage("Anyone in finance", approval.QuorumAny, 0, people(f.person["dana"], f.person["finhead"])),
		)
		r := f.mustSubmit(f.order("500"))
		id := r.ID
		step := func(who string, wantStatus string, wantStage int) approval.Request {
			t.Helper()
			r := f.mustDecide(who, id, approval.Approve, "")
			if r.Status != wantStatus || r.CurrentStage != wantStage {
				t.Fatalf("after %s approved: %s at stage %d; want %s at stage %d", who, r.Status, r.CurrentStage, wantStatus, wantStage)
			}
			return r
		}
		// carol approves stage 2, which has not started.
		_, err := f.decide("carol", id, approval.Approve, "")
		wantCode(t, err, engage.EFORBIDDEN)

		step("alice", approval.Pending, 1) // all: one of two is not enough
		_, err = f.decide("alice", id, approval.Approve, "")
		wantCode(t, err, engage.ECONFLICT) // already decided
		r = step("bob", approval.Pending, 2)
		if st, _ := r.Stage(1); st.Status != approval.Approved || st.DecidedAt == nil {
			t.Fatalf("stage 1 = %s", st.Status)
		}
		if st, _ := r.Stage(2); st.Status != approval.Pending {
			t.Fatalf("stage 2 = %s; want pending", st.Status)
		}
		step("carol", approval.Pending, 2) // n=2: one is not enough
		step("ceo", approval.Pending, 3)
		if len(f.calls) != 0 {
			t.Fatal("the handler ran before the request ended")
		}
		r = step("finhead", approval.Approved, 3) // any: one is enough
		if r.DecidedAt == nil || len(r.Decisions) != 5 {
			t.Fatalf("approved request: decided %v with %d decisions", r.DecidedAt, len(r.Decisions))
		}
		if len(f.calls) != 1 || f.calls[0].ID != id || f.calls[0].Status != approval.Approved {
			t.Fatalf("handler calls = %+v; want one, approved", f.calls)
		}
		_, err = f.decide("dana", id, approval.Approve, "")
		wantCode(t, err, engage.ECONFLICT) // the request is no longer pending
		if n := f.auditCount("approval_request", id, "approve"); n != 5 {
			t.Fatalf("%d approve audit events; want 5", n)
		}
		var rows int
		if err := d.QueryRow(f.ctx, "SELECT COUNT(*) FROM approval_decisions WHERE request_id = ? AND via = ?", id, approval.ViaInbox).Scan(&rows); err != nil || rows != 5 {
			t.Fatalf("%d decision rows via inbox (%v); want 5", rows, err)
		}
		if steps := r.Timeline(); len(steps) != 5 || !strings.Contains(steps[4].Title, "Approved") {
			t.Fatalf("timeline = %+v", steps)
		}
	})
}

func TestFirstDeclineEndsTheRequest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.policy("Two stages", 1, approval.Conditions{},
			stage("Board", approval.QuorumAll, 0, people(f.person["alice"], f.person["bob"])),
			stage("Finance", approval.QuorumAny, 0, people(f.person["finhead"])))
		r := f.mustSubmit(f.order("500"))
		f.mustDecide("alice", r.ID, approval.Approve, "Fine by me")

		_, err := f.decide("bob", r.ID, approval.Decline, "   ")
		wantField(t, err, "reason")
		_, err = f.decide("bob", r.ID, "maybe", "")
		wantField(t, err, "verdict")

		r = f.mustDecide("bob", r.ID, approval.Decline, "Use the shared cluster instead.")
		if r.Status != approval.Declined || r.Outcome != "Use the shared cluster instead." || r.DecidedAt == nil {
			t.Fatalf("declined request = %s %q", r.Status, r.Outcome)
		}
		if st, _ := r.Stage(2); st.Status != "waiting" {
			t.Fatalf("the later stage became %s", st.Status)
		}
		if len(f.calls) != 1 || f.calls[0].Status != approval.Declined || f.calls[0].Outcome != "Use the shared cluster instead." {
			t.Fatalf("handler calls = %+v; want one, declined with the reason", f.calls)
		}
		_, err = f.decide("finhead", r.ID, approval.Approve, "")
		wantCode(t, err, engage.ECONFLICT)
		steps := r.Timeline()
		last := steps[len(steps)-1]
		if !strings.Contains(last.Title, "Declined by Bob") || !strings.Contains(last.Detail, "shared cluster") {
			t.Fatalf("last step = %+v", last)
		}
		if !strings.Contains(r.Next(), "does not go ahead") {
			t.Fatalf("next = %q", r.Next())
		}
	})
}

func TestWhoMayDecide(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.policy("Board", 1, approval.Conditions{}, stage("Board", approval.QuorumAny, 0, people(f.person["alice"])))
		r := f.mustSubmit(f.order("500"))
		// alice is away and delegates to the requester: the requester still
		// cannot approve their own request.
		if _, err := f.s.CreateDelegation(f.ctx, f.as("alice"), approval.DelegationInput{DelegateID: f.person["req"], From: "2026-03-16", To: "2026-03-20"}); err != nil {
			t.Fatal(err)
		}
		_, err := f.decide("req", r.ID, approval.Approve, "")
		wantCode(t, err, engage.EFORBIDDEN)
		// An administrator sees the request but is not an approver.
		_, err = f.decide("admin", r.ID, approval.Approve, "")
		wantCode(t, err, engage.EFORBIDDEN)
		// Someone unrelated cannot even tell it exists.
		_, err = f.decide("stranger", r.ID, approval.Approve, "")
		wantCode(t, err, engage.ENOTFOUND)
		if _, err := f.s.FindRequest(f.ctx, f.as("stranger"), r.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("a stranger reading the request: %v", err)
		}
		if got, err := f.s.DecidableFor(f.ctx, f.as("alice"), r); err != nil || len(got) != 1 || got[0].PersonID != f.person["alice"] {
			t.Fatalf("alice may decide for %v (%v)", got, err)
		}
		r = f.mustDecide("alice", r.ID, approval.Approve, "")
		if r.Status != approval.Approved {
			t.Fatalf("status = %s", r.Status)
		}
	})
}

func TestCancel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.policy("Board", 1, approval.Conditions{}, stage("Board", approval.QuorumAny, 0, people(f.person["alice"])))
		r := f.mustSubmit(f.order("500"))
		_, err := f.s.Cancel(f.ctx, f.as("req"), r.ID, "", approval.ViaInbox)
		wantField(t, err, "reason")
		_, err = f.s.Cancel(f.ctx, f.as("alice"), r.ID, "Not needed", approval.ViaInbox)
		wantCode(t, err, engage.EFORBIDDEN)
		r, err = f.s.Cancel(f.ctx, f.as("req"), r.ID, "Bought elsewhere by mistake; not needed", approval.ViaInbox)
		if err != nil || r.Status != approval.Cancelled || r.Outcome != "Bought elsewhere by mistake; not needed" {
			t.Fatalf("cancel = %s %q, %v", r.Status, r.Outcome, err)
		}
		if len(f.calls) != 1 || f.calls[0].Status != approval.Cancelled {
			t.Fatalf("handler calls = %+v", f.calls)
		}
		_, err = f.decide("alice", r.ID, approval.Approve, "")
		wantCode(t, err, engage.ECONFLICT)
		// An administrator cancels someone else's request.
		r2 := f.mustSubmit(f.order("600"))
		if r2, err = f.s.Cancel(f.ctx, f.as("admin"), r2.ID, "Duplicate", approval.ViaAPI); err != nil || r2.Status != approval.Cancelled {
			t.Fatalf("admin cancel = %v", err)
		}
		if f.auditCount("approval_request", r2.ID, "cancel") != 1 {
			t.Fatal("cancellation not audited")
		}
	})
}

func TestHandlerRunsInTheDecidingTransaction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.policy("Board", 1, approval.Conditions{}, stage("Board", approval.QuorumAny, 0, people(f.person["alice"])))
		fail := true
		f.s.OnDecided("fake-subject", func(ctx context.Context, tx *db.Tx, r approval.Request) error {
			// The handler writes through the same transaction…
			if _, err := tx.Exec(ctx, "INSERT INTO settings(key, value) VALUES (?, ?)", "fake-subject-decided", r.Status); err != nil {
				return err
			}
			if fail {
				return errors.New("the subject could not be fulfilled")
			}
			return nil
		})
		in := f.order("500")
		in.SubjectType = "fake-subject"
		r := f.mustSubmit(in)
		_, err := f.decide("alice", r.ID, approval.Approve, "")
		if err == nil || !strings.Contains(err.Error(), "could not be fulfilled") {
			t.Fatalf("decide with a failing handler: %v", err)
		}
		// …so when it fails nothing of the decision is saved.
		r, err = f.s.FindRequest(f.ctx, f.as("alice"), r.ID)
		if err != nil || r.Status != approval.Pending || len(r.Decisions) != 0 {
			t.Fatalf("after a failed handler: %s with %d decisions (%v)", r.Status, len(r.Decisions), err)
		}
		if f.auditCount("approval_request", r.ID, "approve") != 0 {
			t.Fatal("an audit event survived the failed handler")
		}
		var n int
		if err := d.QueryRow(f.ctx, "SELECT COUNT(*) FROM settings WHERE key = ?", "fake-subject-decided").Scan(&n); err != nil || n != 0 {
			t.Fatalf("the handler's own write survived (%d, %v)", n, err)
		}
		fail = false
		r = f.mustDecide("alice", r.ID, approval.Approve, "")
		var status string
		if err := d.QueryRow(f.ctx, "SELECT value FROM settings WHERE key = ?", "fake-subject-decided").Scan(&status); err != nil || status != approval.Approved {
			t.Fatalf("the handler's write = %q (%v); want approved, committed with the decision", status, err)
		}
		// A submission whose handler fails (no policy applies) is refused as a whole.
		fail = true
		in.SubjectID = 2
		if _, err := d.Exec(f.ctx, "UPDATE approval_policies SET active = ?", false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.submit(in); err == nil {
			t.Fatal("a submission approved at once ignored its failing handler")
		}
		if err := d.QueryRow(f.ctx, "SELECT COUNT(*) FROM approval_requests WHERE subject_id = 2").Scan(&n); err != nil || n != 0 {
			t.Fatalf("the refused submission left %d requests", n)
		}
	})
}

func TestInboxAndVisibility(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.policy("Two stages", 1, approval.Conditions{},
			stage("Board", approval.QuorumAny, 0, people(f.person["alice"], f.person["bob"])),
			stage("Finance", approval.QuorumAny, 0, people(f.person["finhead"])))
		first := f.mustSubmit(f.order("100"))
		f.clock.Advance(time.Minute)
		second := f.mustSubmit(f.order("200"))

		inbox, err := f.s.Inbox(f.ctx, f.as("alice"))
		if err != nil || len(inbox) != 2 || inbox[0].Request.ID != first.ID || inbox[1].Request.ID != second.ID {
			t.Fatalf("alice's inbox = %+v (%v); want both, oldest first", inbox, err)
		}
		if inbox[0].For[0].PersonID != f.person["alice"] {
			t.Fatalf("alice decides for %+v", inbox[0].For)
		}
		if inbox, _ := f.s.Inbox(f.ctx, f.as("finhead")); len(inbox) != 0 {
			t.Fatalf("finance sees %d requests before their stage", len(inbox))
		}
		f.mustDecide("bob", first.ID, approval.Approve, "")
		// With "any", bob's approval ended the stage for alice too.
		if inbox, _ := f.s.Inbox(f.ctx, f.as("alice")); len(inbox) != 1 || inbox[0].Request.ID != second.ID {
			t.Fatalf("alice's inbox after bob approved = %+v", inbox)
		}
		if inbox, _ := f.s.Inbox(f.ctx, f.as("finhead")); len(inbox) != 1 || inbox[0].Request.ID != first.ID {
			t.Fatalf("finance's inbox = %+v", inbox)
		}
		if inbox, _ := f.s.Inbox(f.ctx, f.as("req")); len(inbox) != 0 {
			t.Fatal("the requester's inbox holds their own requests")
		}

		count := func(who string, filter approval.RequestFilter) int {
			t.Helper()
			list, _, err := f.s.ListRequests(f.ctx, f.as(who), filter)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		for _, c := range []struct {
			who    string
			filter approval.RequestFilter
			want   int
		}{
			{"req", approval.RequestFilter{}, 2},
			{"req", approval.RequestFilter{Mine: true}, 2},
			{"alice", approval.RequestFilter{}, 2},
			{"alice", approval.RequestFilter{Mine: true}, 0},
			{"bob", approval.RequestFilter{DecidedByMe: true}, 1},
			{"finhead", approval.RequestFilter{}, 2},
			{"stranger", approval.RequestFilter{}, 0},
			{"admin", approval.RequestFilter{}, 2},
			{"admin", approval.RequestFilter{Status: approval.Approved}, 0},
		} {
			if got := count(c.who, c.filter); got != c.want {
				t.Errorf("%s lists %d requests with %+v; want %d", c.who, got, c.filter, c.want)
			}
		}
		_, _, err = f.s.ListRequests(f.ctx, f.as("admin"), approval.RequestFilter{Status: "lost"})
		wantField(t, err, "status")
		// Paging: newest first, every request once.
		page, next, err := f.s.ListRequests(f.ctx, f.as("admin"), approval.RequestFilter{Limit: 1})
		if err != nil || len(page) != 1 || page[0].ID != second.ID || next == "" {
			t.Fatalf("first page = %v %q %v", page, next, err)
		}
		page, next, _ = f.s.ListRequests(f.ctx, f.as("admin"), approval.RequestFilter{Limit: 1, Cursor: next})
		if len(page) != 1 || page[0].ID != first.ID || next != "" {
			t.Fatalf("second page = %v %q", page, next)
		}
	})
}

// The requester never approves their own request: a budget holder ordering
// for their own department goes to the next budget holder up, and at the
// top of the tree to Finance; every approver found that way says why.
func TestBudgetHolderRequestGoesUpTheTree(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.policy("Budget holder", 10, approval.Conditions{SubjectTypes: []string{"test-order"}},
			stage("Budget holder", approval.QuorumAny, 0, approval.ApproverRule{Kind: approval.RuleBudgetHolder}))

		// labhead heads LAB: SCI above has no head, so ROOT's head decides.
		in := f.order("9000")
		in.RequesterID, in.DepartmentID = f.person["labhead"], f.dept["LAB"]
		r := f.mustSubmit(in)
		st, _ := r.Stage(1)
		if !slices.Equal(approverIDs(st), f.ids("ceo")) {
			t.Fatalf("approvers of labhead's own order = %v; want ceo", approverIDs(st))
		}
		if note := st.Approvers[0].Note; !strings.Contains(note, "budget holder of LAB department") || !strings.Contains(note, "ROOT department") {
			t.Errorf("the approver's note = %q; want it to say the requester holds LAB's budget and ROOT's decides", note)
		}
		if tl := r.Timeline(); !strings.Contains(tl[1].Detail, "next above") {
			t.Errorf("the timeline does not say why: %q", tl[1].Detail)
		}

		// Nobody above ROOT's head: Finance decides.
		if _, err := d.Exec(f.ctx, "INSERT INTO person_roles(person_id, role) VALUES (?, ?)", f.person["dana"], string(access.Finance)); err != nil {
			t.Fatal(err)
		}
		in = f.order("9000")
		in.RequesterID, in.DepartmentID = f.person["ceo"], f.dept["ROOT"]
		top := f.mustSubmit(in)
		st, _ = top.Stage(1)
		if !slices.Equal(approverIDs(st), f.ids("dana")) || !strings.Contains(st.Approvers[0].Note, "Finance decides") {
			t.Fatalf("approvers of the top budget holder's order = %+v; want Finance (dana) with a note", st.Approvers)
		}
		if _, err := f.decide("ceo", top.ID, approval.Approve, ""); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("the requester deciding their own request = %v; want forbidden", err)
		}
	})
}
