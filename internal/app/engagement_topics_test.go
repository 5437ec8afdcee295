package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/discuss"
)

// TestTopicsBehindFiguresAreNamedAndLinked: the topics behind a community's
// figures show their titles (page and CSV) and link to the topic; an idea
// nobody has voted on yet is an idea from the start, so it is neither
// counted as a question nor late for want of an IT answer.
func TestTopicsBehindFiguresAreNamedAndLinked(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin, requester := mustPrincipal(t, e, "admin@example.com"), mustPrincipal(t, e, "requester@example.com")
		c, err := e.Communities.Create(ctx, admin, community.Input{Slug: "pilots", Name: "Pilots", Kind: community.KindProduct})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Communities.Join(ctx, requester, c.ID); err != nil {
			t.Fatal(err)
		}
		idea, err := e.Discussions.CreateTopic(ctx, requester, discuss.TopicInput{CommunityID: c.ID, Kind: discuss.Idea,
			Title: "Dark mode for the intranet", Body: "Easier on the eyes."})
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(7 * 24 * time.Hour)
		d, err := e.Engagement.Community(ctx, admin, "pilots")
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Topics) != 1 {
			t.Fatalf("topics %+v", d.Topics)
		}
		if got := d.Topics[0]; got.Title != idea.Title || !got.Idea || got.Late {
			t.Errorf("the idea behind the figures: %+v", got)
		}
		if d.Questions != 0 || d.Late != 0 {
			t.Errorf("an idea counted as a question: questions %d, late %d", d.Questions, d.Late)
		}
		admin2 := e.SignIn(t, "admin@example.com")
		_, page := admin2.Get("/engagement/communities/pilots")
		link := fmt.Sprintf(`href="/communities/pilots/topics/%d"`, idea.ID)
		if !strings.Contains(page, idea.Title) || !strings.Contains(page, link) {
			t.Errorf("the page neither names nor links the topic (%s):\n%s", link, page)
		}
		if _, csv := admin2.Get("/engagement/communities/pilots/topics.csv"); !strings.Contains(csv, ","+idea.Title+",") || !strings.Contains(csv, ",true,") {
			t.Errorf("the CSV:\n%s", csv)
		}
	})
}

// TestTopicTitlesAreFilledIn: topics measured before their first signal
// carried a title and a kind get them from migration 49.
func TestTopicTitlesAreFilledIn(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		if err := e.DB.MigrateTo(ctx, 48); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.Exec(ctx, "UPDATE engagement_topics SET title = '', idea = FALSE"); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.MigrateTo(ctx, 49); err != nil {
			t.Fatal(err)
		}
		var untitled, ideas, want int
		if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM engagement_topics WHERE title = ''").Scan(&untitled); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM engagement_topics WHERE idea").Scan(&ideas); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM discuss_topics WHERE kind = 'idea'").Scan(&want); err != nil {
			t.Fatal(err)
		}
		if untitled != 0 || want == 0 || ideas != want {
			t.Errorf("after migration 49: %d topics without a title, %d ideas of %d", untitled, ideas, want)
		}
	})
}
