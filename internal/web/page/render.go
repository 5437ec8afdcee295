package page

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"sort"
	"sync"
	"time"
	_ "time/tzdata" // readers' time zones, wherever Engage runs

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/idempotency"
)

//go:embed templates
var kitFS embed.FS

// Templates are an area's page templates: the files templates/*.html of
// FS, each a page that defines "content", shown inside the layout with
// the shared partials (field, fieldhead, pager, waiting…) and the area's
// own, in templates/partials/*.html.
type Templates struct {
	// Area names the area in errors.
	Area string
	// FS holds the folder templates.
	FS fs.FS
	// Funcs are the area's own template functions, beside the kit's
	// (funcs.go); a name the kit has is refused.
	Funcs template.FuncMap
	// Views gives each page template a sample of the view it is rendered
	// with. Render refuses another view type, and CheckTemplates renders
	// each template with its sample and checks every field it names.
	Views map[string]View
}

// Kit renders pages and keeps what every area shares. The shell makes one
// and gives it to every area.
type Kit struct {
	Logger        *slog.Logger
	Version       string
	SecureCookies bool
	// FormKeys keeps the answers to forms that create something, so that
	// sending one twice creates once (see OnceForm); none when nil.
	FormKeys *idempotency.Store
	// Waiting counts what waits for a person, for the navigation's badge.
	Waiting func(context.Context, *access.Principal) int

	pages map[string]*pageTemplate
	zoned sync.Map // zone|page → *template.Template, for readers outside UTC
}

type pageTemplate struct {
	set  *Templates
	view reflect.Type
	utc  *template.Template
}

// Register parses an area's templates. Two areas may not have a template
// of the same name, and every template must have its view.
func (k *Kit) Register(ts Templates) error {
	if k.pages == nil {
		k.pages = map[string]*pageTemplate{}
	}
	for name := range ts.Funcs {
		if _, ok := funcs[name]; ok || zoneFuncs(time.UTC)[name] != nil {
			return fmt.Errorf("templates of %s: the function %s is the kit's", ts.Area, name)
		}
	}
	names, err := fs.Glob(ts.FS, "templates/*.html")
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, file := range names {
		name := path.Base(file)
		seen[name] = true
		if _, dup := k.pages[name]; dup {
			return fmt.Errorf("templates of %s: %s is also another area's template", ts.Area, name)
		}
		sample, ok := ts.Views[name]
		if !ok {
			return fmt.Errorf("templates of %s: %s has no view", ts.Area, name)
		}
		t, err := parsePage(&ts, name, time.UTC)
		if err != nil {
			return err
		}
		k.pages[name] = &pageTemplate{set: &ts, view: reflect.TypeOf(sample), utc: t}
	}
	for name := range ts.Views {
		if !seen[name] {
			return fmt.Errorf("templates of %s: a view is given for %s, which is not a template", ts.Area, name)
		}
	}
	return nil
}

// parsePage parses a page with the layout and the partials, its times
// shown in loc.
func parsePage(ts *Templates, name string, loc *time.Location) (*template.Template, error) {
	t, err := template.New("layout.html").Funcs(funcs).Funcs(ts.Funcs).Funcs(zoneFuncs(loc)).ParseFS(kitFS, "templates/*.html")
	// An area's own partials, shared by its pages, live in templates/partials.
	if shared, _ := fs.Glob(ts.FS, "templates/partials/*.html"); err == nil && len(shared) > 0 {
		t, err = t.ParseFS(ts.FS, "templates/partials/*.html")
	}
	if err == nil {
		t, err = t.ParseFS(ts.FS, "templates/"+name)
	}
	if err != nil {
		return nil, fmt.Errorf("parsing template %s: %w", name, err)
	}
	return t, nil
}

// template returns a page's template for a reader in time zone zone (an
// IANA name; "" or one Go does not know is UTC). Each zone's copy is
// parsed the first time someone in that zone asks for the page.
func (k *Kit) template(pt *pageTemplate, name, zone string) *template.Template {
	if zone == "" || zone == "UTC" {
		return pt.utc
	}
	key := zone + "|" + name
	if z, ok := k.zoned.Load(key); ok {
		return z.(*template.Template)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return pt.utc
	}
	z, err := parsePage(pt.set, name, loc)
	if err != nil { // the same text parsed at start-up: cannot happen
		return pt.utc
	}
	actual, _ := k.zoned.LoadOrStore(key, z)
	return actual.(*template.Template)
}

// Render writes a page with its view, filling in the view's Base from the
// request. It renders into a buffer first so that a template error
// becomes a clean 500 rather than half a page.
func (k *Kit) Render(w http.ResponseWriter, r *http.Request, name string, v View) {
	if err := k.render(w, r, name, v); err != nil {
		k.Logger.Error("rendering template", "template", name, "err", err)
		http.Error(w, "The page could not be shown. It has been logged.", http.StatusInternalServerError)
	}
}

func (k *Kit) render(w http.ResponseWriter, r *http.Request, name string, v View) error {
	pt, ok := k.pages[name]
	if !ok {
		return errors.New("no such template")
	}
	if got := reflect.TypeOf(v); got != pt.view {
		return fmt.Errorf("rendered with a %v; its view is %v", got, pt.view)
	}
	b := v.PageBase()
	b.P = access.FromContext(r.Context())
	b.CSRF = CSRFFromContext(r.Context())
	if b.CSRF == "" {
		b.CSRF = k.preSessionCSRF(w, r)
	}
	b.Version = k.Version
	b.Query = r.URL.Query()
	if k.Waiting != nil && b.P != nil {
		b.Waiting = k.Waiting(r.Context(), b.P)
	}
	if b.Flash == "" {
		b.Flash = k.takeFlash(w, r)
	}
	zone := ""
	if b.P != nil {
		zone = b.P.TimeZone
	}
	var buf bytes.Buffer
	if err := k.template(pt, name, zone).Execute(&buf, v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
	return nil
}

// PreCSRFCookie holds the double-submit token that protects forms shown
// before sign-in.
const PreCSRFCookie = "engage_csrf"

// preSessionCSRF returns (setting if needed) the double-submit cookie that
// protects forms shown before sign-in.
func (k *Kit) preSessionCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(PreCSRFCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := RandomString()
	http.SetCookie(w, &http.Cookie{Name: PreCSRFCookie, Value: tok, Path: "/", HttpOnly: true, Secure: k.SecureCookies, SameSite: http.SameSiteLaxMode})
	return tok
}

const flashCookie = "engage_flash"

// Flash shows a one-line confirmation on the next page.
func (k *Kit) Flash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", HttpOnly: true, Secure: k.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

func (k *Kit) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: k.SecureCookies})
	msg, err := url.QueryUnescape(c.Value)
	if err != nil {
		return ""
	}
	return msg
}

// TemplateNames lists the registered page templates, sorted.
func (k *Kit) TemplateNames() []string {
	names := make([]string, 0, len(k.pages))
	for n := range k.pages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Partial renders the template name defined in page's template (a card of
// a list, rendered once and kept), with times in UTC.
func (k *Kit) Partial(w io.Writer, pageName, name string, data any) error {
	return k.PartialIn(w, pageName, name, "", data)
}

// PartialIn is Partial with times in the time zone zone (an IANA name, as
// a reader's; "" is UTC).
func (k *Kit) PartialIn(w io.Writer, pageName, name, zone string, data any) error {
	pt, ok := k.pages[pageName]
	if !ok {
		return fmt.Errorf("no template %s", pageName)
	}
	return k.template(pt, pageName, zone).ExecuteTemplate(w, name, data)
}
