package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

var newTokenPattern = regexp.MustCompile(`id="new-token">([^<]+)<`)

// TestCreateTokenOnAccountPage fills in the token form the account page
// shows and calls the API with the token it hands back.
func TestCreateTokenOnAccountPage(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		b := e.SignIn(t, "requester@example.com")
		// Blank, the form says what to type, next to the field it names.
		res, body := b.Submit("/account", "/account/tokens", url.Values{"token_name": {""}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#token_name"`) {
			t.Fatalf("blank token name = %d; want 422 with the error linked to its field", res.StatusCode)
		}
		res, body = b.Submit("/account", "/account/tokens", url.Values{"token_name": {"Monthly usage upload"}})
		m := newTokenPattern.FindStringSubmatch(body)
		if res.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("creating a token from the account page = %d, no token shown", res.StatusCode)
		}
		if !strings.Contains(body, "Monthly usage upload") {
			t.Fatal("the new token is not listed by its name")
		}
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(m[1]))
		api, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		api.Body.Close()
		if api.StatusCode != http.StatusOK {
			t.Fatalf("the API refuses the new token: %d", api.StatusCode)
		}
	})
}
