package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/cloudbill"
)

// Screen sizes the layout is checked at: a laptop and a phone.
const (
	desktopWidth = 1280
	phoneWidth   = 390
)

// sized sets the tab's viewport width (and a matching height).
func (p *page) sized(width int64) {
	p.t.Helper()
	height := int64(900)
	if width <= phoneWidth {
		height = 844
	}
	p.do("resizing the viewport", chromedp.EmulateViewport(width, height))
}

// pageShot saves a screenshot of the whole page.
func (p *page) pageShot(name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("taking a screenshot: %v", err)
	}
	p.saveShot(name, png)
}

// saveShot writes a PNG into the directory named by ENGAGE_SCREENSHOTS, or
// into the test's temporary directory.
func (p *page) saveShot(name string, png []byte) {
	p.t.Helper()
	dir := os.Getenv("ENGAGE_SCREENSHOTS")
	if dir == "" {
		dir = p.t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if !strings.HasPrefix(string(png), "\x89PNG\r\n\x1a\n") {
		p.t.Fatalf("screenshot %s is not a PNG", name)
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", file)
}

// partShot writes a screenshot of one element, as pageShot does.
func (p *page) partShot(sel CSS, name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.Screenshot(sel))
	if err != nil {
		p.t.Fatalf("taking a screenshot of %s: %v", sel, err)
	}
	p.saveShot(name, png)
}

// noSideways fails the test when the page is wider than the window: a
// person would have to scroll sideways to read it.
func (p *page) noSideways(what string) {
	p.t.Helper()
	width := p.evalString(`String(document.documentElement.scrollWidth) + " > " + String(window.innerWidth)`)
	if !p.eval(`document.documentElement.scrollWidth <= window.innerWidth`) {
		p.t.Errorf("%s is wider than the window (%s px)", what, width)
	}
}

// TestQuotePageOnAPhone opens the quote form at 390 px: the navigation
// waits behind a Menu button that opens it, the offering lists take the
// width of the screen and show whole names, and nothing runs off the side.
func TestQuotePageOnAPhone(t *testing.T) {
	browser := startBrowser(t, len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			p := openPage(t, browser, e.URL, "quote-on-a-phone-"+engine)
			p.sized(phoneWidth)
			p.signIn("requester@example.com")
			p.open("/quotes/new")
			p.expectText(CSS("main h1"), "Get a quote")

			if p.eval(`document.querySelector('header nav').checkVisibility()`) {
				t.Error("on a phone the navigation shows before the Menu button is pressed")
			}
			if !p.eval(`document.querySelector('#menu-button').checkVisibility()`) {
				t.Fatal("on a phone there is no Menu button")
			}
			if h := p.evalString(`String(document.querySelector('header.top').getBoundingClientRect().height)`); p.eval(`document.querySelector('header.top').getBoundingClientRect().height > 80`) {
				t.Errorf("the closed header is %s px high, want one row", h)
			}
			p.noSideways("the quote form on a phone")
			p.pageShot("quote-form-390-" + engine + ".png")

			p.do("pressing Menu", chromedp.Click(CSS("#menu-button")))
			if !p.eval(`document.querySelector('header nav').checkVisibility()`) {
				t.Fatal("pressing Menu does not show the navigation")
			}
			// One link a row: each link starts at the same left edge.
			if !p.eval(`(() => { const xs = [...document.querySelectorAll('header nav a')].map(a => a.getBoundingClientRect().left); return xs.length > 3 && xs.every(x => x === xs[0]); })()`) {
				t.Error("the opened menu does not list its links one below the other")
			}
			p.noSideways("the opened menu")
			p.pageShot("quote-form-390-menu-" + engine + ".png")
			p.do("closing the menu", chromedp.Click(CSS("#menu-button")))

			// The offering lists are as wide as the form and show whole names.
			if !p.eval(`[...document.querySelectorAll('table.quote-lines select')].every(s => s.getBoundingClientRect().width >= window.innerWidth * 0.8)`) {
				t.Errorf("offering lists are narrower than the screen: %s", p.evalString(`[...document.querySelectorAll('table.quote-lines select')].map(s => s.getBoundingClientRect().width).join(", ")`))
			}
			p.choose(CSS("#o0"), p.evalString(`document.querySelector('#o0').options[1].text`))
			p.do("typing a quantity", chromedp.SendKeys(CSS("#q0"), "20"))
			p.follow("pressing Update prices", chromedp.Click(CSS(`main form button[name="action"][value="price"]`)))
			// The prices of the line are on screen, not off to the right.
			if !p.eval(`[...document.querySelectorAll('table.quote-lines td.num')].filter(td => td.textContent.trim() !== '' && td.checkVisibility()).every(td => td.getBoundingClientRect().right <= window.innerWidth)`) {
				t.Error("a price of the quote is off the right of the screen")
			}
			p.noSideways("the priced quote on a phone")
			p.pageShot("quote-priced-390-" + engine + ".png")

			// On a laptop the menu is open and there is no Menu button.
			p.sized(desktopWidth)
			if p.eval(`document.querySelector('#menu-button').checkVisibility()`) || !p.eval(`document.querySelector('header nav').checkVisibility()`) {
				t.Error("on a laptop the navigation is hidden behind a Menu button")
			}
			p.pageShot("quote-priced-1280-" + engine + ".png")
		})
	}
}

