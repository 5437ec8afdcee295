package backstage_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/backstage"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// TestPull: a catalog served over HTTP is imported with the files its
// Location names beside it, and again with no change; a file over the
// size limit, a server slower than the time limit and a Location leaving
// the directory are refused with nothing written.
func TestPull(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/catalog/", http.StripPrefix("/catalog/", http.FileServer(http.Dir("testdata/examples"))))
	mux.HandleFunc("/big/all.yaml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(bytes.Repeat([]byte("# filler\n"), backstage.MaxFileBytes/9+1))
	})
	mux.HandleFunc("/slow/all.yaml", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/out/all.yaml", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: x\nspec:\n  targets: [../catalog/org.yaml]\n"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		rep, err := w.s.PullOnce(ctx, backstage.Pull{URL: srv.URL + "/catalog/org.yaml", AllowPrivate: true})
		if err != nil || rep.Files != 3 || rep.Created != 2 || len(departments(t, w)) != 3 {
			t.Fatalf("pull = %+v, %v", rep, err)
		}
		if rep, err = w.s.PullOnce(ctx, backstage.Pull{URL: srv.URL + "/catalog/org.yaml", AllowPrivate: true}); err != nil || rep.Created+rep.Changed != 0 {
			t.Fatalf("pull again = %+v, %v", rep, err)
		}
		for path, want := range map[string]string{"/big/all.yaml": "Larger than 4 MiB", "/slow/all.yaml": "Timeout", "/out/all.yaml": "leaves the directory"} {
			_, err := w.s.PullOnce(ctx, backstage.Pull{URL: srv.URL + path, Timeout: 200 * time.Millisecond, AllowPrivate: true})
			if engage.ErrorCode(err) != engage.EINVALID || !strings.Contains(engage.ErrorFields(err)[0].Message, want) {
				t.Errorf("%s: %v %+v", path, err, engage.ErrorFields(err))
			}
		}
		if _, err := w.s.PullOnce(ctx, backstage.Pull{URL: "file:///etc/passwd"}); err == nil {
			t.Error("a file: URL was read")
		}
		if len(departments(t, w)) != 3 {
			t.Fatalf("refused pulls wrote: %+v", departments(t, w))
		}
	})
}

// TestPullGuarded: the pull reaches public addresses only unless allowed,
// at every connection; a redirect must stay on the server, scheme and
// directory of the URL, a relative one included; and the URL's token (its
// query) and password appear in no error and no log line.
func TestPullGuarded(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/catalog/", http.StripPrefix("/catalog/", http.FileServer(http.Dir("testdata/examples"))))
	mux.HandleFunc("/moved/org.yaml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/catalog/org.yaml", http.StatusFound) // another directory
	})
	mux.HandleFunc("/catalog/up.yaml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "../secret/org.yaml", http.StatusFound) // relative, leaving the directory
	})
	mux.HandleFunc("/catalog/away.yaml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace("http://"+r.Host, "127.0.0.1", "localhost", 1)+"/catalog/org.yaml", http.StatusFound)
	})
	mux.HandleFunc("/catalog/broken.yaml", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	})
	mux.HandleFunc("/catalog/start.yaml", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "org.yaml?"+r.URL.RawQuery, http.StatusFound) // beside it: followed
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	const token = "tok3n-s3cr3t"
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		_, err := w.s.PullOnce(ctx, backstage.Pull{URL: srv.URL + "/catalog/org.yaml?token=" + token})
		if err == nil || !strings.Contains(fmt.Sprint(err, engage.ErrorFields(err)), "internal address") {
			t.Fatalf("a loopback URL = %v %+v; want it refused as internal", err, engage.ErrorFields(err))
		}
		for _, path := range []string{"/moved/org.yaml", "/catalog/up.yaml", "/catalog/away.yaml"} {
			_, err := w.s.PullOnce(ctx, backstage.Pull{URL: srv.URL + path, AllowPrivate: true})
			if err == nil || !strings.Contains(fmt.Sprint(err, engage.ErrorFields(err)), "redirected away") {
				t.Errorf("%s = %v %+v; want the redirect refused", path, err, engage.ErrorFields(err))
			}
		}
		for _, url := range []string{srv.URL + "/catalog/broken.yaml?token=" + token, "http://user:" + token + "@127.0.0.1:1/all.yaml?x=" + token,
			"ftp://example.com/all.yaml?token=" + token, srv.URL + "/?token=" + token} {
			_, err := w.s.PullOnce(ctx, backstage.Pull{URL: url, AllowPrivate: true, Timeout: time.Second})
			if err == nil || strings.Contains(fmt.Sprint(err, engage.ErrorFields(err)), token) {
				t.Errorf("pulling %s = %v %+v; want an error without the token", url, err, engage.ErrorFields(err))
			}
		}
		if len(departments(t, w)) != 1 {
			t.Fatalf("refused pulls wrote: %+v", departments(t, w))
		}
		// The schedule logs the failure without the token.
		var log bytes.Buffer
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		w.s.Schedule(ctx, backstage.Pull{URL: srv.URL + "/catalog/broken.yaml?token=" + token, Interval: time.Hour}, slog.New(slog.NewTextHandler(&log, nil)))
		if !strings.Contains(log.String(), "pulling the Backstage catalog") || strings.Contains(log.String(), token) {
			t.Errorf("the schedule logged %q", log.String())
		}
		if rep, err := w.s.PullOnce(context.Background(), backstage.Pull{URL: srv.URL + "/catalog/start.yaml?token=" + token, AllowPrivate: true}); err != nil ||
			rep.Created != 2 {
			t.Fatalf("a redirect within the directory = %+v, %v", rep, err)
		}
	})
}
