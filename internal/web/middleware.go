package web

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/web/page"
)

// Authenticate resolves who a request is — a bearer token or a session
// cookie — and puts the principal (and the session's CSRF token) in the
// request context. It rejects bad credentials on the API outright; on pages,
// an unknown cookie simply means "not signed in". API calls that change
// something with a session cookie must send the session's CSRF token in
// the X-CSRF-Token header.
func Authenticate(a *auth.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		isAPI := strings.HasPrefix(r.URL.Path, "/api/")
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				writeProblem(w, engage.Errorf(engage.EUNAUTHORIZED, "Send the API token as: Authorization: Bearer <token>."))
				return
			}
			p, err := a.TokenPrincipal(ctx, strings.TrimSpace(token))
			if err != nil {
				writeProblem(w, err)
				return
			}
			if p.GateOnly() && (r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, GatePath)) {
				writeProblem(w, engage.Errorf(engage.EFORBIDDEN, "This token may only ask the delivery gate: GET %s{reference}.", GatePath))
				return
			}
			next.ServeHTTP(w, r.WithContext(access.WithPrincipal(ctx, p)))
			return
		}
		if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			p, csrf, err := a.SessionPrincipal(ctx, c.Value)
			if err == nil {
				if isAPI && !safeMethod(r.Method) &&
					subtle.ConstantTimeCompare([]byte(r.Header.Get("X-CSRF-Token")), []byte(csrf)) != 1 {
					writeProblem(w, engage.Errorf(engage.EFORBIDDEN, "API calls made with a session cookie must send the X-CSRF-Token header."))
					return
				}
				ctx = page.WithCSRF(access.WithPrincipal(ctx, p), csrf)
			} else if engage.ErrorCode(err) != engage.EUNAUTHORIZED {
				writeProblem(w, err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// GatePath is where the delivery gate answers, the one place a token
// limited to the gate (access.ScopeGate) may call.
const GatePath = "/api/v1/gate/"

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// writeProblem writes an RFC 9457 problem document.
func writeProblem(w http.ResponseWriter, err error) {
	writeStatusProblem(w, StatusOf(engage.ErrorCode(err)), engage.ErrorMessage(err))
}

// writeStatusProblem writes an RFC 9457 problem document with a status.
func writeStatusProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="engage"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"title": http.StatusText(status), "status": status, "detail": detail,
	})
}

// SecurityHeaders sets headers that every response should carry; with
// hsts (Engage served over https), browsers are told to use https only.
func SecurityHeaders(next http.Handler, hsts bool) http.Handler {
	return SecurityHeadersFor(nil, hsts, next)
}

// SecurityHeadersFor is SecurityHeaders letting forms lead to formOrigins as
// well: the sign-out form ends at the identity provider when single sign-on
// is on, and browsers hold a form's redirects to form-action.
func SecurityHeadersFor(formOrigins []string, hsts bool, next http.Handler) http.Handler {
	csp := "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action " +
		strings.Join(append([]string{"'self'"}, formOrigins...), " ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", csp)
		next.ServeHTTP(w, r)
	})
}
