// Package web is Engage's browser interface: server-rendered pages built
// with html/template, usable without JavaScript. Handlers return an error
// and one adapter renders it; they hold no business rules — every rule,
// authorisation included, is checked again by the product service called.
package web

import (
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"github.com/engagehq/engage/internal/web/adminpages"
	"github.com/engagehq/engage/internal/web/approvalpages"
	"github.com/engagehq/engage/internal/web/backstagepages"
	"github.com/engagehq/engage/internal/web/billingpages"
	"github.com/engagehq/engage/internal/web/boardpages"
	"github.com/engagehq/engage/internal/web/catalogpages"
	"github.com/engagehq/engage/internal/web/communitypages"
	"github.com/engagehq/engage/internal/web/discusspages"
	"github.com/engagehq/engage/internal/web/engagementpages"
	"github.com/engagehq/engage/internal/web/frontdoorpages"
	"github.com/engagehq/engage/internal/web/ideapages"
	"github.com/engagehq/engage/internal/web/landscapepages"
	"github.com/engagehq/engage/internal/web/notifypages"
	"github.com/engagehq/engage/internal/web/portfoliopages"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/idempotency"
	"github.com/engagehq/engage/internal/product"
	"github.com/engagehq/engage/internal/web/page"
	"github.com/engagehq/engage/internal/web/pulsepages"
	"github.com/engagehq/engage/internal/web/shadowpages"
	"github.com/engagehq/engage/internal/web/spendpages"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names.
const (
	SessionCookie = "engage_session"
	oidcCookie    = "engage_oidc"
)

// Server renders Engage's pages.
type Server struct {
	// Services are the product services every page calls into.
	product.Services

	OIDC   *auth.OIDC // nil when single sign-on is off
	Logger *slog.Logger
	Clock  engage.Clock
	// SecureCookies marks cookies Secure; on when Engage is served over TLS.
	SecureCookies bool
	// Proxies says which reverse proxies' X-Forwarded-For to believe.
	Proxies ProxyTrust
	// BaseURL is the configured public URL, for the absolute links of
	// the Atom feeds (as e-mails and signed links have it).
	BaseURL string
	Version string

	// FormKeys keeps the answers to forms that create something, so that
	// sending one twice creates once (see onceForm); none when nil.
	FormKeys *idempotency.Store
	// OpenAPI returns the API's OpenAPI document, for the API reference.
	OpenAPI func() *huma.OpenAPI

	kit *page.Kit
}

// Route is one page or form action (see package page).
type Route = page.Route

// Routes lists every route of the web interface.
func (s *Server) Routes() []Route {
	routes := []Route{
		{Pattern: "GET /signin", Public: true, Handle: s.signInPage},
		{Pattern: "POST /signin", Public: true, Handle: s.signIn},
		{Pattern: "GET /auth/oidc/login", Public: true, Handle: s.oidcLogin},
		{Pattern: "GET /auth/oidc/callback", Public: true, Handle: s.oidcCallback},
		{Pattern: "POST /signout", Handle: s.signOut},
		{Pattern: "GET /{$}", Handle: s.home},
		{Pattern: "GET /search", Handle: s.search},
		{Pattern: "GET /departments", Handle: s.departments},
		{Pattern: "GET /departments/{id}", Handle: s.department},
		{Pattern: "GET /people", Handle: s.people},
		{Pattern: "GET /people/{id}", Handle: s.person},
		{Pattern: "GET /account", Handle: s.account},
		{Pattern: "POST /account/password", Handle: s.changePassword},
		{Pattern: "POST /account/tokens", Handle: s.createToken},
		{Pattern: "POST /account/tokens/{id}/revoke", Handle: s.revokeToken},
		{Pattern: "GET /api-reference", Public: true, Handle: s.apiReferencePage},
	}
	for _, a := range s.areas() {
		routes = append(routes, a.Routes()...)
	}
	return routes
}

// area is one area of the web interface: its routes and its templates.
type area struct {
	Routes    func() []page.Route
	Templates page.Templates
}

// areas are the areas with packages of their own, given the kit and the
// services they need.
func (s *Server) areas() []area {
	notifyPages := &notifypages.Pages{Kit: s.kit, Notify: s.Notify}
	catalogPages := &catalogpages.Pages{Kit: s.kit, Catalog: s.Catalog, Org: s.Org, Clock: s.Clock, BaseURL: s.BaseURL}
	if s.Communities != nil {
		catalogPages.Communities = s.Communities.List
	}
	billingPages := &billingpages.Pages{Kit: s.kit, Org: s.Org, Catalog: s.Catalog, Billing: s.Billing, Costs: s.Costs, CloudBill: s.CloudBill, Clock: s.Clock}
	frontdoorPages := &frontdoorpages.Pages{Kit: s.kit, FrontDoor: s.FrontDoor, Org: s.Org, Catalog: s.Catalog, Approval: s.Approval, Clock: s.Clock,
		OthersAsked: s.othersAsked, Processes: s.Processes}
	approvalPages := &approvalpages.Pages{Kit: s.kit, Approval: s.Approval, Org: s.Org, Catalog: s.Catalog, Waiting: s.Waiting, Clock: s.Clock}
	adminPages := &adminpages.Pages{Kit: s.kit, Org: s.Org, Auth: s.Auth, Audit: s.Audit, Clock: s.Clock}
	communityPages := &communitypages.Pages{Kit: s.kit, Communities: s.Communities, Org: s.Org, Catalog: s.Catalog}
	engagementPages := &engagementpages.Pages{Kit: s.kit, Engagement: s.Engagement}
	portfolioPages := &portfoliopages.Pages{Kit: s.kit, Processes: s.Processes, Catalog: s.Catalog, FrontDoor: s.FrontDoor, Org: s.Org,
		Landscape: s.Landscape, ProcessCosts: s.ProcessCosts}
	if s.Communities != nil {
		portfolioPages.Communities = s.Communities.List
	}
	return []area{
		{notifyPages.Routes, notifypages.Templates},
		{catalogPages.Routes, catalogpages.Templates},
		{billingPages.Routes, billingpages.Templates},
		{frontdoorPages.Routes, frontdoorpages.Templates},
		{approvalPages.Routes, approvalpages.Templates},
		{adminPages.Routes, adminpages.Templates},
		{(&discusspages.Pages{Kit: s.kit, Communities: s.Communities, Discussions: s.Discussions, Clock: s.Clock, BaseURL: s.BaseURL}).Routes, discusspages.Templates},
		{communityPages.Routes, communitypages.Templates},
		{portfolioPages.Routes, portfoliopages.Templates},
		{(&landscapepages.Pages{Kit: s.kit, Landscape: s.Landscape}).Routes, landscapepages.Templates},
		{(&boardpages.Pages{Kit: s.kit, Portfolio: s.Portfolio, Processes: s.Processes, Org: s.Org}).Routes, boardpages.Templates},
		{(&ideapages.Pages{Kit: s.kit, Ideas: s.Ideas, Communities: s.Communities, Discussions: s.Discussions}).Routes, ideapages.Templates},
		{(&pulsepages.Pages{Kit: s.kit, Pulses: s.Pulses, Clock: s.Clock}).Routes, pulsepages.Templates},
		{engagementPages.Routes, engagementpages.Templates},
		{(&backstagepages.Pages{Kit: s.kit, Backstage: s.Backstage}).Routes, backstagepages.Templates},
		{(&shadowpages.Pages{Kit: s.kit, Spend: s.Spend}).Routes, shadowpages.Templates},
		{(&spendpages.Pages{Kit: s.kit, Spend: s.Spend, Seats: s.Seats, Org: s.Org}).Routes, spendpages.Templates},
	}
}

// newKit makes the kit and registers the templates of every area.
func (s *Server) newKit() error {
	s.kit = &page.Kit{Logger: s.Logger, Version: s.Version, SecureCookies: s.SecureCookies, FormKeys: s.FormKeys, Waiting: s.waitingCount}
	if err := s.kit.Register(page.Templates{Area: "web", FS: templateFS, Views: shellViews}); err != nil {
		return err
	}
	for _, a := range s.areas() {
		if err := s.kit.Register(a.Templates); err != nil {
			return err
		}
	}
	return nil
}

// Register adds the web routes and static assets to mux.
func (s *Server) Register(mux *http.ServeMux) error {
	if err := s.newKit(); err != nil {
		return err
	}
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(files, 24*time.Hour)))
	for _, rt := range s.Routes() {
		mux.Handle(rt.Pattern, s.adapt(rt))
	}
	return nil
}

