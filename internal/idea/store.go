package idea

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/frontdoor"
)

// row is what this package keeps about one idea.
type row struct {
	TopicID  int64
	Status   Status
	Reason   string
	Votes    int
	NeedID   int64
	NeedRef  string
	NeedSt   frontdoor.State
	StatusAt *time.Time
	Version  int
}

// fresh is the row of an idea nothing was kept about yet.
func fresh(topicID int64) row { return row{TopicID: topicID, Status: New, Version: 1} }

const rowColumns = `topic_id, status, reason, votes, COALESCE(need_id, 0), need_reference, need_state, status_at, version FROM idea_ideas`

func scanRow(s db.Scanner) (row, error) {
	var r row
	var at sql.NullTime
	err := s.Scan(&r.TopicID, &r.Status, &r.Reason, &r.Votes, &r.NeedID, &r.NeedRef, &r.NeedSt, &at, &r.Version)
	r.StatusAt = db.TimePtr(at)
	if r.StatusAt != nil {
		u := r.StatusAt.UTC()
		r.StatusAt = &u
	}
	return r, err
}

// readRow returns the row of topicID, or a fresh one.
func readRow(ctx context.Context, q db.Querier, topicID int64) (row, error) {
	r, err := scanRow(q.QueryRow(ctx, "SELECT "+rowColumns+" WHERE topic_id = ?", topicID))
	if errors.Is(err, sql.ErrNoRows) {
		return fresh(topicID), nil
	} else if err != nil {
		return r, fmt.Errorf("reading idea %d: %w", topicID, err)
	}
	return r, nil
}

// readRows returns the rows of ids, fresh ones for those without.
func readRows(ctx context.Context, q db.Querier, ids []int64) (map[int64]row, error) {
	out := make(map[int64]row, len(ids))
	for _, id := range ids {
		out[id] = fresh(id)
	}
	for chunk := range slices.Chunk(ids, 500) {
		rows, err := q.Query(ctx, "SELECT "+rowColumns+" WHERE topic_id IN ("+db.Placeholders(len(chunk))+")", db.Args(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("reading ideas: %w", err)
		}
		for rows.Next() {
			r, err := scanRow(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading ideas: %w", err)
			}
			out[r.TopicID] = r
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ensureRow makes sure topicID has a row, so that it can be updated.
func ensureRow(ctx context.Context, tx *db.Tx, topicID int64, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO idea_ideas(topic_id, status, reason, votes, need_reference, need_state, version, updated_at)
		VALUES (?, 'new', '', 0, '', '', 1, ?) ON CONFLICT (topic_id) DO NOTHING`, topicID, now)
	if err != nil {
		return fmt.Errorf("keeping idea %d: %w", topicID, err)
	}
	return nil
}

// votedBy returns which of ids personID voted for.
func votedBy(ctx context.Context, q db.Querier, personID int64, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for chunk := range slices.Chunk(ids, 500) {
		voted, err := db.QueryIDs(ctx, q, "SELECT topic_id FROM idea_votes WHERE person_id = ? AND topic_id IN ("+db.Placeholders(len(chunk))+")",
			append([]any{personID}, db.Args(chunk)...)...)
		if err != nil {
			return nil, fmt.Errorf("reading votes: %w", err)
		}
		for _, id := range voted {
			out[id] = true
		}
	}
	return out, nil
}

// voters returns who voted for topicID.
func voters(ctx context.Context, q db.Querier, topicID int64) ([]int64, error) {
	return db.QueryIDs(ctx, q, "SELECT person_id FROM idea_votes WHERE topic_id = ? ORDER BY person_id", topicID)
}

// recordStatus writes a change of status and its history.
func recordStatus(ctx context.Context, tx *db.Tx, r row, to Status, reason string, actorID int64, needRef string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE idea_ideas SET status = ?, reason = ?, status_at = ?, version = version + 1, updated_at = ? WHERE topic_id = ?`,
		to, reason, now, now, r.TopicID); err != nil {
		return fmt.Errorf("setting the status of idea %d: %w", r.TopicID, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO idea_status_events(topic_id, from_status, to_status, reason, actor_id, need_reference, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.TopicID, r.Status, to, reason, db.NullID(actorID), needRef, now); err != nil {
		return fmt.Errorf("keeping the history of idea %d: %w", r.TopicID, err)
	}
	return nil
}

func history(ctx context.Context, q db.Querier, topicID int64) ([]StatusEvent, error) {
	rows, err := q.Query(ctx, `SELECT e.from_status, e.to_status, e.reason, COALESCE(a.name, ''), e.need_reference, e.at
		FROM idea_status_events e LEFT JOIN people a ON a.id = e.actor_id WHERE e.topic_id = ? ORDER BY e.id`, topicID)
	if err != nil {
		return nil, fmt.Errorf("reading the history of idea %d: %w", topicID, err)
	}
	defer rows.Close()
	out := []StatusEvent{}
	for rows.Next() {
		var e StatusEvent
		if err := rows.Scan(&e.From, &e.To, &e.Reason, &e.ActorName, &e.NeedReference, &e.At); err != nil {
			return nil, fmt.Errorf("reading the history of idea %d: %w", topicID, err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
