package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/demo"
	"github.com/engagehq/engage/internal/org"
)

// TestMexicoFindsItsCommunityAndAnIdeaBecomesANeed follows issue 14's
// story, each person in a browser of their own. Riley Chen of the Biology
// Laboratory moves to the Mexico City site and finds its community among
// hers, through its location rule. She asks a question; Kofi Mensah, a
// moderator of the community, answers it officially and she accepts the
// answer. She proposes an idea; Dana Whitfield and Hannah Schmidt join the
// community (those who may post in it vote) and vote for it; Sam Okafor, the lab's BRM, turns it into a draft need for Riley,
// which the idea names; Riley opens it, sees where it comes from and
// submits it. Sam reads the lab's engagement score before and after: its
// front-door part (the need), its participation part (Riley posted) and
// the score itself go up.
func TestMexicoFindsItsCommunityAndAnIdeaBecomesANeed(t *testing.T) {
	const (
		question = "Which printer do we use at the Mexico site?"
		idea     = "A shared 3D printer for the Mexico lab"
	)
	voters := []string{"budget@example.com", "finance@example.com"}
	browser := startBrowser(t, (4+len(voters))*len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			name := "mexico-community-" + engine
			ctx := context.Background()
			sys := access.System("test")

			// Setup: Riley moves to the Mexico City site, as an
			// administrator would record it.
			riley, err := e.Org.FindPersonByEmail(ctx, "requester@example.com")
			if err != nil {
				t.Fatal(err)
			}
			sites, _, err := e.Org.ListLocations(ctx, sys, org.ListFilter{Query: demo.LocationMexico, Limit: 10})
			if err != nil || len(sites) != 1 {
				t.Fatalf("the demo's Mexico site: %v %v", sites, err)
			}
			in := riley.Input()
			in.LocationID = sites[0].ID
			if _, err := e.Org.UpdatePerson(ctx, sys, riley.ID, riley.Version, in); err != nil {
				t.Fatalf("moving Riley to Mexico: %v", err)
			}
			deptPath := "/engagement/departments/" + strconv.FormatInt(riley.DepartmentID, 10)

			sam := openPage(t, browser, e.URL, name+"-brm")
			var before deptScore
			step(t, "0. the BRM reads the lab's engagement score", func() {
				sam.signIn("brm@example.com")
				sam.open("/engagement/brm")
				sam.expectText(CSS("main h1"), "Departments' engagement")
				sam.follow("opening Biology Laboratory's score", chromedp.Click(CSS(`#scores a[href="`+deptPath+`"]`)))
				sam.expectText(CSS("main h1"), "Engagement of Biology Laboratory")
				before = sam.deptScore()
				sam.screenshot(name + "-score-before.png")
			}, sam)

			rp := openPage(t, browser, e.URL, name)
			var topicPath string
			step(t, "1. Riley finds the Mexico community through its rule", func() {
				rp.signIn("requester@example.com")
				rp.open("/communities")
				rp.expectText(CSS("main h1"), "Communities")
				home := `#communities a[href="/communities/` + demo.CommunityMexico + `"]`
				row := rp.evalString(`document.querySelector(` + quoteJS(home) + `).closest('tr').innerText`)
				if !strings.Contains(row, "Mexico City Site") || !strings.Contains(row, "Member") {
					t.Errorf("the communities list shows Mexico as %q, want Riley a member", row)
				}
				rp.follow("opening the Mexico community", chromedp.Click(CSS(home)))
				rp.expectText(CSS("main h1"), "Mexico City Site")
				if n := rp.count(`main form[action="/communities/` + demo.CommunityMexico + `/leave"]`); n != 1 {
					t.Errorf("the community page offers %d Leave buttons, want 1 for a member", n)
				}
			}, rp)

			step(t, "2. Riley asks a question", func() {
				rp.startTopic("question", question, "I moved here this week: which printer should I **add**, and how?")
				topicPath = strings.TrimPrefix(rp.location(), e.URL)
				if !regexp.MustCompile(`^/communities/mexico-site/topics/\d+$`).MatchString(topicPath) {
					t.Fatalf("after posting the page is %s, want the topic", topicPath)
				}
				if got := rp.text(CSS("#topic .prose strong")); got != "add" {
					t.Errorf("the question's Markdown shows %q in bold, want add", got)
				}
			}, rp)

			kofi := openPage(t, browser, e.URL, name+"-moderator")
			step(t, "3. IT answers officially", func() {
				kofi.signIn("moderator@example.com")
				kofi.open("/communities/" + demo.CommunityMexico)
				kofi.follow("opening the question", chromedp.Click(CSS(`#topics a[href="`+topicPath+`"]`)))
				kofi.expectText(CSS("main h1"), question)
				kofi.do("writing the answer",
					chromedp.SendKeys(CSS("#reply-form #body"), "Add **MEX-PRN-01** from Settings › Printers; it is on the second floor."),
					chromedp.Click(CSS(`#reply-form input[name="official"]`)),
				)
				kofi.follow("posting the official answer", chromedp.Click(CSS(`#reply-form button[type="submit"]`)))
				if got := kofi.text(CSS("article.post.official")); !strings.Contains(got, "Official IT answer") || !strings.Contains(got, "Kofi Mensah") {
					t.Errorf("the answer says %q, want it official, by Kofi Mensah", got)
				}
			}, kofi)

			step(t, "4. Riley accepts the answer as the solution", func() {
				rp.open(topicPath)
				rp.follow("accepting the answer", chromedp.Click(CSS(`article.post.official form[action$="/accept"] button`)))
				rp.expectText(CSS("main h1"), question)
				labels := rp.text(CSS("main h1 + p"))
				if !strings.Contains(labels, "IT answered") || !strings.Contains(labels, "Solved") {
					t.Errorf("the topic's labels are %q, want IT answered and Solved", labels)
				}
				if got := rp.text(CSS("article.post.official")); !strings.Contains(got, "Accepted solution") {
					t.Errorf("the answer says %q, want it the accepted solution", got)
				}
				rp.open("/communities/" + demo.CommunityMexico)
				row := rp.evalString(`document.querySelector('#topics a[href="` + topicPath + `"]').closest('li').innerText`)
				if !strings.Contains(row, "IT answered") || !strings.Contains(row, "Solved") {
					t.Errorf("the community lists the question as %q, want IT answered and Solved", row)
				}
				rp.screenshot(name + "-solved.png")
			}, rp)

			var ideaPath string
			step(t, "5. Riley proposes an idea", func() {
				rp.startTopic("idea", idea, "We print prototypes by courier from the main site; a shared printer here would save a week each time.")
				rp.follow("opening the idea's votes", chromedp.Click(CSS("#idea-link")))
				ideaPath = strings.TrimPrefix(rp.location(), e.URL)
				rp.expectText(CSS("#votes"), "0 votes")
			}, rp)

			for i, email := range voters {
				v := openPage(t, browser, e.URL, name+"-voter-"+strconv.Itoa(i))
				step(t, "6. "+email+" votes for the idea", func() {
					v.signIn(email)
					v.open("/communities/" + demo.CommunityMexico)
					who, err := e.Org.FindPersonByEmail(ctx, email)
					if err != nil {
						t.Fatal(err)
					}
					voter, err := e.Org.Principal(ctx, who.ID, "test")
					if err != nil {
						t.Fatal(err)
					}
					if _, r, err := e.Communities.BySlugWithRights(ctx, voter, demo.CommunityMexico); err != nil {
						t.Fatal(err)
					} else if r.Join {
						// Those who may post in a community vote on its ideas.
						v.follow("joining the community", chromedp.Click(CSS(`form[action$="/join"] button`)))
						v.open("/communities/" + demo.CommunityMexico)
					}
					v.follow("opening the idea", chromedp.Click(CSS(`#topics a[href$="/topics/`+topicID(ideaPath)+`"]`)))
					v.follow("opening its votes", chromedp.Click(CSS("#idea-link")))
					v.follow("voting", chromedp.Click(CSS(`#idea form[action$="/idea/vote"] button`)))
					v.expectText(CSS("#votes"), strconv.Itoa(i+1)+plural(i+1, " vote", " votes"))
				}, v)
			}

			var ref string
			step(t, "7. the BRM turns the idea into a need", func() {
				sam.open("/communities/" + demo.CommunityMexico + "/ideas")
				sam.follow("opening the idea", chromedp.Click(CSS(`#ideas a[href="`+ideaPath+`"]`)))
				sam.expectText(CSS("#votes"), "2 votes")
				sam.do("opening Turn it into a need", chromedp.Click(CSS("#need-details > summary")))
				sam.follow("turning it into a need", chromedp.Click(CSS(`#need-details form button[type="submit"]`)))
				got := sam.text(CSS("#idea-need"))
				ref = regexp.MustCompile(`NEED-\d{4}-\d{4,}`).FindString(got)
				if ref == "" {
					t.Fatalf("the idea says %q, want the need's reference", got)
				}
				// The need is a draft for Riley to complete: hers alone, so
				// the BRM is shown its reference without a link to it.
				if n := sam.count("#idea-need a"); n != 0 {
					t.Errorf("the idea links the BRM %d times to Riley's draft need, which he cannot open", n)
				}
				if !strings.Contains(got, "for Riley Chen to complete") {
					t.Errorf("the idea says %q, want it to say the need is Riley's to complete", got)
				}
				sam.screenshot(name + "-idea-need.png")
			}, sam)

			step(t, "8. Riley submits the need", func() {
				rp.open(ideaPath)
				rp.follow("opening the need", chromedp.Click(CSS(`#idea-need a[href="/needs/`+ref+`"]`)))
				rp.expectText(CSS("#reference"), ref)
				if got := rp.text(CSS("#origin")); !strings.Contains(got, "comes from an idea") {
					t.Errorf("the need's origin says %q, want the idea", got)
				}
				rp.follow("following the need back to its idea", chromedp.Click(CSS("#origin a")))
				rp.expectText(CSS("main h1"), idea)
				rp.follow("opening the need again", chromedp.Click(CSS(`#idea-need a[href="/needs/`+ref+`"]`)))
				rp.follow("changing the draft", chromedp.Click(CSS(`main a[href="/needs/`+ref+`/edit"]`)))
				rp.follow("submitting it", chromedp.Click(CSS(`button[name="action"][value="submit"]`)))
				rp.expectText(CSS("#status"), "Submitted")
				rp.screenshot(name + "-need.png")
				sam.open(ideaPath)
				if got := sam.text(CSS("#idea-need")); !strings.Contains(got, ref) || !strings.Contains(got, "Submitted") {
					t.Errorf("the idea says %q to the BRM, want need %s submitted", got, ref)
				}
				sam.follow("opening the submitted need", chromedp.Click(CSS(`#idea-need a[href="/needs/`+ref+`"]`)))
				if got := sam.text(CSS("#origin")); !strings.Contains(got, "comes from an idea") {
					t.Errorf("the need's origin says %q to the BRM, want the idea", got)
				}
			}, rp, sam)

			step(t, "9. the BRM sees the lab's score go up", func() {
				sam.open("/engagement/brm")
				sam.follow("opening Biology Laboratory's score", chromedp.Click(CSS(`#scores a[href="`+deptPath+`"]`)))
				after := sam.deptScore()
				t.Logf("score %.1f → %.1f; front door %.4f (%s) → %.4f (%s); participation %.4f (%s) → %.4f (%s)",
					before.score, after.score, before.frontDoor, before.frontDoorInputs, after.frontDoor, after.frontDoorInputs,
					before.participation, before.participationInputs, after.participation, after.participationInputs)
				if after.frontDoor <= before.frontDoor {
					t.Errorf("the front-door measure went from %.4f to %.4f, want it up after the need", before.frontDoor, after.frontDoor)
				}
				if after.participation <= before.participation {
					t.Errorf("the participation measure went from %.4f to %.4f, want it up: Riley posted", before.participation, after.participation)
				}
				if after.score <= before.score {
					t.Errorf("the score went from %.1f to %.1f, want it up", before.score, after.score)
				}
				sam.screenshot(name + "-score-after.png")
			}, sam)
		})
	}
}

