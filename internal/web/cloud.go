package web

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/focus"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

// MaxCloudBill is the largest cloud bill a browser may upload.
const MaxCloudBill = cloudbill.MaxFileSize

// cloudRoutes are finance's cloud bills (imports, allocation rules,
// reallocation, unallocated spend) and the drill-down from a statement's
// cloud line to the charges behind it. The cloud-bill service checks every
// access: finance and administrators for all but the drill-down, which is
// for whoever may read the department.
func (s *Server) cloudRoutes() []Route {
	return []Route{
		{Pattern: "GET /billing/cloud", Handle: s.cloudPage},
		// The form's upload, without JavaScript; the multipart envelope
		// is allowed a little room beside the file.
		{Pattern: "POST /billing/cloud/imports", Handle: s.cloudImportForm, MaxBody: MaxCloudBill + 1<<20,
			MayUpload: s.CloudBill.MayImport, UploadTime: cloudbill.UploadTime},
		// The script's upload: the file is the body, streamed into the
		// import as it arrives, so upload progress is import progress.
		{Pattern: "POST /billing/cloud/upload", Handle: s.cloudImportStream, MaxBody: MaxCloudBill, HeaderCSRF: true,
			MayUpload: s.CloudBill.MayImport, UploadTime: cloudbill.UploadTime},
		{Pattern: "GET /billing/cloud/imports/{id}", Handle: s.cloudImportReport},
		{Pattern: "GET /billing/cloud/rules", Handle: s.cloudRules},
		{Pattern: "GET /billing/cloud/rules/new", Handle: s.cloudRuleForm},
		{Pattern: "POST /billing/cloud/rules", Handle: s.saveCloudRule},
		{Pattern: "GET /billing/cloud/rules/{id}/edit", Handle: s.cloudRuleForm},
		{Pattern: "POST /billing/cloud/rules/{id}", Handle: s.saveCloudRule},
		{Pattern: "GET /billing/cloud/rules/{id}/delete", Handle: s.confirmDeleteCloudRule},
		{Pattern: "POST /billing/cloud/rules/{id}/delete", Handle: s.deleteCloudRule},
		{Pattern: "POST /billing/cloud/periods/{period}/reallocate", Handle: s.reallocateCloud},
		{Pattern: "GET /billing/cloud/unallocated", Handle: s.cloudUnallocated},
		{Pattern: "GET /costs/cloud", Handle: s.cloudCharges},
	}
}

func init() {
	// cloudDrill is the query of the drill-down behind a statement's cloud
	// line, whose source is "cloud:<provider>:<service name>".
	funcs["cloudDrill"] = func(source string, department int64, period string) template.URL {
		rest, ok := strings.CutPrefix(source, "cloud:")
		if !ok {
			return ""
		}
		provider, service, _ := strings.Cut(rest, ":")
		q := url.Values{"period": {period}, "provider": {provider}, "service": {service}}
		if department != 0 {
			q.Set("department", strconv.FormatInt(department, 10))
		}
		return template.URL("/costs/cloud?" + q.Encode())
	}
	// csvOf is the drill-down's own address asking for the CSV file.
	funcs["csvOf"] = func(q url.Values) template.URL {
		v := url.Values{}
		for _, k := range []string{"department", "period", "provider", "service"} {
			if x := q.Get(k); x != "" {
				v.Set(k, x)
			}
		}
		v.Set("format", "csv")
		return template.URL("/costs/cloud?" + v.Encode())
	}
	funcs["cloudAmount"] = page.PerUnitMoney
}

// --- Imports ---

type cloudView struct {
	Imports []cloudbill.CloudImport
	Next    string
	Periods []cloudbill.ChargePeriod
	MaxSize string
}

func (s *Server) cloudPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCloud(w, r, Page{Form: map[string]string{"basis": string(cloudbill.BasisEffective)}}, http.StatusOK)
}

func (s *Server) renderCloud(w http.ResponseWriter, r *http.Request, pg Page, status int) error {
	p, ctx := principal(r), r.Context()
	imports, next, err := s.CloudBill.ListImports(ctx, p, r.URL.Query().Get("cursor"), 20) // finance and administrators only
	if err != nil {
		return err
	}
	periods, err := s.CloudBill.ChargePeriods(ctx, p)
	if err != nil {
		return err
	}
	pg.Title, pg.Nav = "Cloud bills", "costs"
	pg.Data = cloudView{Imports: imports, Next: next, Periods: periods, MaxSize: byteSize(MaxCloudBill)}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.renderPage(w, r, "cloud.html", pg)
	return nil
}

