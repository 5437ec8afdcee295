// Package adminpages is the web interface's administration area: the
// organisation's departments, locations, business functions and people,
// their CSV import and export, API tokens made for someone else, and the
// audit log.
package adminpages

import (
	"embed"
	"net/http"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the administration area.
type Pages struct {
	*page.Kit
	Org   *org.Service
	Auth  *auth.Service
	Audit *audit.Service
	Clock engage.Clock
}

// Routes are the administration home, the organisation's lists and forms,
// the CSV import and exports, person tokens and the audit log. Every one
// is for administrators.
func (s *Pages) Routes() []page.Route {
	routes := []page.Route{
		{Pattern: "GET /admin", Handle: s.adminHome},
		{Pattern: "GET /admin/departments", Handle: s.adminDepartments},
		{Pattern: "GET /admin/departments/new", Handle: s.departmentForm},
		{Pattern: "POST /admin/departments", Handle: s.saveDepartment},
		{Pattern: "GET /admin/departments/{id}/edit", Handle: s.departmentForm},
		{Pattern: "POST /admin/departments/{id}", Handle: s.saveDepartment},
		{Pattern: "GET /admin/locations", Handle: s.adminLocations},
		{Pattern: "GET /admin/locations/new", Handle: s.locationForm},
		{Pattern: "POST /admin/locations", Handle: s.saveLocation},
		{Pattern: "GET /admin/locations/{id}/edit", Handle: s.locationForm},
		{Pattern: "POST /admin/locations/{id}", Handle: s.saveLocation},
		{Pattern: "GET /admin/functions", Handle: s.adminFunctions},
		{Pattern: "GET /admin/functions/new", Handle: s.functionForm},
		{Pattern: "POST /admin/functions", Handle: s.saveFunction},
		{Pattern: "GET /admin/functions/{id}/edit", Handle: s.functionForm},
		{Pattern: "POST /admin/functions/{id}", Handle: s.saveFunction},
		{Pattern: "GET /admin/people", Handle: s.adminPeople},
		{Pattern: "GET /admin/people/new", Handle: s.personForm},
		{Pattern: "POST /admin/people", Handle: s.savePerson},
		{Pattern: "GET /admin/people/{id}/edit", Handle: s.personForm},
		{Pattern: "POST /admin/people/{id}", Handle: s.savePerson},
		{Pattern: "GET /admin/people/{id}/token", Handle: s.personTokenForm},
		{Pattern: "POST /admin/people/{id}/token", Handle: s.createPersonToken},
		{Pattern: "GET /admin/import", Handle: s.importPage},
		{Pattern: "POST /admin/import", Handle: s.importFile, MaxBody: page.MaxCSVUpload},
		{Pattern: "GET /admin/export/{kind}", Handle: s.exportFile},
		{Pattern: "GET /admin/audit", Handle: s.auditLog},
	}
	for i := range routes {
		routes[i].Role = access.Admin
	}
	return routes
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "administration",
	FS:   templateFS,
	Views: map[string]page.View{
		"admin.html":             &homeView{},
		"admin_departments.html": &departmentsView{},
		"admin_locations.html":   &locationsView{},
		"admin_functions.html":   &functionsView{},
		"admin_people.html":      &peopleView{},
		"department_form.html":   &formView{},
		"location_form.html":     &formView{},
		"function_form.html":     &formView{},
		"person_form.html":       &formView{},
		"person_token.html":      &tokenView{},
		"import.html":            &importView{Kinds: org.ImportKinds, Columns: org.ImportColumns, Report: &org.ImportReport{Kind: "people", Rows: 2}},
		"audit.html": &auditView{Events: []auditEvent{{Changes: []audit.FieldChange{{Field: "name", Before: "a", After: "b"}}}},
			Kinds: []string{"department"}},
	},
}

// homeView is the administration home.
type homeView struct{ page.Base }

// listView is what every organisation list shows beside its rows: the
// words filtered on and the next page.
type listView struct {
	page.Base
	Search string // the words the list is filtered on
	Next   string
}

type departmentsView struct {
	listView
	Departments []org.Department
}

type locationsView struct {
	listView
	Locations []org.Location
}

type functionsView struct {
	listView
	Functions []org.Function
}

type peopleView struct {
	listView
	page.OrgChoices
	People []org.Person
	Filter org.ListFilter
}

// formView is a department, location, function or person form: the
// record's id (0 for a new one) and the choices of its select boxes.
type formView struct {
	page.Base
	page.OrgChoices
	ID int64
}

// tokenView is the form making an API token for someone else.
type tokenView struct {
	page.Base
	Person   org.Person
	NewToken string // shown once, right after creation
}

// importView is the CSV import page, with the report of a file imported.
type importView struct {
	page.Base
	Kinds   []string
	Columns map[string]struct{ Required, Optional []string }
	Report  *org.ImportReport
}

func (s *Pages) adminHome(w http.ResponseWriter, r *http.Request) error {
	s.Render(w, r, "admin.html", &homeView{Base: page.Base{Title: "Administration", Nav: "admin"}})
	return nil
}
