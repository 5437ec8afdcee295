package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
)

// TestBudgetHolderSeesWhatWaitsAndRequesterIsTold: Riley Chen orders three
// developer laptops (€6,786.00 over 36 months, above the demo's €5,000
// threshold). Dana Whitfield, the lab's budget holder, finds the order on
// her home page under "Waiting for you", with a count in the navigation,
// opens it, reads the cost in words and approves it; Riley then finds
// "Approved" in their inbox.
func TestBudgetHolderSeesWhatWaitsAndRequesterIsTold(t *testing.T) {
	const summary = "€6,786.00 over 36 months (€186.00 a month and €90.00 once)"
	browser := startBrowser(t, 2*len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			riley, err := e.Org.FindPersonByEmail(ctx, "requester@example.com")
			if err != nil {
				t.Fatal(err)
			}
			rileyP, err := e.Org.Principal(ctx, riley.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			laptop := offeringID(t, e, "laptops", "laptop-developer")
			q, err := e.Catalog.CreateQuote(ctx, rileyP, catalog.QuoteInput{Lines: []catalog.QuoteLineInput{{OfferingID: laptop, Quantity: decimal.NewFromInt(3)}}})
			if err != nil {
				t.Fatal(err)
			}
			order, err := e.Catalog.OrderQuote(ctx, rileyP, q.Number, catalog.OrderInput{})
			if err != nil || order.Status != catalog.OrderPending {
				t.Fatalf("Riley's order = %+v, %v; want it waiting for approval", order, err)
			}
			title := "Order " + order.Number + " for Biology Laboratory"
			name := "waiting-" + engine

			dana := openPage(t, browser, e.URL, name+"-budget-holder")
			step(t, "1. the budget holder sees the order waiting on her home page", func() {
				dana.signIn("budget@example.com")
				dana.open("/")
				if got := dana.text(CSS("#nav-waiting")); got == "" || got[0] < '1' || got[0] > '9' {
					t.Errorf("the navigation's count of what waits = %q, want a number", got)
				}
				row := rowWith(dana.rows("#waiting-list"), title)
				if row == nil || !strings.Contains(row[0], summary) || !strings.HasPrefix(row[1], "Approve or decline") {
					t.Fatalf("the home page's waiting list = %q, want %q with %q", dana.rows("#waiting-list"), title, summary)
				}
				dana.screenshot(name + "-home.png")
			}, dana)

			step(t, "2. she opens it and approves", func() {
				href := dana.evalString(`([...document.querySelectorAll('#waiting-list a')].find(a => a.textContent.trim() === ` + quoteJS(title) + `)?.getAttribute('href') ?? '')`)
				if href == "" {
					t.Fatalf("no link to %q in the waiting list", title)
				}
				dana.follow("opening the request", chromedp.Click(CSS(`#waiting-list a[href="`+href+`"]`)))
				dana.expectText(CSS("main h1"), title)
				if got := dana.facts()["What it costs"]; got != summary {
					t.Errorf("the request says it costs %q, want %q", got, summary)
				}
				dana.follow("approving", chromedp.Click(CSS(`main form button[name="verdict"][value="approve"]`)))
				dana.expectText(CSS("#status"), "Approved")
			}, dana)

			rileyPage := openPage(t, browser, e.URL, name+"-requester")
			step(t, "3. the requester is told", func() {
				rileyPage.signIn("requester@example.com")
				rileyPage.open("/inbox")
				if got := rileyPage.text(CSS("main")); !strings.Contains(got, "Approved: "+title) {
					t.Errorf("Riley's inbox does not say the order was approved: %s", got)
				}
				rileyPage.screenshot(name + "-requester-told.png")
			}, rileyPage)
		})
	}
}
