package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/rating"
)

// costPoolRoutes are finance's cost pools with the period's results, and a
// service's costs for its owner. The costs service checks every access.
func (s *Server) costPoolRoutes() []Route {
	return []Route{
		{Pattern: "GET /billing/cost-pools", Handle: s.costPoolsPage},
		{Pattern: "GET /billing/cost-pools/new", Handle: s.costPoolForm},
		{Pattern: "POST /billing/cost-pools", Handle: s.saveCostPool},
		{Pattern: "GET /billing/cost-pools/{id}/edit", Handle: s.costPoolForm},
		{Pattern: "POST /billing/cost-pools/{id}", Handle: s.saveCostPool},
		{Pattern: "POST /billing/cost-pools/{id}/delete", Handle: s.deleteCostPool},
		{Pattern: "POST /billing/cost-pools/import", Handle: s.importCostPools, MaxBody: MaxCSVUpload, MayUpload: s.Costs.MayWrite},
		{Pattern: "GET /billing/cost-pools/export.csv", Handle: s.exportCostPools},
		{Pattern: "GET /catalog/{slug}/costs", Handle: s.serviceCostsPage},
	}
}

func init() {
	funcs["poolCategory"] = costs.CategoryLabel
	funcs["poolMethod"] = costs.MethodLabel
	funcs["poolPeriod"] = costs.PeriodLabel
	funcs["recovery"] = func(r *decimal.Decimal) string {
		if r == nil {
			return "—"
		}
		return r.StringFixed(1) + "%"
	}
	funcs["poolQty"] = func(d decimal.Decimal) string {
		if d.Equal(d.Truncate(0)) {
			return d.Truncate(0).String()
		}
		return d.Round(2).StringFixed(2)
	}
	funcs["poolPercent"] = func(d *decimal.Decimal) string {
		if d == nil {
			return ""
		}
		return d.String()
	}
}

// costPeriod is the period asked for, or the latest with pools or charges.
func (s *Server) costPeriod(r *http.Request) (string, error) {
	if p := strings.TrimSpace(r.URL.Query().Get("period")); p != "" {
		return p, nil
	}
	return s.Costs.LatestPeriod(r.Context())
}

func (s *Server) costPoolsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCostPools(w, r, Page{}, nil)
}

