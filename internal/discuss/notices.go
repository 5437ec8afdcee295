package discuss

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/notify"
)

// Events this package publishes.
const (
	EventMentioned = "topic.mentioned" // someone was @mentioned in a topic or reply
	EventReplied   = "topic.replied"   // a topic someone follows has a new reply
)

// EventTypes lists them, for the webhooks that may subscribe to them.
var EventTypes = []string{EventMentioned, EventReplied}

// maxMentions bounds how many people one post tells.
const maxMentions = 20

// mentionPattern finds @handles: the part of an e-mail address before the
// @, after a space, a line start or an opening bracket (so that an e-mail
// address written in full is not a mention).
var mentionPattern = regexp.MustCompile(`(?:^|[\s(\[])@([A-Za-z0-9][A-Za-z0-9._+-]*)`)

// Mentions returns the handles @mentioned in body, lower-cased, each once,
// in order of first appearance.
func Mentions(body string) []string {
	var out []string
	for _, m := range mentionPattern.FindAllStringSubmatch(body, -1) {
		h := strings.ToLower(strings.TrimRight(m[1], ".-+_"))
		if h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
		if len(out) == maxMentions {
			break
		}
	}
	return out
}

// TopicPath is the URL path of a topic's page.
func TopicPath(c community.Community, topicID int64) string {
	return fmt.Sprintf("/communities/%s/topics/%d", c.Slug, topicID)
}

// mayRead reports whether person personID may read topic t now.
func (s *Service) mayRead(ctx context.Context, personID int64, t Topic) (bool, error) {
	if s.Communities.Org == nil {
		return false, nil
	}
	p, err := s.Communities.Org.Principal(ctx, personID, "notice")
	if engage.ErrorCode(err) == engage.EUNAUTHORIZED || engage.ErrorCode(err) == engage.ENOTFOUND {
		return false, nil // deactivated or gone
	} else if err != nil {
		return false, err
	}
	r, err := s.Communities.Rights(ctx, p, t.CommunityID)
	if engage.ErrorCode(err) == engage.ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return sees(p, r, t), nil
}

// mentioned returns the people @mentioned in body who may read t, except
// the writer and those in skip.
func (s *Service) mentioned(ctx context.Context, tx *db.Tx, writer *access.Principal, t Topic, body string) ([]int64, error) {
	var out []int64
	for _, h := range Mentions(body) {
		pattern := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(h) + "@%"
		ids, err := db.QueryIDs(ctx, tx, `SELECT id FROM people WHERE active AND LOWER(email) LIKE ? ESCAPE '\' ORDER BY id`, pattern)
		if err != nil {
			return nil, fmt.Errorf("finding @%s: %w", h, err)
		}
		for _, id := range ids {
			if id == writer.PersonID || slices.Contains(out, id) {
				continue
			}
			ok, err := s.mayRead(ctx, id, t)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

func (s *Service) tellMentioned(ctx context.Context, tx *db.Tx, writer *access.Principal, c community.Community, t Topic, body string) ([]int64, error) {
	if s.Publisher == nil {
		return nil, nil
	}
	ids, err := s.mentioned(ctx, tx, writer, t, body)
	if err != nil || len(ids) == 0 {
		return ids, err
	}
	return ids, s.Publisher.Publish(ctx, tx, notify.Event{Type: EventMentioned, Subject: ref(t.ID),
		Title: fmt.Sprintf("%s mentioned you in “%s”", writer.Name, t.Title), Link: TopicPath(c, t.ID), Recipients: ids,
		Data: map[string]any{"topic_id": t.ID, "community_id": t.CommunityID, "title": t.Title, "by": writer.Name}})
}

// tellOfReply tells the people mentioned in a reply, and the topic's other
// followers who may still read it, that r was posted.
func (s *Service) tellOfReply(ctx context.Context, tx *db.Tx, writer *access.Principal, c community.Community, t Topic, r Reply) error {
	if s.Publisher == nil {
		return nil
	}
	told, err := s.tellMentioned(ctx, tx, writer, c, t, r.Body)
	if err != nil {
		return err
	}
	ids, err := followers(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	var to []int64
	for _, id := range ids {
		if id == writer.PersonID || slices.Contains(told, id) {
			continue
		}
		// In an open or announcement community everyone reads a topic
		// that is not hidden; elsewhere a follower may have lost access.
		if c.Visibility == community.Closed || t.Hidden {
			ok, err := s.mayRead(ctx, id, t)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
		}
		to = append(to, id)
	}
	if len(to) == 0 {
		return nil
	}
	what := "replied to"
	if r.Official {
		what = "gave an official IT answer to"
	}
	return s.Publisher.Publish(ctx, tx, notify.Event{Type: EventReplied, Subject: ref(t.ID),
		Title: fmt.Sprintf("%s %s “%s”", writer.Name, what, t.Title), Link: TopicPath(c, t.ID) + fmt.Sprintf("#reply-%d", r.ID), Recipients: to,
		Data: map[string]any{"topic_id": t.ID, "reply_id": r.ID, "community_id": t.CommunityID, "title": t.Title, "by": writer.Name, "official": r.Official}})
}