// startTopic fills in a community page's new-topic form and posts it,
// landing on the new topic.
func (p *page) startTopic(kind, title, body string) {
	p.t.Helper()
	p.do("writing the "+kind,
		chromedp.Click(CSS(`#new-topic input[name="kind"][value="`+kind+`"]`)),
		chromedp.SendKeys(CSS("#title"), title),
		chromedp.SendKeys(CSS("#body"), body),
	)
	p.follow("posting the "+kind, chromedp.Click(CSS(`#new-topic button.primary[type="submit"]`)))
	p.expectText(CSS("main h1"), title)
}

// deptScore is what a department's engagement page says.
type deptScore struct {
	score                                float64
	frontDoor, participation             float64
	frontDoorInputs, participationInputs string
}

// deptScore reads the score and the front-door and participation parts of
// a department's engagement page.
func (p *page) deptScore() deptScore {
	p.t.Helper()
	var d deptScore
	s := regexp.MustCompile(`[\d.]+ of 100`).FindString(p.text(CSS("#score strong")))
	d.score = number(p.t, strings.TrimSuffix(s, " of 100"))
	rows := p.rows("#parts")
	for _, part := range []struct {
		name    string
		measure *float64
		inputs  *string
	}{{"Front-door use", &d.frontDoor, &d.frontDoorInputs}, {"Community participation", &d.participation, &d.participationInputs}} {
		row := rowWith(rows, part.name)
		if len(row) != 6 {
			p.t.Fatalf("the parts table has no row %s: %q", part.name, rows)
		}
		*part.measure, *part.inputs = number(p.t, row[3]), row[2]
	}
	return d
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("reading the number %q: %v", s, err)
	}
	return f
}

// topicID returns the topic id in an idea's path.
func topicID(ideaPath string) string {
	return regexp.MustCompile(`/topics/(\d+)/`).FindStringSubmatch(ideaPath + "/")[1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
