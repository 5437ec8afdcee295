// Package apptest starts a whole Engage for tests: on SQLite in a temporary
// directory or on PostgreSQL in a schema of its own, with the demo
// organisation loaded and a fixed clock, listening on a free port.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/demo"
)

// Start is the instant the test clock starts at.
var Start = time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC)

// Engage is a running Engage for one test.
type Engage struct {
	*app.App
	URL   string
	Clock *engage.FixedClock
}

// Engines lists the engines a whole-application test runs on.
var Engines = []string{"sqlite", "postgres"}

// Run runs fn once per engine with a fresh Engage holding the demo data.
func Run(t *testing.T, fn func(t *testing.T, e *Engage)) {
	for _, engine := range Engines {
		t.Run(engine, func(t *testing.T) { fn(t, New(t, engine)) })
	}
}

// New starts Engage on the named engine with the demo organisation.
func New(t testing.TB, engine string) *Engage {
	t.Helper()
	return NewWith(t, engine, nil)
}

// NewWith is New with a chance to change the configuration first.
func NewWith(t testing.TB, engine string, configure func(*config.Config)) *Engage {
	t.Helper()
	return NewWithLogger(t, engine, configure, nil)
}

// NewWithLogger is NewWith logging to logger (nil: nowhere), for tests that
// check what Engage logs.
func NewWithLogger(t testing.TB, engine string, configure func(*config.Config), logger *slog.Logger) *Engage {
	t.Helper()
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	// Cheap password hashing keeps tests fast; production uses the default.
	cfg.Argon2 = auth.CheapArgon2()
	if engine == "postgres" {
		cfg.DatabaseURL = dbtest.PostgresURL(t)
	} else {
		cfg.DataDir = t.TempDir()
	}
	if configure != nil {
		configure(&cfg)
	}
	clock := engage.NewFixedClock(Start)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, logger, clock)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := demo.Load(ctx, a.DB, a.Services); err != nil {
		cancel()
		t.Fatal(err)
	}
	// Every API exchange of every whole-application test is checked
	// against the OpenAPI document Engage serves.
	a.Handler = Enforce(t, a.Handler)
	if err := a.Listen(); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
	return &Engage{App: a, URL: a.URL(), Clock: clock}
}

// Token creates an API token for a demo account.
func (e *Engage) Token(t testing.TB, email string) string {
	t.Helper()
	p, err := e.Org.FindPersonByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := e.Auth.CreateToken(context.Background(), access.System("test"), p.ID, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// Browser is a cookie-keeping HTTP client that fills in CSRF tokens the way
// a browser submitting Engage's forms would.
type Browser struct {
	t      testing.TB
	base   string
	Client *http.Client
	csrf   string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// Browser returns a client with an empty cookie jar that does not follow
// redirects, so tests can see them.
func (e *Engage) Browser(t testing.TB) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, base: e.URL, Client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// SignIn signs in as a demo account and fails the test if it cannot.
func (e *Engage) SignIn(t testing.TB, email string) *Browser {
	b := e.Browser(t)
	b.Get("/signin")
	res, _ := b.Post("/signin", url.Values{"email": {email}, "password": {demo.Password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in as %s: status %d", email, res.StatusCode)
	}
	b.Get("/") // learn the session's CSRF token
	return b
}

// Get fetches a page and returns the response and its body.
func (b *Browser) Get(path string) (*http.Response, string) {
	b.t.Helper()
	res, err := b.Client.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.read(res)
}

func (b *Browser) read(res *http.Response) (*http.Response, string) {
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return res, string(body)
}

// Post submits a form with the last CSRF token seen.
func (b *Browser) Post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if form.Get("csrf_token") == "" {
		form.Set("csrf_token", b.csrf)
	}
	res, err := b.Client.Post(b.base+path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	return b.read(res)
}

// CSRF is the last CSRF token seen on a page.
func (b *Browser) CSRF() string { return b.csrf }

// Submit posts the form that the page at path shows for action, as a
// person would: with what the form already holds, the values given typed
// over it. It fails the test when the page has no such form or the form no
// field of a given name, so a test cannot send what the page never asks.
func (b *Browser) Submit(path, action string, values url.Values) (*http.Response, string) {
	b.t.Helper()
	res, page := b.Get(path)
	if res.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s = %d", path, res.StatusCode)
	}
	form, ok := FormFor(page, action)
	if !ok {
		b.t.Fatalf("%s has no form for %s", path, action)
	}
	send := form.Values()
	for name, vs := range values {
		if !send.Has(name) && !form.hasField(name) {
			b.t.Fatalf("the form for %s on %s has no field %q", action, path, name)
		}
		send[name] = vs
	}
	if form.Method == http.MethodGet {
		return b.Get(action + "?" + send.Encode())
	}
	return b.Post(action, send)
}
