package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

func (s *Server) adminHome(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, "admin.html", "Administration", "admin", nil)
	return nil
}

func listFilter(r *http.Request) org.ListFilter {
	q := r.URL.Query()
	return org.ListFilter{Query: q.Get("q"), Cursor: q.Get("cursor"), Limit: 50, DepartmentID: queryInt(r, "department"),
		LocationID: queryInt(r, "location"), FunctionID: queryInt(r, "function"), Role: access.Role(q.Get("role"))}
}

func (s *Server) adminDepartments(w http.ResponseWriter, r *http.Request) error {
	f := listFilter(r)
	list, next, err := s.Org.ListDepartments(r.Context(), access.FromContext(r.Context()), f)
	if err != nil {
		return err
	}
	s.render(w, r, "admin_departments.html", "Departments", "admin", map[string]any{"Departments": list, "Next": next, "Query": f.Query})
	return nil
}

// choices are the options of the select boxes on organisation forms.
func (s *Server) choices(r *http.Request) (map[string]any, error) {
	p := access.FromContext(r.Context())
	ctx := r.Context()
	depts, err := allPages(func(c string) ([]org.Department, string, error) {
		return s.Org.ListDepartments(ctx, p, org.ListFilter{Cursor: c, Limit: 500})
	})
	if err != nil {
		return nil, err
	}
	locs, err := allPages(func(c string) ([]org.Location, string, error) {
		return s.Org.ListLocations(ctx, p, org.ListFilter{Cursor: c, Limit: 500})
	})
	if err != nil {
		return nil, err
	}
	funcs, err := allPages(func(c string) ([]org.Function, string, error) {
		return s.Org.ListFunctions(ctx, p, org.ListFilter{Cursor: c, Limit: 500})
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{"Departments": depts, "Locations": locs, "Functions": funcs}, nil
}

// editing loads the record being edited (id from the path) or nothing.
func editID(r *http.Request) (int64, error) {
	if r.PathValue("id") == "" {
		return 0, nil
	}
	return pathID(r, "id")
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func (s *Server) departmentForm(w http.ResponseWriter, r *http.Request) error {
	id, err := editID(r)
	if err != nil {
		return err
	}
	form := map[string]string{"billing_mode": org.Showback}
	title := "New department"
	if id != 0 {
		d, err := s.Org.FindDepartment(r.Context(), access.FromContext(r.Context()), id)
		if err != nil {
			return err
		}
		title = "Edit " + d.Name
		form = map[string]string{"code": d.Code, "name": d.Name, "parent_id": idString(d.ParentID), "head_email": "", "brm_email": "",
			"billing_mode": d.BillingMode, "version": strconv.Itoa(d.Version)}
		form["head_email"], form["brm_email"] = s.emailOf(r, d.HeadID), s.emailOf(r, d.BRMID)
	}
	return s.showForm(w, r, "department_form.html", title, id, form, nil)
}

func (s *Server) emailOf(r *http.Request, id int64) string {
	if id == 0 {
		return ""
	}
	p, err := s.Org.FindPerson(r.Context(), access.FromContext(r.Context()), id)
	if err != nil {
		return ""
	}
	return p.Email
}

func (s *Server) showForm(w http.ResponseWriter, r *http.Request, tmpl, title string, id int64, form map[string]string, errs []engage.FieldError) error {
	data, err := s.choices(r)
	if err != nil {
		return err
	}
	data["ID"] = id
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.renderPage(w, r, tmpl, Page{Title: title, Nav: "admin", Data: data, Form: form, Errors: errs})
	return nil
}

// personByEmail resolves an e-mail field of a form to a person id.
func (s *Server) personByEmail(r *http.Request, field string, v *engage.Validation) int64 {
	email := strings.TrimSpace(r.PostFormValue(field))
	if email == "" {
		return 0
	}
	p, err := s.Org.FindPersonByEmail(r.Context(), email)
	if err != nil {
		v.Add(field, "No person with the e-mail address %s.", email)
		return 0
	}
	return p.ID
}

// saved finishes a form post: on invalid input it shows the form again with
// the errors and what was typed; on success it redirects with a message.
func (s *Server) saved(w http.ResponseWriter, r *http.Request, err error, tmpl, what string, id int64, redirect, msg string) error {
	title := "New " + what
	if id != 0 {
		title = "Edit " + what
	}
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.ECONFLICT {
		errs := engage.ErrorFields(err)
		if len(errs) == 0 {
			errs = []engage.FieldError{{Field: "", Message: engage.ErrorMessage(err)}}
		}
		if code == engage.ECONFLICT {
			w.WriteHeader(http.StatusConflict)
		}
		return s.showForm(w, r, tmpl, title, id, formOf(r), errs)
	} else if err != nil {
		return err
	}
	s.flash(w, msg)
	http.Redirect(w, r, redirect, http.StatusSeeOther)
	return nil
}

func formVersion(r *http.Request) int {
	n, _ := strconv.Atoi(r.PostFormValue("version"))
	return n
}

func (s *Server) saveDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := editID(r)
	if err != nil {
		return err
	}
	p := access.FromContext(r.Context())
	var v engage.Validation
	in := org.DepartmentInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), ParentID: formID(r, "parent_id", &v),
		BillingMode: r.PostFormValue("billing_mode")}
	in.HeadID = s.personByEmail(r, "head_email", &v)
	in.BRMID = s.personByEmail(r, "brm_email", &v)
	err = v.Err()
	var d org.Department
	if err == nil && id == 0 {
		d, err = s.Org.CreateDepartment(r.Context(), p, in)
	} else if err == nil {
		d, err = s.Org.UpdateDepartment(r.Context(), p, id, formVersion(r), in)
	}
	return s.saved(w, r, err, "department_form.html", "department", id, "/admin/departments?q="+urlEncode(in.Code), fmt.Sprintf("Saved department %s.", d.Name))
}

