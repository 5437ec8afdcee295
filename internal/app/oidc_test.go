package app_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/config"
)

// fakeProvider is an OpenID Connect provider that signs whatever e-mail
// address the test asks for.
type fakeProvider struct {
	*httptest.Server
	key   *rsa.PrivateKey
	mu    sync.Mutex
	nonce string
	email string
	exp   int64
}

func newFakeProvider(t *testing.T) *fakeProvider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &fakeProvider{key: key}
	discovery := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: oidc.RS256}}}
	mux := http.NewServeMux()
	mux.Handle("/", discovery)
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		claims := fmt.Sprintf(`{"iss":%q,"aud":"engage","sub":"u1","email":%q,"email_verified":true,"nonce":%q,"exp":%d,"iat":%d}`,
			p.URL, p.email, p.nonce, p.exp, p.exp-3600)
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "a", "token_type": "Bearer", "expires_in": 3600,
			"id_token": oidctest.SignIDToken(key, "k1", oidc.RS256, claims)})
	})
	p.Server = httptest.NewServer(mux)
	discovery.SetIssuer(p.URL)
	t.Cleanup(p.Close)
	return p
}

func TestSingleSignOn(t *testing.T) {
	provider := newFakeProvider(t)
	e := apptest.NewWith(t, "sqlite", func(c *config.Config) {
		c.OIDC.Issuer, c.OIDC.ClientID, c.OIDC.ClientSecret = provider.URL, "engage", "s3cret"
		c.OIDC.RedirectURL = "http://engage.test/auth/oidc/callback"
	})
	provider.exp = e.Clock.Now().Unix() + 3600

	signIn := func(email string, tamperState bool) (*apptest.Browser, *http.Response, string) {
		b := e.Browser(t)
		res, body := b.Get("/signin")
		if !strings.Contains(body, "/auth/oidc/login") {
			t.Fatal("the sign-in page does not offer single sign-on")
		}
		res, _ = b.Get("/auth/oidc/login?next=/people")
		if res.StatusCode != http.StatusFound {
			t.Fatalf("login = %d", res.StatusCode)
		}
		auth, err := url.Parse(res.Header.Get("Location"))
		if err != nil || !strings.HasPrefix(auth.String(), provider.URL+"/auth") || auth.Query().Get("client_id") != "engage" {
			t.Fatalf("redirected to %s", auth)
		}
		provider.mu.Lock()
		provider.nonce, provider.email = auth.Query().Get("nonce"), email
		provider.mu.Unlock()
		state := auth.Query().Get("state")
		if tamperState {
			state += "x"
		}
		res, body = b.Get("/auth/oidc/callback?code=c1&state=" + url.QueryEscape(state))
		return b, res, body
	}

	b, res, _ := signIn("Requester@Example.com", false)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/people" {
		t.Fatalf("callback = %d to %q; want 303 to /people", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := b.Get("/"); !strings.Contains(body, "Hello, Riley Chen") {
		t.Fatal("single sign-on did not sign in the person with that e-mail")
	}
	if _, res, _ := signIn("stranger@example.com", false); res.StatusCode != http.StatusForbidden {
		t.Fatalf("unknown person = %d; want 403", res.StatusCode)
	}
	if _, res, _ := signIn("requester@example.com", true); res.StatusCode != http.StatusForbidden {
		t.Fatalf("state mismatch = %d; want 403", res.StatusCode)
	}
}
