package app_test

import (
	"bytes"
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/auth/idptest"
	"github.com/engagehq/engage/internal/config"
)

// engageSite is the address Engage is registered under at the provider; the
// test rewrites the provider's redirects to the running Engage.
const engageSite = "http://engage.test"

// logBuffer collects what Engage logs, for tests that check it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// ssoWorld is an Engage that signs in through a conforming provider.
type ssoWorld struct {
	t    *testing.T
	e    *apptest.Engage
	idp  *idptest.Provider
	logs *logBuffer
}

func newSSOWorld(t *testing.T, engine string) *ssoWorld {
	idp := idptest.New("engage", "s3cret")
	t.Cleanup(idp.Close)
	idp.RedirectURIs = []string{engageSite + "/auth/oidc/callback"}
	idp.PostLogoutRedirectURIs = []string{engageSite + "/signin"}
	logs := &logBuffer{}
	e := apptest.NewWithLogger(t, engine, func(c *config.Config) {
		c.OIDC.Issuer, c.OIDC.ClientID, c.OIDC.ClientSecret = idp.URL, "engage", "s3cret"
		c.OIDC.RedirectURL = engageSite + "/auth/oidc/callback"
	}, slog.New(slog.NewTextHandler(logs, nil)))
	idp.Now = e.Clock.Now
	return &ssoWorld{t: t, e: e, idp: idp, logs: logs}
}

// toProvider starts single sign-on in b and follows it to the provider,
// which answers at once; it returns the callback the provider sends the
// browser back to, as a path on Engage.
func (w *ssoWorld) toProvider(b *apptest.Browser, next string) *url.URL {
	w.t.Helper()
	res, _ := b.Get("/auth/oidc/login?next=" + url.QueryEscape(next))
	authz := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(authz, w.idp.URL+"/authorize?") {
		w.t.Fatalf("login = %d to %q", res.StatusCode, authz)
	}
	res, err := b.Client.Get(authz)
	if err != nil {
		w.t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), engageSite+"/auth/oidc/callback?") {
		w.t.Fatalf("the provider sent the browser to %q", res.Header.Get("Location"))
	}
	back.Scheme, back.Host = "", ""
	return back
}

// signIn goes through single sign-on in a new browser and returns the
// browser and the callback's answer.
func (w *ssoWorld) signIn(u idptest.User, next string) (*apptest.Browser, *http.Response, string) {
	w.idp.SignInAs(u)
	b := w.e.Browser(w.t)
	res, body := b.Get(w.toProvider(b, next).String())
	return b, res, html.UnescapeString(body)
}

var riley = idptest.User{Subject: "u-riley", Email: "Requester@Example.com", EmailVerified: true, Name: "Riley Chen"}

// refusedOnSignInPage checks that a refusal is shown on the sign-in page
// with its reason, at the given status, and that the page carries no
// callback URL as the place to return to.
func refusedOnSignInPage(t *testing.T, what string, res *http.Response, body string, status int, reason string) {
	t.Helper()
	if res.StatusCode != status || !strings.Contains(body, "Sign in to Engage") || !strings.Contains(body, reason) {
		t.Errorf("%s = %d; want %d on the sign-in page saying %q\n%s", what, res.StatusCode, status, reason, body)
	}
	if strings.Contains(body, "/auth/oidc/callback") || strings.Contains(res.Header.Get("Location"), "callback") {
		t.Errorf("%s carries the callback URL on", what)
	}
}

