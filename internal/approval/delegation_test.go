package approval_test

import (
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

func TestDelegation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.policy("Board", 1, approval.Conditions{},
			stage("Alice", approval.QuorumAll, 0, people(f.person["alice"])),
			stage("Bob", approval.QuorumAll, 0, people(f.person["bob"])))
		delegate := func(who string, in approval.DelegationInput) (approval.Delegation, error) {
			return f.s.CreateDelegation(f.ctx, f.as(who), in)
		}
		// The clock stands on 16 March 2026.
		_, err := delegate("alice", approval.DelegationInput{DelegateID: f.person["alice"], From: "2026-03-16", To: "2026-03-18"})
		wantField(t, err, "delegate_id")
		_, err = delegate("alice", approval.DelegationInput{DelegateID: f.person["dana"], From: "2026-03-18", To: "2026-03-16"})
		wantField(t, err, "to")
		_, err = delegate("alice", approval.DelegationInput{DelegateID: f.person["dana"], From: "16/03/2026", To: "2026-03-18"})
		wantField(t, err, "from")
		_, err = delegate("alice", approval.DelegationInput{DelegatorID: f.person["bob"], DelegateID: f.person["dana"], From: "2026-03-16", To: "2026-03-18"})
		wantCode(t, err, engage.EFORBIDDEN) // only an admin delegates for someone else

		away, err := delegate("alice", approval.DelegationInput{DelegateID: f.person["dana"], From: "2026-03-16", To: "2026-03-18", Note: "Conference"})
		if err != nil || away.DelegatorID != f.person["alice"] || away.From != "2026-03-16" || away.To != "2026-03-18" {
			t.Fatalf("delegation = %+v, %v", away, err)
		}
		// Overlapping another delegation of the same person is refused, even to someone else.
		_, err = delegate("alice", approval.DelegationInput{DelegateID: f.person["carol"], From: "2026-03-18", To: "2026-03-25"})
		wantField(t, err, "from")
		// Bob's delegation, made by an admin, starts next week.
		later, err := delegate("admin", approval.DelegationInput{DelegatorID: f.person["bob"], DelegateID: f.person["dana"], From: "2026-03-23", To: "2026-03-27"})
		if err != nil {
			t.Fatal(err)
		}

		r := f.mustSubmit(f.order("500"))
		inbox, err := f.s.Inbox(f.ctx, f.as("dana"))
		if err != nil || len(inbox) != 1 || inbox[0].For[0].PersonID != f.person["alice"] {
			t.Fatalf("dana's inbox = %+v (%v); want the request, for alice", inbox, err)
		}
		// Inside the window dana decides for alice; the decision names both.
		f.clock.Advance(2 * 24 * time.Hour) // 18 March, the last day, inclusive
		r = f.mustDecide("dana", r.ID, approval.Approve, "Alice asked me to cover")
		got := r.Decisions[0]
		if got.DeciderID != f.person["dana"] || got.ApproverID != f.person["alice"] || got.Who() != "Dana for Alice" {
			t.Fatalf("decision = %+v (%q)", got, got.Who())
		}
		if r.CurrentStage != 2 {
			t.Fatalf("stage = %d; want 2", r.CurrentStage)
		}
		if steps := r.Timeline(); len(steps[1].Decisions) != 1 || steps[1].Decisions[0].Who() != "Dana for Alice" {
			t.Fatalf("timeline stage 1 = %+v", steps[1])
		}
		// Outside bob's window (it starts on the 23rd) dana may not decide for him.
		_, err = f.decide("dana", r.ID, approval.Approve, "")
		wantCode(t, err, engage.EFORBIDDEN)
		// And after alice's window dana no longer sees new requests of hers.
		f.clock.Advance(24 * time.Hour) // 19 March
		r2 := f.mustSubmit(f.order("700"))
		if inbox, _ := f.s.Inbox(f.ctx, f.as("dana")); len(inbox) != 0 {
			t.Fatalf("dana's inbox after the window = %+v", inbox)
		}
		_, err = f.decide("dana", r2.ID, approval.Approve, "")
		wantCode(t, err, engage.ENOTFOUND) // no longer even visible to her
		// Dana still sees the request she decided on.
		if _, err := f.s.FindRequest(f.ctx, f.as("dana"), r.ID); err != nil {
			t.Fatalf("dana reading a request she decided: %v", err)
		}
		f.clock.Advance(4 * 24 * time.Hour) // 23 March: bob's window opens
		r = f.mustDecide("dana", r.ID, approval.Approve, "")
		if r.Status != approval.Approved || r.Decisions[1].Who() != "Dana for Bob" {
			t.Fatalf("after dana decided for bob: %s, %q", r.Status, r.Decisions[1].Who())
		}

		// Listing and removing.
		list, _, err := f.s.ListDelegations(f.ctx, f.as("dana"), approval.DelegationFilter{})
		if err != nil || len(list) != 2 {
			t.Fatalf("dana's delegations = %d (%v); want 2 received", len(list), err)
		}
		if _, _, err := f.s.ListDelegations(f.ctx, f.as("dana"), approval.DelegationFilter{PersonID: f.person["bob"]}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("dana listing bob's delegations: %v", err)
		}
		if list, _, _ := f.s.ListDelegations(f.ctx, f.as("admin"), approval.DelegationFilter{}); len(list) != 2 {
			t.Fatalf("admin sees %d delegations", len(list))
		}
		if err := f.s.DeleteDelegation(f.ctx, f.as("dana"), later.ID); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("the delegate removing a delegation: %v", err)
		}
		if err := f.s.DeleteDelegation(f.ctx, f.as("carol"), later.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("an outsider removing a delegation: %v", err)
		}
		if err := f.s.DeleteDelegation(f.ctx, f.as("bob"), later.ID); err != nil {
			t.Fatal(err)
		}
		if f.auditCount("approval_delegation", later.ID, "create") != 1 || f.auditCount("approval_delegation", later.ID, "delete") != 1 {
			t.Fatal("delegation changes are not audited")
		}
		// A past range is refused.
		_, err = delegate("alice", approval.DelegationInput{DelegateID: f.person["dana"], From: "2026-03-01", To: "2026-03-02"})
		wantField(t, err, "to")
		if !strings.Contains(engage.ErrorFields(err)[0].Message, "passed") {
			t.Fatalf("message = %v", engage.ErrorFields(err))
		}
	})
}
