package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
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
	"github.com/engagehq/engage/internal/rating"
)

// costRoutes are "Your department's costs" for budget holders and those
// who may read a department's statements, and the billing pages for
// finance. The billing service checks every access again.
func (s *Server) costRoutes() []Route {
	return []Route{
		{Pattern: "GET /costs", Handle: s.costs},
		{Pattern: "GET /costs/trend.csv", Handle: s.costsTrendCSV},
		{Pattern: "GET /costs/usage", Handle: s.costsUsage},
		{Pattern: "GET /costs/statements/{id}/csv", Handle: s.statementCSV},
		{Pattern: "GET /billing", Handle: s.billingPage},
		{Pattern: "GET /billing/periods.csv", Handle: s.billingPeriodsCSV},
		{Pattern: "GET /billing/statements.csv", Handle: s.billingStatementsCSV},
		{Pattern: "POST /billing/periods/{period}/run", Handle: s.billingRun},
		{Pattern: "POST /billing/periods/{period}/close", Handle: s.billingClose},
		{Pattern: "POST /billing/adjustments", Handle: s.billingAdjust},
		{Pattern: "GET /billing/periods/{period}/journal.csv", Handle: s.billingJournal},
		{Pattern: "GET /billing/periods/{period}/focus.csv", Handle: s.billingFOCUS},
	}
}

func init() {
	funcs["periodLabel"] = billing.PeriodLabel
	funcs["plainAmount"] = billing.PlainAmount
	funcs["unitPrice"] = func(l billing.Line, currency string) string {
		p, ok := l.UnitPrice()
		if !ok {
			return ""
		}
		return formatUnitPrice(p, currency)
	}
	funcs["quantity"] = formatQuantity
	funcs["unitWords"] = unitWords
	funcs["roundingRule"] = roundingRule
	// lineLabel drops the service's name from a line shown under it.
	funcs["lineLabel"] = func(desc, service string) string {
		if rest, ok := strings.CutPrefix(desc, service+" — "); ok && service != "" {
			return rest
		}
		return desc
	}
}

// formatUnitPrice shows a unit price with as many decimals as it needs, up
// to four: €4.50, €0.015.
func formatUnitPrice(d decimal.Decimal, currency string) string {
	places := rating.MinorUnits(currency)
	if d.Round(places).Equal(d.Round(4)) {
		return catalog.FormatMoney(d, currency)
	}
	zero := catalog.FormatMoney(decimal.Zero, currency)
	sym := strings.TrimRight(zero, "0.,")
	s := d.Round(4).String()
	if strings.HasPrefix(s, "-") {
		return "−" + sym + strings.TrimPrefix(s, "-")
	}
	return sym + s
}

// formatQuantity writes a quantity with thousands separators.
func formatQuantity(d decimal.Decimal) string {
	s := d.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "−" + out
	}
	return out
}

var unitNames = map[string]string{"person-month": "people", "unit-month": "units", "unit-hour": "hours", "request": "requests",
	"unit": "units", "fixed-month": "", "one-time": "units", "charges": "charges"}

func unitWords(unit string) string { return unitNames[unit] }

// roundingRule states how statement amounts are rounded, in the
// currency's terms.
func roundingRule(currency string) string {
	switch rating.MinorUnits(currency) {
	case 2:
		return "Each line is rounded to the cent, half away from zero; the total is the sum of the rounded lines."
	case 0:
		return "Each line is rounded to a whole " + currency + ", half away from zero; the total is the sum of the rounded lines."
	default:
		return "Each line is rounded to the currency's smallest unit, half away from zero; the total is the sum of the rounded lines."
	}
}

// --- Your department's costs ---

type statementView struct {
	billing.Statement
	Groups []billing.LineGroup
	Own    bool // the reader's own department
}

type costsView struct {
	Allowed     bool
	Own         *org.Department // the reader's department, for the explanation
	Department  org.Department
	Departments []org.Department
	Periods     []billing.Period
	Period      string
	Label       string
	State       string
	Statements  []statementView
	Trend       billing.Trend
	Charts      []*columnChart
	Breakdown   billing.Breakdown
	Shares      []shareBar
	Now         time.Time
}

