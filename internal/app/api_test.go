package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

type apiClient struct {
	t     *testing.T
	e     *apptest.Engage
	token string
}

func (c apiClient) do(method, path, contentType, body string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.e.URL+"/api/v1"+path, strings.NewReader(body))
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if strings.Contains(res.Header.Get("Content-Type"), "json") && len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
		if res.StatusCode >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
			c.t.Errorf("%s %s: error with content type %q; want application/problem+json", method, path, res.Header.Get("Content-Type"))
		}
	} else {
		out = map[string]any{"raw": string(raw)}
	}
	return res.StatusCode, out
}

// clientOf is an API client with a token of the demo person at email.
func clientOf(t *testing.T, e *apptest.Engage, email string) apiClient {
	return apiClient{t, e, e.Token(t, email)}
}

func (c apiClient) json(method, path, body string) (int, map[string]any) {
	return c.do(method, path, "application/json", body)
}

// locations lists the `location` of each error detail.
func locations(problem map[string]any) []string {
	var out []string
	errs, _ := problem["errors"].([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		out = append(out, m["location"].(string))
	}
	return out
}

func TestAPIOrganisation(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := apiClient{t, e, e.Token(t, "admin@example.com")}
		if status, _ := (apiClient{t: t, e: e}).json("GET", "/me", ""); status != http.StatusUnauthorized {
			t.Fatalf("no token = %d; want 401", status)
		}
		if status, _ := (apiClient{t: t, e: e, token: "eng_nonsense"}).json("GET", "/me", ""); status != http.StatusUnauthorized {
			t.Fatalf("bad token = %d; want 401", status)
		}
		status, me := admin.json("GET", "/me", "")
		if status != 200 || me["person"].(map[string]any)["email"] != "admin@example.com" || me["authenticated_by"] != "token" {
			t.Fatalf("me = %d %v", status, me)
		}

		// Create: invalid fields are each named.
		status, problem := admin.json("POST", "/departments", `{"code":"","name":"","billing_mode":"monthly"}`)
		if got := slices.Sorted(slices.Values(locations(problem))); status != 422 || strings.Join(got, ",") != "body.billing_mode,body.code,body.name" {
			t.Fatalf("invalid create = %d %v", status, problem)
		}
		status, dept := admin.json("POST", "/departments", `{"code":"GEN","name":"Genomics","billing_mode":"chargeback"}`)
		if status != 201 || dept["version"].(float64) != 1 {
			t.Fatalf("create = %d %v", status, dept)
		}
		id := strconv.Itoa(int(dept["id"].(float64)))
		// Patch keeps what is not sent; a stale version is a conflict.
		status, dept = admin.json("PATCH", "/departments/"+id, `{"version":1,"name":"Genomics Core"}`)
		if status != 200 || dept["name"] != "Genomics Core" || dept["code"] != "GEN" || dept["billing_mode"] != "chargeback" || dept["version"].(float64) != 2 {
			t.Fatalf("patch = %d %v", status, dept)
		}
		if status, _ = admin.json("PATCH", "/departments/"+id, `{"version":1,"name":"Stale"}`); status != http.StatusConflict {
			t.Fatalf("stale patch = %d; want 409", status)
		}
		if status, problem = admin.json("PATCH", "/departments/"+id, `{"name":"No version"}`); status != 422 {
			t.Fatalf("patch without version = %d %v; want 422", status, problem)
		}
		if status, _ = admin.json("GET", "/departments/999999", ""); status != 404 {
			t.Fatalf("missing department = %d; want 404", status)
		}

		// Cursor pagination visits every person exactly once.
		seen := map[float64]bool{}
		cursor := ""
		pages := 0
		for {
			status, page := admin.json("GET", "/people?limit=300&cursor="+cursor, "")
			if status != 200 {
				t.Fatalf("people page = %d %v", status, page)
			}
			for _, it := range page["items"].([]any) {
				id := it.(map[string]any)["id"].(float64)
				if seen[id] {
					t.Fatalf("person %v on two pages", id)
				}
				seen[id] = true
			}
			pages++
			next, _ := page["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		// The demo's 2,000 and the few later steps add (a dark site).
		var everyone int
		if err := e.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM people").Scan(&everyone); err != nil {
			t.Fatal(err)
		}
		if len(seen) != everyone || everyone < 2000 || pages != 7 {
			t.Fatalf("paged through %d people in %d pages; want %d in 7", len(seen), pages, everyone)
		}
		if status, problem = admin.json("GET", "/people?cursor=bogus", ""); status != 422 || locations(problem)[0] != "query.cursor" {
			t.Fatalf("bad cursor = %d %v", status, problem)
		}
		// Filters.
		_, page := admin.json("GET", "/people?role=finance", "")
		if items := page["items"].([]any); len(items) != 1 || items[0].(map[string]any)["email"] != "finance@example.com" {
			t.Fatalf("finance people = %v", items)
		}

		// CSV import: all or nothing, errors located by line.
		status, problem = admin.do("POST", "/imports/functions", "text/csv", "code,name\nQA,Quality\n,Nameless\n")
		if status != 422 || locations(problem)[0] != "body line 3: code" {
			t.Fatalf("bad import = %d %v", status, problem)
		}
		status, rep := admin.do("POST", "/imports/functions", "text/csv", "code,name\nQA,Quality\n")
		if status != 200 || rep["created"].(float64) != 1 {
			t.Fatalf("import = %d %v", status, rep)
		}
		status, csv := admin.do("GET", "/exports/functions", "", "")
		if status != 200 || !strings.Contains(csv["raw"].(string), "QA,Quality") {
			t.Fatalf("export = %d %v", status, csv)
		}

		// Audit log through the API.
		_, events := admin.json("GET", "/audit-events?entity_type=department&entity_id="+id, "")
		if items := events["items"].([]any); len(items) != 2 || items[0].(map[string]any)["action"] != "update" {
			t.Fatalf("audit events = %v", items)
		}

		// Tokens: create, use, revoke.
		status, tok := admin.json("POST", "/tokens", `{"name":"nightly job","scope":"full"}`)
		if status != 201 {
			t.Fatalf("create token = %d %v", status, tok)
		}
		second := apiClient{t, e, tok["token"].(string)}
		if status, _ = second.json("GET", "/me", ""); status != 200 {
			t.Fatalf("new token = %d", status)
		}
		tokID := strconv.Itoa(int(tok["info"].(map[string]any)["id"].(float64)))
		if status, _ = admin.json("DELETE", "/tokens/"+tokID, ""); status != 204 {
			t.Fatalf("revoke = %d", status)
		}
		if status, _ = second.json("GET", "/me", ""); status != 401 {
			t.Fatalf("revoked token = %d; want 401", status)
		}
	})
}

