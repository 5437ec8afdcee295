package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/org"
)

// OIDCConfig configures single sign-on with an OpenID Connect provider.
type OIDCConfig struct {
	Issuer       string `yaml:"issuer"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	// RedirectURL is Engage's callback, https://engage.example.com/auth/oidc/callback.
	RedirectURL string `yaml:"redirect_url"`
}

// Enabled reports whether single sign-on is configured.
func (c OIDCConfig) Enabled() bool { return c.Issuer != "" && c.ClientID != "" }

// OIDC signs people in through an OpenID Connect provider. A person is
// matched by the e-mail address in the ID token, which must be verified when
// the provider says whether it is.
type OIDC struct {
	Config OIDCConfig
	Auth   *Service

	mu       sync.Mutex
	provider *oidc.Provider
}

// discover fetches the provider's configuration once, on first use, so that
// Engage starts even when the provider is briefly unreachable.
func (o *OIDC) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(ctx, o.Config.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovering OIDC provider %s: %w", o.Config.Issuer, err)
	}
	o.provider = p
	return p, nil
}

func (o *OIDC) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: o.Config.ClientID, ClientSecret: o.Config.ClientSecret, RedirectURL: o.Config.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// AuthCodeURL returns where to send the browser to sign in.
func (o *OIDC) AuthCodeURL(ctx context.Context, state, nonce string) (string, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	return o.oauth(p).AuthCodeURL(state, oidc.Nonce(nonce)), nil
}

// Complete exchanges the code from the callback, verifies the ID token and
// its nonce, and starts a session for the person with that e-mail address.
func (o *OIDC) Complete(ctx context.Context, code, nonce string) (Session, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return Session{}, err
	}
	tok, err := o.oauth(p).Exchange(ctx, code)
	if err != nil {
		return Session{}, fmt.Errorf("exchanging OIDC code: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return Session{}, errors.New("the OIDC provider returned no id_token")
	}
	idt, err := p.VerifierContext(ctx, &oidc.Config{ClientID: o.Config.ClientID, Now: o.Auth.Clock.Now}).Verify(ctx, raw)
	if err != nil {
		return Session{}, engage.Errorf(engage.EUNAUTHORIZED, "Single sign-on failed: the identity provider's token could not be verified.")
	}
	if idt.Nonce != nonce {
		return Session{}, engage.Errorf(engage.EUNAUTHORIZED, "Single sign-on failed: the sign-in attempt did not match. Start again.")
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified *bool  `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Session{}, fmt.Errorf("reading OIDC claims: %w", err)
	}
	if claims.Email == "" || (claims.EmailVerified != nil && !*claims.EmailVerified) {
		return Session{}, engage.Errorf(engage.EUNAUTHORIZED, "Single sign-on failed: the identity provider did not give a verified e-mail address.")
	}
	person, err := o.Auth.Org.FindPersonByEmail(ctx, claims.Email)
	if engage.ErrorCode(err) == engage.ENOTFOUND || (err == nil && !person.Active) {
		return Session{}, engage.Errorf(engage.EFORBIDDEN, "There is no active Engage account for %s. Ask an administrator to add you.", org.NormaliseEmail(claims.Email))
	} else if err != nil {
		return Session{}, err
	}
	return o.Auth.StartSession(ctx, person.ID)
}