// readableDepartments are the departments whose statements p may read.
func (s *Server) readableDepartments(ctx context.Context, p *access.Principal) ([]org.Department, error) {
	all, _, err := s.Org.ListDepartments(ctx, p, org.ListFilter{Limit: 500})
	if err != nil {
		return nil, err
	}
	var out []org.Department
	for _, d := range all {
		if billing.CanReadStatements(p, d.ID) {
			out = append(out, d)
		}
	}
	return out, nil
}

// chooseDepartment picks the department asked for, else the reader's own,
// else the first they may read.
func chooseDepartment(r *http.Request, p *access.Principal, list []org.Department) (org.Department, error) {
	want := queryInt(r, "department")
	if want == 0 {
		want = p.DepartmentID
	}
	for _, d := range list {
		if d.ID == want {
			return d, nil
		}
	}
	if queryInt(r, "department") != 0 {
		return org.Department{}, engage.Errorf(engage.EFORBIDDEN, "You cannot see that department's costs: they are for its budget holders, its BRM, finance and administrators.")
	}
	if len(list) == 0 {
		return org.Department{}, engage.Errorf(engage.EFORBIDDEN, "There is no department whose costs you may see.")
	}
	return list[0], nil
}

// choosePeriod picks the month asked for, else the current month when it
// has been billed, else the latest billed month.
func (s *Server) choosePeriod(r *http.Request, periods []billing.Period) (string, error) {
	if v := strings.TrimSpace(r.URL.Query().Get("period")); v != "" {
		if _, err := billing.ParsePeriod(v); err != nil {
			return "", err
		}
		return v, nil
	}
	now := billing.PeriodOf(s.Clock.Now())
	for _, pr := range periods {
		if pr.Period == now {
			return now, nil
		}
	}
	if len(periods) > 0 {
		return periods[0].Period, nil
	}
	return now, nil
}

func (s *Server) costs(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	v := costsView{Allowed: billing.ReadsStatements(p), Now: s.Clock.Now()}
	if p.DepartmentID != 0 {
		if d, err := s.Org.FindDepartment(ctx, p, p.DepartmentID); err == nil {
			v.Own = &d
		}
	}
	if !v.Allowed {
		// No numbers: say who can see them instead.
		s.render(w, r, "costs.html", "Your department's costs", "costs", v)
		return nil
	}
	depts, err := s.readableDepartments(ctx, p)
	if err != nil {
		return err
	}
	if v.Department, err = chooseDepartment(r, p, depts); err != nil {
		return err
	}
	v.Departments = depts
	if v.Periods, err = s.Billing.Periods(ctx, p); err != nil {
		return err
	}
	if v.Period, err = s.choosePeriod(r, v.Periods); err != nil {
		return err
	}
	v.Label = billing.PeriodLabel(v.Period)
	for _, pr := range v.Periods {
		if pr.Period == v.Period {
			v.State = pr.State
		}
	}
	list, err := s.Billing.Statements(ctx, p, billing.StatementFilter{Period: v.Period, DepartmentID: v.Department.ID})
	if err != nil {
		return err
	}
	for _, st := range list {
		full, err := s.Billing.Statement(ctx, p, st.ID)
		if err != nil {
			return err
		}
		groups, err := s.Billing.GroupLines(ctx, full)
		if err != nil {
			return err
		}
		v.Statements = append(v.Statements, statementView{Statement: full, Groups: groups, Own: full.DepartmentID == p.DepartmentID})
	}
	if v.Trend, err = s.Billing.Trend(ctx, p, v.Department.ID, v.Period, billing.TrendMonths); err != nil {
		return err
	}
	for _, c := range v.Trend.Currencies {
		v.Charts = append(v.Charts, trendChart(v.Trend, c, v.Period))
	}
	if v.Breakdown, err = s.Billing.Breakdown(ctx, p, v.Department.ID, v.Period); err != nil {
		return err
	}
	for _, sh := range v.Breakdown.Shares {
		v.Shares = append(v.Shares, newShareBar(sh))
	}
	title := v.Department.Name + " — costs for " + v.Label
	if v.Department.ID == p.DepartmentID {
		title = "Your department's costs for " + v.Label
	}
	s.render(w, r, "costs.html", title, "costs", v)
	return nil
}

// columnChart is a vertical bar chart drawn as SVG on the server.
type columnChart struct {
	Title    string
	Currency string
	Max      string
	Columns  []column
}