func (s *Server) renderCostPools(w http.ResponseWriter, r *http.Request, pg Page, report *costs.PoolImportReport) error {
	p, ctx := principal(r), r.Context()
	period, err := s.costPeriod(r)
	if err != nil {
		return err
	}
	periods, err := s.Costs.PoolPeriods(ctx, p) // refuses those who may not read pools
	if err != nil {
		return err
	}
	res, err := s.Costs.Results(ctx, p, period)
	if err != nil {
		return err
	}
	if !containsString(periods, period) {
		periods = append([]string{period}, periods...)
	}
	pg.Title, pg.Nav = "Cost pools — "+res.PeriodLabel, "costs"
	pg.Data = map[string]any{"Period": period, "Periods": periods, "R": res, "Report": report,
		"CanEdit": p.ManagesMoney(), "Required": costs.RequiredColumns, "Optional": costs.OptionalColumns}
	if len(pg.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.renderPage(w, r, "costpools.html", pg)
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// costPoolForm shows a new pool (GET …/new) or an existing one to edit.
func (s *Server) costPoolForm(w http.ResponseWriter, r *http.Request) error {
	p, ctx := principal(r), r.Context()
	form := map[string]string{"currency": "EUR", "category": "labour", "method": costs.MethodNone}
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
		pool, err := s.Costs.FindPool(ctx, p, id)
		if err != nil {
			return err
		}
		amount := pool.Amount.String()
		if places := rating.MinorUnits(pool.Currency); pool.Amount.Exponent() > -places {
			amount = pool.Amount.StringFixed(places)
		}
		form = map[string]string{"period": pool.Period, "category": pool.Category, "name": pool.Name, "amount": amount,
			"currency": pool.Currency, "method": pool.Allocation.Method, "version": strconv.Itoa(pool.Version)}
		for _, t := range pool.Allocation.Targets {
			key := strconv.FormatInt(t.ServiceID, 10)
			form["svc-"+key] = "on"
			if t.Percent != nil {
				form["pct-"+key] = t.Percent.String()
			}
		}
	} else if period, err := s.costPeriod(r); err == nil {
		form["period"] = period
	}
	return s.showCostPoolForm(w, r, id, form, nil)
}

func (s *Server) showCostPoolForm(w http.ResponseWriter, r *http.Request, id int64, form map[string]string, errs []engage.FieldError) error {
	services, err := s.Costs.ServiceChoices(r.Context(), principal(r)) // finance and admins only
	if err != nil {
		return err
	}
	title := "Add a cost pool"
	if id != 0 {
		title = "Edit cost pool " + form["name"]
	}
	if len(errs) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.renderPage(w, r, "costpool_form.html", Page{Title: title, Nav: "costs", Form: form, Errors: errs,
		Data: map[string]any{"ID": id, "Services": services, "Categories": costs.Categories, "Methods": costs.Methods}})
	return nil
}

// poolFormInput reads the pool form. Ticked services (and, for
// percentages, those given a percentage) are the allocation's targets.
func (s *Server) poolFormInput(r *http.Request) (costs.PoolInput, []engage.FieldError) {
	var errs []engage.FieldError
	in := costs.PoolInput{Period: r.PostFormValue("period"), Category: r.PostFormValue("category"), Name: r.PostFormValue("name"),
		Currency: r.PostFormValue("currency")}
	if amt := strings.TrimSpace(r.PostFormValue("amount")); amt != "" {
		d, err := decimal.NewFromString(strings.ReplaceAll(amt, ",", ""))
		if err != nil {
			errs = append(errs, engage.FieldError{Field: "amount", Message: "Enter the amount as a number, such as 12500.00."})
		}
		in.Amount = d
	}
	a := &costs.PoolAllocationInput{Method: r.PostFormValue("method")}
	services, err := s.Costs.ServiceChoices(r.Context(), principal(r))
	if err == nil {
		for _, sv := range services {
			key := strconv.FormatInt(sv.ID, 10)
			pctText := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(r.PostFormValue("pct-"+key)), "%"))
			ticked := r.PostFormValue("svc-"+key) != ""
			switch {
			case a.Method == costs.MethodPercent && pctText != "":
				pc, err := decimal.NewFromString(pctText)
				if err != nil {
					errs = append(errs, engage.FieldError{Field: "services", Message: fmt.Sprintf("%s: enter the percentage as a number, such as 40.", sv.Name)})
					continue
				}
				a.Targets = append(a.Targets, costs.PoolTargetInput{ServiceID: sv.ID, Percent: &pc})
			case a.Method == costs.MethodPercent && ticked:
				a.Targets = append(a.Targets, costs.PoolTargetInput{ServiceID: sv.ID})
			case (a.Method == costs.MethodSubscriptionQuantity || a.Method == costs.MethodChargedAmount) && ticked:
				a.Targets = append(a.Targets, costs.PoolTargetInput{ServiceID: sv.ID})
			}
		}
	}
	in.Allocation = a
	return in, errs
}

// poolFormField maps a service's field name to the form's.
func poolFormField(field string) string {
	switch {
	case field == "allocation.method":
		return "method"
	case strings.HasPrefix(field, "allocation."):
		return "services"
	}
	return field
}

func (s *Server) saveCostPool(w http.ResponseWriter, r *http.Request) error {
	p, ctx := principal(r), r.Context()
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	in, errs := s.poolFormInput(r)
	var pool costs.Pool
	var err error
	if len(errs) == 0 {
		if id != 0 {
			version, _ := strconv.Atoi(r.PostFormValue("version"))
			pool, err = s.Costs.UpdatePool(ctx, p, id, version, in)
		} else {
			pool, err = s.Costs.CreatePool(ctx, p, in)
		}
	}
	if engage.ErrorCode(err) == engage.EINVALID {
		for _, f := range engage.ErrorFields(err) {
			errs = append(errs, engage.FieldError{Field: poolFormField(f.Field), Message: f.Message})
		}
	} else if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.showCostPoolForm(w, r, id, formOf(r), errs)
	}
	s.flash(w, fmt.Sprintf("Saved cost pool %s for %s.", pool.Name, costs.PeriodLabel(pool.Period)))
	http.Redirect(w, r, "/billing/cost-pools?period="+url.QueryEscape(pool.Period), http.StatusSeeOther)
	return nil
}

