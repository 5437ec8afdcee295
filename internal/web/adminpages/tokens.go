package adminpages

import (
	"net/http"
	"strconv"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/web/page"
)

// personTokenForm lets an administrator create an API token for someone
// else: typically a delivery pipeline's account, limited to the gate.
func (s *Pages) personTokenForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderPersonToken(w, r, page.Base{Form: map[string]string{"token_scope": access.ScopeGate}}, "")
}

func (s *Pages) createPersonToken(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	secret, err := page.CreateToken(r, s.Auth, id)
	if fields := engage.ErrorFields(err); len(fields) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
		var base page.Base
		base.Rejected(fields, r)
		return s.renderPersonToken(w, r, base, "")
	} else if err != nil {
		return err
	}
	// The secret is shown once, on this response, and never stored; the
	// form sent again leads to the person's page, without it.
	w.Header().Set("Content-Location", "/admin/people/"+strconv.FormatInt(id, 10))
	return s.renderPersonToken(w, r, page.Base{Form: map[string]string{"token_scope": access.ScopeGate}}, secret)
}

func (s *Pages) renderPersonToken(w http.ResponseWriter, r *http.Request, base page.Base, secret string) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	person, err := s.Org.FindPerson(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	base.Title, base.Nav = "API token for "+person.Name, "admin"
	s.Render(w, r, "person_token.html", &tokenView{Base: base, Person: person, NewToken: secret})
	return nil
}
