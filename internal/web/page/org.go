package page

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/org"
)

// OrgChoices are the options of the select boxes that name departments,
// locations and functions (organisation forms, audiences). A view embeds
// it.
type OrgChoices struct {
	Departments []org.Department
	Locations   []org.Location
	Functions   []org.Function
}

// LoadOrgChoices reads every department, location and function p may see.
func LoadOrgChoices(ctx context.Context, o *org.Service, p *access.Principal) (OrgChoices, error) {
	var c OrgChoices
	var err error
	c.Departments, err = AllPages(func(cursor string) ([]org.Department, string, error) {
		return o.ListDepartments(ctx, p, org.ListFilter{Cursor: cursor, Limit: 500})
	})
	if err != nil {
		return c, err
	}
	c.Locations, err = AllPages(func(cursor string) ([]org.Location, string, error) {
		return o.ListLocations(ctx, p, org.ListFilter{Cursor: cursor, Limit: 500})
	})
	if err != nil {
		return c, err
	}
	c.Functions, err = AllPages(func(cursor string) ([]org.Function, string, error) {
		return o.ListFunctions(ctx, p, org.ListFilter{Cursor: cursor, Limit: 500})
	})
	return c, err
}

// EmailOf is the e-mail address of person id for a form, "" for none or
// one the reader may not see.
func EmailOf(r *http.Request, o *org.Service, id int64) string {
	if id == 0 {
		return ""
	}
	p, err := o.FindPerson(r.Context(), Principal(r), id)
	if err != nil {
		return ""
	}
	return p.Email
}

// PersonByEmail resolves an e-mail field of a form to a person id (0 when
// blank), noting an unknown address against the field.
func PersonByEmail(r *http.Request, o *org.Service, field string, v *engage.Validation) int64 {
	email := strings.TrimSpace(r.PostFormValue(field))
	if email == "" {
		return 0
	}
	p, err := o.FindPersonByEmail(r.Context(), email)
	if err != nil {
		v.Add(field, "No person with the e-mail address %s.", email)
		return 0
	}
	return p.ID
}

// FormVersion is the version a form was drawn from (its hidden "version"
// field), for an update that must not overwrite a change made since.
func FormVersion(r *http.Request) int {
	n, _ := strconv.Atoi(r.PostFormValue("version"))
	return n
}
