package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/spend"
)

// shadowFixture is card spend for Sales (and Marketing) with hand-computed
// figures at the test clock (2026-03-16): the window is 2025-03 to 2026-02,
// the run rate the spend of 2025-12, 2026-01 and 2026-02 × 4.
const shadowFixture = "date,merchant,amount,currency,department,employee_email,mcc,memo\n" +
	// Dropbox for Sales: 100 + 30 + 30 + 45.50 − 5.50 = 200.00 in the window;
	// the last 3 months 30 + 30 + 40 = 100 → 400.00 a year, 33.33 a month;
	// two people (c@ paid outside the window only).
	"2025-02-28,DROPBOX*ABC123,77.00,EUR,SALES,c@example.com,5734,\n" +
	"2025-06-10,DROPBOX*ABC123,100.00,EUR,SALES,a@example.com,5734,\n" +
	"2025-12-05,DROPBOX*ABC123,30.00,EUR,SALES,a@example.com,5734,\n" +
	"2026-01-05,WWW.DROPBOX.COM,30.00,EUR,SALES,B@example.com,5734,\n" +
	"2026-02-05,DROPBOX*ABC123,45.50,EUR,SALES,a@example.com,5734,\n" +
	"2026-02-20,DROPBOX*ABC123,-5.50,EUR,SALES,a@example.com,5734,refund\n" +
	"2026-03-02,DROPBOX*ABC123,99.00,EUR,SALES,c@example.com,5734,\n" +
	// Miro is the catalog's whiteboard vendor: sanctioned.
	"2026-02-07,FS *MIRO,16.00,EUR,SALES,a@example.com,5734,\n" +
	// Hootsuite: the board chose it for Marketing, not for Sales.
	"2026-02-08,HOOTSUITE,50.00,EUR,MKT,m@example.com,5734,\n" +
	"2026-02-08,HOOTSUITE,60.00,EUR,SALES,a@example.com,5734,\n"

func importShadowFixture(t *testing.T, e *apptest.Engage) {
	t.Helper()
	if _, err := e.Spend.Import(context.Background(), access.System("test"), "fixture.csv", strings.NewReader(shadowFixture)); err != nil {
		t.Fatal(err)
	}
}

func findShadow(vs []spend.ShadowVendor, vendor, dept string) *spend.ShadowVendor {
	for i := range vs {
		if vs[i].Vendor == vendor && vs[i].DepartmentName == dept {
			return &vs[i]
		}
	}
	return nil
}

// Shadow spend against hand-computed figures: the window, the run rate,
// the people, the catalog service that does the same job and what moving
// would save; sanctioned by the catalog's vendor and the board's decision.
func TestShadowSpendFixture(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		ctx := context.Background()
		rep, err := e.Spend.Shadow(ctx, principalOf(t, e, "finance@example.com"), spend.ShadowFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.From != "2025-03" || rep.Through != "2026-02" {
			t.Fatalf("window %s–%s", rep.From, rep.Through)
		}
		d := findShadow(rep.Shadow, "Dropbox", "Sales")
		if d == nil {
			t.Fatalf("no Dropbox shadow spend for Sales in %+v", rep.Shadow)
		}
		if d.Currency != "EUR" || d.Lines != 5 || d.People != 2 || strings.Join(d.Emails, ",") != "a@example.com,b@example.com" ||
			d.Total.StringFixed(2) != "200.00" || d.RunRate.StringFixed(2) != "400.00" || d.Monthly.StringFixed(2) != "33.33" || d.Category != "file-sharing" {
			t.Fatalf("Dropbox for Sales = %+v", d)
		}
		if len(d.Months) != 12 || d.Months[3].Period != "2025-06" || d.Months[3].Amount.StringFixed(2) != "100.00" || d.Months[11].Amount.StringFixed(2) != "40.00" {
			t.Fatalf("months = %+v", d.Months)
		}
		if len(d.Alternatives) != 1 {
			t.Fatalf("alternatives = %+v", d.Alternatives)
		}
		alt := d.Alternatives[0]
		if alt.ServiceName != "File sync and share" || alt.OfferingName != "File sync per person" || alt.UnitPrice.StringFixed(2) != "3.20" ||
			alt.Monthly.StringFixed(2) != "6.40" || !alt.Comparable || alt.Saving.StringFixed(2) != "26.93" {
			t.Fatalf("alternative = %+v", alt)
		}
		if m := findShadow(rep.Sanctioned, "Miro", "Sales"); m == nil || !strings.Contains(m.Sanctioned, "Digital whiteboard") || findShadow(rep.Shadow, "Miro", "Sales") != nil {
			t.Fatalf("Miro for Sales is not sanctioned by the catalog: %+v", m)
		}
		if h := findShadow(rep.Sanctioned, "Hootsuite", "Marketing"); h == nil || !strings.Contains(h.Sanctioned, "Decided by the board") {
			t.Fatalf("Hootsuite for Marketing is not sanctioned by the board: %+v", h)
		}
		if h := findShadow(rep.Shadow, "Hootsuite", "Sales"); h == nil || h.RunRate.StringFixed(2) != "240.00" {
			t.Fatalf("Hootsuite for Sales is not shadow: %+v", h)
		}
	})
}

// Shadow spend follows the statements' rule; the names of the people
// paying are for those who may read the department's lines.
func TestShadowSpendAccess(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		ctx := context.Background()
		rep, err := e.Spend.Shadow(ctx, principalOf(t, e, "brm@example.com"), spend.ShadowFilter{})
		if err != nil || findShadow(rep.Shadow, "Dropbox", "Sales") == nil {
			t.Fatalf("Sales' BRM: %v %v", err, rep.Shadow)
		}
		for _, v := range append(rep.Shadow, rep.Sanctioned...) {
			if v.DepartmentName == "Finance" || v.DepartmentName == "Human Resources" {
				t.Fatalf("Sales' BRM sees %s's spend", v.DepartmentName)
			}
		}
		rep, err = e.Spend.Shadow(ctx, principalOf(t, e, "brm.corporate@example.com"), spend.ShadowFilter{})
		if err != nil || findShadow(rep.Shadow, "Dropbox", "Sales") != nil {
			t.Fatalf("another BRM sees Sales: %v", err)
		}
		if _, err := e.Spend.Shadow(ctx, principalOf(t, e, "requester@example.com"), spend.ShadowFilter{}); err == nil {
			t.Fatal("a requester reads shadow spend")
		}
		// The board reads every department's totals, not the people.
		rep, err = e.Spend.Shadow(ctx, principalOf(t, e, "board@example.com"), spend.ShadowFilter{})
		if d := findShadow(rep.Shadow, "Dropbox", "Sales"); err != nil || d == nil || d.People != 2 || len(d.Emails) != 0 {
			t.Fatalf("board: %v %+v", err, d)
		}
		// The page and the API say the same.
		res, html := e.SignIn(t, "brm@example.com").Get("/shadow")
		if res.StatusCode != http.StatusOK || !strings.Contains(html, "Dropbox") || !strings.Contains(html, "File sync and share") || !strings.Contains(html, "saves") {
			t.Fatalf("shadow page = %d", res.StatusCode)
		}
		if res, _ := e.SignIn(t, "requester@example.com").Get("/shadow"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a requester's shadow page = %d", res.StatusCode)
		}
		status, out := clientOf(t, e, "finance@example.com").do("GET", "/shadow-spend?vendor=Dropbox", "", "")
		if items, _ := out["shadow"].([]any); status != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["annual_run_rate"] != "400" {
			t.Fatalf("API = %d %v", status, out)
		}
	})
}
