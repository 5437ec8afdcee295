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
	"strconv"
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
	var actorID any
	name := "system"
	if actor != nil {
		if actor.PersonID != 0 {
			actorID = actor.PersonID
		}
		if actor.Name != "" {
			name = actor.Name
		}
	}
	b, err := marshal(before)
	if err != nil {
		return err
	}
	a, err := marshal(after)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_events(at, actor_id, actor_name, action, entity_type, entity_id, summary, before_json, after_json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, at, actorID, name, action, entityType, strconv.FormatInt(entityID, 10), summary, b, a)
	if err != nil {
		return fmt.Errorf("recording audit event %s %s: %w", action, entityType, err)
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
	Action     string
	Cursor     string
	Limit      int
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
	if f.Action != "" {
		where += " AND action = ?"
		args = append(args, f.Action)
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
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = paging.Encode(paging.Cursor{ID: out[limit-1].ID})
	}
	return out, next, nil
}
