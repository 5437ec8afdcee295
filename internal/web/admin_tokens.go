package web

import (
	"net/http"
	"strconv"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
)

// personTokenForm lets an administrator create an API token for someone
// else: typically a delivery pipeline's account, limited to the gate.
func (s *Server) personTokenForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderPersonToken(w, r, map[string]string{"token_scope": access.ScopeGate}, nil, "")
}

// createTokenFor creates a token for personID from the token form
// (token_name, token_scope) shared by the account page and the admin's;
// field errors name the form's fields.
func (s *Server) createTokenFor(r *http.Request, personID int64) (string, error) {
	secret, _, err := s.Auth.CreateScopedToken(r.Context(), principal(r), personID, r.PostFormValue("token_name"), r.PostFormValue("token_scope"), nil)
	if fields := engage.ErrorFields(err); len(fields) > 0 {
		for i := range fields {
			fields[i].Field = "token_" + fields[i].Field
		}
	}
	return secret, err
}

func (s *Server) createPersonToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	secret, err := s.createTokenFor(r, id)
	if fields := engage.ErrorFields(err); len(fields) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return s.renderPersonToken(w, r, formOf(r), fields, "")
	} else if err != nil {
		return err
	}
	// The secret is shown once, on this response, and never stored; the
	// form sent again leads to the person's page, without it.
	w.Header().Set("Content-Location", "/admin/people/"+strconv.FormatInt(id, 10))
	return s.renderPersonToken(w, r, map[string]string{"token_scope": access.ScopeGate}, nil, secret)
}

func (s *Server) renderPersonToken(w http.ResponseWriter, r *http.Request, form map[string]string, errs []engage.FieldError, secret string) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	person, err := s.Org.FindPerson(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	s.renderPage(w, r, "person_token.html", Page{Title: "API token for " + person.Name, Nav: "admin", Form: form, Errors: errs,
		Data: map[string]any{"Person": person, "NewToken": secret}})
	return nil
}
