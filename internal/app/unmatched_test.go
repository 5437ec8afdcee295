package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/config"
)

// TestUnknownRoutes: an unknown page answers the layout's "page not found"
// with a way back, an unknown API route a 404 problem document, and a
// method a route does not take 405 with its Allow header (a problem
// document on the API); the mux's redirects still work.
func TestUnknownRoutes(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		do := func(method, path string) (*http.Response, string) {
			t.Helper()
			req, _ := http.NewRequest(method, e.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+e.Token(t, "admin@example.com"))
			if strings.HasPrefix(path, "/api/") {
				req.Header.Set("Sec-Fetch-Site", "same-origin")
			} else {
				req.Header.Del("Authorization")
			}
			res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			return res, string(body)
		}

		signedIn := e.SignIn(t, "admin@example.com")
		res, body := signedIn.Get("/no/such/page")
		if res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "Page not found") || !strings.Contains(body, `href="/search"`) || !strings.Contains(body, `<nav`) {
			t.Errorf("unknown page, signed in = %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		res, body = do("GET", "/no/such/page")
		if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "Page not found") || !strings.Contains(body, `href="/"`) {
			t.Errorf("unknown page, anonymous = %d: %s", res.StatusCode, body)
		}
		res, body = do("PUT", "/signin")
		if res.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(res.Header.Get("Allow"), "POST") ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, `href="/"`) {
			t.Errorf("PUT /signin = %d, Allow %q: %s", res.StatusCode, res.Header.Get("Allow"), body)
		}

		problem := func(method, path string, status int, allow string) {
			t.Helper()
			res, body := do(method, path)
			var p map[string]any
			if res.StatusCode != status || res.Header.Get("Content-Type") != "application/problem+json" ||
				json.Unmarshal([]byte(body), &p) != nil || p["status"] != float64(status) || p["detail"] == "" {
				t.Errorf("%s %s = %d %s: %s", method, path, res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			if got := res.Header.Get("Allow"); allow != "" && !strings.Contains(got, allow) {
				t.Errorf("%s %s: Allow %q, want %s in it", method, path, got, allow)
			}
		}
		problem("GET", "/api/v1/no-such-route", http.StatusNotFound, "")
		problem("DELETE", "/api/v1/departments", http.StatusMethodNotAllowed, "POST")

		if res, _ := do("GET", "/static"); res.StatusCode/100 != 3 || res.Header.Get("Location") != "/static/" {
			t.Errorf("GET /static = %d to %q; want the mux's redirect", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

// TestHSTS: Strict-Transport-Security is sent when Engage's base URL is
// https, and not otherwise. (No database is involved: SQLite only.)
func TestHSTS(t *testing.T) {
	for base, want := range map[string]bool{"https://engage.example.com": true, "http://engage.example.com": false} {
		e := apptest.NewWith(t, "sqlite", func(c *config.Config) { c.BaseURL = base })
		res, _ := e.Browser(t).Get("/signin")
		if got := res.Header.Get("Strict-Transport-Security"); (got != "") != want || (want && !strings.Contains(got, "max-age=")) {
			t.Errorf("%s: Strict-Transport-Security %q", base, got)
		}
	}
}
