package notify_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/notify"
)

func TestPublishInRolledBackTransactionWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.s.Mailer = &fakeMailer{}
		rcv := newReceiver(t)
		f.webhook(rcv.URL)
		ev := notify.Event{Type: "need.submitted", Subject: "NEED-2026-0042", Title: "Lab notebook submitted", Link: "/needs/42",
			Recipients: f.ids("alice", "bob"), Data: map[string]any{"state": "submitted"}}

		boom := errors.New("the change failed")
		err := d.Transact(f.ctx, func(tx *db.Tx) error {
			if err := f.s.Publish(f.ctx, tx, ev); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Transact = %v; want the caller's error", err)
		}
		for _, table := range []string{"notify_events", "notify_inbox", "notify_deliveries"} {
			if n := f.count("SELECT COUNT(*) FROM " + table); n != 0 {
				t.Errorf("%s holds %d rows after a rollback; want 0", table, n)
			}
		}
		if n := f.deliverDue(); n != 0 || len(rcv.requests()) != 0 {
			t.Fatalf("after a rollback DeliverDue attempted %d and the receiver got %d requests; want 0, 0", n, len(rcv.requests()))
		}

		// The same publication committed: one event, two inbox items, one
		// webhook delivery and one e-mail per recipient.
		f.publish(ev)
		got := []int{f.count("SELECT COUNT(*) FROM notify_events"), f.count("SELECT COUNT(*) FROM notify_inbox"),
			f.count("SELECT COUNT(*) FROM notify_deliveries WHERE channel = 'webhook'"), f.count("SELECT COUNT(*) FROM notify_deliveries WHERE channel = 'email'")}
		if !slices.Equal(got, []int{1, 2, 1, 2}) {
			t.Fatalf("events, inbox items, webhook and e-mail deliveries after commit = %v; want [1 2 1 2]", got)
		}
	})
}

func TestPublishRefusesBadEvents(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		for _, c := range []struct {
			ev    notify.Event
			field string
		}{
			{notify.Event{Type: "Need Submitted", Title: "x"}, "type"},
			{notify.Event{Type: "need.submitted"}, "title"},
			{notify.Event{Type: "need.submitted", Title: "x", Link: "https://evil.example/"}, "link"},
			{notify.Event{Type: "need.submitted", Title: "x", Link: "//evil.example/"}, "link"},
			{notify.Event{Type: "need.submitted", Title: "x", Recipients: []int64{f.person["alice"], 999999}}, "recipients"},
		} {
			err := d.Transact(f.ctx, func(tx *db.Tx) error { return f.s.Publish(f.ctx, tx, c.ev) })
			fields := engage.ErrorFields(err)
			if engage.ErrorCode(err) != engage.EINVALID || len(fields) == 0 || fields[0].Field != c.field {
				t.Errorf("Publish(%+v) = %v; want the field %s named", c.ev, err, c.field)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM notify_events"); n != 0 {
			t.Fatalf("refused events left %d rows", n)
		}
	})
}

func TestInboxIsPersonal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.publish(notify.Event{Type: "need.submitted", Subject: "NEED-2026-0001", Title: "First", Link: "/needs/1", Recipients: f.ids("alice", "bob")})
		f.clock.Advance(time.Minute)
		// Duplicated recipients get one item.
		f.publish(notify.Event{Type: "need.state_changed", Subject: "NEED-2026-0001", Title: "Second", Recipients: f.ids("alice", "alice")})
		f.clock.Advance(time.Minute)
		f.publish(notify.Event{Type: "approval.requested", Title: "Third", Recipients: f.ids("alice")})

		alice, bob, carol := f.as("alice"), f.as("bob"), f.as("carol")
		items, next, err := f.s.ListInbox(f.ctx, alice, notify.InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if titles(items) != "Third,Second,First" || next != "" {
			t.Fatalf("alice's inbox = %s (next %q); want Third,Second,First, newest first", titles(items), next)
		}
		if items[2].Subject != "NEED-2026-0001" || items[2].Link != "/needs/1" || !items[2].At.Equal(start) || items[0].Read {
			t.Fatalf("alice's first item = %+v", items[2])
		}
		if items, _, _ := f.s.ListInbox(f.ctx, bob, notify.InboxFilter{}); titles(items) != "First" {
			t.Fatalf("bob's inbox = %s; want First", titles(items))
		}
		if items, _, _ := f.s.ListInbox(f.ctx, carol, notify.InboxFilter{}); len(items) != 0 {
			t.Fatalf("carol's inbox = %s; want nothing", titles(items))
		}

		// Paging, newest first.
		page1, cursor, err := f.s.ListInbox(f.ctx, alice, notify.InboxFilter{Limit: 2})
		if err != nil || titles(page1) != "Third,Second" || cursor == "" {
			t.Fatalf("first page = %s, %q, %v", titles(page1), cursor, err)
		}
		if page2, c2, _ := f.s.ListInbox(f.ctx, alice, notify.InboxFilter{Limit: 2, Cursor: cursor}); titles(page2) != "First" || c2 != "" {
			t.Fatalf("second page = %s, %q", titles(page2), c2)
		}

		// Marking read: one of one's own; someone else's is not found.
		bobsItems, _, _ := f.s.ListInbox(f.ctx, bob, notify.InboxFilter{})
		_, err = f.s.MarkRead(f.ctx, alice, bobsItems[0].ID)
		wantCode(t, err, engage.ENOTFOUND)
		if c, _ := f.s.CountInbox(f.ctx, bob); c != (notify.InboxCounts{Total: 1, Unread: 1}) {
			t.Fatalf("bob's counts after alice tried to mark his item = %+v", c)
		}
		f.clock.Advance(time.Minute)
		it, err := f.s.MarkRead(f.ctx, alice, items[1].ID)
		if err != nil || !it.Read || it.ReadAt == nil || !it.ReadAt.Equal(f.clock.Now()) {
			t.Fatalf("MarkRead = %+v, %v", it, err)
		}
		if c, _ := f.s.CountInbox(f.ctx, alice); c != (notify.InboxCounts{Total: 3, Unread: 2}) {
			t.Fatalf("alice's counts = %+v; want 3 items, 2 unread", c)
		}
		if unread, _, _ := f.s.ListInbox(f.ctx, alice, notify.InboxFilter{UnreadOnly: true}); titles(unread) != "Third,First" {
			t.Fatalf("alice's unread = %s; want Third,First", titles(unread))
		}
		if n, err := f.s.MarkAllRead(f.ctx, alice); err != nil || n != 2 {
			t.Fatalf("MarkAllRead = %d, %v; want 2", n, err)
		}
		if c, _ := f.s.CountInbox(f.ctx, alice); c != (notify.InboxCounts{Total: 3, Unread: 0}) {
			t.Fatalf("alice's counts after marking all = %+v", c)
		}
		if c, _ := f.s.CountInbox(f.ctx, bob); c.Unread != 1 {
			t.Fatalf("alice marking all read changed bob's inbox: %+v", c)
		}
		_, _, err = f.s.ListInbox(f.ctx, nil, notify.InboxFilter{})
		wantCode(t, err, engage.EUNAUTHORIZED)
	})
}