type column struct {
	Month, Year, Value string
	X, Y, W, H, TextX  float64
	Current            bool
}

const (
	chartWidth  = 640.0
	chartTop    = 24.0
	chartBottom = 200.0 // the baseline
)

// trendChart draws a department's monthly totals in one currency.
func trendChart(tr billing.Trend, currency, current string) *columnChart {
	ch := &columnChart{Title: "Total per month in " + currency, Currency: currency}
	max := 0.0
	for _, m := range tr.Months {
		max = math.Max(max, m.Total(currency).InexactFloat64())
	}
	ch.Max = catalog.FormatMoney(decimal.NewFromFloat(max), currency)
	n := float64(len(tr.Months))
	slot := chartWidth / n
	for i, m := range tr.Months {
		total := m.Total(currency)
		h := 0.0
		if max > 0 && total.IsPositive() {
			h = (chartBottom - chartTop) * total.InexactFloat64() / max // drawing only: the table has the exact figures
		}
		t, _ := time.Parse("2006-01", m.Period)
		x := float64(i)*slot + slot*0.15
		ch.Columns = append(ch.Columns, column{Month: t.Format("Jan"), Year: t.Format("2006"), Value: m.Label + ": " + catalog.FormatMoney(total, currency),
			X: x, W: slot * 0.7, Y: chartBottom - h, H: h, TextX: x + slot*0.35, Current: m.Period == current})
	}
	return ch
}

// shareBar is the cloud-versus-legacy split drawn as one stacked bar.
type shareBar struct {
	billing.DeliveryShare
	CloudPct, LegacyPct int
	CloudW, LegacyW     float64
}

func newShareBar(sh billing.DeliveryShare) shareBar {
	b := shareBar{DeliveryShare: sh, CloudPct: sh.Percent("cloud"), LegacyPct: sh.Percent("legacy")}
	if b.CloudPct >= 0 {
		b.CloudW = math.Max(0, math.Min(600, 600*float64(b.CloudPct)/100))
		b.LegacyW = 600 - b.CloudW
	}
	return b
}

func (s *Server) costsTrendCSV(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	dept := queryInt(r, "department")
	if dept == 0 {
		dept = p.DepartmentID
	}
	through := r.URL.Query().Get("period")
	tr, err := s.Billing.Trend(ctx, p, dept, through, billing.TrendMonths)
	if err != nil {
		return err
	}
	d, err := s.Org.FindDepartment(ctx, p, dept)
	if err != nil {
		return err
	}
	cw := startCSV(w, fmt.Sprintf("costs-%s-by-month.csv", d.Code))
	_ = cw.Write([]string{"department", "cost_centre", "period", "month", "state", "currency", "total"})
	for _, m := range tr.Months {
		for _, c := range tr.Currencies {
			_ = cw.Write([]string{d.Name, d.Code, m.Period, m.Label, m.State, c, billing.PlainAmount(m.Total(c), c)})
		}
	}
	cw.Flush()
	return cw.Error()
}

func startCSV(w http.ResponseWriter, filename string) *csv.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	return csv.NewWriter(w)
}

// streamExport sends a prepared export; a failure half-way can only be
// logged, the status having gone.
func (s *Server) streamExport(w http.ResponseWriter, r *http.Request, ex *billing.Export) error {
	w.Header().Set("Content-Type", ex.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, ex.Filename))
	if err := ex.Stream(r.Context(), w); err != nil {
		s.Logger.Error("export failed while streaming", "file", ex.Filename, "err", err)
	}
	return nil
}

