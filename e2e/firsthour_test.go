package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/frontdoor"
)

// TestRequesterCreatesTokenAndComparesLegacyWithCloud: on the account page
// a requester names and creates an API token and sees it once; from the
// legacy rack server's page they reach the cloud VMs beside it.
func TestRequesterCreatesTokenAndComparesLegacyWithCloud(t *testing.T) {
	browser := startBrowser(t, len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			p := openPage(t, browser, e.URL, "requester-token-compare-"+engine)
			p.signIn("requester@example.com")

			p.follow("opening the account page", chromedp.Click(CSS(`header a[href="/account"]`)))
			p.do("naming the token", chromedp.SendKeys(CSS("#token_name"), "Monthly usage upload"))
			if status := p.follow("creating the token", chromedp.Click(CSS(`form[action="/account/tokens"] button[type="submit"]`))); status != 200 {
				t.Fatalf("creating a token: status %d, want 200", status)
			}
			if secret := p.text(CSS("#new-token")); len(strings.TrimSpace(secret)) < 20 {
				t.Errorf("the new token shown is %q", secret)
			}
			if row := p.text(CSS(`#tokens ~ div table tbody tr`)); !strings.Contains(row, "Monthly usage upload") || !strings.Contains(row, "Active") {
				t.Errorf("token list row = %q, want the new active token", row)
			}
			p.screenshot("requester-token-created-" + engine + ".png")

			p.open("/catalog/physical-server")
			if why := p.text(CSS("main table tbody tr")); !strings.Contains(why, "takes no new orders") || !strings.Contains(why, "Use instead") {
				t.Errorf("the retiring server's offering says %q; want why it cannot be ordered and what to use instead", why)
			}
			link := `#alternatives a[href^="/compare"]`
			if got := p.text(CSS(link)); got != "Compare Physical server (legacy) with Cloud virtual machines" {
				t.Fatalf("first comparison link = %q", got)
			}
			if status := p.follow("comparing with the cloud", chromedp.Click(CSS(link))); status != 200 {
				t.Fatalf("comparison: status %d", status)
			}
			heads := p.texts("main table thead th")
			joined := strings.Join(heads, " | ")
			if !strings.Contains(joined, "Physical server (legacy)") || !strings.Contains(joined, "Cloud virtual machines") {
				t.Errorf("comparison columns = %q, want the rack server beside the cloud VMs", joined)
			}
			if delivery := p.text(CSS(`main table tbody tr:nth-child(4)`)); !strings.Contains(delivery, "Legacy") || !strings.Contains(delivery, "Cloud") {
				t.Errorf("delivery row = %q, want legacy beside cloud", delivery)
			}
			p.screenshot("legacy-vs-cloud-" + engine + ".png")
		})
	}
}

// screenWidths are the widths the main pages are photographed at.
var screenWidths = []struct {
	name          string
	width, height int64
	mobile        bool
}{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}}

// TestScreenshotsOfMainPages photographs the main pages, as the person
// who uses each, at desktop and phone width, into the artifacts folder, so
// that a change can be looked at. Each page must answer and show its title.
func TestScreenshotsOfMainPages(t *testing.T) {
	e := apptest.New(t, "sqlite")
	list, _, err := e.FrontDoor.List(context.Background(), access.System("test"), frontdoor.ListFilter{State: frontdoor.Assessment, Limit: 1})
	if err != nil || len(list) == 0 {
		t.Fatalf("no need in assessment in the demo: %v", err)
	}
	compare := fmt.Sprintf("/compare?o=%d&o=%d&qty=10", offeringID(t, e, "physical-server", "physical-server-standard"), offeringID(t, e, "cloud-vm", "cloud-vm-medium"))
	pages := []struct{ who, path, name string }{
		{"requester@example.com", "/", "home"},
		{"requester@example.com", "/catalog", "catalog"},
		{"requester@example.com", "/catalog/cloud-vm", "service"},
		{"requester@example.com", "/catalog/physical-server", "service-legacy"},
		{"requester@example.com", compare, "compare"},
		{"requester@example.com", "/needs/new", "need-form"},
		{"requester@example.com", "/account", "account"},
		{"requester@example.com", "/api-reference", "api-reference"},
		{"brm@example.com", "/needs", "needs"},
		{"brm@example.com", "/needs/" + list[0].Reference, "need"},
		{"budget@example.com", "/costs", "costs"},
		{"budget@example.com", "/approvals", "approvals"},
		{"finance@example.com", "/billing", "billing"},
		{"admin@example.com", "/admin", "admin"},
		{"admin@example.com", "/admin/people", "admin-people"},
	}
	browser := startBrowser(t, len(pages))
	for _, pg := range pages {
		// A tab per page keeps each within the tab's time limit.
		p := openPage(t, browser, e.URL, "screen-"+pg.name)
		p.signIn(pg.who)
		for _, w := range screenWidths {
			var opts []chromedp.EmulateViewportOption
			if w.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
			}
			p.do("setting the width to "+w.name, chromedp.EmulateViewport(w.width, w.height, opts...))
			if status := p.open(pg.path); status != 200 {
				t.Errorf("%s as %s: status %d", pg.path, pg.who, status)
				continue
			}
			if h1 := p.text(CSS("main h1")); h1 == "" {
				t.Errorf("%s at %s width shows no heading", pg.path, w.name)
			}
			name := fmt.Sprintf("screen-%s-%s.png", pg.name, w.name)
			if pg.name != "api-reference" {
				p.screenshot(name)
				continue
			}
			// Too long for one picture: its first screen.
			png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatalf("taking a screenshot: %v", err)
			}
			if _, err := writeArtifact(name, png); err != nil {
				t.Fatal(err)
			}
		}
	}
}
