package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/org"
)

// approvalRoutes are the approval pages: the inbox, a request with its
// timeline, delegations, signed links (no sign-in) and the policy admin.
func (s *Server) approvalRoutes() []Route {
	return []Route{
		{Pattern: "GET /approvals", Handle: s.approvalInbox},
		{Pattern: "GET /approvals/policies", Handle: s.approvalPolicies},
		{Pattern: "GET /approvals/delegations", Handle: s.approvalDelegations},
		{Pattern: "POST /approvals/delegations", Handle: s.createApprovalDelegation},
		{Pattern: "POST /approvals/delegations/{id}/delete", Handle: s.deleteApprovalDelegation},
		{Pattern: "GET /approvals/link/{token}", Public: true, Handle: s.approvalLink},
		{Pattern: "POST /approvals/link/{token}", Public: true, Handle: s.decideApprovalLink},
		// Decisions and cancellations post to the request's own page: a
		// sub-path such as /approvals/{id}/decide would clash with the links.
		{Pattern: "GET /approvals/{id}", Handle: s.approvalRequest},
		{Pattern: "POST /approvals/{id}", Handle: s.actOnApproval},

		{Pattern: "GET /admin/approval-policies", Role: access.Admin, Handle: s.adminApprovalPolicies},
		{Pattern: "GET /admin/approval-policies/new", Role: access.Admin, Handle: s.approvalPolicyForm},
		{Pattern: "POST /admin/approval-policies", Role: access.Admin, Handle: s.saveApprovalPolicy},
		{Pattern: "GET /admin/approval-policies/{id}/edit", Role: access.Admin, Handle: s.approvalPolicyForm},
		{Pattern: "POST /admin/approval-policies/{id}", Role: access.Admin, Handle: s.saveApprovalPolicy},
	}
}

func init() {
	funcs["approvalStatus"] = func(status string) string {
		switch status {
		case approval.Pending:
			return "Waiting for approval"
		case approval.Approved:
			return "Approved"
		case approval.Declined:
			return "Declined"
		case approval.Cancelled:
			return "Cancelled"
		}
		return status
	}
	funcs["approvalStatusClass"] = func(status string) string {
		switch status {
		case approval.Approved:
			return "label ok"
		case approval.Declined, approval.Cancelled:
			return "label warn"
		}
		return "label"
	}
	funcs["approvalVerdict"] = func(v string) string {
		switch v {
		case approval.Approve:
			return "approved"
		case approval.Decline:
			return "declined"
		}
		return "cancelled"
	}
	funcs["approvalVia"] = func(v string) string {
		switch v {
		case approval.ViaLink:
			return "from a link in a message"
		case approval.ViaAPI:
			return "through the API"
		}
		return "in Engage"
	}
	funcs["approvalRule"] = func(r string) string { return approval.RuleLabels[r] }
	funcs["approvalStageNumber"] = func(i int) int { return i + 1 }
}

// --- the inbox ---

func (s *Server) approvalInbox(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), access.FromContext(r.Context())
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
	now := s.Clock.Now()
	var covering, away []approval.Delegation
	for _, d := range delegations {
		switch {
		case !d.ActiveOn(now):
		case d.DelegateID == p.PersonID:
			covering = append(covering, d)
		case d.DelegatorID == p.PersonID:
			away = append(away, d)
		}
	}
	s.render(w, r, "approvals.html", "Approvals", "approvals", map[string]any{"Waiting": items, "Mine": mine, "MoreMine": mineNext != "",
		"Decided": decided, "Covering": covering, "Away": away})
	return nil
}

// --- one request ---

func (s *Server) approvalRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderApprovalRequest(w, r, id, nil, nil)
}

func (s *Server) renderApprovalRequest(w http.ResponseWriter, r *http.Request, id int64, errs []engage.FieldError, form map[string]string) error {
	ctx, p := r.Context(), access.FromContext(r.Context())
	req, err := s.Approval.FindRequest(ctx, p, id)
	if err != nil {
		return err
	}
	decidable, err := s.Approval.DecidableFor(ctx, p, req)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	canCancel := req.Status == approval.Pending && (req.RequesterID == p.PersonID || p.IsAdmin())
	data := map[string]any{"Request": req, "For": decidable, "CanCancel": canCancel}
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
			data["Order"] = o
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
			data["Spend"], data["SpendKnown"] = spend, true
		case code != engage.ENOTFOUND && code != engage.EFORBIDDEN:
			return err
		}
	}
	s.renderPage(w, r, "approval_request.html", Page{Title: req.Title, Nav: "approvals", Errors: errs, Form: form, Data: data})
	return nil
}

