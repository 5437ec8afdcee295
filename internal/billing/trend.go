package billing

// Read models for the costs pages: a department's totals month by month,
// its costs by service and offering, and its cloud-versus-legacy share.
// All are computed from the stored statements and their rounded lines, so
// what they show adds up to the statements.

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// TrendMonths is how many months a trend covers by default: a year and the
// same month a year before.
const TrendMonths = 13

// CanReadStatements reports whether p may read department id's statements
// and usage: its budget holders and those above, its BRM, finance, the
// board and admins.
func CanReadStatements(p *access.Principal, id int64) bool { return canReadStatements(p, id) }

// ReadsStatements reports whether p may read any department's statements.
func ReadsStatements(p *access.Principal) bool { return p.ReadsStatements() }

// PeriodLabel names a YYYY-MM period: "March 2026".
func PeriodLabel(period string) string { return periodLabel(period) }

// CurrencyTotal is money in one currency.
type CurrencyTotal struct {
	Currency string          `json:"currency"`
	Amount   decimal.Decimal `json:"amount" doc:"With the currency's minor unit (\"190.00\")"`
}

// MonthTotals is one month of a trend.
type MonthTotals struct {
	Period string          `json:"period" example:"2026-03"`
	Label  string          `json:"label" example:"March 2026"`
	State  string          `json:"state,omitempty" enum:"open,closed" doc:"Absent when nothing was billed that month"`
	Totals []CurrencyTotal `json:"totals" nullable:"false" doc:"One per currency, the statements' totals"`
}

// Trend is a department's statement totals month by month, oldest first.
type Trend struct {
	DepartmentID int64         `json:"department_id"`
	Currencies   []string      `json:"currencies" nullable:"false"`
	Months       []MonthTotals `json:"months" nullable:"false"`
}

// Total returns a month's total in a currency (zero when none).
func (m MonthTotals) Total(currency string) decimal.Decimal {
	for _, a := range m.Totals {
		if a.Currency == currency {
			return a.Amount
		}
	}
	return decimal.Zero
}

// lastMonths lists n periods ending with through, oldest first.
func lastMonths(through string, n int) ([]string, error) {
	per, err := ParsePeriod(through)
	if err != nil {
		return nil, err
	}
	end := per.Start()
	out := make([]string, n)
	for i := 0; i < n; i++ {
		out[i] = PeriodOf(time.Date(end.Year(), end.Month()-time.Month(n-1-i), 1, 0, 0, 0, 0, time.UTC))
	}
	return out, nil
}

