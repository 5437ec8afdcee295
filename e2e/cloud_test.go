package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
)

// TestFinanceImportsCloudBill: finance goes from the billing page to the
// cloud bills, uploads a FOCUS file (the page's script shows the upload's
// progress and opens the report), adds an allocation rule, reallocates
// September 2024 and sees what is left unallocated. It runs on SQLite
// only, to stay quick: TestCloudBillPages in internal/app drives the same
// pages over HTTP on both engines.
func TestFinanceImportsCloudBill(t *testing.T) {
	sample, err := filepath.Abs("../internal/focus/testdata/focus_sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	browser := startBrowser(t, 1)
	for _, engine := range []string{"sqlite"} {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			sys := access.System("test")
			finance := openPage(t, browser, e.URL, "finance-imports-cloud-bill-"+engine)

			step(t, "1. finance uploads a FOCUS file", func() {
				finance.signIn("finance@example.com")
				finance.open("/billing")
				finance.follow("opening the cloud bills", chromedp.Click(CSS(`main a[href="/billing/cloud"]`)))
				finance.expectText(CSS("main h1"), "Cloud bills")
				// Note, across the navigation, that the progress bar showed.
				finance.do("watching the progress bar", chromedp.Evaluate[chromedp.Void](`new MutationObserver(function () {
					if (!document.getElementById('upload-progress').hidden) { sessionStorage.setItem('progress-shown', 'yes'); }
				}).observe(document.getElementById('upload-progress'), {attributes: true})`),
					chromedp.SetUploadFiles(CSS("#file"), []string{sample}),
					chromedp.Click(CSS(`#cloud-upload button[type="submit"]`)),
					chromedp.WaitVisible(CSS("#import-added")),
				)
				finance.expectText(CSS("main h1"), "Import of focus_sample.csv")
				finance.expectText(CSS("#import-added"), "1,000")
				finance.expectText(CSS("#import-rejected"), "0")
				if !strings.Contains(finance.location(), "/billing/cloud/imports/") {
					t.Errorf("after the upload the page is %s, want the report", finance.location())
				}
				if !finance.eval(`sessionStorage.getItem('progress-shown') === 'yes'`) {
					t.Error("the upload's progress bar never showed")
				}
				if n := finance.count("#import-totals tbody tr"); n != 3 {
					t.Errorf("the report has %d provider totals, want 3", n)
				}
				finance.screenshot("finance-cloud-import-" + engine + ".png")
			}, finance)

			step(t, "2. finance adds a rule and reallocates September", func() {
				finance.open("/billing/cloud/rules")
				finance.follow("adding a rule", chromedp.Click(CSS(`main a[href="/billing/cloud/rules/new"]`)))
				finance.do("filling in the rule",
					chromedp.SendKeys(CSS("#name"), "PeoriaData to Biology"),
					chromedp.SendKeys(CSS("#tag_key"), "business_unit"),
					chromedp.SendKeys(CSS("#tag_value"), "PeoriaData"),
					chromedp.Click(CSS(`input[name="action"][value="assign"]`)),
				)
				finance.choose(CSS("#department_id"), "Biology Laboratory")
				if status := finance.follow("saving the rule", chromedp.Click(CSS(`#rule-form button[type="submit"]`))); status != 200 {
					t.Fatalf("saving the rule: status %d", status)
				}
				if rules := finance.rows("#cloud-rules"); len(rules) != 1 || !strings.Contains(strings.Join(rules[0], " "), "All to Biology Laboratory") {
					t.Fatalf("rules = %q", rules)
				}
				if status := finance.follow("reallocating September", chromedp.Click(CSS(`form[action="/billing/cloud/periods/2024-09/reallocate"] button`))); status != 200 {
					t.Fatalf("reallocating: status %d", status)
				}
				finance.expectText(CSS("#reallocation-title"), "Reallocated September 2024")
				if moved := finance.rows("#moved"); len(moved) != 1 || moved[0][0] != "Biology Laboratory" {
					t.Errorf("moved = %q", moved)
				}
				items, err := e.CloudBill.Unallocated(ctx, sys, "2024-09")
				if err != nil {
					t.Fatal(err)
				}
				left := decimal.Zero
				for _, it := range items {
					left = left.Add(it.Amount)
				}
				finance.expectText(CSS("#unallocated-total-USD"), catalog.FormatMoney(left, "USD"))
				finance.screenshot("finance-cloud-unallocated-" + engine + ".png")
			}, finance)
		})
	}
}
