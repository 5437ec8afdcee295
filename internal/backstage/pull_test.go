package backstage_test

import (
	"bytes"
	"context"
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
		rep, err := w.s.PullOnce(ctx, backstage.Pull{URL: srv.URL + "/catalog/org.yaml"})
		if err != nil || rep.Files != 3 || rep.Created != 2 || len(departments(t, w)) != 3 {
			t.Fatalf("pull = %+v, %v", rep, err)
		}
		if rep, err = w.s.PullOnce(ctx, backstage.Pull{URL: srv.URL + "/catalog/org.yaml"}); err != nil || rep.Created+rep.Changed != 0 {
			t.Fatalf("pull again = %+v, %v", rep, err)
		}
		for path, want := range map[string]string{"/big/all.yaml": "Larger than 4 MiB", "/slow/all.yaml": "Timeout", "/out/all.yaml": "leaves the directory"} {
			_, err := w.s.PullOnce(ctx, backstage.Pull{URL: srv.URL + path, Timeout: 200 * time.Millisecond})
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
