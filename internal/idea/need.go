package idea

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/notify"
)

// OriginKind is the kind of the front-door origin of a need an idea
// became; its reference is the idea's topic id.
const OriginKind = "idea"

// Events this package publishes.
const (
	EventStatusChanged = "idea.status_changed" // an idea's status changed (author and voters)
	EventConverted     = "idea.converted"      // an idea became a need (its author)
)

// EventTypes lists them, for the webhooks that may subscribe to them.
var EventTypes = []string{EventStatusChanged, EventConverted}

// Convert turns an idea into a front-door need, in one step: a draft need
// for the idea's author, with the idea as its origin, linked to the idea in
// the same transaction. Converting again returns the same need.
func (s *Service) Convert(ctx context.Context, p *access.Principal, topicID int64, in ConvertInput) (Idea, error) {
	t, _, err := s.topic(ctx, p, topicID)
	if err != nil {
		return Idea{}, err
	}
	dept, err := s.authorDepartment(ctx, t)
	if err != nil {
		return Idea{}, err
	}
	ok, err := s.mayConvert(ctx, p, t.CommunityID, dept)
	if err != nil {
		return Idea{}, err
	}
	if !ok {
		return Idea{}, engage.Errorf(engage.EFORBIDDEN, "Only the BRM of the author's department and the owner of the community's service turn an idea into a need.")
	}
	if dept == 0 {
		return Idea{}, engage.Errorf(engage.ECONFLICT, "%s belongs to no department, and a need is a department's; ask an administrator to place them first.", t.AuthorName)
	}
	in.Outcome, in.DataClass = strings.TrimSpace(in.Outcome), strings.TrimSpace(in.DataClass)
	var v engage.Validation
	v.Text("outcome", in.Outcome)
	v.MaxLen("outcome", in.Outcome, 10000)
	if in.Users < 0 || in.Users > 1000000 {
		v.Add("users", "Give the expected number of users, between 0 and 1,000,000.")
	}
	if err := v.Err(); err != nil {
		return Idea{}, err
	}
	var out Idea
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		now := s.Clock.Now()
		if err := ensureRow(ctx, tx, t.ID, now); err != nil {
			return err
		}
		r, err := readRow(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		c, err := s.Communities.Find(ctx, access.System("ideas"), t.CommunityID)
		if err != nil {
			return err
		}
		need := frontdoor.NeedInput{Title: t.Title, Problem: clip(t.Body, 10000), Outcome: in.Outcome, Users: in.Users, DataClass: in.DataClass}
		if need.Outcome == "" {
			need.Outcome = fmt.Sprintf("What the idea “%s” of %s proposes, as %s asked for it.", t.Title, c.Name, plural(r.Votes, "person", "people"))
		}
		if need.Users == 0 {
			need.Users = max(r.Votes, 1)
		}
		if need.DataClass == "" {
			need.DataClass = "internal"
		}
		// The front door reports the new draft to NeedMoved, in this
		// transaction: the link, the status and the notices follow.
		n, err := s.FrontDoor.CreateFor(ctx, tx, p, t.AuthorID, frontdoor.Origin{Kind: OriginKind, Ref: strconv.FormatInt(t.ID, 10)}, need)
		if err != nil {
			return err
		}
		if r.NeedRef == "" {
			if err := audit.Record(ctx, tx, now, p, "convert", "idea", t.ID, fmt.Sprintf("Idea %d became need %s", t.ID, n.Reference), nil, in); err != nil {
				return err
			}
			if s.Publisher != nil && t.AuthorID != p.PersonID {
				if err := s.Publisher.Publish(ctx, tx, notify.Event{Type: EventConverted, Subject: n.Reference,
					Title: fmt.Sprintf("%s turned your idea “%s” into need %s: complete it and submit it", p.Name, t.Title, n.Reference),
					Link:  "/needs/" + n.Reference, Recipients: []int64{t.AuthorID}, At: now,
					Data: map[string]any{"topic_id": t.ID, "community_id": t.CommunityID, "title": t.Title, "need": n.Reference, "by": p.Name}}); err != nil {
					return err
				}
			}
		}
		if r, err = readRow(ctx, tx, t.ID); err != nil {
			return err
		}
		voted, err := votedBy(ctx, tx, p.PersonID, []int64{t.ID})
		out = idea(t, r, voted[t.ID])
		return err
	})
	return out, err
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// StatusOf is the status an idea takes when its need reaches state, with
// the reason it shows.
func StatusOf(state frontdoor.State, reason string) (Status, string) {
	switch state {
	case frontdoor.Approved, frontdoor.InDelivery:
		return Planned, ""
	case frontdoor.Delivered, frontdoor.Closed:
		return Done, reason
	case frontdoor.Rejected:
		return Declined, reason
	case frontdoor.Withdrawn:
		if reason == "" {
			return Declined, "The need was withdrawn."
		}
		return Declined, "The need was withdrawn: " + reason
	}
	return UnderReview, ""
}

