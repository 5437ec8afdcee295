package web

import (
	"bytes"
	"github.com/engagehq/engage/internal/web/page"
	"net/http"
	"strings"

	"github.com/engagehq/engage"
)

// Unmatched answers what no route of mux serves in Engage's own way: an
// unknown page with the layout's "page not found" and a way back, an
// unknown API route with a 404 problem document, and a method a path does
// not take with 405 and its Allow header (a problem document for the API).
// Everything else, the mux's redirects included, goes to mux unchanged.
func (s *Server) Unmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// The mux's own answer says whether the path is unknown (404),
		// the method wrong (405, with Allow), or the path to be cleaned.
		rec := &answer{header: http.Header{}}
		mux.ServeHTTP(rec, r)
		if rec.status != http.StatusNotFound && rec.status != http.StatusMethodNotAllowed {
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.status)
			_, _ = rec.body.WriteTo(w)
			return
		}
		if allow := rec.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		api := r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")
		switch {
		case api && rec.status == http.StatusMethodNotAllowed:
			writeStatusProblem(w, rec.status, "This API route does not take "+r.Method+"; it takes "+rec.header.Get("Allow")+".")
		case api:
			writeStatusProblem(w, rec.status, "There is no such API route. The routes are listed in /api/v1/openapi.json.")
		case rec.status == http.StatusMethodNotAllowed:
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(rec.status)
			s.kit.Render(w, r, "error.html", &errorView{Base: page.Base{Title: "Error"}, Status: rec.status, Message: "This page cannot be used that way."})
		default:
			s.renderError(w, r, engage.Errorf(engage.ENOTFOUND, "There is no page at this address. It may have moved, or the link may be mistyped."))
		}
	})
}

// answer keeps a response in memory.
type answer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *answer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(b)
}
