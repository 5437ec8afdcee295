package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/discuss"
)

// TestIdeasOnTheWebAndTheAPI: a lab member's idea in a closed community
// gets votes from the page and the API (twice: counted once), the lab's
// BRM turns it into a need from the idea's page, the need links back to
// the idea, and the requester submitting it puts the idea under review.
// Someone outside the closed community neither sees nor votes.
func TestIdeasOnTheWebAndTheAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		principal := func(email string) *access.Principal {
			p, err := e.Org.Principal(ctx, person(t, e, email).ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		admin, riley, dana, sam := principal("admin@example.com"), principal("requester@example.com"), principal("budget@example.com"),
			principal("brm@example.com")
		c, err := e.Communities.Create(ctx, admin, community.Input{Slug: "lab-bench", Name: "Lab bench", Kind: community.KindProduct,
			Visibility: community.Closed})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []*access.Principal{riley, dana, sam} {
			if _, err := e.Communities.Join(ctx, p, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.DB.Exec(ctx, "UPDATE community_members SET by_hand = TRUE, requested = FALSE WHERE community_id = ?", c.ID); err != nil {
			t.Fatal(err)
		}
		tp, err := e.Discussions.CreateTopic(ctx, riley, discuss.TopicInput{CommunityID: c.ID, Kind: discuss.Idea,
			Title: "Shared electronic lab notebooks", Body: "Paper notebooks get lost; <script>alert(1)</script> let us share them."})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/communities/%s/topics/%d/idea", c.Slug, tp.ID)

		// Dana votes on the page.
		b := e.SignIn(t, "budget@example.com")
		res, body := b.Get(page)
		if res.StatusCode != http.StatusOK || strings.Contains(body, "<script>alert") || !strings.Contains(body, "Vote for this idea") {
			t.Fatalf("idea page = %d", res.StatusCode)
		}
		res, _ = b.Submit(page, page+"/vote", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("vote = %d", res.StatusCode)
		}
		if _, body = b.Get(page); !strings.Contains(body, "1 vote") || !strings.Contains(body, "Withdraw my vote") {
			t.Fatal("the page does not show Dana's vote")
		}
		// Riley votes twice through the API: counted once.
		api := clientOf(t, e, "requester@example.com")
		for range 2 {
			if status, out := api.json(http.MethodPost, fmt.Sprintf("/ideas/%d/vote", tp.ID), ""); status != http.StatusOK || out["votes"] != 2.0 {
				t.Fatalf("API vote = %d %v", status, out)
			}
		}
		if status, out := api.json(http.MethodGet, fmt.Sprintf("/communities/%d/ideas", c.ID), ""); status != http.StatusOK ||
			len(out["items"].([]any)) != 1 {
			t.Fatalf("API list = %d %v", status, out)
		}
		// A stranger to the closed community: not found, not listed, no vote.
		stranger := clientOf(t, e, "finance@example.com")
		if status, _ := stranger.json(http.MethodPost, fmt.Sprintf("/ideas/%d/vote", tp.ID), ""); status != http.StatusNotFound {
			t.Fatalf("stranger's vote = %d", status)
		}
		if status, _ := stranger.json(http.MethodGet, fmt.Sprintf("/communities/%d/ideas", c.ID), ""); status != http.StatusForbidden {
			t.Fatalf("stranger's list = %d", status)
		}
		if res, _ := e.SignIn(t, "finance@example.com").Get(page); res.StatusCode != http.StatusNotFound {
			t.Fatalf("stranger's page = %d", res.StatusCode)
		}
		// The status cannot be set by a member; declined needs its reason.
		if status, _ := api.json(http.MethodPost, fmt.Sprintf("/ideas/%d/status", tp.ID), `{"status":"planned"}`); status != http.StatusForbidden {
			t.Fatalf("member sets the status = %d", status)
		}
		mod := clientOf(t, e, "moderator@example.com")
		if status, out := mod.json(http.MethodPost, fmt.Sprintf("/ideas/%d/status", tp.ID), `{"status":"declined"}`); status != http.StatusUnprocessableEntity ||
			!strings.Contains(fmt.Sprint(locations(out)), "body.reason") {
			t.Fatalf("declined without a reason = %d %v", status, out)
		}

		// The lab's BRM, a member, turns it into a need from the page.
		brm := e.SignIn(t, "brm@example.com")
		res, _ = brm.Submit(page, page+"/need", url.Values{"users": {"25"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("convert = %d", res.StatusCode)
		}
		_, body = brm.Get(page)
		if !strings.Contains(body, "Became need") || !strings.Contains(body, "Under review") {
			t.Fatalf("the idea does not show its need:\n%s", body)
		}
		status, out := api.json(http.MethodGet, fmt.Sprintf("/ideas/%d", tp.ID), "")
		need, _ := out["idea"].(map[string]any)["need"].(map[string]any)
		if status != http.StatusOK || need == nil || need["state"] != "draft" {
			t.Fatalf("API idea = %d %v", status, out)
		}
		ref := need["reference"].(string)
		// Again: the same need.
		if status, out := clientOf(t, e, "brm@example.com").json(http.MethodPost, fmt.Sprintf("/ideas/%d/need", tp.ID), `{}`); status != http.StatusOK ||
			out["need"].(map[string]any)["reference"] != ref {
			t.Fatalf("convert again = %d %v", status, out)
		}
		// Riley reads the draft, sees where it comes from, and submits it.
		rb := e.SignIn(t, "requester@example.com")
		if _, body := rb.Get("/needs/" + ref); !strings.Contains(body, fmt.Sprintf(`href="/ideas/%d"`, tp.ID)) {
			t.Fatal("the need does not link to its idea")
		}
		if res, _ := rb.Get(fmt.Sprintf("/ideas/%d", tp.ID)); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
			t.Fatalf("/ideas/{id} = %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		if status, out := api.json(http.MethodPost, "/needs/"+ref+"/actions/submit", `{"version":1}`); status != http.StatusOK {
			t.Fatalf("submit = %d %v", status, out)
		}
		_, out = api.json(http.MethodGet, fmt.Sprintf("/ideas/%d", tp.ID), "")
		if got := out["idea"].(map[string]any); got["status"] != "under_review" || got["need"].(map[string]any)["state"] != "submitted" {
			t.Fatalf("after submission = %v", got)
		}
		// The ideas list of the community shows it with its need.
		if _, body := b.Get("/communities/" + c.Slug + "/ideas"); !strings.Contains(body, ref) || !strings.Contains(body, "Shared electronic lab notebooks") {
			t.Fatal("the list does not show the idea and its need")
		}
	})
}

// TestVotesFollowPosting: in an open community, a signed-in person who is
// not a member reads an idea but neither the page nor the API lets them
// vote (the API says to join first); once they join, both do.
func TestVotesFollowPosting(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin, riley := mustPrincipal(t, e, "admin@example.com"), mustPrincipal(t, e, "requester@example.com")
		c, err := e.Communities.Create(ctx, admin, community.Input{Slug: "garage", Name: "Garage", Kind: community.KindProduct})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Communities.Join(ctx, riley, c.ID); err != nil {
			t.Fatal(err)
		}
		tp, err := e.Discussions.CreateTopic(ctx, riley, discuss.TopicInput{CommunityID: c.ID, Kind: discuss.Idea, Title: "Charging bays", Body: "For the fleet."})
		if err != nil {
			t.Fatal(err)
		}
		page, list := fmt.Sprintf("/communities/garage/topics/%d/idea", tp.ID), "/communities/garage/ideas"
		b, api := e.SignIn(t, "finance@example.com"), clientOf(t, e, "finance@example.com")
		for _, path := range []string{page, list} {
			res, body := b.Get(path)
			if res.StatusCode != http.StatusOK || strings.Contains(body, page+"/vote") || !strings.Contains(body, `id="vote-rule"`) {
				t.Fatalf("%s offers a non-member the vote (%d)", path, res.StatusCode)
			}
		}
		status, out := api.json(http.MethodPost, fmt.Sprintf("/ideas/%d/vote", tp.ID), "")
		if detail, _ := out["detail"].(string); status != http.StatusForbidden || !strings.Contains(detail, "Join the community") {
			t.Fatalf("a non-member's API vote = %d %v", status, out)
		}
		if _, err := e.Communities.Join(ctx, mustPrincipal(t, e, "finance@example.com"), c.ID); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{page, list} {
			if _, body := b.Get(path); !strings.Contains(body, page+"/vote") {
				t.Fatalf("%s offers a member no vote", path)
			}
		}
		if status, out := api.json(http.MethodPost, fmt.Sprintf("/ideas/%d/vote", tp.ID), ""); status != http.StatusOK || out["votes"] != 1.0 {
			t.Fatalf("a member's API vote = %d %v", status, out)
		}
	})
}
