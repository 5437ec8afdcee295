package billingpages

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

// requireFinance refuses the billing pages to those who do not manage
// money, before anything is read; the billing service checks again.
func requireFinance(p *access.Principal) error {
	if !p.ManagesMoney() {
		return engage.Errorf(engage.EFORBIDDEN, "Billing is for finance and administrators.")
	}
	return nil
}

// billingView is finance's billing page for one month.
type billingView struct {
	page.Base
	Periods     []billing.Period
	Period      string
	Label       string
	State       string
	LastRunAt   *time.Time
	ClosedAt    *time.Time
	Statements  []billing.Statement
	Totals      []billing.CurrencyTotal
	Journal     *billing.JournalSummary
	Report      *billing.RunReport
	ReportKind  string
	Departments []org.Department
	Accounts    billing.JournalAccounts
	Current     string
	// CurrentBilled: the current month is in the list, with its Run button.
	CurrentBilled bool
}

func (s *Pages) billingPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderBilling(w, r, page.Base{}, nil, "")
}

// renderBilling shows the billing page for the period in the query (or
// the form's period), with a run report or form errors when given.
func (s *Pages) renderBilling(w http.ResponseWriter, r *http.Request, base page.Base, rep *billing.RunReport, kind string) error {
	ctx, p := r.Context(), page.Principal(r)
	if err := requireFinance(p); err != nil {
		return err
	}
	v := &billingView{Report: rep, ReportKind: kind, Accounts: billing.DefaultJournalAccounts, Current: billing.PeriodOf(s.Clock.Now())}
	var err error
	if v.Periods, err = s.Billing.Periods(ctx, p); err != nil {
		return err
	}
	if rep != nil {
		v.Period = rep.Period
	} else if pv := r.PathValue("period"); pv != "" {
		v.Period = pv
	} else if v.Period, err = s.choosePeriod(r, v.Periods); err != nil {
		return err
	}
	v.Label = billing.PeriodLabel(v.Period)
	for _, pr := range v.Periods {
		if pr.Period == v.Period {
			v.State, v.LastRunAt, v.ClosedAt = pr.State, pr.LastRunAt, pr.ClosedAt
		}
		v.CurrentBilled = v.CurrentBilled || pr.Period == v.Current
	}
	if v.State != "" {
		if v.Statements, err = s.Billing.Statements(ctx, p, billing.StatementFilter{Period: v.Period}); err != nil {
			return err
		}
		totals := map[string]decimal.Decimal{}
		var order []string
		for _, st := range v.Statements {
			if _, ok := totals[st.Currency]; !ok {
				order = append(order, st.Currency)
			}
			totals[st.Currency] = totals[st.Currency].Add(st.Total)
		}
		for _, c := range order {
			v.Totals = append(v.Totals, billing.CurrencyTotal{Currency: c, Amount: totals[c]})
		}
		j, err := s.Billing.JournalSummary(ctx, p, v.Period, billing.JournalAccounts{})
		if err != nil {
			return err
		}
		v.Journal = &j
	}
	depts, _, err := s.Org.ListDepartments(ctx, p, org.ListFilter{Limit: 500})
	if err != nil {
		return err
	}
	v.Departments = depts
	if base.Form == nil {
		base.Form = map[string]string{"currency": "EUR"}
	}
	base.Title, base.Nav = "Billing", "costs"
	v.Base = base
	s.Render(w, r, "billing.html", v)
	return nil
}

func (s *Pages) billingRun(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	if err := requireFinance(p); err != nil {
		return err
	}
	rep, err := s.Billing.Run(r.Context(), p, r.PathValue("period"))
	if engage.ErrorCode(err) == engage.ECONFLICT {
		w.WriteHeader(http.StatusConflict)
		return s.renderBilling(w, r, page.Base{Errors: []engage.FieldError{{Message: engage.ErrorMessage(err)}}}, nil, "")
	} else if err != nil {
		return err
	}
	return s.renderBilling(w, r, page.Base{Flash: fmt.Sprintf("Billing run for %s done: %d statements.", billing.PeriodLabel(rep.Period), rep.Statements)}, &rep, "run")
}

func (s *Pages) billingClose(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	if err := requireFinance(p); err != nil {
		return err
	}
	period := r.PathValue("period")
	if r.PostFormValue("confirm") != "yes" {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return s.renderBilling(w, r, page.Base{Errors: []engage.FieldError{{Field: "confirm",
			Message: "Tick “I understand a closed period never changes” to close " + billing.PeriodLabel(period) + "."}}}, nil, "")
	}
	rep, err := s.Billing.Close(r.Context(), p, period)
	if engage.ErrorCode(err) == engage.ECONFLICT {
		w.WriteHeader(http.StatusConflict)
		return s.renderBilling(w, r, page.Base{Errors: []engage.FieldError{{Message: engage.ErrorMessage(err)}}}, nil, "")
	} else if err != nil {
		return err
	}
	return s.renderBilling(w, r, page.Base{Flash: fmt.Sprintf("%s is closed: %d statements are final. Corrections are now adjustments.",
		billing.PeriodLabel(rep.Period), rep.Statements)}, &rep, "close")
}

