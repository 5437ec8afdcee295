package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/engagement"
)

// inputOf returns the value of a score part's input.
func inputOf(t *testing.T, s engagement.DepartmentScore, part, label string) string {
	t.Helper()
	for _, p := range s.Parts {
		for _, in := range p.Inputs {
			if p.Key == part && in.Label == label {
				return in.Value
			}
		}
	}
	t.Fatalf("no input %s of part %s in %+v", label, part, s.Parts)
	return ""
}

// TestNeedsAndOrdersAreEngagement: the front door sends a signal when a
// need is submitted and when it is decided, the catalog when an order is
// placed; the department's score counts them.
func TestNeedsAndOrdersAreEngagement(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin := mustPrincipal(t, e, "admin@example.com")
		requester := mustPrincipal(t, e, "requester@example.com")
		before, err := e.Engagement.Score(ctx, admin, requester.DepartmentID)
		if err != nil {
			t.Fatal(err)
		}
		var orders int
		if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM engagement_signals WHERE kind = 'ordered'").Scan(&orders); err != nil {
			t.Fatal(err)
		}
		n := askAs(t, e, "requester@example.com", "Sample register")
		n = move(t, e, "requester@example.com", n, "submit")
		move(t, e, "brm@example.com", n, "reject_triage")
		after, err := e.Engagement.Score(ctx, admin, requester.DepartmentID)
		if err != nil {
			t.Fatal(err)
		}
		for _, label := range []string{"Needs submitted", "Needs decided"} {
			b, a := inputOf(t, before, "front_door", label), inputOf(t, after, "front_door", label)
			if a == b {
				t.Errorf("%s stayed %s", label, a)
			}
		}
		if orders == 0 {
			t.Errorf("the demo's orders sent no signal")
		}
	})
}

// TestEngagementPagesAndAPI: IT reads the figures, coverage and scores as
// pages, CSV and through the API; a requester reads none of them.
func TestEngagementPagesAndAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := e.SignIn(t, "admin@example.com")
		dept := mustPrincipal(t, e, "requester@example.com").DepartmentID
		for path, want := range map[string]string{
			"/engagement":          `id="communities"`,
			"/engagement/coverage": `id="dark"`,
			"/engagement/brm":      `id="scores"`,
			fmt.Sprintf("/engagement/departments/%d", dept): `id="parts"`,
			"/engagement/communities.csv":                   "community,name,kind,members",
			"/engagement/coverage.csv":                      "group,id,name,people",
		} {
			res, page := admin.Get(path)
			if res.StatusCode != http.StatusOK || !strings.Contains(page, want) {
				t.Errorf("%s as admin: %d, want %q in\n%.400s", path, res.StatusCode, want, page)
			}
		}
		requester := e.SignIn(t, "requester@example.com")
		for _, path := range []string{"/engagement", "/engagement/coverage", "/engagement/brm", fmt.Sprintf("/engagement/departments/%d", dept)} {
			if res, _ := requester.Get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as a requester: %d, want 403", path, res.StatusCode)
			}
		}
		token := e.Token(t, "admin@example.com")
		for _, path := range []string{"/api/v1/engagement/communities", "/api/v1/engagement/coverage", "/api/v1/engagement/departments",
			fmt.Sprintf("/api/v1/engagement/departments/%d", dept)} {
			req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.NewDecoder(res.Body).Decode(&v); err != nil || res.StatusCode != http.StatusOK {
				t.Errorf("%s: %d, %v", path, res.StatusCode, err)
			}
			res.Body.Close()
		}
	})
}

// TestDemoEngagement: the demo's signals give every department a score
// with its front-door use, and at least one dark population.
func TestDemoEngagement(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin := mustPrincipal(t, e, "admin@example.com")
		c, err := e.Engagement.Coverage(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Dark) == 0 || c.Total.People == 0 {
			t.Errorf("coverage %+v: no dark population", c)
		}
		scores, err := e.Engagement.Scores(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range scores {
			if !s.HasScore || inputOf(t, s, "front_door", "Needs submitted") == "0" || inputOf(t, s, "adoption", "Seats") == "0" {
				t.Errorf("%s: %+v", s.Name, s)
			}
		}
	})
}

// TestDiscussionsAreMeasured: a topic and an official answer reach the
// community's figures at once; the page lists the topic to IT and the
// people only to moderators.
func TestDiscussionsAreMeasured(t *testing.T) {
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
		topic, err := e.Discussions.CreateTopic(ctx, requester, discuss.TopicInput{CommunityID: c.ID, Title: "Printer in lab 3", Body: "It jams."})
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(3 * time.Hour)
		if _, err := e.Discussions.Reply(ctx, admin, topic.ID, discuss.ReplyInput{Body: "Fixed the tray.", Official: true}); err != nil {
			t.Fatal(err)
		}
		d, err := e.Engagement.Community(ctx, admin, "pilots")
		if err != nil {
			t.Fatal(err)
		}
		if d.Members != 1 || d.ActiveMembers != 1 || !d.Active || d.Questions != 1 || d.Answered != 1 || d.Median() != 3*time.Hour || len(d.Topics) != 1 {
			t.Errorf("figures %+v", d.CommunityMetrics)
		}
		_, page := e.SignIn(t, "admin@example.com").Get("/engagement/communities/pilots")
		if !strings.Contains(page, `id="topics"`) || !strings.Contains(page, `id="active"`) || !strings.Contains(page, "3 h") {
			t.Errorf("the admin's page:\n%s", page)
		}
		if res, _ := e.SignIn(t, "requester@example.com").Get("/engagement/communities/pilots"); res.StatusCode != http.StatusForbidden {
			t.Errorf("a member reads the figures: %d", res.StatusCode)
		}
	})
}
