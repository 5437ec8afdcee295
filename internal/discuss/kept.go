package discuss

import (
	"context"
	"fmt"
	"time"

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

type keptReplies struct {
	changes int64
	at      time.Time
	list    []Reply // by id
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
func (s *Service) allReplies(ctx context.Context, t Topic) ([]Reply, bool, error) {
	if t.Replies > maxKeptPerTopic {
		return nil, false, nil
	}
	kept, now := s.keptLists(), s.Clock.Now()
	if k, ok := kept.Get(t.ID); ok && k.changes == t.Changes && !now.Before(k.at) && now.Sub(k.at) < keptFor {
		return k.list, true, nil
	}
	// Read after the topic: the list is at least as new as t.Changes says.
	list, err := queryReplies(ctx, s.DB, fmt.Sprintf("WHERE r.topic_id = ? ORDER BY r.id LIMIT %d", maxKeptPerTopic+1), t.ID)
	if err != nil || len(list) > maxKeptPerTopic {
		return nil, false, err
	}
	size := 64
	for _, rp := range list {
		size += len(rp.Body) + len(rp.AuthorName) + 160
	}
	kept.Put(t.ID, keptReplies{changes: t.Changes, at: now, list: list}, size)
	return list, true, nil
}
