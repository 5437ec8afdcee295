package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/demo"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/idea"
)

// TestDemoIdeas: given communities without ideas, the ideas' demo step
// proposes some, gives them votes, sets statuses of every kind, and turns
// two into needs — one decided (planned), one delivered (done).
func TestDemoIdeas(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin := access.System("test")
		var ids []int64
		for _, in := range []community.Input{
			{Slug: "lab-tools", Name: "Lab tools", Kind: community.KindProduct},
			{Slug: "outlook", Name: "Outlook", Kind: community.KindProduct},
		} {
			c, err := e.Communities.Create(ctx, admin, in)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		start := time.Now()
		if err := demo.LoadIdeas(ctx, e.DB, e.Services); err != nil {
			t.Fatal(err)
		}
		t.Logf("the ideas' demo step took %s", time.Since(start).Round(time.Millisecond))
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
