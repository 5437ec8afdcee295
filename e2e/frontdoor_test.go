package e2e

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/engagehq/engage/internal/apptest"
)

// TestNeedFromSubmissionToGate follows a need through the front door, each
// person in a browser of their own: Riley Chen of the Biology Laboratory
// asks for team chat and is shown, while typing, the catalog's Team chat
// and meetings; Sam Okafor, the lab's BRM, triages and accepts it; the
// architecture, security and finance reviewers approve it and the
// architect proposes to reuse the team chat licence; Sam sends it to the
// board; Grace Liu for the board decides to reuse it; then the delivery
// gate lets work proceed, through the API and on its page, and Riley
// orders the licences.
//
// The need holds internal data, which the team chat service (confidential
// at most) may hold, so no exception is needed. Reusing it for 25 people
// costs 25 × €6.50 = €162.50 a month, €5,850.00 over three years.
func TestNeedFromSubmissionToGate(t *testing.T) {
	const (
		title     = "Team chat for the lab"
		offering  = "Team chat and meetings — Team chat licence"
		monthly   = "€162.50"
		threeYear = "€5,850.00"
	)
	reviewers := []struct{ email, kind, name string }{
		{"architect@example.com", "architecture", "Jonas Becker"},
		{"security@example.com", "security", "Mei Tanaka"},
		{"finance.reviewer@example.com", "finance", "Luis Ortega"},
	}
	browser := startBrowser(t, 6*len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			name := "need-to-gate-" + engine
			riley := openPage(t, browser, e.URL, name)
			var ref string

			step(t, "1. the requester asks for team chat and sees what exists", func() {
				riley.signIn("requester@example.com")
				riley.open("/frontdoor")
				riley.follow("clicking Ask for something new", chromedp.Click(CSS(`main a.button[href="/needs/new"]`)))
				riley.expectText(CSS("main h1"), "Ask for something new")
				riley.do("typing the title", chromedp.SendKeys(CSS("#title"), title))
				// The live suggestions arrive while typing, without pressing
				// Check what already exists.
				riley.do("waiting for the live suggestions", chromedp.WaitVisible(CSS(`#suggestions a[href="/catalog/team-chat"]`)))
				if got := riley.text(CSS(`#suggestions a[href="/catalog/team-chat"]`)); got != "Team chat and meetings" {
					t.Errorf("the suggested service is %q, want Team chat and meetings", got)
				}
				if got := riley.evalString(`document.querySelector('#suggestions a[href="/catalog/team-chat"]').closest('li').innerText`); !strings.Contains(got, "From €6.50 per person per month") {
					t.Errorf("the team chat suggestion says %q, want its price from €6.50 per person per month", got)
				}
				riley.do("describing the need",
					chromedp.SendKeys(CSS("#problem"), "We e-mail files around and cannot meet online with the partner lab."),
					chromedp.SendKeys(CSS("#outcome"), "Everyone in the lab chats and meets, on their phone too."),
					chromedp.SendKeys(CSS("#users"), "25"),
					chromedp.Click(CSS("#data_class-internal")),
				)
				riley.screenshot(name + "-form.png")
				if status := riley.follow("pressing Submit", chromedp.Click(CSS(`#need-form button[name="action"][value="submit"]`))); status != 200 {
					t.Errorf("submitting: status %d, want 200 after the redirect", status)
				}
				ref = riley.text(CSS("#reference"))
				if !regexp.MustCompile(`^NEED-2026-\d{4,}$`).MatchString(ref) {
					t.Fatalf("the need's reference is %q, want NEED-2026-…", ref)
				}
				riley.expectText(CSS("main h1"), title)
				riley.expectText(CSS("#status"), "Submitted")
				if flash := riley.text(CSS(".flash")); !strings.Contains(flash, "Submitted "+ref) || !strings.Contains(flash, "Sam Okafor") {
					t.Errorf("flash = %q, want it to confirm the submission and name the BRM", flash)
				}
				if n := riley.count(`#reuse a[href="/catalog/team-chat"]`); n != 1 {
					t.Errorf("the need page suggests Team chat and meetings %d times, want once", n)
				}
			}, riley)

			sam := openPage(t, browser, e.URL, name+"-brm")
			step(t, "2. the BRM triages and accepts it", func() {
				sam.signIn("brm@example.com")
				sam.open("/needs/queue")
				sam.expectText(CSS("main h1"), "Waiting for you")
				sam.screenshot(name + "-queue.png")
				sam.follow("opening the need from the queue", chromedp.Click(CSS(`main table a[href="/needs/`+ref+`"]`)))
				sam.expectText(CSS("main h1"), title)
				sam.follow("pressing Start triage", chromedp.Click(CSS(`#form-start_triage button[type="submit"]`)))
				sam.expectText(CSS("#status"), "Being triaged")
				// Refusing and reversing actions ask for a reason.
				for _, action := range []string{"request_info", "merge", "use_catalog", "reject_triage"} {
					if n := sam.count(`#details-` + action + ` textarea[name="reason"]`); n != 1 {
						t.Errorf("the %s form in triage has %d reason boxes, want 1", action, n)
					}
				}
				sam.screenshot(name + "-triage.png")
				sam.follow("pressing Accept for assessment", chromedp.Click(CSS(`#form-accept button[type="submit"]`)))
				sam.expectText(CSS("#status"), "Being assessed")
			}, sam)

			for _, rv := range reviewers {
				p := openPage(t, browser, e.URL, name+"-"+rv.kind)
				step(t, "3. the "+rv.kind+" review", func() {
					p.signIn(rv.email)
					p.open("/needs/" + ref)
					if n := p.count(`main form[id^="review-form-"]`); n != 1 {
						t.Errorf("%s sees %d review forms, want only the %s one", rv.email, n, rv.kind)
					}
					p.do("opening the review form", chromedp.Click(CSS("#review-details-"+rv.kind+" > summary")))
					p.do("choosing Approve", chromedp.Click(CSS("#review-"+rv.kind+"-verdict-approve")))
					p.follow("recording the review", chromedp.Click(CSS(`#review-form-`+rv.kind+` button[type="submit"]`)))
					if card := p.text(CSS("#review-" + rv.kind)); !strings.Contains(card, "Approve") || !strings.Contains(card, rv.name) {
						t.Errorf("the %s review card says %q, want Approve by %s", rv.kind, card, rv.name)
					}
					if rv.kind != "architecture" {
						return
					}
					p.do("opening the option form", chromedp.Click(CSS("#option-details > summary")))
					p.choose(CSS("#option-kind"), "Reuse a catalog service")
					p.choose(CSS("#option-offering_id"), offering)
					p.follow("adding the reuse option", chromedp.Click(CSS(`#option-form button[type="submit"]`)))
					if flash := p.text(CSS(".flash")); !strings.Contains(flash, "Option added") {
						t.Errorf("flash = %q, want it to say the option was added", flash)
					}
					rows := p.rows("main table.options")
					for _, want := range [][]string{
						{"Kind", "Reuse — see the service"},
						{"One-time", "€0.00"},
						{"Per month", monthly},
						{"Three years (one-time + 36 months)", threeYear},
						{"Holds data up to", "Confidential"},
					} {
						if got := rowWith(rows, want[0]); len(got) != 2 || got[1] != want[1] {
							t.Errorf("option row %s = %q, want %q", want[0], got, want)
						}
					}
				}, p)
			}

			step(t, "4. the BRM sends it to the board", func() {
				sam.open("/needs/" + ref)
				if got := sam.texts("#reviews + .cards .label"); strings.Join(got, ",") != "Approve,Approve,Approve" {
					t.Errorf("the review cards say %q, want three approvals", got)
				}
				sam.follow("pressing Send to the board", chromedp.Click(CSS(`#form-to_decision button[type="submit"]`)))
				sam.expectText(CSS("#status"), "Waiting for a decision")
			}, sam)

			board := openPage(t, browser, e.URL, name+"-board")
			step(t, "5. the board decides to reuse team chat", func() {
				board.signIn("board@example.com")
				board.open("/needs/queue")
				board.follow("opening the need from the queue", chromedp.Click(CSS(`main table a[href="/needs/`+ref+`"]`)))
				if n := board.count(`#decide-option_id input[type="radio"]`); n != 1 {
					t.Fatalf("the decision form offers %d options, want 1", n)
				}
				if got := board.text(CSS(`#decide-option_id label`)); !strings.Contains(got, threeYear) || strings.Contains(board.text(CSS("#decide-option_id")), "exception") {
					t.Errorf("the option to decide on says %q, want %s over three years and no exception needed", got, threeYear)
				}
				board.do("choosing the option and saying why",
					chromedp.Click(CSS(`#decide-option_id input[type="radio"]`)),
					chromedp.SendKeys(CSS("#decide-reason"), "Most departments already use it."),
				)
				board.follow("pressing Decide", chromedp.Click(CSS(`#form-decide button[type="submit"]`)))
				board.expectText(CSS("#status"), "Approved")
				if got := board.text(CSS("#decision + p")); !strings.Contains(got, "Reuse") || !strings.Contains(got, threeYear) || !strings.Contains(got, "Grace Liu") {
					t.Errorf("the decision says %q, want reuse for %s by Grace Liu", got, threeYear)
				}
				if got := board.text(CSS("main table.options thead")); !strings.Contains(got, "Chosen") {
					t.Errorf("the options table head = %q, want the chosen option marked", got)
				}
				if got := board.text(CSS("#timeline")); !strings.Contains(got, "Decided — Grace Liu") || !strings.Contains(got, "Most departments already use it.") {
					t.Errorf("the timeline = %q, want Grace Liu's decision and why", got)
				}
				board.screenshot(name + "-need.png")

				board.open("/needs/dashboard")
				board.expectText(CSS("main h1"), "Front door dashboard")
				if n := board.count("main figure svg.chart rect"); n < 1 {
					t.Errorf("the dashboard chart has %d bars, want at least one", n)
				}
				if row := rowWith(board.rows("#by-stage"), "Approved"); row == nil {
					t.Errorf("the dashboard's stages have no Approved row: %q", board.rows("#by-stage"))
				}
				if row := rowWith(board.rows("#decision-mix"), "Reuse"); len(row) < 2 || row[1] == "0" {
					t.Errorf("the dashboard's decisions show reuse as %q, want at least one", row)
				}
				board.screenshot(name + "-dashboard.png")
			}, board)

			step(t, "6. the delivery gate lets work proceed", func() {
				req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/gate/"+ref, nil)
				req.Header.Set("Authorization", "Bearer "+e.Token(t, "admin@example.com"))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				var answer struct {
					Allowed bool   `json:"allowed"`
					State   string `json:"state"`
				}
				if err := json.NewDecoder(res.Body).Decode(&answer); err != nil || res.StatusCode != http.StatusOK || !answer.Allowed || answer.State != "approved" {
					t.Errorf("GET /api/v1/gate/%s = %d %+v (%v), want allowed and approved", ref, res.StatusCode, answer, err)
				}

				riley.open("/gate")
				riley.do("typing the reference", chromedp.SendKeys(CSS("#reference"), ref))
				riley.follow("pressing Check", chromedp.Click(CSS(`main form[action="/gate"] button[type="submit"]`)))
				riley.expectText(CSS("#gate-answer h2"), "Allowed: work may proceed")
				if got := riley.text(CSS("#gate-answer")); !strings.Contains(got, title) {
					t.Errorf("the gate answer = %q, want the need's title for its requester", got)
				}
				riley.screenshot(name + "-gate.png")
			}, riley)

			step(t, "7. the requester orders the licences", func() {
				riley.open("/needs/" + ref)
				riley.follow("pressing Order it", chromedp.Click(CSS(`#form-order button[type="submit"]`)))
				if h := riley.text(CSS("main h1")); !regexp.MustCompile(`^Order ORD-2026-\d{6}$`).MatchString(h) {
					t.Errorf("after ordering the heading is %q, want Order ORD-2026-…", h)
				}
				if flash := riley.text(CSS(".flash")); !strings.Contains(flash, "placed for "+ref) {
					t.Errorf("flash = %q, want it to say the order was placed for %s", flash, ref)
				}
				riley.open("/needs/" + ref)
				if got := riley.facts()["Order"]; !strings.HasPrefix(got, "ORD-2026-") {
					t.Errorf("the need's Order fact = %q, want the order number", got)
				}
				if n := riley.count("#form-order"); n != 0 {
					t.Error("the need still offers to order it after the order")
				}
				riley.open("/frontdoor")
				if row := rowWith(riley.rows("main table"), title+" "+ref); row == nil || !strings.Contains(row[2], "Approved") {
					t.Errorf("the front door lists the need as %q, want it approved", row)
				}
				riley.screenshot(name + "-frontdoor.png")
			}, riley)
		})
	}
}