func decideInput(r *http.Request, via string) approval.DecideInput {
	in := approval.DecideInput{Verdict: r.PostFormValue("verdict"), Reason: r.PostFormValue("reason"), Via: via}
	in.OnBehalfOf, _ = strconv.ParseInt(r.PostFormValue("on_behalf_of"), 10, 64)
	return in
}

// actOnApproval decides on a request, or cancels it when the form says
// action=cancel.
func (s *Server) actOnApproval(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if r.PostFormValue("action") == "cancel" {
		return s.cancelApproval(w, r, id)
	}
	in := decideInput(r, approval.ViaInbox)
	req, err := s.Approval.Decide(r.Context(), access.FromContext(r.Context()), id, in)
	if engage.ErrorCode(err) == engage.EINVALID {
		return s.renderApprovalRequest(w, r, id, engage.ErrorFields(err), formOf(r))
	} else if err != nil {
		return err
	}
	s.flash(w, decidedMessage(req, in.Verdict))
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

func (s *Server) cancelApproval(w http.ResponseWriter, r *http.Request, id int64) error {
	_, err := s.Approval.Cancel(r.Context(), access.FromContext(r.Context()), id, r.PostFormValue("cancel_reason"), approval.ViaInbox)
	if engage.ErrorCode(err) == engage.EINVALID {
		errs := engage.ErrorFields(err)
		for i := range errs {
			errs[i].Field = "cancel_" + errs[i].Field
		}
		return s.renderApprovalRequest(w, r, id, errs, formOf(r))
	} else if err != nil {
		return err
	}
	s.flash(w, "The request has been cancelled.")
	http.Redirect(w, r, fmt.Sprintf("/approvals/%d", id), http.StatusSeeOther)
	return nil
}

// --- signed links ---

func (s *Server) approvalLink(w http.ResponseWriter, r *http.Request) error {
	return s.renderApprovalLink(w, r, nil, nil)
}

func (s *Server) renderApprovalLink(w http.ResponseWriter, r *http.Request, errs []engage.FieldError, form map[string]string) error {
	token := r.PathValue("token")
	view, err := s.Approval.OpenLink(r.Context(), token)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	data := map[string]any{"View": view, "Request": view.Request, "Token": token}
	if st, ok := view.Request.Stage(view.Request.CurrentStage); ok && view.Request.Status == approval.Pending {
		data["Stage"] = st
	}
	s.renderPage(w, r, "approval_link.html", Page{Title: view.Request.Title, Nav: "approvals", Errors: errs, Form: form, Data: data})
	return nil
}

func (s *Server) decideApprovalLink(w http.ResponseWriter, r *http.Request) error {
	in := decideInput(r, approval.ViaLink)
	req, err := s.Approval.DecideByLink(r.Context(), r.PathValue("token"), in)
	if engage.ErrorCode(err) == engage.EINVALID {
		return s.renderApprovalLink(w, r, engage.ErrorFields(err), formOf(r))
	} else if err != nil {
		return err
	}
	s.flash(w, decidedMessage(req, in.Verdict))
	http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
	return nil
}

// --- delegations ---

func (s *Server) approvalDelegations(w http.ResponseWriter, r *http.Request) error {
	return s.renderApprovalDelegations(w, r, nil, map[string]string{"from": s.Clock.Now().Format("2006-01-02")})
}

func (s *Server) renderApprovalDelegations(w http.ResponseWriter, r *http.Request, errs []engage.FieldError, form map[string]string) error {
	ctx, p := r.Context(), access.FromContext(r.Context())
	list, next, err := s.Approval.ListDelegations(ctx, p, approval.DelegationFilter{PersonID: p.PersonID, Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		return err
	}
	today := s.Clock.Now().Format("2006-01-02")
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.renderPage(w, r, "approval_delegations.html", Page{Title: "Delegate your approvals", Nav: "approvals", Errors: errs, Form: form,
		Data: map[string]any{"Delegations": list, "Next": next, "Today": today}})
	return nil
}

func (s *Server) createApprovalDelegation(w http.ResponseWriter, r *http.Request) error {
	p := access.FromContext(r.Context())
	var v engage.Validation
	in := approval.DelegationInput{From: r.PostFormValue("from"), To: r.PostFormValue("to"), Note: r.PostFormValue("note")}
	in.DelegateID = s.personByEmail(r, "delegate_email", &v)
	if in.DelegateID == 0 && len(v.Fields) == 0 {
		v.Add("delegate_email", "Enter the e-mail address of the person who decides in your place.")
	}
	if p.IsAdmin() {
		in.DelegatorID = s.personByEmail(r, "delegator_email", &v)
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
		return s.renderApprovalDelegations(w, r, errs, formOf(r))
	} else if err != nil {
		return err
	}
	s.flash(w, fmt.Sprintf("Delegation saved: from %s to %s.", in.From, in.To))
	http.Redirect(w, r, "/approvals/delegations", http.StatusSeeOther)
	return nil
}

func (s *Server) deleteApprovalDelegation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Approval.DeleteDelegation(r.Context(), access.FromContext(r.Context()), id); err != nil {
		return err
	}
	s.flash(w, "The delegation has been removed.")
	http.Redirect(w, r, "/approvals/delegations", http.StatusSeeOther)
	return nil
}

// --- policies ---

// policyView is a policy described for people, with department names.
type policyView struct {
	approval.Policy
	Conditions []string
	Stages     []string
}

// policyViews describes policies. Administrators see named approvers by
// name; others see how many people are named, since people are department
// data.
func (s *Server) policyViews(r *http.Request, list []approval.Policy) ([]policyView, error) {
	var name func(int64) string
	if access.FromContext(r.Context()).IsAdmin() {
		name = func(id int64) string { return s.personName(r, id) }
	}
	names, err := s.departmentNames(r)
	if err != nil {
		return nil, err
	}
	out := make([]policyView, len(list))
	for i, p := range list {
		c := p.Conditions
		depts := c.DepartmentIDs
		c.DepartmentIDs = nil
		conds := c.Describe()
		if len(depts) > 0 {
			var ns []string
			for _, id := range depts {
				ns = append(ns, names[id])
			}
			line := "In " + strings.Join(ns, ", ") + " or a department below"
			if conds[0] == "Every request" {
				conds = nil
			}
			conds = append(conds, line)
		}
		out[i] = policyView{Policy: p, Conditions: conds}
		for _, st := range p.Stages {
			out[i].Stages = append(out[i].Stages, fmt.Sprintf("%s — %s", st.Name, st.Describe(name)))
		}
	}
	return out, nil
}

// personName names a person a policy refers to, or says who is unknown.
func (s *Server) personName(r *http.Request, id int64) string {
	person, err := s.Org.FindPerson(r.Context(), access.FromContext(r.Context()), id)
	if err != nil {
		return fmt.Sprintf("person %d", id)
	}
	return person.Name
}

func (s *Server) departmentNames(r *http.Request) (map[int64]string, error) {
	p := access.FromContext(r.Context())
	depts, err := allPages(func(c string) ([]org.Department, string, error) {
		return s.Org.ListDepartments(r.Context(), p, org.ListFilter{Cursor: c, Limit: 500})
	})
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, d := range depts {
		names[d.ID] = d.Name
	}
	return names, nil
}

func (s *Server) approvalPolicies(w http.ResponseWriter, r *http.Request) error {
	return s.listApprovalPolicies(w, r, "approval_policies.html", "approvals")
}

func (s *Server) adminApprovalPolicies(w http.ResponseWriter, r *http.Request) error {
	return s.listApprovalPolicies(w, r, "approval_policies_admin.html", "admin")
}

func (s *Server) listApprovalPolicies(w http.ResponseWriter, r *http.Request, tmpl, nav string) error {
	list, next, err := s.Approval.ListPolicies(r.Context(), access.FromContext(r.Context()), r.URL.Query().Get("cursor"), 50)
	if err != nil {
		return err
	}
	views, err := s.policyViews(r, list)
	if err != nil {
		return err
	}
	s.render(w, r, tmpl, "Approval policies", nav, map[string]any{"Policies": views, "Next": next})
	return nil
}

// blankStageRows is how many empty stage rows the policy form offers.
const blankStageRows = 2

func (s *Server) approvalPolicyForm(w http.ResponseWriter, r *http.Request) error {
	id, err := editID(r)
	if err != nil {
		return err
	}
	form := map[string]string{"active": "on", "priority": "100"}
	title := "New approval policy"
	if id != 0 {
		pol, err := s.Approval.FindPolicy(r.Context(), access.FromContext(r.Context()), id)
		if err != nil {
			return err
		}
		title = "Edit " + pol.Name
		form = s.policyForm(r, pol)
	}
	return s.showApprovalPolicyForm(w, r, title, id, form, nil, http.StatusOK)
}

// policyForm turns a policy into the form's fields.
func (s *Server) policyForm(r *http.Request, pol approval.Policy) map[string]string {
	c := pol.Conditions
	f := map[string]string{"name": pol.Name, "description": pol.Description, "priority": strconv.Itoa(pol.Priority),
		"version": strconv.Itoa(pol.Version), "conditions.currency": c.Currency, "conditions.min_data_class": c.MinDataClass,
		"conditions.subject_types": strings.Join(c.SubjectTypes, ", "), "conditions.offering_ids": joinInts(c.OfferingIDs, ", "),
		"conditions.service_ids": joinInts(c.ServiceIDs, ", "), "conditions.department_ids": joinInts(c.DepartmentIDs, ","),
		"stage_rows": strconv.Itoa(len(pol.Stages) + blankStageRows)}
	if pol.Active {
		f["active"] = "on"
	}
	if c.MinAmount != nil {
		f["conditions.min_amount"] = c.MinAmount.String()
	}
	for i, st := range pol.Stages {
		k := fmt.Sprintf("stages[%d].", i)
		f[k+"name"], f[k+"quorum"] = st.Name, st.Quorum
		if st.Quorum == approval.QuorumN {
			f[k+"quorum_n"] = strconv.Itoa(st.QuorumN)
		}
		var emails []string
		for _, a := range st.Approvers {
			switch a.Kind {
			case approval.RuleManager:
				f[k+"manager"] = "on"
			case approval.RuleBudgetHolder:
				f[k+"budget_holder"] = "on"
			case approval.RuleBRM:
				f[k+"brm"] = "on"
			case approval.RuleRole:
				f[k+"role"] = string(a.Role)
			case approval.RulePeople:
				for _, id := range a.PersonIDs {
					if e := s.emailOf(r, id); e != "" {
						emails = append(emails, e)
					}
				}
			}
		}
		f[k+"people"] = strings.Join(emails, ", ")
	}
	return f
}

func joinInts(ids []int64, sep string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, sep)
}