// NeedMoved is the front door's observer of the needs ideas became
// (frontdoor.Service.OnStateChange(OriginKind, …)): the idea keeps the
// need's reference and state, its status follows the need, and its author
// and voters are told when the status changes. It runs in the front door's
// transaction.
func (s *Service) NeedMoved(ctx context.Context, tx *db.Tx, c frontdoor.StateChange) error {
	topicID, err := strconv.ParseInt(c.Origin.Ref, 10, 64)
	if err != nil || topicID <= 0 {
		return fmt.Errorf("need %s: origin %s names no idea", c.Reference, c.Origin)
	}
	t, err := s.Discussions.ReadTopic(ctx, tx, topicID)
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		return nil // the idea is gone; the need goes on
	} else if err != nil {
		return err
	}
	if err := ensureRow(ctx, tx, t.ID, c.At); err != nil {
		return err
	}
	r, err := readRow(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE idea_ideas SET need_id = ?, need_reference = ?, need_state = ?, updated_at = ? WHERE topic_id = ?`,
		c.NeedID, c.Reference, c.To, c.At, t.ID); err != nil {
		return fmt.Errorf("linking idea %d to need %s: %w", t.ID, c.Reference, err)
	}
	to, reason := StatusOf(c.To, strings.TrimSpace(c.Reason))
	reason = clip(reason, MaxReason)
	if to == r.Status && reason == r.Reason {
		return nil
	}
	if err := recordStatus(ctx, tx, r, to, reason, 0, c.Reference, c.At); err != nil {
		return err
	}
	if to == r.Status {
		return nil
	}
	return s.tellStatus(ctx, tx, t, 0, to, reason, c.Reference, c.At)
}

// tellStatus tells the idea's author and voters who may still read it,
// except the person who set it, that its status changed.
func (s *Service) tellStatus(ctx context.Context, tx *db.Tx, t discuss.Topic, by int64, to Status, reason, needRef string, now time.Time) error {
	if s.Publisher == nil {
		return nil
	}
	ids, err := voters(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	if !slices.Contains(ids, t.AuthorID) {
		ids = append(ids, t.AuthorID)
	}
	c, err := s.Communities.Find(ctx, access.System("ideas"), t.CommunityID)
	if err != nil {
		return err
	}
	var recipients []int64
	for _, id := range ids {
		if id == by {
			continue
		}
		// In an open or announcement community everyone reads an idea that
		// is not hidden; elsewhere a voter may have lost access.
		if c.Visibility == community.Closed || t.Hidden {
			ok, err := s.Discussions.MayRead(ctx, id, t)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		recipients = append(recipients, id)
	}
	if len(recipients) == 0 {
		return nil
	}
	title := fmt.Sprintf("The idea “%s” is now %s", t.Title, strings.ToLower(to.Label()))
	if needRef != "" {
		title += " (need " + needRef + ")"
	}
	if reason != "" {
		title += ": " + clip(reason, 300)
	}
	return s.Publisher.Publish(ctx, tx, notify.Event{Type: EventStatusChanged, Subject: fmt.Sprintf("topic:%d", t.ID), Title: title,
		Link: Path(c, t.ID), Recipients: recipients, At: now,
		Data: map[string]any{"topic_id": t.ID, "community_id": t.CommunityID, "title": t.Title, "status": to, "reason": reason, "need": needRef}})
}

// Path is the URL path of an idea's page.
func Path(c community.Community, topicID int64) string {
	return discuss.TopicPath(c, topicID) + "/idea"
}
