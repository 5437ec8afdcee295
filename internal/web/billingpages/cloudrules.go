package billingpages

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

// Cloud allocation rules: the list, the form, removal.

// describedRule is a rule put in words.
type describedRule struct {
	cloudbill.AllocationRule
	Match  string
	Action string
}

// ruleNames names departments and offerings in rules.
type ruleNames struct {
	departments map[int64]string
	offerings   map[int64]string
}

func (s *Pages) ruleNames(r *http.Request) (ruleNames, []org.Department, []cloudbill.OfferingChoice, error) {
	p, ctx := page.Principal(r), r.Context()
	offerings, err := s.CloudBill.OfferingChoices(ctx, p) // finance and administrators only
	if err != nil {
		return ruleNames{}, nil, nil, err
	}
	depts, _, err := s.Org.ListDepartments(ctx, p, org.ListFilter{Limit: 500})
	if err != nil {
		return ruleNames{}, nil, nil, err
	}
	n := ruleNames{departments: map[int64]string{}, offerings: map[int64]string{}}
	for _, d := range depts {
		n.departments[d.ID] = d.Name
	}
	for _, o := range offerings {
		n.offerings[o.ID] = o.ServiceName + " — " + o.Name
	}
	return n, depts, offerings, nil
}

func (n ruleNames) department(id int64) string {
	if name, ok := n.departments[id]; ok {
		return name
	}
	return fmt.Sprintf("department %d", id)
}

func (n ruleNames) describe(rule cloudbill.AllocationRule) describedRule {
	v := describedRule{AllocationRule: rule}
	m := rule.Match
	var parts []string
	if m.TagKey != "" {
		parts = append(parts, fmt.Sprintf("tag %s is %q", m.TagKey, m.TagValue))
	}
	if m.SubAccountID != "" {
		parts = append(parts, "sub-account "+m.SubAccountID)
	}
	if m.ServiceName != "" {
		parts = append(parts, "service "+m.ServiceName)
	}
	if m.ServiceCategory != "" {
		parts = append(parts, "category "+m.ServiceCategory)
	}
	if m.ResourceIDPrefix != "" {
		parts = append(parts, fmt.Sprintf("resource id starts with %q", m.ResourceIDPrefix))
	}
	v.Match = "Every charge"
	if len(parts) > 0 {
		v.Match = page.UpperFirst(strings.Join(parts, " and "))
	}
	switch rule.Action {
	case cloudbill.ActionAssign:
		v.Action = "All to " + n.department(rule.DepartmentID)
	case cloudbill.ActionSplit:
		var shares []string
		for _, sp := range rule.Splits {
			shares = append(shares, fmt.Sprintf("%s %s%%", n.department(sp.DepartmentID), sp.Percent.String()))
		}
		v.Action = "Split: " + strings.Join(shares, ", ")
	case cloudbill.ActionDriver:
		over := "every department"
		if len(rule.DepartmentIDs) > 0 {
			var names []string
			for _, id := range rule.DepartmentIDs {
				names = append(names, n.department(id))
			}
			over = strings.Join(names, ", ")
		}
		if rule.Driver == cloudbill.DriverSubscriptions {
			v.Action = fmt.Sprintf("By subscriptions to %s, over %s", n.offerings[rule.OfferingID], over)
		} else {
			v.Action = "By headcount, over " + over
		}
	}
	return v
}

// cloudRulesView is the list of allocation rules in the order they are
// tried.
type cloudRulesView struct {
	page.Base
	Rules   []describedRule
	Periods []cloudbill.ChargePeriod
}

func (s *Pages) cloudRules(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context()
	rules, err := s.CloudBill.ListRules(ctx, p) // finance and administrators only
	if err != nil {
		return err
	}
	names, _, _, err := s.ruleNames(r)
	if err != nil {
		return err
	}
	periods, err := s.CloudBill.ChargePeriods(ctx, p)
	if err != nil {
		return err
	}
	v := &cloudRulesView{Base: page.Base{Title: "Cloud allocation rules", Nav: "costs"}, Periods: periods}
	for _, rule := range rules {
		v.Rules = append(v.Rules, names.describe(rule))
	}
	s.Render(w, r, "cloud_rules.html", v)
	return nil
}

