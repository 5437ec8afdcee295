package e2e

import (
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestBoardPagesOnAPhone: the board's ranking, its scenarios and the
// objectives fit a 375 px window, and the ranking chart's labels stay
// readable there (the chart keeps a width of its own and scrolls inside its
// figure instead of shrinking its text to a few pixels).
func TestBoardPagesOnAPhone(t *testing.T) {
	browser := startBrowser(t, len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			p := openPage(t, browser, e.URL, "board-on-a-phone-"+engine)
			p.sized(375)
			p.signIn("board@example.com")
			fitsTheWindow(t, p, []string{"/portfolio/ranking", "/portfolio/scenarios", "/portfolio/scenarios/1", "/portfolio/objectives"})
			if status := p.open("/portfolio/ranking"); status != 200 {
				t.Fatalf("/portfolio/ranking: %d", status)
			}
			if !p.eval(`document.querySelectorAll("svg.chart text.chart-label").length > 0`) {
				t.Fatal("the ranking shows no chart")
			}
			const smallest = `Math.min(...[...document.querySelectorAll("svg.chart text.chart-label")].map(el => el.getBoundingClientRect().height))`
			if !p.eval(smallest + ` >= 11`) {
				t.Errorf("the ranking chart's labels are %s px high at 375 px, too small to read", p.evalString(`String(`+smallest+`)`))
			}
		})
	}
}
