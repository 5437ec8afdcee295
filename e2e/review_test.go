package e2e

import (
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// reviewPhoneWidth is the narrowest phone the new pages are checked at.
const reviewPhoneWidth = 375

// TestPortfolioAndShadowPagesOnAPhone opens the pages of the portfolio
// and of the shadow-IT loop at 375 px, as the administrator who sees every
// one of them: none makes the page scroll sideways; a wide table scrolls
// inside its own container.
func TestPortfolioAndShadowPagesOnAPhone(t *testing.T) {
	browser := startBrowser(t, len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			p := openPage(t, browser, e.URL, "review-phone-"+engine)
			p.sized(reviewPhoneWidth)
			p.signIn("admin@example.com")

			p.open("/shadow/cases")
			caseHref := p.evalString(`document.querySelector('main a[href^="/shadow/cases/"]')?.getAttribute('href') || ''`)
			p.open("/portfolio")
			processHref := p.evalString(`document.querySelector('main a[href^="/portfolio/processes/"]')?.getAttribute('href') || ''`)
			if caseHref == "" || processHref == "" {
				t.Fatalf("the demo offers no shadow case (%q) or no process (%q) to open", caseHref, processHref)
			}
			pages := []string{"/shadow", "/shadow/cases", caseHref, "/spend", "/spend/seats", "/portfolio", processHref,
				"/portfolio/heatmap", "/portfolio/ranking"}
			for _, path := range pages {
				if status := p.open(path); status != 200 {
					t.Errorf("%s: status %d, want 200", path, status)
					continue
				}
				p.noSideways(path + " at 375 px")
				if !p.eval(`document.documentElement.scrollWidth <= window.innerWidth`) {
					t.Logf("%s: what runs off the side: %s", path, p.evalString(overflowing))
				}
				p.pageShot("review-375" + strings.ReplaceAll(path, "/", "-") + "-" + engine + ".png")
			}
		})
	}
}

// overflowing names the elements whose right edge is beyond the window and
// that no scrolling container of their own holds.
const overflowing = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right <= window.innerWidth + 0.5 || r.width === 0) continue;
    let held = false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') { held = true; break; }
    }
    if (!held) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\s+/g, '.') : '') + ' ' + Math.round(r.right));
  }
  return out.slice(0, 12).join(', ');
})()`