func cacheFor(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}

// adapt checks sign-in, role and CSRF, runs the handler and renders its error.
func (s *Server) adapt(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		// The server removes the temporary files of a multipart form only
		// on the request it made, not on the copies middleware makes with
		// WithContext; the files of this copy's form are removed here.
		defer func() {
			if r.MultipartForm != nil {
				_ = r.MultipartForm.RemoveAll()
			}
		}()
		p := access.FromContext(r.Context())
		err := func() error {
			if !rt.Public {
				if p == nil {
					return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
				}
				if rt.Role != "" && !p.Has(rt.Role) {
					return engage.Errorf(engage.EFORBIDDEN, "This page is for people with the %s role.", access.RoleLabels[rt.Role])
				}
			}
			if rt.MayUpload != nil {
				if err := rt.MayUpload(p); err != nil {
					return err
				}
				allowTime(w, rt.UploadTime)
			}
			r.Body = http.MaxBytesReader(w, r.Body, rt.BodyLimit())
			if err := checkURLText(r); err != nil {
				return err
			}
			if r.Method == http.MethodPost {
				check := s.checkCSRF
				if rt.HeaderCSRF {
					check = s.checkCSRFHeader
				}
				if err := check(r); err != nil {
					return err
				}
				if err := checkFormText(r); err != nil {
					return err
				}
				return s.kit.OnceForm(w, r, rt.Handle)
			}
			return rt.Handle(w, r)
		}()
		if err != nil {
			s.renderError(w, r, err)
		}
	})
}

