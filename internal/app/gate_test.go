package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/frontdoor"
)

var newToken = regexp.MustCompile(`id="new-token">([^<]+)<`)

// rejectedElsewhere returns a rejected demo need that the person at email
// may not read, and the reason it was rejected.
func rejectedElsewhere(t *testing.T, e *apptest.Engage, email string) (ref, reason string) {
	t.Helper()
	ctx, p := context.Background(), mustPrincipal(t, e, email)
	rows, err := e.DB.Query(ctx, `SELECT n.reference, e.reason FROM needs n JOIN need_events e ON e.need_id = n.id
		WHERE n.state = 'rejected' AND e.to_state = 'rejected' ORDER BY n.reference`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(&ref, &reason); err != nil {
			t.Fatal(err)
		}
		if _, err := e.FrontDoor.Find(ctx, p, ref); err != nil && len(reason) > 10 {
			return ref, reason
		}
	}
	t.Fatalf("no rejected demo need that %s may not read", email)
	return "", ""
}

// TestGateTellsOnlyReadersWhy: the delivery gate answers everyone signed in
// whether work may proceed and the need's state, but the title and the
// reason a need was rejected only to those who may read the need; a token
// limited to the gate asks the gate and nothing else.
func TestGateTellsOnlyReadersWhy(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		ref, reason := rejectedElsewhere(t, e, "requester@example.com")
		gate := "/gate/" + url.PathEscape(ref)

		// A requester of another department: the minimal answer.
		riley := clientOf(t, e, "requester@example.com")
		status, ans := riley.json(http.MethodGet, gate, "")
		if status != http.StatusOK || ans["state"] != string(frontdoor.Rejected) || ans["allowed"] != false || ans["reason"] != "Rejected." || ans["title"] != nil {
			t.Errorf("gate %s for a requester of another department = %d %v; want the state without the reason or title", ref, status, ans)
		}
		if _, body := e.SignIn(t, "requester@example.com").Get("/gate?reference=" + ref); !strings.Contains(body, "Rejected") || strings.Contains(body, reason) {
			t.Errorf("the gate page tells a requester of another department why %s was rejected", ref)
		}
		// Someone who may read the need learns why.
		status, ans = clientOf(t, e, "admin@example.com").json(http.MethodGet, gate, "")
		if status != http.StatusOK || !strings.Contains(ans["reason"].(string), reason) || ans["title"] == nil {
			t.Errorf("gate %s for an admin = %d %v; want the reason and title", ref, status, ans)
		}

		// A token limited to the gate, created through the API.
		status, created := riley.json(http.MethodPost, "/tokens", `{"name":"delivery pipeline","scope":"gate"}`)
		info, _ := created["info"].(map[string]any)
		if status != http.StatusCreated || info["scope"] != access.ScopeGate {
			t.Fatalf("create a gate token = %d %v", status, created)
		}
		pipeline := apiClient{t, e, created["token"].(string)}
		status, ans = pipeline.json(http.MethodGet, gate, "")
		if status != http.StatusOK || ans["state"] != string(frontdoor.Rejected) || ans["reason"] != "Rejected." || ans["title"] != nil {
			t.Errorf("gate %s for a gate token = %d %v", ref, status, ans)
		}
		// Even for its own person's need, the gate token learns only the answer.
		own, _, err := e.FrontDoor.List(ctx, mustPrincipal(t, e, "requester@example.com"), frontdoor.ListFilter{Mine: true, Limit: 1})
		if err != nil || len(own) == 0 {
			t.Fatalf("Riley's needs = %v, %v", own, err)
		}
		if status, ans = pipeline.json(http.MethodGet, "/gate/"+own[0].Reference, ""); status != http.StatusOK || ans["title"] != nil {
			t.Errorf("gate %s (Riley's own) for a gate token = %d %v; want no title", own[0].Reference, status, ans)
		}
		for _, call := range []struct{ method, path, body string }{
			{http.MethodGet, "/me", ""}, {http.MethodGet, "/needs", ""}, {http.MethodGet, "/tokens", ""},
			{http.MethodPost, "/tokens", `{"name":"escalate","scope":"full"}`}, {http.MethodGet, "/needs/" + own[0].Reference, ""},
		} {
			if status, problem := pipeline.json(call.method, call.path, call.body); status != http.StatusForbidden || !strings.Contains(problem["detail"].(string), "delivery gate") {
				t.Errorf("%s %s with a gate token = %d %v; want 403", call.method, call.path, status, problem)
			}
		}
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/needs", nil)
		req.Header.Set("Authorization", "Bearer "+pipeline.token)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
			t.Errorf("a page with a gate token = %v, %v; want 403", res.StatusCode, err)
		} else {
			res.Body.Close()
		}

		// And on the account page.
		b := e.SignIn(t, "requester@example.com")
		// The form posts the fields the handler reads.
		if _, page := b.Get("/account"); !strings.Contains(page, `name="token_name"`) || !strings.Contains(page, `name="token_scope" value="gate"`) {
			t.Fatal("the account page's token form lacks token_name or token_scope")
		}
		res, body := b.Post("/account/tokens", url.Values{"token_name": {"release pipeline"}, "token_scope": {"gate"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="new-token"`) || !strings.Contains(body, "Delivery gate only") {
			t.Errorf("creating a gate token on the account page = %d", res.StatusCode)
		}
		if res, body := b.Post("/account/tokens", url.Values{"token_name": {"x"}, "token_scope": {"root"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose full or gate.") {
			t.Errorf("an unknown scope on the account page = %d", res.StatusCode)
		}

		// And by an administrator, for a pipeline's account.
		admin := e.SignIn(t, "admin@example.com")
		owner := strconv.FormatInt(person(t, e, "owner@example.com").ID, 10)
		if _, body := admin.Get("/admin/people/" + owner + "/edit"); !strings.Contains(body, `href="/admin/people/`+owner+`/token"`) {
			t.Error("the person form does not offer a token")
		}
		if res, body := admin.Get("/admin/people/" + owner + "/token"); res.StatusCode != http.StatusOK || !strings.Contains(body, `name="token_scope" value="gate" checked`) {
			t.Errorf("the admin token form = %d, or not limited to the gate by default", res.StatusCode)
		}
		res, body = admin.Post("/admin/people/"+owner+"/token", url.Values{"token_name": {"release pipeline"}, "token_scope": {"gate"}})
		m := newToken.FindStringSubmatch(body)
		if res.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("an admin creating a gate token = %d", res.StatusCode)
		}
		adminMade := apiClient{t, e, m[1]}
		if status, ans := adminMade.json(http.MethodGet, gate, ""); status != http.StatusOK || ans["reason"] != "Rejected." {
			t.Errorf("gate with the admin-made token = %d %v", status, ans)
		}
		if status, _ := adminMade.json(http.MethodGet, "/me", ""); status != http.StatusForbidden {
			t.Errorf("/me with the admin-made gate token = %d; want 403", status)
		}
	})
}

func mustPrincipal(t *testing.T, e *apptest.Engage, email string) *access.Principal {
	t.Helper()
	p, err := e.Org.Principal(context.Background(), person(t, e, email).ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}
