package e2e

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/engagehq/engage/internal/apptest"
)

// TestArchitectImportsAndTheBoardSavesAScenario follows issue 15's story in
// the browser, on the forms the pages render. Jonas Becker, the enterprise
// architect, checks the Archisurance exchange file, sees what it would
// change, applies it, finds "Handle Claim" on the process map and links it
// to a catalog service with a weight. The board then reads its ranking of
// the needs in decision, changes a weight, tries a budget for next year and
// saves the scenario, which keeps what it funded.
func TestArchitectImportsAndTheBoardSavesAScenario(t *testing.T) {
	file, err := filepath.Abs("../internal/process/testdata/archimate/archisurance.xml")
	if err != nil {
		t.Fatal(err)
	}
	browser := startBrowser(t, 2*len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			name := "portfolio-" + engine

			jonas := openPage(t, browser, e.URL, name+"-architect")
			step(t, "1. the architect checks the exchange file, then applies it", func() {
				jonas.signIn("architect@example.com")
				jonas.open("/portfolio")
				jonas.follow("opening the import page", chromedp.Click(CSS(`main a[href="/portfolio/archimate"]`)))
				jonas.expectText(CSS("main h1"), "Import an ArchiMate model")
				jonas.do("choosing the file", chromedp.SetUploadFiles(CSS("#file"), []string{file}))
				jonas.follow("asking what would change", chromedp.Click(CSS(`form:has(#file) button[type="submit"]`)))
				summary := jonas.text(CSS("#plan-summary"))
				created := leadingInt(t, summary)
				if created < 20 || !strings.Contains(summary, "Nothing has been written yet") {
					t.Fatalf("the dry run says %q", summary)
				}
				jonas.do("choosing the same file to apply", chromedp.SetUploadFiles(CSS("#apply-file"), []string{file}))
				jonas.follow("applying", chromedp.Click(CSS(`form:has(#apply-file) button[type="submit"]`)))
				if loc := jonas.location(); !strings.HasSuffix(loc, "/portfolio") {
					t.Fatalf("after applying the browser is on %s", loc)
				}
				jonas.expectText(CSS("p.flash"), "Imported archisurance.xml: "+strconv.Itoa(created)+" created, 0 changed.")

				// The same file again changes nothing.
				jonas.open("/portfolio/archimate")
				jonas.do("choosing the file again", chromedp.SetUploadFiles(CSS("#file"), []string{file}))
				jonas.follow("asking again", chromedp.Click(CSS(`form:has(#file) button[type="submit"]`)))
				jonas.expectContains(CSS("#plan-summary"), "0 created, 0 changed")
				jonas.screenshot(name + "-import.png")
			}, jonas)

			step(t, "2. the architect links Handle Claim to a catalog service", func() {
				jonas.open("/portfolio")
				href := jonas.evalString(`(Array.from(document.querySelectorAll('main a[href^="/portfolio/processes/"]')).find(a => a.textContent.trim() === 'Handle Claim') || {}).getAttribute?.('href') || ''`)
				if href == "" {
					t.Fatal("the process map has no link to Handle Claim")
				}
				jonas.follow("opening Handle Claim", chromedp.Click(CSS(`main a[href="`+href+`"]`)))
				jonas.expectText(CSS("main h1"), "Handle Claim")
				jonas.choose(CSS("#target"), "Cloud virtual machines")
				jonas.do("typing the weight", chromedp.SetValue(CSS("#weight"), "40"))
				jonas.follow("linking", chromedp.Click(CSS(`form[action$="/links"] button[type="submit"]`)))
				row := jonas.evalString(`(Array.from(document.querySelectorAll('main tr')).find(r => r.innerText.includes('Cloud virtual machines')) || {}).innerText || ''`)
				if !strings.Contains(row, "40") {
					t.Fatalf("the process page shows the service as %q", row)
				}
				jonas.screenshot(name + "-linked.png")
			}, jonas)

			board := openPage(t, browser, e.URL, name+"-board")
			var funded []string
			step(t, "3. the board ranks the needs and saves a budget scenario", func() {
				board.signIn("board@example.com")
				board.open("/portfolio")
				board.follow("opening the objectives", chromedp.Click(CSS(`main a[href="/portfolio/objectives"]`)))
				board.follow("opening the ranking", chromedp.Click(CSS(`main a[href="/portfolio/ranking"]`)))
				board.expectText(CSS("main h1"), "The board's ranking")
				scores := board.rankedScores()
				if len(scores) < 2 {
					t.Fatalf("the ranking shows %d needs; the demo has needs in decision", len(scores))
				}
				// Urgency counts for more: the board changes its weight.
				board.do("changing the urgency weight",
					chromedp.SetValue(CSS("#urgency"), "6"))
				board.follow("saving the weights", chromedp.Click(CSS(`form[action="/portfolio/ranking/weights"] button[type="submit"]`)))
				board.expectContains(CSS("main"), "urgency 6")
				scores = board.rankedScores()
				for i := 1; i < len(scores); i++ {
					if scores[i] > scores[i-1] {
						t.Fatalf("rank %d scores %v, above rank %d's %v", i+1, scores[i], i, scores[i-1])
					}
				}
				// A budget that funds some needs and not others: half of
				// what the form proposes for all of them.
				all := board.value(CSS("#amount"))
				whole, err := strconv.ParseFloat(strings.ReplaceAll(all, ",", ""), 64)
				if err != nil || whole <= 0 {
					t.Fatalf("the budget form proposes %q", all)
				}
				board.do("typing the budget",
					chromedp.SetValue(CSS("#amount"), strconv.FormatFloat(whole/2, 'f', 2, 64)),
					chromedp.SetValue(CSS("#year"), "2027"),
					chromedp.SetValue(CSS("#currency"), "EUR"))
				board.follow("asking what fits", chromedp.Click(CSS(`form[action="/portfolio/scenarios/plan"] button[type="submit"]`)))
				board.expectText(CSS("main h1"), "Budget scenario (not saved)")
				funded = board.column("#funded", 2)
				outside := board.column("#outside", 2)
				if len(funded) == 0 || len(outside) == 0 {
					t.Fatalf("half the budget funds %q and leaves out %q", funded, outside)
				}
				board.do("naming the scenario", chromedp.SendKeys(CSS("#name"), "2027 at half"))
				board.follow("saving the scenario", chromedp.Click(CSS(`form[action="/portfolio/scenarios"] button[type="submit"]`)))
				board.expectText(CSS("main h1"), "Budget scenario: 2027 at half")
				if got := board.column("#funded", 2); strings.Join(got, "|") != strings.Join(funded, "|") {
					t.Fatalf("the saved scenario funds %q; the plan funded %q", got, funded)
				}
				board.screenshot(name + "-scenario.png")
				board.follow("opening the scenarios", chromedp.Click(CSS(`main a[href="/portfolio/scenarios"]`)))
				board.expectContains(CSS("main"), "2027 at half")
			}, board)
		})
	}
}