// TestReadingPagesAtTwoWidths opens the pages made easier to read — the
// statement with its chart, the cloud charges by resource, a decided need,
// the needs dashboard and the audit log — on a laptop and on a phone: none
// is wider than the screen, and each is saved as a screenshot.
func TestReadingPagesAtTwoWidths(t *testing.T) {
	browser := startBrowser(t, 4*len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			sample, err := os.Open("../internal/focus/testdata/focus_sample.csv")
			if err != nil {
				t.Fatal(err)
			}
			defer sample.Close()
			if _, err := e.CloudBill.Import(ctx, access.System("test"), "focus_sample.csv", sample, cloudbill.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			var decided, service string
			if err := e.DB.QueryRow(ctx, "SELECT reference FROM needs WHERE state = 'approved' AND decision_option_id IS NOT NULL ORDER BY id LIMIT 1").Scan(&decided); err != nil {
				t.Fatal(err)
			}
			if err := e.DB.QueryRow(ctx, "SELECT service_name FROM cloud_charge_batches WHERE period = '2024-09' AND department_id IS NULL GROUP BY service_name ORDER BY COUNT(*) DESC LIMIT 1").Scan(&service); err != nil {
				t.Fatal(err)
			}
			bio := department(t, e, "BIO")
			pages := []struct{ who, name, path string }{
				{"budget@example.com", "statement", fmt.Sprintf("/costs?department=%d&period=2026-01", bio.ID)},
				{"finance@example.com", "cloud-charges", "/costs/cloud?period=2024-09&service=" + strings.ReplaceAll(service, " ", "+")},
				{"board@example.com", "need", "/needs/" + decided},
				{"board@example.com", "needs-dashboard", "/needs/dashboard"},
				{"admin@example.com", "audit-log", "/admin/audit"},
			}
			// Parts worth a closer look, saved on their own.
			parts := map[string][]struct{ sel, name string }{
				"statement":       {{"figure.trend", "trend-chart"}, {"table.statement-lines", "statement-lines"}},
				"need":            {{"#progress", "need-progress"}},
				"needs-dashboard": {{"#headline", "needs-headline"}},
				"audit-log":       {{"#audit-events tbody tr", "audit-event"}},
				"cloud-charges":   {{"table.cloud-charges", "cloud-charges-table"}},
			}
			tabs := map[string]*page{}
			for _, pg := range pages {
				p := tabs[pg.who]
				if p == nil {
					p = openPage(t, browser, e.URL, "reading-"+strings.Split(pg.who, "@")[0]+"-"+engine)
					p.signIn(pg.who)
					tabs[pg.who] = p
				}
				for _, width := range []int64{desktopWidth, phoneWidth} {
					p.sized(width)
					if status := p.open(pg.path); status != 200 {
						t.Errorf("%s: status %d", pg.path, status)
						continue
					}
					p.noSideways(fmt.Sprintf("%s at %d px", pg.name, width))
					p.pageShot(fmt.Sprintf("%s-%d-%s.png", pg.name, width, engine))
					for _, part := range parts[pg.name] {
						p.partShot(CSS(part.sel), fmt.Sprintf("%s-%d-%s.png", part.name, width, engine))
					}
				}
			}
		})
	}
}
