package app_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/discuss"
)

// discussWorld makes an open and a closed community (or finds them when
// the demo has them) and makes the demo requester a member of the open one.
func discussWorld(t *testing.T, e *apptest.Engage) (open, closed community.Community) {
	t.Helper()
	ctx := context.Background()
	admin := principalOf(t, e, "admin@example.com")
	var err error
	if open, err = e.Communities.Create(ctx, admin, community.Input{Slug: "pixel-test", Name: "Pixel phones", Kind: community.KindProduct}); err != nil {
		t.Fatal(err)
	}
	if closed, err = e.Communities.Create(ctx, admin, community.Input{Slug: "board-room", Name: "Board room", Kind: community.KindProduct,
		Visibility: community.Closed}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Communities.Join(ctx, principalOf(t, e, "requester@example.com"), open.ID); err != nil {
		t.Fatal(err)
	}
	return open, closed
}

// TestDiscussionPages: a member starts a topic from the community's home
// (sent twice, it is posted once), replies; script and HTML in Markdown
// are inert; an oversized title is refused naming the field and the
// limit; the topic is found by search; a closed community's topics and
// feed stay with its readers; the feed is Atom.
func TestDiscussionPages(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		open, closed := discussWorld(t, e)
		riley := e.SignIn(t, "requester@example.com")
		home := "/communities/" + open.Slug
		_, body := riley.Get(home)
		form, ok := apptest.FormFor(body, home+"/topics")
		if !ok || form.Values().Get("form_key") == "" {
			t.Fatalf("no new-topic form with a form key on %s", home)
		}
		send := form.Values()
		send.Set("title", "Battery drains overnight")
		send.Set("body", "Since the update the battery drains. <script>alert(1)</script> [click](javascript:alert(2))")
		var where [2]string
		for i := range where {
			res, page := riley.Post(home+"/topics", cloneValues(send))
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sending %d = %d: %.300s", i+1, res.StatusCode, page)
			}
			where[i] = res.Header.Get("Location")
		}
		list, _, err := e.Discussions.ListTopics(ctx, principalOf(t, e, "requester@example.com"), open.ID, discuss.TopicFilter{})
		if err != nil || len(list) != 1 || where[0] != where[1] || where[0] != discuss.TopicPath(open, list[0].ID) {
			t.Fatalf("topics after sending twice: %d %v %v", len(list), where, err)
		}
		_, page := riley.Get(where[0])
		if strings.Contains(page, "<script>alert") || strings.Contains(page, "javascript:alert") || !strings.Contains(page, "battery drains") {
			t.Fatalf("markdown not inert: %s", page)
		}
		res, page := riley.Submit(where[0], where[0]+"/replies", url.Values{"body": {"Turning off background refresh helped me."}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply = %d: %.300s", res.StatusCode, page)
		}
		_, page = riley.Get(where[0])
		if !strings.Contains(page, "Turning off background refresh") {
			t.Fatal("the reply is not on the topic's page")
		}
		send.Set("title", strings.Repeat("t", 201))
		send.Set("form_key", "another")
		res, page = riley.Post(home+"/topics", send)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "200 characters") {
			t.Fatalf("oversized title = %d", res.StatusCode)
		}
		_, page = riley.Get("/communities/search?q=batery+drain")
		if !strings.Contains(page, "Battery drains overnight") {
			t.Fatal("search with a typo does not find the topic")
		}

		// Beside a new need in the front door: others asked this.
		res, page = riley.Submit("/needs/new", "/needs", url.Values{"title": {"Phone battery drains"}, "action": {"check"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `href="`+where[0]+`"`) {
			t.Fatalf("the need form does not show the topic others asked (%d)", res.StatusCode)
		}

		admin := principalOf(t, e, "admin@example.com")
		secret, err := e.Discussions.CreateTopic(ctx, admin, discuss.TopicInput{CommunityID: closed.ID, Title: "Budget cuts", Body: "Confidential"})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{discuss.TopicPath(closed, secret.ID), "/communities/" + closed.Slug + "/feed.atom"} {
			if res, _ := riley.Get(path); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden {
				t.Fatalf("a non-member opened %s: %d", path, res.StatusCode)
			}
		}
		if _, page := riley.Get("/communities/search?q=budget"); strings.Contains(page, "Budget cuts") {
			t.Fatal("search shows a closed community's topic to a non-member")
		}
		if res, _ := e.Browser(t).Get(home + "/feed.atom"); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the feed without a session = %d", res.StatusCode)
		}
		res, page = e.SignIn(t, "admin@example.com").Get("/communities/" + closed.Slug + "/feed.atom")
		var feed struct {
			XMLName xml.Name
			Entries []struct {
				Title string `xml:"title"`
				Link  struct {
					Href string `xml:"href,attr"`
				} `xml:"link"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(page), &feed); err != nil || res.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" ||
			feed.XMLName.Space != "http://www.w3.org/2005/Atom" || len(feed.Entries) != 1 || feed.Entries[0].Title != "Budget cuts" ||
			!strings.HasSuffix(feed.Entries[0].Link.Href, discuss.TopicPath(closed, secret.ID)) {
			t.Fatalf("feed: %v %+v %s", err, feed, page)
		}
	})
}

// TestDiscussionAPI: a topic created twice with the same Idempotency-Key
// is created once; replies, the official answer, acceptance, flags and
// the moderation queue work through /api/v1.
func TestDiscussionAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		open, _ := discussWorld(t, e)
		post := func(token, path, key, body string) (int, map[string]any) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/api/v1"+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			var out map[string]any
			_ = json.Unmarshal(raw, &out)
			return res.StatusCode, out
		}
		riley, admin := e.Token(t, "requester@example.com"), e.Token(t, "admin@example.com")
		in := fmt.Sprintf(`{"community_id": %d, "title": "Outlook asks for my password", "body": "Every morning."}`, open.ID)
		status, first := post(riley, "/topics", "k1", in)
		status2, second := post(riley, "/topics", "k1", in)
		if status != http.StatusCreated || status2 != http.StatusCreated || first["id"] != second["id"] {
			t.Fatalf("create twice: %d %v / %d %v", status, first, status2, second)
		}
		id := int64(first["id"].(float64))
		if n, _, _ := e.Discussions.ListTopics(context.Background(), principalOf(t, e, "requester@example.com"), open.ID, discuss.TopicFilter{}); len(n) != 1 {
			t.Fatalf("%d topics", len(n))
		}
		if status, p := post(riley, "/topics", "", fmt.Sprintf(`{"community_id": %d, "title": "", "body": "x"}`, open.ID)); status != http.StatusUnprocessableEntity {
			t.Fatalf("empty title = %d %v", status, p)
		}
		status, reply := post(admin, fmt.Sprintf("/topics/%d/replies", id), "", `{"body": "Reset the credential cache.", "official": true}`)
		if status != http.StatusCreated || reply["official"] != true {
			t.Fatalf("official answer = %d %v", status, reply)
		}
		if status, p := post(riley, fmt.Sprintf("/topics/%d/accept", id), "", fmt.Sprintf(`{"reply_id": %v}`, reply["id"])); status != http.StatusOK || p["accepted_reply_id"] != reply["id"] {
			t.Fatalf("accept = %d %v", status, p)
		}
		if status, p := post(riley, fmt.Sprintf("/topics/%d/flags", id), "", `{"reason": "Duplicate"}`); status != http.StatusNoContent {
			t.Fatalf("flag = %d %v", status, p)
		}
		c := clientOf(t, e, "admin@example.com")
		if status, p := c.json(http.MethodGet, "/topic-flags", ""); status != http.StatusOK || !strings.Contains(fmt.Sprint(p), "Duplicate") {
			t.Fatalf("queue = %d %v", status, p)
		}
		if status, p := c.json(http.MethodGet, "/topics-search?q=password", ""); status != http.StatusOK || !strings.Contains(fmt.Sprint(p), "Outlook asks") {
			t.Fatalf("search = %d %v", status, p)
		}
		if status, p := c.json(http.MethodGet, "/topics-similar?text=outlook+password+prompt", ""); status != http.StatusOK || !strings.Contains(fmt.Sprint(p), discuss.TopicPath(open, id)) {
			t.Fatalf("similar = %d %v", status, p)
		}
	})
}

// TestTopicPageKeptRepliesPerReader: a topic page's replies are kept as
// rendered between readers, yet each reader sees what they may do — the
// asker's accept forms with their own CSRF token, an author's edit link
// on their own reply only, a moderator's hide and history — a hidden
// reply only for moderators and its author, and a change at once.
func TestTopicPageKeptRepliesPerReader(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		open, _ := discussWorld(t, e)
		if _, err := e.Communities.Join(ctx, principalOf(t, e, "budget@example.com"), open.ID); err != nil {
			t.Fatal(err)
		}
		riley, blake := principalOf(t, e, "requester@example.com"), principalOf(t, e, "budget@example.com")
		tp, err := e.Discussions.CreateTopic(ctx, riley, discuss.TopicInput{CommunityID: open.ID, Title: "Second screen", Body: "It stays dark."})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := e.Discussions.Reply(ctx, blake, tp.ID, discuss.ReplyInput{Body: "Try the other port."})
		if err != nil {
			t.Fatal(err)
		}
		mine, err := e.Discussions.Reply(ctx, riley, tp.ID, discuss.ReplyInput{Body: "Which port?"})
		if err != nil {
			t.Fatal(err)
		}
		path := discuss.TopicPath(open, tp.ID)
		editLink := func(id int64) string { return fmt.Sprintf(`href="%s/edit?reply=%d"`, path, id) }
		type reader struct {
			b                 *apptest.Browser
			name              string
			accept, hide      bool    // forms on every reply
			edits, cannotEdit []int64 // replies with and without an edit link
			sees, doesNotSee  []string
		}
		check := func(step string, rs ...reader) {
			t.Helper()
			for _, r := range rs {
				res, page := r.b.Get(path)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s: %s's topic page = %d", step, r.name, res.StatusCode)
				}
				forms := map[string]int{}
				for _, f := range apptest.Forms(page) {
					if strings.HasPrefix(f.Action, path+"/") {
						forms[strings.TrimPrefix(f.Action, path+"/")]++
						if got := f.Values().Get("csrf_token"); got != r.b.CSRF() {
							t.Fatalf("%s: %s's form %s carries CSRF token %q; want theirs", step, r.name, f.Action, got)
						}
					}
				}
				if (forms["accept"] > 0) != r.accept || (forms["hide-reply"] > 0) != r.hide {
					t.Fatalf("%s: %s has forms %v; want accept %v, hide %v", step, r.name, forms, r.accept, r.hide)
				}
				for _, id := range r.edits {
					if !strings.Contains(page, editLink(id)) {
						t.Fatalf("%s: %s has no edit link on reply %d", step, r.name, id)
					}
				}
				for _, id := range r.cannotEdit {
					if strings.Contains(page, editLink(id)) {
						t.Fatalf("%s: %s may edit reply %d", step, r.name, id)
					}
				}
				for _, s := range r.sees {
					if !strings.Contains(page, s) {
						t.Fatalf("%s: %s does not see %q", step, r.name, s)
					}
				}
				for _, s := range r.doesNotSee {
					if strings.Contains(page, s) {
						t.Fatalf("%s: %s sees %q", step, r.name, s)
					}
				}
			}
		}
		asker := reader{b: e.SignIn(t, "requester@example.com"), name: "the asker", accept: true, edits: []int64{mine.ID},
			cannotEdit: []int64{theirs.ID}, sees: []string{"Try the other port.", "Which port?"}}
		other := reader{b: e.SignIn(t, "budget@example.com"), name: "the other author", edits: []int64{theirs.ID},
			cannotEdit: []int64{mine.ID}, sees: []string{"Try the other port.", "Which port?"}, doesNotSee: []string{"History"}}
		moderator := reader{b: e.SignIn(t, "admin@example.com"), name: "a moderator", accept: true, hide: true,
			edits: []int64{mine.ID, theirs.ID}, sees: []string{"Try the other port.", "Which port?", "History"}}
		check("first reads", asker, other, moderator)
		again := asker // a new session of the asker: the kept forms take its token
		again.b, again.name = e.SignIn(t, "requester@example.com"), "the asker signed in again"
		check("a second session", again, asker)

		res, page := moderator.b.Submit(path, path+"/hide-reply", url.Values{"reply_id": {fmt.Sprint(theirs.ID)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("hiding a reply = %d: %.300s", res.StatusCode, page)
		}
		asker.sees, asker.doesNotSee, asker.cannotEdit = []string{"Which port?"}, []string{"Try the other port."}, nil
		other.sees = append(other.sees, "Hidden")
		moderator.sees = append(moderator.sees, "Show again")
		check("hiding a reply", asker, other, moderator)

		if _, err := e.Discussions.EditReply(ctx, riley, mine.ID, discuss.Edit{Body: "Which port, the left one?"}); err != nil {
			t.Fatal(err)
		}
		other.sees, other.doesNotSee = []string{"Which port, the left one?", "edited"}, []string{"Which port?<"}
		check("an edit", other)

		// The community's list of topics, kept as rendered too, follows.
		home := "/communities/" + open.Slug
		row := func(b *apptest.Browser) string {
			t.Helper()
			_, page := b.Get(home)
			i := strings.Index(page, `href="`+path+`"`)
			j := strings.Index(page[max(i, 0):], "</li>")
			if i < 0 || j < 0 {
				t.Fatalf("%s does not list the topic", home)
			}
			return page[i : i+j]
		}
		if got := row(other.b); !strings.Contains(got, "1 reply") || strings.Contains(got, "Pinned") {
			t.Fatalf("the topic's row: %s", got)
		}
		if _, err := e.Discussions.Reply(ctx, blake, tp.ID, discuss.ReplyInput{Body: "The left one."}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Discussions.Pin(ctx, principalOf(t, e, "admin@example.com"), tp.ID, true); err != nil {
			t.Fatal(err)
		}
		if got := row(asker.b); !strings.Contains(got, "2 replies") || !strings.Contains(got, "Pinned") {
			t.Fatalf("the topic's row after a reply and a pin: %s", got)
		}
	})
}

// TestTopicPageOnASecondReplica: two replicas of Engage share one
// PostgreSQL database; a topic page and its community's home, kept on the
// second replica, show a reply, an edit and a hidden reply made through
// the first at once.
func TestTopicPageOnASecondReplica(t *testing.T) {
	var cfg config.Config
	e := apptest.NewWith(t, "postgres", func(c *config.Config) { cfg = *c })
	second := secondReplica(t, e, cfg)
	ctx := context.Background()
	open, _ := discussWorld(t, e)
	riley, admin := principalOf(t, e, "requester@example.com"), principalOf(t, e, "admin@example.com")
	tp, err := e.Discussions.CreateTopic(ctx, riley, discuss.TopicInput{CommunityID: open.ID, Title: "Badge reader", Body: "It beeps twice."})
	if err != nil {
		t.Fatal(err)
	}
	first, err := e.Discussions.Reply(ctx, admin, tp.ID, discuss.ReplyInput{Body: "Hold it longer."})
	if err != nil {
		t.Fatal(err)
	}
	reader := second.SignIn(t, "requester@example.com")
	path, home := discuss.TopicPath(open, tp.ID), "/communities/"+open.Slug
	shows := func(step, p string, want, not []string) {
		t.Helper()
		res, page := reader.Get(p)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s on the second replica = %d", step, p, res.StatusCode)
		}
		for _, s := range want {
			if !strings.Contains(page, s) {
				t.Fatalf("%s: %s on the second replica does not show %q", step, p, s)
			}
		}
		for _, s := range not {
			if strings.Contains(page, s) {
				t.Fatalf("%s: %s on the second replica still shows %q", step, p, s)
			}
		}
	}
	shows("first read", path, []string{"Hold it longer."}, nil)
	shows("first read", home, []string{"1 reply"}, nil)
	if _, err := e.Discussions.Reply(ctx, riley, tp.ID, discuss.ReplyInput{Body: "Still beeps."}); err != nil {
		t.Fatal(err)
	}
	shows("a reply on the first replica", path, []string{"Hold it longer.", "Still beeps."}, nil)
	shows("a reply on the first replica", home, []string{"2 replies"}, nil)
	if _, err := e.Discussions.EditReply(ctx, admin, first.ID, discuss.Edit{Body: "Hold it for two seconds."}); err != nil {
		t.Fatal(err)
	}
	shows("an edit on the first replica", path, []string{"Hold it for two seconds."}, []string{"Hold it longer."})
	if _, err := e.Discussions.HideReply(ctx, admin, first.ID, true); err != nil {
		t.Fatal(err)
	}
	shows("hiding on the first replica", path, []string{"Still beeps."}, []string{"Hold it for two seconds."})
	shows("hiding on the first replica", home, []string{"1 reply"}, nil)
}
