package discuss

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
)

var errModerators = engage.Errorf(engage.EFORBIDDEN, "Only the community's moderators do this.")

func moderators(r community.Rights, _ Topic, _ *access.Principal) error {
	if !r.Moderate {
		return errModerators
	}
	return nil
}

// change runs fn on topic id in a transaction, after allowed says p may,
// and records what was done in the audit log. fn returns the audit summary.
func (s *Service) change(ctx context.Context, p *access.Principal, id int64, action string,
	allowed func(community.Rights, Topic, *access.Principal) error,
	fn func(tx *db.Tx, t Topic, now time.Time) (string, error)) (Topic, error) {
	t, r, err := s.readable(ctx, p, id)
	if err != nil {
		return Topic{}, err
	}
	if err := allowed(r, t, p); err != nil {
		return Topic{}, err
	}
	var out Topic
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		before, err := findTopic(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		summary, err := fn(tx, before, now)
		if err != nil {
			return err
		}
		if summary != "" {
			if err := touch(ctx, tx, id); err != nil {
				return err
			}
		}
		if out, err = findTopic(ctx, tx, id); err != nil {
			return err
		}
		if summary == "" { // nothing changed
			return nil
		}
		return audit.Record(ctx, tx, now, p, action, "topic", id, summary, state(before), state(out))
	})
	if err == nil {
		s.changed()
	}
	return out, err
}

// topicState is what the audit log keeps of a topic.
type topicState struct {
	CommunityID     int64  `json:"community_id"`
	Title           string `json:"title"`
	Pinned          bool   `json:"pinned"`
	Locked          bool   `json:"locked"`
	Hidden          bool   `json:"hidden"`
	AcceptedReplyID int64  `json:"accepted_reply_id,omitempty"`
	Version         int    `json:"version"`
}

func state(t Topic) topicState {
	return topicState{CommunityID: t.CommunityID, Title: t.Title, Pinned: t.Pinned, Locked: t.Locked, Hidden: t.Hidden,
		AcceptedReplyID: t.AcceptedReplyID, Version: t.Version}
}

// setFlag sets one of a topic's moderation flags (pinned, locked, hidden).
func (s *Service) setFlag(ctx context.Context, p *access.Principal, id int64, column string, on bool, doing, undoing string) (Topic, error) {
	action := doing
	if !on {
		action = undoing
	}
	return s.change(ctx, p, id, action, moderators, func(tx *db.Tx, t Topic, now time.Time) (string, error) {
		var was bool
		switch column {
		case "pinned":
			was = t.Pinned
		case "locked":
			was = t.Locked
		case "hidden":
			was = t.Hidden
		}
		if was == on {
			return "", nil
		}
		set := column + " = ?, version = version + 1, updated_at = ?"
		args := []any{on, now}
		if column == "hidden" {
			seq, err := nextSeq(ctx, tx)
			if err != nil {
				return "", err
			}
			set, args = set+", search_seq = ?", append(args, seq)
		}
		if _, err := tx.Exec(ctx, "UPDATE discuss_topics SET "+set+" WHERE id = ?", append(args, t.ID)...); err != nil {
			return "", fmt.Errorf("%s topic %d: %w", action, t.ID, err)
		}
		return fmt.Sprintf("Topic %d %s: %s", t.ID, action, t.Title), nil
	})
}

// Pin puts a topic first in its community's lists (on) or back in order.
// Moderators only.
func (s *Service) Pin(ctx context.Context, p *access.Principal, id int64, on bool) (Topic, error) {
	return s.setFlag(ctx, p, id, "pinned", on, "pin", "unpin")
}

// Lock closes a topic to replies but its moderators' (on) or opens it
// again. Moderators only.
func (s *Service) Lock(ctx context.Context, p *access.Principal, id int64, on bool) (Topic, error) {
	return s.setFlag(ctx, p, id, "locked", on, "lock", "unlock")
}

// Hide hides a topic (on) from everyone but the community's moderators and
// its author, or shows it again. Moderators only.
func (s *Service) Hide(ctx context.Context, p *access.Principal, id int64, on bool) (Topic, error) {
	return s.setFlag(ctx, p, id, "hidden", on, "hide", "unhide")
}

