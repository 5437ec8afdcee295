package discuss

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/lru"
)

// A topic's replies are kept in memory, all of them (hidden ones too), so
// that showing a topic of 200 replies reads one row — the topic's — rather
// than its 200 replies; each reader's page is cut from the kept list by
// the same rules as the query (hidden replies for moderators and their
// author only). Every change to a topic or its replies (a reply, an edit,
// hiding or showing, an accepted solution, an official answer, a move, a
// lock) adds one to the topic's changes in the change's transaction; a
// kept list is used only while the topic read for the request has the
// changes it was read with, so a change made through any replica shows at
// once on every replica. Authors' names are read again at least every
// keptFor. The lists together weigh at most maxRepliesKept, the least
// recently read dropped first; a topic with more than maxKeptPerTopic
// replies is read page by page from the database, as before.
const (
	maxRepliesKept  = 32 << 20
	maxKeptPerTopic = 2000
	keptFor         = 10 * time.Minute
)

// keptReplies is a topic's replies as kept: one string holding their
// texts and their authors' names (each name once), and a list of
// fixed-size rows that point into it by offset. Neither holds a pointer
// the collector must follow, so the kept lists cost the collector nothing
// to mark however many replies they hold, and weigh about a third of the
// replies as read (a Reply holds two strings and two times).
type keptReplies struct {
	changes int64
	at      int64 // when read, in Unix nanoseconds
	text    string
	list    []keptReply // by id
}

type keptReply struct {
	id, authorID     int64
	created, updated int64 // Unix nanoseconds
	version          int32
	body, name       span
	official, hidden bool
}

// span is a part of keptReplies.text.
type span struct{ from, to uint32 }

// keepReplies packs list, the replies of one topic, as kept.
func keepReplies(changes int64, at time.Time, list []Reply) keptReplies {
	n := 0
	for _, rp := range list {
		n += len(rp.Body) + len(rp.AuthorName)
	}
	var b strings.Builder
	b.Grow(n)
	names := map[string]span{}
	add := func(s string) span {
		from := uint32(b.Len())
		b.WriteString(s)
		return span{from, uint32(b.Len())}
	}
	k := keptReplies{changes: changes, at: at.UnixNano(), list: make([]keptReply, len(list))}
	for i, rp := range list {
		name, ok := names[rp.AuthorName]
		if !ok {
			name = add(rp.AuthorName)
			names[rp.AuthorName] = name
		}
		k.list[i] = keptReply{id: rp.ID, authorID: rp.AuthorID, created: rp.CreatedAt.UnixNano(), updated: rp.UpdatedAt.UnixNano(),
			version: int32(rp.Version), body: add(rp.Body), name: name, official: rp.Official, hidden: rp.Hidden}
	}
	k.text = b.String()
	return k
}

// size is what k weighs in memory, roughly.
func (k keptReplies) size() int {
	return len(k.text) + len(k.list)*int(unsafe.Sizeof(keptReply{})) + 128
}

// reply returns kept reply i of topic topicID; its texts are parts of
// k.text, not copies.
func (k keptReplies) reply(topicID int64, i int) Reply {
	r := k.list[i]
	return Reply{ID: r.id, TopicID: topicID, AuthorID: r.authorID, AuthorName: k.text[r.name.from:r.name.to],
		Body: k.text[r.body.from:r.body.to], Official: r.official, Hidden: r.hidden, Version: int(r.version),
		CreatedAt: time.Unix(0, r.created).UTC(), UpdatedAt: time.Unix(0, r.updated).UTC()}
}

// touch counts a change to topic id or its replies, in the change's
// transaction.
func touch(ctx context.Context, q db.Querier, id int64) error {
	if _, err := q.Exec(ctx, "UPDATE discuss_topics SET changes = changes + 1 WHERE id = ?", id); err != nil {
		return fmt.Errorf("counting a change to topic %d: %w", id, err)
	}
	return nil
}

func (s *Service) keptLists() *lru.Cache[int64, keptReplies] {
	s.keptOnce.Do(func() { s.kept = lru.New[int64, keptReplies](maxRepliesKept) })
	return s.kept
}

// allReplies returns every reply of t, hidden ones too, by id, from the
// kept list when it is current; false when t has too many to keep.
func (s *Service) allReplies(ctx context.Context, t Topic) (keptReplies, bool, error) {
	if t.Replies > maxKeptPerTopic || s.keepNothing {
		return keptReplies{}, false, nil
	}
	kept, now := s.keptLists(), s.Clock.Now()
	if k, ok := kept.Get(t.ID); ok && k.changes == t.Changes && now.UnixNano() >= k.at && now.Sub(time.Unix(0, k.at)) < keptFor {
		return k, true, nil
	}
	// Read after the topic: the list is at least as new as t.Changes says.
	list, err := queryReplies(ctx, s.DB, fmt.Sprintf("WHERE r.topic_id = ? ORDER BY r.id LIMIT %d", maxKeptPerTopic+1), t.ID)
	if err != nil || len(list) > maxKeptPerTopic {
		return keptReplies{}, false, err
	}
	k := keepReplies(t.Changes, now, list)
	kept.Put(t.ID, k, k.size())
	return k, true, nil
}
