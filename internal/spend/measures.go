package spend

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/engagement"
)

// Measures of shadow IT.
//
// Decisions:
//   - A department's technology spend is its statements (IT's charges)
//     plus its shadow spend, month by month; the share is shadow ÷
//     technology. Both are taken in one currency, the department's
//     statements' (the largest, when several), or its largest shadow
//     spend's when it has no statements: no exchange rates are applied,
//     so spend in other currencies is left out of the share.
//     Shadow spend from a cloud bill's SaaS charges is on the statements
//     too once its month is billed: it is counted once.
//   - Cases resolved are the closed ones (replaced, onboarded, sanctioned,
//     dismissed); days to resolution run from opening to closing.
//   - Money moved into the catalog is the annual run rate of the cases
//     replaced or onboarded when they closed; saved is the yearly saving
//     of the replaced ones.

// ShareMonth is one month of a department's shadow share.
type ShareMonth struct {
	Period     string          `json:"period"`
	Shadow     decimal.Decimal `json:"shadow"`
	Technology decimal.Decimal `json:"technology" doc:"Statements + shadow"`
	Share      float64         `json:"share" minimum:"0" maximum:"1" doc:"Shadow ÷ technology, 0 when there is none"`
}

// DepartmentShare is a department's shadow share over the window and by month.
type DepartmentShare struct {
	DepartmentID   int64           `json:"department_id"`
	DepartmentName string          `json:"department_name"`
	Currency       string          `json:"currency"`
	Shadow         decimal.Decimal `json:"shadow"`
	Technology     decimal.Decimal `json:"technology"`
	Share          float64         `json:"share" minimum:"0" maximum:"1"`
	Months         []ShareMonth    `json:"months" nullable:"false" doc:"The window's months, oldest first"`
}

// MoneyAmount is an amount in a currency.
type MoneyAmount struct {
	Currency string          `json:"currency"`
	Amount   decimal.Decimal `json:"amount"`
}

// ShadowMeasures are the shadow-IT figures of the departments a person may read.
type ShadowMeasures struct {
	From                string            `json:"from"`
	Through             string            `json:"through"`
	Departments         []DepartmentShare `json:"departments" nullable:"false" doc:"Largest share first"`
	CasesOpened         int               `json:"cases_opened"`
	CasesResolved       int               `json:"cases_resolved"`
	MedianDaysToResolve float64           `json:"median_days_to_resolve" minimum:"0"`
	MovedIntoCatalog    []MoneyAmount     `json:"moved_into_catalog" nullable:"false" doc:"Annual run rate of the cases replaced or onboarded"`
	SavedAYear          []MoneyAmount     `json:"saved_a_year" nullable:"false" doc:"Yearly saving of the cases replaced"`
	ShadowCasesByState  map[string]int    `json:"cases_by_state"`
}

// monthsBetween lists the months whose first day is in [from, to).
func monthsBetween(from, to time.Time) []string {
	var out []string
	m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	if m.Before(from.UTC()) {
		m = m.AddDate(0, 1, 0)
	}
	for ; m.Before(to.UTC()) && len(out) < 1200; m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// departmentShares computes the shares of the departments (all, or ids)
// month by month.
func (s *Service) departmentShares(ctx context.Context, months []string, ids []int64, all bool) ([]DepartmentShare, error) {
	if len(months) == 0 {
		return []DepartmentShare{}, nil
	}
	type cur struct {
		dept     int64
		currency string
	}
	stmt := map[cur]map[string]decimal.Decimal{}
	shadow := map[cur]map[string]decimal.Decimal{}
	add := func(into map[cur]map[string]decimal.Decimal, k cur, period string, x decimal.Decimal) {
		if into[k] == nil {
			into[k] = map[string]decimal.Decimal{}
		}
		into[k][period] = into[k][period].Add(x)
	}
	inWindow := map[string]bool{}
	for _, m := range months {
		inWindow[m] = true
	}
	wanted := func(dept int64) bool { return all || slices.Contains(ids, dept) }
	if s.Billing != nil {
		sts, err := s.Billing.Statements(ctx, access.System("shadow share"), billing.StatementFilter{})
		if err != nil {
			return nil, err
		}
		for _, st := range sts {
			if inWindow[st.Period] && wanted(st.DepartmentID) {
				add(stmt, cur{st.DepartmentID, st.Currency}, st.Period, st.Total)
			}
		}
	}
	rows, err := s.softwareSpend(ctx, months, ids, all, "")
	if err != nil {
		return nil, err
	}
	dict, err := s.Dictionary(ctx)
	if err != nil {
		return nil, err
	}
	z, err := s.sanctions(ctx, dict)
	if err != nil {
		return nil, err
	}
	inStatements, err := s.cloudShadow(ctx, months, ids, all, z, dict)
	if err != nil {
		return nil, err
	}
	for _, v := range rows {
		if z.why(vendorKey(dict, v.Vendor), v.DepartmentID) != "" {
			continue
		}
		for _, m := range v.Months {
			add(shadow, cur{v.DepartmentID, v.Currency}, m.Period, m.Amount)
		}
	}
	// Each department's currency: its largest statements', else its largest shadow's.
	total := func(ms map[string]decimal.Decimal) decimal.Decimal {
		t := decimal.Zero
		for _, x := range ms {
			t = t.Add(x)
		}
		return t
	}
	pick, best := map[int64]string{}, map[int64]decimal.Decimal{}
	choose := func(src map[cur]map[string]decimal.Decimal, only func(int64) bool) {
		keys := make([]cur, 0, len(src))
		for k := range src {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].currency < keys[j].currency })
		for _, k := range keys {
			if !only(k.dept) {
				continue
			}
			if _, ok := pick[k.dept]; !ok || total(src[k]).GreaterThan(best[k.dept]) {
				pick[k.dept], best[k.dept] = k.currency, total(src[k])
			}
		}
	}
	choose(stmt, func(int64) bool { return true })
	billed := map[int64]bool{}
	for d := range pick {
		billed[d] = true
	}
	choose(shadow, func(d int64) bool { return !billed[d] })
	names, err := s.departmentNames(ctx)
	if err != nil {
		return nil, err
	}
	out := []DepartmentShare{}
	for dept, currency := range pick {
		k := cur{dept, currency}
		d := DepartmentShare{DepartmentID: dept, DepartmentName: names[dept], Currency: currency, Months: make([]ShareMonth, len(months))}
		for i, m := range months {
			sh := shadow[k][m]
			tech := stmt[k][m].Add(sh).Sub(decimal.Min(inStatements[deptCurrency(k)][m], stmt[k][m]))
			d.Months[i] = ShareMonth{Period: m, Shadow: sh, Technology: tech, Share: shareOf(sh, tech)}
			d.Shadow, d.Technology = d.Shadow.Add(sh), d.Technology.Add(tech)
		}
		d.Share = shareOf(d.Shadow, d.Technology)
		if d.Technology.IsPositive() {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Share != out[j].Share {
			return out[i].Share > out[j].Share
		}
		return out[i].DepartmentName < out[j].DepartmentName
	})
	return out, nil
}

