package web

import (
	"github.com/engagehq/engage/internal/web/page"
	"net/http"
	"net/url"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/auth"
)

func (s *Server) clientIP(r *http.Request) string { return s.Proxies.ClientIP(r) }

// setSession sets the session cookie. It is a browser-session cookie: the
// server decides when a session expires (idle timeout), so the cookie
// carries no expiry date of its own.
func (s *Server) setSession(w http.ResponseWriter, sess auth.Session) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) error {
	s.kit.Render(w, r, "signin.html", &signInView{Base: page.Base{Title: "Sign in", Form: map[string]string{"next": safeNext(r.URL.Query().Get("next"))}},
		SSO: s.OIDC != nil})
	return nil
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	var v engage.Validation
	v.Require("email", email, "your e-mail address")
	if password == "" {
		v.Add("password", "Enter your password.")
	}
	err := v.Err()
	var sess auth.Session
	if err == nil {
		sess, err = s.Auth.SignIn(r.Context(), email, password, s.clientIP(r))
	}
	if err != nil {
		code := engage.ErrorCode(err)
		if code != engage.EINVALID && code != engage.EUNAUTHORIZED && code != engage.ETOOMANY {
			return err
		}
		fields := engage.ErrorFields(err)
		if len(fields) == 0 {
			fields = []engage.FieldError{{Field: "email", Message: engage.ErrorMessage(err)}}
		}
		w.WriteHeader(StatusOf(code))
		s.kit.Render(w, r, "signin.html", &signInView{Base: page.Base{Title: "Sign in", Errors: fields,
			Form: map[string]string{"email": email, "next": next}}, SSO: s.OIDC != nil})
		return nil
	}
	s.setSession(w, sess)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// signOut ends the session and, for a session started by single sign-on at
// a provider that offers it, the provider's session too, so that a shared
// computer is not left signed in there.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	var providerLogout string
	if c, err := r.Cookie(SessionCookie); err == nil {
		if s.OIDC != nil {
			providerLogout = s.OIDC.LogoutURL(r.Context(), c.Value)
		}
		if err := s.Auth.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies})
	s.kit.Flash(w, "You have signed out.")
	if providerLogout != "" {
		http.Redirect(w, r, providerLogout, http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

// oidcLogin starts single sign-on; the attempt's state, nonce and PKCE
// verifier, and where to go afterwards, travel in a short-lived cookie so
// that the callback can check them.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return engage.Errorf(engage.ENOTFOUND, "Single sign-on is not configured.")
	}
	next := safeNext(r.URL.Query().Get("next"))
	attempt, err := auth.NewOIDCAttempt()
	if err != nil {
		return err
	}
	u, err := s.OIDC.AuthCodeURL(r.Context(), attempt)
	if err != nil {
		s.Logger.Error("single sign-on unavailable", "err", err)
		return engage.Errorf(engage.EUNAVAILABLE, "Single sign-on is unavailable right now. Try again later, or sign in with a password.")
	}
	value := strings.Join([]string{attempt.State, attempt.Nonce, attempt.Verifier, url.QueryEscape(next)}, "|")
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: value, Path: "/auth/oidc/",
		MaxAge: 600, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}

// oidcCallback finishes single sign-on. A refusal is shown on the sign-in
// page, with the reason; the callback's own URL (and its code) is never
// carried on as the place to return to.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return engage.Errorf(engage.ENOTFOUND, "Single sign-on is not configured.")
	}
	var attempt auth.OIDCAttempt
	next, found := "/", false
	if c, err := r.Cookie(oidcCookie); err == nil {
		if parts := strings.Split(c.Value, "|"); len(parts) == 4 {
			attempt, found = auth.OIDCAttempt{State: parts[0], Nonce: parts[1], Verifier: parts[2]}, true
			n, _ := url.QueryUnescape(parts[3]) // "" when it does not decode
			next = safeNext(n)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies})
	q := r.URL.Query()
	var sess auth.Session
	var err error
	switch {
	case !found:
		err = engage.Errorf(engage.EFORBIDDEN, "Single sign-on failed: the sign-in attempt has expired or was started in another browser. Start again.")
	case q.Get("state") != attempt.State:
		err = engage.Errorf(engage.EFORBIDDEN, "Single sign-on failed: the sign-in attempt did not match. Start again.")
	case q.Get("error") != "":
		err = engage.Errorf(engage.EFORBIDDEN, "The identity provider refused the sign-in (%s).", oauthErrorCode(q.Get("error")))
	default:
		sess, err = s.OIDC.Complete(r.Context(), attempt, auth.OIDCCallback{Code: q.Get("code"), Issuer: q.Get("iss"), HasIssuer: q.Has("iss")})
	}
	if err != nil {
		status := StatusOf(engage.ErrorCode(err))
		if status >= 500 {
			s.Logger.Error("single sign-on failed", "err", err)
		}
		w.WriteHeader(status)
		s.kit.Render(w, r, "signin.html", &signInView{Base: page.Base{Title: "Sign in", Errors: []engage.FieldError{{Message: engage.ErrorMessage(err)}},
			Form: map[string]string{"next": next}}, SSO: true})
		return nil
	}
	s.setSession(w, sess)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// oauthErrorCode keeps an OAuth error code to its defined alphabet, so that
// the provider's redirect cannot put arbitrary text on Engage's page.
func oauthErrorCode(code string) string {
	code = strings.Map(func(r rune) rune {
		if r == '_' || (r >= 'a' && r <= 'z') {
			return r
		}
		return -1
	}, code)
	if len(code) > 40 {
		code = code[:40]
	}
	return code
}
