package engagement

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/db"
)

// month is the counters' key of t: YYYY-MM in UTC.
func month(t time.Time) string { return t.UTC().Format("2006-01") }

// contribution reports whether a signal of kind k in a community counts as
// taking part in it.
func contribution(k activity.Kind) bool {
	switch k {
	case activity.TopicOpened, activity.Replied, activity.ITAnswered, activity.Voted, activity.PulseAnswer:
		return true
	}
	return false
}

// Record keeps s inside tx, the sending area's transaction, and updates the
// small tables the measures read: a handful of indexed writes.
func (s *Service) Record(ctx context.Context, tx *db.Tx, sig activity.Signal) error {
	if sig.At.IsZero() {
		sig.At = s.Clock.Now()
	}
	at := sig.At.UTC()
	dept := sig.DepartmentID
	if dept == 0 && sig.PersonID != 0 {
		var d sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT department_id FROM people WHERE id = ?", sig.PersonID).Scan(&d)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("reading the department of person %d: %w", sig.PersonID, err)
		}
		dept = d.Int64
	}
	if _, err := tx.Exec(ctx, `INSERT INTO engagement_signals(kind, person_id, department_id, community_id, topic_id, survey, score, ref, title, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, sig.Kind, sig.PersonID, dept, sig.CommunityID, sig.TopicID, sig.Survey, sig.Score,
		sig.Ref, sig.Title, at); err != nil {
		return fmt.Errorf("keeping a %s signal: %w", sig.Kind, err)
	}
	contributes := contribution(sig.Kind) && sig.CommunityID != 0 && sig.PersonID != 0
	if sig.PersonID != 0 && sig.Kind != activity.NeedDecided {
		var community any
		if contributes {
			community = at
		}
		// The department goes with the last contribution: a community
		// signal's department is always the person's own.
		if _, err := tx.Exec(ctx, `INSERT INTO engagement_people(person_id, last_at, last_community_at, department_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (person_id) DO UPDATE SET
			last_at = CASE WHEN excluded.last_at > engagement_people.last_at THEN excluded.last_at ELSE engagement_people.last_at END,
			department_id = CASE WHEN excluded.last_community_at IS NOT NULL AND (engagement_people.last_community_at IS NULL
				OR excluded.last_community_at >= engagement_people.last_community_at)
				THEN excluded.department_id ELSE engagement_people.department_id END,
			last_community_at = CASE WHEN engagement_people.last_community_at IS NULL
				OR excluded.last_community_at > engagement_people.last_community_at
				THEN COALESCE(excluded.last_community_at, engagement_people.last_community_at) ELSE engagement_people.last_community_at END`,
			sig.PersonID, at, community, dept); err != nil {
			return fmt.Errorf("keeping person %d's last signal: %w", sig.PersonID, err)
		}
	}
	var c counts
	switch sig.Kind {
	case activity.Ordered:
		c.orders = 1
	case activity.NeedSent:
		c.needsSent = 1
	case activity.NeedDecided:
		c.needsDecided = 1
	}
	if contributes {
		c.contributions = 1
		if _, err := tx.Exec(ctx, `INSERT INTO engagement_participation(community_id, person_id, first_at, last_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (community_id, person_id) DO UPDATE SET
			first_at = CASE WHEN excluded.first_at < engagement_participation.first_at THEN excluded.first_at ELSE engagement_participation.first_at END,
			last_at = CASE WHEN excluded.last_at > engagement_participation.last_at THEN excluded.last_at ELSE engagement_participation.last_at END`,
			sig.CommunityID, sig.PersonID, at, at); err != nil {
			return fmt.Errorf("keeping person %d's part in community %d: %w", sig.PersonID, sig.CommunityID, err)
		}
		res, err := tx.Exec(ctx, "INSERT INTO engagement_person_months(person_id, month) VALUES (?, ?) ON CONFLICT (person_id, month) DO NOTHING",
			sig.PersonID, month(at))
		if err != nil {
			return fmt.Errorf("keeping person %d's active month: %w", sig.PersonID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n > 0 {
			c.activePeople = 1
		}
	}
	if c != (counts{}) {
		if _, err := tx.Exec(ctx, `INSERT INTO engagement_months(department_id, month, orders, needs_sent, needs_decided, contributions, active_people)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (department_id, month) DO UPDATE SET
			orders = engagement_months.orders + excluded.orders, needs_sent = engagement_months.needs_sent + excluded.needs_sent,
			needs_decided = engagement_months.needs_decided + excluded.needs_decided,
			contributions = engagement_months.contributions + excluded.contributions,
			active_people = engagement_months.active_people + excluded.active_people`,
			dept, month(at), c.orders, c.needsSent, c.needsDecided, c.contributions, c.activePeople); err != nil {
			return fmt.Errorf("counting department %d's month: %w", dept, err)
		}
	}
	if err := s.recordTopic(ctx, tx, sig, at); err != nil {
		return err
	}
	if sig.Kind == activity.PulseAnswer {
		return recordPulse(ctx, tx, sig, dept, at)
	}
	return nil
}

// counts are the increments of a department's month.
type counts struct {
	orders, needsSent, needsDecided, contributions, activePeople int
}

func (s *Service) recordTopic(ctx context.Context, tx *db.Tx, sig activity.Signal, at time.Time) error {
	if sig.TopicID == 0 {
		return nil
	}
	var err error
	switch sig.Kind {
	case activity.TopicOpened:
		_, err = tx.Exec(ctx, `INSERT INTO engagement_topics(topic_id, community_id, person_id, ref, title, opened_at, idea) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (topic_id) DO UPDATE SET community_id = excluded.community_id, person_id = excluded.person_id, ref = excluded.ref,
			title = excluded.title, opened_at = excluded.opened_at, idea = engagement_topics.idea OR excluded.idea`,
			sig.TopicID, sig.CommunityID, sig.PersonID, sig.Ref, sig.Title, at, sig.Idea)
	case activity.ITAnswered:
		_, err = tx.Exec(ctx, "UPDATE engagement_topics SET answered_at = ? WHERE topic_id = ? AND (answered_at IS NULL OR answered_at > ?)",
			at, sig.TopicID, at)
	case activity.Accepted:
		_, err = tx.Exec(ctx, "UPDATE engagement_topics SET accepted_at = ? WHERE topic_id = ? AND accepted_at IS NULL", at, sig.TopicID)
	case activity.Voted:
		_, err = tx.Exec(ctx, "UPDATE engagement_topics SET idea = TRUE WHERE topic_id = ? AND NOT idea", sig.TopicID)
	}
	if err != nil {
		return fmt.Errorf("keeping topic %d: %w", sig.TopicID, err)
	}
	return nil
}

// recordPulse counts a pulse answer for its community and its department.
func recordPulse(ctx context.Context, tx *db.Tx, sig activity.Signal, dept int64, at time.Time) error {
	high, low := 0, 0
	switch sig.Survey {
	case "csat":
		high, low = b2i(sig.Score >= 4), b2i(sig.Score <= 2)
	case "nps":
		high, low = b2i(sig.Score >= 9), b2i(sig.Score <= 6)
	default:
		return fmt.Errorf("a pulse answer of unknown survey %q", sig.Survey)
	}
	for _, scope := range []struct {
		name string
		id   int64
	}{{"community", sig.CommunityID}, {"department", dept}} {
		if scope.id == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO engagement_pulses(scope, scope_id, month, survey, answers, high, low) VALUES (?, ?, ?, ?, 1, ?, ?)
			ON CONFLICT (scope, scope_id, month, survey) DO UPDATE SET answers = engagement_pulses.answers + 1,
			high = engagement_pulses.high + excluded.high, low = engagement_pulses.low + excluded.low`,
			scope.name, scope.id, month(at), sig.Survey, high, low); err != nil {
			return fmt.Errorf("counting a pulse answer: %w", err)
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
