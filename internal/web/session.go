package web

import (
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
	s.renderPage(w, r, "signin.html", Page{Title: "Sign in", Form: map[string]string{"next": safeNext(r.URL.Query().Get("next"))},
		Data: map[string]any{"SSO": s.OIDC != nil}})
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
		s.renderPage(w, r, "signin.html", Page{Title: "Sign in", Errors: fields,
			Form: map[string]string{"email": email, "next": next}, Data: map[string]any{"SSO": s.OIDC != nil}})
		return nil
	}
	s.setSession(w, sess)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.Auth.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies})
	s.flash(w, "You have signed out.")
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

// oidcLogin starts single sign-on; state and nonce travel in a short-lived
// cookie so that the callback can check them.
func (s *Server) oidcLogin(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return engage.Errorf(engage.ENOTFOUND, "Single sign-on is not configured.")
	}
	state, nonce := randomString(), randomString()
	next := safeNext(r.URL.Query().Get("next"))
	u, err := s.OIDC.AuthCodeURL(r.Context(), state, nonce)
	if err != nil {
		s.Logger.Error("single sign-on unavailable", "err", err)
		return engage.Errorf(engage.EUNAVAILABLE, "Single sign-on is unavailable right now. Try again later, or sign in with a password.")
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "|" + nonce + "|" + url.QueryEscape(next), Path: "/auth/oidc/",
		MaxAge: 600, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return engage.Errorf(engage.ENOTFOUND, "Single sign-on is not configured.")
	}
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return engage.Errorf(engage.EFORBIDDEN, "The sign-in attempt has expired. Start again.")
	}
	parts := strings.SplitN(c.Value, "|", 3)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies})
	if len(parts) != 3 || r.URL.Query().Get("state") != parts[0] {
		return engage.Errorf(engage.EFORBIDDEN, "The sign-in attempt did not match. Start again.")
	}
	if e := r.URL.Query().Get("error"); e != "" {
		return engage.Errorf(engage.EFORBIDDEN, "The identity provider refused the sign-in (%s).", e)
	}
	sess, err := s.OIDC.Complete(r.Context(), r.URL.Query().Get("code"), parts[1])
	if err != nil {
		return err
	}
	s.setSession(w, sess)
	next, _ := url.QueryUnescape(parts[2])
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	return nil
}
