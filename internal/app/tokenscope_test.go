package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestTokenScopeIsAlwaysChosen: a token request without a scope — on the
// account page, an administrator's page for someone else, or the API — is
// refused naming the scope, and makes no token; the forms always send one.
func TestTokenScopeIsAlwaysChosen(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		tokens := func() int {
			var n int
			if err := e.DB.QueryRow(t.Context(), "SELECT COUNT(*) FROM api_tokens").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		api := clientOf(t, e, "requester@example.com")
		before := tokens()

		// The API's schema requires it: the problem names it.
		status, problem := api.json(http.MethodPost, "/tokens", `{"name":"nightly job"}`)
		errs, _ := problem["errors"].([]any)
		if status != http.StatusUnprocessableEntity || len(errs) != 1 || !strings.Contains(errs[0].(map[string]any)["message"].(string), "scope") {
			t.Errorf("POST /tokens without a scope = %d %v; want 422 naming the scope", status, problem)
		}
		if status, problem := api.json(http.MethodPost, "/tokens", `{"name":"nightly job","scope":""}`); status != http.StatusUnprocessableEntity ||
			!slices.Contains(locations(problem), "body.scope") {
			t.Errorf("POST /tokens with a blank scope = %d %v; want 422 naming body.scope", status, problem)
		}

		riley := e.SignIn(t, "requester@example.com")
		if _, page := riley.Get("/account"); !strings.Contains(page, `name="token_scope" value="full" checked`) {
			t.Error("the account page's token form does not always send a scope")
		}
		res, body := riley.Post("/account/tokens", url.Values{"token_name": {"release pipeline"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose what the token may do") || strings.Contains(body, `id="new-token"`) {
			t.Errorf("the account page without token_scope = %d; want 422 naming the scope", res.StatusCode)
		}

		admin := e.SignIn(t, "admin@example.com")
		owner := strconv.FormatInt(person(t, e, "owner@example.com").ID, 10)
		res, body = admin.Post("/admin/people/"+owner+"/token", url.Values{"token_name": {"release pipeline"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose what the token may do") || strings.Contains(body, `id="new-token"`) {
			t.Errorf("the admin's token form without token_scope = %d; want 422 naming the scope", res.StatusCode)
		}
		if after := tokens(); after != before {
			t.Errorf("%d tokens made without a scope", after-before)
		}
	})
}
