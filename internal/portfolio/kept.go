package portfolio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/lru"
)

// The board's ranking of hundreds of needs took tens of milliseconds of
// reading and computing; it is kept, and computed again only when
// something it is made of has moved. Each request checks, in three small
// queries, everything it depends on:
//   - the needs in decision the reader may read, each with its version
//     (moved by any change of the need, its reviews or its options), its
//     department's name and its processes (frontdoor.DecisionStamp);
//   - the register's generation (the processes' criticality and external
//     customers);
//   - the portfolio's own generation, moved by every change of an
//     objective or of the weights;
//   - and the day, from which urgency is counted.
// Two readers who may read the same needs share a kept ranking.

// generationKey keeps, in settings, the counter moved by every write the
// ranking reads: objectives and weights.
const generationKey = "portfolio_generation"

// rankingKey is everything a ranking depends on.
type rankingKey struct {
	needs     string // frontdoor.DecisionStamp
	register  int64
	portfolio int64
	today     time.Time
}

// keptRankingBytes bounds the rankings kept; one of 500 needs is about a
// megabyte.
const keptRankingBytes = 8 << 20

type rankings struct {
	once sync.Once
	kept *lru.Cache[rankingKey, Ranking]
}

func (r *rankings) cache() *lru.Cache[rankingKey, Ranking] {
	r.once.Do(func() { r.kept = lru.New[rankingKey, Ranking](keptRankingBytes) })
	return r.kept
}

func (s *Service) today() time.Time {
	y, m, d := s.Clock.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// rankingKey reads what the ranking p sees depends on.
func (s *Service) rankingKey(ctx context.Context, p *access.Principal) (rankingKey, error) {
	k := rankingKey{today: s.today()}
	var err error
	if k.needs, err = s.Needs.DecisionStamp(ctx, p); err != nil {
		return k, err
	}
	if k.register, err = s.Processes.Generation(ctx); err != nil {
		return k, err
	}
	k.portfolio, err = db.Generation(ctx, s.DB, generationKey)
	return k, err
}

// String names the state a ranking was computed at, for what is drawn of
// it once.
func (k rankingKey) String() string {
	sum := sha256.Sum256([]byte(k.needs))
	return strconv.FormatInt(k.register, 10) + "/" + strconv.FormatInt(k.portfolio, 10) + "/" + k.today.Format(time.DateOnly) + "/" +
		hex.EncodeToString(sum[:12])
}

// keptRanking returns the ranking p sees, computing it only when what it
// depends on has moved since it was kept.
func (s *Service) keptRanking(ctx context.Context, p *access.Principal) (Ranking, error) {
	key, err := s.rankingKey(ctx, p)
	if err != nil {
		return Ranking{}, err
	}
	if r, ok := s.rankings.cache().Get(key); ok {
		return r, nil
	}
	w, err := readWeights(ctx, s.DB)
	if err != nil {
		return Ranking{}, err
	}
	r, err := s.rankWith(ctx, p, w, key.today)
	if err != nil {
		return r, err
	}
	r.State = key.String()
	// What is kept weighs about as much as its text.
	size := 256 + len(key.needs)
	for _, n := range r.Needs {
		size += 512 + len(n.Title)
		for _, part := range n.Parts {
			for _, in := range part.Inputs {
				size += len(in) + 16
			}
		}
	}
	// Kept under the key read before computing it: a change meanwhile
	// only makes the next request compute it again.
	s.rankings.cache().Put(key, r, size)
	return r, nil
}
