package demo_test

import (
	"context"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/idea"
)

// TestDemoIdeas: in the demo's communities, the ideas' demo step
// proposed ideas, gave them votes, set statuses of every kind, and turned
// two into needs — one decided (planned), one delivered (done).
func TestDemoIdeas(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin := access.System("test")
		communities, err := e.Communities.List(ctx, admin)
		if err != nil || len(communities) == 0 {
			t.Fatalf("the demo's communities: %d %v", len(communities), err)
		}
		var ids []int64
		for _, c := range communities {
			ids = append(ids, c.ID)
		}
		statuses := map[idea.Status]int{}
		var needs []frontdoor.State
		votes := 0
		for _, id := range ids {
			list, _, err := e.Ideas.List(ctx, admin, id, idea.ListFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range list {
				statuses[it.Status]++
				votes += it.Votes
				if it.Need != nil {
					needs = append(needs, it.Need.State)
				}
			}
		}
		for _, st := range idea.Statuses {
			if statuses[st] == 0 {
				t.Errorf("no idea is %s: %v", st, statuses)
			}
		}
		if len(needs) != 2 || needs[0] == needs[1] || votes < 20 {
			t.Errorf("needs = %v, votes = %d", needs, votes)
		}
		for _, st := range needs {
			if st != frontdoor.Approved && st != frontdoor.Delivered {
				t.Errorf("a need of an idea is %s", st)
			}
		}
	})
}
