package discuss

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
)

// MaxReason bounds the reason given with a flag.
const MaxReason = 500

// Flag is someone's report that a post needs a moderator.
type Flag struct {
	ID          int64  `json:"id"`
	TopicID     int64  `json:"topic_id"`
	ReplyID     int64  `json:"reply_id,omitempty" doc:"0 when the topic itself is flagged"`
	CommunityID int64  `json:"community_id"`
	TopicTitle  string `json:"topic_title"`
	// Excerpt is the start of the flagged text.
	Excerpt    string     `json:"excerpt"`
	PersonID   int64      `json:"person_id"`
	PersonName string     `json:"person_name"`
	Reason     string     `json:"reason"`
	At         time.Time  `json:"at"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
	Outcome    string     `json:"outcome,omitempty" enum:"kept,hidden"`
}

// Outcomes of a flag.
const (
	Kept   = "kept"   // the post stays as it is
	Hidden = "hidden" // the post is hidden
)

// FlagPost records p's flag on a topic (replyID 0) or one of its replies.
// Anyone who reads the post may flag it, once: flagging it again changes
// nothing.
func (s *Service) FlagPost(ctx context.Context, p *access.Principal, id, replyID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	var v engage.Validation
	v.Text("reason", reason)
	v.Require("reason", reason, "why a moderator should look at it")
	v.MaxLen("reason", reason, MaxReason)
	if err := v.Err(); err != nil {
		return err
	}
	t, r, err := s.readable(ctx, p, id)
	if err != nil {
		return err
	}
	if replyID != 0 {
		rp, err := findReply(ctx, s.DB, replyID)
		if err != nil || rp.TopicID != t.ID || (rp.Hidden && !r.Moderate && rp.AuthorID != p.PersonID) {
			return errNoReply
		}
	}
	return s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		res, err := tx.Exec(ctx, `INSERT INTO discuss_flags(topic_id, reply_id, person_id, reason, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (topic_id, reply_id, person_id) DO NOTHING`, t.ID, replyID, p.PersonID, reason, now)
		if err != nil {
			return fmt.Errorf("flagging topic %d: %w", t.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		what := fmt.Sprintf("topic %d", t.ID)
		if replyID != 0 {
			what = fmt.Sprintf("reply %d in topic %d", replyID, t.ID)
		}
		return audit.Record(ctx, tx, now, p, "flag", "topic", t.ID, "Flagged "+what+": "+reason, nil, nil)
	})
}

const flagColumns = `f.id, f.topic_id, f.reply_id, t.community_id, t.title, COALESCE(r.body, t.body), f.person_id, COALESCE(a.name, ''),
	f.reason, f.at, f.resolved_at, f.outcome
	FROM discuss_flags f JOIN discuss_topics t ON t.id = f.topic_id LEFT JOIN discuss_replies r ON r.id = f.reply_id AND f.reply_id <> 0
	LEFT JOIN people a ON a.id = f.person_id`

func scanFlag(row interface{ Scan(...any) error }) (Flag, error) {
	var f Flag
	var rt sql.NullTime
	err := row.Scan(&f.ID, &f.TopicID, &f.ReplyID, &f.CommunityID, &f.TopicTitle, &f.Excerpt, &f.PersonID, &f.PersonName,
		&f.Reason, &f.At, &rt, &f.Outcome)
	f.At = f.At.UTC()
	if rt.Valid {
		at := rt.Time.UTC()
		f.ResolvedAt = &at
	}
	if r := []rune(f.Excerpt); len(r) > 200 {
		f.Excerpt = string(r[:200]) + "…"
	}
	return f, err
}

// Flags returns the open flags of the communities p moderates, oldest
// first (at most 200).
func (s *Service) Flags(ctx context.Context, p *access.Principal) ([]Flag, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	all, err := queryAll(ctx, s.DB, "SELECT "+flagColumns+" WHERE f.resolved_at IS NULL ORDER BY f.at, f.id LIMIT 1000", scanFlag, "flags")
	if err != nil {
		return nil, err
	}
	rights := map[int64]community.Rights{}
	out := []Flag{}
	for _, f := range all {
		r, ok := rights[f.CommunityID]
		if !ok {
			r, err = s.Communities.Rights(ctx, p, f.CommunityID)
			if err != nil && engage.ErrorCode(err) != engage.ENOTFOUND {
				return nil, err
			}
			rights[f.CommunityID] = r
		}
		if r.Moderate && len(out) < 200 {
			out = append(out, f)
		}
	}
	return out, nil
}

// ResolveFlag closes a flag and every other open flag on the same post:
// outcome Kept leaves the post, Hidden hides it. The community's
// moderators only.
func (s *Service) ResolveFlag(ctx context.Context, p *access.Principal, flagID int64, outcome string) (Flag, error) {
	if err := requireReader(p); err != nil {
		return Flag{}, err
	}
	if outcome != Kept && outcome != Hidden {
		return Flag{}, fieldError("outcome", "Choose kept or hidden.")
	}
	f, err := findOne(ctx, s.DB, "SELECT "+flagColumns+" WHERE f.id = ?", scanFlag, engage.Errorf(engage.ENOTFOUND, "There is no such flag."), "a flag", flagID)
	if err != nil {
		return Flag{}, err
	}
	if outcome == Hidden {
		if f.ReplyID != 0 {
			_, err = s.HideReply(ctx, p, f.ReplyID, true)
		} else {
			_, err = s.Hide(ctx, p, f.TopicID, true)
		}
		if err != nil {
			return Flag{}, err
		}
	}
	_, err = s.change(ctx, p, f.TopicID, "resolve flag", moderators, func(tx *db.Tx, t Topic, now time.Time) (string, error) {
		res, err := tx.Exec(ctx, `UPDATE discuss_flags SET resolved_at = ?, resolved_by = ?, outcome = ?
			WHERE topic_id = ? AND reply_id = ? AND resolved_at IS NULL`, now, db.NullID(p.PersonID), outcome, f.TopicID, f.ReplyID)
		if err != nil {
			return "", fmt.Errorf("resolving flag %d: %w", f.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return "", nil
		}
		return fmt.Sprintf("Flags on topic %d (reply %d) resolved: %s", f.TopicID, f.ReplyID, outcome), nil
	})
	if err != nil {
		return Flag{}, err
	}
	return findOne(ctx, s.DB, "SELECT "+flagColumns+" WHERE f.id = ?", scanFlag, nil, "a flag", flagID)
}
