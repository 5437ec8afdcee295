package app_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/org"
)

// TestTextInputRefused: bytes that are not UTF-8 and NUL characters are
// refused, naming the field or line, wherever text comes in — a CSV file
// through the browser and the API, a form, a JSON body, a query parameter —
// and nothing is stored.
func TestTextInputRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		stored := func(q string) int {
			list, _, err := e.Org.ListDepartments(ctx, system, org.ListFilter{Query: q, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		admin := e.SignIn(t, "admin@example.com")
		admin.Get("/admin/import")
		for name, csv := range map[string]string{
			"latin-1": "code,name\nOKA,Fine\nBADA,Caf\xe9 Bar\n",
			"NUL":     "code,name\nOKA,Fine\nBADA,Nul\x00Bar\n",
		} {
			res, body := postFileWith(t, e, admin, "/admin/import", "d.csv", csv, url.Values{"kind": {"departments"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Line 3") || !strings.Contains(body, "column 2") {
				t.Errorf("%s CSV through the browser = %d", name, res.StatusCode)
			}
		}
		api := apiClient{t, e, e.Token(t, "admin@example.com")}
		status, problem := api.do("POST", "/imports/departments", "text/csv", "code,name\nOKB,Fine\nBADB,Caf\xe9\n")
		if status != http.StatusUnprocessableEntity || !slices.Contains(locations(problem), "body line 3") {
			t.Errorf("CSV through the API = %d %v", status, problem)
		}

		admin.Get("/admin/departments/new")
		res, body := admin.Post("/admin/departments", url.Values{"code": {"BADC"}, "name": {"Nul\x00Bar"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "NUL character") || !strings.Contains(body, "name") {
			t.Errorf("form with NUL = %d", res.StatusCode)
		}
		res, _ = admin.Post("/admin/departments", url.Values{"code": {"BADD"}, "name": {"Caf\xe9"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("form with latin-1 = %d", res.StatusCode)
		}

		status, problem = api.json("POST", "/departments", `{"code":"BADE","name":"Nul\u0000Bar"}`)
		if status != http.StatusUnprocessableEntity || !slices.Contains(locations(problem), "body.name") {
			t.Errorf("JSON with NUL = %d %v", status, problem)
		}
		status, problem = api.json("GET", "/departments?q="+url.QueryEscape("x\x00"), "")
		if status != http.StatusUnprocessableEntity || !slices.Contains(locations(problem), "query.q") {
			t.Errorf("query with NUL = %d %v", status, problem)
		}
		for _, code := range []string{"OKA", "OKB", "BADA", "BADB", "BADC", "BADD", "BADE"} {
			if n := stored(code); n != 0 {
				t.Errorf("%s was stored", code)
			}
		}
	})
}