func stageRows(form map[string]string) []int {
	n, _ := strconv.Atoi(form["stage_rows"])
	n = max(n, 1+blankStageRows)
	n = min(n, 20)
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

func (s *Server) showApprovalPolicyForm(w http.ResponseWriter, r *http.Request, title string, id int64, form map[string]string, errs []engage.FieldError, status int) error {
	p := access.FromContext(r.Context())
	depts, err := allPages(func(c string) ([]org.Department, string, error) {
		return s.Org.ListDepartments(r.Context(), p, org.ListFilter{Cursor: c, Limit: 500})
	})
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.renderPage(w, r, "approval_policy_form.html", Page{Title: title, Nav: "admin", Form: form, Errors: errs,
		Data: map[string]any{"ID": id, "Departments": depts, "Rows": stageRows(form), "DataClasses": approval.DataClasses}})
	return nil
}

var listSplit = regexp.MustCompile(`[\s,;]+`)

// splitList splits a typed list on commas, semicolons and spaces.
func splitList(s string) []string {
	var out []string
	for _, part := range listSplit.Split(strings.TrimSpace(s), -1) {
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

func formInts(r *http.Request, field string, v *engage.Validation) []int64 {
	var out []int64
	for _, part := range splitList(r.PostFormValue(field)) {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id <= 0 {
			v.Add(field, "%q is not an id: enter whole numbers separated by commas.", part)
			continue
		}
		out = append(out, id)
	}
	return out
}

// policyFromForm reads the policy form. rowOf maps the position of each
// stage kept to its row on the form (blank rows are left out), and
// ruleField the position of each approver rule to the field it came from.
func (s *Server) policyFromForm(r *http.Request, v *engage.Validation) (in approval.PolicyInput, rowOf []int, ruleField [][]string) {
	in = approval.PolicyInput{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), Active: r.PostFormValue("active") == "on"}
	if n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("priority"))); err != nil {
		v.Add("priority", "Enter a whole number, for example 100. Lower numbers are tried first.")
	} else {
		in.Priority = n
	}
	c := &in.Conditions
	if a := strings.TrimSpace(r.PostFormValue("conditions.min_amount")); a != "" {
		d, err := decimal.NewFromString(strings.ReplaceAll(a, ",", ""))
		if err != nil {
			v.Add("conditions.min_amount", "Enter an amount such as 5000 or 5000.00.")
		} else {
			c.MinAmount = &d
		}
	}
	c.Currency = r.PostFormValue("conditions.currency")
	c.MinDataClass = r.PostFormValue("conditions.min_data_class")
	c.SubjectTypes = splitList(r.PostFormValue("conditions.subject_types"))
	c.OfferingIDs = formInts(r, "conditions.offering_ids", v)
	c.ServiceIDs = formInts(r, "conditions.service_ids", v)
	for _, d := range r.PostForm["conditions.department_ids"] {
		if id, err := strconv.ParseInt(d, 10, 64); err == nil {
			c.DepartmentIDs = append(c.DepartmentIDs, id)
		}
	}
	n, _ := strconv.Atoi(r.PostFormValue("stage_rows"))
	for i := range min(n, 20) {
		k := fmt.Sprintf("stages[%d].", i)
		st := approval.Stage{Name: r.PostFormValue(k + "name"), Quorum: r.PostFormValue(k + "quorum")}
		var fields []string
		for _, rule := range []struct{ field, kind string }{{"manager", approval.RuleManager}, {"budget_holder", approval.RuleBudgetHolder}, {"brm", approval.RuleBRM}} {
			if r.PostFormValue(k+rule.field) == "on" {
				st.Approvers = append(st.Approvers, approval.ApproverRule{Kind: rule.kind})
				fields = append(fields, k+"approvers")
			}
		}
		if role := r.PostFormValue(k + "role"); role != "" {
			st.Approvers = append(st.Approvers, approval.ApproverRule{Kind: approval.RuleRole, Role: access.Role(role)})
			fields = append(fields, k+"role")
		}
		if emails := splitList(r.PostFormValue(k + "people")); len(emails) > 0 {
			rule := approval.ApproverRule{Kind: approval.RulePeople}
			for _, e := range emails {
				person, err := s.Org.FindPersonByEmail(r.Context(), e)
				if err != nil {
					v.Add(k+"people", "No person with the e-mail address %s.", e)
					continue
				}
				rule.PersonIDs = append(rule.PersonIDs, person.ID)
			}
			st.Approvers = append(st.Approvers, rule)
			fields = append(fields, k+"people")
		}
		if strings.TrimSpace(st.Name) == "" && len(st.Approvers) == 0 {
			continue // a blank row
		}
		if st.Quorum == approval.QuorumN {
			q, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(k + "quorum_n")))
			if err != nil {
				v.Add(k+"quorum_n", "Enter how many approvals the stage needs, for example 2.")
			}
			st.QuorumN = q
		}
		in.Stages = append(in.Stages, st)
		rowOf = append(rowOf, i)
		ruleField = append(ruleField, fields)
	}
	return in, rowOf, ruleField
}

