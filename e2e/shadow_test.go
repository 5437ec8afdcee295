package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/engagehq/engage/internal/apptest"
)

// TestFinanceImportsAndTheBRMReachesOut follows issue 16's loop in the
// browser, on the forms the pages render. Hannah Schmidt of finance
// imports a card file in which two people of Sales pay for Zoom (and one
// flies to a client, which is not software); Sam Okafor, Sales' BRM, finds
// the Zoom case for Sales in his queue, sees the imported lines as its
// evidence and reaches out; Sales' head, on whose behalf the need is
// opened, then finds it in the front door, with the catalog's "Team chat and meetings" among what
// already exists.
func TestFinanceImportsAndTheBRMReachesOut(t *testing.T) {
	file, err := filepath.Abs("testdata/sales-cards.csv")
	if err != nil {
		t.Fatal(err)
	}
	browser := startBrowser(t, 3*len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			name := "shadow-" + engine

			finance := openPage(t, browser, e.URL, name+"-finance")
			step(t, "1. finance imports the card file", func() {
				finance.signIn("finance@example.com")
				finance.open("/spend/import")
				finance.expectText(CSS("main h1"), "Import spend")
				finance.do("choosing the file", chromedp.SetUploadFiles(CSS("#file"), []string{file}))
				finance.follow("importing", chromedp.Click(CSS(`form:has(#file) button[type="submit"]`)))
				facts := finance.text(CSS("#summary + dl"))
				for _, want := range []string{"Lines read\n5", "New lines stored\n5", "New lines recognised as software\n4"} {
					if !strings.Contains(facts, want) {
						t.Fatalf("the import says %q, want %q", facts, want)
					}
				}
				finance.screenshot(name + "-import.png")
			}, finance)

			brm := openPage(t, browser, e.URL, name+"-brm")
			var need string
			step(t, "2. the BRM opens the Zoom case for Sales and reaches out", func() {
				brm.signIn("brm@example.com")
				brm.open("/shadow/cases")
				href := brm.evalString(`(Array.from(document.querySelectorAll('#cases tbody tr')).find(r => r.cells.length > 2 && r.cells[1].innerText.trim() === 'Zoom' && r.cells[2].innerText.trim() === 'Sales') || {querySelector: () => null}).querySelector('a')?.getAttribute('href') || ''`)
				if href == "" {
					t.Fatalf("the queue has no Zoom case for Sales: %s", brm.text(CSS("#cases")))
				}
				brm.follow("opening the case", chromedp.Click(CSS(`#cases a[href="`+href+`"]`)))
				brm.expectText(CSS("main h1"), "Zoom in Sales")
				brm.expectText(CSS("#state"), "Open")
				// The evidence is the imported lines: 3 lines, 2 people,
				// the catalog's team chat beside them.
				evidence := brm.column("#evidence + .table-wrap table", 2)
				people := brm.column("#evidence + .table-wrap table", 3)
				instead := brm.column("#evidence + .table-wrap table", 7)
				if strings.Join(evidence, "|") != "3" || strings.Join(people, "|") != "2" || !strings.Contains(strings.Join(instead, "|"), "Team chat and meetings") {
					t.Fatalf("the evidence reads %q lines, %q people, %q instead", evidence, people, instead)
				}
				lines := brm.evalString(`document.querySelector('details').textContent`)
				for _, want := range []string{"ZOOM.US 888-799-9666", "ZOOM VIDEO COMMUNICA", "lena.sales@example.com", "tom.sales@example.com"} {
					if !strings.Contains(lines, want) {
						t.Fatalf("the case's latest lines do not show %q: %q", want, lines)
					}
				}
				if strings.Contains(lines, "LUFTHANSA") || strings.Contains(lines, "MIRO") {
					t.Fatalf("the case's lines show another vendor's: %q", lines)
				}
				brm.follow("reaching out", chromedp.Click(CSS("#reach-out")))
				brm.expectContains(CSS("p.flash"), "Reached out")
				brm.expectText(CSS("#state"), "Reached out")
				need = strings.TrimSpace(brm.text(CSS("#need")))
				if need == "" {
					t.Fatal("the case names no need")
				}
				brm.screenshot(name + "-case.png")
			}, brm)

			sales := openPage(t, browser, e.URL, name+"-sales")
			step(t, "3. Sales' head finds the need, with the reuse suggestion", func() {
				sales.signIn("head.sales@example.com")
				sales.open("/needs")
				sales.expectContains(CSS("main"), "Zoom bought outside IT by Sales")
				sales.follow("opening the need", chromedp.Click(CSS(`main a[href="/needs/`+need+`"]`)))
				sales.expectContains(CSS("main h1"), "Zoom bought outside IT by Sales")
				sales.expectContains(CSS("#reuse"), "Team chat and meetings")
				sales.screenshot(name + "-need.png")
			}, sales)
		})
	}
}