// Move takes a topic to another community. Moderators of both only.
func (s *Service) Move(ctx context.Context, p *access.Principal, id, communityID int64) (Topic, error) {
	to, err := s.Communities.FindBrief(ctx, p, communityID)
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		return Topic{}, fieldError("community_id", fmt.Sprintf("No community with id %d.", communityID))
	} else if err != nil {
		return Topic{}, err
	}
	r, err := s.Communities.Rights(ctx, p, to.ID)
	if err != nil {
		return Topic{}, err
	}
	if !r.Moderate {
		return Topic{}, engage.Errorf(engage.EFORBIDDEN, "Only moderators of %s move topics into it.", to.Name)
	}
	return s.change(ctx, p, id, "move", moderators, func(tx *db.Tx, t Topic, now time.Time) (string, error) {
		if t.CommunityID == to.ID {
			return "", nil
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return "", err
		}
		if _, err := tx.Exec(ctx, "UPDATE discuss_topics SET community_id = ?, search_seq = ?, version = version + 1, updated_at = ? WHERE id = ?",
			to.ID, seq, now, t.ID); err != nil {
			return "", fmt.Errorf("moving topic %d: %w", t.ID, err)
		}
		if err := s.topicChanged(ctx, tx, t.ID, to.ID, t.Title, now); err != nil {
			return "", err
		}
		return fmt.Sprintf("Topic %d moved to %s: %s", t.ID, to.Name, t.Title), nil
	})
}

