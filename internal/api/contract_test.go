package api

import (
	"net/http"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apicontract"
)

// signedIn is h as this package's tests call it: as p, with every
// exchange checked against the document the API serves, so that a test
// here that breaks the contract fails as a whole-application test would.
func signedIn(t testing.TB, h http.Handler, p *access.Principal) http.Handler {
	if Prefix != apicontract.Prefix {
		t.Fatalf("the API is at %s but the contract checks %s", Prefix, apicontract.Prefix)
	}
	return apicontract.Enforce(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(access.WithPrincipal(r.Context(), p)))
	}))
}
