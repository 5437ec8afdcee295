package frontdoor_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
)

// TestNeedsLinkProcessesOfTheRegister: a need keeps what the requester
// typed about processes and links processes of the register by id; an
// unknown id is refused naming its field, a change that leaves the ids out
// keeps the links, and the need's detail names the linked processes.
func TestNeedsLinkProcessesOfTheRegister(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		reg := &process.Service{DB: d, Clock: w.clock, Org: &org.Service{DB: d, Clock: w.clock}}
		w.fd.Processes = reg
		o2c, err := reg.Create(ctx, sys, process.Input{Kind: process.ValueStream, Ref: "order-to-cash", Name: "Order to cash"})
		if err != nil {
			t.Fatal(err)
		}
		quote, err := reg.Create(ctx, sys, process.Input{Kind: process.Process, Ref: "quote", Name: "Give a quote", ParentID: o2c.ID})
		if err != nil {
			t.Fatal(err)
		}
		in := frontdoor.NeedInput{Title: "Quotes in minutes", Processes: "Quoting, and what sales does after", ProcessIDs: []int64{quote.ID, 9999, o2c.ID},
			Users: 10, DataClass: "internal"}
		_, err = w.fd.Create(ctx, w.riley, in)
		if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "process_ids[1]" {
			t.Fatalf("unknown process = %v; want an error on process_ids[1]", err)
		}
		var count int
		if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM needs").Scan(&count); err != nil || count != 0 {
			t.Fatalf("%d needs stored after a refused one (%v)", count, err)
		}
		in.ProcessIDs = []int64{quote.ID, o2c.ID, quote.ID}
		n, err := w.fd.Create(ctx, w.riley, in)
		if err != nil || !slices.Equal(n.ProcessIDs, []int64{o2c.ID, quote.ID}) || n.Processes != in.Processes {
			t.Fatalf("need = %+v, %v", n, err)
		}
		detail, err := w.fd.Get(ctx, w.riley, n.Reference)
		if err != nil || len(detail.LinkedProcesses) != 2 || detail.LinkedProcesses[0].Name != "Order to cash" || detail.LinkedProcesses[1].Ref != "quote" {
			t.Fatalf("linked processes = %+v, %v", detail.LinkedProcesses, err)
		}
		// A change that leaves the ids out (the web form) keeps the links; [] removes them.
		edit := n.Input()
		edit.ProcessIDs, edit.Title = nil, "Quotes in a minute"
		if n, err = w.fd.Update(ctx, w.riley, n.Reference, n.Version, edit); err != nil || len(n.ProcessIDs) != 2 {
			t.Fatalf("update without ids = %+v, %v", n.ProcessIDs, err)
		}
		edit.ProcessIDs = []int64{}
		if n, err = w.fd.Update(ctx, w.riley, n.Reference, n.Version, edit); err != nil || len(n.ProcessIDs) != 0 {
			t.Fatalf("update with [] = %+v, %v", n.ProcessIDs, err)
		}
	})
}

// observed records what an observer saw, and can refuse.
type observed struct {
	changes []frontdoor.StateChange
	states  []frontdoor.State // the need's state read inside the transaction
	fail    bool
}

