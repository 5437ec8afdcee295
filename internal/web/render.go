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

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
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

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2 Jan 2006")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2 Jan 2006 15:04 UTC")
	},
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
	"next":     nextPage,
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
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", name)
		if err != nil {
			return fmt.Errorf("parsing template %s: %w", base, err)
		}
		s.pages[base] = t
	}
	return nil
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
	if pg.Flash == "" {
		pg.Flash = s.takeFlash(w, r)
	}
	t, ok := s.pages[name]
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