// TestOpenAPIMatchesServer calls every documented operation and checks that
// the server routes it and answers with a status the document declares.
func TestOpenAPIMatchesServer(t *testing.T) {
	e := apptest.New(t, "sqlite")
	admin := apiClient{t, e, e.Token(t, "admin@example.com")}
	ops := operations(t, e)
	if len(ops) < 20 {
		t.Fatalf("only %d operations documented", len(ops))
	}
	ids := map[string]string{"id": "1", "kind": "functions"}
	for _, op := range ops {
		body := ""
		ct := "application/json"
		switch {
		case op.ID == "import-organisation":
			body, ct = "code,name\nZZ,Zeta\n", "text/csv"
		case op.Method == "POST" || op.Method == "PATCH" || op.Method == "PUT":
			body = `{}`
		}
		status, out := admin.do(op.Method, fill(op.Path, ids), ct, body)
		if status == 404 && out["detail"] == nil && out["title"] == nil {
			t.Errorf("%s %s is documented but not routed", op.Method, op.Path)
		}
		if status == http.StatusMethodNotAllowed {
			t.Errorf("%s %s is documented but the server refuses the method", op.Method, op.Path)
		}
		if _, ok := op.Responses[strconv.Itoa(status)]; !ok {
			if _, def := op.Responses["default"]; !def {
				t.Errorf("%s %s answered %d, which the document does not declare (%v)", op.Method, op.Path, status, keys(op.Responses))
			}
		}
	}
	// And the other way: what the server routes under /api/v1 is documented.
	for _, path := range []string{"/me", "/departments", "/people", "/locations", "/functions", "/audit-events", "/tokens"} {
		found := false
		for _, op := range ops {
			found = found || (op.Path == path && op.Method == "GET")
		}
		if !found {
			t.Errorf("GET %s is served but not documented", path)
		}
	}
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestSessionCookieAPINeedsCSRFHeader: the browser's session may call the
// API, but a change needs the session's CSRF token in a header.
func TestSessionCookieAPINeedsCSRFHeader(t *testing.T) {
	e := apptest.New(t, "sqlite")
	b := e.SignIn(t, "admin@example.com")
	post := func(csrf string) int {
		req, _ := http.NewRequest("POST", e.URL+"/api/v1/functions", strings.NewReader(`{"code":"CS","name":"Cookie"}`))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		res, err := b.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := post(""); s != http.StatusForbidden {
		t.Fatalf("cookie API change without CSRF header = %d; want 403", s)
	}
	if s := post(b.CSRF()); s != http.StatusCreated {
		t.Fatalf("cookie API change with CSRF header = %d; want 201", s)
	}
}

func TestOperationalEndpoints(t *testing.T) {
	e := apptest.New(t, "sqlite")
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": "engage_http_requests_total"} {
		// Twice, so that the first request is counted in /metrics.
		for i := 0; i < 2; i++ {
			res, err := http.Get(e.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if i == 1 && (res.StatusCode != 200 || !strings.Contains(string(raw), want)) {
				t.Errorf("%s = %d, missing %q", path, res.StatusCode, want)
			}
		}
	}
	// Readiness fails when the database is gone.
	e.DB.Close()
	res, err := http.Get(e.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed database = %d; want 503", res.StatusCode)
	}
}