// cloudRuleForm shows a new rule (GET …/new) or an existing one to edit.
func (s *Pages) cloudRuleForm(w http.ResponseWriter, r *http.Request) error {
	form := map[string]string{"action": string(cloudbill.ActionAssign), "driver": string(cloudbill.DriverHeadcount)}
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	if id != 0 {
		rule, err := s.CloudBill.FindRule(r.Context(), page.Principal(r), id)
		if err != nil {
			return err
		}
		form = ruleForm(rule)
	}
	return s.showCloudRuleForm(w, r, id, form, nil, http.StatusOK)
}

// ruleForm puts a rule into the form's fields.
func ruleForm(rule cloudbill.AllocationRule) map[string]string {
	m := rule.Match
	form := map[string]string{"version": strconv.Itoa(rule.Version), "position": strconv.Itoa(rule.Position), "name": rule.Name,
		"tag_key": m.TagKey, "tag_value": m.TagValue, "sub_account_id": m.SubAccountID, "service_name": m.ServiceName,
		"service_category": m.ServiceCategory, "resource_id_prefix": m.ResourceIDPrefix, "action": string(rule.Action),
		"department_id": "", "driver": string(rule.Driver), "offering_id": ""}
	if form["driver"] == "" {
		form["driver"] = string(cloudbill.DriverHeadcount)
	}
	if rule.DepartmentID != 0 {
		form["department_id"] = strconv.FormatInt(rule.DepartmentID, 10)
	}
	if rule.OfferingID != 0 {
		form["offering_id"] = strconv.FormatInt(rule.OfferingID, 10)
	}
	for _, sp := range rule.Splits {
		form[fmt.Sprintf("pct-%d", sp.DepartmentID)] = sp.Percent.String()
	}
	for _, d := range rule.DepartmentIDs {
		form[fmt.Sprintf("over-%d", d)] = "on"
	}
	return form
}

// ruleFormView is the form of a new allocation rule or of one being
// edited.
type ruleFormView struct {
	page.Base
	ID          int64 // 0 for a new rule
	Departments []org.Department
	Offerings   []cloudbill.OfferingChoice
}

func (s *Pages) showCloudRuleForm(w http.ResponseWriter, r *http.Request, id int64, form map[string]string, errs []engage.FieldError, status int) error {
	_, depts, offerings, err := s.ruleNames(r)
	if err != nil {
		return err
	}
	title := "Add an allocation rule"
	if id != 0 {
		title = "Edit allocation rule " + form["name"]
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.Render(w, r, "cloud_rule_form.html", &ruleFormView{Base: page.Base{Title: title, Nav: "costs", Form: form, Errors: errs},
		ID: id, Departments: depts, Offerings: offerings})
	return nil
}

// cloudRuleInput reads the rule form. Departments given a percentage make
// a split; departments ticked limit a driver.
func (s *Pages) cloudRuleInput(r *http.Request, depts []org.Department) (cloudbill.AllocationRuleInput, []engage.FieldError) {
	var errs []engage.FieldError
	v := &engage.Validation{}
	f := r.PostFormValue
	in := cloudbill.AllocationRuleInput{Name: f("name"), Action: cloudbill.Action(f("action")),
		Match: cloudbill.RuleMatch{TagKey: f("tag_key"), TagValue: f("tag_value"), SubAccountID: f("sub_account_id"),
			ServiceName: f("service_name"), ServiceCategory: f("service_category"), ResourceIDPrefix: strings.TrimSpace(f("resource_id_prefix"))}}
	if pos := strings.TrimSpace(f("position")); pos != "" {
		n, err := strconv.Atoi(pos)
		if err != nil || n < 1 {
			errs = append(errs, engage.FieldError{Field: "position", Message: "Enter 1 or more for where the rule goes (1 is tried first), or leave it empty to put the rule last."})
		}
		in.Position = n
	}
	switch in.Action {
	case cloudbill.ActionAssign:
		in.DepartmentID = page.FormID(r, "department_id", v)
	case cloudbill.ActionSplit:
		for _, d := range depts {
			text := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f(fmt.Sprintf("pct-%d", d.ID))), "%"))
			if text == "" {
				continue
			}
			pc, err := decimal.NewFromString(text)
			if err != nil {
				errs = append(errs, engage.FieldError{Field: "splits", Message: fmt.Sprintf("%s: enter the percentage as a number, such as 40.", d.Name)})
				continue
			}
			in.Splits = append(in.Splits, cloudbill.SplitShare{DepartmentID: d.ID, Percent: pc})
		}
	case cloudbill.ActionDriver:
		in.Driver = cloudbill.Driver(f("driver"))
		if in.Driver == cloudbill.DriverSubscriptions {
			in.OfferingID = page.FormID(r, "offering_id", v)
		}
		for _, d := range depts {
			if f(fmt.Sprintf("over-%d", d.ID)) != "" {
				in.DepartmentIDs = append(in.DepartmentIDs, d.ID)
			}
		}
	}
	if err := v.Err(); err != nil {
		errs = append(errs, engage.ErrorFields(err)...)
	}
	return in, errs
}

