package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/demo"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/pulse"
)

func demoCommunity(t *testing.T, e *apptest.Engage, slug string) community.Community {
	t.Helper()
	c, err := e.Communities.FindBySlug(context.Background(), access.System("test"), slug)
	if err != nil {
		t.Fatalf("community %s: %v", slug, err)
	}
	return c
}

// TestCommunitiesFollowPeopleAcrossTheApplication: in the demo, the
// people at the Mexico site are in its community by rule; moving one of
// them to the Maine site moves them between the communities at once;
// Human Resources is in no community (a dark population); an announcement
// meant for the Mexico community reaches its members only; client
// computing has no sponsor and is flagged for IT.
func TestCommunitiesFollowPeopleAcrossTheApplication(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx, sys := context.Background(), access.System("test")
		mx, me := demoCommunity(t, e, demo.CommunityMexico), demoCommunity(t, e, demo.CommunityMaine)
		mxIDs, err := e.Communities.MemberIDs(ctx, e.DB, mx.ID)
		if err != nil || len(mxIDs) < 30 {
			t.Fatalf("Mexico members: %d %v", len(mxIDs), err)
		}
		var hr int
		if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM people p JOIN departments d ON d.id = p.department_id WHERE d.code = 'HR'`).Scan(&hr); err != nil || hr < 10 {
			t.Fatalf("HR people: %d %v", hr, err)
		}
		var inAny int
		if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM community_members m JOIN people p ON p.id = m.person_id JOIN departments d ON d.id = p.department_id
			WHERE d.code = 'HR' AND (m.by_hand OR m.by_rule) AND NOT m.opted_out`).Scan(&inAny); err != nil || inAny != 0 {
			t.Fatalf("HR people in communities: %d %v", inAny, err)
		}
		// One of the Mexico people, in by rule only, moves to Maine.
		byRule, err := db.QueryIDs(ctx, e.DB, "SELECT person_id FROM community_members WHERE community_id = ? AND by_rule AND NOT by_hand ORDER BY person_id", mx.ID)
		if err != nil || len(byRule) == 0 {
			t.Fatalf("Mexico members by rule: %v %v", byRule, err)
		}
		mover, err := e.Org.FindPersonByID(ctx, byRule[0])
		if err != nil {
			t.Fatal(err)
		}
		in := mover.Input()
		in.LocationID = me.LocationID
		if _, err := e.Org.UpdatePerson(ctx, sys, mover.ID, mover.Version, in); err != nil {
			t.Fatal(err)
		}
		after, _ := e.Communities.MemberIDs(ctx, e.DB, mx.ID)
		maine, _ := e.Communities.MemberIDs(ctx, e.DB, me.ID)
		if slices.Contains(after, mover.ID) || !slices.Contains(maine, mover.ID) {
			t.Fatalf("after the move: in Mexico %v, in Maine %v", slices.Contains(after, mover.ID), slices.Contains(maine, mover.ID))
		}
		// An announcement to the Mexico community.
		admin, err := e.Org.FindPersonByEmail(ctx, "admin@example.com")
		if err != nil {
			t.Fatal(err)
		}
		adminP, _ := e.Org.Principal(ctx, admin.ID, "test")
		a, err := e.Catalog.Announce(ctx, adminP, catalog.AnnouncementInput{Kind: "news", Title: "Network work at the Mexico City site",
			Audience: []catalog.AudienceRef{{Kind: "community", ID: mx.ID}}})
		if err != nil || len(a.Audience) != 1 || a.Audience[0].Name != mx.Name {
			t.Fatalf("announcing to a community: %+v %v", a, err)
		}
		if _, err := e.Catalog.Announce(ctx, adminP, catalog.AnnouncementInput{Kind: "news", Title: "To no one",
			Audience: []catalog.AudienceRef{{Kind: "community", ID: 99999}}}); err == nil || !strings.Contains(err.Error(), "fix") {
			t.Fatalf("an announcement to no community: %v", err)
		}
		sees := func(personID int64) bool {
			p, err := e.Org.Principal(ctx, personID, "test")
			if err != nil {
				t.Fatal(err)
			}
			list, err := e.Catalog.Announcements(ctx, p, catalog.AnnouncementFilter{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			return slices.ContainsFunc(list, func(x catalog.Announcement) bool { return x.ID == a.ID })
		}
		if !sees(after[0]) || sees(mover.ID) {
			t.Fatalf("announcement reach: member %v, mover %v", sees(after[0]), sees(mover.ID))
		}
		// The sponsor flag, on the home page and in the admin list.
		b := e.SignIn(t, "admin@example.com")
		if _, home := b.Get("/"); !strings.Contains(home, `id="home-unsponsored"`) || !strings.Contains(home, "Client computing") {
			t.Fatal("the home page does not flag client computing")
		}
		if _, list := b.Get("/admin/communities"); strings.Count(list, "No sponsor") != 1 {
			t.Fatalf("the admin list flags %d communities", strings.Count(list, "No sponsor"))
		}
		if _, home := e.SignIn(t, "requester@example.com").Get("/"); strings.Contains(home, `id="home-unsponsored"`) {
			t.Fatal("a requester sees the sponsor flag")
		}
	})
}

