package billingpages

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/rating"
	"github.com/engagehq/engage/internal/web/page"
)

// costPoolsView is finance's cost pools of a month with each service's
// cost recovery.
type costPoolsView struct {
	page.Base
	Period   string
	Periods  []string
	R        costs.PeriodResults
	CanEdit  bool
	Required []string // the import's columns
	Optional []string
}

// costPoolFormView is the form of a new cost pool or of one being edited.
type costPoolFormView struct {
	page.Base
	ID         int64 // 0 for a new pool
	Services   []costs.CostedService
	Categories []costs.Choice
	Methods    []costs.Choice
}

// costPeriod is the period asked for, or the latest with pools or charges.
func (s *Pages) costPeriod(r *http.Request) (string, error) {
	if p := strings.TrimSpace(r.URL.Query().Get("period")); p != "" {
		return p, nil
	}
	return s.Costs.LatestPeriod(r.Context())
}

func (s *Pages) costPoolsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCostPools(w, r, page.Base{})
}

func (s *Pages) renderCostPools(w http.ResponseWriter, r *http.Request, base page.Base) error {
	p, ctx := page.Principal(r), r.Context()
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
	if !slices.Contains(periods, period) {
		periods = append([]string{period}, periods...)
	}
	base.Title, base.Nav = "Cost pools — "+res.PeriodLabel, "costs"
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	s.Render(w, r, "costpools.html", &costPoolsView{Base: base, Period: period, Periods: periods, R: res,
		CanEdit: p.ManagesMoney(), Required: costs.RequiredColumns, Optional: costs.OptionalColumns})
	return nil
}

// costPoolForm shows a new pool (GET …/new) or an existing one to edit.
func (s *Pages) costPoolForm(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context()
	form := map[string]string{"currency": "EUR", "category": "labour", "method": costs.MethodNone}
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = page.PathID(r, "id"); err != nil {
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

func (s *Pages) showCostPoolForm(w http.ResponseWriter, r *http.Request, id int64, form map[string]string, errs []engage.FieldError) error {
	services, err := s.Costs.ServiceChoices(r.Context(), page.Principal(r)) // finance and admins only
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
	s.Render(w, r, "costpool_form.html", &costPoolFormView{Base: page.Base{Title: title, Nav: "costs", Form: form, Errors: errs},
		ID: id, Services: services, Categories: costs.Categories, Methods: costs.Methods})
	return nil
}

// poolFormInput reads the pool form. Ticked services (and, for
// percentages, those given a percentage) are the allocation's targets.
func (s *Pages) poolFormInput(r *http.Request) (costs.PoolInput, []engage.FieldError) {
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
	services, err := s.Costs.ServiceChoices(r.Context(), page.Principal(r))
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

func (s *Pages) saveCostPool(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context()
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = page.PathID(r, "id"); err != nil {
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
		return s.showCostPoolForm(w, r, id, page.FormOf(r), errs)
	}
	s.Flash(w, fmt.Sprintf("Saved cost pool %s for %s.", pool.Name, costs.PeriodLabel(pool.Period)))
	http.Redirect(w, r, "/billing/cost-pools?period="+url.QueryEscape(pool.Period), http.StatusSeeOther)
	return nil
}

func (s *Pages) deleteCostPool(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context()
	id, err := page.PathID(r, "id")
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
	s.Flash(w, fmt.Sprintf("Removed cost pool %s from %s.", pool.Name, costs.PeriodLabel(pool.Period)))
	http.Redirect(w, r, "/billing/cost-pools?period="+url.QueryEscape(pool.Period), http.StatusSeeOther)
	return nil
}

func (s *Pages) importCostPools(w http.ResponseWriter, r *http.Request) error {
	p, ctx := page.Principal(r), r.Context() // finance and administrators: the route's MayUpload
	file, _, err := r.FormFile("file")
	if err != nil {
		return s.renderCostPools(w, r, page.Base{Errors: []engage.FieldError{{Field: "file", Message: "Choose a CSV file to import."}}})
	}
	defer file.Close()
	rep, err := s.Costs.ImportPools(ctx, p, file)
	if engage.ErrorCode(err) == engage.EINVALID {
		var errs []engage.FieldError
		for _, f := range engage.ErrorFields(err) {
			errs = append(errs, engage.FieldError{Field: "file", Message: page.UpperFirst(f.Field) + " — " + f.Message})
		}
		if len(errs) == 0 {
			errs = []engage.FieldError{{Field: "file", Message: engage.ErrorMessage(err)}}
		}
		return s.renderCostPools(w, r, page.Base{Errors: errs})
	} else if err != nil {
		return err
	}
	s.Flash(w, fmt.Sprintf("Imported %s: %d added, %d updated, %d unchanged. Nothing was written until every line was right.",
		page.Plural(rep.Rows, "line", "lines"), rep.Created, rep.Updated, rep.Unchanged))
	to := "/billing/cost-pools"
	if len(rep.Periods) > 0 {
		to += "?period=" + url.QueryEscape(rep.Periods[len(rep.Periods)-1])
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Pages) exportCostPools(w http.ResponseWriter, r *http.Request) error {
	period := strings.TrimSpace(r.URL.Query().Get("period"))
	var buf strings.Builder
	if err := s.Costs.ExportPools(r.Context(), page.Principal(r), period, &buf); err != nil {
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
