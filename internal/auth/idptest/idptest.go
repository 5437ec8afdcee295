// Package idptest is an OpenID Connect provider for tests that behaves like a
// conforming one, not like a fake that tells Engage what it wants to hear:
// discovery, a JWKS, RS256-signed ID tokens that carry no e-mail address
// (the address is in the userinfo response, as OIDC Core 5.4 has it for the
// email scope), single-use authorisation codes that expire, PKCE (S256) that
// it insists on, the iss parameter on the redirect (RFC 9207) and an
// end_session_endpoint (RP-initiated logout). The person who signs in is
// chosen by the test; there is no login form.
package idptest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// User is the person the provider signs in.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Logout records one call to the end_session_endpoint.
type Logout struct {
	IDTokenHint           string
	PostLogoutRedirectURI string
	ClientID              string
}

// Provider is a running OpenID provider for one relying party.
type Provider struct {
	*httptest.Server
	ClientID, ClientSecret string
	// RedirectURIs and PostLogoutRedirectURIs are the registered URIs; any
	// other is refused, as a real provider does.
	RedirectURIs, PostLogoutRedirectURIs []string
	// Now is the provider's clock (time.Now unless set).
	Now func() time.Time
	// CodeTTL is how long a code may be exchanged (a minute unless set).
	CodeTTL time.Duration

	mu             sync.Mutex
	user           User          // signs in at the next authorisation request
	issuedAtOffset time.Duration // moves the ID token's iat and exp from Now
	issOnRedirect  string        // overrides the iss sent back with the code
	emailInIDToken bool          // puts the e-mail claims in the ID token as well
	key            *rsa.PrivateKey
	codes          map[string]*grant
	access         map[string]User // access token → user, for userinfo
	logouts        []Logout
	authorizations []url.Values
}

// grant is an authorisation code and what it was issued for.
type grant struct {
	user                  User
	clientID, redirectURI string
	nonce, challenge      string
	issuedAt              time.Time
	used                  bool
}

// New starts a provider for one client; close it with t.Cleanup(p.Close).
func New(clientID, clientSecret string) *Provider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, key: key,
		codes: map[string]*grant{}, access: map[string]User{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("GET /logout", p.logout)
	p.Server = httptest.NewServer(mux)
	return p
}

// SignInAs chooses who signs in at the next authorisation request.
func (p *Provider) SignInAs(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// ClockAhead makes the provider issue ID tokens as if its clock ran d ahead.
func (p *Provider) ClockAhead(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.issuedAtOffset = d
}

// SendIssuer overrides the iss parameter sent back with the code, as a
// different provider (a mix-up attack) would send; "" sends the provider's own.
func (p *Provider) SendIssuer(iss string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.issOnRedirect = iss
}

// EmailInIDToken puts the e-mail claims in the ID token too, as some
// providers do when asked.
func (p *Provider) EmailInIDToken(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.emailInIDToken = on
}

// Authorizations returns the query of every authorisation request so far.
func (p *Provider) Authorizations() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.authorizations)
}

// Logouts returns every call to the end_session_endpoint so far.
func (p *Provider) Logouts() []Logout {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.logouts)
}

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                         p.URL,
		"authorization_endpoint":                         p.URL + "/authorize",
		"token_endpoint":                                 p.URL + "/token",
		"userinfo_endpoint":                              p.URL + "/userinfo",
		"jwks_uri":                                       p.URL + "/jwks",
		"end_session_endpoint":                           p.URL + "/logout",
		"response_types_supported":                       []string{"code"},
		"subject_types_supported":                        []string{"public"},
		"id_token_signing_alg_values_supported":          []string{"RS256"},
		"scopes_supported":                               []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported":          []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":               []string{"S256"},
		"claims_supported":                               []string{"sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "name"},
		"authorization_response_iss_parameter_supported": true,
	})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return b64(b)
}

// authorize signs in the chosen user at once and sends the code back. Errors
// about the client or redirect URI are shown to the browser, never
// redirected (OAuth 2.0 section 4.1.2.1).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.authorizations = append(p.authorizations, q)
	user, iss := p.user, p.URL
	if p.issOnRedirect != "" {
		iss = p.issOnRedirect
	}
	p.mu.Unlock()
	if q.Get("client_id") != p.ClientID || !slices.Contains(p.RedirectURIs, q.Get("redirect_uri")) {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(q.Get("redirect_uri"))
	answer := url.Values{"state": {q.Get("state")}, "iss": {iss}}
	switch {
	case q.Get("response_type") != "code" || !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		answer.Set("error", "invalid_request")
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		answer.Set("error", "invalid_request")
		answer.Set("error_description", "PKCE with S256 is required")
	case user.Subject == "":
		answer.Set("error", "access_denied")
	default:
		code := random()
		p.mu.Lock()
		p.codes[code] = &grant{user: user, clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"),
			nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), issuedAt: p.now()}
		p.mu.Unlock()
		answer.Set("code", code)
	}
	back.RawQuery = answer.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func tokenError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostFormValue("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.codes[r.PostFormValue("code")]
	ttl := p.CodeTTL
	if ttl == 0 {
		ttl = time.Minute
	}
	switch {
	case g == nil || g.clientID != id:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown code")
		return
	case g.used:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code already used")
		return
	case p.now().Sub(g.issuedAt) > ttl:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code expired")
		return
	case r.PostFormValue("redirect_uri") != g.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match")
		return
	}
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if r.PostFormValue("code_verifier") == "" || b64(sum[:]) != g.challenge {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	g.used = true
	issued := p.now().Add(p.issuedAtOffset)
	claims := map[string]any{"iss": p.URL, "sub": g.user.Subject, "aud": p.ClientID, "azp": p.ClientID,
		"iat": issued.Unix(), "exp": issued.Add(time.Hour).Unix(), "auth_time": issued.Unix()}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if p.emailInIDToken {
		claims["email"], claims["email_verified"] = g.user.Email, g.user.EmailVerified
	}
	idToken, err := p.sign(claims)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	accessToken := random()
	p.access[accessToken] = g.user
	writeJSON(w, http.StatusOK, map[string]any{"access_token": accessToken, "token_type": "Bearer", "expires_in": 3600,
		"id_token": idToken, "scope": "openid email profile"})
}

// sign makes a compact RS256 JWS of claims.
func (p *Provider) sign(claims map[string]any) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "k1"})
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + b64(sig), nil
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	p.mu.Lock()
	u, ok := p.access[token]
	p.mu.Unlock()
	if !strings.EqualFold(scheme, "Bearer") || !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sub": u.Subject, "email": u.Email, "email_verified": u.EmailVerified, "name": u.Name})
}

// logout ends the provider's session and sends the browser back to a
// registered post_logout_redirect_uri.
func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.logouts = append(p.logouts, Logout{IDTokenHint: q.Get("id_token_hint"), PostLogoutRedirectURI: q.Get("post_logout_redirect_uri"), ClientID: q.Get("client_id")})
	p.mu.Unlock()
	if back := q.Get("post_logout_redirect_uri"); back != "" && slices.Contains(p.PostLogoutRedirectURIs, back) {
		http.Redirect(w, r, back, http.StatusFound)
		return
	}
	_, _ = w.Write([]byte("You have signed out."))
}
