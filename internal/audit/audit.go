// Package audit records and reads Engage's audit log: every change of state
// is an Event (who, when, what, before, after), written in the same
// transaction as the change so the log never disagrees with the data. The
// database refuses updates and deletes of events (append-only).
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/paging"
)

// Event is one recorded change.
type Event struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    int64           `json:"actor_id,omitempty"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	EntityType string          `json:"entity_type"`
	EntityID   string          `json:"entity_id"`
	Summary    string          `json:"summary"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
}

// Record appends an event inside tx. before and after are marshalled to
// JSON; pass nil when there is no state on that side.
func Record(ctx context.Context, tx db.Querier, at time.Time, actor *access.Principal,
	action, entityType string, entityID int64, summary string, before, after any) error {
	return RecordAll(ctx, tx, []Entry{{At: at, Actor: actor, Action: action, EntityType: entityType, EntityID: entityID,
		Summary: summary, Before: before, After: after}})
}

// Entry is one event to record: Record's arguments.
type Entry struct {
	At                 time.Time
	Actor              *access.Principal
	Action, EntityType string
	EntityID           int64
	Summary            string
	Before, After      any
}

// RecordAll appends the events of entries inside tx, in their order, with
// one statement for up to db.RowsPerStatement of them.
func RecordAll(ctx context.Context, tx db.Querier, entries []Entry) error {
	rows := make([][]any, len(entries))
	for i, e := range entries {
		var actorID any
		name := "system"
		if e.Actor != nil {
			if e.Actor.PersonID != 0 {
				actorID = e.Actor.PersonID
			}
			if e.Actor.Name != "" {
				name = e.Actor.Name
			}
		}
		b, err := marshal(e.Before)
		if err != nil {
			return err
		}
		a, err := marshal(e.After)
		if err != nil {
			return err
		}
		rows[i] = []any{e.At, actorID, name, e.Action, e.EntityType, strconv.FormatInt(e.EntityID, 10), e.Summary, b, a}
	}
	err := db.InsertRows(ctx, tx, "INSERT INTO audit_events(at, actor_id, actor_name, action, entity_type, entity_id, summary, before_json, after_json)",
		9, rows, "")
	if err != nil && len(entries) == 1 {
		return fmt.Errorf("recording audit event %s %s: %w", entries[0].Action, entries[0].EntityType, err)
	} else if err != nil {
		return fmt.Errorf("recording %d audit events: %w", len(entries), err)
	}
	return nil
}

func marshal(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding audit state: %w", err)
	}
	return string(b), nil
}

// Filter narrows a listing of events. Events are listed newest first.
type Filter struct {
	EntityType string
	EntityID   string
	ActorID    int64
	// Actor matches the name of who made the change, in part, ignoring case.
	Actor  string
	Action string
	// From and Until bound when the change was made: From included, Until
	// not; zero means unbounded.
	From, Until time.Time
	Cursor      string
	Limit       int
}

// Service reads the audit log.
type Service struct {
	DB *db.DB
}

// List returns events matching f, newest first, and the cursor of the next
// page ("" at the end). Only admins may read the whole log.
func (s *Service) List(ctx context.Context, p *access.Principal, f Filter) ([]Event, string, error) {
	if !p.IsAdmin() {
		return nil, "", engage.Errorf(engage.EFORBIDDEN, "Only administrators can read the audit log.")
	}
	return List(ctx, s.DB, f)
}

// Kinds lists the kinds of thing (entity types) the log has changes of,
// for a filter. Administrators only.
func (s *Service) Kinds(ctx context.Context, p *access.Principal) ([]string, error) {
	if !p.IsAdmin() {
		return nil, engage.Errorf(engage.EFORBIDDEN, "Only administrators can read the audit log.")
	}
	rows, err := s.DB.Query(ctx, "SELECT DISTINCT entity_type FROM audit_events ORDER BY entity_type")
	if err != nil {
		return nil, fmt.Errorf("listing audit kinds: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("reading audit kinds: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// List reads events without an access check; callers check first.
func List(ctx context.Context, q db.Querier, f Filter) ([]Event, string, error) {
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := paging.Limit(f.Limit)
	where, args := "1=1", []any{}
	if f.EntityType != "" {
		where += " AND entity_type = ?"
		args = append(args, f.EntityType)
	}
	if f.EntityID != "" {
		where += " AND entity_id = ?"
		args = append(args, f.EntityID)
	}
	if f.ActorID != 0 {
		where += " AND actor_id = ?"
		args = append(args, f.ActorID)
	}
	if f.Actor != "" {
		where += ` AND LOWER(actor_name) LIKE ? ESCAPE '\'`
		args = append(args, db.Like(f.Actor))
	}
	if f.Action != "" {
		where += " AND action = ?"
		args = append(args, f.Action)
	}
	if !f.From.IsZero() {
		where += " AND at >= ?"
		args = append(args, f.From.UTC())
	}
	if !f.Until.IsZero() {
		where += " AND at < ?"
		args = append(args, f.Until.UTC())
	}
	if cur != nil {
		where += " AND id < ?"
		args = append(args, cur.ID)
	}
	args = append(args, limit+1)
	rows, err := q.Query(ctx, `SELECT id, at, actor_id, actor_name, action, entity_type, entity_id, summary, before_json, after_json
		FROM audit_events WHERE `+where+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("listing audit events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var actor sql.NullInt64
		var before, after sql.NullString
		if err := rows.Scan(&e.ID, &e.At, &actor, &e.ActorName, &e.Action, &e.EntityType, &e.EntityID, &e.Summary, &before, &after); err != nil {
			return nil, "", fmt.Errorf("reading audit event: %w", err)
		}
		e.At = e.At.UTC()
		e.ActorID = actor.Int64
		if before.Valid {
			e.Before = json.RawMessage(before.String)
		}
		if after.Valid {
			e.After = json.RawMessage(after.String)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("reading audit events: %w", err)
	}
	out, next := paging.Trim(out, limit, func(x Event) paging.Cursor { return paging.Cursor{ID: x.ID} })
	return out, next, nil
}

// FieldChange is one field of an entity as a change left it.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// Changes lists the fields the event changed, in the order of their
// names: for a creation every field set, for a deletion every field
// there was, otherwise those whose value differs. Values are written as
// plain text (JSON for nested values). State that is not a JSON object
// is one field named "value".
func (e Event) Changes() []FieldChange {
	before, after := fields(e.Before), fields(e.After)
	names := map[string]bool{}
	for k := range before {
		names[k] = true
	}
	for k := range after {
		names[k] = true
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []FieldChange
	for _, k := range keys {
		b, a := before[k], after[k]
		if b == a {
			continue
		}
		out = append(out, FieldChange{Field: k, Before: b, After: a})
	}
	return out
}

// fields reads a JSON object into text values; null and empty values
// read as "".
func fields(raw json.RawMessage) map[string]string {
	out := map[string]string{}
	if len(raw) == 0 {
		return out
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		if v := plain(raw); v != "" {
			out["value"] = v
		}
		return out
	}
	for k, v := range m {
		if t := plain(v); t != "" {
			out[k] = t
		}
	}
	return out
}

// plain writes one JSON value as text: strings without quotes, null as "".
func plain(v json.RawMessage) string {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s
	}
	t := strings.TrimSpace(string(v))
	if t == "null" || t == "[]" || t == "{}" {
		return ""
	}
	return t
}