var stageField = regexp.MustCompile(`^stages\[(\d+)\]\.(name|quorum|quorum_n|approvers)(?:\[(\d+)\]\.\w+)?$`)

// policyFormErrors names the form's fields in the service's errors.
func policyFormErrors(errs []engage.FieldError, rowOf []int, ruleField [][]string) []engage.FieldError {
	out := make([]engage.FieldError, len(errs))
	for i, e := range errs {
		out[i] = e
		m := stageField.FindStringSubmatch(e.Field)
		if m == nil {
			if e.Field == "stages" {
				out[i].Field = "stages[0].name"
			}
			continue
		}
		k, _ := strconv.Atoi(m[1])
		if k >= len(rowOf) {
			continue
		}
		row := fmt.Sprintf("stages[%d].", rowOf[k])
		out[i].Field = row + m[2]
		if m[3] != "" {
			j, _ := strconv.Atoi(m[3])
			out[i].Field = row + "approvers"
			if j < len(ruleField[k]) {
				out[i].Field = ruleField[k][j]
			}
		}
		out[i].Message = fmt.Sprintf("Stage %d: %s", rowOf[k]+1, e.Message)
	}
	return out
}

func (s *Server) saveApprovalPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := editID(r)
	if err != nil {
		return err
	}
	p := access.FromContext(r.Context())
	var v engage.Validation
	in, rowOf, ruleField := s.policyFromForm(r, &v)
	err = v.Err()
	var pol approval.Policy
	if err == nil && id == 0 {
		pol, err = s.Approval.CreatePolicy(r.Context(), p, in)
	} else if err == nil {
		pol, err = s.Approval.UpdatePolicy(r.Context(), p, id, formVersion(r), in)
	}
	if code := engage.ErrorCode(err); code == engage.EINVALID || code == engage.ECONFLICT {
		errs := policyFormErrors(engage.ErrorFields(err), rowOf, ruleField)
		if len(errs) == 0 {
			errs = []engage.FieldError{{Message: engage.ErrorMessage(err)}}
		}
		status := http.StatusUnprocessableEntity
		if code == engage.ECONFLICT {
			status = http.StatusConflict
		}
		title := "New approval policy"
		if id != 0 {
			title = "Edit approval policy"
		}
		return s.showApprovalPolicyForm(w, r, title, id, formOf(r), errs, status)
	} else if err != nil {
		return err
	}
	s.flash(w, fmt.Sprintf("Saved approval policy %s.", pol.Name))
	http.Redirect(w, r, "/admin/approval-policies", http.StatusSeeOther)
	return nil
}
