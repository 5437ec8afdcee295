package discuss_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/org"
)

var sys = access.System("test")

// world is two communities (one open, one closed) and four people: an
// administrator, Ana and Bo (requesters) and Itzel (the open community's
// IT staff).
type world struct {
	s                     *discuss.Service
	cs                    *community.Service
	d                     *db.DB
	clock                 *engage.FixedClock
	admin, ana, bo, itzel *access.Principal
	open, closed          community.Community
}

func setup(t *testing.T, d *db.DB) world {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	dept, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "LAB", Name: "Lab"})
	if err != nil {
		t.Fatal(err)
	}
	mx, err := o.CreateLocation(ctx, sys, org.LocationInput{Code: "MX", Name: "Mexico site", Country: "MX"})
	if err != nil {
		t.Fatal(err)
	}
	w := world{d: d, clock: clock}
	people := map[string]*access.Principal{}
	for _, name := range []string{"admin", "ana.lopez", "bo", "itzel"} {
		roles := []access.Role{access.Requester}
		if name == "admin" {
			roles = []access.Role{access.Admin}
		}
		p, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: name + "@example.com", Name: name, DepartmentID: dept.ID,
			LocationID: mx.ID, Active: true, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		people[name] = &access.Principal{PersonID: p.ID, Name: name, Email: p.Email, DepartmentID: dept.ID, Roles: roles}
	}
	w.admin, w.ana, w.bo, w.itzel = people["admin"], people["ana.lopez"], people["bo"], people["itzel"]
	w.cs = &community.Service{DB: d, Clock: clock, Org: o}
	if w.open, err = w.cs.Create(ctx, w.admin, community.Input{Slug: "iphone", Name: "iPhone", Kind: community.KindProduct}); err != nil {
		t.Fatal(err)
	}
	if w.closed, err = w.cs.Create(ctx, w.admin, community.Input{Slug: "mexico", Name: "Mexico", Kind: community.KindLocal,
		Visibility: community.Closed, LocationID: mx.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, "INSERT INTO community_staff(community_id, person_id, role) VALUES (?, ?, 'it_staff')", w.open.ID, w.itzel.PersonID); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*access.Principal{w.ana, w.bo} {
		if _, err := w.cs.Join(ctx, p, w.open.ID); err != nil {
			t.Fatal(err)
		}
	}
	// Members of more than a week, so that the posting limit does not apply.
	clock.Advance(8 * 24 * time.Hour)
	w.s = &discuss.Service{DB: d, Clock: clock, Communities: w.cs}
	return w
}

