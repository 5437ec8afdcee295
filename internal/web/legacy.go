package web

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/web/page"
)

// The pages not yet moved to an area package of their own are rendered
// here, from templates/, with their data in Page.Data. What they share
// with the areas is the kit's (package page); the names below lead there.
// This file goes when the last of those pages has its area.

// Page is the data of a page rendered with untyped data.
type Page struct {
	Title  string
	Nav    string // the highlighted area
	Flash  string
	Data   any
	Errors []engage.FieldError
	Form   map[string]string
}

// untypedView is a Page as the templates read it: .Data holds its data.
type untypedView struct {
	page.Base
	Data any
}

// funcs are the template functions of the untyped pages' areas.
var funcs = template.FuncMap{}

// Untyped marks the view as one whose data is not checked.
func (*untypedView) Untyped() {}

// untyped are the templates of templates/: those with a view in views, and
// the others with an untypedView.
func untyped(views map[string]page.View) (page.Templates, error) {
	ts := page.Templates{Area: "web", FS: templateFS, Funcs: funcs, Views: map[string]page.View{}}
	names, err := templateNames()
	for _, name := range names {
		if v, ok := views[name]; ok {
			ts.Views[name] = v
		} else {
			ts.Views[name] = &untypedView{}
		}
	}
	return ts, err
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name, title, nav string, data any) {
	s.renderPage(w, r, name, Page{Title: title, Nav: nav, Data: data})
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, name string, pg Page) {
	s.kit.Render(w, r, name, &untypedView{Base: page.Base{Title: pg.Title, Nav: pg.Nav, Flash: pg.Flash, Errors: pg.Errors, Form: pg.Form}, Data: pg.Data})
}

func (s *Server) flash(w http.ResponseWriter, msg string) { s.kit.Flash(w, msg) }

func principal(r *http.Request) *access.Principal { return page.Principal(r) }

var (
	formOf     = page.FormOf
	pathID     = page.PathID
	formID     = page.FormID
	queryInt   = page.QueryInt
	dayRange   = page.DayRange
	readerZone = page.ReaderZone
	words      = page.Words
	urlEncode  = url.QueryEscape
)

const dateLayout = page.DateLayout

// The charts and dates of the front door's pages.
type (
	chart = page.BarChart
	bar   = page.Bar
)

var formDate = page.FormDate

func allPages[T any](next func(cursor string) ([]T, string, error)) ([]T, error) {
	return page.AllPages(next)
}

// Request body limits (see package page).
const (
	MaxFormBody  = page.MaxFormBody
	MaxCSVUpload = page.MaxCSVUpload
)
