package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestAPIAnswersAsDocumented: what the document says the server does, it
// does (every exchange here is also checked against the document by
// apptest): a fixed path that a parameter template would catch answers 405
// for the methods it does not take; an empty integer or fixed-list query
// value is refused naming the parameter instead of read as absent; a body
// of a media type the operation does not take is refused (415); an
// anonymous caller is told to authenticate before anything it sent is read;
// a change refuses "" (or leaving out) exactly the strings the document says
// may not be empty (or left out).
func TestAPIAnswersAsDocumented(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := clientOf(t, e, "admin@example.com")
		finance := clientOf(t, e, "finance@example.com")
		c, err := apptest.LoadContract(e.Handler)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range []struct{ method, path, template, field, body string }{
			{"PATCH", "/departments/1", "/departments/{id}", "name", `{"version": 1, "name": ""}`},
			{"PATCH", "/departments/1", "/departments/{id}", "code", `{"version": 1, "code": ""}`},
			{"PATCH", "/functions/1", "/functions/{id}", "name", `{"version": 1, "name": ""}`},
			{"PATCH", "/locations/1", "/locations/{id}", "code", `{"version": 1, "code": ""}`},
			{"PATCH", "/locations/1", "/locations/{id}", "city", `{"version": 1, "city": ""}`}, // a city may be unknown
			{"PATCH", "/people/2", "/people/{id}", "email", `{"version": 1, "email": ""}`},
			{"PATCH", "/people/2", "/people/{id}", "title", `{"version": 1, "title": ""}`}, // a title may be cleared
			{"PATCH", "/approval-policies/1", "/approval-policies/{id}", "name", `{"version": 1, "name": ""}`},
			{"PATCH", "/communities/1", "/communities/{id}", "slug", `{"version": 1, "slug": ""}`},
			{"PUT", "/topics/5", "/topics/{id}", "title", `{"version": 1, "body": "Since last week Personal Hotspot is greyed out."}`},
		} {
			doc := c.Doc.Paths.Value(ch.template).GetOperation(ch.method).RequestBody.Value.Content.Get("application/json").Schema.Value
			_, given := fieldsOf(ch.body)[ch.field]
			refusedByDocument := (given && doc.Properties[ch.field].Value.MinLength > 0) || (!given && slices.Contains(doc.Required, ch.field))
			if status, now := admin.json("GET", ch.path, ""); status == http.StatusOK { // the version as it is now
				ch.body = currentVersion(ch.body, now)
			}
			status, out := admin.json(ch.method, ch.path, ch.body)
			refused := status == http.StatusUnprocessableEntity && (slices.Contains(locations(out), "body."+ch.field) ||
				strings.Contains(fmt.Sprint(out["errors"]), "required property "+ch.field+" ")) // huma names what is missing so
			if refused != refusedByDocument || (!refused && status != http.StatusOK) {
				t.Errorf("%s %s %s = %d %v; the document refuses it: %v", ch.method, ch.path, ch.body, status, out, refusedByDocument)
			}
		}
		for _, c := range []struct{ method, path, allow string }{
			{"PUT", "/cost-pools/export", "GET"},
			{"DELETE", "/cost-pools/export", "GET"},
			{"GET", "/quotes/preview", "POST"},
		} {
			status, out := finance.json(c.method, c.path, "")
			if status != http.StatusMethodNotAllowed || !strings.Contains(fmt.Sprint(out["detail"]), c.allow) {
				t.Errorf("%s %s = %d %v; want 405 naming %s", c.method, c.path, status, out, c.allow)
			}
		}
		for _, c := range []struct{ path, param string }{
			{"/people?limit=", "query.limit"},
			{"/orders?department_id=", "query.department_id"},
			{"/statements?period=&department_id=", "query.department_id"},
		} {
			status, out := finance.json("GET", c.path, "")
			if status != http.StatusUnprocessableEntity || !slices.Contains(locations(out), c.param) {
				t.Errorf("GET %s = %d %v; want 422 naming %s", c.path, status, out, c.param)
			}
		}
		if status, _ := finance.json("GET", "/orders?status=", ""); status != http.StatusOK {
			t.Errorf("GET /orders?status= = %d; want 200 (empty is one of its values)", status)
		}
		if status, out := admin.do("POST", "/archimate-imports", "application/json", `{}`); status != http.StatusUnsupportedMediaType {
			t.Errorf("ArchiMate import sent as JSON = %d %v; want 415", status, out)
		}
		anonymous := apiClient{t: t, e: e}
		status, out := anonymous.json("POST", "/departments", `{"code":"SECRET-INPUT","name":5}`)
		if status != http.StatusUnauthorized || strings.Contains(fmt.Sprint(out), "SECRET-INPUT") {
			t.Errorf("anonymous POST with a bad body = %d %v; want 401 without the input", status, out)
		}
	})
}

// fieldsOf is a JSON object's fields.
func fieldsOf(body string) map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	return m
}
