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

// readers remembers, while notices of one transaction are made, who may
// read which topic (mayRead).
type readers struct {
	s    *Service
	seen map[[2]int64]bool
}

func (s *Service) readers() *readers { return &readers{s: s, seen: map[[2]int64]bool{}} }

func (rd *readers) may(ctx context.Context, personID int64, t Topic) (bool, error) {
	k := [2]int64{personID, t.ID}
	if ok, known := rd.seen[k]; known {
		return ok, nil
	}
	ok, err := rd.s.mayRead(ctx, personID, t)
	if err == nil {
		rd.seen[k] = ok
	}
	return ok, err
}

// handles are the active people each @handle names, by id.
type handles map[string][]int64

// lookupHandles finds the people the handles name, in one read: those
// whose e-mail address begins with the handle and an @.
func lookupHandles(ctx context.Context, q db.Querier, hs []string) (handles, error) {
	found := handles{}
	if len(hs) == 0 {
		return found, nil
	}
	terms, args := make([]string, len(hs)), make([]any, len(hs))
	for i, h := range hs {
		terms[i] = `LOWER(email) LIKE ? ESCAPE '\'`
		args[i] = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(h) + "@%"
	}
	rows, err := q.Query(ctx, "SELECT id, LOWER(email) FROM people WHERE active AND ("+strings.Join(terms, " OR ")+") ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("finding @%s: %w", strings.Join(hs, ", @"), err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, fmt.Errorf("finding @%s: %w", strings.Join(hs, ", @"), err)
		}
		for _, h := range hs {
			if strings.HasPrefix(email, h+"@") {
				found[h] = append(found[h], id)
			}
		}
	}
	return found, rows.Err()
}

// mentioned returns the people @mentioned in body who may read t, except
// the writer; found holds whom the body's handles name.
func (rd *readers) mentioned(ctx context.Context, found handles, writer *access.Principal, t Topic, body string) ([]int64, error) {
	var out []int64
	for _, h := range Mentions(body) {
		for _, id := range found[h] {
			if id == writer.PersonID || slices.Contains(out, id) {
				continue
			}
			ok, err := rd.may(ctx, id, t)
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

// mentionEvent tells the people in ids that writer mentioned them in t.
func mentionEvent(writer *access.Principal, c community.Community, t Topic, ids []int64) notify.Event {
	return notify.Event{Type: EventMentioned, Subject: ref(t.ID),
		Title: fmt.Sprintf("%s mentioned you in “%s”", writer.Name, t.Title), Link: TopicPath(c, t.ID), Recipients: ids,
		Data: map[string]any{"topic_id": t.ID, "community_id": t.CommunityID, "title": t.Title, "by": writer.Name}}
}

// tellMentioned tells the people @mentioned in body of topic t who may
// read it.
func (s *Service) tellMentioned(ctx context.Context, tx *db.Tx, writer *access.Principal, c community.Community, t Topic, body string) error {
	if s.Publisher == nil {
		return nil
	}
	found, err := lookupHandles(ctx, tx, Mentions(body))
	if err != nil {
		return err
	}
	ids, err := s.readers().mentioned(ctx, found, writer, t, body)
	if err != nil || len(ids) == 0 {
		return err
	}
	return s.Publisher.Publish(ctx, tx, mentionEvent(writer, c, t, ids))
}

// batchPublisher is a Publisher that records many events at once
// (notify.Service.PublishAll).
type batchPublisher interface {
	PublishAll(ctx context.Context, tx *db.Tx, evs []notify.Event) error
}

// publish records evs, in their order, through the Publisher.
func (s *Service) publish(ctx context.Context, tx *db.Tx, evs []notify.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if b, ok := s.Publisher.(batchPublisher); ok {
		return b.PublishAll(ctx, tx, evs)
	}
	for _, ev := range evs {
		if err := s.Publisher.Publish(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// replyNotices are the events that tell of the replies in ws, stored
// together, in their order: for each, the people it @mentions who may read
// its topic, and its topic's other followers who may still read it —
// those who followed before (before, by topic) and the writers of the
// group's earlier replies to it.
func (s *Service) replyNotices(ctx context.Context, tx *db.Tx, ws []writing, before map[int64][]int64) ([]notify.Event, error) {
	var hs []string
	for _, w := range ws {
		for _, h := range Mentions(w.in.Body) {
			if !slices.Contains(hs, h) {
				hs = append(hs, h)
			}
		}
	}
	found, err := lookupHandles(ctx, tx, hs)
	if err != nil {
		return nil, err
	}
	rd := s.readers()
	var evs []notify.Event
	followed := map[int64][]int64{}
	for topic, ids := range before {
		followed[topic] = slices.Clone(ids)
	}
	for _, w := range ws {
		writer, c, t := w.p, w.c, w.topic
		if !slices.Contains(followed[t.ID], writer.PersonID) {
			followed[t.ID] = append(followed[t.ID], writer.PersonID)
		}
		told, err := rd.mentioned(ctx, found, writer, t, w.in.Body)
		if err != nil {
			return nil, err
		}
		if len(told) > 0 {
			evs = append(evs, mentionEvent(writer, c, t, told))
		}
		var to []int64
		for _, id := range followed[t.ID] {
			if id == writer.PersonID || slices.Contains(told, id) {
				continue
			}
			// In an open or announcement community everyone reads a topic
			// that is not hidden; elsewhere a follower may have lost access.
			if c.Visibility == community.Closed || t.Hidden {
				ok, err := rd.may(ctx, id, t)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
			}
			to = append(to, id)
		}
		if len(to) == 0 {
			continue
		}
		slices.Sort(to)
		r := w.out
		what := "replied to"
		if r.Official {
			what = "gave an official IT answer to"
		}
		evs = append(evs, notify.Event{Type: EventReplied, Subject: ref(t.ID),
			Title: fmt.Sprintf("%s %s “%s”", writer.Name, what, t.Title), Link: TopicPath(c, t.ID) + fmt.Sprintf("#reply-%d", r.ID), Recipients: to,
			Data: map[string]any{"topic_id": t.ID, "reply_id": r.ID, "community_id": t.CommunityID, "title": t.Title, "by": writer.Name, "official": r.Official}})
	}
	return evs, nil
}