func fieldNames(err error) []string {
	var out []string
	for _, f := range engage.ErrorFields(err) {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

func count(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	return scalar(t, d, "SELECT COUNT(*) FROM "+table)
}

// scalar reads the one number query answers.
func scalar(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTopicsAndReplies: a member starts a question and others reply; bad
// titles and bodies are refused naming the field and the limit; an official
// answer needs the right to give one and sets when IT answered; replies are
// paged in order.
func TestTopicsAndReplies(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		_, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: strings.Repeat("x", 201), Body: " "})
		if !slices.Equal(fieldNames(err), []string{"body", "title"}) || !strings.Contains(err.Error(), "200 characters") {
			t.Fatalf("bad topic: %v", err)
		}
		_, err = w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Kind: "poll", Title: "t", Body: strings.Repeat("b", 20001)})
		if !slices.Equal(fieldNames(err), []string{"body", "kind"}) || !strings.Contains(err.Error(), "20000 characters") {
			t.Fatalf("bad topic: %v", err)
		}
		topic, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: "  iPhone will not sync mail ",
			Body: "Since the update my **mail** stops syncing."})
		if err != nil {
			t.Fatal(err)
		}
		if topic.Kind != discuss.Question || topic.Title != "iPhone will not sync mail" || topic.AuthorName != "ana.lopez" || topic.Answered() {
			t.Fatalf("topic: %+v", topic)
		}
		if _, err := w.s.Reply(ctx, w.bo, topic.ID, discuss.ReplyInput{Body: "Same here", Official: true}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("an official answer by a member: %v", err)
		}
		if _, err := w.s.Reply(ctx, w.bo, topic.ID, discuss.ReplyInput{Body: ""}); !slices.Equal(fieldNames(err), []string{"body"}) {
			t.Fatalf("empty reply: %v", err)
		}
		for i, p := range []*access.Principal{w.bo, w.ana, w.bo} {
			w.clock.Advance(time.Minute)
			if _, err := w.s.Reply(ctx, p, topic.ID, discuss.ReplyInput{Body: "reply " + string(rune('a'+i))}); err != nil {
				t.Fatal(err)
			}
		}
		w.clock.Advance(time.Hour)
		answer, err := w.s.Reply(ctx, w.itzel, topic.ID, discuss.ReplyInput{Body: "Remove and add the account again.", Official: true})
		if err != nil || !answer.Official {
			t.Fatalf("official answer: %+v %v", answer, err)
		}
		got, err := w.s.FindTopic(ctx, w.bo, topic.ID)
		if err != nil || got.Replies != 4 || got.ITAnsweredAt == nil || !got.ITAnsweredAt.Equal(w.clock.Now()) || !got.LastPostAt.Equal(w.clock.Now()) {
			t.Fatalf("after replies: %+v %v", got, err)
		}
		page, next, err := w.s.ListReplies(ctx, w.bo, topic.ID, "", 3)
		if err != nil || len(page) != 3 || next == "" || page[0].Body != "reply a" || page[2].Body != "reply c" {
			t.Fatalf("first page: %+v %q %v", page, next, err)
		}
		page, next, err = w.s.ListReplies(ctx, w.bo, topic.ID, next, 3)
		if err != nil || len(page) != 1 || next != "" || page[0].ID != answer.ID {
			t.Fatalf("second page: %+v %q %v", page, next, err)
		}
	})
}

// TestClosedCommunity: a non-member may neither post in nor read a closed
// community; a refused post writes nothing; TopicsByID leaves out what the
// caller may not read.
func TestClosedCommunity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		_, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.closed.ID, Title: "Parking", Body: "Where?"})
		if engage.ErrorCode(err) != engage.EFORBIDDEN || !strings.Contains(err.Error(), "closed community") {
			t.Fatalf("posting in a closed community: %v", err)
		}
		if n := count(t, d, "discuss_topics"); n != 0 {
			t.Fatalf("%d topics written", n)
		}
		secret, err := w.s.CreateTopic(ctx, w.admin, discuss.TopicInput{CommunityID: w.closed.ID, Kind: discuss.Discussion, Title: "Parking", Body: "Where?"})
		if err != nil {
			t.Fatal(err)
		}
		open, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Kind: discuss.Idea, Title: "Dark mode", Body: "Please"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.FindTopic(ctx, w.bo, secret.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("a non-member read a closed topic: %v", err)
		}
		if _, err := w.s.Reply(ctx, w.bo, secret.ID, discuss.ReplyInput{Body: "hi"}); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("a non-member replied in a closed community: %v", err)
		}
		if _, _, err := w.s.ListTopics(ctx, w.bo, w.closed.ID, discuss.TopicFilter{}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a non-member listed a closed community: %v", err)
		}
		got, err := w.s.TopicsByID(ctx, w.bo, []int64{secret.ID, open.ID, 999})
		if err != nil || len(got) != 1 || got[0].ID != open.ID || got[0].Kind != discuss.Idea {
			t.Fatalf("topics by id: %+v %v", got, err)
		}
		if got, err := w.s.TopicsByID(ctx, w.admin, []int64{open.ID, secret.ID}); err != nil || len(got) != 2 || got[1].ID != secret.ID {
			t.Fatalf("topics by id for an administrator: %+v %v", got, err)
		}
	})
}

