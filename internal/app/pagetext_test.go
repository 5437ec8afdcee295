package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestPageQueryTextRefused: a page's query parameter that is not UTF-8 or
// holds NUL is refused as the person's mistake, naming the parameter, and
// such a path names no page — on both engines, where PostgreSQL would
// otherwise fail on the NUL and the person see a server error.
func TestPageQueryTextRefused(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := e.SignIn(t, "admin@example.com")
		for _, path := range []string{
			"/search?q=" + url.QueryEscape("a\x00b"),
			"/people?q=" + url.QueryEscape("\x00"),
			"/departments?q=" + url.QueryEscape("x\x00"),
			"/needs?q=" + url.QueryEscape("\x00"),
			"/admin/audit?actor=" + url.QueryEscape("\x00"),
			"/gate?reference=" + url.QueryEscape("NEED\x00"),
			"/people?q=" + url.QueryEscape("Caf\xe9"),
		} {
			res, body := admin.Get(path)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("GET %s = %d; want 422", path, res.StatusCode)
				continue
			}
			name := strings.SplitN(strings.SplitN(path, "?", 2)[1], "=", 2)[0]
			if !strings.Contains(body, "<strong>"+name+"</strong>") {
				t.Errorf("GET %s does not name the parameter %s", path, name)
			}
		}
		for _, path := range []string{"/orders/ORD%00", "/quotes/Q%00", "/needs/NEED%00"} {
			if res, _ := admin.Get(path); res.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d; want 404", path, res.StatusCode)
			}
		}
	})
}
