package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/spend"
)

// Each of a shadow case's action forms sent twice, as a double click or the
// browser's resend does: both sendings lead to the case's page, and the
// case records the action once.
func TestShadowCaseFormsSentTwice(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		importShadowExtra(t, e)
		ctx := context.Background()
		brm := principalOf(t, e, "brm@example.com")
		b := e.SignIn(t, "brm@example.com")
		queue := mustCases(t, e)
		for _, step := range []struct {
			vendor, action, state string
			values                url.Values
		}{
			{"Dropbox", "reach_out", spend.CaseReachedOut, nil},
			{"Dropbox", "replace", spend.CaseReplaced, nil},
			{"Hootsuite", "onboard", spend.CaseOnboarded, nil},
			{"Zoom", "sanction", spend.CaseSanctioned, url.Values{"security_verdict": {"approve"}, "review_by": {"2026-09-01"}}},
			{"Slack", "dismiss", spend.CaseDismissed, url.Values{"reason": {"A trial, cancelled"}}},
		} {
			c := caseOf(t, queue, step.vendor, "Sales")
			path := fmt.Sprintf("/shadow/cases/%d", c.ID)
			action := path + "/" + step.action
			before, err := e.Spend.Case(ctx, brm, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, html := b.Get(path)
			form, ok := apptest.FormFor(html, action)
			if !ok {
				t.Fatalf("%s has no form for %s", path, step.action)
			}
			send := form.Values()
			if send.Get("form_key") == "" {
				t.Fatalf("the %s form carries no form key", step.action)
			}
			for k, v := range step.values {
				send[k] = v
			}
			for i := range 2 {
				res, body := b.Post(action, cloneValues(send))
				if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path {
					t.Fatalf("sending %d of %s = %d %s: %.300s", i+1, step.action, res.StatusCode, res.Header.Get("Location"), messages(body))
				}
			}
			after, err := e.Spend.Case(ctx, brm, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Case.State != step.state || len(after.Events) != len(before.Events)+1 {
				t.Fatalf("%s sent twice: state %s, %d events after %d", step.action, after.Case.State, len(after.Events), len(before.Events))
			}
		}
	})
}

// The shadow page's department filter: a GET form offering only the
// departments the reader may read; chosen, it leads to a bookmarkable
// address whose shadow rows are the API's for the same department.
func TestShadowPageDepartmentFilter(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		b := e.SignIn(t, "brm@example.com")
		_, html := b.Get("/shadow")
		form, ok := apptest.FormFor(html, "/shadow")
		if !ok || form.Method != http.MethodGet {
			t.Fatalf("the shadow page has no GET form for /shadow: %+v", form)
		}
		var options []string
		for _, f := range form.Fields {
			if f.Name == "department" {
				options = f.Options
			}
		}
		sales, corp := departmentByCode(t, e, "SALES"), departmentByCode(t, e, "CORP")
		brm := principalOf(t, e, "brm@example.com")
		for _, o := range options {
			if o == "" {
				continue
			}
			id, err := strconv.ParseInt(o, 10, 64)
			if err != nil || !brm.CanReadStatements(id) {
				t.Fatalf("the filter offers department %q, which the BRM may not read", o)
			}
		}
		if !slices.Contains(options, fmt.Sprint(sales.ID)) || slices.Contains(options, fmt.Sprint(corp.ID)) {
			t.Fatalf("the filter offers %v: want Sales (%d), not Corporate (%d)", options, sales.ID, corp.ID)
		}
		res, html := b.Submit("/shadow", "/shadow", url.Values{"department": {fmt.Sprint(sales.ID)}})
		if res.StatusCode != http.StatusOK || res.Request.URL.RawQuery != fmt.Sprintf("department=%d", sales.ID) {
			t.Fatalf("the filtered page = %d at %s", res.StatusCode, res.Request.URL)
		}
		status, out := clientOf(t, e, "brm@example.com").do("GET", fmt.Sprintf("/shadow-spend?department_id=%d", sales.ID), "", "")
		items, _ := out["shadow"].([]any)
		if status != http.StatusOK || len(items) < 2 {
			t.Fatalf("API = %d %v", status, out)
		}
		table := html[strings.Index(html, `id="shadow-table"`):]
		table = table[:strings.Index(table, "</table>")]
		if rows := strings.Count(table, "<tr>") - 1; rows != len(items) {
			t.Fatalf("the filtered page shows %d shadow rows, the API %d", rows, len(items))
		}
		for _, it := range items {
			v := it.(map[string]any)
			if v["department_name"] != "Sales" || !strings.Contains(table, "<td>"+v["vendor"].(string)) {
				t.Fatalf("API row %v is not on the filtered page", v)
			}
		}
		if res, _ := b.Get(fmt.Sprintf("/shadow?department=%d", corp.ID)); res.StatusCode != http.StatusForbidden {
			t.Fatalf("another BRM's department = %d", res.StatusCode)
		}
	})
}