// TestCommunityPages: a requester joins an open community from the list
// (twice: once), sees why they are in Science, leaves; asks to join a
// closed one, which its moderator grants from the manage page, and is
// told in their inbox; a requester cannot open the manage page.
func TestCommunityPages(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		b := e.SignIn(t, "requester@example.com")
		_, list := b.Get("/communities")
		for _, want := range []string{"iPhone", "Chrome OS", "Mexico City Site", "Ask to join"} {
			if !strings.Contains(list, want) {
				t.Fatalf("the list lacks %q", want)
			}
		}
		if res, _ := b.Submit("/communities", "/communities/iphone/join", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("join = %d", res.StatusCode)
		}
		// The same form sent again (a double click, a reload) changes nothing.
		if res, _ := b.Post("/communities/iphone/join", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("join again = %d", res.StatusCode)
		}
		riley, _ := e.Org.FindPersonByEmail(ctx, "requester@example.com")
		iphone := demoCommunity(t, e, demo.CommunityIPhone)
		ids, _ := e.Communities.MemberIDs(ctx, e.DB, iphone.ID)
		if !slices.Contains(ids, riley.ID) {
			t.Fatal("not a member after joining")
		}
		// A link that knows the community by its id only (a pulse about it)
		// leads to the community's own page; an unknown id is not found.
		if res, _ := b.Get(pulse.Pulse{CommunityID: iphone.ID}.SubjectLink()); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/communities/iphone" {
			t.Fatalf("the pulse's link to its community = %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res, _ := b.Get("/communities?id=99999999"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("an unknown community by id = %d", res.StatusCode)
		}
		if _, mine := b.Get("/communities?mine=1&kind=local"); !strings.Contains(mine, "/communities/science/members") || strings.Contains(mine, "/communities/iphone/members") {
			t.Fatal("the filtered list is wrong")
		}
		if _, members := b.Get("/communities/science/members?q=" + url.QueryEscape("Riley")); !strings.Contains(members, "Works in Science") {
			t.Fatal("the members page does not say why Riley is in Science")
		}
		if res, _ := b.Submit("/communities", "/communities/iphone/leave", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("leave = %d", res.StatusCode)
		}
		if res, _ := b.Get("/communities/iphone/manage"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a requester opened the manage page: %d", res.StatusCode)
		}
		if res, _ := b.Get("/admin/communities"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a requester opened the admin list: %d", res.StatusCode)
		}
		b.Submit("/communities", "/communities/chrome-os/join", nil)
		m := e.SignIn(t, "moderator@example.com")
		_, manage := m.Get("/communities/chrome-os/manage")
		if !strings.Contains(manage, "Riley Chen") {
			t.Fatal("the moderator does not see Riley's request")
		}
		action := "/communities/chrome-os/requests/" + strconv.FormatInt(riley.ID, 10)
		if res, _ := m.Submit("/communities/chrome-os/manage", action, url.Values{"decision": {"grant"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("grant = %d", res.StatusCode)
		}
		p, _ := e.Org.Principal(ctx, riley.ID, "test")
		items, _, err := e.Notify.ListInbox(ctx, p, notify.InboxFilter{Limit: 10})
		if err != nil || !slices.ContainsFunc(items, func(it notify.InboxItem) bool { return it.Type == "community.request_granted" }) {
			t.Fatalf("Riley was not told: %v", err)
		}
		// An administrator creates a community from the form.
		a := e.SignIn(t, "admin@example.com")
		res, body := a.Submit("/admin/communities/new", "/admin/communities", url.Values{"name": {"Lab printers"}, "slug": {"lab-printers"}, "kind": {"product"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create = %d %s", res.StatusCode, body)
		}
		// A rule from the manage page.
		loc, _, _ := e.Org.ListLocations(ctx, access.System("test"), org.ListFilter{Query: "Basel", Limit: 1})
		res, _ = a.Submit("/communities/lab-printers/manage", "/communities/lab-printers/rules", url.Values{"rule": {"location:" + strconv.FormatInt(loc[0].ID, 10)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add rule = %d", res.StatusCode)
		}
		if c := demoCommunity(t, e, "lab-printers"); c.Members == 0 {
			t.Fatal("the rule made no member")
		}
	})
}

// TestCommunitiesAPI: create (repeat-safe with an Idempotency-Key), join,
// rules, members with why, staff, archive with the version read; bad
// input answers problem+json naming the field; a requester may not create.
func TestCommunitiesAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin, req := clientOf(t, e, "admin@example.com"), clientOf(t, e, "requester@example.com")
		if code, _ := req.json("POST", "/communities", `{"slug":"x","name":"X","kind":"product"}`); code != http.StatusForbidden {
			t.Fatalf("a requester created a community: %d", code)
		}
		// An empty name breaks the document: refused before the rest is read.
		code, problem := admin.json("POST", "/communities", `{"slug":"Bad Slug","name":"","kind":"service"}`)
		if code != http.StatusUnprocessableEntity || !slices.Equal(locations(problem), []string{"body.name"}) {
			t.Fatalf("empty name: %d %v", code, problem)
		}
		code, problem = admin.json("POST", "/communities", `{"slug":"Bad Slug","name":"X","kind":"service"}`)
		if code != http.StatusUnprocessableEntity || !slices.Equal(locations(problem), []string{"body.slug", "body.service_id"}) {
			t.Fatalf("bad input: %d %v", code, problem)
		}
		create := func() (int, map[string]any) {
			r, _ := http.NewRequest("POST", e.URL+"/api/v1/communities", strings.NewReader(`{"slug":"lab-printers","name":"Lab printers","kind":"product"}`))
			r.Header.Set("Authorization", "Bearer "+admin.token)
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Idempotency-Key", "create-lab-printers")
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(res.Body).Decode(&out)
			return res.StatusCode, out
		}
		code, c := create()
		if code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, c)
		}
		if code, again := create(); code != http.StatusCreated || again["id"] != c["id"] {
			t.Fatalf("repeat: %d %v", code, again)
		}
		id := strconv.FormatFloat(c["id"].(float64), 'f', 0, 64)
		ctx := context.Background()
		basel, _, _ := e.Org.ListLocations(ctx, access.System("test"), org.ListFilter{Query: "Basel", Limit: 1})
		code, rule := admin.json("POST", "/communities/"+id+"/rules", `{"kind":"location","ref_id":`+strconv.FormatInt(basel[0].ID, 10)+`}`)
		if code != http.StatusCreated || rule["label"] != "Works at Basel Research Campus" {
			t.Fatalf("rule: %d %v", code, rule)
		}
		if code, p := admin.json("POST", "/communities/"+id+"/rules", `{"kind":"location","ref_id":0}`); code != http.StatusUnprocessableEntity ||
			!slices.Equal(locations(p), []string{"body.ref_id"}) {
			t.Fatalf("a rule on nothing: %d %v", code, p)
		}
		code, members := req.json("GET", "/communities/"+id+"/members?limit=2", "")
		items, _ := members["items"].([]any)
		if code != http.StatusOK || len(items) != 2 || members["next_cursor"] == nil {
			t.Fatalf("members: %d %v", code, members)
		}
		if why := items[0].(map[string]any)["rules"].([]any); len(why) != 1 || why[0] != "Works at Basel Research Campus" {
			t.Fatalf("why: %v", why)
		}
		if code, r := req.json("POST", "/communities/"+id+"/join", ""); code != http.StatusOK || r["member"] != true {
			t.Fatalf("join: %d %v", code, r)
		}
		riley, _ := e.Org.FindPersonByEmail(ctx, "requester@example.com")
		code, staff := admin.json("POST", "/communities/"+id+"/staff", `{"person_id":`+strconv.FormatInt(riley.ID, 10)+`,"role":"support"}`)
		if code != http.StatusOK || len(staff["support"].([]any)) != 1 {
			t.Fatalf("staff: %d %v", code, staff)
		}
		if code, _ := admin.json("PATCH", "/communities/"+id, `{"version":1,"name":"Lab printers and scanners"}`); code != http.StatusOK {
			t.Fatalf("update: %d", code)
		}
		if code, _ := admin.json("PATCH", "/communities/"+id, `{"version":1,"name":"Stale"}`); code != http.StatusConflict {
			t.Fatalf("a stale update: %d", code)
		}
		if code, a := admin.json("POST", "/communities/"+id+"/archive", `{"version":2,"archived":true}`); code != http.StatusOK || a["archived"] != true {
			t.Fatalf("archive: %d %v", code, a)
		}
		if code, _ := req.json("GET", "/communities/"+id, ""); code != http.StatusNotFound {
			t.Fatalf("an archived community for a requester: %d", code)
		}
	})
}

