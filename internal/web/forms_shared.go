package web

import (
	"net/http"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/web/page"
)

// The form helpers of the administration area, now the kit's, for the
// pages still in this package: the account page (createTokenFor), the
// catalog forms (choices, emailOf, personByEmail, formVersion), cloud and
// cost pools (upperFirst). Each goes with the last page using it.

// createTokenFor creates a token for personID from the token form of the
// account page (see page.CreateToken).
func (s *Server) createTokenFor(r *http.Request, personID int64) (string, error) {
	return page.CreateToken(r, s.Auth, personID)
}

// choices are the options of the select boxes on organisation forms.
func (s *Server) choices(r *http.Request) (map[string]any, error) {
	c, err := page.LoadOrgChoices(r.Context(), s.Org, page.Principal(r))
	if err != nil {
		return nil, err
	}
	return map[string]any{"Departments": c.Departments, "Locations": c.Locations, "Functions": c.Functions}, nil
}

func (s *Server) emailOf(r *http.Request, id int64) string { return page.EmailOf(r, s.Org, id) }

func (s *Server) personByEmail(r *http.Request, field string, v *engage.Validation) int64 {
	return page.PersonByEmail(r, s.Org, field, v)
}

var (
	formVersion = page.FormVersion
	upperFirst  = page.UpperFirst
)
