package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/frontdoor"
)

// TestFormsCreateOnceWhenSentTwice sends the forms that create a need, an
// adjustment and a webhook twice, as a double click or the browser's resend
// does: each makes one thing, and the second sending leads to it.
func TestFormsCreateOnceWhenSentTwice(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		e.Notify.AllowPrivateTargets = true // the webhook's address is loopback

		// sendTwice posts the form for action on page twice with the same
		// values and returns where each sending led.
		sendTwice := func(t *testing.T, b *apptest.Browser, page, action string, values url.Values) (string, string) {
			t.Helper()
			_, body := b.Get(page)
			form, ok := apptest.FormFor(body, action)
			if !ok {
				t.Fatalf("%s has no form for %s", page, action)
			}
			send := form.Values()
			if send.Get("form_key") == "" {
				t.Fatalf("the form for %s on %s carries no form key", action, page)
			}
			for k, v := range values {
				send[k] = v
			}
			var locs [2]string
			for i := range locs {
				res, body := b.Post(action, cloneValues(send))
				switch {
				case res.StatusCode == http.StatusSeeOther:
					locs[i] = res.Header.Get("Location")
				case i == 0 && res.StatusCode == http.StatusOK && res.Header.Get("Content-Location") != "":
					locs[i] = res.Header.Get("Content-Location") // shown once, then its page
				default:
					t.Fatalf("sending %d of %s = %d: %.300s", i+1, action, res.StatusCode, body)
				}
			}
			return locs[0], locs[1]
		}

		riley := e.SignIn(t, "requester@example.com")
		p := principalOf(t, e, "requester@example.com")
		count := func() int {
			list, _, err := e.FrontDoor.List(ctx, p, frontdoor.ListFilter{Mine: true, Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		before := count()
		first, second := sendTwice(t, riley, "/needs/new", "/needs", url.Values{"action": {"save"}, "title": {"Shared lab calendar"},
			"problem": {"We book instruments by e-mail."}, "outcome": {"One calendar for the instruments."}, "users": {"30"}, "data_class": {"internal"}})
		if first != second || count() != before+1 {
			t.Errorf("the need form sent twice led to %s and %s and made %d needs", first, second, count()-before)
		}

		finance := e.SignIn(t, "finance@example.com")
		bio := departmentByCode(t, e, "BIO")
		adjustments := func() int {
			var n int
			if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM adjustments WHERE department_id = ?", bio.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		beforeAdj := adjustments()
		first, second = sendTwice(t, finance, "/billing", "/billing/adjustments", url.Values{"department_id": {strconv.FormatInt(bio.ID, 10)},
			"amount": {"-120.00"}, "currency": {"EUR"}, "reason": {"Refund of a double-billed licence"}})
		if first != second || adjustments() != beforeAdj+1 {
			t.Errorf("the adjustment form sent twice led to %s and %s and made %d adjustments", first, second, adjustments()-beforeAdj)
		}

		admin := e.SignIn(t, "admin@example.com")
		first, second = sendTwice(t, admin, "/admin/webhooks", "/admin/webhooks", url.Values{"url": {"http://127.0.0.1:9/twice"}})
		if first != second {
			t.Errorf("the webhook form sent twice led to %s and %s", first, second)
		}
		// A token made on the account page, sent twice, is one token.
		tokens := func() int {
			list, err := e.Auth.ListTokens(ctx, principalOf(t, e, "requester@example.com"), principalOf(t, e, "requester@example.com").PersonID)
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		beforeTokens := tokens()
		first, second = sendTwice(t, riley, "/account", "/account/tokens", url.Values{"token_name": {"lab robot"}})
		if first == "" || second != "/account#tokens" || tokens() != beforeTokens+1 {
			t.Errorf("the token form sent twice led to %q and %q and made %d tokens", first, second, tokens()-beforeTokens)
		}

		hooks, _, err := e.Notify.ListWebhooks(ctx, principalOf(t, e, "admin@example.com"), "", 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, h := range hooks {
			if h.URL == "http://127.0.0.1:9/twice" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the webhook form sent twice made %d webhooks", n)
		}
	})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