// TestSubscriptionRulesFollowTheCatalog: client computing takes in the
// departments subscribing to the developer laptop; when Human Resources
// gets that subscription, its people are members at once, through the
// catalog's observer; an ended subscription does not count.
func TestSubscriptionRulesFollowTheCatalog(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx, sys := context.Background(), access.System("test")
		c := demoCommunity(t, e, demo.CommunityClient)
		hrPeople, err := db.QueryIDs(ctx, e.DB, "SELECT p.id FROM people p JOIN departments d ON d.id = p.department_id WHERE d.code = 'HR' AND p.active ORDER BY p.id")
		if err != nil || len(hrPeople) < 10 {
			t.Fatalf("HR: %v %v", hrPeople, err)
		}
		in := func() bool {
			ids, _ := e.Communities.MemberIDs(ctx, e.DB, c.ID)
			return slices.Contains(ids, hrPeople[0])
		}
		if in() {
			t.Fatal("HR is in client computing before subscribing")
		}
		start := catalog.DateOf(apptest.Start)
		end := catalog.DateOf(apptest.Start.AddDate(0, 1, 0))
		if _, err := e.Catalog.ImportSubscriptions(ctx, sys, []catalog.ExistingSubscription{
			{DepartmentCode: "HR", OfferingSlug: "laptop-developer", Quantity: decimal.NewFromInt(2), Start: start, End: &end}}); err != nil {
			t.Fatal(err)
		}
		if in() {
			t.Fatal("an ended subscription made HR members")
		}
		if _, err := e.Catalog.ImportSubscriptions(ctx, sys, []catalog.ExistingSubscription{
			{DepartmentCode: "HR", OfferingSlug: "laptop-developer", Quantity: decimal.NewFromInt(2), Start: start}}); err != nil {
			t.Fatal(err)
		}
		if !in() {
			t.Fatal("HR is not in client computing after subscribing")
		}
		who, _ := e.Org.FindPersonByID(ctx, hrPeople[0])
		list, err := e.Communities.Members(ctx, sys, c.ID, community.MemberFilter{Query: who.Name})
		if err != nil || !slices.ContainsFunc(list, func(m community.Member) bool {
			return m.PersonID == hrPeople[0] && slices.Equal(m.Rules, []string{"Their department subscribes to Laptops: Developer laptop"})
		}) {
			t.Fatalf("why HR is in: %v", err)
		}
	})
}

