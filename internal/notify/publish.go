package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/db"
)

var eventTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$`)

// insertChunk keeps multi-row inserts well under both engines' limits on
// bound parameters.
const insertChunk = 400

// Publish records ev inside tx, the caller's transaction: the event, an inbox
// item for each recipient, a delivery for each active webhook endpoint whose
// filter matches ev.Type and, when e-mail is on, an e-mail delivery for each
// active recipient. Nothing is sent here; the worker sends after commit. If
// tx rolls back, all of it disappears with the change it describes.
func (s *Service) Publish(ctx context.Context, tx *db.Tx, ev Event) error {
	return s.PublishAll(ctx, tx, []Event{ev})
}

// PublishAll records evs inside tx as Publish would record each in turn,
// with a few multi-row statements whatever their number: one reading
// every recipient, one writing the events, one their inbox items, one
// reading the webhooks and one writing the deliveries of each channel.
func (s *Service) PublishAll(ctx context.Context, tx *db.Tx, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	evs = slices.Clone(evs)
	data := make([]string, len(evs))
	var everyone []int64
	for i := range evs {
		ev := &evs[i]
		if err := checkEvent(ev); err != nil {
			return err
		}
		if ev.At.IsZero() {
			ev.At = s.Clock.Now()
		}
		ev.At = ev.At.UTC()
		data[i] = "{}"
		if ev.Data != nil {
			b, err := json.Marshal(ev.Data)
			if err != nil {
				return fmt.Errorf("encoding the data of event %s: %w", ev.Type, err)
			}
			data[i] = string(b)
		}
		ev.Recipients = slices.Clone(ev.Recipients)
		slices.Sort(ev.Recipients)
		ev.Recipients = slices.Compact(ev.Recipients)
		everyone = append(everyone, ev.Recipients...)
	}
	_, emails, err := s.recipients(ctx, tx, everyone)
	if err != nil {
		return err
	}
	ids, err := insertEvents(ctx, tx, evs, data)
	if err != nil {
		return err
	}
	var inbox [][]any
	for i, ev := range evs {
		for _, p := range ev.Recipients {
			inbox = append(inbox, []any{p, ids[i]})
		}
	}
	if err := db.InsertRows(ctx, tx,
		"INSERT INTO notify_inbox(person_id, event_id)", 2, inbox, ""); err != nil {
		return fmt.Errorf("adding %s to %d inboxes: %w", what(evs), len(inbox), err)
	}

	now := s.Clock.Now()
	hooks, err := activeWebhooks(ctx, tx)
	if err != nil {
		return err
	}
	var deliveries [][]any
	for i, ev := range evs {
		for _, h := range hooks {
			if Matches(h.types, ev.Type) {
				deliveries = append(deliveries, []any{ids[i], ChannelWebhook, h.id, Pending, now, now, now})
			}
		}
	}
	if err := db.InsertRows(ctx, tx,
		"INSERT INTO notify_deliveries(event_id, channel, webhook_id, state, next_attempt_at, created_at, updated_at)", 7, deliveries, ""); err != nil {
		return fmt.Errorf("queueing %s for webhooks: %w", what(evs), err)
	}
	if !s.EmailEnabled() {
		return nil
	}
	address := map[int64]string{}
	for _, m := range emails {
		address[m.personID] = m.address
	}
	var mails [][]any
	for i, ev := range evs {
		for _, p := range ev.Recipients {
			if a, ok := address[p]; ok {
				mails = append(mails, []any{ids[i], ChannelEmail, p, a, Pending, now, now, now})
			}
		}
	}
	if err := db.InsertRows(ctx, tx,
		"INSERT INTO notify_deliveries(event_id, channel, person_id, recipient, state, next_attempt_at, created_at, updated_at)", 8, mails, ""); err != nil {
		return fmt.Errorf("queueing e-mails of %s: %w", what(evs), err)
	}
	return nil
}

// what names evs in an error: the event's type, or how many there are.
func what(evs []Event) string {
	if len(evs) == 1 {
		return "event " + evs[0].Type
	}
	return fmt.Sprintf("%d events", len(evs))
}

// insertEvents writes evs and returns their ids, in their order. The rows
// of one INSERT take increasing ids in the order of its VALUES on both
// engines (SQLite's rowid and PostgreSQL's sequence are drawn row by row),
// while the order RETURNING gives them in is not promised: the ids are
// sorted.
func insertEvents(ctx context.Context, tx *db.Tx, evs []Event, data []string) ([]int64, error) {
	ids := make([]int64, 0, len(evs))
	for lo := 0; lo < len(evs); lo += insertChunk {
		hi := min(lo+insertChunk, len(evs))
		args := make([]any, 0, 6*(hi-lo))
		for i := lo; i < hi; i++ {
			args = append(args, evs[i].Type, evs[i].Subject, evs[i].Title, evs[i].Link, data[i], evs[i].At)
		}
		got, err := db.QueryIDs(ctx, tx, "INSERT INTO notify_events(type, subject, title, link, data_json, at) VALUES "+
			db.ValueRows(hi-lo, 6)+" RETURNING id", args...)
		if err == nil && len(got) != hi-lo {
			err = fmt.Errorf("%d ids for %d events", len(got), hi-lo)
		}
		if err != nil {
			return nil, fmt.Errorf("recording %s: %w", what(evs[lo:hi]), err)
		}
		slices.Sort(got)
		ids = append(ids, got...)
	}
	return ids, nil
}

func checkEvent(ev *Event) error {
	ev.Type = strings.TrimSpace(ev.Type)
	ev.Subject = strings.TrimSpace(ev.Subject)
	ev.Title = strings.TrimSpace(ev.Title)
	ev.Link = strings.TrimSpace(ev.Link)
	var v engage.Validation
	if !eventTypePattern.MatchString(ev.Type) || len(ev.Type) > 100 {
		v.Add("type", "Name the event in lower-case words separated by dots, for example need.submitted.")
	}
	v.MaxLen("subject", ev.Subject, 100)
	v.Require("title", ev.Title, "a title that says what happened")
	v.MaxLen("title", ev.Title, 300)
	if ev.Link != "" && !localPath(ev.Link) {
		v.Add("link", "Give the URL path of the page about it, starting with a single /.")
	}
	for _, id := range ev.Recipients {
		if id <= 0 {
			v.Add("recipients", "Recipients are people's ids; %d is not one.", id)
			break
		}
	}
	return v.Err()
}

// localPath reports whether link is a path on this site (not //host/…).
func localPath(link string) bool {
	return strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//") && !strings.HasPrefix(link, `/\`)
}

type mailTo struct {
	personID int64
	address  string
}

// recipients removes duplicates from ids, checks that every one is a person
// and returns the active people's e-mail addresses. Unknown ids are an error
// caught here rather than by a foreign key, which on PostgreSQL would abort
// the caller's whole transaction.
func (s *Service) recipients(ctx context.Context, q db.Querier, ids []int64) ([]int64, []mailTo, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	found := map[int64]bool{}
	var emails []mailTo
	for chunk := range slices.Chunk(ids, insertChunk) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		r, err := q.Query(ctx, "SELECT id, email, active FROM people WHERE id IN ("+db.Placeholders(len(chunk))+") ORDER BY id", args...)
		if err != nil {
			return nil, nil, fmt.Errorf("reading recipients: %w", err)
		}
		for r.Next() {
			var m mailTo
			var active bool
			if err := r.Scan(&m.personID, &m.address, &active); err != nil {
				r.Close()
				return nil, nil, fmt.Errorf("reading recipients: %w", err)
			}
			found[m.personID] = true
			if active && m.address != "" {
				emails = append(emails, m)
			}
		}
		r.Close()
		if err := r.Err(); err != nil {
			return nil, nil, fmt.Errorf("reading recipients: %w", err)
		}
	}
	for _, id := range ids {
		if !found[id] {
			return nil, nil, invalid("recipients", "No person with id %d.", id)
		}
	}
	return ids, emails, nil
}

// subscribedWebhooks returns the active endpoints whose filter matches typ.
// Subscribed says which of the event types an active webhook subscribes
// to, so that a publisher of many events can leave out those no one hears.
func (s *Service) Subscribed(ctx context.Context, q db.Querier, types []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, typ := range types {
		hooks, err := subscribedWebhooks(ctx, q, typ)
		if err != nil {
			return nil, err
		}
		if len(hooks) > 0 {
			out[typ] = true
		}
	}
	return out, nil
}

func subscribedWebhooks(ctx context.Context, q db.Querier, typ string) ([]int64, error) {
	hooks, err := activeWebhooks(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, h := range hooks {
		if Matches(h.types, typ) {
			out = append(out, h.id)
		}
	}
	return out, nil
}

// webhook is an active endpoint and the event types it subscribes to.
type webhook struct {
	id    int64
	types []string
}

// activeWebhooks returns the active endpoints, by id.
func activeWebhooks(ctx context.Context, q db.Querier) ([]webhook, error) {
	r, err := q.Query(ctx, "SELECT id, event_types FROM notify_webhooks WHERE active = ? ORDER BY id", true)
	if err != nil {
		return nil, fmt.Errorf("reading webhook subscriptions: %w", err)
	}
	defer r.Close()
	var out []webhook
	for r.Next() {
		var h webhook
		var raw string
		if err := r.Scan(&h.id, &raw); err != nil {
			return nil, fmt.Errorf("reading webhook subscriptions: %w", err)
		}
		if h.types, err = decodeTypes(raw); err != nil {
			return nil, fmt.Errorf("reading the event types of webhook %d: %w", h.id, err)
		}
		out = append(out, h)
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("reading webhook subscriptions: %w", err)
	}
	return out, nil
}

// Matches reports whether an endpoint subscribed to patterns receives events
// of type typ. A pattern is an exact type ("need.submitted"), a prefix
// ending in ".*" ("need.*" matches need.submitted and need.review.done, not
// "need" itself nor "needs.x"), or "*"; no patterns means every event.
func Matches(patterns []string, typ string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		switch {
		case p == "*" || p == typ:
			return true
		case strings.HasSuffix(p, ".*") && strings.HasPrefix(typ, strings.TrimSuffix(p, "*")):
			return true
		}
	}
	return false
}

func invalid(field, format string, args ...any) error {
	var v engage.Validation
	v.Add(field, format, args...)
	return v.Err()
}
