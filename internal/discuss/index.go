package discuss

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/search"
)

// The topic index holds every visible topic's words in memory, with the
// same analysis as the catalog's search (typos, word forms, prefixes).
// Each change of a topic that search sees (posted, edited, hidden, shown,
// moved) takes a new value of the "topic-search" sequence in its
// transaction; the counter row stays locked until commit, so values are
// handed out in commit order. Before each search a replica reads the
// topics with a higher value than it has seen — one indexed query that
// usually returns nothing — so a topic is found as soon as it is posted,
// on every replica, and no replica rebuilds the index after its first load.
// Hidden topics are not in the index. Searches that arrive while a read of
// the changes is under way wait for it and for one more read at most: a
// read begun after a search arrived sees every change committed before it,
// so one read serves every search waiting for it instead of one read each.
//
// A search that finds something does not wait for that read: it searches
// the index as it is and reads its hits with the highest value of the
// sequence among the topics (one indexed column of the same query). When
// that value is no higher than the index had read before the search, the
// index held every change committed before the hits were read, and the
// answer stands; otherwise the changes are read and the search made again.
// A search that finds nothing reads the changes first, as before.

func nextSeq(ctx context.Context, tx db.Querier) (int64, error) {
	return db.NextNumber(ctx, tx, "topic-search", 0)
}

type topicIndex struct {
	mu     sync.Mutex // held while reading changes
	search *search.Index
	seen   int64
	// loaded is the index once its first read of changes is done, and
	// applied the highest value of the sequence the index holds every
	// change up to: both read without mu.
	loaded  atomic.Pointer[search.Index]
	applied atomic.Int64
	// arrived counts the searches that asked for the index; read is the
	// count when the last read of changes began: every search up to it
	// is served by that read.
	arrived atomic.Int64
	read    int64
}

// changed is called after a write committed; the next search reads it.
func (s *Service) changed() {}

// current brings the index up to date and returns it.
func (s *Service) current(ctx context.Context) (*search.Index, error) {
	ix := &s.index
	me := ix.arrived.Add(1)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.search == nil {
		ix.search = search.New()
	}
	if ix.read >= me {
		return ix.search, nil // a read begun after this search arrived
	}
	began := ix.arrived.Load()
	rows, err := s.DB.Query(ctx, `SELECT id, community_id, kind, title, body, hidden, search_seq FROM discuss_topics
		WHERE search_seq > ? ORDER BY search_seq`, ix.seen)
	if err != nil {
		return nil, fmt.Errorf("reading topics for search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, communityID, seq int64
		var kind, title, body string
		var hidden bool
		if err := rows.Scan(&id, &communityID, &kind, &title, &body, &hidden, &seq); err != nil {
			return nil, fmt.Errorf("reading topics for search: %w", err)
		}
		key := strconv.FormatInt(id, 10)
		if hidden {
			ix.search.Delete(key)
		} else {
			ix.search.Put(search.Doc{ID: key, Kind: "topic", Tags: []string{communityTag(communityID), "kind:" + kind},
				Fields: []search.Field{{Name: "title", Text: title, Boost: 3}, {Name: "body", Text: body, Boost: 1}}})
		}
		ix.seen = max(ix.seen, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading topics for search: %w", err)
	}
	ix.read = began
	ix.applied.Store(ix.seen)
	ix.loaded.Store(ix.search)
	return ix.search, nil
}

func communityTag(id int64) string { return "community:" + strconv.FormatInt(id, 10) }

// LoadIndex builds the topic index, so that the first search does not wait
// for it.
func (s *Service) LoadIndex(ctx context.Context) error {
	_, err := s.current(ctx)
	return err
}

// SearchFilter narrows a search.
type SearchFilter struct {
	// CommunityID keeps one community's topics; 0 searches every
	// community p reads.
	CommunityID int64
	Kind        Kind
	Limit       int
}

// SearchTopics finds the topics p may read that match text, best first.
// The index is searched first among every community's topics, and the
// hits read with whether p reads their communities (topicsByID): one query
// when p reads them all. When some are in communities p does not read and
// there may be more hits, the index is searched again among the topics of
// the communities p reads (community.Readable).
func (s *Service) SearchTopics(ctx context.Context, p *access.Principal, text string, f SearchFilter) ([]Topic, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if len([]rune(text)) > 500 {
		return nil, fieldError("q", "Must be 500 characters or fewer.")
	}
	if text == "" {
		return []Topic{}, nil
	}
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	q := search.Query{Text: text, Kinds: []string{"topic"}, Limit: limit, SkipTotal: true}
	if f.CommunityID != 0 {
		q.Require = append(q.Require, communityTag(f.CommunityID))
	}
	if f.Kind != "" {
		q.Require = append(q.Require, "kind:"+string(f.Kind))
	}
	// applied is read before the index is searched: the index holds at
	// least the changes up to it.
	applied, ix := s.index.applied.Load(), s.index.loaded.Load()
	var ids []int64
	if ix != nil {
		ids = hitIDs(ix.Search(q))
	}
	if len(ids) == 0 {
		var err error
		if ix, err = s.current(ctx); err != nil {
			return nil, err
		}
		applied, ids = math.MaxInt64, hitIDs(ix.Search(q))
	}
	out, unread, latest, err := s.topicsByID(ctx, p, ids)
	if err == nil && latest > applied {
		// Topics changed since the index last read them.
		if ix, err = s.current(ctx); err != nil {
			return nil, err
		}
		ids = hitIDs(ix.Search(q))
		out, unread, _, err = s.topicsByID(ctx, p, ids)
	}
	if err != nil || !unread || len(ids) < limit {
		return out, err
	}
	readable, err := s.Communities.Readable(ctx, p)
	if err != nil {
		return nil, err
	}
	var tags []string
	for _, id := range readable {
		if f.CommunityID == 0 || f.CommunityID == id {
			tags = append(tags, communityTag(id))
		}
	}
	if len(tags) == 0 {
		return []Topic{}, nil
	}
	q.AnyOf = [][]string{tags}
	out, _, _, err = s.topicsByID(ctx, p, hitIDs(ix.Search(q)))
	return out, err
}

// hitIDs returns the topics' ids of a search's hits, in their order.
func hitIDs(res search.Result) []int64 {
	ids := make([]int64, 0, len(res.Hits))
	for _, h := range res.Hits {
		if id, err := strconv.ParseInt(h.ID, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}
