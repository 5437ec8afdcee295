package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/demo"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
)

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// pageVersion is the version the first form of a page carries.
func pageVersion(t *testing.T, body string) string {
	t.Helper()
	m := versionField.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the page has no form with a version")
	}
	return m[1]
}

// salesRequester signs in someone of Sales who holds no role but requester:
// they must not see a need of the Biology Laboratory.
func salesRequester(t *testing.T, e *apptest.Engage) *apptest.Browser {
	t.Helper()
	ctx := context.Background()
	sales := departmentByCode(t, e, "SALES")
	people, _, err := e.Org.ListPeople(ctx, access.System("test"), org.ListFilter{DepartmentID: sales.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if slices.Equal(p.Roles, []access.Role{access.Requester}) {
			if err := e.Auth.SetPassword(ctx, access.System("test"), p.ID, demo.Password); err != nil {
				t.Fatal(err)
			}
			return e.SignIn(t, p.Email)
		}
	}
	t.Fatal("no plain requester in Sales")
	return nil
}

// TestAskForSomethingNewThroughTheForms drives the front door's pages the
// way a browser without JavaScript does: the form, its errors and reuse
// suggestions, submission, who sees which forms, conflicts, the BRM's
// queue and the dashboard.
func TestAskForSomethingNewThroughTheForms(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		riley := e.SignIn(t, "requester@example.com")
		rileyP, err := e.Org.Principal(ctx, person(t, e, "requester@example.com").ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		countMine := func() int {
			list, _, err := e.FrontDoor.List(ctx, rileyP, frontdoor.ListFilter{Mine: true, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		before := countMine()

		// A draft without a title or a data classification comes back with
		// the error summary linking to both, and what was typed.
		if res, body := riley.Get("/needs/new"); res.StatusCode != http.StatusOK || !strings.Contains(body, `name="action" value="check"`) {
			t.Fatalf("new need form = %d, or without the Check what already exists button", res.StatusCode)
		}
		res, body := riley.Post("/needs", url.Values{"action": {"save"}, "problem": {"We e-mail files around the lab"}, "users": {"25"},
			"sponsor_email": {"budget@example.com"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("saving a draft without a title = %d; want 422", res.StatusCode)
		}
		for _, want := range []string{`class="error-summary"`, `href="#title"`, `href="#data_class"`, "We e-mail files around the lab",
			`id="users" name="users" value="25"`, `value="budget@example.com"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the rejected draft does not show %s", want)
			}
		}
		if n := countMine(); n != before {
			t.Fatalf("a rejected draft was saved: %d needs, had %d", n, before)
		}

		// "Check what already exists" shows the catalog's team chat and
		// saves nothing.
		res, body = riley.Post("/needs", url.Values{"action": {"check"}, "title": {"team chat for the lab"}, "problem": {""}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `<a href="/catalog/team-chat">Team chat and meetings</a>`) {
			t.Fatalf("checking what already exists = %d, without Team chat and meetings", res.StatusCode)
		}
		if !strings.Contains(body, `value="team chat for the lab"`) {
			t.Error("checking what already exists loses the title typed")
		}
		if n := countMine(); n != before {
			t.Fatalf("checking what already exists saved a need")
		}

		// Submitting without the problem saves the draft and says what is
		// missing for submission, on the draft's own form.
		res, body = riley.Post("/needs", url.Values{"action": {"submit"}, "title": {"Team chat for the lab"}, "data_class": {"internal"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#problem"`) || !strings.Contains(body, `href="#outcome"`) ||
			!strings.Contains(body, `href="#users"`) {
			t.Fatalf("submitting an incomplete need = %d, without errors for problem, outcome and users", res.StatusCode)
		}
		ref := regexp.MustCompile(`action="/needs/(NEED-\d{4}-\d{4,})"`).FindStringSubmatch(body)
		if ref == nil {
			t.Fatal("the incomplete need's form does not post to its saved draft")
		}
		loc := "/needs/" + ref[1]
		// Submitting the draft from its page shows the same errors on its form.
		_, body = riley.Get(loc)
		if !strings.Contains(body, `id="status">Draft<`) || !strings.Contains(body, `href="`+loc+`/edit"`) {
			t.Fatal("the draft's page does not say Draft or offer to change it")
		}
		res, body = riley.Post(loc+"/act", url.Values{"action": {"submit"}, "version": {pageVersion(t, body)}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#problem"`) || !strings.Contains(body, `<textarea id="problem"`) {
			t.Fatalf("submitting an incomplete draft from its page = %d, without the form and its errors", res.StatusCode)
		}
		res, _ = riley.Post(loc, url.Values{"action": {"submit"}, "version": {pageVersion(t, body)}, "title": {"Team chat for the lab"},
			"problem": {"We e-mail files around and cannot meet online."}, "outcome": {"Everyone in the lab chats and meets."}, "users": {"25"},
			"data_class": {"internal"}, "currency": {"EUR"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != loc {
			t.Fatalf("submitting = %d to %s; want a redirect to %s", res.StatusCode, res.Header.Get("Location"), loc)
		}
		res, body = riley.Get(loc)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="status">Submitted<`) || !strings.Contains(body, "Submitted "+ref[1]) {
			t.Fatalf("the submitted need's page = %d, not marked Submitted with a confirmation", res.StatusCode)
		}
		if !strings.Contains(body, `<a href="/catalog/team-chat">Team chat and meetings</a>`) {
			t.Error("the submitted need's page does not show what already exists")
		}
		// The requester may withdraw, but sees none of the BRM's forms, and
		// posting one is refused.
		if !strings.Contains(body, `name="action" value="withdraw"`) || strings.Contains(body, `value="start_triage"`) || strings.Contains(body, `value="reject_triage"`) {
			t.Error("the requester's need page offers the wrong actions")
		}
		if res, _ := riley.Post(loc+"/act", url.Values{"action": {"start_triage"}, "version": {pageVersion(t, body)}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("the requester starting triage = %d; want 403", res.StatusCode)
		}

		// Someone in Sales cannot see it.
		stranger := salesRequester(t, e)
		if res, body := stranger.Get(loc); res.StatusCode != http.StatusNotFound || strings.Contains(body, "Team chat for the lab") {
			t.Errorf("a need of the lab seen from Sales = %d; want 404", res.StatusCode)
		}

		// The BRM finds it in the queue and triages it; a second form sent
		// with the same version is refused with a conflict, nothing lost.
		brm := e.SignIn(t, "brm@example.com")
		if res, body := brm.Get("/needs/queue"); res.StatusCode != http.StatusOK || !strings.Contains(body, `href="`+loc+`"`) {
			t.Fatalf("the BRM's queue = %d, without %s", res.StatusCode, ref[1])
		}
		_, body = brm.Get(loc)
		if !strings.Contains(body, `name="action" value="start_triage"`) {
			t.Fatal("the BRM's need page offers no Start triage")
		}
		version := pageVersion(t, body)
		if res, _ := brm.Post(loc+"/act", url.Values{"action": {"start_triage"}, "version": {version}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("starting triage = %d", res.StatusCode)
		}
		res, body = brm.Post(loc+"/act", url.Values{"action": {"request_info"}, "version": {version}, "reason": {"How many guests join?"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed this need") || !strings.Contains(body, "How many guests join?") {
			t.Errorf("a stale action = %d; want 409 with the message and the reason kept", res.StatusCode)
		}
		if n, _ := e.FrontDoor.Find(ctx, access.System("test"), ref[1]); n.State != frontdoor.Triage {
			t.Errorf("after the stale action the need is %s; want triage", n.State)
		}
		// Asking for information needs a reason; the error links to its box.
		_, body = brm.Get(loc)
		res, body = brm.Post(loc+"/act", url.Values{"action": {"request_info"}, "version": {pageVersion(t, body)}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#request_info-reason"`) || !strings.Contains(body, `id="request_info-reason"`) {
			t.Errorf("asking for information without a reason = %d; want 422 linking to #request_info-reason", res.StatusCode)
		}

		// The dashboard draws the stages on the server, and the list
		// downloads as CSV.
		res, body = brm.Get("/needs/dashboard")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `<svg role="img"`) || !strings.Contains(body, "<rect") || !strings.Contains(body, "Being triaged") {
			t.Errorf("the dashboard = %d, without its chart of stages", res.StatusCode)
		}
		res, body = brm.Get("/needs?format=csv&q=" + url.QueryEscape("team chat for the lab"))
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(body, "reference,title,") || !strings.Contains(body, ref[1]+",Team chat for the lab,Biology Laboratory") {
			t.Errorf("the CSV of needs = %s %q", res.Header.Get("Content-Type"), body[:min(len(body), 200)])
		}
		// The gate page says no while the need is in triage.
		if _, body := riley.Get("/gate?reference=" + ref[1]); !strings.Contains(body, "Not allowed") || !strings.Contains(body, "being triaged") {
			t.Error("the gate page does not refuse a need in triage")
		}
		// The front door lists the requester's need.
		if _, body := riley.Get("/frontdoor"); !strings.Contains(body, `href="`+loc+`"`) || !strings.Contains(body, `href="/needs/new"`) {
			t.Error("the front door does not list the requester's need or offer to ask for something new")
		}
	})
}

// TestHomeShowsNeeds: the home page lists the person's open needs (not
// closed, rejected or withdrawn ones) and, for a BRM, the needs waiting
// for them.
func TestHomeShowsNeeds(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		riley, err := e.Org.FindPersonByEmail(ctx, "requester@example.com")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := e.DB.Query(ctx, "SELECT reference, state FROM needs WHERE requester_id = ? OR sponsor_id = ?", riley.ID, riley.ID)
		if err != nil {
			t.Fatal(err)
		}
		open, final := 0, ""
		for rows.Next() {
			var ref string
			var state frontdoor.State
			if err := rows.Scan(&ref, &state); err != nil {
				t.Fatal(err)
			}
			switch state {
			case frontdoor.Closed, frontdoor.Rejected, frontdoor.Withdrawn:
				final = ref
			case frontdoor.Delivered: // waits for acceptance, listed apart
			default:
				open++
			}
		}
		rows.Close()
		if open == 0 || final == "" {
			t.Fatalf("the demo gives Riley %d open needs and no finished one (%q); the test needs both", open, final)
		}
		_, body := e.SignIn(t, "requester@example.com").Get("/")
		list := regexp.MustCompile(`(?s)<ul class="home-needs" id="home-needs">(.*?)</ul>`).FindStringSubmatch(body)
		if list == nil {
			t.Fatal("Riley's home page lists no open needs")
		}
		if n := strings.Count(list[1], "<li>"); n != min(open, 5) {
			t.Errorf("home page lists %d needs; Riley has %d open", n, open)
		}
		if strings.Contains(list[1], final+"<") {
			t.Errorf("home page lists the finished need %s", final)
		}
		if strings.Contains(body, `id="waiting-list"`) {
			t.Error("a requester's home page shows a review queue")
		}
		_, body = e.SignIn(t, "brm@example.com").Get("/")
		if !strings.Contains(body, `id="waiting-list"`) || !strings.Contains(body, "Waiting for you") {
			t.Error("the BRM's home page does not show the needs waiting for them")
		}
	})
}