// cloudImportOptions reads the upload's options from a form or a query.
func cloudImportOptions(get func(string) string) cloudbill.ImportOptions {
	return cloudbill.ImportOptions{Basis: cloudbill.Basis(strings.TrimSpace(get("basis"))),
		SlashDates: focus.DateOrder(strings.ToUpper(strings.TrimSpace(get("dates")))), DefaultCurrency: get("currency"),
		AcceptPartial: get("accept_partial") == "yes"}
}

// importFieldErrors turns an import's refusal into messages beside the
// form's fields: the options by name, everything about the file on the file.
func importFieldErrors(err error) []engage.FieldError {
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		return []engage.FieldError{{Field: "file", Message: fmt.Sprintf(
			"The file is larger than Engage accepts (%s); nothing was imported. Split it into smaller files, such as one per month, or compress it with gzip.", byteSize(tooLarge.Limit))}}
	}
	if engage.ErrorCode(err) != engage.EINVALID {
		return nil
	}
	var out []engage.FieldError
	var file []string
	for _, f := range engage.ErrorFields(err) {
		switch f.Field {
		case "basis", "dates", "currency":
			out = append(out, f)
		default:
			file = append(file, upperFirst(f.Field)+": "+f.Message)
		}
	}
	if len(file) > 0 || len(out) == 0 {
		msg := engage.ErrorMessage(err)
		if len(file) > 0 {
			msg += " " + strings.Join(file, "; ") + "."
		}
		out = append([]engage.FieldError{{Field: "file", Message: msg}}, out...)
	}
	return out
}

func importedFlash(rep cloudbill.CloudImport) string {
	n := func(v int64) string { return formatQuantity(decimal.NewFromInt(v)) }
	return fmt.Sprintf("Imported %s: %s rows added, %s already there, %s rejected.", rep.FileName, n(rep.Added), n(rep.Duplicates), n(rep.Rejected))
}

// cloudImportForm imports the file of the upload form.
func (s *Server) cloudImportForm(w http.ResponseWriter, r *http.Request) error {
	p, ctx := principal(r), r.Context()
	if err := s.CloudBill.MayImport(p); err != nil {
		return err
	}
	pg := Page{Form: formOf(r)}
	file, header, err := r.FormFile("file")
	if err != nil {
		pg.Errors = []engage.FieldError{{Field: "file", Message: "Choose the FOCUS file to import: CSV, CSV compressed with gzip, or Parquet."}}
		return s.renderCloud(w, r, pg, http.StatusUnprocessableEntity)
	}
	defer file.Close()
	rep, err := s.CloudBill.Import(ctx, p, header.Filename, file, cloudImportOptions(r.PostFormValue))
	if errs := importFieldErrors(err); errs != nil {
		pg.Errors = errs
		return s.renderCloud(w, r, pg, http.StatusUnprocessableEntity)
	} else if err != nil {
		return err
	}
	s.flash(w, importedFlash(rep))
	http.Redirect(w, r, fmt.Sprintf("/billing/cloud/imports/%d", rep.ID), http.StatusSeeOther)
	return nil
}

// cloudImportStream imports the request body as it arrives and answers in
// JSON for the page's script: where the report is, or what was wrong.
func (s *Server) cloudImportStream(w http.ResponseWriter, r *http.Request) error {
	p, ctx := principal(r), r.Context()
	answer := func(status int, v any) error {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		return json.NewEncoder(w).Encode(v)
	}
	refuse := func(err error, errs []engage.FieldError) error {
		status := StatusOf(engage.ErrorCode(err))
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		if errs == nil {
			errs = []engage.FieldError{{Message: engage.ErrorMessage(err)}}
		}
		return answer(status, map[string]any{"errors": errs})
	}
	if err := s.CloudBill.MayImport(p); err != nil {
		return refuse(err, nil)
	}
	name := r.URL.Query().Get("name")
	body := bufio.NewReaderSize(r.Body, 64<<10)
	var src io.Reader = body
	// Parquet is read at random offsets, so it is received first.
	if magic, _ := body.Peek(4); focus.IsParquet(magic) {
		f, remove, err := focus.Spool(body)
		if err != nil {
			return refuse(err, importFieldErrors(err))
		}
		defer remove()
		src = f
	}
	rep, err := s.CloudBill.Import(ctx, p, name, src, cloudImportOptions(r.URL.Query().Get))
	if err == nil {
		s.flash(w, importedFlash(rep))
		return answer(http.StatusCreated, map[string]any{"id": rep.ID, "report": fmt.Sprintf("/billing/cloud/imports/%d", rep.ID)})
	}
	errs := importFieldErrors(err)
	if errs == nil && engage.ErrorCode(err) == engage.EINTERNAL {
		s.Logger.Error("cloud bill upload failed", "err", err)
	}
	return refuse(err, errs)
}