func (s *Server) adminLocations(w http.ResponseWriter, r *http.Request) error {
	f := listFilter(r)
	list, next, err := s.Org.ListLocations(r.Context(), access.FromContext(r.Context()), f)
	if err != nil {
		return err
	}
	s.render(w, r, "admin_locations.html", "Locations", "admin", map[string]any{"Locations": list, "Next": next, "Query": f.Query})
	return nil
}

func (s *Server) locationForm(w http.ResponseWriter, r *http.Request) error {
	id, err := editID(r)
	if err != nil {
		return err
	}
	form := map[string]string{"time_zone": "UTC"}
	title := "New location"
	if id != 0 {
		l, err := s.Org.FindLocation(r.Context(), access.FromContext(r.Context()), id)
		if err != nil {
			return err
		}
		title = "Edit " + l.Name
		form = map[string]string{"code": l.Code, "name": l.Name, "city": l.City, "country": l.Country, "region": l.Region,
			"time_zone": l.TimeZone, "version": strconv.Itoa(l.Version)}
	}
	return s.showForm(w, r, "location_form.html", title, id, form, nil)
}

func (s *Server) saveLocation(w http.ResponseWriter, r *http.Request) error {
	id, err := editID(r)
	if err != nil {
		return err
	}
	p := access.FromContext(r.Context())
	in := org.LocationInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), City: r.PostFormValue("city"),
		Country: r.PostFormValue("country"), Region: r.PostFormValue("region"), TimeZone: r.PostFormValue("time_zone")}
	var l org.Location
	if id == 0 {
		l, err = s.Org.CreateLocation(r.Context(), p, in)
	} else {
		l, err = s.Org.UpdateLocation(r.Context(), p, id, formVersion(r), in)
	}
	return s.saved(w, r, err, "location_form.html", "location", id, "/admin/locations", "Saved location "+l.Name+".")
}

func (s *Server) adminFunctions(w http.ResponseWriter, r *http.Request) error {
	f := listFilter(r)
	list, next, err := s.Org.ListFunctions(r.Context(), access.FromContext(r.Context()), f)
	if err != nil {
		return err
	}
	s.render(w, r, "admin_functions.html", "Business functions", "admin", map[string]any{"Functions": list, "Next": next, "Query": f.Query})
	return nil
}

func (s *Server) functionForm(w http.ResponseWriter, r *http.Request) error {
	id, err := editID(r)
	if err != nil {
		return err
	}
	form := map[string]string{}
	title := "New business function"
	if id != 0 {
		f, err := s.Org.FindFunction(r.Context(), access.FromContext(r.Context()), id)
		if err != nil {
			return err
		}
		title = "Edit " + f.Name
		form = map[string]string{"code": f.Code, "name": f.Name, "version": strconv.Itoa(f.Version)}
	}
	return s.showForm(w, r, "function_form.html", title, id, form, nil)
}