func shareOf(a, b decimal.Decimal) float64 {
	if !b.IsPositive() || !a.IsPositive() {
		return 0
	}
	return a.Div(b).InexactFloat64()
}

// ShadowShares returns each department's shadow spend and technology spend
// (statements + shadow) over the months whose first day is in [from, to),
// in one currency per department, for the engagement score. It checks no
// access: the score's reader does.
func (s *Service) ShadowShares(ctx context.Context, from, to time.Time) (map[int64]engagement.ShadowShare, error) {
	shares, err := s.departmentShares(ctx, monthsBetween(from, to), nil, true)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]engagement.ShadowShare, len(shares))
	for _, d := range shares {
		out[d.DepartmentID] = engagement.ShadowShare{Shadow: d.Shadow, Technology: d.Technology, Currency: d.Currency}
	}
	return out, nil
}

// Measures returns the shadow-IT measures of the departments p may read
// over the 12 months before the current one.
func (s *Service) Measures(ctx context.Context, p *access.Principal, departmentID int64) (ShadowMeasures, error) {
	ids, all, err := shadowAccess(p, departmentID)
	if err != nil {
		return ShadowMeasures{}, err
	}
	months := shadowWindow(s.Clock.Now().UTC())
	m := ShadowMeasures{From: months[0], Through: months[len(months)-1], MovedIntoCatalog: []MoneyAmount{}, SavedAYear: []MoneyAmount{},
		ShadowCasesByState: map[string]int{}}
	if m.Departments, err = s.departmentShares(ctx, months, ids, all); err != nil {
		return m, err
	}
	cases, err := s.Cases(ctx, p, CaseFilter{DepartmentID: departmentID, All: true})
	if err != nil {
		return m, err
	}
	var days []float64
	moved, saved := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	for _, c := range cases {
		m.CasesOpened++
		m.ShadowCasesByState[c.State]++
		if !CaseClosed(c.State) || c.ClosedAt == nil {
			continue
		}
		m.CasesResolved++
		days = append(days, c.ClosedAt.Sub(c.OpenedAt).Hours()/24)
		if c.State == CaseReplaced || c.State == CaseOnboarded {
			moved[c.Currency] = moved[c.Currency].Add(c.RunRate)
		}
		if c.State == CaseReplaced && c.Saving.IsPositive() {
			saved[c.Currency] = saved[c.Currency].Add(c.Saving)
		}
	}
	m.MedianDaysToResolve = median(days)
	m.MovedIntoCatalog, m.SavedAYear = amounts(moved), amounts(saved)
	return m, nil
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	if n := len(xs); n%2 == 1 {
		return xs[n/2]
	} else {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
}

func amounts(by map[string]decimal.Decimal) []MoneyAmount {
	out := []MoneyAmount{}
	for c, x := range by {
		out = append(out, MoneyAmount{Currency: c, Amount: x})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}
