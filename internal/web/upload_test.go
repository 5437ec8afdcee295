package web

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/web/page"
)

// TestStreamedUploadChecks: a route that takes its CSRF token from a
// header accepts the session's token without reading the body, refuses a
// missing or wrong token and a cross-site request, and a body over the
// route's limit is refused with the limit named.
func TestStreamedUploadChecks(t *testing.T) {
	s := &Server{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := s.newKit(); err != nil {
		t.Fatal(err)
	}
	var got string
	var tooLarge []string
	rt := Route{Pattern: "POST /upload", MaxBody: 16, HeaderCSRF: true, Handle: func(w http.ResponseWriter, r *http.Request) error {
		body, err := io.ReadAll(r.Body)
		got = string(body)
		if over := (*http.MaxBytesError)(nil); errors.As(err, &over) {
			tooLarge = append(tooLarge, "larger than Engage accepts ("+page.ByteSize(over.Limit)+")")
		}
		return nil
	}}
	h := s.adapt(rt)
	send := func(body, token string, header map[string]string) int {
		req := httptest.NewRequest(http.MethodPost, "http://engage.example/upload", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded") // never parsed
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		ctx := access.WithPrincipal(req.Context(), &access.Principal{PersonID: 1, Name: "Finance", Roles: []access.Role{access.Finance}})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(page.WithCSRF(ctx, "session-token")))
		return rec.Code
	}

	if code := send("csrf_token=x&a=1", "session-token", map[string]string{"Sec-Fetch-Site": "same-origin"}); code != 200 || got != "csrf_token=x&a=1" {
		t.Errorf("good token = %d, handler read %q; want 200 and the whole body", code, got)
	}
	got = ""
	for name, c := range map[string]struct {
		token  string
		header map[string]string
	}{
		"no token":          {"", nil},
		"wrong token":       {"session-tokem", nil},
		"token in the form": {"", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
		"cross-site":        {"session-token", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		"another origin":    {"session-token", map[string]string{"Origin": "https://evil.example"}},
	} {
		if code := send("csrf_token=session-token", c.token, c.header); code != http.StatusForbidden || got != "" {
			t.Errorf("%s = %d, handler read %q; want 403 and nothing read", name, code, got)
		}
	}
	if code := send(strings.Repeat("x", 17), "session-token", nil); code != 200 || len(tooLarge) != 1 ||
		!strings.Contains(tooLarge[0], "larger than Engage accepts (16 bytes)") {
		t.Errorf("a body over the limit = %d, %q", code, tooLarge)
	}
}

// TestLargeUploadTimeAndWho: a route taking a large file asks who may send
// one before reading any of it, and gives those who may the route's time
// to send it, beyond the server's limit on a request.
func TestLargeUploadTimeAndWho(t *testing.T) {
	s := &Server{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := s.newKit(); err != nil {
		t.Fatal(err)
	}
	var read int
	rt := Route{Pattern: "POST /upload", MaxBody: 1 << 20, HeaderCSRF: true, UploadTime: time.Minute,
		MayUpload: func(p *access.Principal) error {
			if !p.Has(access.Finance) {
				return engage.Errorf(engage.EFORBIDDEN, "Only finance.")
			}
			return nil
		},
		Handle: func(w http.ResponseWriter, r *http.Request) error {
			b, err := io.ReadAll(r.Body)
			read = len(b)
			return err
		}}
	h := s.adapt(rt)
	role := access.Finance
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := access.WithPrincipal(r.Context(), &access.Principal{PersonID: 1, Name: "Someone", Roles: []access.Role{role}})
		h.ServeHTTP(w, r.WithContext(page.WithCSRF(ctx, "session-token")))
	}))
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	defer srv.Close()
	// 8 chunks of 1 KiB, 100 ms apart: longer than the server's limit.
	send := func() (int, error) {
		pr, pw := io.Pipe()
		go func() {
			for i := 0; i < 8; i++ {
				if _, err := pw.Write([]byte(strings.Repeat("x", 1<<10))); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
			pw.Close()
		}()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/upload", pr)
		req.Header.Set("X-CSRF-Token", "session-token")
		res, err := srv.Client().Do(req)
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}
	if code, err := send(); err != nil || code != http.StatusOK || read != 8<<10 {
		t.Errorf("a slow upload by finance = %d, %v, %d bytes read; want 200 and all 8 KiB", code, err, read)
	}
	role, read = access.Requester, 0
	if code, _ := send(); code != http.StatusForbidden || read != 0 {
		t.Errorf("an upload by a requester = %d, %d bytes read; want 403 and nothing read", code, read)
	}
}

// TestFileRoutesAskWhoFirst: every route that takes more than a form asks
// who may send it before reading the body — by its role or MayUpload — so
// that no signed-in person can make the server receive a file only to
// refuse it.
func TestFileRoutesAskWhoFirst(t *testing.T) {
	s := &Server{}
	for _, rt := range s.Routes() {
		if rt.BodyLimit() > page.MaxFormBody && rt.Role == "" && rt.MayUpload == nil {
			t.Errorf("%s takes %d bytes from anyone signed in", rt.Pattern, rt.BodyLimit())
		}
	}
}