// Trend returns the department's totals for the months months ending with
// through (the current month when empty).
func (s *Service) Trend(ctx context.Context, p *access.Principal, departmentID int64, through string, months int) (Trend, error) {
	if !canReadStatements(p, departmentID) {
		return Trend{}, engage.Errorf(engage.EFORBIDDEN, "Costs are for the department's budget holders, its BRM, finance and administrators.")
	}
	if through == "" {
		through = PeriodOf(s.Clock.Now())
	}
	if months <= 0 || months > 60 {
		months = TrendMonths
	}
	periods, err := lastMonths(through, months)
	if err != nil {
		return Trend{}, err
	}
	tr := Trend{DepartmentID: departmentID, Currencies: []string{}, Months: make([]MonthTotals, len(periods))}
	index := map[string]int{}
	for i, pr := range periods {
		tr.Months[i] = MonthTotals{Period: pr, Label: periodLabel(pr), Totals: []CurrencyTotal{}}
		index[pr] = i
	}
	rows, err := s.DB.Query(ctx, `SELECT s.period, bp.state, s.currency, s.total FROM statements s JOIN billing_periods bp ON bp.period = s.period
		WHERE s.department_id = ? AND s.period >= ? AND s.period <= ? ORDER BY s.period, s.currency`, departmentID, periods[0], periods[len(periods)-1])
	if err != nil {
		return Trend{}, fmt.Errorf("reading the trend: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var period, state, currency string
		var total decimal.Decimal
		if err := rows.Scan(&period, &state, &currency, &total); err != nil {
			return Trend{}, err
		}
		m := &tr.Months[index[period]]
		m.State = state
		m.Totals = append(m.Totals, CurrencyTotal{currency, total})
		if !seen[currency] {
			seen[currency] = true
			tr.Currencies = append(tr.Currencies, currency)
		}
	}
	sort.Strings(tr.Currencies)
	return tr, rows.Err()
}

// OfferingCost is what one offering cost a department in a period.
type OfferingCost struct {
	OfferingID int64           `json:"offering_id,omitempty"`
	Name       string          `json:"name"`
	Currency   string          `json:"currency"`
	Amount     decimal.Decimal `json:"amount"`
	Lines      int             `json:"lines"`
}

// ServiceCost is what one service cost, with its offerings.
type ServiceCost struct {
	ServiceID     int64           `json:"service_id,omitempty"`
	Name          string          `json:"name"`
	DeliveryModel string          `json:"delivery_model" enum:"cloud,legacy,other" doc:"other: adjustments and lines without a service"`
	Currency      string          `json:"currency"`
	Amount        decimal.Decimal `json:"amount"`
	Offerings     []OfferingCost  `json:"offerings" nullable:"false"`
}

// DeliveryShare is the cloud-versus-legacy split of a department's costs in one
// currency.
type DeliveryShare struct {
	Currency string          `json:"currency"`
	Cloud    decimal.Decimal `json:"cloud" doc:"Services delivered from the cloud, and allocated cloud bills"`
	Legacy   decimal.Decimal `json:"legacy"`
	Other    decimal.Decimal `json:"other" doc:"Adjustments"`
	Total    decimal.Decimal `json:"total"`
}

// Percent returns part's share of the cloud and legacy total, in whole
// percent, or -1 when there is nothing positive to share.
func (s DeliveryShare) Percent(part string) int {
	base := s.Cloud.Add(s.Legacy)
	if !base.IsPositive() {
		return -1
	}
	v := s.Cloud
	if part == "legacy" {
		v = s.Legacy
	}
	return int(v.Mul(decimal.NewFromInt(100)).Div(base).Round(0).IntPart())
}

// Breakdown is a department's costs in a period by service and offering.
type Breakdown struct {
	DepartmentID int64           `json:"department_id"`
	Period       string          `json:"period"`
	Label        string          `json:"label"`
	Services     []ServiceCost   `json:"services" nullable:"false" doc:"Largest first, per currency"`
	Shares       []DeliveryShare `json:"shares" nullable:"false" doc:"One per currency"`
	Totals       []CurrencyTotal `json:"totals" nullable:"false" doc:"One per currency: the sum of the statements' rounded lines"`
}

// Breakdown sums a department's statement lines of a period by service and
// offering, and by the services' delivery model.
func (s *Service) Breakdown(ctx context.Context, p *access.Principal, departmentID int64, period string) (Breakdown, error) {
	if !canReadStatements(p, departmentID) {
		return Breakdown{}, engage.Errorf(engage.EFORBIDDEN, "Costs are for the department's budget holders, its BRM, finance and administrators.")
	}
	if period == "" {
		period = PeriodOf(s.Clock.Now())
	}
	if _, err := ParsePeriod(period); err != nil {
		return Breakdown{}, err
	}
	b := Breakdown{DepartmentID: departmentID, Period: period, Label: periodLabel(period), Services: []ServiceCost{}, Shares: []DeliveryShare{}, Totals: []CurrencyTotal{}}
	rows, err := s.DB.Query(ctx, `SELECT s.currency, l.kind, COALESCE(l.service_id, 0), COALESCE(sv.name, ''), COALESCE(sv.delivery_model, ''),
		COALESCE(l.offering_id, 0), COALESCE(o.name, ''), l.description, l.amount
		FROM statement_lines l JOIN statements s ON s.id = l.statement_id LEFT JOIN services sv ON sv.id = l.service_id
		LEFT JOIN offerings o ON o.id = l.offering_id WHERE s.department_id = ? AND s.period = ? ORDER BY s.currency, l.position`, departmentID, period)
	if err != nil {
		return Breakdown{}, fmt.Errorf("reading statement lines: %w", err)
	}
	defer rows.Close()
	type key struct {
		currency, service string
	}
	services := map[key]*ServiceCost{}
	var order []key
	shares := map[string]*DeliveryShare{}
	var currencies []string
	for rows.Next() {
		var currency, kind, svc, delivery, off, desc string
		var svcID, offID int64
		var amount decimal.Decimal
		if err := rows.Scan(&currency, &kind, &svcID, &svc, &delivery, &offID, &off, &desc, &amount); err != nil {
			return Breakdown{}, err
		}
		switch {
		case kind == "cloud":
			delivery = "cloud"
			svc, off = cloudNames(desc)
		case svcID == 0:
			delivery, svc, off = "other", "Adjustments", desc
		}
		k := key{currency, svc}
		sc, ok := services[k]
		if !ok {
			sc = &ServiceCost{ServiceID: svcID, Name: svc, DeliveryModel: delivery, Currency: currency, Offerings: []OfferingCost{}}
			services[k] = sc
			order = append(order, k)
		}
		sc.Amount = sc.Amount.Add(amount)
		found := false
		for i := range sc.Offerings {
			if sc.Offerings[i].Name == off && sc.Offerings[i].OfferingID == offID {
				sc.Offerings[i].Amount = sc.Offerings[i].Amount.Add(amount)
				sc.Offerings[i].Lines++
				found = true
			}
		}
		if !found {
			sc.Offerings = append(sc.Offerings, OfferingCost{OfferingID: offID, Name: off, Currency: currency, Amount: amount, Lines: 1})
		}
		sh, ok := shares[currency]
		if !ok {
			sh = &DeliveryShare{Currency: currency}
			shares[currency] = sh
			currencies = append(currencies, currency)
		}
		switch delivery {
		case "cloud":
			sh.Cloud = sh.Cloud.Add(amount)
		case "legacy":
			sh.Legacy = sh.Legacy.Add(amount)
		default:
			sh.Other = sh.Other.Add(amount)
		}
		sh.Total = sh.Total.Add(amount)
	}
	if err := rows.Err(); err != nil {
		return Breakdown{}, err
	}
	for _, k := range order {
		sc := services[k]
		sort.SliceStable(sc.Offerings, func(i, j int) bool { return sc.Offerings[i].Amount.GreaterThan(sc.Offerings[j].Amount) })
		b.Services = append(b.Services, *sc)
	}
	sort.SliceStable(b.Services, func(i, j int) bool {
		if b.Services[i].Currency != b.Services[j].Currency {
			return b.Services[i].Currency < b.Services[j].Currency
		}
		return b.Services[i].Amount.GreaterThan(b.Services[j].Amount)
	})
	sort.Strings(currencies)
	for _, c := range currencies {
		b.Shares = append(b.Shares, *shares[c])
		b.Totals = append(b.Totals, CurrencyTotal{c, shares[c].Total})
	}
	return b, nil
}

// cloudNames reads "Provider — Service (n charges)" back into a service
// and an offering name for allocated cloud lines.
func cloudNames(desc string) (string, string) {
	provider, rest, ok := strings.Cut(desc, " — ")
	if !ok {
		return "Cloud bills", desc
	}
	if i := strings.LastIndex(rest, " ("); i > 0 {
		rest = rest[:i]
	}
	return "Cloud bills: " + provider, rest
}

// LineGroup is a statement's lines of one service.
type LineGroup struct {
	ServiceID     int64           `json:"service_id,omitempty"`
	Name          string          `json:"name"`
	Slug          string          `json:"slug,omitempty"`
	DeliveryModel string          `json:"delivery_model,omitempty"`
	Lines         []Line          `json:"lines"`
	Subtotal      decimal.Decimal `json:"subtotal"`
}

// GroupLines groups a statement's lines by service, in the order the
// services first appear; lines without a service (cloud bills,
// adjustments) come last, in groups of their own.
func (s *Service) GroupLines(ctx context.Context, st Statement) ([]LineGroup, error) {
	type info struct{ name, slug, delivery string }
	names := map[int64]info{}
	var ids []any
	for _, l := range st.Lines {
		if l.ServiceID != 0 {
			if _, ok := names[l.ServiceID]; !ok {
				names[l.ServiceID] = info{}
				ids = append(ids, l.ServiceID)
			}
		}
	}
	if len(ids) > 0 {
		rows, err := s.DB.Query(ctx, "SELECT id, name, slug, delivery_model FROM services WHERE id IN ("+db.Placeholders(len(ids))+")", ids...)
		if err != nil {
			return nil, fmt.Errorf("reading services: %w", err)
		}
		for rows.Next() {
			var id int64
			var in info
			if err := rows.Scan(&id, &in.name, &in.slug, &in.delivery); err != nil {
				rows.Close()
				return nil, err
			}
			names[id] = in
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var groups, tail []LineGroup
	at := map[int64]int{}
	for _, l := range st.Lines {
		if l.ServiceID == 0 {
			name := "Adjustments"
			if l.Kind == "cloud" {
				name, _ = cloudNames(l.Description)
			}
			if n := len(tail); n > 0 && tail[n-1].Name == name {
				tail[n-1].Lines = append(tail[n-1].Lines, l)
				tail[n-1].Subtotal = tail[n-1].Subtotal.Add(l.Amount)
				continue
			}
			tail = append(tail, LineGroup{Name: name, Lines: []Line{l}, Subtotal: l.Amount})
			continue
		}
		i, ok := at[l.ServiceID]
		if !ok {
			in := names[l.ServiceID]
			groups = append(groups, LineGroup{ServiceID: l.ServiceID, Name: in.name, Slug: in.slug, DeliveryModel: in.delivery})
			i = len(groups) - 1
			at[l.ServiceID] = i
		}
		groups[i].Lines = append(groups[i].Lines, l)
		groups[i].Subtotal = groups[i].Subtotal.Add(l.Amount)
	}
	return append(groups, tail...), nil
}

// UnitPrice is what one unit of a line cost, for display: the line's exact
// amount over its quantity (and, for prorated lines, over the share of the
// month). It is false where no unit price applies: minimum top-ups,
// adjustments, allocated cloud charges and zero quantities.
func (l Line) UnitPrice() (decimal.Decimal, bool) {
	switch l.Kind {
	case "minimum", "adjustment", "cloud":
		return decimal.Zero, false
	}
	if !l.Quantity.IsPositive() {
		return decimal.Zero, false
	}
	q := l.Quantity
	if l.Days > 0 && l.PeriodDays > 0 && l.Days < l.PeriodDays {
		q = q.Mul(decimal.NewFromInt(int64(l.Days))).Div(decimal.NewFromInt(int64(l.PeriodDays)))
	}
	return l.ExactAmount.DivRound(q, 6), true
}

// Prorated reports whether the line covers only part of the month.
func (l Line) Prorated() bool { return l.Days > 0 && l.PeriodDays > 0 && l.Days < l.PeriodDays }

// HasUsage reports whether usage records are behind the line.
func (l Line) HasUsage() bool { return l.Kind == "usage" && l.OfferingID != 0 }

// LateAdjustment returns the adjustment whose late usage records are behind
// the line, or 0.
func (l Line) LateAdjustment() int64 {
	id, _ := strconv.ParseInt(strings.TrimPrefix(l.Source, "late-usage:"), 10, 64)
	if l.Kind != "adjustment" || !strings.HasPrefix(l.Source, "late-usage:") {
		return 0
	}
	return id
}
