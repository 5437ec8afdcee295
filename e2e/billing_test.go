package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/billing"
)

// TestFinanceClosesAndBudgetHolderReadsStatement: finance runs February
// 2026 and closes it through the billing page; Dana Whitfield, who heads
// Discovery Science, reads the Biology Laboratory's statement for March,
// sees that its lines add up to the total, and drills down from the HPC
// line to the usage records behind it.
func TestFinanceClosesAndBudgetHolderReadsStatement(t *testing.T) {
	browser := startBrowser(t, 2*len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			sys := access.System("test")
			bio := department(t, e, "BIO")

			finance := openPage(t, browser, e.URL, "finance-closes-"+engine)
			step(t, "1. finance runs February", func() {
				finance.signIn("finance@example.com")
				finance.open("/billing?period=2026-02")
				finance.expectText(CSS("main h1"), "Billing")
				finance.expectText(CSS("#period"), "February 2026 — open")
				if status := finance.follow("running February", chromedp.Click(CSS(`#period-2026-02 form button[type="submit"]`))); status != 200 {
					t.Fatalf("running February: status %d", status)
				}
				finance.expectText(CSS("#run-report-title"), "Billing run for February 2026")
				if n := finance.text(CSS("#report-statements")); n != "12" {
					t.Errorf("the run report counts %s statements, want 12", n)
				}
			}, finance)
			step(t, "2. finance closes February", func() {
				// Without the confirmation the month stays open.
				if status := finance.follow("closing without confirming", chromedp.Click(CSS(`.close-period button[type="submit"]`))); status != 422 {
					t.Errorf("closing without confirming: status %d, want 422", status)
				}
				if link := finance.text(CSS(`.error-summary a[href="#confirm"]`)); !strings.Contains(link, "I understand a closed period never changes") {
					t.Errorf("error summary = %q", link)
				}
				finance.do("ticking the confirmation", chromedp.Click(CSS("#confirm")))
				if status := finance.follow("closing February", chromedp.Click(CSS(`.close-period button[type="submit"]`))); status != 200 {
					t.Fatalf("closing February: status %d", status)
				}
				finance.expectText(CSS("#run-report-title"), "Closed February 2026")
				if state := finance.text(CSS("#period-2026-02 td")); state != "Closed" {
					t.Errorf("February's state = %q, want Closed", state)
				}
				finance.screenshot("finance-closes-period-" + engine + ".png")
				periods, err := e.Billing.Periods(ctx, sys)
				if err != nil || periods[1].Period != "2026-02" || periods[1].State != "closed" {
					t.Fatalf("periods after closing = %+v, %v", periods, err)
				}
			}, finance)

			dana := openPage(t, browser, e.URL, "budget-holder-reads-statement-"+engine)
			step(t, "3. the budget holder reads BIO's statement", func() {
				dana.signIn("budget@example.com")
				dana.open("/costs")
				dana.choose(CSS("#department"), "Biology Laboratory")
				dana.choose(CSS("#period"), "March 2026")
				dana.follow("showing BIO's March", chromedp.Click(CSS(`form[action="/costs"] button[type="submit"]`)))
				dana.expectText(CSS("main h1"), "Biology Laboratory: costs for March 2026")
				if rule := dana.text(CSS("p.rounding")); !strings.HasPrefix(rule, "Each line is rounded to the cent, half away from zero; the total is the sum of the rounded lines.") {
					t.Errorf("rounding rule = %q", rule)
				}
				if mode := dana.text(CSS("#billing-mode")); mode != "Charged to the department's cost centre" {
					t.Errorf("billing label = %q", mode)
				}
				amounts, err := chromedp.Run(dana.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('table.statement-lines td.amount')].map(td => td.dataset.amount)`))
				if err != nil {
					t.Fatal(err)
				}
				sum := decimal.Zero
				for _, a := range amounts {
					sum = sum.Add(decimal.RequireFromString(a))
				}
				total := decimal.RequireFromString(amount(dana.text(CSS("table.statement-lines tfoot td.total"))))
				list, err := e.Billing.Statements(ctx, sys, billing.StatementFilter{Period: "2026-03", DepartmentID: bio.ID})
				if err != nil || len(list) != 1 {
					t.Fatalf("BIO's March statements = %v, %v", list, err)
				}
				if len(amounts) < 10 || !sum.Equal(total) || !total.Equal(list[0].Total) {
					t.Fatalf("%d lines add up to %s; the page's total is %s; the statement's %s", len(amounts), sum, total, list[0].Total)
				}
				if n := dana.count("figure.trend svg rect"); n != 13 {
					t.Errorf("the trend chart has %d bars, want 13", n)
				}
				dana.screenshot("budget-holder-statement-" + engine + ".png")
			}, dana)
			step(t, "4. the budget holder drills down to the HPC usage", func() {
				href := dana.evalString(`[...document.querySelectorAll('tr.line')].find(r => r.innerText.includes('HPC core-hours')).querySelector('a.drill').getAttribute('href')`)
				if !strings.HasPrefix(href, "/costs/usage?") {
					t.Fatalf("drill-down link = %q", href)
				}
				dana.follow("following the usage link", chromedp.Click(CSS(`a.drill[href="`+href+`"]`)))
				dana.expectText(CSS("main h1"), "HPC core-hours: usage records for March 2026")
				rows := dana.count("table.usage-records tbody tr")
				if rows < 10 {
					t.Errorf("%d usage records, want one a day", rows)
				}
				facts := dana.facts()
				if facts["Records"] != strconv.Itoa(rows) || facts["Department"] != "Biology Laboratory (cost centre BIO)" {
					t.Errorf("facts = %v", facts)
				}
				dana.screenshot("budget-holder-usage-" + engine + ".png")
			}, dana)
		})
	}
}
