package approval_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/notify"
)

// published keeps the events approvals publish.
type published struct{ events []notify.Event }

func (p *published) Publish(_ context.Context, _ *db.Tx, ev notify.Event) error {
	p.events = append(p.events, ev)
	return nil
}

// take returns the events published since the last call.
func (p *published) take() []notify.Event {
	out := p.events
	p.events = nil
	return out
}

// Approvers are told when a request reaches their stage (and so is whoever
// they delegated to today); the requester is told how it ended.
func TestApproversAndRequesterAreTold(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		pub := &published{}
		f.s.Publisher = pub
		f.policy("Two stages", 1, approval.Conditions{},
			stage("Manager", approval.QuorumAny, 0, people(f.person["mgr"])),
			stage("Board", approval.QuorumAny, 0, people(f.person["alice"], f.person["bob"])))
		// bob is away: carol decides for him today.
		if _, err := f.s.CreateDelegation(f.ctx, f.as("bob"), approval.DelegationInput{DelegateID: f.person["carol"], From: "2026-03-16", To: "2026-03-20"}); err != nil {
			t.Fatal(err)
		}
		in := f.order("800")
		in.Summary = "€800.00 over 36 months"
		r := f.mustSubmit(in)
		evs := pub.take()
		if len(evs) != 1 || evs[0].Type != approval.EventRequested || !slices.Equal(evs[0].Recipients, []int64{f.person["mgr"]}) ||
			!strings.Contains(evs[0].Title, "Order 800") || !strings.Contains(evs[0].Title, "€800.00 over 36 months") {
			t.Fatalf("on submission: %+v; want mgr told, with the summary", evs)
		}
		f.mustDecide("mgr", r.ID, approval.Approve, "")
		evs = pub.take()
		if len(evs) != 1 || evs[0].Type != approval.EventRequested || !slices.Equal(evs[0].Recipients, f.ids("alice", "bob", "carol")) {
			t.Fatalf("when stage 2 begins: %+v; want alice, bob and bob's delegate carol told", evs)
		}
		f.mustDecide("alice", r.ID, approval.Decline, "Not this quarter.")
		evs = pub.take()
		if len(evs) != 1 || evs[0].Type != approval.EventDeclined || !slices.Equal(evs[0].Recipients, []int64{f.person["req"]}) ||
			!strings.Contains(evs[0].Title, "Not this quarter.") {
			t.Fatalf("when declined: %+v; want the requester told why", evs)
		}
		// Approved at the last stage: the requester is told.
		r = f.mustSubmit(f.order("900"))
		pub.take()
		f.mustDecide("mgr", r.ID, approval.Approve, "")
		f.mustDecide("bob", r.ID, approval.Approve, "")
		evs = pub.take()
		if last := evs[len(evs)-1]; last.Type != approval.EventApproved || !slices.Equal(last.Recipients, []int64{f.person["req"]}) || last.Link != "/orders/1" {
			t.Fatalf("when approved: %+v; want the requester told, linking to the order", evs)
		}
	})
}
