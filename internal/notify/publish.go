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
	if err := checkEvent(&ev); err != nil {
		return err
	}
	if ev.At.IsZero() {
		ev.At = s.Clock.Now()
	}
	ev.At = ev.At.UTC()
	data := []byte("{}")
	if ev.Data != nil {
		var err error
		if data, err = json.Marshal(ev.Data); err != nil {
			return fmt.Errorf("encoding the data of event %s: %w", ev.Type, err)
		}
	}
	recipients, emails, err := s.recipients(ctx, tx, ev.Recipients)
	if err != nil {
		return err
	}
	var eventID int64
	if err := tx.QueryRow(ctx, `INSERT INTO notify_events(type, subject, title, link, data_json, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		ev.Type, ev.Subject, ev.Title, ev.Link, string(data), ev.At).Scan(&eventID); err != nil {
		return fmt.Errorf("recording event %s: %w", ev.Type, err)
	}
	for chunk := range slices.Chunk(recipients, insertChunk) {
		args := make([]any, 0, 2*len(chunk))
		for _, id := range chunk {
			args = append(args, id, eventID)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO notify_inbox(person_id, event_id) VALUES "+db.ValueRows(len(chunk), 2), args...); err != nil {
			return fmt.Errorf("adding event %s to %d inboxes: %w", ev.Type, len(chunk), err)
		}
	}

	now := s.Clock.Now()
	hooks, err := subscribedWebhooks(ctx, tx, ev.Type)
	if err != nil {
		return err
	}
	for _, id := range hooks {
		if _, err := tx.Exec(ctx, `INSERT INTO notify_deliveries(event_id, channel, webhook_id, state, next_attempt_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, eventID, ChannelWebhook, id, Pending, now, now, now); err != nil {
			return fmt.Errorf("queueing event %s for webhook %d: %w", ev.Type, id, err)
		}
	}
	if !s.EmailEnabled() {
		return nil
	}
	for chunk := range slices.Chunk(emails, insertChunk) {
		args := make([]any, 0, 8*len(chunk))
		for _, m := range chunk {
			args = append(args, eventID, ChannelEmail, m.personID, m.address, Pending, now, now, now)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO notify_deliveries(event_id, channel, person_id, recipient, state, next_attempt_at, created_at, updated_at)
			VALUES `+db.ValueRows(len(chunk), 8), args...); err != nil {
			return fmt.Errorf("queueing e-mails of event %s: %w", ev.Type, err)
		}
	}
	return nil
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
	r, err := q.Query(ctx, "SELECT id, event_types FROM notify_webhooks WHERE active = ? ORDER BY id", true)
	if err != nil {
		return nil, fmt.Errorf("reading webhook subscriptions: %w", err)
	}
	defer r.Close()
	var out []int64
	for r.Next() {
		var id int64
		var raw string
		if err := r.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("reading webhook subscriptions: %w", err)
		}
		types, err := decodeTypes(raw)
		if err != nil {
			return nil, fmt.Errorf("reading the event types of webhook %d: %w", id, err)
		}
		if Matches(types, typ) {
			out = append(out, id)
		}
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