func (s *Server) saveFunction(w http.ResponseWriter, r *http.Request) error {
	id, err := editID(r)
	if err != nil {
		return err
	}
	p := access.FromContext(r.Context())
	in := org.FunctionInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name")}
	var f org.Function
	if id == 0 {
		f, err = s.Org.CreateFunction(r.Context(), p, in)
	} else {
		f, err = s.Org.UpdateFunction(r.Context(), p, id, formVersion(r), in)
	}
	return s.saved(w, r, err, "function_form.html", "business function", id, "/admin/functions", "Saved business function "+f.Name+".")
}

func (s *Server) adminPeople(w http.ResponseWriter, r *http.Request) error {
	f := listFilter(r)
	list, next, err := s.Org.ListPeople(r.Context(), access.FromContext(r.Context()), f)
	if err != nil {
		return err
	}
	data, err := s.choices(r)
	if err != nil {
		return err
	}
	data["People"], data["Next"], data["Query"], data["Filter"] = list, next, f.Query, f
	s.render(w, r, "admin_people.html", "People", "admin", data)
	return nil
}

func (s *Server) personForm(w http.ResponseWriter, r *http.Request) error {
	id, err := editID(r)
	if err != nil {
		return err
	}
	form := map[string]string{"active": "on", "roles": string(access.Requester)}
	title := "New person"
	if id != 0 {
		p, err := s.Org.FindPerson(r.Context(), access.FromContext(r.Context()), id)
		if err != nil {
			return err
		}
		title = "Edit " + p.Name
		roles := make([]string, len(p.Roles))
		for i, ro := range p.Roles {
			roles[i] = string(ro)
		}
		form = map[string]string{"email": p.Email, "name": p.Name, "title": p.Title, "department_id": idString(p.DepartmentID),
			"location_id": idString(p.LocationID), "function_id": idString(p.FunctionID), "manager_email": s.emailOf(r, p.ManagerID),
			"roles": strings.Join(roles, ","), "version": strconv.Itoa(p.Version)}
		if p.Active {
			form["active"] = "on"
		}
	}
	return s.showForm(w, r, "person_form.html", title, id, form, nil)
}

func (s *Server) savePerson(w http.ResponseWriter, r *http.Request) error {
	id, err := editID(r)
	if err != nil {
		return err
	}
	p := access.FromContext(r.Context())
	var v engage.Validation
	in := org.PersonInput{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Title: r.PostFormValue("title"),
		DepartmentID: formID(r, "department_id", &v), LocationID: formID(r, "location_id", &v), FunctionID: formID(r, "function_id", &v),
		Active: r.PostFormValue("active") == "on"}
	in.ManagerID = s.personByEmail(r, "manager_email", &v)
	for _, ro := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, access.Role(ro))
	}
	err = v.Err()
	var person org.Person
	if err == nil && id == 0 {
		person, err = s.Org.CreatePerson(r.Context(), p, in)
	} else if err == nil {
		person, err = s.Org.UpdatePerson(r.Context(), p, id, formVersion(r), in)
	}
	return s.saved(w, r, err, "person_form.html", "person", id, "/admin/people?q="+urlEncode(in.Email), "Saved "+person.Name+".")
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) error {
	s.renderPage(w, r, "import.html", Page{Title: "Import from CSV", Nav: "admin", Data: map[string]any{"Kinds": org.ImportKinds, "Columns": org.ImportColumns}})
	return nil
}

