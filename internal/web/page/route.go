package page

import (
	"net/http"
	"time"

	"github.com/engagehq/engage/internal/access"
)

// Route is one page or form action with the role it requires ("" for any
// signed-in person). Public routes need no sign-in at all. The shell checks
// sign-in, role, CSRF and form keys before Handle runs, and renders the
// error Handle returns.
type Route struct {
	Pattern string
	Role    access.Role
	Public  bool
	Handle  func(w http.ResponseWriter, r *http.Request) error
	// MaxBody limits the request body, in bytes; 0 takes the default:
	// MaxPublicBody for public routes, MaxFormBody for the others.
	MaxBody int64
	// HeaderCSRF takes the CSRF token from the X-CSRF-Token header and
	// leaves the body unread, for a script that streams a file as the body.
	HeaderCSRF bool
	// MayUpload, for a route that takes a large file, says whether the
	// principal may send one; it is asked before any of the body is read,
	// so that no one else can make the server receive and store it.
	MayUpload func(*access.Principal) error
	// UploadTime, with MayUpload, is how long the request may take, sent
	// and answered, instead of the server's limit.
	UploadTime time.Duration
}

// Request body limits. A route that takes a file names its own limit.
const (
	// MaxPublicBody bounds what anyone, signed in or not, may send to a
	// public route (the sign-in form).
	MaxPublicBody = 16 << 10
	// MaxFormBody bounds the forms of signed-in people.
	MaxFormBody = 1 << 20
	// MaxCSVUpload bounds an organisation or cost-pool CSV file.
	MaxCSVUpload = 32 << 20
	// FormMemory is how much of a multipart form is held in memory; the
	// rest of its files goes to temporary files, removed after the request.
	FormMemory = 1 << 20
)

// BodyLimit is the most the route reads of a request body.
func (rt Route) BodyLimit() int64 {
	switch {
	case rt.MaxBody > 0:
		return rt.MaxBody
	case rt.Public:
		return MaxPublicBody
	}
	return MaxFormBody
}
