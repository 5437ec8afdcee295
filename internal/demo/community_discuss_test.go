package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/discuss"
)

// TestDemoDiscussions: the demo communities hold a year of topics played at
// their own moments: questions answered officially by IT (within hours,
// late, or never), accepted solutions, discussions and ideas.
func TestDemoDiscussions(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin := principal(t, e, "admin@example.com")
		now := e.Clock.Now()
		kinds := map[discuss.Kind]int{}
		var answered, late, never, solved, topics int
		oldest := now
		for _, slug := range []string{"iphone", "chrome-os", "outlook", "collaboration", "client-computing", "science"} {
			c, err := e.Communities.FindBySlug(ctx, admin, slug)
			if err != nil {
				t.Fatalf("community %s: %v", slug, err)
			}
			list, _, err := e.Discussions.ListTopics(ctx, admin, c.ID, discuss.TopicFilter{Limit: 500})
			if err != nil || len(list) < 3 {
				t.Fatalf("%s has %d topics (%v)", slug, len(list), err)
			}
			for _, tp := range list {
				topics++
				kinds[tp.Kind]++
				if tp.CreatedAt.After(now) || tp.LastPostAt.After(now) {
					t.Fatalf("topic %q is in the future", tp.Title)
				}
				if tp.CreatedAt.Before(oldest) {
					oldest = tp.CreatedAt
				}
				switch {
				case tp.Kind != discuss.Question:
				case tp.ITAnsweredAt == nil:
					never++
				case tp.ITAnsweredAt.Sub(tp.CreatedAt) > 48*time.Hour:
					late++
					answered++
				default:
					answered++
				}
				if tp.Solved() {
					solved++
				}
			}
		}
		if now.Sub(oldest) < 300*24*time.Hour || kinds[discuss.Idea] < 5 || kinds[discuss.Discussion] < 3 || answered < 10 || late < 3 || never < 3 || solved < 8 {
			t.Fatalf("%d topics since %s: kinds %v, answered %d (late %d), never %d, solved %d", topics, oldest, kinds, answered, late, never, solved)
		}
	})
}
