package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
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
	"github.com/engagehq/engage/internal/csvfile"
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
	funcs["unitWords"] = unitWords
	funcs["columns"] = func(ch *columnChart) (template.HTML, error) {
		var b bytes.Buffer
		err := columnsSVG.Execute(&b, ch) // html/template: escaped as it is drawn
		return template.HTML(b.String()), err
	}
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
	Own    bool         // the reader's own department
	Change *monthChange // against the month before, when it was billed
}

// monthChange is a statement's total against the month before's.
type monthChange struct {
	PrevLabel string
	Prev      decimal.Decimal
	Diff      decimal.Decimal // this month minus the one before
	Pct       string          // "+5.2%"; "" when the month before was zero
}

// changeOn compares a total with the month before period's in a trend.
func changeOn(tr billing.Trend, period, currency string, total decimal.Decimal) *monthChange {
	for i, m := range tr.Months {
		if m.Period != period || i == 0 || tr.Months[i-1].State == "" {
			continue
		}
		prev := tr.Months[i-1]
		c := &monthChange{PrevLabel: prev.Label, Prev: prev.Total(currency)}
		c.Diff = total.Sub(c.Prev)
		if !c.Prev.IsZero() {
			pct := c.Diff.Mul(decimal.NewFromInt(100)).Div(c.Prev).Round(1)
			c.Pct = pct.StringFixed(1) + "%"
			if pct.IsPositive() {
				c.Pct = "+" + c.Pct
			} else if pct.IsNegative() {
				c.Pct = "−" + pct.Abs().StringFixed(1) + "%"
			}
		}
		return c
	}
	return nil
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
		// A service offered only to the department is not in the reader's
		// own catalog (a BRM, finance): its name is shown without a link.
		for i := range groups {
			if groups[i].Slug == "" {
				continue
			}
			if _, err := s.Catalog.FindService(ctx, p, groups[i].Slug); engage.ErrorCode(err) == engage.ENOTFOUND {
				groups[i].Slug = ""
			} else if err != nil {
				return err
			}
		}
		v.Statements = append(v.Statements, statementView{Statement: full, Groups: groups, Own: full.DepartmentID == p.DepartmentID})
	}
	if v.Trend, err = s.Billing.Trend(ctx, p, v.Department.ID, v.Period, billing.TrendMonths); err != nil {
		return err
	}
	for _, c := range v.Trend.Currencies {
		v.Charts = append(v.Charts, trendChart(v.Trend, c, v.Period))
	}
	for i := range v.Statements {
		st := &v.Statements[i]
		st.Change = changeOn(v.Trend, st.Period, st.Currency, st.Total)
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

// columnChart is a vertical bar chart drawn as SVG on the server, with a
// scale on the left, labels along the bottom and, when they fit, each
// column's value above it.
type columnChart struct {
	ID       string // unique on the page, for the chart's title
	Title    string
	Currency string
	Max      string
	YTitle   string // what the scale measures: "Total (EUR)"
	XTitle   string // what the columns are: "Month"
	Ticks    []tick
	Columns  []column
}

// tick is one step of the vertical scale: a grid line and its amount.
type tick struct {
	Y     float64
	Label string
}

type column struct {
	Month, Year, Value, Short string // Month and Year label it; Value is its tooltip
	X, Y, W, H, TextX, ValueY float64
	Current                   bool
}

// chartPoint is one column to draw.
type chartPoint struct {
	Label, Sub string  // below the column: "Jan" and "2026"
	Value      float64 // drawing only: the tables have the exact figures
	Text       string  // the exact figure, for the tooltip
	Shown      bool    // false draws nothing: a month not billed
	Current    bool
}

const (
	chartWidth  = 640.0
	chartLeft   = 64.0 // room for the scale's amounts
	chartTop    = 24.0
	chartBottom = 200.0 // the baseline
)

// niceStep returns a step of 1, 2 or 5 times a power of ten that divides
// top into at most four steps.
func niceStep(top float64) float64 {
	if top <= 0 {
		return 1
	}
	raw := top / 4
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}

// shortMoney writes an amount for a chart: €850, €12k, €1.2M. Drawing
// only: the tables have the exact figures.
func shortMoney(v float64, currency string) string {
	zero := catalog.FormatMoney(decimal.Zero, currency)
	symbol := strings.TrimRight(zero, "0.,")
	num := shortNumber(v)
	if symbol == "" || strings.ContainsAny(symbol, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return num + " " + currency
	}
	if strings.HasPrefix(num, "−") {
		return "−" + symbol + strings.TrimPrefix(num, "−")
	}
	return symbol + num
}

// shortNumber writes a number for a chart: 850, 1.2k, 12k, 2.5M.
func shortNumber(v float64) string {
	abs, sign := math.Abs(v), ""
	if v < 0 {
		sign = "−"
	}
	switch {
	case abs >= 1e6:
		return sign + strings.TrimSuffix(strconv.FormatFloat(abs/1e6, 'f', 1, 64), ".0") + "M"
	case abs >= 1e4:
		return sign + strconv.FormatFloat(abs/1e3, 'f', 0, 64) + "k"
	case abs >= 1e3:
		return sign + strings.TrimSuffix(strconv.FormatFloat(abs/1e3, 'f', 1, 64), ".0") + "k"
	case abs >= 10 || abs == math.Trunc(abs):
		return sign + strconv.FormatFloat(abs, 'f', 0, 64)
	default:
		return sign + strings.TrimRight(strings.TrimRight(strconv.FormatFloat(abs, 'f', 2, 64), "0"), ".")
	}
}

// barShare is v's share of max (0 to 1) for drawing a bar: 0 for nothing or
// less. It divides exactly before converting, so amounts beyond a float's
// range still draw.
func barShare(v, max decimal.Decimal) float64 {
	if !v.IsPositive() || !max.IsPositive() {
		return 0
	}
	return math.Min(v.DivRound(max, 6).InexactFloat64(), 1)
}

// chartCeiling bounds what a chart draws: amounts and quantities are far
// below it (see rating's limits), but a total stored before those limits
// existed may not be, and the scale must stay finite.
const chartCeiling = 1e18

// drawColumns lays out points as columns under a scale of round steps
// from zero; format writes the scale's and the columns' figures. Values
// go above the columns when there is room for them. A value below zero
// (a month of net refunds) has no column, but its figure is its own.
func drawColumns(ch *columnChart, points []chartPoint, format func(float64) string) *columnChart {
	max := 0.0
	figures := make([]float64, len(points))
	for i := range points {
		v := points[i].Value
		if math.IsNaN(v) {
			v = 0
		}
		figures[i] = math.Max(-chartCeiling, math.Min(v, chartCeiling))
		points[i].Value = math.Max(figures[i], 0)
		max = math.Max(max, points[i].Value)
	}
	step := niceStep(max)
	top := math.Max(step, math.Ceil(max/step)*step)
	for v := 0.0; v <= top+step/2; v += step {
		ch.Ticks = append(ch.Ticks, tick{Y: chartBottom - (chartBottom-chartTop)*v/top, Label: format(v)})
	}
	slot := (chartWidth - chartLeft) / float64(len(points))
	for i, pt := range points {
		h := 0.0
		if pt.Value > 0 {
			h = (chartBottom - chartTop) * pt.Value / top
		}
		x := chartLeft + float64(i)*slot + slot*0.15
		c := column{Month: pt.Label, Year: pt.Sub, Value: pt.Text, X: x, W: slot * 0.7, Y: chartBottom - h, H: h,
			TextX: x + slot*0.35, ValueY: chartBottom - h - 5, Current: pt.Current}
		if pt.Shown && slot >= 40 {
			c.Short = format(figures[i])
		}
		ch.Columns = append(ch.Columns, c)
	}
	return ch
}

// trendChart draws a department's monthly totals in one currency.
func trendChart(tr billing.Trend, currency, current string) *columnChart {
	ch := &columnChart{ID: "trend-" + currency, Title: "Total per month in " + currency, Currency: currency,
		YTitle: "Total (" + currency + ")", XTitle: "Month"}
	max := decimal.Zero
	var points []chartPoint
	for _, m := range tr.Months {
		total := m.Total(currency)
		max = decimal.Max(max, total)
		t, _ := time.Parse("2006-01", m.Period)
		points = append(points, chartPoint{Label: t.Format("Jan"), Sub: t.Format("2006"), Value: total.InexactFloat64(),
			Text: m.Label + ": " + catalog.FormatMoney(total, currency), Shown: m.State != "", Current: m.Period == current})
	}
	ch.Max = catalog.FormatMoney(max, currency)
	return drawColumns(ch, points, func(v float64) string { return shortMoney(v, currency) })
}

// usageChart draws a usage line's records day by day (UTC, as the month
// is billed).
func usageChart(period string, recs []billing.UsageRecord, unit string) *columnChart {
	per, err := billing.ParsePeriod(period)
	if err != nil || len(recs) == 0 {
		return nil
	}
	first := per.Start()
	days := first.AddDate(0, 1, -1).Day()
	sums := make([]decimal.Decimal, days)
	for _, u := range recs {
		if d := u.Time.UTC().Day() - 1; u.Time.UTC().Month() == first.Month() && d >= 0 && d < days {
			sums[d] = sums[d].Add(u.Quantity)
		}
	}
	words := unitWords(unit)
	ch := &columnChart{ID: "usage", Title: "Quantity per day", YTitle: "Quantity" + parenthesised(words),
		XTitle: "Day of " + billing.PeriodLabel(period) + " (UTC)"}
	max := decimal.Zero
	var points []chartPoint
	for d, q := range sums {
		max = decimal.Max(max, q)
		day := first.AddDate(0, 0, d)
		label := ""
		if d == 0 || (d+1)%5 == 0 {
			label = strconv.Itoa(d + 1)
		}
		points = append(points, chartPoint{Label: label, Value: q.InexactFloat64(), Shown: true,
			Text: day.Format(dateLayout) + ": " + strings.TrimSpace(formatQuantity(q)+" "+words)})
	}
	ch.Max = strings.TrimSpace(formatQuantity(max) + " " + words)
	return drawColumns(ch, points, shortNumber)
}

// columnsSVG draws a column chart; pages call it as {{columns .Chart}}.
var columnsSVG = template.Must(template.New("columns").Parse(`<svg role="img" aria-labelledby="{{.ID}}-title" width="100%" viewBox="0 0 640 262" class="chart chart-columns">
  <title id="{{.ID}}-title">{{.Title}}, up to {{.Max}}; the table below has the figures.</title>
  <text x="0" y="10" class="chart-axis-title" id="{{.ID}}-y-axis">{{.YTitle}}</text>
  {{range .Ticks}}<line x1="64" y1="{{.Y}}" x2="640" y2="{{.Y}}" class="grid"></line>
  <text x="58" y="{{.Y}}" dy="4" text-anchor="end" class="chart-tick">{{.Label}}</text>{{end}}
  <line x1="64" y1="200" x2="640" y2="200" class="axis"></line>
  <line x1="64" y1="24" x2="64" y2="200" class="axis"></line>
  {{range .Columns}}
  <rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" class="{{if .Current}}bar-best{{else}}bar{{end}}"><title>{{.Value}}</title></rect>
  {{if .Short}}<text x="{{.TextX}}" y="{{.ValueY}}" text-anchor="middle" class="chart-value">{{.Short}}</text>{{end}}
  {{if .Month}}<text x="{{.TextX}}" y="216" text-anchor="middle" class="chart-label">{{.Month}}</text>{{end}}
  {{if .Year}}<text x="{{.TextX}}" y="232" text-anchor="middle" class="chart-year">{{.Year}}</text>{{end}}
  {{end}}
  <text x="352" y="256" text-anchor="middle" class="chart-axis-title">{{.XTitle}}</text>
</svg>`))

func parenthesised(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
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

func startCSV(w http.ResponseWriter, filename string) *csvfile.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, filename))
	return csvfile.NewWriter(w)
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
	Chart        *columnChart
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
	v.Chart = usageChart(period, recs, v.Unit)
	title := "Usage"
	if v.OfferingName != "" {
		title = "Usage of " + v.OfferingName
	}
	s.render(w, r, "costs_usage.html", title+" — "+v.Label, "costs", v)
	return nil
}

// --- Billing, for finance ---

func requireFinance(p *access.Principal) error {
	if !p.ManagesMoney() {
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
