package app_test

import (
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
// anonymous caller is told to authenticate before anything it sent is read.
func TestAPIAnswersAsDocumented(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := clientOf(t, e, "admin@example.com")
		finance := clientOf(t, e, "finance@example.com")
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
