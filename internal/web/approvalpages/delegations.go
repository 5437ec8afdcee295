package approvalpages

import (
	"fmt"
	"net/http"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/web/page"
)

func (s *Pages) approvalDelegations(w http.ResponseWriter, r *http.Request) error {
	return s.renderApprovalDelegations(w, r, page.Base{Form: map[string]string{"from": s.Clock.Now().Format("2006-01-02")}})
}

func (s *Pages) renderApprovalDelegations(w http.ResponseWriter, r *http.Request, base page.Base) error {
	ctx, p := r.Context(), page.Principal(r)
	list, next, err := s.Approval.ListDelegations(ctx, p, approval.DelegationFilter{PersonID: p.PersonID, Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Delegate your approvals", "approvals"
	s.Render(w, r, "approval_delegations.html", &delegationsView{Base: base, Delegations: list, Next: next, Today: s.Clock.Now().Format("2006-01-02")})
	return nil
}

func (s *Pages) createApprovalDelegation(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	var v engage.Validation
	in := approval.DelegationInput{From: r.PostFormValue("from"), To: r.PostFormValue("to"), Note: r.PostFormValue("note")}
	in.DelegateID = page.PersonByEmail(r, s.Org, "delegate_email", &v)
	if in.DelegateID == 0 && len(v.Fields) == 0 {
		v.Add("delegate_email", "Enter the e-mail address of the person who decides in your place.")
	}
	if p.IsAdmin() {
		in.DelegatorID = page.PersonByEmail(r, s.Org, "delegator_email", &v)
	}
	err := v.Err()
	if err == nil {
		_, err = s.Approval.CreateDelegation(r.Context(), p, in)
	}
	if engage.ErrorCode(err) == engage.EINVALID {
		errs := engage.ErrorFields(err)
		for i := range errs {
			switch errs[i].Field {
			case "delegate_id":
				errs[i].Field = "delegate_email"
			case "delegator_id":
				errs[i].Field = "delegator_email"
			}
		}
		return s.renderApprovalDelegations(w, r, rejected(errs, r))
	} else if err != nil {
		return err
	}
	s.Flash(w, fmt.Sprintf("Delegation saved: from %s to %s.", in.From, in.To))
	http.Redirect(w, r, "/approvals/delegations", http.StatusSeeOther)
	return nil
}

func (s *Pages) deleteApprovalDelegation(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Approval.DeleteDelegation(r.Context(), page.Principal(r), id); err != nil {
		return err
	}
	s.Flash(w, "The delegation has been removed.")
	http.Redirect(w, r, "/approvals/delegations", http.StatusSeeOther)
	return nil
}