// expectContains fails the test unless the text of sel contains want.
func (p *page) expectContains(sel CSS, want string) {
	p.t.Helper()
	if got := p.text(sel); !strings.Contains(got, want) {
		p.t.Fatalf("%s = %q, want it to contain %q (page %s)", sel, got, want, p.location())
	}
}

// rankedScores reads the scores of the ranking's rows, in order.
func (p *page) rankedScores() []float64 {
	p.t.Helper()
	var out []float64
	for _, s := range p.column("#ranking", 3) {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			p.t.Fatalf("a score of the ranking reads %q", s)
		}
		out = append(out, f)
	}
	return out
}

// column reads the text of the n-th cell (from 1) of each body row of the
// table sel, skipping rows that span the table (its "nothing" row).
func (p *page) column(sel string, n int) []string {
	p.t.Helper()
	js := `Array.from(document.querySelectorAll(` + quoteJS(sel+" tbody tr") + `)).filter(r => r.cells.length >= ` +
		strconv.Itoa(n) + `).map(r => r.cells[` + strconv.Itoa(n-1) + `].innerText.trim()).join("\n")`
	s := p.evalString(js)
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

var leadingNumber = regexp.MustCompile(`^\s*(\d+)`)

// leadingInt reads the number a text starts with.
func leadingInt(t *testing.T, s string) int {
	t.Helper()
	m := leadingNumber.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%q does not start with a number", s)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
