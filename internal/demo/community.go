package demo

import (
	"context"

	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/product"
)

// communitySteps load the demo's communities and a year of their life, in
// order: each part of the communities area adds its step here.
var communitySteps = []func(ctx context.Context, d *db.DB, s product.Services) error{
	loadCoreCommunities, // first: the communities, their staff, rules and members
	loadDiscussions,     // topics, replies, IT answers and ideas of a year
	loadIdeas,           // after the discussions: votes, statuses, ideas turned into needs
	loadPulses,          // to the communities' members as the steps before left them
	loadDarkSite,        // after the pulses: a site nobody reached (community_engage.go)
}

// loadCommunities runs the community steps after the organisation, the
// catalog, the needs and billing are in place.
func loadCommunities(ctx context.Context, d *db.DB, s product.Services) error {
	for _, step := range communitySteps {
		if err := step(ctx, d, s); err != nil {
			return err
		}
	}
	return nil
}