func (s *Server) cloudImportReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rep, err := s.CloudBill.FindImport(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	s.render(w, r, "cloud_import.html", "Cloud bill import "+rep.FileName, "costs", rep)
	return nil
}

// --- Allocation rules ---

// ruleView is a rule put in words.
type ruleView struct {
	cloudbill.AllocationRule
	Match  string
	Action string
}

// ruleNames names departments and offerings in rules.
type ruleNames struct {
	departments map[int64]string
	offerings   map[int64]string
}

func (s *Server) ruleNames(r *http.Request) (ruleNames, []org.Department, []cloudbill.OfferingChoice, error) {
	p, ctx := principal(r), r.Context()
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

func (n ruleNames) describe(rule cloudbill.AllocationRule) ruleView {
	v := ruleView{AllocationRule: rule}
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
		v.Match = upperFirst(strings.Join(parts, " and "))
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

type cloudRulesView struct {
	Rules   []ruleView
	Periods []cloudbill.ChargePeriod
}

func (s *Server) cloudRules(w http.ResponseWriter, r *http.Request) error {
	p, ctx := principal(r), r.Context()
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
	v := cloudRulesView{Periods: periods}
	for _, rule := range rules {
		v.Rules = append(v.Rules, names.describe(rule))
	}
	s.render(w, r, "cloud_rules.html", "Cloud allocation rules", "costs", v)
	return nil
}

// cloudRuleForm shows a new rule (GET …/new) or an existing one to edit.
func (s *Server) cloudRuleForm(w http.ResponseWriter, r *http.Request) error {
	form := map[string]string{"action": string(cloudbill.ActionAssign), "driver": string(cloudbill.DriverHeadcount)}
	id, err := optionalPathID(r, "id")
	if err != nil {
		return err
	}
	if id != 0 {
		rule, err := s.CloudBill.FindRule(r.Context(), principal(r), id)
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

func (s *Server) showCloudRuleForm(w http.ResponseWriter, r *http.Request, id int64, form map[string]string, errs []engage.FieldError, status int) error {
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
	s.renderPage(w, r, "cloud_rule_form.html", Page{Title: title, Nav: "costs", Form: form, Errors: errs,
		Data: map[string]any{"ID": id, "Departments": depts, "Offerings": offerings}})
	return nil
}

// cloudRuleInput reads the rule form. Departments given a percentage make
// a split; departments ticked limit a driver.
func (s *Server) cloudRuleInput(r *http.Request, depts []org.Department) (cloudbill.AllocationRuleInput, []engage.FieldError) {
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
		in.DepartmentID = formID(r, "department_id", v)
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
			in.OfferingID = formID(r, "offering_id", v)
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

func (s *Server) saveCloudRule(w http.ResponseWriter, r *http.Request) error {
	p, ctx := principal(r), r.Context()
	id, err := optionalPathID(r, "id")
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
		return s.showCloudRuleForm(w, r, id, formOf(r), []engage.FieldError{{Message: engage.ErrorMessage(err)}}, http.StatusConflict)
	default:
		return err
	}
	if len(errs) > 0 {
		return s.showCloudRuleForm(w, r, id, formOf(r), errs, http.StatusUnprocessableEntity)
	}
	s.flash(w, fmt.Sprintf("Saved allocation rule %s at position %d. It applies to charges imported from now on; reallocate a month to apply it to that month's charges.", rule.Name, rule.Position))
	http.Redirect(w, r, "/billing/cloud/rules", http.StatusSeeOther)
	return nil
}

func (s *Server) confirmDeleteCloudRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := s.CloudBill.FindRule(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	names, _, _, err := s.ruleNames(r)
	if err != nil {
		return err
	}
	s.render(w, r, "cloud_rule_delete.html", "Remove allocation rule "+rule.Name, "costs", names.describe(rule))
	return nil
}

func (s *Server) deleteCloudRule(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	rule, err := s.CloudBill.FindRule(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	if err := s.CloudBill.DeleteRule(r.Context(), principal(r), id, version); err != nil {
		return err
	}
	s.flash(w, fmt.Sprintf("Removed allocation rule %s. Charges it allocated keep their allocation until their month is reallocated.", rule.Name))
	http.Redirect(w, r, "/billing/cloud/rules", http.StatusSeeOther)
	return nil
}

// --- Reallocation and unallocated spend ---

// moved is how much one department's cloud allocation changed in one
// currency when a period was reallocated.
type moved struct {
	Department    string
	Currency      string
	Before, After decimal.Decimal
	Change        decimal.Decimal
}

type unallocatedView struct {
	Period      string
	Label       string
	Periods     []cloudbill.ChargePeriod
	Closed      bool
	Items       []cloudbill.UnallocatedTotal
	Totals      []billing.CurrencyTotal
	Reallocated *cloudbill.ReallocationReport
	Moved       []moved
}

func (s *Server) cloudUnallocated(w http.ResponseWriter, r *http.Request) error {
	return s.renderUnallocated(w, r, r.URL.Query().Get("period"), nil, nil)
}

func (s *Server) renderUnallocated(w http.ResponseWriter, r *http.Request, period string, rep *cloudbill.ReallocationReport, mv []moved) error {
	p, ctx := principal(r), r.Context()
	periods, err := s.CloudBill.ChargePeriods(ctx, p) // finance and administrators only
	if err != nil {
		return err
	}
	if period == "" {
		period = billing.PeriodOf(s.Clock.Now())
		if len(periods) > 0 {
			period = periods[0].Period
		}
	}
	items, err := s.CloudBill.Unallocated(ctx, p, period)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "csv" && rep == nil {
		cw := startCSV(w, "cloud-unallocated-"+period+".csv")
		_ = cw.Write([]string{"period", "provider", "service_name", "currency", "charges", "amount"})
		for _, it := range items {
			_ = cw.Write([]string{period, it.Provider, it.ServiceName, it.Currency, strconv.Itoa(it.Rows), it.Amount.String()})
		}
		cw.Flush()
		return cw.Error()
	}
	v := unallocatedView{Period: period, Label: billing.PeriodLabel(period), Periods: periods, Items: items, Reallocated: rep, Moved: mv}
	for _, pr := range periods {
		v.Closed = v.Closed || (pr.Period == period && pr.Closed)
	}
	totals := map[string]decimal.Decimal{}
	for _, it := range items {
		totals[it.Currency] = totals[it.Currency].Add(it.Amount)
	}
	for c, a := range totals {
		v.Totals = append(v.Totals, billing.CurrencyTotal{Currency: c, Amount: a})
	}
	slices.SortFunc(v.Totals, func(a, b billing.CurrencyTotal) int { return strings.Compare(a.Currency, b.Currency) })
	s.render(w, r, "cloud_unallocated.html", "Unallocated cloud spend — "+v.Label, "costs", v)
	return nil
}

// reallocateCloud re-runs the rules over a period and shows what moved
// between departments.
func (s *Server) reallocateCloud(w http.ResponseWriter, r *http.Request) error {
	p, ctx := principal(r), r.Context()
	period := r.PathValue("period")
	if _, err := s.CloudBill.Unallocated(ctx, p, period); err != nil { // finance only; checks the period
		return err
	}
	before, err := s.CloudBill.AllocatedTotals(ctx, s.CloudBill.DB, period)
	if err != nil {
		return err
	}
	rep, err := s.CloudBill.Reallocate(ctx, p, period)
	if err != nil {
		return err
	}
	after, err := s.CloudBill.AllocatedTotals(ctx, s.CloudBill.DB, period)
	if err != nil {
		return err
	}
	names, _, _, err := s.ruleNames(r)
	if err != nil {
		return err
	}
	return s.renderUnallocated(w, r, period, &rep, movedBetween(before, after, names))
}

// movedBetween adds up two allocations per department and currency and
// lists those that changed.
func movedBetween(before, after []cloudbill.AllocatedTotal, names ruleNames) []moved {
	type key struct {
		dept     int64
		currency string
	}
	sums := map[key]*moved{}
	add := func(list []cloudbill.AllocatedTotal, after bool) {
		for _, t := range list {
			k := key{t.DepartmentID, t.Currency}
			m := sums[k]
			if m == nil {
				m = &moved{Department: names.department(t.DepartmentID), Currency: t.Currency}
				sums[k] = m
			}
			if after {
				m.After = m.After.Add(t.Amount)
			} else {
				m.Before = m.Before.Add(t.Amount)
			}
		}
	}
	add(before, false)
	add(after, true)
	var out []moved
	for _, m := range sums {
		if m.Change = m.After.Sub(m.Before); !m.Change.IsZero() {
			out = append(out, *m)
		}
	}
	slices.SortFunc(out, func(a, b moved) int {
		if c := strings.Compare(a.Department, b.Department); c != 0 {
			return c
		}
		return strings.Compare(a.Currency, b.Currency)
	})
	return out
}

// --- The charges behind a statement line ---

type chargeRow struct {
	cloudbill.CloudCharge
	Rule  string
	Cost  decimal.Decimal // the cost that was allocated, on the import's basis
	Share string          // the department's share of it, in percent
	Tags  []string
}

// chargeGroup is one resource's charges on a page of the drill-down, with
// what they share said once.
type chargeGroup struct {
	ResourceID   string
	ResourceName string
	Service      string // when the page is not for one service
	SubAccount   string
	Tags         []string // when every charge of the resource has the same
	Rows         []chargeRow
	Subtotal     []billing.CurrencyTotal
}

// groupCharges gathers a page's charges by resource, in the order the
// resources first appear; a service filter leaves the service unsaid.
func groupCharges(rows []chargeRow, oneService bool) []chargeGroup {
	var groups []chargeGroup
	index := map[string]int{}
	for _, row := range rows {
		key := row.ServiceName + "\x00" + row.ResourceID
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			g := chargeGroup{ResourceID: row.ResourceID, ResourceName: row.ResourceName, Tags: row.Tags,
				SubAccount: strings.TrimSpace(row.SubAccountName + " " + row.SubAccountID)}
			if !oneService {
				g.Service = row.ServiceName
			}
			groups = append(groups, g)
		}
		g := &groups[i]
		if !slices.Equal(g.Tags, row.Tags) {
			g.Tags = nil
		}
		g.Rows = append(g.Rows, row)
	}
	for i := range groups {
		groups[i].Subtotal = currencyTotals(groups[i].Rows)
	}
	return groups
}

// currencyTotals adds up charges' amounts, one total per currency.
func currencyTotals(rows []chargeRow) []billing.CurrencyTotal {
	totals := map[string]decimal.Decimal{}
	for _, row := range rows {
		totals[row.Currency] = totals[row.Currency].Add(row.Amount)
	}
	out := make([]billing.CurrencyTotal, 0, len(totals))
	for c, a := range totals {
		out = append(out, billing.CurrencyTotal{Currency: c, Amount: a})
	}
	slices.SortFunc(out, func(a, b billing.CurrencyTotal) int { return strings.Compare(a.Currency, b.Currency) })
	return out
}

// chargesPage is how many charges a page of the drill-down shows.
const chargesPage = 50

type chargesView struct {
	Department  *org.Department // nil for the unallocated bucket
	Period      string
	Label       string
	Provider    string
	Service     string
	Rows        []chargeRow
	Groups      []chargeGroup
	Total       []billing.CurrencyTotal
	Next        string
	First       bool
	FinanceView bool
}

// cloudCharges lists the FOCUS rows behind a department's cloud line, or
// behind the unallocated bucket when no department is given; with
// format=csv, every one of them as a file.
func (s *Server) cloudCharges(w http.ResponseWriter, r *http.Request) error {
	p, ctx, q := principal(r), r.Context(), r.URL.Query()
	period := strings.TrimSpace(q.Get("period"))
	if _, err := billing.ParsePeriod(period); err != nil {
		return err
	}
	f := cloudbill.ChargeFilter{Period: period, DepartmentID: queryInt(r, "department"), Provider: q.Get("provider"),
		ServiceName: q.Get("service"), Cursor: q.Get("cursor"), Limit: chargesPage}
	if q.Get("format") == "csv" {
		return s.cloudChargesCSV(w, r, f)
	}
	rows, next, err := s.chargeRows(r, f) // the department's readers, or finance
	if err != nil {
		return err
	}
	v := chargesView{Period: period, Label: billing.PeriodLabel(period), Provider: f.Provider, Service: f.ServiceName,
		Rows: rows, Groups: groupCharges(rows, f.ServiceName != ""), Total: currencyTotals(rows), Next: next, First: f.Cursor == "", FinanceView: p.ManagesMoney()}
	if f.DepartmentID != 0 {
		d, err := s.Org.FindDepartment(ctx, p, f.DepartmentID)
		if err != nil {
			return err
		}
		v.Department = &d
	}
	title := "Unallocated cloud charges"
	if v.Department != nil {
		title = v.Department.Name + ": cloud charges"
	}
	if v.Service != "" {
		title += " — " + v.Service
	}
	s.render(w, r, "cloud_charges.html", title+" — "+v.Label, "costs", v)
	return nil
}

// chargeRows reads one page of charges with the rule and share of each.
func (s *Server) chargeRows(r *http.Request, f cloudbill.ChargeFilter) ([]chargeRow, string, error) {
	p, ctx := principal(r), r.Context()
	charges, next, err := s.CloudBill.Charges(ctx, p, f)
	if err != nil {
		return nil, "", err
	}
	details, err := s.CloudBill.Details(ctx, p, charges)
	if err != nil {
		return nil, "", err
	}
	rows := make([]chargeRow, 0, len(charges))
	for _, c := range charges {
		row := chargeRow{CloudCharge: c, Rule: details.RuleNames[c.RuleID], Cost: c.EffectiveCost}
		if details.Bases[c.ImportID] == cloudbill.BasisBilled {
			row.Cost = c.BilledCost
		}
		if !row.Cost.IsZero() {
			row.Share = c.Amount.Div(row.Cost).Mul(decimal.NewFromInt(100)).Round(2).String() + "%"
		}
		for k, val := range c.Tags {
			row.Tags = append(row.Tags, k+"="+val)
		}
		slices.Sort(row.Tags)
		rows = append(rows, row)
	}
	return rows, next, nil
}

// cloudChargesCSV writes every charge behind the line, page after page,
// with exact amounts.
func (s *Server) cloudChargesCSV(w http.ResponseWriter, r *http.Request, f cloudbill.ChargeFilter) error {
	f.Cursor, f.Limit = "", 500
	rows, next, err := s.chargeRows(r, f) // refused before anything is written
	if err != nil {
		return err
	}
	who := "unallocated"
	if f.DepartmentID != 0 {
		who = "department-" + strconv.FormatInt(f.DepartmentID, 10)
	}
	cw := startCSV(w, fmt.Sprintf("cloud-charges-%s-%s.csv", who, f.Period))
	_ = cw.Write([]string{"period", "provider", "service_name", "service_category", "resource_id", "resource_name", "sub_account_id",
		"sub_account_name", "charge_period_start", "charge_period_end", "tags", "billed_cost", "effective_cost", "currency", "rule", "share", "amount"})
	for {
		for _, c := range rows {
			_ = cw.Write([]string{c.Period, c.Provider, c.ServiceName, c.ServiceCategory, c.ResourceID, c.ResourceName, c.SubAccountID,
				c.SubAccountName, c.ChargePeriodStart.Format(time.RFC3339), c.ChargePeriodEnd.Format(time.RFC3339), strings.Join(c.Tags, "; "),
				c.BilledCost.String(), c.EffectiveCost.String(), c.Currency, c.Rule, c.Share, c.Amount.String()})
		}
		if next == "" {
			break
		}
		f.Cursor = next
		if rows, next, err = s.chargeRows(r, f); err != nil {
			// The status has gone: the file ends short, and the log says why.
			s.Logger.Error("cloud charges export failed while streaming", "err", err)
			break
		}
	}
	cw.Flush()
	return cw.Error()
}
