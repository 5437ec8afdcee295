package web

import (
	"context"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/web/frontdoorpages"
)

// othersAsked gives the front door the community topics that resemble a
// new need's words, so that the front door does not depend on discussions.
func (s *Server) othersAsked(ctx context.Context, p *access.Principal, text string) ([]frontdoorpages.AskedTopic, error) {
	if s.Discussions == nil {
		return nil, nil
	}
	found, err := s.Discussions.Similar(ctx, p, text, 5)
	if err != nil {
		return nil, err
	}
	out := make([]frontdoorpages.AskedTopic, len(found))
	for i, m := range found {
		out[i] = frontdoorpages.AskedTopic{Title: m.Title, Path: m.Path, Community: m.CommunityName, Kind: string(m.Kind),
			Replies: m.Replies, Answered: m.Answered(), Solved: m.Solved()}
	}
	return out, nil
}
