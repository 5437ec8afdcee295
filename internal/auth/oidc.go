package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/org"
)

// ClockSkew is how far Engage's clock and the identity provider's may
// disagree: an ID token is still accepted this long after it expired, and
// refused when it says it was issued further than this in the future.
const ClockSkew = 2 * time.Minute

// OIDCConfig configures single sign-on with an OpenID Connect provider.
type OIDCConfig struct {
	Issuer       string `yaml:"issuer"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	// RedirectURL is Engage's callback, https://engage.example.com/auth/oidc/callback.
	RedirectURL string `yaml:"redirect_url"`
	// PostLogoutRedirectURL is where the provider sends the browser back
	// after signing out there; the sign-in page of the RedirectURL's site
	// unless set. Register it with the provider.
	PostLogoutRedirectURL string `yaml:"post_logout_redirect_url"`
}

// Enabled reports whether single sign-on is configured.
func (c OIDCConfig) Enabled() bool { return c.Issuer != "" && c.ClientID != "" }

// postLogoutRedirect returns PostLogoutRedirectURL or its default.
func (c OIDCConfig) postLogoutRedirect() string {
	if c.PostLogoutRedirectURL != "" {
		return c.PostLogoutRedirectURL
	}
	u, err := url.Parse(c.RedirectURL)
	if err != nil || u.Host == "" {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/signin"}).String()
}

// OIDC signs people in through an OpenID Connect provider with the
// authorisation code flow and PKCE (S256). A person is matched by the
// e-mail address in the ID token or, where the provider keeps it out of
// the token (as OIDC Core 5.4 has it), in the userinfo response; the
// address must be verified when the provider says whether it is.
type OIDC struct {
	Config OIDCConfig
	Auth   *Service

	mu       sync.Mutex
	provider *oidc.Provider
	meta     providerMeta
}

// providerMeta is what Engage reads from discovery beyond what go-oidc does.
type providerMeta struct {
	EndSession string `json:"end_session_endpoint"`
	// IssParameter says the provider sends iss with every authorisation
	// response (RFC 9207), so one without it is refused.
	IssParameter bool `json:"authorization_response_iss_parameter_supported"`
}

// discover fetches the provider's configuration once, on first use, so that
// Engage starts even when the provider is briefly unreachable.
func (o *OIDC) discover(ctx context.Context) (*oidc.Provider, providerMeta, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, o.meta, nil
	}
	p, err := oidc.NewProvider(ctx, o.Config.Issuer)
	if err != nil {
		return nil, providerMeta{}, fmt.Errorf("discovering OIDC provider %s: %w", o.Config.Issuer, err)
	}
	var meta providerMeta
	if err := p.Claims(&meta); err != nil {
		return nil, providerMeta{}, fmt.Errorf("reading OIDC provider %s's configuration: %w", o.Config.Issuer, err)
	}
	o.provider, o.meta = p, meta
	return p, meta, nil
}

func (o *OIDC) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: o.Config.ClientID, ClientSecret: o.Config.ClientSecret, RedirectURL: o.Config.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// OIDCAttempt is one sign-in attempt's secrets, kept by the browser (in a
// short-lived HttpOnly cookie) between the login and the callback.
type OIDCAttempt struct {
	State, Nonce, Verifier string
}

// NewOIDCAttempt returns fresh random secrets for a sign-in attempt.
func NewOIDCAttempt() (OIDCAttempt, error) {
	state, err := randomToken(32)
	if err != nil {
		return OIDCAttempt{}, err
	}
	nonce, err := randomToken(32)
	if err != nil {
		return OIDCAttempt{}, err
	}
	return OIDCAttempt{State: state, Nonce: nonce, Verifier: oauth2.GenerateVerifier()}, nil
}

// AuthCodeURL returns where to send the browser to sign in: the
// authorisation request with the attempt's state, nonce and PKCE challenge.
func (o *OIDC) AuthCodeURL(ctx context.Context, a OIDCAttempt) (string, error) {
	p, _, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	return o.oauth(p).AuthCodeURL(a.State, oidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier)), nil
}

// OIDCCallback is what the provider sent back to the callback.
type OIDCCallback struct {
	Code string
	// Issuer is the iss parameter (RFC 9207); HasIssuer says whether it
	// was sent at all.
	Issuer    string
	HasIssuer bool
}

// Failures the person can act on; none of them is Engage's fault, so none
// is logged as an error.
func ssoFailed(code, format string, args ...any) error {
	return engage.Errorf(code, "Single sign-on failed: "+format, args...)
}

// Complete checks the callback against the attempt, exchanges the code
// (with the PKCE verifier), verifies the ID token and its nonce, reads the
// e-mail address (from userinfo when the token lacks it) and starts a
// session for the person with that address. The session remembers the ID
// token, for signing out of the provider too.
func (o *OIDC) Complete(ctx context.Context, a OIDCAttempt, cb OIDCCallback) (Session, error) {
	p, meta, err := o.discover(ctx)
	if err != nil {
		return Session{}, fmt.Errorf("%w: %w", engage.Errorf(engage.EUNAVAILABLE, "Single sign-on is unavailable right now. Try again later, or sign in with a password."), err)
	}
	if cb.HasIssuer && cb.Issuer != o.Config.Issuer {
		return Session{}, ssoFailed(engage.EUNAUTHORIZED, "the answer came from another identity provider than Engage's. Start again.")
	} else if !cb.HasIssuer && meta.IssParameter {
		return Session{}, ssoFailed(engage.EUNAUTHORIZED, "the identity provider's answer did not say who sent it. Start again.")
	}
	if cb.Code == "" {
		return Session{}, ssoFailed(engage.EINVALID, "the identity provider sent no sign-in code. Start again.")
	}
	tok, err := o.oauth(p).Exchange(ctx, cb.Code, oauth2.VerifierOption(a.Verifier))
	if re := (*oauth2.RetrieveError)(nil); errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 && re.ErrorCode != "invalid_client" {
		// invalid_grant and its kin: a code used twice, expired, issued to
		// someone else or with another PKCE challenge — the caller's doing.
		return Session{}, ssoFailed(engage.EINVALID, "the identity provider did not accept the sign-in code: it was already used, has expired or was not issued for this attempt. Start again.")
	} else if err != nil {
		return Session{}, fmt.Errorf("%w: exchanging OIDC code: %w", engage.Errorf(engage.EUNAVAILABLE, "Single sign-on is unavailable right now. Try again later, or sign in with a password."), err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return Session{}, errors.New("the OIDC provider returned no id_token")
	}
	now := o.Auth.Clock.Now()
	verifier := p.VerifierContext(ctx, &oidc.Config{ClientID: o.Config.ClientID, Now: func() time.Time { return now.Add(-ClockSkew) }})
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		return Session{}, ssoFailed(engage.EUNAUTHORIZED, "the identity provider's token could not be verified. Start again.")
	}
	if idt.IssuedAt.After(now.Add(ClockSkew)) {
		return Session{}, ssoFailed(engage.EUNAUTHORIZED, "the identity provider's token was issued in the future (%s, and it is %s here). Its clock or Engage's is wrong.",
			idt.IssuedAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if idt.Nonce != a.Nonce {
		return Session{}, ssoFailed(engage.EUNAUTHORIZED, "the sign-in attempt did not match. Start again.")
	}
	email, err := o.email(ctx, p, tok, idt)
	if err != nil {
		return Session{}, err
	}
	person, err := o.Auth.Org.FindPersonByEmail(ctx, email)
	if engage.ErrorCode(err) == engage.ENOTFOUND || (err == nil && !person.Active) {
		return Session{}, engage.Errorf(engage.EFORBIDDEN, "There is no active Engage account for %s. Ask an administrator to add you.", org.NormaliseEmail(email))
	} else if err != nil {
		return Session{}, err
	}
	sess, err := o.Auth.StartSession(ctx, person.ID)
	if err != nil {
		return Session{}, err
	}
	if _, err := o.Auth.DB.Exec(ctx, "UPDATE sessions SET id_token = ? WHERE token_hash = ?", raw, hashSecret(sess.Token)); err != nil {
		_ = o.Auth.SignOut(ctx, sess.Token)
		return Session{}, fmt.Errorf("remembering the ID token of the session: %w", err)
	}
	return sess, nil
}

// emailClaims are the claims Engage matches a person by. Some providers send
// email_verified as a string.
type emailClaims struct {
	Subject       string          `json:"sub"`
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
}

// verified reports whether the provider says the address is verified, or
// says nothing about it.
func (c emailClaims) verified() bool {
	switch strings.Trim(strings.ToLower(string(c.EmailVerified)), `"`) {
	case "", "null", "true":
		return true
	}
	return false
}

