package app_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestUploadsLeaveNoTemporaryFiles: a multipart post too large to be held
// in memory leaves no file in the temporary directory, whether it is an
// anonymous post to the sign-in form without a CSRF token (refused as too
// large before anything is stored) or a signed-in upload of a cloud bill
// (stored while it is read, removed after the answer).
func TestUploadsLeaveNoTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	leftovers := func(t *testing.T) []string {
		t.Helper()
		files, err := filepath.Glob(filepath.Join(tmp, "multipart-*"))
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	// Over the in-memory part of a form (32 MiB in earlier versions).
	big := "not,a,focus,file\n" + strings.Repeat("x,y,z,w\n", 33<<20/8)
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		anon := e.Browser(t)
		res, body := postFileWith(t, e, anon, "/signin", "big.csv", big, url.Values{"email": {"ada@example.com"}})
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "larger than Engage accepts here (16 KiB)") {
			t.Errorf("anonymous multipart sign-in = %d; want 413 naming the limit", res.StatusCode)
		}
		if files := leftovers(t); len(files) != 0 {
			t.Errorf("an anonymous post left %v", files)
		}

		finance := e.SignIn(t, "finance@example.com")
		finance.Get("/billing/cloud")
		if res, _ := postFileWith(t, e, finance, "/billing/cloud/imports", "big.csv", big, nil); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("upload of a file that is no FOCUS bill = %d; want 422", res.StatusCode)
		}
		if files := leftovers(t); len(files) != 0 {
			t.Errorf("a cloud bill upload left %v", files)
		}
	})
}

// TestBodyLimits: a body over its route's limit is answered 413 naming the
// limit: 16 KiB for the anonymous sign-in form, 1 MiB for a signed-in
// person's form, 32 MiB for an organisation CSV file; an anonymous API
// request is refused before its body is read.
func TestBodyLimits(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		anon := e.Browser(t)
		anon.Get("/signin")
		res, body := anon.Post("/signin", url.Values{"email": {"ada@example.com"}, "password": {strings.Repeat("p", 17<<10)}})
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "(16 KiB)") {
			t.Errorf("sign-in over 16 KiB = %d", res.StatusCode)
		}
		if res, _ := anon.Post("/signin", url.Values{"email": {"ada@example.com"}, "password": {"wrong password"}}); res.StatusCode == http.StatusRequestEntityTooLarge {
			t.Errorf("a small sign-in = %d", res.StatusCode)
		}

		// The API refuses an anonymous request before reading its body: a
		// body over the API's 1 MiB is answered 401, not 413.
		res, err := http.Post(e.URL+"/api/v1/departments", "application/json", strings.NewReader(`{"name":"`+strings.Repeat("n", 2<<20)+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("anonymous API post = %d %s; want 401", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if res, err = http.Get(e.URL + "/api/v1/openapi.json"); err != nil || res.StatusCode != 200 {
			t.Errorf("the OpenAPI document = %v %v; want it public", res.StatusCode, err)
		} else {
			res.Body.Close()
		}

		admin := e.SignIn(t, "admin@example.com")
		admin.Get("/admin/departments/new")
		res, body = admin.Post("/admin/departments", url.Values{"name": {strings.Repeat("n", 1<<20)}})
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "(1 MiB)") {
			t.Errorf("a form over 1 MiB = %d", res.StatusCode)
		}
		admin.Get("/admin/import")
		res, body = postFileWith(t, e, admin, "/admin/import", "people.csv", strings.Repeat("x", 32<<20), url.Values{"kind": {"people"}})
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "(32 MiB)") {
			t.Errorf("an organisation CSV over 32 MiB = %d", res.StatusCode)
		}
	})
}

// TestAPICSVBodyLimit: a CSV file sent to the API (organisation data, cost
// pools) is bounded like any other API body, 1 MiB, whoever sends it: the
// server no longer reads a body of any size into memory before asking who
// sent it.
func TestAPICSVBodyLimit(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		big := "code,name\n" + strings.Repeat("x", 2<<20)
		for _, who := range []string{"admin@example.com", "requester@example.com"} {
			api := apiClient{t, e, e.Token(t, who)}
			for _, path := range []string{"/imports/departments", "/cost-pools/import"} {
				if status, problem := api.do("POST", path, "text/csv", big); status != http.StatusRequestEntityTooLarge {
					t.Errorf("%s: 2 MiB to %s = %d %v; want 413", who, path, status, problem)
				}
			}
		}
		api := apiClient{t, e, e.Token(t, "admin@example.com")}
		if status, problem := api.do("POST", "/imports/departments", "text/csv", "code,name\nNEWD,New department\n"); status != http.StatusOK {
			t.Errorf("a small CSV = %d %v", status, problem)
		}
	})
}
