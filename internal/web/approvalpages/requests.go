package approvalpages

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/web/page"
)

// --- the inbox ---

func (s *Pages) approvalInbox(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	items, err := s.Waiting.For(ctx, p)
	if err != nil {
		return err
	}
	mine, mineNext, err := s.Approval.ListRequests(ctx, p, approval.RequestFilter{Mine: true, Limit: 20})
	if err != nil {
		return err
	}
	decided, _, err := s.Approval.ListRequests(ctx, p, approval.RequestFilter{DecidedByMe: true, Limit: 10})
	if err != nil {
		return err
	}
	delegations, _, err := s.Approval.ListDelegations(ctx, p, approval.DelegationFilter{PersonID: p.PersonID, Limit: 100})
	if err != nil {
		return err
	}
	v := &inboxView{Base: page.Base{Title: "Approvals", Nav: "approvals"}, WaitingList: items, Mine: mine, MoreMine: mineNext != "", Decided: decided}
	now := s.Clock.Now()
	for _, d := range delegations {
		switch {
		case !d.ActiveOn(now):
		case d.DelegateID == p.PersonID:
			v.Covering = append(v.Covering, d)
		case d.DelegatorID == p.PersonID:
			v.Away = append(v.Away, d)
		}
	}
	s.Render(w, r, "approvals.html", v)
	return nil
}

// --- one request ---

func (s *Pages) approvalRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderApprovalRequest(w, r, id, page.Base{})
}

func (s *Pages) renderApprovalRequest(w http.ResponseWriter, r *http.Request, id int64, base page.Base) error {
	ctx, p := r.Context(), page.Principal(r)
	req, err := s.Approval.FindRequest(ctx, p, id)
	if err != nil {
		return err
	}
	decidable, err := s.Approval.DecidableFor(ctx, p, req)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = req.Title, "approvals"
	v := &requestView{Base: base, Request: req, For: decidable, CanCancel: req.CancellableBy(p)}
	// What is asked for: an order's lines, so the approver decides on
	// the offerings, quantities and costs rather than on a total alone.
	if number, ok := strings.CutPrefix(req.Link, "/orders/"); ok && req.SubjectType == "order" && s.Catalog != nil {
		o, err := s.Catalog.FindOrder(ctx, p, number)
		if code := engage.ErrorCode(err); (code == engage.ENOTFOUND || code == engage.EFORBIDDEN) && len(decidable) > 0 {
			// An approver from outside the department (a named person, a
			// role) sees what they are asked to approve.
			o, err = s.Catalog.FindOrder(ctx, access.System("approver of "+req.Title), number)
		}
		switch code := engage.ErrorCode(err); {
		case err == nil:
			v.Order = &o
		case code != engage.ENOTFOUND && code != engage.EFORBIDDEN:
			return err
		}
	}
	// Beside the cost, what the department spends a month today.
	if req.DepartmentID != 0 && s.Catalog != nil {
		spend, err := s.Catalog.MonthlySpend(ctx, p, req.DepartmentID)
		if code := engage.ErrorCode(err); (code == engage.ENOTFOUND || code == engage.EFORBIDDEN) && len(decidable) > 0 {
			spend, err = s.Catalog.MonthlySpend(ctx, access.System("approver of "+req.Title), req.DepartmentID)
		}
		switch code := engage.ErrorCode(err); {
		case err == nil:
			v.Spend, v.SpendKnown = spend, true
		case code != engage.ENOTFOUND && code != engage.EFORBIDDEN:
			return err
		}
	}
	s.Render(w, r, "approval_request.html", v)
	return nil
}

func decideInput(r *http.Request, via string) approval.DecideInput {
	in := approval.DecideInput{Verdict: r.PostFormValue("verdict"), Reason: r.PostFormValue("reason"), Via: via}
	in.OnBehalfOf, _ = strconv.ParseInt(r.PostFormValue("on_behalf_of"), 10, 64)
	return in
}

// rejected is a page's base with a refused form: its errors, what was
// typed.
func rejected(errs []engage.FieldError, r *http.Request) page.Base {
	var b page.Base
	b.Rejected(errs, r)
	return b
}

// actOnApproval decides on a request, or cancels it when the form says
// action=cancel.
func (s *Pages) actOnApproval(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	if r.PostFormValue("action") == "cancel" {
		return s.cancelApproval(w, r, id)
	}
	in := decideInput(r, approval.ViaInbox)
	req, err := s.Approval.Decide(r.Context(), page.Principal(r), id, in)
	if engage.ErrorCode(err) == engage.EINVALID {
		return s.renderApprovalRequest(w, r, id, rejected(engage.ErrorFields(err), r))
	} else if err != nil {
		return err
	}
	s.Flash(w, decidedMessage(req, in.Verdict))
	http.Redirect(w, r, fmt.Sprintf("/approvals/%d", id), http.StatusSeeOther)
	return nil
}

func decidedMessage(req approval.Request, verdict string) string {
	switch {
	case verdict == approval.Decline:
		return fmt.Sprintf("You declined %q. %s has been told why.", req.Title, req.RequesterName)
	case req.Status == approval.Approved:
		return fmt.Sprintf("You approved %q. It is now approved.", req.Title)
	}
	return fmt.Sprintf("You approved %q. %s", req.Title, req.Next())
}

func (s *Pages) cancelApproval(w http.ResponseWriter, r *http.Request, id int64) error {
	_, err := s.Approval.Cancel(r.Context(), page.Principal(r), id, r.PostFormValue("cancel_reason"), approval.ViaInbox)
	if engage.ErrorCode(err) == engage.EINVALID {
		errs := engage.ErrorFields(err)
		for i := range errs {
			errs[i].Field = "cancel_" + errs[i].Field
		}
		return s.renderApprovalRequest(w, r, id, rejected(errs, r))
	} else if err != nil {
		return err
	}
	s.Flash(w, "The request has been cancelled.")
	http.Redirect(w, r, fmt.Sprintf("/approvals/%d", id), http.StatusSeeOther)
	return nil
}

// --- signed links ---

func (s *Pages) approvalLink(w http.ResponseWriter, r *http.Request) error {
	return s.renderApprovalLink(w, r, page.Base{})
}

func (s *Pages) renderApprovalLink(w http.ResponseWriter, r *http.Request, base page.Base) error {
	token := r.PathValue("token")
	link, err := s.Approval.OpenLink(r.Context(), token)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = link.Request.Title, "approvals"
	v := &linkView{Base: base, Link: link, Token: token}
	if st, ok := link.Request.Stage(link.Request.CurrentStage); ok && link.Request.Status == approval.Pending {
		v.Stage = &st
	}
	s.Render(w, r, "approval_link.html", v)
	return nil
}

func (s *Pages) decideApprovalLink(w http.ResponseWriter, r *http.Request) error {
	in := decideInput(r, approval.ViaLink)
	req, err := s.Approval.DecideByLink(r.Context(), r.PathValue("token"), in)
	if engage.ErrorCode(err) == engage.EINVALID {
		return s.renderApprovalLink(w, r, rejected(engage.ErrorFields(err), r))
	} else if err != nil {
		return err
	}
	s.Flash(w, decidedMessage(req, in.Verdict))
	http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
	return nil
}
