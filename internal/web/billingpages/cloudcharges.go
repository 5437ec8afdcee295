package billingpages

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

// Cloud spend no rule allocated, reallocation, and the charges behind a
// statement's cloud line.

// moved is how much one department's cloud allocation changed in one
// currency when a period was reallocated.
type moved struct {
	Department    string
	Currency      string
	Before, After decimal.Decimal
	Change        decimal.Decimal
}

// unallocatedView is a month's cloud spend no rule matched, and what moved
// when the month was just reallocated.
type unallocatedView struct {
	page.Base
	Period      string
	Label       string
	Periods     []cloudbill.ChargePeriod
	Closed      bool
	Items       []cloudbill.UnallocatedTotal
	Totals      []billing.CurrencyTotal
	Reallocated *cloudbill.ReallocationReport
	Moved       []moved
}

func (s *Pages) cloudUnallocated(w http.ResponseWriter, r *http.Request) error {
	return s.renderUnallocated(w, r, r.URL.Query().Get("period"), nil, nil)
}

func (s *Pages) renderUnallocated(w http.ResponseWriter, r *http.Request, period string, rep *cloudbill.ReallocationReport, mv []moved) error {
	p, ctx := page.Principal(r), r.Context()
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
		cw := page.CSVFile(w, "cloud-unallocated-"+period+".csv")
		_ = cw.Write([]string{"period", "provider", "service_name", "currency", "charges", "amount"})
		for _, it := range items {
			_ = cw.Write([]string{period, it.Provider, it.ServiceName, it.Currency, strconv.Itoa(it.Rows), it.Amount.String()})
		}
		cw.Flush()
		return cw.Error()
	}
	v := &unallocatedView{Period: period, Label: billing.PeriodLabel(period), Periods: periods, Items: items, Reallocated: rep, Moved: mv}
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
	v.Title, v.Nav = "Unallocated cloud spend — "+v.Label, "costs"
	s.Render(w, r, "cloud_unallocated.html", v)
	return nil
}

// reallocateCloud re-runs the rules over a period and shows what moved
// between departments.
func (s *Pages) reallocateCloud(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context()
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

// chargesView is a page of the charges behind a statement's cloud line.
type chargesView struct {
	page.Base
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
func (s *Pages) cloudCharges(w http.ResponseWriter, r *http.Request) error {
	p, ctx, q := page.Principal(r), r.Context(), r.URL.Query()
	period := strings.TrimSpace(q.Get("period"))
	if _, err := billing.ParsePeriod(period); err != nil {
		return err
	}
	f := cloudbill.ChargeFilter{Period: period, DepartmentID: page.QueryInt(r, "department"), Provider: q.Get("provider"),
		ServiceName: q.Get("service"), Cursor: q.Get("cursor"), Limit: chargesPage}
	if q.Get("format") == "csv" {
		return s.cloudChargesCSV(w, r, f)
	}
	rows, next, err := s.chargeRows(r, f) // the department's readers, or finance
	if err != nil {
		return err
	}
	v := &chargesView{Period: period, Label: billing.PeriodLabel(period), Provider: f.Provider, Service: f.ServiceName,
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
	v.Title, v.Nav = title+" — "+v.Label, "costs"
	s.Render(w, r, "cloud_charges.html", v)
	return nil
}

// chargeRows reads one page of charges with the rule and share of each.
func (s *Pages) chargeRows(r *http.Request, f cloudbill.ChargeFilter) ([]chargeRow, string, error) {
	p, ctx := page.Principal(r), r.Context()
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
func (s *Pages) cloudChargesCSV(w http.ResponseWriter, r *http.Request, f cloudbill.ChargeFilter) error {
	f.Cursor, f.Limit = "", 500
	rows, next, err := s.chargeRows(r, f) // refused before anything is written
	if err != nil {
		return err
	}
	who := "unallocated"
	if f.DepartmentID != 0 {
		who = "department-" + strconv.FormatInt(f.DepartmentID, 10)
	}
	cw := page.CSVFile(w, fmt.Sprintf("cloud-charges-%s-%s.csv", who, f.Period))
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