// TestAnnouncingToACommunityOnTheWeb: the announcement form offers the
// communities; an announcement sent with it for the Mexico community
// reaches a person there and not a person elsewhere.
func TestAnnouncingToACommunityOnTheWeb(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		mx := demoCommunity(t, e, "mexico-site")
		b := e.SignIn(t, "admin@example.com")
		_, form := b.Get("/announcements")
		option := fmt.Sprintf(`<option value="%d" >%s</option>`, mx.ID, mx.Name)
		if !strings.Contains(form, `name="audience_community"`) || !strings.Contains(form, option) {
			t.Fatalf("the announcement form does not offer %s", mx.Name)
		}
		res, _ := b.Submit("/announcements", "/announcements", url.Values{"kind": {"news"}, "title": {"Network work at the Mexico City site"},
			"body": {"Saturday morning."}, "audience_all": {""}, "audience_community": {strconv.FormatInt(mx.ID, 10)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("announcing = %d", res.StatusCode)
		}
		members, err := e.Communities.MemberIDs(ctx, e.DB, mx.ID)
		if err != nil || len(members) == 0 {
			t.Fatalf("members of %s: %v %v", mx.Name, members, err)
		}
		// A person of the community reads it (as the list shows it to them);
		// someone elsewhere, signed in on the web, does not.
		memberP, err := e.Org.Principal(ctx, members[0], "test")
		if err != nil {
			t.Fatal(err)
		}
		list, err := e.Catalog.Announcements(ctx, memberP, catalog.AnnouncementFilter{Limit: 50})
		if err != nil || !slices.ContainsFunc(list, func(a catalog.Announcement) bool { return a.Title == "Network work at the Mexico City site" }) {
			t.Fatalf("a member of %s does not see the announcement (%v)", mx.Name, err)
		}
		outsider, err := e.Org.FindPersonByEmail(ctx, "requester@example.com")
		if err != nil || slices.Contains(members, outsider.ID) {
			t.Fatalf("the requester should be outside %s in the demo (%v)", mx.Name, err)
		}
		if _, page := e.SignIn(t, outsider.Email).Get("/announcements"); strings.Contains(page, "Network work at the Mexico City site") {
			t.Fatal("someone outside the community sees the announcement")
		}
	})
}

