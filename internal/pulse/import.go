package pulse

import (
	"context"
	"fmt"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
)

// ImportedAnswer is an answer collected before Engage kept pulses (or by
// another survey tool), with who gave it and when.
type ImportedAnswer struct {
	PersonID int64
	Score    int
	Comment  string
	At       time.Time
}

// ImportAnswers records answers to the pulse id collected elsewhere, in one
// transaction, by the rules of Answer: each from a recipient who has not
// answered, within the pulse's open period, in range. Administrators only.
// Anything wrong refuses the whole import, naming the line (1-based).
func (s *Service) ImportAnswers(ctx context.Context, p *access.Principal, id int64, answers []ImportedAnswer) error {
	if err := requireReader(p); err != nil {
		return err
	}
	if !p.IsAdmin() {
		return engage.Errorf(engage.EFORBIDDEN, "Only administrators import answers.")
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		pl, err := findPulse(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		var v engage.Validation
		lo, hi := pl.Survey.Range()
		people := make([]int64, 0, len(answers))
		for i, a := range answers {
			line := fmt.Sprintf("line %d", i+1)
			if a.Score < lo || a.Score > hi {
				v.Add(line, "Score %d is not from %d to %d.", a.Score, lo, hi)
			}
			if a.At.Before(pl.OpensAt) || !a.At.Before(pl.ClosesAt) {
				v.Add(line, "Answered at %s, outside the pulse's open period.", a.At.UTC().Format(time.RFC3339))
			}
			v.Text(line, a.Comment)
			if len([]rune(a.Comment)) > MaxComment {
				v.Add(line, "The comment is over %d characters.", MaxComment)
			}
			people = append(people, a.PersonID)
		}
		if err := v.Err(); err != nil {
			return err
		}
		n, err := markAllAnswered(ctx, tx, id, people)
		if err != nil {
			return err
		}
		if n != len(answers) {
			return engage.Errorf(engage.EINVALID, "%d of the %d answers come from people the pulse was not sent to, or who answered already (or twice in the import).",
				len(answers)-n, len(answers))
		}
		if err := insertAnswers(ctx, tx, id, answers); err != nil {
			return err
		}
		for _, a := range answers {
			if err := activity.Send(ctx, s.Signals, tx, activity.Signal{Kind: activity.PulseAnswer, PersonID: a.PersonID,
				CommunityID: pl.CommunityID, Survey: string(pl.Survey), Score: a.Score, Ref: fmt.Sprintf("pulse:%d", id), At: a.At.UTC(),
				PulseID: id, PulseOpens: pl.OpensAt, PulseCloses: pl.ClosesAt}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, s.Clock.Now(), p, "import answers", "pulse", id, fmt.Sprintf("%d answers to pulse %d", len(answers), id), nil, nil)
	})
}

// Recipients returns who the pulse id was sent to, by id — never who
// answered. Administrators only.
func (s *Service) Recipients(ctx context.Context, p *access.Principal, id int64) ([]int64, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	if !p.IsAdmin() {
		return nil, engage.Errorf(engage.EFORBIDDEN, "Only administrators list a pulse's recipients.")
	}
	if _, err := findPulse(ctx, s.DB, id, 0); err != nil {
		return nil, err
	}
	return db.QueryIDs(ctx, s.DB, "SELECT person_id FROM pulse_recipients WHERE pulse_id = ? ORDER BY person_id", id)
}