// checkCSRF compares the form's token with the session's.
func (s *Server) checkCSRF(r *http.Request) error {
	// ParseMultipartForm swallows what goes wrong reading a form that is
	// not multipart (a body over its limit among others); ParseForm first
	// reports it, and leaves a multipart body to ParseMultipartForm.
	err := r.ParseForm()
	if err == nil {
		err = r.ParseMultipartForm(page.FormMemory)
	}
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			return engage.Errorf(engage.ETOOLARGE, "This is larger than Engage accepts here (%s); nothing was kept. Split a file into smaller ones and import each.", page.ByteSize(tooLarge.Limit))
		}
		return engage.Errorf(engage.EINVALID, "The form could not be read.")
	}
	return matchCSRF(r, r.PostFormValue("csrf_token"))
}

// checkFormText refuses a form with a value that is not storable text
// (not UTF-8, or holding NUL), naming the field.
func checkFormText(r *http.Request) error {
	var v engage.Validation
	for _, name := range slices.Sorted(maps.Keys(r.PostForm)) {
		for _, value := range r.PostForm[name] {
			v.Text(name, value)
		}
	}
	return v.Err()
}

// allowTime lets the request take d from now to be received and answered,
// when d is set and the server allows it.
func allowTime(w http.ResponseWriter, d time.Duration) {
	if d <= 0 {
		return
	}
	rc, deadline := http.NewResponseController(w), time.Now().Add(d)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
}

// checkURLText refuses a request whose path or query holds what no stored
// text can (bytes that are not UTF-8, or NUL): such a path names no page,
// and a query parameter is the person's mistake, named. PostgreSQL would
// otherwise fail on a NUL searched for.
func checkURLText(r *http.Request) error {
	if engage.TextProblem(r.URL.Path) != "" {
		return engage.Errorf(engage.ENOTFOUND, "There is no such page.")
	}
	var v engage.Validation
	q := r.URL.Query()
	for _, name := range slices.Sorted(maps.Keys(q)) {
		for _, value := range q[name] {
			v.Text(name, value)
		}
	}
	return v.Err()
}

// checkCSRFHeader compares the X-CSRF-Token header with the session's
// token without reading the body. Only a script on an Engage page can set
// the header (another site cannot read the token, nor send the header
// without the browser asking first); cross-origin requests are refused
// outright as well.
func (s *Server) checkCSRFHeader(r *http.Request) error {
	if err := sameOrigin.Check(r); err != nil {
		return engage.Errorf(engage.EFORBIDDEN, "This request did not come from an Engage page.")
	}
	return matchCSRF(r, r.Header.Get("X-CSRF-Token"))
}

var sameOrigin = http.NewCrossOriginProtection()

// matchCSRF compares a token with the session's (or, before sign in, with
// the pre-session cookie) in constant time.
func matchCSRF(r *http.Request, got string) error {
	want := page.CSRFFromContext(r.Context())
	if want == "" {
		if c, err := r.Cookie(page.PreCSRFCookie); err == nil {
			want = c.Value
		}
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return engage.Errorf(engage.EFORBIDDEN, "This form has expired or did not come from Engage. Go back, reload the page and try again.")
	}
	return nil
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := engage.ErrorCode(err)
	if code == engage.EUNAUTHORIZED && r.Method == http.MethodGet {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	status := StatusOf(code)
	if status >= 500 {
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	s.kit.Render(w, r, "error.html", &errorView{Base: page.Base{Title: "Error"}, Status: status, Message: engage.ErrorMessage(err), Fields: engage.ErrorFields(err)})
}

// StatusOf maps an error code to its HTTP status.
func StatusOf(code string) int {
	if code == "" {
		return http.StatusOK
	}
	return engage.HTTPStatus(&engage.Error{Code: code})
}

// RouteMux is a mux holding every page's pattern, with handlers that do
// nothing: tests ask it whether a link leads to a page Engage has.
func RouteMux() *http.ServeMux {
	mux := http.NewServeMux()
	none := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, rt := range (&Server{}).Routes() {
		mux.Handle(rt.Pattern, none)
	}
	return mux
}