// TestOfferingRuleFromTheManagePage: the manage page offers a rule by
// subscription to one offering; chosen on the rendered form, it makes the
// subscribing department's people members, saying why.
func TestOfferingRuleFromTheManagePage(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx, sys := context.Background(), access.System("test")
		if _, err := e.Catalog.ImportSubscriptions(ctx, sys, []catalog.ExistingSubscription{
			{DepartmentCode: "HR", OfferingSlug: "laptop-developer", Quantity: decimal.NewFromInt(2), Start: catalog.DateOf(apptest.Start)}}); err != nil {
			t.Fatal(err)
		}
		hr, err := db.QueryIDs(ctx, e.DB, "SELECT p.id FROM people p JOIN departments d ON d.id = p.department_id WHERE d.code = 'HR' AND p.active ORDER BY p.id")
		if err != nil || len(hr) == 0 {
			t.Fatalf("HR: %v %v", hr, err)
		}
		a := e.SignIn(t, "admin@example.com")
		if res, body := a.Submit("/admin/communities/new", "/admin/communities", url.Values{"name": {"Developer laptops"}, "slug": {"dev-laptops"},
			"kind": {"product"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create = %d %.300s", res.StatusCode, body)
		}
		_, manage := a.Get("/communities/dev-laptops/manage")
		m := regexp.MustCompile(`<option value="(offering:\d+)">Department subscribes to Laptops — Developer laptop</option>`).FindStringSubmatch(manage)
		if m == nil || !strings.Contains(manage, `<optgroup label="Catalog offering">`) {
			t.Fatal("the rule form offers no rule by the developer laptop offering")
		}
		if res, body := a.Submit("/communities/dev-laptops/manage", "/communities/dev-laptops/rules", url.Values{"rule": {m[1]}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add rule = %d %.300s", res.StatusCode, body)
		}
		c := demoCommunity(t, e, "dev-laptops")
		ids, _ := e.Communities.MemberIDs(ctx, e.DB, c.ID)
		if !slices.Contains(ids, hr[0]) {
			t.Fatal("the offering rule made HR's people no members")
		}
		who, _ := e.Org.FindPersonByID(ctx, hr[0])
		list, err := e.Communities.Members(ctx, sys, c.ID, community.MemberFilter{Query: who.Name})
		if err != nil || !slices.ContainsFunc(list, func(m community.Member) bool {
			return m.PersonID == hr[0] && slices.Equal(m.Rules, []string{"Their department subscribes to Laptops: Developer laptop"})
		}) {
			t.Fatalf("why HR is in: %+v %v", list, err)
		}
	})
}