// TestSingleSignOn signs in through a provider that behaves like a
// conforming one: the e-mail address only in userinfo, PKCE required,
// single-use codes, iss on the redirect and RP-initiated logout.
func TestSingleSignOn(t *testing.T) {
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			w := newSSOWorld(t, engine)
			if _, body := w.e.Browser(t).Get("/signin"); !strings.Contains(body, "/auth/oidc/login") {
				t.Fatal("the sign-in page does not offer single sign-on")
			}

			// The provider's defaults: the address comes from userinfo.
			b, res, _ := w.signIn(riley, "/people")
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/people" {
				t.Fatalf("callback = %d to %q; want 303 to /people", res.StatusCode, res.Header.Get("Location"))
			}
			if _, body := b.Get("/"); !strings.Contains(body, "Hello, Riley Chen") {
				t.Fatal("single sign-on did not sign in the person with that e-mail")
			}
			authz := w.idp.Authorizations()[0]
			if authz.Get("code_challenge_method") != "S256" || len(authz.Get("code_challenge")) < 43 || authz.Get("nonce") == "" || authz.Get("state") == "" {
				t.Errorf("the authorisation request lacks PKCE, nonce or state: %v", authz)
			}

			// A code used twice is the caller's error, said on the sign-in page.
			used := w.toProvider(b, "/")
			if res, _ := b.Get(used.String()); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("first use of a code = %d", res.StatusCode)
			}
			replay := w.e.Browser(t)
			again := w.toProvider(replay, "/orders")
			q := again.Query()
			q.Set("code", used.Query().Get("code"))
			again.RawQuery = q.Encode()
			res, body := replay.Get(again.String())
			refusedOnSignInPage(t, "a used code", res, html.UnescapeString(body), http.StatusUnprocessableEntity, "did not accept the sign-in code")
			if !strings.Contains(body, `name="next" value="/orders"`) {
				t.Error("the sign-in page after a refusal forgot where the person was going")
			}

			// PKCE: a code is only good with the verifier of its own attempt.
			first, second := w.e.Browser(t), w.e.Browser(t)
			firstBack, secondBack := w.toProvider(first, "/"), w.toProvider(second, "/")
			swapped := *secondBack
			q = swapped.Query()
			q.Set("code", firstBack.Query().Get("code"))
			swapped.RawQuery = q.Encode()
			res, body = second.Get(swapped.String())
			refusedOnSignInPage(t, "another attempt's code", res, html.UnescapeString(body), http.StatusUnprocessableEntity, "did not accept the sign-in code")
			if res, _ := first.Get(firstBack.String()); res.StatusCode != http.StatusSeeOther {
				t.Errorf("the code with its own verifier = %d; want 303", res.StatusCode)
			}

			// An expired code.
			late := w.e.Browser(t)
			back := w.toProvider(late, "/")
			w.e.Clock.Advance(2 * time.Minute)
			res, body = late.Get(back.String())
			refusedOnSignInPage(t, "an expired code", res, html.UnescapeString(body), http.StatusUnprocessableEntity, "did not accept the sign-in code")

			// A code that was never issued.
			forged := w.e.Browser(t)
			back = w.toProvider(forged, "/")
			q = back.Query()
			q.Set("code", "made-up")
			back.RawQuery = q.Encode()
			res, body = forged.Get(back.String())
			refusedOnSignInPage(t, "a made-up code", res, html.UnescapeString(body), http.StatusUnprocessableEntity, "did not accept the sign-in code")

			// Refusals say why, on the sign-in page.
			_, res, body = w.signIn(idptest.User{Subject: "u-riley", Email: "requester@example.com", EmailVerified: false}, "/people")
			refusedOnSignInPage(t, "an unverified address", res, body, http.StatusForbidden, "did not give a verified e-mail address")
			_, res, body = w.signIn(idptest.User{Subject: "u-x", Email: "stranger@example.com", EmailVerified: true}, "/")
			refusedOnSignInPage(t, "an unknown person", res, body, http.StatusForbidden, "There is no active Engage account for stranger@example.com")
			if _, err := w.e.DB.Exec(context.Background(), "UPDATE people SET active = ? WHERE email = ?", false, "finance@example.com"); err != nil {
				t.Fatal(err)
			}
			_, res, body = w.signIn(idptest.User{Subject: "u-f", Email: "finance@example.com", EmailVerified: true}, "/")
			refusedOnSignInPage(t, "a deactivated person", res, body, http.StatusForbidden, "There is no active Engage account for finance@example.com")

			w.idp.SignInAs(riley)
			tampered := w.e.Browser(t)
			back = w.toProvider(tampered, "/")
			q = back.Query()
			q.Set("state", q.Get("state")+"x")
			back.RawQuery = q.Encode()
			res, body = tampered.Get(back.String())
			refusedOnSignInPage(t, "a mismatched state", res, html.UnescapeString(body), http.StatusForbidden, "the sign-in attempt did not match")
			res, body = w.e.Browser(t).Get(back.String())
			refusedOnSignInPage(t, "a callback without an attempt", res, html.UnescapeString(body), http.StatusForbidden, "has expired or was started in another browser")

			// RFC 9207: the answer must come from Engage's provider, and say so.
			w.idp.SendIssuer("https://idp.example.net")
			_, res, body = w.signIn(riley, "/")
			refusedOnSignInPage(t, "another issuer", res, body, http.StatusUnauthorized, "came from another identity provider")
			w.idp.SendIssuer("")
			silent := w.e.Browser(t)
			back = w.toProvider(silent, "/")
			q = back.Query()
			q.Del("iss")
			back.RawQuery = q.Encode()
			res, body = silent.Get(back.String())
			refusedOnSignInPage(t, "no iss from a provider that sends it", res, html.UnescapeString(body), http.StatusUnauthorized, "did not say who sent it")

			// Clock skew: a little is allowed, a token from the future is not.
			w.idp.ClockAhead(auth.ClockSkew - 30*time.Second)
			if _, res, body := w.signIn(riley, "/"); res.StatusCode != http.StatusSeeOther {
				t.Errorf("a token issued within the clock skew = %d\n%s", res.StatusCode, body)
			}
			w.idp.ClockAhead(auth.ClockSkew + time.Minute)
			_, res, body = w.signIn(riley, "/")
			refusedOnSignInPage(t, "a token issued in the future", res, body, http.StatusUnauthorized, "issued in the future")
			w.idp.ClockAhead(0)

			// A provider that does put the address in the token is fine too.
			w.idp.EmailInIDToken(true)
			if _, res, _ := w.signIn(riley, "/"); res.StatusCode != http.StatusSeeOther {
				t.Errorf("with the address in the ID token = %d", res.StatusCode)
			}
			w.idp.EmailInIDToken(false)

			// Signing out ends the provider's session too.
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+w.idp.URL) {
				t.Errorf("the sign-out form may not lead to the provider: %q", csp)
			}
			b.Get("/") // the session's CSRF token: the second sign-in above began a new session
			res, _ = b.Post("/signout", url.Values{})
			logout, err := url.Parse(res.Header.Get("Location"))
			if err != nil || res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(logout.String(), w.idp.URL+"/logout?") ||
				strings.Count(logout.Query().Get("id_token_hint"), ".") != 2 || logout.Query().Get("post_logout_redirect_uri") != engageSite+"/signin" ||
				logout.Query().Get("client_id") != "engage" {
				t.Fatalf("sign-out = %d to %q; want the provider's end_session_endpoint", res.StatusCode, res.Header.Get("Location"))
			}
			res, err = b.Client.Get(logout.String())
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.Header.Get("Location") != engageSite+"/signin" || len(w.idp.Logouts()) != 1 {
				t.Errorf("the provider's logout = %d to %q, %d logouts", res.StatusCode, res.Header.Get("Location"), len(w.idp.Logouts()))
			}
			if res, _ := b.Get("/"); res.StatusCode != http.StatusSeeOther {
				t.Error("still signed in to Engage after signing out")
			}
			// A session signed in with a password signs out of Engage only.
			pw := w.e.SignIn(t, "requester@example.com")
			if res, _ := pw.Post("/signout", url.Values{}); res.Header.Get("Location") != "/signin" {
				t.Errorf("password sign-out = %q; want /signin", res.Header.Get("Location"))
			}

			// None of the refusals above is Engage's fault: nothing logged as an error.
			if logs := w.logs.String(); strings.Contains(logs, "level=ERROR") {
				t.Errorf("single sign-on refusals were logged as errors:\n%s", logs)
			}
		})
	}
}