// TestIdeasBecomeNeedsThroughTheHook: another area creates a need on
// someone's behalf with an origin, and learns every state change of it, in
// order, inside the transaction that makes the change; the same origin
// gives the same need; an observer that fails undoes the change; needs
// without that origin are not reported.
func TestIdeasBecomeNeedsThroughTheHook(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		var seen observed
		w.fd.OnStateChange("idea", func(ctx context.Context, tx *db.Tx, c frontdoor.StateChange) error {
			if seen.fail {
				return engage.Errorf(engage.EUNAVAILABLE, "the community is closed")
			}
			var st frontdoor.State
			if err := tx.QueryRow(ctx, "SELECT state FROM needs WHERE id = ?", c.NeedID).Scan(&st); err != nil {
				return err
			}
			seen.changes, seen.states = append(seen.changes, c), append(seen.states, st)
			return nil
		})
		idea := frontdoor.Origin{Kind: "idea", Ref: "42"}
		in := frontdoor.NeedInput{Title: "Shared lab notebooks", Problem: "Notes live on paper.", Outcome: "Searchable notes.", Users: 30, DataClass: "internal"}
		var n frontdoor.Need
		err := d.Transact(ctx, func(tx *db.Tx) error {
			var err error
			n, err = w.fd.CreateFor(ctx, tx, w.brm, w.riley.PersonID, idea, in)
			return err
		})
		if err != nil || n.RequesterID != w.riley.PersonID || n.DepartmentID != w.riley.DepartmentID || n.Origin == nil || *n.Origin != idea {
			t.Fatalf("created for riley = %+v, %v", n, err)
		}
		// The same origin again: the same need, nothing more reported.
		if err := d.Transact(ctx, func(tx *db.Tx) error {
			again, err := w.fd.CreateFor(ctx, tx, w.brm, w.riley.PersonID, idea, in)
			if err == nil && again.ID != n.ID {
				err = errors.New("a second need for the same idea")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// The origin round-trips through the store.
		got, err := w.fd.Find(ctx, w.riley, n.Reference)
		if err != nil || got.Origin == nil || got.Origin.String() != "idea:42" {
			t.Fatalf("found = %+v, %v", got.Origin, err)
		}
		// A need written in the front door is not the idea area's.
		plain := w.newNeed(t, "Not from an idea")
		if _, err := w.act(t, w.riley, plain.Reference, frontdoor.ActionSubmit, frontdoor.ActInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.act(t, w.riley, n.Reference, frontdoor.ActionSubmit, frontdoor.ActInput{}); err != nil {
			t.Fatal(err)
		}
		// An observer that fails undoes the change it was told of.
		seen.fail = true
		if _, err := w.act(t, w.brm, n.Reference, frontdoor.ActionStartTriage, frontdoor.ActInput{}); engage.ErrorCode(err) != engage.EUNAVAILABLE {
			t.Fatalf("triage with a failing observer = %v", err)
		}
		if still, _ := w.fd.Find(ctx, w.riley, n.Reference); still.State != frontdoor.Submitted {
			t.Fatalf("state after a failed observer = %s; want submitted", still.State)
		}
		seen.fail = false
		if _, err := w.act(t, w.brm, n.Reference, frontdoor.ActionStartTriage, frontdoor.ActInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.act(t, w.riley, n.Reference, frontdoor.ActionWithdraw, frontdoor.ActInput{Reason: "Solved by the lab itself"}); err != nil {
			t.Fatal(err)
		}
		type step struct {
			from, to frontdoor.State
			action   string
		}
		want := []step{{"", frontdoor.Draft, "create"}, {frontdoor.Draft, frontdoor.Submitted, "submit"},
			{frontdoor.Submitted, frontdoor.Triage, "start_triage"}, {frontdoor.Triage, frontdoor.Withdrawn, "withdraw"}}
		var steps []step
		for i, c := range seen.changes {
			steps = append(steps, step{c.From, c.To, c.Action})
			if c.NeedID != n.ID || c.Reference != n.Reference || c.Origin != idea {
				t.Errorf("change %d is about %+v", i, c)
			}
			if seen.states[i] != c.To {
				t.Errorf("change %d to %s: the observer read %s in its transaction", i, c.To, seen.states[i])
			}
		}
		if !slices.Equal(steps, want) {
			t.Fatalf("observed %v; want %v", steps, want)
		}
		if last := seen.changes[len(seen.changes)-1]; last.Reason != "Solved by the lab itself" || !last.At.Equal(w.clock.Now()) {
			t.Errorf("last change = %+v", last)
		}
		// An origin must say what and which.
		err = d.Transact(ctx, func(tx *db.Tx) error {
			_, err := w.fd.CreateFor(ctx, tx, w.brm, w.riley.PersonID, frontdoor.Origin{Kind: "idea"}, in)
			return err
		})
		if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "origin.ref" {
			t.Fatalf("origin without a ref = %v", err)
		}
	})
}
