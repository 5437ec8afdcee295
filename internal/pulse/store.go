package pulse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/engagehq/engage/internal/db"
)

// columns reads a pulse and, through the first argument, whether it was
// sent to that person and whether they answered.
const columns = `p.id, p.survey, p.question, COALESCE(p.service_id, 0), COALESCE(p.community_id, 0), p.subject_name, p.opens_at,
	p.closes_at, p.created_by, p.created_at, p.recipients, p.answers, r.person_id IS NOT NULL, COALESCE(r.answered, FALSE)
	FROM pulses p LEFT JOIN pulse_recipients r ON r.pulse_id = p.id AND r.person_id = ?`

func scanPulse(row db.Scanner) (Pulse, error) {
	var p Pulse
	err := row.Scan(&p.ID, &p.Survey, &p.Question, &p.ServiceID, &p.CommunityID, &p.SubjectName, &p.OpensAt, &p.ClosesAt,
		&p.CreatedBy, &p.CreatedAt, &p.Recipients, &p.Answers, &p.Recipient, &p.Answered)
	p.OpensAt, p.ClosesAt, p.CreatedAt = p.OpensAt.UTC(), p.ClosesAt.UTC(), p.CreatedAt.UTC()
	return p, err
}

func findPulse(ctx context.Context, q db.Querier, id, personID int64) (Pulse, error) {
	p, err := scanPulse(q.QueryRow(ctx, "SELECT "+columns+" WHERE p.id = ?", personID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, errNoPulse
	} else if err != nil {
		return p, fmt.Errorf("reading pulse %d: %w", id, err)
	}
	return p, nil
}

// listPulses returns the newest pulses matching where, as personID sees them.
func listPulses(ctx context.Context, q db.Querier, personID int64, where string, args ...any) ([]Pulse, error) {
	rows, err := q.Query(ctx, "SELECT "+columns+" WHERE "+where+fmt.Sprintf(" ORDER BY p.opens_at DESC, p.id DESC LIMIT %d", MaxListed),
		append([]any{personID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("listing pulses: %w", err)
	}
	defer rows.Close()
	out := []Pulse{}
	for rows.Next() {
		p, err := scanPulse(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// subjectPulses returns a subject's pulses of one survey that opened from
// first (included) to end (excluded), oldest first.
func subjectPulses(ctx context.Context, q db.Querier, serviceID, communityID int64, survey Survey, first, end time.Time) ([]Pulse, error) {
	rows, err := q.Query(ctx, "SELECT "+columns+` WHERE (p.service_id = ? OR p.community_id = ?) AND p.survey = ?
		AND p.opens_at >= ? AND p.opens_at < ? ORDER BY p.opens_at, p.id`, 0, serviceID, communityID, survey, first, end)
	if err != nil {
		return nil, fmt.Errorf("reading a trend's pulses: %w", err)
	}
	defer rows.Close()
	var out []Pulse
	for rows.Next() {
		p, err := scanPulse(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// sameSent returns the id of a pulse personID already sent with in, or 0.
func sameSent(ctx context.Context, q db.Querier, personID int64, in SendInput) (int64, error) {
	ids, err := db.QueryIDs(ctx, q, `SELECT id FROM pulses WHERE created_by = ? AND survey = ? AND question = ? AND closes_at = ?
		AND COALESCE(service_id, 0) = ? AND COALESCE(community_id, 0) = ? ORDER BY id LIMIT 1`,
		personID, in.Survey, in.Question, in.ClosesAt, in.ServiceID, in.CommunityID)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// insertChunk keeps multi-row inserts under both engines' limits on bound
// parameters.
const insertChunk = 400

func insertPulse(ctx context.Context, tx *db.Tx, by int64, in SendInput, name string, now time.Time, people []int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO pulses(survey, question, service_id, community_id, subject_name, opens_at, closes_at, created_by,
		created_at, recipients, answers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id`,
		in.Survey, in.Question, db.NullID(in.ServiceID), db.NullID(in.CommunityID), name, *in.OpensAt, in.ClosesAt, by, now, len(people)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("saving a pulse: %w", err)
	}
	for chunk := range slices.Chunk(people, insertChunk) {
		args := make([]any, 0, 2*len(chunk))
		for _, person := range chunk {
			args = append(args, id, person)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO pulse_recipients(pulse_id, person_id) VALUES "+db.ValueRows(len(chunk), 2), args...); err != nil {
			return 0, fmt.Errorf("saving pulse %d's recipients: %w", id, err)
		}
	}
	return id, nil
}

// markAnswered notes that personID answered the pulse id; false when they
// already had.
func markAnswered(ctx context.Context, tx *db.Tx, id, personID int64) (bool, error) {
	res, err := tx.Exec(ctx, "UPDATE pulse_recipients SET answered = TRUE WHERE pulse_id = ? AND person_id = ? AND NOT answered", id, personID)
	if err != nil {
		return false, fmt.Errorf("noting an answer to pulse %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// insertAnswer keeps an answer without who gave it.
func insertAnswer(ctx context.Context, tx *db.Tx, id int64, in AnswerInput) error {
	if _, err := tx.Exec(ctx, "INSERT INTO pulse_answers(pulse_id, score, comment) VALUES (?, ?, ?)", id, in.Score, in.Comment); err != nil {
		return fmt.Errorf("saving an answer to pulse %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, "UPDATE pulses SET answers = answers + 1 WHERE id = ?", id); err != nil {
		return fmt.Errorf("counting an answer to pulse %d: %w", id, err)
	}
	return nil
}

// scoreCounts returns, per pulse, how many answers gave each score.
func scoreCounts(ctx context.Context, q db.Querier, ids []int64) (map[int64]map[int]int, error) {
	out := map[int64]map[int]int{}
	for chunk := range slices.Chunk(ids, insertChunk) {
		rows, err := q.Query(ctx, "SELECT pulse_id, score, COUNT(*) FROM pulse_answers WHERE pulse_id IN ("+db.Placeholders(len(chunk))+
			") GROUP BY pulse_id, score", db.Args(chunk)...)
		if err != nil {
			return nil, fmt.Errorf("counting answers: %w", err)
		}
		for rows.Next() {
			var id int64
			var score, n int
			if err := rows.Scan(&id, &score, &n); err != nil {
				rows.Close()
				return nil, err
			}
			if out[id] == nil {
				out[id] = map[int]int{}
			}
			out[id][score] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// comments returns a pulse's comments that say something.
func comments(ctx context.Context, q db.Querier, id int64) ([]string, error) {
	rows, err := q.Query(ctx, "SELECT comment FROM pulse_answers WHERE pulse_id = ? AND comment <> ''", id)
	if err != nil {
		return nil, fmt.Errorf("reading pulse %d's comments: %w", id, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// markAllAnswered notes that people answered the pulse id and says how many
// of them had not yet.
func markAllAnswered(ctx context.Context, tx *db.Tx, id int64, people []int64) (int, error) {
	total := 0
	for chunk := range slices.Chunk(people, insertChunk) {
		res, err := tx.Exec(ctx, "UPDATE pulse_recipients SET answered = TRUE WHERE pulse_id = ? AND NOT answered AND person_id IN ("+
			db.Placeholders(len(chunk))+")", append([]any{id}, db.Args(chunk)...)...)
		if err != nil {
			return 0, fmt.Errorf("noting answers to pulse %d: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		total += int(n)
	}
	return total, nil
}

// insertAnswers keeps answers without who gave them, in an order that says
// nothing of who gave them (by score, then comment).
func insertAnswers(ctx context.Context, tx *db.Tx, id int64, answers []ImportedAnswer) error {
	sorted := slices.Clone(answers)
	slices.SortFunc(sorted, func(a, b ImportedAnswer) int {
		if a.Score != b.Score {
			return a.Score - b.Score
		}
		return strings.Compare(a.Comment, b.Comment)
	})
	for chunk := range slices.Chunk(sorted, insertChunk) {
		args := make([]any, 0, 3*len(chunk))
		for _, a := range chunk {
			args = append(args, id, a.Score, a.Comment)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO pulse_answers(pulse_id, score, comment) VALUES "+db.ValueRows(len(chunk), 3), args...); err != nil {
			return fmt.Errorf("saving answers to pulse %d: %w", id, err)
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE pulses SET answers = answers + ? WHERE id = ?", len(answers), id); err != nil {
		return fmt.Errorf("counting answers to pulse %d: %w", id, err)
	}
	return nil
}