func (s *Server) statementCSV(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ex, err := s.Billing.StatementCSV(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return s.streamExport(w, r, ex)
}

type usageView struct {
	Department   org.Department
	Period       string
	Label        string
	OfferingID   int64
	OfferingName string
	ServiceName  string
	Unit         string
	Records      []billing.UsageRecord
	Total        decimal.Decimal
	Limit        int
	// Late is the adjustment charging the records, when they came late.
	Late   *billing.LateAdjustment
	LateIn string
}

// costsUsage lists the usage records behind a usage line.
func (s *Server) costsUsage(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	dept := queryInt(r, "department")
	if dept == 0 {
		dept = p.DepartmentID
	}
	period := r.URL.Query().Get("period")
	if period == "" {
		period = billing.PeriodOf(s.Clock.Now())
	}
	if _, err := billing.ParsePeriod(period); err != nil {
		return err
	}
	offering := queryInt(r, "offering")
	const limit = 5000
	var late *billing.LateAdjustment
	var recs []billing.UsageRecord
	var err error
	if id := queryInt(r, "adjustment"); id != 0 {
		// The late records an adjustment charges.
		var adj billing.LateAdjustment
		if adj, recs, err = s.Billing.LateUsage(ctx, p, id, limit); err != nil {
			return err
		}
		late, dept, period, offering = &adj, adj.DepartmentID, adj.Corrects, adj.OfferingID
	} else if recs, err = s.Billing.Usage(ctx, p, period, dept, offering, limit); err != nil {
		return err
	}
	d, err := s.Org.FindDepartment(ctx, p, dept)
	if err != nil {
		return err
	}
	v := usageView{Department: d, Period: period, Label: billing.PeriodLabel(period), OfferingID: offering, Records: recs, Limit: limit, Late: late}
	if late != nil {
		v.LateIn = billing.PeriodLabel(late.Period)
	}
	if offering != 0 {
		if o, svc, err := s.Catalog.FindOffering(ctx, p, offering); err == nil {
			v.OfferingName, v.ServiceName = o.Name, svc.Name
		}
	}
	for _, u := range recs {
		v.Total = v.Total.Add(u.Quantity)
		v.Unit = u.Unit
	}
	if r.URL.Query().Get("format") == "csv" {
		cw := startCSV(w, fmt.Sprintf("usage-%s-%s-%d.csv", d.Code, period, offering))
		_ = cw.Write([]string{"department", "period", "offering", "time", "quantity", "unit", "source", "subscription", "key"})
		for _, u := range recs {
			sub := ""
			if u.SubscriptionID != 0 {
				sub = strconv.FormatInt(u.SubscriptionID, 10)
			}
			_ = cw.Write([]string{d.Code, period, v.OfferingName, u.Time.Format(time.RFC3339), u.Quantity.String(), u.Unit, u.Source, sub, u.IdempotencyKey})
		}
		cw.Flush()
		return cw.Error()
	}
	title := "Usage"
	if v.OfferingName != "" {
		title = "Usage of " + v.OfferingName
	}
	s.render(w, r, "costs_usage.html", title+" — "+v.Label, "costs", v)
	return nil
}

// --- Billing, for finance ---

func requireFinance(p *access.Principal) error {
	if !p.HasAny(access.Finance, access.Admin) {
		return engage.Errorf(engage.EFORBIDDEN, "Billing is for finance and administrators.")
	}
	return nil
}

type billingView struct {
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

func (s *Server) billingPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderBilling(w, r, Page{}, nil, "")
}

// renderBilling shows the billing page for the period in the query (or
// the form's period), with a run report or form errors when given.
func (s *Server) renderBilling(w http.ResponseWriter, r *http.Request, pg Page, rep *billing.RunReport, kind string) error {
	ctx, p := r.Context(), principal(r)
	if err := requireFinance(p); err != nil {
		return err
	}
	v := billingView{Report: rep, ReportKind: kind, Accounts: billing.DefaultJournalAccounts, Current: billing.PeriodOf(s.Clock.Now())}
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
	if pg.Form == nil {
		pg.Form = map[string]string{"currency": "EUR"}
	}
	pg.Title, pg.Nav, pg.Data = "Billing", "costs", v
	s.renderPage(w, r, "billing.html", pg)
	return nil
}

func (s *Server) billingRun(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := requireFinance(p); err != nil {
		return err
	}
	rep, err := s.Billing.Run(r.Context(), p, r.PathValue("period"))
	if engage.ErrorCode(err) == engage.ECONFLICT {
		w.WriteHeader(http.StatusConflict)
		return s.renderBilling(w, r, Page{Errors: []engage.FieldError{{Message: engage.ErrorMessage(err)}}}, nil, "")
	} else if err != nil {
		return err
	}
	return s.renderBilling(w, r, Page{Flash: fmt.Sprintf("Billing run for %s done: %d statements.", billing.PeriodLabel(rep.Period), rep.Statements)}, &rep, "run")
}

func (s *Server) billingClose(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if err := requireFinance(p); err != nil {
		return err
	}
	period := r.PathValue("period")
	if r.PostFormValue("confirm") != "yes" {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return s.renderBilling(w, r, Page{Errors: []engage.FieldError{{Field: "confirm",
			Message: "Tick “I understand a closed period never changes” to close " + billing.PeriodLabel(period) + "."}}}, nil, "")
	}
	rep, err := s.Billing.Close(r.Context(), p, period)
	if engage.ErrorCode(err) == engage.ECONFLICT {
		w.WriteHeader(http.StatusConflict)
		return s.renderBilling(w, r, Page{Errors: []engage.FieldError{{Message: engage.ErrorMessage(err)}}}, nil, "")
	} else if err != nil {
		return err
	}
	return s.renderBilling(w, r, Page{Flash: fmt.Sprintf("%s is closed: %d statements are final. Corrections are now adjustments.",
		billing.PeriodLabel(rep.Period), rep.Statements)}, &rep, "close")
}

func (s *Server) billingAdjust(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
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
		return s.renderBilling(w, r, Page{Errors: fields, Form: formOf(r)}, nil, "")
	} else if err != nil {
		return err
	}
	s.flash(w, fmt.Sprintf("Adjustment of %s recorded in %s. It appears on %s's statement at the next run of %s.",
		catalog.FormatMoney(in.Amount, strings.ToUpper(strings.TrimSpace(in.Currency))), billing.PeriodLabel(target), departmentName(r, s, in.DepartmentID), billing.PeriodLabel(target)))
	http.Redirect(w, r, "/billing?period="+url.QueryEscape(target), http.StatusSeeOther)
	return nil
}

