package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/spend"
)

// A shadow case whose vendor no catalog offering replaces does not offer a
// Replace form with nothing to choose (sending it could only be refused);
// a case with a replacement offers the form, and it works as rendered.
func TestShadowCaseOffersReplaceOnlyWithAnOffering(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		ctx, p := context.Background(), principalOf(t, e, "brm@example.com")
		b := e.SignIn(t, "brm@example.com")
		var with, without int64
		for _, c := range mustCases(t, e) {
			d, err := e.Spend.Case(ctx, p, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			offered := false
			for _, ev := range d.Evidence {
				for _, a := range ev.Alternatives {
					offered = offered || a.OfferingID != 0
				}
			}
			if !strings.Contains(strings.Join(d.Actions, ","), spend.ActReplace) {
				continue
			}
			if offered && with == 0 {
				with = c.ID
			} else if !offered && without == 0 {
				without = c.ID
			}
		}
		if with == 0 || without == 0 {
			t.Fatalf("want an open case with a catalog offering (%d) and one without (%d)", with, without)
		}
		path := fmt.Sprintf("/shadow/cases/%d", without)
		res, html := b.Get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, res.StatusCode)
		}
		if _, ok := apptest.FormFor(html, path+"/replace"); ok {
			t.Errorf("%s offers to replace the vendor with no catalog offering to choose", path)
		}
		if !strings.Contains(html, `id="no-replacement"`) {
			t.Errorf("%s does not say that no catalog offering does the same job", path)
		}
		// An offering the catalog refuses is named by the field the caller
		// filled in, so the page's error summary links to it.
		_, err := e.Spend.ActOnCase(ctx, p, with, spend.ActReplace, spend.CaseActionInput{OfferingID: 999999999})
		if f := engage.ErrorFields(err); len(f) != 1 || f[0].Field != "offering_id" {
			t.Errorf("replacing with an unknown offering = %v, fields %+v; want one refusal naming offering_id", err, f)
		}
		path = fmt.Sprintf("/shadow/cases/%d", with)
		if res, html := b.Submit(path, path+"/replace", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("replacing case %d with the offering the page offers = %d: %s", with, res.StatusCode, messages(html))
		}
	})
}

// messages are the error messages of a page, for a failing test to show.
func messages(html string) string {
	var out []string
	for _, part := range strings.Split(html, `<li>`)[1:] {
		end := strings.Index(part, "</li>")
		if end < 0 {
			end = len(part)
		}
		out = append(out, part[:end])
	}
	return strings.Join(out, " | ")
}

// Right-sizing a subscription twice — a second click on the seats page
// drawn again before the first order is decided, or the API called twice —
// is one order: the pending change to the same quantity.
func TestRightSizeTwiceIsOneOrder(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		var seat, fin int64
		if err := e.DB.QueryRow(ctx, `SELECT u.id, u.department_id FROM seat_usage u JOIN departments d ON d.id = u.department_id
			WHERE d.code = 'FIN' AND u.application = 'Finance ERP'`).Scan(&seat, &fin); err != nil {
			t.Fatal(err)
		}
		b := e.SignIn(t, "admin@example.com")
		seatsPage := fmt.Sprintf("/spend/seats?department=%d", fin)
		action := fmt.Sprintf("/spend/seats/%d/right-size", seat)
		var orders []string
		for range 2 {
			res, _ := b.Submit(seatsPage, action, nil)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/orders/") {
				t.Fatalf("right-size from the page = %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			orders = append(orders, res.Header.Get("Location"))
		}
		api := clientOf(t, e, "admin@example.com")
		for range 2 {
			status, out := api.do("POST", fmt.Sprintf("/seats/%d/right-size?window=30", seat), "", "")
			if status != http.StatusCreated && status != http.StatusOK {
				t.Fatalf("right-size through the API = %d %v", status, out)
			}
			orders = append(orders, "/orders/"+fmt.Sprint(out["number"]))
		}
		if orders[1] != orders[0] || orders[2] != orders[0] || orders[3] != orders[0] {
			t.Fatalf("right-sizing four times placed the orders %v, want one", orders)
		}
		var pending int
		if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM orders WHERE kind = 'change' AND status = 'pending' AND department_id = ?`, fin).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending != 1 {
			t.Fatalf("%d pending change orders for Finance, want 1", pending)
		}
	})
}
