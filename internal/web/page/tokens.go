package page

import (
	"net/http"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/auth"
)

// CreateToken creates an API token for personID from the token form the
// "tokenfields" partial draws (token_name, token_scope), on the account
// page and the administrator's; the errors name the form's fields.
func CreateToken(r *http.Request, a *auth.Service, personID int64) (string, error) {
	secret, _, err := a.CreateScopedToken(r.Context(), Principal(r), personID, r.PostFormValue("token_name"), r.PostFormValue("token_scope"), nil)
	if fields := engage.ErrorFields(err); len(fields) > 0 {
		for i := range fields {
			fields[i].Field = "token_" + fields[i].Field
		}
	}
	return secret, err
}