// Accept marks reply replyID as the solution of a question; 0 clears it.
// The question's author and the community's moderators may.
func (s *Service) Accept(ctx context.Context, p *access.Principal, id, replyID int64) (Topic, error) {
	allowed := func(r community.Rights, t Topic, p *access.Principal) error {
		if t.Kind != Question {
			return engage.Errorf(engage.EINVALID, "Only a question has an accepted solution.")
		}
		if t.AuthorID != p.PersonID && !r.Moderate {
			return engage.Errorf(engage.EFORBIDDEN, "Only the person who asked (or a moderator) accepts a solution.")
		}
		return nil
	}
	return s.change(ctx, p, id, "accept", allowed, func(tx *db.Tx, t Topic, now time.Time) (string, error) {
		if t.AcceptedReplyID == replyID {
			return "", nil
		}
		if replyID != 0 {
			r, err := findReply(ctx, tx, replyID)
			if err != nil || r.TopicID != t.ID || r.Hidden {
				return "", fieldError("reply_id", "Choose a reply of this topic.")
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE discuss_topics SET accepted_reply_id = ?, version = version + 1, updated_at = ? WHERE id = ?",
			db.NullID(replyID), now, t.ID); err != nil {
			return "", fmt.Errorf("accepting a solution of topic %d: %w", t.ID, err)
		}
		if replyID == 0 {
			return fmt.Sprintf("Topic %d has no accepted solution any more: %s", t.ID, t.Title), nil
		}
		err := activity.Send(ctx, s.Signals, tx, activity.Signal{Kind: activity.Accepted, PersonID: p.PersonID, CommunityID: t.CommunityID,
			TopicID: t.ID, Ref: ref(t.ID), At: now})
		return fmt.Sprintf("Reply %d accepted as the solution of topic %d: %s", replyID, t.ID, t.Title), err
	})
}

// MarkOfficial makes an existing reply an official IT answer (for
// instance a member's reply that IT endorses). Those with Rights.Answer
// only.
func (s *Service) MarkOfficial(ctx context.Context, p *access.Principal, replyID int64) (Reply, error) {
	if err := requireReader(p); err != nil {
		return Reply{}, err
	}
	rp, err := findReply(ctx, s.DB, replyID)
	if err != nil {
		return Reply{}, err
	}
	allowed := func(r community.Rights, _ Topic, _ *access.Principal) error {
		if !r.Answer {
			return engage.Errorf(engage.EFORBIDDEN, "Only the service owner, the IT staff and the moderators give official answers.")
		}
		return nil
	}
	var out Reply
	t, err := s.change(ctx, p, rp.TopicID, "official answer", allowed, func(tx *db.Tx, t Topic, now time.Time) (string, error) {
		rp, err := findReply(ctx, tx, replyID)
		if err != nil || rp.Official {
			out = rp
			return "", err
		}
		if _, err := tx.Exec(ctx, "UPDATE discuss_replies SET official = TRUE, version = version + 1, updated_at = ? WHERE id = ?", now, rp.ID); err != nil {
			return "", fmt.Errorf("marking reply %d official: %w", rp.ID, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE discuss_topics SET it_answered_at = COALESCE(it_answered_at, ?) WHERE id = ?", now, t.ID); err != nil {
			return "", fmt.Errorf("marking topic %d answered: %w", t.ID, err)
		}
		if out, err = findReply(ctx, tx, replyID); err != nil {
			return "", err
		}
		err = activity.Send(ctx, s.Signals, tx, activity.Signal{Kind: activity.ITAnswered, PersonID: p.PersonID, CommunityID: t.CommunityID,
			TopicID: t.ID, Ref: ref(t.ID), At: now})
		return fmt.Sprintf("Reply %d by %s made the official answer to topic %d", rp.ID, rp.AuthorName, t.ID), err
	})
	out.Accepted = out.ID != 0 && out.ID == t.AcceptedReplyID
	return out, err
}

// HideReply hides a reply (on) from everyone but the community's
// moderators and its author, or shows it again. Moderators only.
func (s *Service) HideReply(ctx context.Context, p *access.Principal, replyID int64, on bool) (Reply, error) {
	if err := requireReader(p); err != nil {
		return Reply{}, err
	}
	rp, err := findReply(ctx, s.DB, replyID)
	if err != nil {
		return Reply{}, err
	}
	action := "hide"
	if !on {
		action = "unhide"
	}
	var out Reply
	_, err = s.change(ctx, p, rp.TopicID, action+" reply", moderators, func(tx *db.Tx, t Topic, now time.Time) (string, error) {
		rp, err := findReply(ctx, tx, replyID)
		if err != nil || rp.Hidden == on {
			out = rp
			return "", err
		}
		delta := 1
		if on {
			delta = -1
		}
		if _, err := tx.Exec(ctx, "UPDATE discuss_replies SET hidden = ?, version = version + 1, updated_at = ? WHERE id = ?", on, now, rp.ID); err != nil {
			return "", fmt.Errorf("%s reply %d: %w", action, rp.ID, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE discuss_topics SET replies = replies + ? WHERE id = ?", delta, t.ID); err != nil {
			return "", fmt.Errorf("counting the replies of topic %d: %w", t.ID, err)
		}
		out, err = findReply(ctx, tx, replyID)
		return fmt.Sprintf("Reply %d by %s in topic %d: %s", rp.ID, rp.AuthorName, t.ID, action), err
	})
	return out, err
}

// Edit is a new text of a topic or a reply.
type Edit struct {
	Title string `json:"title,omitempty" maxLength:"200" doc:"A topic's new title; ignored for a reply"`
	Body  string `json:"body" minLength:"1" maxLength:"20000"`
	// Version is the version the editor read; another edit since refuses
	// this one. 0 skips the check.
	Version int `json:"version,omitempty"`
}

// Revision is an earlier text of a topic or a reply, kept when it was
// edited.
type Revision struct {
	Version    int       `json:"version"`
	Title      string    `json:"title,omitempty"`
	Body       string    `json:"body"`
	AuthorID   int64     `json:"author_id"`
	WrittenAt  time.Time `json:"written_at" doc:"When this text was written"`
	EditedBy   string    `json:"edited_by" doc:"Who replaced it"`
	EditedAt   time.Time `json:"edited_at" doc:"When it was replaced"`
	EditedByID int64     `json:"edited_by_id"`
}

func mayEdit(r community.Rights, authorID int64, p *access.Principal) error {
	if authorID != p.PersonID && !r.Moderate {
		return engage.Errorf(engage.EFORBIDDEN, "Only the author and the community's moderators edit a post.")
	}
	return nil
}

func keepRevision(ctx context.Context, tx *db.Tx, topicID, replyID int64, version int, title, body string, authorID int64,
	written time.Time, p *access.Principal, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO discuss_revisions(topic_id, reply_id, version, title, body, author_id, edited_by, edited_at, written_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, topicID, replyID, version, title, body, authorID, db.NullID(p.PersonID), now, written)
	if err != nil {
		return fmt.Errorf("keeping the earlier text of topic %d: %w", topicID, err)
	}
	return nil
}

func stale(version, current int) error {
	if version != 0 && version != current {
		return engage.Errorf(engage.ECONFLICT, "Someone changed this post since you opened it (version %d, now %d); reload it and edit again.", version, current)
	}
	return nil
}

// topicChanged tells engagement measurement a topic's title and community
// as they now are, so that the topics behind its figures follow renames
// and moves.
func (s *Service) topicChanged(ctx context.Context, tx *db.Tx, id, communityID int64, title string, now time.Time) error {
	return activity.Send(ctx, s.Signals, tx, activity.Signal{Kind: activity.TopicChanged, CommunityID: communityID, TopicID: id,
		Ref: ref(id), Title: title, At: now})
}

// EditTopic replaces a topic's title and text, keeping the earlier ones.
// Its author and the community's moderators may.
func (s *Service) EditTopic(ctx context.Context, p *access.Principal, id int64, e Edit) (Topic, error) {
	e.Title = strings.TrimSpace(e.Title)
	var v engage.Validation
	v.Text("title", e.Title)
	v.Require("title", e.Title, "a title")
	v.MaxLen("title", e.Title, MaxTitle)
	checkBody(&v, &e.Body)
	if err := v.Err(); err != nil {
		return Topic{}, err
	}
	allowed := func(r community.Rights, t Topic, p *access.Principal) error { return mayEdit(r, t.AuthorID, p) }
	return s.change(ctx, p, id, "edit", allowed, func(tx *db.Tx, t Topic, now time.Time) (string, error) {
		if err := stale(e.Version, t.Version); err != nil {
			return "", err
		}
		if t.Title == e.Title && t.Body == e.Body {
			return "", nil
		}
		written := t.CreatedAt
		if prev, err := lastEdit(ctx, tx, t.ID, 0); err != nil {
			return "", err
		} else if !prev.IsZero() {
			written = prev
		}
		if err := keepRevision(ctx, tx, t.ID, 0, t.Version, t.Title, t.Body, t.AuthorID, written, p, now); err != nil {
			return "", err
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return "", err
		}
		if _, err := tx.Exec(ctx, "UPDATE discuss_topics SET title = ?, body = ?, search_seq = ?, version = version + 1, updated_at = ? WHERE id = ?",
			e.Title, e.Body, seq, now, t.ID); err != nil {
			return "", fmt.Errorf("editing topic %d: %w", t.ID, err)
		}
		if t.Title != e.Title {
			if err := s.topicChanged(ctx, tx, t.ID, t.CommunityID, e.Title, now); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("Topic %d edited: %s", t.ID, e.Title), nil
	})
}

// EditReply replaces a reply's text, keeping the earlier one. Its author
// and the community's moderators may.
func (s *Service) EditReply(ctx context.Context, p *access.Principal, replyID int64, e Edit) (Reply, error) {
	if err := requireReader(p); err != nil {
		return Reply{}, err
	}
	var v engage.Validation
	checkBody(&v, &e.Body)
	if err := v.Err(); err != nil {
		return Reply{}, err
	}
	rp, err := findReply(ctx, s.DB, replyID)
	if err != nil {
		return Reply{}, err
	}
	allowed := func(r community.Rights, _ Topic, p *access.Principal) error {
		if rp.Hidden && !r.Moderate && rp.AuthorID != p.PersonID {
			return errNoReply
		}
		return mayEdit(r, rp.AuthorID, p)
	}
	var out Reply
	_, err = s.change(ctx, p, rp.TopicID, "edit reply", allowed, func(tx *db.Tx, t Topic, now time.Time) (string, error) {
		rp, err := findReply(ctx, tx, replyID)
		if err != nil {
			return "", err
		}
		if err := stale(e.Version, rp.Version); err != nil {
			return "", err
		}
		out = rp
		if rp.Body == e.Body {
			return "", nil
		}
		written := rp.CreatedAt
		if prev, err := lastEdit(ctx, tx, t.ID, rp.ID); err != nil {
			return "", err
		} else if !prev.IsZero() {
			written = prev
		}
		if err := keepRevision(ctx, tx, t.ID, rp.ID, rp.Version, "", rp.Body, rp.AuthorID, written, p, now); err != nil {
			return "", err
		}
		if _, err := tx.Exec(ctx, "UPDATE discuss_replies SET body = ?, version = version + 1, updated_at = ? WHERE id = ?", e.Body, now, rp.ID); err != nil {
			return "", fmt.Errorf("editing reply %d: %w", rp.ID, err)
		}
		out, err = findReply(ctx, tx, replyID)
		return fmt.Sprintf("Reply %d by %s in topic %d edited", rp.ID, rp.AuthorName, t.ID), err
	})
	return out, err
}

func lastEdit(ctx context.Context, q db.Querier, topicID, replyID int64) (time.Time, error) {
	var at []time.Time
	rows, err := q.Query(ctx, "SELECT edited_at FROM discuss_revisions WHERE topic_id = ? AND reply_id = ? ORDER BY version DESC LIMIT 1", topicID, replyID)
	if err != nil {
		return time.Time{}, fmt.Errorf("reading the history of topic %d: %w", topicID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return time.Time{}, err
		}
		at = append(at, t.UTC())
	}
	if len(at) == 0 {
		return time.Time{}, rows.Err()
	}
	return at[0], rows.Err()
}

// Revisions returns the earlier texts of a topic (replyID 0) or of one of
// its replies, oldest first. The community's moderators only.
func (s *Service) Revisions(ctx context.Context, p *access.Principal, id, replyID int64) ([]Revision, error) {
	_, r, err := s.readable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !r.Moderate {
		return nil, errModerators
	}
	rows, err := s.DB.Query(ctx, `SELECT v.version, v.title, v.body, v.author_id, v.written_at, COALESCE(e.name, ''), v.edited_at, COALESCE(v.edited_by, 0)
		FROM discuss_revisions v LEFT JOIN people e ON e.id = v.edited_by WHERE v.topic_id = ? AND v.reply_id = ? ORDER BY v.version`, id, replyID)
	if err != nil {
		return nil, fmt.Errorf("reading the history of topic %d: %w", id, err)
	}
	defer rows.Close()
	out := []Revision{}
	for rows.Next() {
		var v Revision
		if err := rows.Scan(&v.Version, &v.Title, &v.Body, &v.AuthorID, &v.WrittenAt, &v.EditedBy, &v.EditedAt, &v.EditedByID); err != nil {
			return nil, fmt.Errorf("reading the history of topic %d: %w", id, err)
		}
		v.WrittenAt, v.EditedAt = v.WrittenAt.UTC(), v.EditedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// Follow makes p follow a topic they read (on), or stop following it.
func (s *Service) Follow(ctx context.Context, p *access.Principal, id int64, on bool) error {
	t, _, err := s.readable(ctx, p, id)
	if err != nil {
		return err
	}
	if on {
		return follow(ctx, s.DB, t.ID, p.PersonID, s.Clock.Now())
	}
	return unfollow(ctx, s.DB, t.ID, p.PersonID)
}

// Following reports whether p follows topic id.
func (s *Service) Following(ctx context.Context, p *access.Principal, id int64) (bool, error) {
	if err := requireReader(p); err != nil {
		return false, err
	}
	return following(ctx, s.DB, id, p.PersonID)
}

// Moderate does a moderation action by name — pin, unpin, lock, unlock,
// hide, unhide, or move (to communityID) — as the web forms and the API
// send it.
func (s *Service) Moderate(ctx context.Context, p *access.Principal, id int64, action string, communityID int64) (Topic, error) {
	switch action {
	case "pin", "unpin":
		return s.Pin(ctx, p, id, action == "pin")
	case "lock", "unlock":
		return s.Lock(ctx, p, id, action == "lock")
	case "hide", "unhide":
		return s.Hide(ctx, p, id, action == "hide")
	case "move":
		return s.Move(ctx, p, id, communityID)
	}
	return Topic{}, fieldError("action", "Choose pin, unpin, lock, unlock, hide, unhide or move.")
}
