package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
)

// seatFile is a single-sign-on export for Discovery Science: Miro, paid by
// a catalog subscription of 40 whiteboard users at €7.00 a person a month,
// and Loom, paid by card (€100.00 a month over the 90 days to the export).
const seatFile = "application,domain,department,assigned,active_30,active_60,active_90,new_30,new_60,new_90\n" +
	"Miro,miro.com,DISC,36,20,26,30,4,5,6\n" +
	"Loom,loom.com,DISC,20,12,14,15,3,3,3\n"

// Seats actually used against hand-computed figures, over 30 and 60 days:
// utilisation is active ÷ (assigned − new); idle seats are seats − active
// − new; they cost catalog prices for a subscription and run rate ÷ seats
// for spend. The head of the department right-sizes the subscription with
// a quantity-change order.
func TestSeatsUtilisationAndRightSize(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		start := catalog.DateOf(apptest.Start.AddDate(0, -2, 0))
		if _, err := e.Catalog.ImportSubscriptions(ctx, system, []catalog.ExistingSubscription{
			{DepartmentCode: "DISC", OfferingSlug: "whiteboard-user", Quantity: decimal.NewFromInt(40), Start: start}}); err != nil {
			t.Fatal(err)
		}
		finance := clientOf(t, e, "finance@example.com")
		// The demo's export leaves Sales' CRM seats idle enough to act on.
		var sales int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM departments WHERE code = 'SALES'").Scan(&sales); err != nil {
			t.Fatal(err)
		}
		if status, out := finance.do("GET", fmt.Sprintf("/seats?department_id=%d", sales), "", ""); status != 200 || !strings.Contains(fmt.Sprint(out["items"]), "application:Customer relationship management") ||
			!strings.Contains(fmt.Sprint(out["items"]), "subscription_id:") {
			t.Fatalf("demo seats of Sales = %d %v", status, out)
		}
		cards := "date,merchant,amount,currency,department,employee_email,mcc,memo\n" +
			"2025-11-10,LOOM.COM,100.00,EUR,DISC,budget@example.com,5734,\n" + // before the 90 days
			"2026-01-10,LOOM.COM,100.00,EUR,DISC,budget@example.com,5734,\n" +
			"2026-02-10,LOOM.COM,100.00,EUR,DISC,budget@example.com,5734,\n" +
			"2026-03-10,LOOM.COM,100.00,EUR,DISC,budget@example.com,5734,\n"
		if status, out := finance.do("POST", "/spend-imports", "text/csv", cards); status != http.StatusCreated {
			t.Fatalf("cards = %d %v", status, out)
		}
		status, out := finance.do("POST", "/seat-imports", "text/csv", seatFile)
		if status != http.StatusCreated || out["added"] != float64(2) {
			t.Fatalf("seats = %d %v", status, out)
		}
		if status, out = finance.do("POST", "/seat-imports", "text/csv", seatFile); status != http.StatusCreated || out["unchanged"] != float64(2) {
			t.Fatalf("seats again = %d %v", status, out)
		}
		bad := seatFile + "Zoom,zoom.us,DISC,5,6,6,6,0,0,0\n" + "Slack,slack.com,NOWHERE,5,1,1,1,,,\n"
		if status, out = finance.do("POST", "/seat-imports", "text/csv", bad); status != http.StatusUnprocessableEntity ||
			!strings.Contains(strings.Join(locations(out), ","), "line 4: active_30") || !strings.Contains(strings.Join(locations(out), ","), "line 5: department") {
			t.Fatalf("bad seats = %d %v", status, out)
		}
		if status, _ = clientOf(t, e, "requester@example.com").do("POST", "/seat-imports", "text/csv", seatFile); status != http.StatusForbidden {
			t.Fatalf("a requester imports seats = %d", status)
		}
		var disc int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM departments WHERE code = 'DISC'").Scan(&disc); err != nil {
			t.Fatal(err)
		}
		head := clientOf(t, e, "budget@example.com")
		type want struct {
			app                      string
			seats, idle, suggested   float64
			utilisation, idleMonthly string
		}
		for window, wants := range map[int][]want{
			// Miro: 40 seats, 20 active + 4 new = 24 needed, 16 idle × €7 = €112;
			// 20 ÷ (36 − 4) = 0.625. Loom: 20 seats, 12 + 3 = 15 needed, 5 idle
			// × €100 ÷ 20 = €25; 12 ÷ 17 = 0.7059.
			30: {{"Miro", 40, 16, 24, "0.625", "112"}, {"Loom", 20, 5, 0, "0.7059", "25"}},
			// Miro: 26 + 5 = 31 needed, 9 idle × €7 = €63; 26 ÷ 31 = 0.8387.
			// Loom: 14 + 3 = 17, 3 idle × €100 ÷ 20 = €15; 14 ÷ 17 = 0.8235.
			60: {{"Miro", 40, 9, 31, "0.8387", "63"}, {"Loom", 20, 3, 0, "0.8235", "15"}},
		} {
			status, out := head.do("GET", fmt.Sprintf("/seats?department_id=%d&window=%d", disc, window), "", "")
			items, _ := out["items"].([]any)
			if status != 200 || len(items) != 2 {
				t.Fatalf("seats over %d days = %d %v", window, status, out)
			}
			for i, w := range wants {
				it := items[i].(map[string]any)
				util, _ := decimal.NewFromString(fmt.Sprint(it["utilisation"]))
				idle, _ := decimal.NewFromString(fmt.Sprint(it["idle_monthly"]))
				if it["application"] != w.app || it["seats"] != w.seats || it["idle"] != w.idle || !util.Equal(decimal.RequireFromString(w.utilisation)) ||
					!idle.Equal(decimal.RequireFromString(w.idleMonthly)) || it["currency"] != "EUR" || (w.suggested > 0 && it["suggested"] != w.suggested) {
					t.Errorf("over %d days, item %d = %v; want %+v", window, i, it, w)
				}
			}
		}
		if status, _ := clientOf(t, e, "requester@example.com").do("GET", fmt.Sprintf("/seats?department_id=%d", disc), "", ""); status != http.StatusForbidden {
			t.Errorf("a requester reads seats = %d", status)
		}
		if status, _ := head.do("GET", fmt.Sprintf("/seats?department_id=%d&window=45", disc), "", ""); status != http.StatusUnprocessableEntity {
			t.Errorf("a 45-day window = %d", status)
		}
		var miro, loom int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM seat_usage WHERE application = 'Miro'").Scan(&miro); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.QueryRow(ctx, "SELECT id FROM seat_usage WHERE application = 'Loom'").Scan(&loom); err != nil {
			t.Fatal(err)
		}
		// The page: finance imports the export with its form; the head of
		// the department follows the seats page's right-size form.
		fb := e.SignIn(t, "finance@example.com")
		seatsPage := fmt.Sprintf("/spend/seats?department=%d", disc)
		_, body := fb.Get(seatsPage)
		form, ok := apptest.FormFor(body, "/spend/seats/import")
		if !ok {
			t.Fatal("the seats page has no import form for finance")
		}
		fields := form.Values()
		delete(fields, "csrf_token")
		if res, _ := postFileWith(t, e, fb, "/spend/seats/import", "sso.csv", seatFile, fields); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("seat import from the page = %d", res.StatusCode)
		}
		if res, body := postFileWith(t, e, fb, "/spend/seats/import", "sso.csv", bad, nil); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Line 5: department") {
			t.Fatalf("bad seat import from the page = %d", res.StatusCode)
		}
		hb := e.SignIn(t, "budget@example.com")
		_, body = hb.Get(seatsPage + "&window=60")
		if !strings.Contains(body, "Order 31 seats") || !strings.Contains(body, "€63.00") {
			t.Fatalf("the seats page over 60 days:\n%s", body)
		}
		res, _ := hb.Submit(seatsPage+"&window=60", fmt.Sprintf("/spend/seats/%d/right-size", miro), nil)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/orders/") {
			t.Fatalf("right-size from the page = %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		// Then over 30 days the 31 seats are 7 too many: 24 seats, €49 a month less.
		status, out = head.do("POST", fmt.Sprintf("/seats/%d/right-size?window=30", miro), "", "")
		lines, _ := out["lines"].([]any)
		if status != http.StatusCreated || out["kind"] != "change" || len(lines) != 1 {
			t.Fatalf("right-size = %d %v", status, out)
		}
		line := lines[0].(map[string]any)
		monthly, _ := decimal.NewFromString(fmt.Sprint(out["monthly"]))
		if fmt.Sprint(line["quantity"]) != "24" || !monthly.Equal(decimal.NewFromInt(-49)) {
			t.Fatalf("right-size order = %v", out)
		}
		if status, _ = head.do("POST", fmt.Sprintf("/seats/%d/right-size", loom), "", ""); status != http.StatusConflict {
			t.Errorf("right-size of card spend = %d; want 409", status)
		}
	})
}
