package billingpages

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/rating"
	"github.com/engagehq/engage/internal/web/page"
)

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

// shownStatement is one statement on the costs page, its lines grouped
// by service.
type shownStatement struct {
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

// costsView is a department's costs for a month: its statements, the
// trend, the cloud and legacy split and the costs by service.
type costsView struct {
	page.Base
	Allowed     bool
	Own         *org.Department // the reader's department, for the explanation
	Department  org.Department
	Departments []org.Department
	Periods     []billing.Period
	Period      string
	Label       string
	State       string
	Statements  []shownStatement
	Trend       billing.Trend
	Charts      []*columnChart
	Breakdown   billing.Breakdown
	Shares      []shareBar
	Now         time.Time
}

// readableDepartments are the departments whose statements p may read.
func (s *Pages) readableDepartments(ctx context.Context, p *access.Principal) ([]org.Department, error) {
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
	want := page.QueryInt(r, "department")
	if want == 0 {
		want = p.DepartmentID
	}
	for _, d := range list {
		if d.ID == want {
			return d, nil
		}
	}
	if page.QueryInt(r, "department") != 0 {
		return org.Department{}, engage.Errorf(engage.EFORBIDDEN, "You cannot see that department's costs: they are for its budget holders, its BRM, finance and administrators.")
	}
	if len(list) == 0 {
		return org.Department{}, engage.Errorf(engage.EFORBIDDEN, "There is no department whose costs you may see.")
	}
	return list[0], nil
}

// choosePeriod picks the month asked for, else the current month when it
// has been billed, else the latest billed month.
func (s *Pages) choosePeriod(r *http.Request, periods []billing.Period) (string, error) {
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

func (s *Pages) costs(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	v := &costsView{Base: page.Base{Title: "Your department's costs", Nav: "costs"}, Allowed: billing.ReadsStatements(p), Now: s.Clock.Now()}
	if p.DepartmentID != 0 {
		if d, err := s.Org.FindDepartment(ctx, p, p.DepartmentID); err == nil {
			v.Own = &d
		}
	}
	if !v.Allowed {
		// No numbers: say who can see them instead.
		s.Render(w, r, "costs.html", v)
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
		v.Statements = append(v.Statements, shownStatement{Statement: full, Groups: groups, Own: full.DepartmentID == p.DepartmentID})
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
	v.Title = v.Department.Name + " — costs for " + v.Label
	if v.Department.ID == p.DepartmentID {
		v.Title = "Your department's costs for " + v.Label
	}
	s.Render(w, r, "costs.html", v)
	return nil
}
