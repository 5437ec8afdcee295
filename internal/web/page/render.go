package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	_ "time/tzdata" // readers' time zones, wherever Engage runs

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
)

type csrfKey struct{}

// WithCSRF returns a context carrying the session's CSRF token.
func WithCSRF(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, csrfKey{}, token)
}

// CSRFFromContext returns the session's CSRF token, or "".
func CSRFFromContext(ctx context.Context) string {
	s, _ := ctx.Value(csrfKey{}).(string)
	return s
}

// Page is what every template receives.
type Page struct {
	Title   string
	Nav     string // the highlighted area
	P       *access.Principal
	CSRF    string
	Version string
	Flash   string
	Data    any
	// Errors and Form carry a rejected form back with what was typed.
	Errors []engage.FieldError
	Form   map[string]string
	// Query is the request's query string, for links that keep filters.
	Query url.Values
	// Waiting counts what waits for the person (the navigation's badge).
	Waiting int
}

// FieldError returns the message for one field, or "".
func (p Page) FieldError(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Dates and times read the same on every page: "7 Dec 2026", and
// "7 Dec 2026, 10:30 CET" in the reader's time zone, named.
const (
	dateLayout     = "2 Jan 2006"
	dateTimeLayout = "2 Jan 2006, 15:04 MST"
)

// instant returns the time a template value holds: a time.Time, a
// *time.Time, a calendar date (catalog.Date or YYYY-MM-DD text). ok is
// false for nil, zero and anything else; isDay says it is a calendar date,
// which no time zone moves.
func instant(v any) (t time.Time, isDay, ok bool) {
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x != nil {
			t = *x
		}
	case catalog.Date:
		t, isDay = x.Time, true
	case *catalog.Date:
		if x != nil {
			t, isDay = x.Time, true
		}
	case string:
		d, err := time.Parse(time.DateOnly, x)
		if err != nil {
			return time.Time{}, false, false
		}
		t, isDay = d, true
	}
	return t, isDay, !t.IsZero()
}

// readerZone is the time zone of p's location, UTC when none is known.
func readerZone(p *access.Principal) *time.Location {
	if p == nil || p.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// dayRange reads the days a page is filtered to, the query's from and to
// (YYYY-MM-DD, as <input type="date"> sends them), as instants in the
// reader's time zone: from the start of the first day to the end of the
// last. An empty day leaves its end zero.
func dayRange(r *http.Request, now time.Time) (fromText, toText string, from, until time.Time, err error) {
	loc := readerZone(access.FromContext(r.Context()))
	q := r.URL.Query()
	fromText, toText = strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	for _, d := range []struct {
		label, text string
		into        *time.Time
		days        int
	}{{"From", fromText, &from, 0}, {"To", toText, &until, 1}} {
		if d.text == "" {
			continue
		}
		day, perr := time.ParseInLocation(time.DateOnly, d.text, loc)
		if perr != nil {
			return fromText, toText, from, until, engage.Errorf(engage.EINVALID, "%s: %q is not a date; choose a day such as %s.", d.label, d.text, now.In(loc).Format(time.DateOnly))
		}
		*d.into = day.AddDate(0, 0, d.days)
	}
	return fromText, toText, from, until, nil
}

// zoneFuncs are the template functions that depend on the reader's time
// zone: date and datetime (and needWhen, the front door's name for date).
func zoneFuncs(loc *time.Location) template.FuncMap {
	date := func(v any) string {
		t, isDay, ok := instant(v)
		if !ok {
			if s, isText := v.(string); isText {
				return s // not a date: shown as it is
			}
			return ""
		}
		if isDay {
			return t.Format(dateLayout)
		}
		return t.In(loc).Format(dateLayout)
	}
	return template.FuncMap{
		"date":     date,
		"needWhen": date,
		"datetime": func(v any) string {
			t, isDay, ok := instant(v)
			if !ok || isDay {
				return date(v)
			}
			return t.In(loc).Format(dateTimeLayout)
		},
	}
}

var funcs = template.FuncMap{
	"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"roleLabel": func(r access.Role) string {
		if l, ok := access.RoleLabels[r]; ok {
			return l
		}
		return string(r)
	},
	"allRoles": func() []access.Role { return access.AllRoles },
	"hasRole": func(roles []access.Role, r access.Role) bool {
		for _, x := range roles {
			if x == r {
				return true
			}
		}
		return false
	},
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
	},
	"str": func(v any) string { return fmt.Sprint(v) },
	// field describes one labelled input for the "field" template:
	// field Page name label hint [type [autocomplete]].
	"field": func(p Page, name, label, hint string, rest ...string) map[string]any {
		typ, auto := "text", ""
		if len(rest) > 0 {
			typ = rest[0]
		}
		if len(rest) > 1 {
			auto = rest[1]
		}
		errMsg := p.FieldError(name)
		var ids []string
		if hint != "" {
			ids = append(ids, name+"-hint")
		}
		if errMsg != "" {
			ids = append(ids, name+"-error")
		}
		return map[string]any{"Name": name, "Label": label, "Hint": hint, "Type": typ, "Auto": auto,
			"Value": p.Form[name], "Error": errMsg, "DescribedBy": strings.Join(ids, " ")}
	},
	// next builds the link to the next page ("?…"), keeping the filters.
	// It is a whole URL, made here and marked safe, because html/template
	// escapes a value placed after a literal "?" as one query value: the
	// "=" and "&" between the parameters would be escaped and the server
	// would see no cursor.
	"next": nextPage,
	// formKey makes the key of one sending of a form that creates
	// something (see onceForm).
	"formKey": randomString,
	// csvLink is the link to the CSV of what a page lists: its filters,
	// every page.
	"csvLink": func(q url.Values) template.URL {
		v := url.Values{}
		for k, vs := range q {
			if k != "cursor" && k != "format" {
				v[k] = vs
			}
		}
		v.Set("format", "csv")
		return template.URL("?" + v.Encode())
	},
	"words":    words,
	"list":     func(xs ...string) []string { return xs },
	"selected": func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
	"inList": func(list, item string) bool {
		for _, x := range strings.Split(list, ",") {
			if x == item {
				return true
			}
		}
		return false
	},
}