func (s *Server) deleteCostPool(w http.ResponseWriter, r *http.Request) error {
	p, ctx := principal(r), r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pool, err := s.Costs.FindPool(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.Costs.DeletePool(ctx, p, id); err != nil {
		return err
	}
	s.flash(w, fmt.Sprintf("Removed cost pool %s from %s.", pool.Name, costs.PeriodLabel(pool.Period)))
	http.Redirect(w, r, "/billing/cost-pools?period="+url.QueryEscape(pool.Period), http.StatusSeeOther)
	return nil
}

func (s *Server) importCostPools(w http.ResponseWriter, r *http.Request) error {
	p, ctx := principal(r), r.Context() // finance and administrators: the route's MayUpload
	file, _, err := r.FormFile("file")
	if err != nil {
		return s.renderCostPools(w, r, Page{Errors: []engage.FieldError{{Field: "file", Message: "Choose a CSV file to import."}}}, nil)
	}
	defer file.Close()
	rep, err := s.Costs.ImportPools(ctx, p, file)
	if engage.ErrorCode(err) == engage.EINVALID {
		var errs []engage.FieldError
		for _, f := range engage.ErrorFields(err) {
			errs = append(errs, engage.FieldError{Field: "file", Message: upperFirst(f.Field) + " — " + f.Message})
		}
		if len(errs) == 0 {
			errs = []engage.FieldError{{Field: "file", Message: engage.ErrorMessage(err)}}
		}
		return s.renderCostPools(w, r, Page{Errors: errs}, nil)
	} else if err != nil {
		return err
	}
	s.flash(w, fmt.Sprintf("Imported %s: %d added, %d updated, %d unchanged. Nothing was written until every line was right.",
		plural(rep.Rows, "line", "lines"), rep.Created, rep.Updated, rep.Unchanged))
	to := "/billing/cost-pools"
	if len(rep.Periods) > 0 {
		to += "?period=" + url.QueryEscape(rep.Periods[len(rep.Periods)-1])
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func (s *Server) exportCostPools(w http.ResponseWriter, r *http.Request) error {
	period := strings.TrimSpace(r.URL.Query().Get("period"))
	var buf strings.Builder
	if err := s.Costs.ExportPools(r.Context(), principal(r), period, &buf); err != nil {
		return err
	}
	name := "cost-pools.csv"
	if period != "" {
		name = "cost-pools-" + period + ".csv"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name))
	_, err := w.Write([]byte(buf.String()))
	return err
}

// recoveryChart draws cost beside charges, month by month, in one currency.
type recoveryChart struct {
	Title    string
	Currency string
	Height   int
	Rows     []recoveryRow
}

type recoveryRow struct {
	Label                     string
	LabelY, CostY, ChargedY   float64
	CostW, ChargedW           float64
	CostText, ChargedText     string
	CostTextY, ChargedTextY   float64
	costAmount, chargedAmount decimal.Decimal
	hasFigure                 bool
}

// serviceChart draws the months of one currency: the currency of the last
// month with figures (the first in code order when there are several).
func serviceChart(sc costs.ServiceCosts) *recoveryChart {
	currency := ""
	for i := len(sc.Months) - 1; i >= 0 && currency == ""; i-- {
		if len(sc.Months[i].Figures) > 0 {
			currency = sc.Months[i].Figures[0].Currency
		}
	}
	if currency == "" {
		return nil
	}
	ch := &recoveryChart{Title: "Cost and charges per month in " + currency, Currency: currency, Height: 56*len(sc.Months) + 8}
	most := decimal.Zero
	for _, m := range sc.Months {
		row := recoveryRow{Label: m.Label}
		for _, f := range m.Figures {
			if f.Currency == currency {
				row.costAmount, row.chargedAmount, row.hasFigure = f.Cost, f.Charged, true
				if f.Recovery != nil {
					row.Label += " — recovered " + f.Recovery.StringFixed(1) + "%"
				}
			}
		}
		most = decimal.Max(most, row.costAmount, row.chargedAmount)
		ch.Rows = append(ch.Rows, row)
	}
	for i := range ch.Rows {
		row := &ch.Rows[i]
		y := float64(i * 56)
		row.LabelY, row.CostY, row.ChargedY = y+14, y+20, y+36
		row.CostTextY, row.ChargedTextY = y+31, y+47
		// Drawing only: the amounts shown are exact.
		row.CostW, row.ChargedW = 360*barShare(row.costAmount, most), 360*barShare(row.chargedAmount, most)
		row.CostW, row.ChargedW = math.Max(math.Round(row.CostW*10)/10, 1), math.Max(math.Round(row.ChargedW*10)/10, 1)
		row.CostText = "cost " + catalog.FormatMoney(row.costAmount, currency)
		row.ChargedText = "charged " + catalog.FormatMoney(row.chargedAmount, currency)
		if !row.hasFigure {
			row.CostText, row.ChargedText = "no cost", "no charges"
		}
	}
	return ch
}

func (s *Server) serviceCostsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	months, _ := strconv.Atoi(q.Get("months"))
	sc, err := s.Costs.ServiceCosts(r.Context(), principal(r), r.PathValue("slug"), strings.TrimSpace(q.Get("period")), months)
	if err != nil {
		return err
	}
	s.render(w, r, "service_costs.html", "Costs of "+sc.Service.Name, "catalog", map[string]any{"SC": sc, "Chart": serviceChart(sc),
		"SeesAll": principal(r).HasAny(access.Finance, access.PortfolioBoard, access.Admin)})
	return nil
}
