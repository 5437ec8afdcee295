package approvalpages

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
	"github.com/engagehq/engage/internal/web/page"
)

// policyView is a policy described for people, with department names.
type policyView struct {
	approval.Policy
	Conditions []string
	Stages     []string
}

// policyViews describes policies. Administrators see named approvers by
// name; others see how many people are named, since people are department
// data.
func (s *Pages) policyViews(r *http.Request, list []approval.Policy) ([]policyView, error) {
	var name func(int64) string
	if page.Principal(r).IsAdmin() {
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
func (s *Pages) personName(r *http.Request, id int64) string {
	person, err := s.Org.FindPerson(r.Context(), page.Principal(r), id)
	if err != nil {
		return fmt.Sprintf("person %d", id)
	}
	return person.Name
}

func (s *Pages) departmentNames(r *http.Request) (map[int64]string, error) {
	p := page.Principal(r)
	depts, err := page.AllPages(func(c string) ([]org.Department, string, error) {
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

func (s *Pages) approvalPolicies(w http.ResponseWriter, r *http.Request) error {
	return s.listApprovalPolicies(w, r, "approval_policies.html", "approvals")
}

func (s *Pages) adminApprovalPolicies(w http.ResponseWriter, r *http.Request) error {
	return s.listApprovalPolicies(w, r, "approval_policies_admin.html", "admin")
}

func (s *Pages) listApprovalPolicies(w http.ResponseWriter, r *http.Request, tmpl, nav string) error {
	list, next, err := s.Approval.ListPolicies(r.Context(), page.Principal(r), r.URL.Query().Get("cursor"), 50)
	if err != nil {
		return err
	}
	views, err := s.policyViews(r, list)
	if err != nil {
		return err
	}
	s.Render(w, r, tmpl, &policiesView{Base: page.Base{Title: "Approval policies", Nav: nav}, Policies: views, Next: next})
	return nil
}

// blankStageRows is how many empty stage rows the policy form offers.
const blankStageRows = 2

func (s *Pages) approvalPolicyForm(w http.ResponseWriter, r *http.Request) error {
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	form := map[string]string{"active": "on", "priority": "100"}
	title := "New approval policy"
	if id != 0 {
		pol, err := s.Approval.FindPolicy(r.Context(), page.Principal(r), id)
		if err != nil {
			return err
		}
		title = "Edit " + pol.Name
		form = s.policyForm(r, pol)
	}
	return s.showApprovalPolicyForm(w, r, id, page.Base{Title: title, Form: form}, http.StatusOK)
}

// policyForm turns a policy into the form's fields.
func (s *Pages) policyForm(r *http.Request, pol approval.Policy) map[string]string {
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
					if e := page.EmailOf(r, s.Org, id); e != "" {
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

func (s *Pages) showApprovalPolicyForm(w http.ResponseWriter, r *http.Request, id int64, base page.Base, status int) error {
	p := page.Principal(r)
	depts, err := page.AllPages(func(c string) ([]org.Department, string, error) {
		return s.Org.ListDepartments(r.Context(), p, org.ListFilter{Cursor: c, Limit: 500})
	})
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	base.Nav = "admin"
	s.Render(w, r, "approval_policy_form.html", &policyFormView{Base: base, ID: id, Departments: depts, Rows: stageRows(base.Form),
		DataClasses: approval.DataClasses})
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
func (s *Pages) policyFromForm(r *http.Request, v *engage.Validation) (in approval.PolicyInput, rowOf []int, ruleField [][]string) {
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

func (s *Pages) saveApprovalPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	p := page.Principal(r)
	var v engage.Validation
	in, rowOf, ruleField := s.policyFromForm(r, &v)
	err = v.Err()
	var pol approval.Policy
	if err == nil && id == 0 {
		pol, err = s.Approval.CreatePolicy(r.Context(), p, in)
	} else if err == nil {
		pol, err = s.Approval.UpdatePolicy(r.Context(), p, id, page.FormVersion(r), in)
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
		base := page.Base{Title: title}
		base.Rejected(errs, r)
		return s.showApprovalPolicyForm(w, r, id, base, status)
	} else if err != nil {
		return err
	}
	s.Flash(w, fmt.Sprintf("Saved approval policy %s.", pol.Name))
	http.Redirect(w, r, "/admin/approval-policies", http.StatusSeeOther)
	return nil
}