// Templates parsed with funcs alone show times in UTC; pages are parsed
// with the reader's zone (parsePage).
func init() {
	for name, f := range zoneFuncs(time.UTC) {
		funcs[name] = f
	}
}

// words writes a field or kind name for people: "api_token" is "API
// token", "parent_id" is "Parent ID".
func words(name string) string {
	parts := strings.Split(strings.ReplaceAll(name, "-", "_"), "_")
	for i, w := range parts {
		switch w {
		case "id", "api", "url", "csv", "sso", "brm", "sla":
			parts[i] = strings.ToUpper(w)
		default:
			if i == 0 && w != "" {
				parts[i] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
	}
	return strings.Join(parts, " ")
}

// nextPage is the relative link to the next page of a list: the request's
// query with the cursor replaced, or "" on the last page.
func nextPage(q url.Values, cursor string) template.URL {
	if cursor == "" {
		return ""
	}
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Set("cursor", cursor)
	return template.URL("?" + v.Encode())
}

func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	for _, name := range names {
		base := path.Base(name)
		if base == "layout.html" {
			continue
		}
		t, err := parsePage(base, time.UTC)
		if err != nil {
			return err
		}
		s.pages[base] = t
	}
	return nil
}

// parsePage parses a page with the layout, its times shown in loc.
func parsePage(name string, loc *time.Location) (*template.Template, error) {
	t, err := template.New("layout.html").Funcs(funcs).Funcs(zoneFuncs(loc)).ParseFS(templateFS, "templates/layout.html", "templates/"+name)
	if err != nil {
		return nil, fmt.Errorf("parsing template %s: %w", name, err)
	}
	return t, nil
}

// page returns a page's template for a reader in time zone zone (an IANA
// name; "" or one Go does not know is UTC). Each zone's copy is parsed
// the first time someone in that zone asks for the page.
func (s *Server) page(name, zone string) (*template.Template, bool) {
	t, ok := s.pages[name]
	if !ok || zone == "" || zone == "UTC" {
		return t, ok
	}
	key := zone + "|" + name
	if z, ok := s.zoned.Load(key); ok {
		return z.(*template.Template), true
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return t, true
	}
	z, err := parsePage(name, loc)
	if err != nil { // the same text parsed at start-up: cannot happen
		return t, true
	}
	actual, _ := s.zoned.LoadOrStore(key, z)
	return actual.(*template.Template), true
}

// render writes a page. It renders into a buffer first so that a template
// error becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name, title, nav string, data any) {
	s.renderPage(w, r, name, Page{Title: title, Nav: nav, Data: data})
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, name string, pg Page) {
	pg.P = access.FromContext(r.Context())
	pg.CSRF = CSRFFromContext(r.Context())
	if pg.CSRF == "" {
		pg.CSRF = s.preSessionCSRF(w, r)
	}
	pg.Version = s.Version
	pg.Query = r.URL.Query()
	pg.Waiting = s.waitingCount(r.Context(), pg.P)
	if pg.Flash == "" {
		pg.Flash = s.takeFlash(w, r)
	}
	zone := ""
	if pg.P != nil {
		zone = pg.P.TimeZone
	}
	t, ok := s.page(name, zone)
	if !ok {
		http.Error(w, "missing template "+name, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, pg); err != nil {
		s.Logger.Error("rendering template", "template", name, "err", err)
		http.Error(w, "The page could not be shown. It has been logged.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = buf.WriteTo(w)
}

// preSessionCSRF returns (setting if needed) the double-submit cookie that
// protects forms shown before sign-in.
func (s *Server) preSessionCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preCSRFCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := randomString()
	http.SetCookie(w, &http.Cookie{Name: preCSRFCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	return tok
}

const flashCookie = "engage_flash"

// flash shows a one-line confirmation on the next page.
func (s *Server) flash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: urlEncode(msg), Path: "/", HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies})
	return urlDecode(c.Value)
}

// formOf copies the posted form for re-display.
func formOf(r *http.Request) map[string]string {
	m := map[string]string{}
	for k, v := range r.PostForm {
		if k != "csrf_token" && !strings.Contains(k, "password") {
			m[k] = strings.Join(v, ",")
		}
	}
	return m
}
