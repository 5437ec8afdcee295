package frontdoor_test

import (
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/frontdoor"
)

// TestHasWorkQueue: the roles that act on needs have a queue; a requester,
// finance or a budget holder alone does not.
func TestHasWorkQueue(t *testing.T) {
	for _, r := range []access.Role{access.BRM, access.PortfolioBoard, access.ReviewerArchitecture, access.ReviewerSecurity, access.ReviewerFinance, access.Admin} {
		if !frontdoor.HasWorkQueue(&access.Principal{Roles: []access.Role{access.Requester, r}}) {
			t.Errorf("%s has no work queue", r)
		}
	}
	if frontdoor.HasWorkQueue(&access.Principal{Roles: []access.Role{access.Requester, access.Finance}}) {
		t.Error("a requester in finance has a work queue")
	}
}
