package billingpages

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

// departmentAsked is the department in the query, else the reader's own.
func departmentAsked(r *http.Request, p *access.Principal) int64 {
	if id := page.QueryInt(r, "department"); id != 0 {
		return id
	}
	return p.DepartmentID
}

// costsTrendCSV is a department's totals month by month, as a file.
func (s *Pages) costsTrendCSV(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	dept := departmentAsked(r, p)
	through := r.URL.Query().Get("period")
	tr, err := s.Billing.Trend(ctx, p, dept, through, billing.TrendMonths)
	if err != nil {
		return err
	}
	d, err := s.Org.FindDepartment(ctx, p, dept)
	if err != nil {
		return err
	}
	cw := page.CSVFile(w, fmt.Sprintf("costs-%s-by-month.csv", d.Code))
	_ = cw.Write([]string{"department", "cost_centre", "period", "month", "state", "currency", "total"})
	for _, m := range tr.Months {
		for _, c := range tr.Currencies {
			_ = cw.Write([]string{d.Name, d.Code, m.Period, m.Label, m.State, c, billing.PlainAmount(m.Total(c), c)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// streamExport sends a prepared export; a failure half-way can only be
// logged, the status having gone.
func (s *Pages) streamExport(w http.ResponseWriter, r *http.Request, ex *billing.Export) error {
	page.Attachment(w, ex.ContentType, ex.Filename)
	if err := ex.Stream(r.Context(), w); err != nil {
		s.Logger.Error("export failed while streaming", "file", ex.Filename, "err", err)
	}
	return nil
}

func (s *Pages) statementCSV(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	ex, err := s.Billing.StatementCSV(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	return s.streamExport(w, r, ex)
}

// usageView is the usage records behind a statement's usage line.
type usageView struct {
	page.Base
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
func (s *Pages) costsUsage(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	dept := departmentAsked(r, p)
	period := r.URL.Query().Get("period")
	if period == "" {
		period = billing.PeriodOf(s.Clock.Now())
	}
	if _, err := billing.ParsePeriod(period); err != nil {
		return err
	}
	offering := page.QueryInt(r, "offering")
	const limit = 5000
	var late *billing.LateAdjustment
	var recs []billing.UsageRecord
	var err error
	if id := page.QueryInt(r, "adjustment"); id != 0 {
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
	v := &usageView{Department: d, Period: period, Label: billing.PeriodLabel(period), OfferingID: offering, Records: recs, Limit: limit, Late: late}
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
		cw := page.CSVFile(w, fmt.Sprintf("usage-%s-%s-%d.csv", d.Code, period, offering))
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
	v.Title, v.Nav = "Usage — "+v.Label, "costs"
	if v.OfferingName != "" {
		v.Title = "Usage of " + v.OfferingName + " — " + v.Label
	}
	s.Render(w, r, "costs_usage.html", v)
	return nil
}
