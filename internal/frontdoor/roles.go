package frontdoor

import "github.com/engagehq/engage/internal/access"

// HasWorkQueue reports whether a person works on needs, and so has a
// queue of what waits for them: business relationship managers, the
// portfolio board, the reviewers and administrators.
func HasWorkQueue(p *access.Principal) bool {
	return p.HasAny(access.BRM, access.PortfolioBoard, access.ReviewerArchitecture, access.ReviewerSecurity, access.ReviewerFinance, access.Admin)
}
