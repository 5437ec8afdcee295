package adminpages

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

func listFilter(r *http.Request) org.ListFilter {
	q := r.URL.Query()
	return org.ListFilter{Query: q.Get("q"), Cursor: q.Get("cursor"), Limit: 50, DepartmentID: page.QueryInt(r, "department"),
		LocationID: page.QueryInt(r, "location"), FunctionID: page.QueryInt(r, "function"), Role: access.Role(q.Get("role"))}
}

// list is the start of an organisation list's view.
func list(title string, f org.ListFilter, next string) listView {
	return listView{Base: page.Base{Title: title, Nav: "admin"}, Search: f.Query, Next: next}
}

func (s *Pages) adminDepartments(w http.ResponseWriter, r *http.Request) error {
	f := listFilter(r)
	rows, next, err := s.Org.ListDepartments(r.Context(), page.Principal(r), f)
	if err != nil {
		return err
	}
	s.Render(w, r, "admin_departments.html", &departmentsView{listView: list("Departments", f, next), Departments: rows})
	return nil
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func (s *Pages) departmentForm(w http.ResponseWriter, r *http.Request) error {
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	form := map[string]string{"billing_mode": org.Showback}
	title := "New department"
	if id != 0 {
		d, err := s.Org.FindDepartment(r.Context(), page.Principal(r), id)
		if err != nil {
			return err
		}
		title = "Edit " + d.Name
		form = map[string]string{"code": d.Code, "name": d.Name, "parent_id": idString(d.ParentID), "head_email": "", "brm_email": "",
			"billing_mode": d.BillingMode, "version": strconv.Itoa(d.Version)}
		form["head_email"], form["brm_email"] = page.EmailOf(r, s.Org, d.HeadID), page.EmailOf(r, s.Org, d.BRMID)
	}
	return s.showForm(w, r, "department_form.html", id, page.Base{Title: title, Form: form})
}

// showForm shows an organisation form, with a rejected one's errors.
func (s *Pages) showForm(w http.ResponseWriter, r *http.Request, tmpl string, id int64, base page.Base) error {
	choices, err := page.LoadOrgChoices(r.Context(), s.Org, page.Principal(r))
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Nav = "admin"
	s.Render(w, r, tmpl, &formView{Base: base, OrgChoices: choices, ID: id})
	return nil
}

// saved finishes a form post: on invalid input it shows the form again with
// the errors and what was typed; on success it redirects with a message.
func (s *Pages) saved(w http.ResponseWriter, r *http.Request, err error, tmpl, what string, id int64, redirect, msg string) error {
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
		base := page.Base{Title: title}
		base.Rejected(errs, r)
		return s.showForm(w, r, tmpl, id, base)
	} else if err != nil {
		return err
	}
	s.Flash(w, msg)
	http.Redirect(w, r, redirect, http.StatusSeeOther)
	return nil
}

func (s *Pages) saveDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	p := page.Principal(r)
	var v engage.Validation
	in := org.DepartmentInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), ParentID: page.FormID(r, "parent_id", &v),
		BillingMode: r.PostFormValue("billing_mode")}
	in.HeadID = page.PersonByEmail(r, s.Org, "head_email", &v)
	in.BRMID = page.PersonByEmail(r, s.Org, "brm_email", &v)
	err = v.Err()
	var d org.Department
	if err == nil && id == 0 {
		d, err = s.Org.CreateDepartment(r.Context(), p, in)
	} else if err == nil {
		d, err = s.Org.UpdateDepartment(r.Context(), p, id, page.FormVersion(r), in)
	}
	return s.saved(w, r, err, "department_form.html", "department", id, "/admin/departments?q="+url.QueryEscape(in.Code), fmt.Sprintf("Saved department %s.", d.Name))
}

func (s *Pages) adminLocations(w http.ResponseWriter, r *http.Request) error {
	f := listFilter(r)
	rows, next, err := s.Org.ListLocations(r.Context(), page.Principal(r), f)
	if err != nil {
		return err
	}
	s.Render(w, r, "admin_locations.html", &locationsView{listView: list("Locations", f, next), Locations: rows})
	return nil
}

func (s *Pages) locationForm(w http.ResponseWriter, r *http.Request) error {
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	form := map[string]string{"time_zone": "UTC"}
	title := "New location"
	if id != 0 {
		l, err := s.Org.FindLocation(r.Context(), page.Principal(r), id)
		if err != nil {
			return err
		}
		title = "Edit " + l.Name
		form = map[string]string{"code": l.Code, "name": l.Name, "city": l.City, "country": l.Country, "region": l.Region,
			"time_zone": l.TimeZone, "version": strconv.Itoa(l.Version)}
	}
	return s.showForm(w, r, "location_form.html", id, page.Base{Title: title, Form: form})
}

