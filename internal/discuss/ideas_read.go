package discuss

import (
	"context"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// Reads for package idea, which keeps the votes and status of the topics
// of kind idea.

// IdeaIDs returns the ids of the community's ideas that p may read (hidden
// ones only to its moderators and their author), newest first.
func (s *Service) IdeaIDs(ctx context.Context, p *access.Principal, communityID int64) ([]int64, error) {
	if err := requireReader(p); err != nil {
		return nil, err
	}
	r, err := s.Communities.Rights(ctx, p, communityID)
	if err != nil {
		return nil, err
	}
	if !r.Read {
		return nil, engage.Errorf(engage.EFORBIDDEN, "Only members of this closed community read its topics; ask to join first.")
	}
	return db.QueryIDs(ctx, s.DB, `SELECT t.id FROM discuss_topics t WHERE t.community_id = ? AND t.kind = 'idea'
		AND (NOT t.hidden OR ? OR t.author_id = ?) ORDER BY t.id DESC`, communityID, r.Moderate, p.PersonID)
}

// ReadTopic returns topic id as it is in q. It checks no access: the
// caller does (it tells people who may read the topic).
func (s *Service) ReadTopic(ctx context.Context, q db.Querier, id int64) (Topic, error) {
	return findTopic(ctx, q, id)
}

// MayRead reports whether person personID may read topic t now.
func (s *Service) MayRead(ctx context.Context, personID int64, t Topic) (bool, error) {
	return s.mayRead(ctx, personID, t)
}
