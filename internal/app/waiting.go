package app

import (
	"net/http"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/waiting"
)

// forgetWaitingOnWrite drops the kept count of what waits for the person
// after each request of theirs that may change something (anything but
// GET, HEAD and OPTIONS), through the pages or the API: whoever approves,
// triages or asks sees the new count on their next page.
func forgetWaitingOnWrite(c *waiting.Counter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if p := access.FromContext(r.Context()); p != nil {
			defer c.Forget(p.PersonID)
		}
		next.ServeHTTP(w, r)
	})
}