func (s *Pages) saveLocation(w http.ResponseWriter, r *http.Request) error {
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	p := page.Principal(r)
	in := org.LocationInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), City: r.PostFormValue("city"),
		Country: r.PostFormValue("country"), Region: r.PostFormValue("region"), TimeZone: r.PostFormValue("time_zone")}
	var l org.Location
	if id == 0 {
		l, err = s.Org.CreateLocation(r.Context(), p, in)
	} else {
		l, err = s.Org.UpdateLocation(r.Context(), p, id, page.FormVersion(r), in)
	}
	return s.saved(w, r, err, "location_form.html", "location", id, "/admin/locations", "Saved location "+l.Name+".")
}

func (s *Pages) adminFunctions(w http.ResponseWriter, r *http.Request) error {
	f := listFilter(r)
	rows, next, err := s.Org.ListFunctions(r.Context(), page.Principal(r), f)
	if err != nil {
		return err
	}
	s.Render(w, r, "admin_functions.html", &functionsView{listView: list("Business functions", f, next), Functions: rows})
	return nil
}

func (s *Pages) functionForm(w http.ResponseWriter, r *http.Request) error {
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	form := map[string]string{}
	title := "New business function"
	if id != 0 {
		f, err := s.Org.FindFunction(r.Context(), page.Principal(r), id)
		if err != nil {
			return err
		}
		title = "Edit " + f.Name
		form = map[string]string{"code": f.Code, "name": f.Name, "version": strconv.Itoa(f.Version)}
	}
	return s.showForm(w, r, "function_form.html", id, page.Base{Title: title, Form: form})
}

func (s *Pages) saveFunction(w http.ResponseWriter, r *http.Request) error {
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	p := page.Principal(r)
	in := org.FunctionInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name")}
	var f org.Function
	if id == 0 {
		f, err = s.Org.CreateFunction(r.Context(), p, in)
	} else {
		f, err = s.Org.UpdateFunction(r.Context(), p, id, page.FormVersion(r), in)
	}
	return s.saved(w, r, err, "function_form.html", "business function", id, "/admin/functions", "Saved business function "+f.Name+".")
}

func (s *Pages) adminPeople(w http.ResponseWriter, r *http.Request) error {
	f := listFilter(r)
	rows, next, err := s.Org.ListPeople(r.Context(), page.Principal(r), f)
	if err != nil {
		return err
	}
	choices, err := page.LoadOrgChoices(r.Context(), s.Org, page.Principal(r))
	if err != nil {
		return err
	}
	s.Render(w, r, "admin_people.html", &peopleView{listView: list("People", f, next), OrgChoices: choices, People: rows, Filter: f})
	return nil
}

func (s *Pages) personForm(w http.ResponseWriter, r *http.Request) error {
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	form := map[string]string{"active": "on", "roles": string(access.Requester)}
	title := "New person"
	if id != 0 {
		p, err := s.Org.FindPerson(r.Context(), page.Principal(r), id)
		if err != nil {
			return err
		}
		title = "Edit " + p.Name
		roles := make([]string, len(p.Roles))
		for i, ro := range p.Roles {
			roles[i] = string(ro)
		}
		form = map[string]string{"email": p.Email, "name": p.Name, "title": p.Title, "department_id": idString(p.DepartmentID),
			"location_id": idString(p.LocationID), "function_id": idString(p.FunctionID), "manager_email": page.EmailOf(r, s.Org, p.ManagerID),
			"roles": strings.Join(roles, ","), "version": strconv.Itoa(p.Version)}
		if p.Active {
			form["active"] = "on"
		}
	}
	return s.showForm(w, r, "person_form.html", id, page.Base{Title: title, Form: form})
}

func (s *Pages) savePerson(w http.ResponseWriter, r *http.Request) error {
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	p := page.Principal(r)
	var v engage.Validation
	in := org.PersonInput{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Title: r.PostFormValue("title"),
		DepartmentID: page.FormID(r, "department_id", &v), LocationID: page.FormID(r, "location_id", &v), FunctionID: page.FormID(r, "function_id", &v),
		Active: r.PostFormValue("active") == "on"}
	in.ManagerID = page.PersonByEmail(r, s.Org, "manager_email", &v)
	for _, ro := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, access.Role(ro))
	}
	err = v.Err()
	var person org.Person
	if err == nil && id == 0 {
		person, err = s.Org.CreatePerson(r.Context(), p, in)
	} else if err == nil {
		person, err = s.Org.UpdatePerson(r.Context(), p, id, page.FormVersion(r), in)
	}
	return s.saved(w, r, err, "person_form.html", "person", id, "/admin/people?q="+url.QueryEscape(in.Email), "Saved "+person.Name+".")
}