func titles(items []notify.InboxItem) string {
	var out []string
	for _, it := range items {
		out = append(out, it.Title)
	}
	return strings.Join(out, ",")
}

func TestMatches(t *testing.T) {
	cases := []struct {
		patterns []string
		typ      string
		want     bool
	}{
		{[]string{"need.*"}, "need.submitted", true},
		{[]string{"need.*"}, "need.state_changed", true},
		{[]string{"need.*"}, "approval.requested", false},
		{[]string{"need.*"}, "need", false},
		{[]string{"need.*"}, "needs.submitted", false},
		{[]string{"need.submitted"}, "need.submitted", true},
		{[]string{"need.submitted"}, "need.submitted_late", false},
		{[]string{"approval.requested", "need.*"}, "approval.requested", true},
		{[]string{"*"}, "anything.at_all", true},
		{nil, "anything.at_all", true},
	}
	for _, c := range cases {
		if got := notify.Matches(c.patterns, c.typ); got != c.want {
			t.Errorf("Matches(%v, %q) = %v; want %v", c.patterns, c.typ, got, c.want)
		}
	}
}

func TestEventTypeFiltering(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		rcv := newReceiver(t)
		needs, _ := f.webhook(rcv.URL+"/needs", "need.*")
		approvals, _ := f.webhook(rcv.URL+"/approvals", "approval.requested")
		all, _ := f.webhook(rcv.URL + "/all")
		off, _ := f.webhook(rcv.URL+"/off", "need.*")
		if _, err := f.s.UpdateWebhook(f.ctx, f.as("admin"), off.ID, off.Version, notify.WebhookInput{URL: off.URL, EventTypes: off.EventTypes, Active: false}); err != nil {
			t.Fatal(err)
		}
		f.publish(notify.Event{Type: "need.submitted", Title: "A need"})
		f.publish(notify.Event{Type: "approval.requested", Title: "An approval"})

		types := func(w notify.Webhook) string {
			var out []string
			for _, d := range f.deliveries(w.ID) {
				out = append(out, d.EventType)
			}
			slices.Sort(out)
			return strings.Join(out, ",")
		}
		for _, c := range []struct {
			w    notify.Webhook
			want string
		}{{needs, "need.submitted"}, {approvals, "approval.requested"}, {all, "approval.requested,need.submitted"}, {off, ""}} {
			if got := types(c.w); got != c.want {
				t.Errorf("webhook %s got deliveries of %q; want %q", c.w.URL, got, c.want)
			}
		}
		if n := f.deliverDue(); n != 4 {
			t.Fatalf("DeliverDue attempted %d; want 4", n)
		}
		paths := map[string]string{}
		for _, r := range rcv.requests() {
			paths[r.header.Get("Engage-Event")] += "," + decode(t, r.body)["type"].(string)
		}
		if paths["need.submitted"] != ",need.submitted,need.submitted" || paths["approval.requested"] != ",approval.requested,approval.requested" {
			t.Fatalf("the receiver got %v", paths)
		}
	})
}