// email returns the verified e-mail address from the ID token, or from the
// userinfo response when the token has none.
func (o *OIDC) email(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, idt *oidc.IDToken) (string, error) {
	var c emailClaims
	if err := idt.Claims(&c); err != nil {
		return "", fmt.Errorf("reading OIDC claims: %w", err)
	}
	if c.Email == "" && p.UserInfoEndpoint() != "" {
		info, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return "", fmt.Errorf("%w: reading OIDC userinfo: %w", engage.Errorf(engage.EUNAVAILABLE, "Single sign-on is unavailable right now. Try again later, or sign in with a password."), err)
		}
		if err := info.Claims(&c); err != nil {
			return "", fmt.Errorf("reading OIDC userinfo claims: %w", err)
		}
		// OIDC Core 5.3.2: the userinfo must be about the token's subject.
		if c.Subject != idt.Subject {
			return "", ssoFailed(engage.EUNAUTHORIZED, "the identity provider described someone else than who signed in. Start again.")
		}
	}
	if c.Email == "" || !c.verified() {
		return "", ssoFailed(engage.EFORBIDDEN, "the identity provider did not give a verified e-mail address. Ask its administrators to verify yours.")
	}
	return c.Email, nil
}

// LogoutURL returns where to send the browser to end the provider's session
// too (OpenID Connect RP-Initiated Logout), for a session started by single
// sign-on at a provider that offers it; "" otherwise. Call it before
// SignOut ends the session.
func (o *OIDC) LogoutURL(ctx context.Context, sessionToken string) string {
	var idToken string
	err := o.Auth.DB.QueryRow(ctx, "SELECT id_token FROM sessions WHERE token_hash = ?", hashSecret(sessionToken)).Scan(&idToken)
	if err != nil || idToken == "" {
		return ""
	}
	_, meta, err := o.discover(ctx)
	if err != nil || meta.EndSession == "" {
		return ""
	}
	u, err := url.Parse(meta.EndSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("id_token_hint", idToken)
	q.Set("client_id", o.Config.ClientID)
	if back := o.Config.postLogoutRedirect(); back != "" {
		q.Set("post_logout_redirect_uri", back)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// FormOrigins lists the origins a form may lead to when signing out ends at
// the provider: the issuer's (nil without single sign-on).
func (o *OIDC) FormOrigins() []string {
	if o == nil {
		return nil
	}
	u, err := url.Parse(o.Config.Issuer)
	if err != nil || u.Host == "" {
		return nil
	}
	return []string{u.Scheme + "://" + u.Host}
}