func departmentName(r *http.Request, s *Server, id int64) string {
	if d, err := s.Org.FindDepartment(r.Context(), principal(r), id); err == nil {
		return d.Name
	}
	return "the department"
}

func (s *Server) billingPeriodsCSV(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
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
	cw := startCSV(w, "billing-periods.csv")
	_ = cw.Write([]string{"period", "month", "state", "last_run_at", "closed_at"})
	for _, pr := range periods {
		_ = cw.Write([]string{pr.Period, pr.Label, pr.State, stamp(pr.LastRunAt), stamp(pr.ClosedAt)})
	}
	cw.Flush()
	return cw.Error()
}

// billingStatementsCSV lists a period's statement totals per department,
// with a total row per currency.
func (s *Server) billingStatementsCSV(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
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
	cw := startCSV(w, "statements-"+period+".csv")
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

func (s *Server) billingJournal(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ex, err := s.Billing.Journal(r.Context(), principal(r), r.PathValue("period"), billing.JournalAccounts{
		Expense: q.Get("expense_account"), ExpenseName: q.Get("expense_account_name"),
		Recovery: q.Get("recovery_account"), RecoveryName: q.Get("recovery_account_name"), RecoveryCostCentre: q.Get("recovery_cost_centre")})
	if err != nil {
		return err
	}
	return s.streamExport(w, r, ex)
}

func (s *Server) billingFOCUS(w http.ResponseWriter, r *http.Request) error {
	ex, err := s.Billing.FOCUS(r.Context(), principal(r), billing.FOCUSFilter{Period: r.PathValue("period"), DepartmentID: queryInt(r, "department")})
	if err != nil {
		return err
	}
	return s.streamExport(w, r, ex)
}

// costThisMonth is the home page's "Your department's cost this month":
// the totals of the reader's own department so far, for those who may
// read its statements; nil for everyone else.
func (s *Server) costThisMonth(ctx context.Context, p *access.Principal) *homeCost {
	if s.Billing == nil || p.DepartmentID == 0 || !billing.CanReadStatements(p, p.DepartmentID) {
		return nil
	}
	period := billing.PeriodOf(s.Clock.Now())
	list, err := s.Billing.Statements(ctx, p, billing.StatementFilter{Period: period, DepartmentID: p.DepartmentID})
	if err != nil {
		s.Logger.Warn("home: reading this month's statements", "err", err)
		return nil
	}
	c := &homeCost{Period: period, Label: billing.PeriodLabel(period), Statements: list}
	for _, st := range list {
		c.GeneratedAt = st.GeneratedAt
	}
	return c
}

type homeCost struct {
	Period, Label string
	Statements    []billing.Statement
	GeneratedAt   time.Time
}
