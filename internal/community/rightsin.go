package community

import (
	"context"

	"github.com/engagehq/engage/internal/access"
)

// RightsIn says what p may do in c, a community the caller has just read
// for p (FindBySlug, FindBrief): Rights without reading it again.
func (s *Service) RightsIn(ctx context.Context, p *access.Principal, c Community) (Rights, error) {
	if err := requireReader(p); err != nil {
		return Rights{}, err
	}
	return s.rightsIn(ctx, s.DB, p, c)
}
