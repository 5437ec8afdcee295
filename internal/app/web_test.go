package app_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web"
)

var system = access.System("test")

func person(t *testing.T, e *apptest.Engage, email string) org.Person {
	t.Helper()
	p, err := e.Org.FindPersonByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func departmentByCode(t *testing.T, e *apptest.Engage, code string) org.Department {
	t.Helper()
	list, _, err := e.Org.ListDepartments(context.Background(), system, org.ListFilter{Query: code, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Code == code {
			return d
		}
	}
	t.Fatalf("no department %s", code)
	return org.Department{}
}

func TestSignInSignOutAndCSRF(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		b := e.Browser(t)
		res, _ := b.Get("/")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
			t.Fatalf("anonymous home = %d %s; want a redirect to sign in", res.StatusCode, res.Header.Get("Location"))
		}
		b.Get("/signin")
		// A wrong password re-shows the form with the e-mail kept.
		res, body := b.Post("/signin", url.Values{"email": {"admin@example.com"}, "password": {"nope"}})
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `value="admin@example.com"`) || !strings.Contains(body, "error-summary") {
			t.Fatalf("bad sign-in = %d", res.StatusCode)
		}
		// A form without the CSRF token is refused.
		res, _ = b.Post("/signin", url.Values{"csrf_token": {"forged"}, "email": {"admin@example.com"}, "password": {"engage-demo-2026"}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("forged sign-in = %d; want 403", res.StatusCode)
		}
		b = e.SignIn(t, "admin@example.com")
		cookieSecure := false
		for _, c := range b.Client.Jar.Cookies(mustURL(e.URL)) {
			if c.Name == web.SessionCookie {
				cookieSecure = true
			}
		}
		if !cookieSecure {
			t.Fatal("no session cookie after sign-in")
		}
		_, body = b.Get("/")
		if !strings.Contains(body, "Hello, Alex Morgan") || !strings.Contains(body, `href="/admin"`) {
			t.Fatal("home page does not greet the admin or offer Admin")
		}
		// Signed in, a state change still needs the session's token.
		res, _ = b.Post("/admin/functions", url.Values{"csrf_token": {"wrong"}, "code": {"X"}, "name": {"X"}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("post with a wrong CSRF token = %d; want 403", res.StatusCode)
		}
		res, _ = b.Post("/signout", url.Values{})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign out = %d", res.StatusCode)
		}
		res, _ = b.Get("/admin")
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("after sign-out /admin = %d; want redirect", res.StatusCode)
		}
	})
}

func mustURL(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}

func TestAdminEditsDepartmentWithConflict(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := e.SignIn(t, "admin@example.com")
		bio := departmentByCode(t, e, "BIO")
		// Missing fields: the form comes back with every error and what was typed.
		res, body := admin.Post("/admin/departments", url.Values{"code": {"bad code!"}, "name": {""}, "parent_id": {strconv.FormatInt(bio.ID, 10)}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#name"`) || !strings.Contains(body, `href="#code"`) ||
			!strings.Contains(body, `value="bad code!"`) {
			t.Fatalf("invalid department form = %d", res.StatusCode)
		}
		res, _ = admin.Post("/admin/departments", url.Values{"code": {"GEN"}, "name": {"Genomics"}, "parent_id": {strconv.FormatInt(bio.ID, 10)},
			"billing_mode": {"chargeback"}, "brm_email": {"brm@example.com"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create department = %d", res.StatusCode)
		}
		gen := departmentByCode(t, e, "GEN")
		if gen.ParentID != bio.ID || gen.BRMName != "Sam Okafor" || gen.BillingMode != "chargeback" {
			t.Fatalf("created department = %+v", gen)
		}
		// Two admins open the edit form; the second save is refused.
		_, form1 := admin.Get("/admin/departments/" + strconv.FormatInt(gen.ID, 10) + "/edit")
		if !strings.Contains(form1, `name="version" value="1"`) {
			t.Fatal("edit form does not carry the version")
		}
		edit := url.Values{"version": {"1"}, "code": {"GEN"}, "name": {"Genomics Core"}, "billing_mode": {"chargeback"}}
		if res, _ := admin.Post("/admin/departments/"+strconv.FormatInt(gen.ID, 10), edit); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first save = %d", res.StatusCode)
		}
		edit.Set("name", "Genomics (stale)")
		res, body = admin.Post("/admin/departments/"+strconv.FormatInt(gen.ID, 10), edit)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed this department") {
			t.Fatalf("stale save = %d", res.StatusCode)
		}
		if d := departmentByCode(t, e, "GEN"); d.Name != "Genomics Core" {
			t.Fatalf("stale save overwrote the name: %q", d.Name)
		}
		// The change is in the audit log page.
		_, body = admin.Get("/admin/audit?entity_type=department&entity_id=" + strconv.FormatInt(gen.ID, 10))
		if !strings.Contains(body, "Updated department Genomics Core") {
			t.Fatal("audit page does not show the update")
		}
	})
}

func TestCSVImportThroughTheBrowser(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := e.SignIn(t, "admin@example.com")
		upload := func(kind, content string) (*http.Response, string) {
			var body strings.Builder
			body.WriteString("--X\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + admin.CSRF() + "\r\n")
			body.WriteString("--X\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n" + kind + "\r\n")
			body.WriteString("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.csv\"\r\nContent-Type: text/csv\r\n\r\n" + content + "\r\n--X--\r\n")
			res, err := admin.Client.Post(e.URL+"/admin/import", "multipart/form-data; boundary=X", strings.NewReader(body.String()))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res, string(b)
		}
		res, body := upload("functions", "code,name\nQA,Quality Assurance\nRA,Regulatory Affairs\n")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "2 added") {
			t.Fatalf("import = %d: %s", res.StatusCode, body[:min(len(body), 200)])
		}
		res, body = upload("functions", "code,name\nQB,Quality B\n,No Code\n")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Line 3: code — Enter a code.") {
			t.Fatalf("bad import = %d", res.StatusCode)
		}
		list, _, _ := e.Org.ListFunctions(context.Background(), system, org.ListFilter{Query: "quality b"})
		if len(list) != 0 {
			t.Fatal("a failed import wrote a row")
		}
		// The export is the import format.
		res, body = admin.Get("/admin/export/functions.csv")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "code,name\n") || !strings.Contains(body, "QA,Quality Assurance") {
			t.Fatalf("export = %d %q", res.StatusCode, body)
		}
	})
}
