// Package page is the kit every area of Engage's web interface uses: the
// route type, the renderer (the layout, the shared partials and each area's
// templates), the one set of template functions, the base view every page's
// view embeds, forms and form keys, flash messages, pagers, uploads and the
// formatting of numbers. It holds no business rules.
package page

import (
	"context"
	"net/http"
	"net/url"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
)

// Base is what every page shows around its content: the title, the
// highlighted area of the navigation, the person signed in, the CSRF token,
// the flash message, a rejected form's errors and what was typed. Every
// page's view embeds it; the renderer fills in what the request knows (the
// person, the token, the flash, the query, the waiting count).
type Base struct {
	Title   string
	Nav     string // the highlighted area
	P       *access.Principal
	CSRF    string
	Version string
	Flash   string
	// Errors and Form carry a rejected form back with what was typed.
	Errors []engage.FieldError
	Form   map[string]string
	// Query is the request's query string, for links that keep filters.
	Query url.Values
	// Waiting counts what waits for the person (the navigation's badge).
	Waiting int
	// InboxUnread is the unread count the navigation shows beside "Inbox".
	// The inbox page sets it, as it counts anyway; other pages do not pay a
	// query for it.
	InboxUnread int
}

// View is a page's data: a struct embedding Base, passed by pointer.
type View interface {
	PageBase() *Base
}

// PageBase returns the base itself; embedding Base makes a struct a View.
func (b *Base) PageBase() *Base { return b }

// FieldError returns the message for one field, or "".
func (b Base) FieldError(field string) string {
	for _, e := range b.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Rejected puts a rejected form's errors and what was typed on the page.
func (b *Base) Rejected(errs []engage.FieldError, r *http.Request) {
	b.Errors, b.Form = errs, FormOf(r)
}

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

// Principal is the person the request is made for (nil before sign-in).
func Principal(r *http.Request) *access.Principal { return access.FromContext(r.Context()) }