// ruleFormField maps a service's field name to the form's.
func ruleFormField(field string) string {
	switch {
	case strings.HasPrefix(field, "match."):
		return strings.TrimPrefix(field, "match.")
	case strings.HasPrefix(field, "splits"):
		return "splits"
	case strings.HasPrefix(field, "department_ids"):
		return "over"
	}
	return field
}

func (s *Pages) saveCloudRule(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context()
	id, err := page.OptionalPathID(r, "id")
	if err != nil {
		return err
	}
	_, depts, _, err := s.ruleNames(r) // refuses those who may not change rules
	if err != nil {
		return err
	}
	in, errs := s.cloudRuleInput(r, depts)
	var rule cloudbill.AllocationRule
	if len(errs) == 0 {
		if id != 0 {
			version, _ := strconv.Atoi(r.PostFormValue("version"))
			rule, err = s.CloudBill.UpdateRule(ctx, p, id, version, in)
		} else {
			rule, err = s.CloudBill.CreateRule(ctx, p, in)
		}
	}
	switch engage.ErrorCode(err) {
	case "":
	case engage.EINVALID:
		for _, fe := range engage.ErrorFields(err) {
			errs = append(errs, engage.FieldError{Field: ruleFormField(fe.Field), Message: fe.Message})
		}
	case engage.ECONFLICT:
		// Someone saved first: keep what was typed and say what to do.
		return s.showCloudRuleForm(w, r, id, page.FormOf(r), []engage.FieldError{{Message: engage.ErrorMessage(err)}}, http.StatusConflict)
	default:
		return err
	}
	if len(errs) > 0 {
		return s.showCloudRuleForm(w, r, id, page.FormOf(r), errs, http.StatusUnprocessableEntity)
	}
	s.Flash(w, fmt.Sprintf("Saved allocation rule %s at position %d. It applies to charges imported from now on; reallocate a month to apply it to that month's charges.", rule.Name, rule.Position))
	http.Redirect(w, r, "/billing/cloud/rules", http.StatusSeeOther)
	return nil
}

// ruleDeleteView asks to confirm a rule's removal.
type ruleDeleteView struct {
	page.Base
	Rule describedRule
}

func (s *Pages) confirmDeleteCloudRule(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := s.CloudBill.FindRule(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	names, _, _, err := s.ruleNames(r)
	if err != nil {
		return err
	}
	s.Render(w, r, "cloud_rule_delete.html", &ruleDeleteView{Base: page.Base{Title: "Remove allocation rule " + rule.Name, Nav: "costs"},
		Rule: names.describe(rule)})
	return nil
}

func (s *Pages) deleteCloudRule(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	rule, err := s.CloudBill.FindRule(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	if err := s.CloudBill.DeleteRule(r.Context(), page.Principal(r), id, version); err != nil {
		return err
	}
	s.Flash(w, fmt.Sprintf("Removed allocation rule %s. Charges it allocated keep their allocation until their month is reallocated.", rule.Name))
	http.Redirect(w, r, "/billing/cloud/rules", http.StatusSeeOther)
	return nil
}