func (s *Pages) billingAdjust(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	if err := requireFinance(p); err != nil {
		return err
	}
	dept, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("department_id")), 10, 64)
	in := billing.AdjustmentInput{DepartmentID: dept, Corrects: strings.TrimSpace(r.PostFormValue("corrects")),
		Currency: r.PostFormValue("currency"), Reason: r.PostFormValue("reason")}
	// An amount that is not a number goes to the service as zero, which it
	// refuses with the other fields' errors; the message is then ours.
	text := strings.NewReplacer(",", "", " ", "", "−", "-").Replace(strings.TrimSpace(r.PostFormValue("amount")))
	amount, perr := decimal.NewFromString(text)
	if perr == nil {
		in.Amount = amount
	}
	target, err := s.Billing.Adjust(r.Context(), p, in)
	fields := engage.ErrorFields(err)
	for i := range fields {
		switch {
		case fields[i].Field == "amount" && perr != nil && text != "":
			fields[i].Message = "Enter the amount as a number, such as -57.60 to refund or 120.00 to charge more."
		case fields[i].Field == "department_id" && dept == 0:
			fields[i].Message = "Choose the department the adjustment is for."
		}
	}
	if len(fields) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return s.renderBilling(w, r, page.Base{Errors: fields, Form: page.FormOf(r)}, nil, "")
	} else if err != nil {
		return err
	}
	s.Flash(w, fmt.Sprintf("Adjustment of %s recorded in %s. It appears on %s's statement at the next run of %s.",
		catalog.FormatMoney(in.Amount, strings.ToUpper(strings.TrimSpace(in.Currency))), billing.PeriodLabel(target), s.departmentName(r, in.DepartmentID), billing.PeriodLabel(target)))
	http.Redirect(w, r, "/billing?period="+url.QueryEscape(target), http.StatusSeeOther)
	return nil
}

// departmentName names a department for a message, or says "the
// department" when it cannot be read.
func (s *Pages) departmentName(r *http.Request, id int64) string {
	if d, err := s.Org.FindDepartment(r.Context(), page.Principal(r), id); err == nil {
		return d.Name
	}
	return "the department"
}

func (s *Pages) billingPeriodsCSV(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	if err := requireFinance(p); err != nil {
		return err
	}
	periods, err := s.Billing.Periods(r.Context(), p)
	if err != nil {
		return err
	}
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	cw := page.CSVFile(w, "billing-periods.csv")
	_ = cw.Write([]string{"period", "month", "state", "last_run_at", "closed_at"})
	for _, pr := range periods {
		_ = cw.Write([]string{pr.Period, pr.Label, pr.State, stamp(pr.LastRunAt), stamp(pr.ClosedAt)})
	}
	cw.Flush()
	return cw.Error()
}

// billingStatementsCSV lists a period's statement totals per department,
// with a total row per currency.
func (s *Pages) billingStatementsCSV(w http.ResponseWriter, r *http.Request) error {
	p := page.Principal(r)
	if err := requireFinance(p); err != nil {
		return err
	}
	period := r.URL.Query().Get("period")
	if _, err := billing.ParsePeriod(period); err != nil {
		return err
	}
	list, err := s.Billing.Statements(r.Context(), p, billing.StatementFilter{Period: period})
	if err != nil {
		return err
	}
	cw := page.CSVFile(w, "statements-"+period+".csv")
	_ = cw.Write([]string{"period", "department", "cost_centre", "mode", "state", "statement", "currency", "total"})
	totals := map[string]decimal.Decimal{}
	var order []string
	for _, st := range list {
		_ = cw.Write([]string{st.Period, st.DepartmentName, st.CostCentre, st.Mode, st.PeriodState, strconv.FormatInt(st.ID, 10), st.Currency,
			billing.PlainAmount(st.Total, st.Currency)})
		if _, ok := totals[st.Currency]; !ok {
			order = append(order, st.Currency)
		}
		totals[st.Currency] = totals[st.Currency].Add(st.Total)
	}
	for _, c := range order {
		_ = cw.Write([]string{period, "Total", "", "", "", "", c, billing.PlainAmount(totals[c], c)})
	}
	cw.Flush()
	return cw.Error()
}

func (s *Pages) billingJournal(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ex, err := s.Billing.Journal(r.Context(), page.Principal(r), r.PathValue("period"), billing.JournalAccounts{
		Expense: q.Get("expense_account"), ExpenseName: q.Get("expense_account_name"),
		Recovery: q.Get("recovery_account"), RecoveryName: q.Get("recovery_account_name"), RecoveryCostCentre: q.Get("recovery_cost_centre")})
	if err != nil {
		return err
	}
	return s.streamExport(w, r, ex)
}

func (s *Pages) billingFOCUS(w http.ResponseWriter, r *http.Request) error {
	ex, err := s.Billing.FOCUS(r.Context(), page.Principal(r), billing.FOCUSFilter{Period: r.PathValue("period"), DepartmentID: page.QueryInt(r, "department")})
	if err != nil {
		return err
	}
	return s.streamExport(w, r, ex)
}