// TestListTopics: pinned topics first, then by latest post; the filters
// keep questions without an IT answer, ideas and topics without replies;
// pages follow one another.
func TestListTopics(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		var ids []int64
		for i, k := range []discuss.Kind{discuss.Question, discuss.Idea, discuss.Question, discuss.Discussion} {
			w.clock.Advance(time.Minute)
			tp, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Kind: k, Title: "Topic " + string(rune('A'+i)), Body: "text"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tp.ID)
		}
		w.clock.Advance(time.Minute)
		if _, err := w.s.Reply(ctx, w.itzel, ids[0], discuss.ReplyInput{Body: "Official", Official: true}); err != nil {
			t.Fatal(err)
		}
		list := func(f discuss.TopicFilter) []int64 {
			t.Helper()
			ts, _, err := w.s.ListTopics(ctx, w.bo, w.open.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, tp := range ts {
				out = append(out, tp.ID)
			}
			return out
		}
		if got := list(discuss.TopicFilter{}); !slices.Equal(got, []int64{ids[0], ids[3], ids[2], ids[1]}) {
			t.Fatalf("latest: %v (ids %v)", got, ids)
		}
		if got := list(discuss.TopicFilter{NoITAnswer: true}); !slices.Equal(got, []int64{ids[2]}) {
			t.Fatalf("without IT answer: %v", got)
		}
		if got := list(discuss.TopicFilter{Kind: discuss.Idea}); !slices.Equal(got, []int64{ids[1]}) {
			t.Fatalf("ideas: %v", got)
		}
		if got := list(discuss.TopicFilter{Unanswered: true}); !slices.Equal(got, []int64{ids[3], ids[2], ids[1]}) {
			t.Fatalf("unanswered: %v", got)
		}
		if _, err := d.Exec(ctx, "UPDATE discuss_topics SET pinned = TRUE WHERE id = ?", ids[1]); err != nil {
			t.Fatal(err)
		}
		var all []int64
		cursor := ""
		for {
			ts, next, err := w.s.ListTopics(ctx, w.bo, w.open.ID, discuss.TopicFilter{Cursor: cursor, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, tp := range ts {
				all = append(all, tp.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if !slices.Equal(all, []int64{ids[1], ids[0], ids[3], ids[2]}) {
			t.Fatalf("pinned first, paged: %v", all)
		}
	})
}

// TestNewMemberLimit: a member of less than a week posts at most five
// times an hour; the refusal says when they may post again; staff are
// not limited.
func TestNewMemberLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		newcomer := w.bo
		if _, err := w.cs.Leave(ctx, newcomer, w.open.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cs.Join(ctx, newcomer, w.open.ID); err != nil {
			t.Fatal(err)
		}
		tp, err := w.s.CreateTopic(ctx, newcomer, discuss.TopicInput{CommunityID: w.open.ID, Title: "First", Body: "Hello"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			w.clock.Advance(time.Minute)
			if _, err := w.s.Reply(ctx, newcomer, tp.ID, discuss.ReplyInput{Body: "more"}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = w.s.Reply(ctx, newcomer, tp.ID, discuss.ReplyInput{Body: "too fast"})
		if engage.ErrorCode(err) != engage.ETOOMANY || !strings.Contains(err.Error(), "at 10:00 UTC") {
			t.Fatalf("sixth post in an hour: %v", err)
		}
		for i := 0; i < 6; i++ {
			if _, err := w.s.Reply(ctx, w.itzel, tp.ID, discuss.ReplyInput{Body: "staff"}); err != nil {
				t.Fatalf("staff limited: %v", err)
			}
		}
		w.clock.Advance(56 * time.Minute)
		if _, err := w.s.Reply(ctx, newcomer, tp.ID, discuss.ReplyInput{Body: "later"}); err != nil {
			t.Fatalf("an hour after the first post: %v", err)
		}
	})
}

// TestSearch: a topic is found as soon as it is posted — on another
// replica too, whether its index finds other topics or none — with typos
// and other word forms; closed communities' topics only by those who read
// them.
func TestSearch(t *testing.T) {
	dbtest.EachReplicated(t, 2, func(t *testing.T, dbs []*db.DB) {
		ctx := context.Background()
		w := setup(t, dbs[0])
		other := &discuss.Service{DB: dbs[len(dbs)-1], Clock: w.clock, Communities: w.cs}
		if got, err := other.SearchTopics(ctx, w.bo, "printer", discuss.SearchFilter{}); err != nil || len(got) != 0 {
			t.Fatalf("empty index: %v %v", got, err)
		}
		tp, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: "Printers on floor 3 are offline",
			Body: "Printing fails since Monday."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.CreateTopic(ctx, w.admin, discuss.TopicInput{CommunityID: w.closed.ID, Title: "Printer in the Mexico office", Body: "Toner"}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"printer", "priner offline", "print"} {
			got, err := other.SearchTopics(ctx, w.bo, q, discuss.SearchFilter{})
			if err != nil || len(got) != 1 || got[0].ID != tp.ID {
				t.Fatalf("search %q on another replica: %+v %v", q, got, err)
			}
		}
		if got, _ := w.s.SearchTopics(ctx, w.admin, "printer", discuss.SearchFilter{}); len(got) != 2 {
			t.Fatalf("an administrator finds %d topics", len(got))
		}
		// The other replica's index finds tp before it reads this topic:
		// the hits' read says the index is behind, and the search is made
		// again.
		more, err := w.s.CreateTopic(ctx, w.bo, discuss.TopicInput{CommunityID: w.open.ID, Title: "Printer paper", Body: "Which tray?"})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := other.SearchTopics(ctx, w.bo, "printer", discuss.SearchFilter{}); err != nil || len(got) != 2 || got[0].ID != more.ID && got[1].ID != more.ID {
			t.Fatalf("a topic posted on one replica, searched on the other: %+v %v", got, err)
		}
	})
}

// TestSearchPastClosedCommunities: when the best matches are in a closed
// community the reader does not read, the reader still gets a full page of
// the topics they read, best first; a search within the closed community
// finds nothing for them.
func TestSearchPastClosedCommunities(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		for _, title := range []string{"Printer jam", "Printer toner", "Printer driver"} {
			if _, err := w.s.CreateTopic(ctx, w.admin, discuss.TopicInput{CommunityID: w.closed.ID, Title: title, Body: "The printer again."}); err != nil {
				t.Fatal(err)
			}
		}
		var open []int64
		for _, title := range []string{"Floor 3", "Floor 4", "Floor 5"} {
			tp, err := w.s.CreateTopic(ctx, w.ana, discuss.TopicInput{CommunityID: w.open.ID, Title: title, Body: "Where is the printer?"})
			if err != nil {
				t.Fatal(err)
			}
			open = append(open, tp.ID)
		}
		for _, limit := range []int{2, 20} {
			got, err := w.s.SearchTopics(ctx, w.bo, "printer", discuss.SearchFilter{Limit: limit})
			if err != nil || len(got) != min(limit, 3) {
				t.Fatalf("limit %d: %+v %v", limit, got, err)
			}
			for _, tp := range got {
				if !slices.Contains(open, tp.ID) {
					t.Fatalf("limit %d: a non-member found %q of the closed community", limit, tp.Title)
				}
			}
		}
		if got, err := w.s.SearchTopics(ctx, w.bo, "printer", discuss.SearchFilter{CommunityID: w.closed.ID}); err != nil || len(got) != 0 {
			t.Fatalf("within the closed community: %+v %v", got, err)
		}
		if got, err := w.s.SearchTopics(ctx, w.admin, "printer", discuss.SearchFilter{Limit: 2}); err != nil || len(got) != 2 || got[0].CommunityID != w.closed.ID {
			t.Fatalf("an administrator's best matches: %+v %v", got, err)
		}
	})
}
