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

// TestTopicsBehindFiguresFollowRenamesAndMoves: a topic renamed by its
// author is listed behind the figures under its new title; moved by a
// moderator, it is behind the figures of the community it went to, and no
// longer behind those of the one it left.
func TestTopicsBehindFiguresFollowRenamesAndMoves(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin, requester := mustPrincipal(t, e, "admin@example.com"), mustPrincipal(t, e, "requester@example.com")
		var ids []int64
		for _, slug := range []string{"pilots", "pilots-two"} {
			c, err := e.Communities.Create(ctx, admin, community.Input{Slug: slug, Name: "Community " + slug, Kind: community.KindProduct})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Communities.Join(ctx, requester, c.ID); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		tp, err := e.Discussions.CreateTopic(ctx, requester, discuss.TopicInput{CommunityID: ids[0], Kind: discuss.Question,
			Title: "VPN drops at noon", Body: "Every day."})
		if err != nil {
			t.Fatal(err)
		}
		behind := func(slug string) []string {
			t.Helper()
			d, err := e.Engagement.Community(ctx, admin, slug)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, x := range d.Topics {
				out = append(out, x.Title)
			}
			return out
		}
		if _, err := e.Discussions.EditTopic(ctx, requester, tp.ID, discuss.Edit{Title: "VPN drops at noon and at five", Body: "Every day.", Version: tp.Version}); err != nil {
			t.Fatal(err)
		}
		if got := behind("pilots"); len(got) != 1 || got[0] != "VPN drops at noon and at five" {
			t.Errorf("after the rename: %q", got)
		}
		if _, err := e.Discussions.Move(ctx, admin, tp.ID, ids[1]); err != nil {
			t.Fatal(err)
		}
		if got := behind("pilots"); len(got) != 0 {
			t.Errorf("the community it left still lists %q", got)
		}
		if got := behind("pilots-two"); len(got) != 1 || got[0] != "VPN drops at noon and at five" {
			t.Errorf("the community it went to lists %q", got)
		}
		_, page := e.SignIn(t, "admin@example.com").Get("/engagement/communities/pilots-two")
		if link := fmt.Sprintf(`href="/communities/pilots-two/topics/%d"`, tp.ID); !strings.Contains(page, link) || !strings.Contains(page, "VPN drops at noon and at five") {
			t.Errorf("the page neither names nor links the moved topic (%s)", link)
		}
	})
}
