package notify_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/notify"
)

// TestPublishAllAsEachInTurn: events published together leave what
// publishing each in turn leaves — the events in their order, each
// recipient's inbox item once, a delivery per matching webhook and an
// e-mail per active recipient — in five statements whatever their number.
func TestPublishAllAsEachInTurn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.s.Mailer = &fakeMailer{}
		rcv := newReceiver(t)
		f.webhook(rcv.URL+"/needs", "need.*")
		f.webhook(rcv.URL + "/all")
		evs := []notify.Event{
			{Type: "need.submitted", Subject: "NEED-1", Title: "A need", Link: "/needs/1", Recipients: f.ids("alice", "bob", "alice")},
			{Type: "topic.replied", Subject: "topic:1", Title: "A reply", Recipients: f.ids("carol", "gone")},
			{Type: "need.decided", Subject: "NEED-1", Title: "A need", Link: "/needs/1", Recipients: f.ids("alice", "bob", "alice")},
			{Type: "topic.replied", Subject: "topic:1", Title: "Nobody told", Data: map[string]any{"n": 1}},
			{Type: "need.submitted", Subject: "NEED-2", Title: "Another need", Recipients: f.ids("bob")},
		}
		// What is stored, the ids apart: PostgreSQL's sequences do not
		// go back when a transaction rolls back.
		state := func(ctx context.Context, tx *db.Tx) []string {
			var out []string
			for _, q := range []string{
				`SELECT e.type || '|' || e.subject || '|' || e.title || '|' || e.link || '|' || e.data_json FROM notify_events e ORDER BY e.id`,
				`SELECT e.title || '|' || CAST(i.person_id AS TEXT) FROM notify_inbox i JOIN notify_events e ON e.id = i.event_id ORDER BY e.id, i.person_id`,
				`SELECT e.type || '|' || e.title || '|' || d.channel || '|' || COALESCE(CAST(d.webhook_id AS TEXT), '') || '|' ||
					COALESCE(CAST(d.person_id AS TEXT), '') || '|' || COALESCE(d.recipient, '') || '|' || d.state
					FROM notify_deliveries d JOIN notify_events e ON e.id = d.event_id ORDER BY e.id, d.id`,
			} {
				rows, err := tx.Query(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					out = append(out, s)
				}
				rows.Close()
				out = append(out, "--")
			}
			return out
		}
		undo := fmt.Errorf("undo")
		var each, all []string
		if err := d.Transact(f.ctx, func(tx *db.Tx) error {
			for _, ev := range evs {
				if err := f.s.Publish(f.ctx, tx, ev); err != nil {
					return err
				}
			}
			each = state(f.ctx, tx)
			return undo
		}); err != undo {
			t.Fatal(err)
		}
		if err := d.Transact(f.ctx, func(tx *db.Tx) error {
			before := d.Statements()
			if err := f.s.PublishAll(f.ctx, tx, evs); err != nil {
				return err
			}
			// recipients, events, inbox, webhooks, webhook deliveries, e-mails
			if n := d.Statements() - before; n > 6 {
				t.Errorf("PublishAll of %d events ran %d statements, want at most 6", len(evs), n)
			}
			all = state(f.ctx, tx)
			return undo
		}); err != undo {
			t.Fatal(err)
		}
		if len(each) < 20 || !slices.Equal(each, all) {
			t.Errorf("published together:\n%q\none by one:\n%q", all, each)
		}
	})
}