func (s *Server) importFile(w http.ResponseWriter, r *http.Request) error {
	kind := r.PostFormValue("kind")
	data := map[string]any{"Kinds": org.ImportKinds, "Columns": org.ImportColumns}
	file, _, err := r.FormFile("file")
	if err != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.renderPage(w, r, "import.html", Page{Title: "Import from CSV", Nav: "admin", Data: data, Form: formOf(r),
			Errors: []engage.FieldError{{Field: "file", Message: "Choose a CSV file to import."}}})
		return nil
	}
	defer file.Close()
	rep, err := s.Org.Import(r.Context(), access.FromContext(r.Context()), kind, file)
	if engage.ErrorCode(err) == engage.EINVALID {
		// Each error names its line; they all point at the file input.
		var errs []engage.FieldError
		for _, f := range engage.ErrorFields(err) {
			errs = append(errs, engage.FieldError{Field: "file", Message: page.UpperFirst(f.Field) + " — " + f.Message})
		}
		if len(errs) == 0 {
			errs = []engage.FieldError{{Field: "kind", Message: engage.ErrorMessage(err)}}
		}
		data["Failed"] = engage.ErrorMessage(err)
		w.WriteHeader(http.StatusUnprocessableEntity)
		s.renderPage(w, r, "import.html", Page{Title: "Import from CSV", Nav: "admin", Data: data, Form: formOf(r), Errors: errs})
		return nil
	} else if err != nil {
		return err
	}
	data["Report"] = rep
	s.renderPage(w, r, "import.html", Page{Title: "Import from CSV", Nav: "admin", Data: data, Form: formOf(r)})
	return nil
}

func (s *Server) exportFile(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	kind = strings.TrimSuffix(kind, ".csv")
	if _, ok := org.ImportColumns[kind]; !ok {
		return engage.Errorf(engage.ENOTFOUND, "There is no export called %q.", kind)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, kind))
	return s.Org.Export(r.Context(), access.FromContext(r.Context()), kind, w)
}

// auditView is the audit log page: a page of events with the changes of
// each in words, and the filters.
type auditView struct {
	Events []auditEvent
	Next   string
	Kinds  []string
	Filter audit.Filter
	From   string // the filter's days, as typed
	To     string
}

type auditEvent struct {
	audit.Event
	Changes []audit.FieldChange
}

// auditLog shows the audit log, filtered by day, person and kind; with
// format=csv, every matching event as a file.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	p, ctx, q := principal(r), r.Context(), r.URL.Query()
	f := audit.Filter{EntityType: q.Get("entity_type"), EntityID: strings.TrimSpace(q.Get("entity_id")), Action: q.Get("action"),
		Actor: strings.TrimSpace(q.Get("actor")), Cursor: q.Get("cursor"), Limit: 50}
	f.ActorID = queryInt(r, "actor_id")
	var v auditView
	var err error
	if v.From, v.To, f.From, f.Until, err = dayRange(r, s.Clock.Now()); err != nil {
		return err
	}
	if q.Get("format") == "csv" {
		return s.auditCSV(w, r, f)
	}
	events, next, err := s.Audit.List(ctx, p, f)
	if err != nil {
		return err
	}
	if v.Kinds, err = s.Audit.Kinds(ctx, p); err != nil {
		return err
	}
	v.Next, v.Filter = next, f
	for _, e := range events {
		v.Events = append(v.Events, auditEvent{Event: e, Changes: e.Changes()})
	}
	s.render(w, r, "audit.html", "Audit log", "admin", v)
	return nil
}

// auditCSV writes every event the filter matches, newest first, a row
// each with its changes in words and the state before and after as JSON.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request, f audit.Filter) error {
	p, ctx := principal(r), r.Context()
	f.Cursor, f.Limit = "", 500
	events, next, err := s.Audit.List(ctx, p, f) // refused before anything is written
	if err != nil {
		return err
	}
	cw := page.CSVFile(w, "audit-"+s.Clock.Now().UTC().Format("2006-01-02")+".csv")
	_ = cw.Write([]string{"at", "actor", "action", "entity_type", "entity_id", "summary", "changes", "before", "after"})
	for {
		for _, e := range events {
			var changes []string
			for _, c := range e.Changes() {
				changes = append(changes, c.Field+": "+c.Before+" → "+c.After)
			}
			_ = cw.Write([]string{e.At.UTC().Format(time.RFC3339), e.ActorName, e.Action, e.EntityType, e.EntityID, e.Summary,
				strings.Join(changes, "; "), string(e.Before), string(e.After)})
		}
		if next == "" {
			break
		}
		f.Cursor = next
		if events, next, err = s.Audit.List(ctx, p, f); err != nil {
			// The status has gone: the file ends short, and the log says why.
			s.Logger.Error("audit export failed while streaming", "err", err)
			break
		}
	}
	cw.Flush()
	return cw.Error()
}
