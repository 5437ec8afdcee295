package tmf

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
)

// TMF620's productOfferingPrice: Engage's rate plans, a plan with several
// charges a bundle of one price per charge.

// planName names a rate plan by its currency and dates.
func planName(p catalog.RatePlan) string {
	name := p.Currency + " price from " + p.EffectiveFrom.String()
	if p.EffectiveTo != nil {
		name += " to " + p.EffectiveTo.AddDays(-1).String()
	}
	return name
}

// planStatus says whether a plan is in force on today.
func planStatus(p catalog.RatePlan, today catalog.Date) string {
	switch {
	case today.Before(p.EffectiveFrom.Time):
		return "Approved"
	case p.EffectiveTo != nil && !today.Before(p.EffectiveTo.Time):
		return "Retired"
	}
	return "Launched"
}

// charge is one priced part of a rate plan.
type charge struct {
	name, description string
	priceType         string // recurring, oneTime or usage
	amount            decimal.Decimal
	perUnit           bool // the price is for one unit of the offering
}

// usageUnits are metered: charged on what was used.
var usageUnits = map[string]bool{"unit-hour": true, "request": true, "unit": true}

// charges lists the priced parts of a plan, in the order a bill shows them.
func charges(plan catalog.RatePlan, unitName string) []charge {
	var out []charge
	if plan.OneTime.IsPositive() {
		out = append(out, charge{name: "One-time fee", priceType: "oneTime", amount: plan.OneTime})
	}
	if plan.FixedMonthly.IsPositive() {
		out = append(out, charge{name: "Monthly fee", priceType: "recurring", amount: plan.FixedMonthly})
	}
	priceType := "recurring"
	switch {
	case plan.Unit == "one-time":
		priceType = "oneTime"
	case usageUnits[plan.Unit]:
		priceType = "usage"
	}
	per := catalog.UnitPer(plan.Unit, unitName)
	mode := "graduated: each band's units at the band's price"
	if plan.TierMode == "volume" {
		mode = "volume: every unit at the price of the band the whole quantity reaches"
	}
	from := decimal.Zero
	for i, t := range plan.Tiers {
		c := charge{priceType: priceType, amount: t.UnitPrice, perUnit: true,
			description: fmt.Sprintf("Band %d of %d, %s; %s", i+1, len(plan.Tiers), mode, per)}
		if t.UpTo != nil {
			c.name = fmt.Sprintf("Above %s up to %s", from, t.UpTo)
			from = *t.UpTo
		} else {
			c.name = fmt.Sprintf("Above %s", from)
		}
		out = append(out, c)
	}
	if len(plan.Tiers) == 0 && plan.Unit != "fixed-month" && (plan.UnitPrice.IsPositive() || len(out) == 0) {
		out = append(out, charge{name: "Price " + per, priceType: priceType, amount: plan.UnitPrice, perUnit: true})
	}
	if plan.Minimum.IsPositive() && len(out) > 0 {
		last := &out[len(out)-1]
		last.description = strings.TrimPrefix(last.description+fmt.Sprintf("; at least %s %s a month", plan.Minimum, plan.Currency), "; ")
	}
	return out
}

// prices are the TMF prices of one plan: the plan itself, and when it has
// several charges, one price per charge that it bundles.
func prices(o catalog.Offering, plan catalog.RatePlan, today catalog.Date) []ProductOfferingPrice {
	id := strconv.FormatInt(plan.ID, 10)
	valid := &TimePeriod{Start: startOf(plan.EffectiveFrom)}
	if plan.EffectiveTo != nil {
		valid.End = startOf(*plan.EffectiveTo)
	}
	base := ProductOfferingPrice{ID: id, Href: href(CatalogBase, "productOfferingPrice", id), Name: o.Name + ": " + planName(plan),
		LifecycleStatus: planStatus(plan, today), ValidFor: valid, Type: "ProductOfferingPrice", offeringID: o.ID}
	fill := func(pop *ProductOfferingPrice, c charge) {
		pop.PriceType, pop.Price = c.priceType, &Money{Unit: plan.Currency, Value: number(c.amount.String())}
		if c.description != "" {
			pop.Description = c.description
		}
		if c.priceType == "recurring" {
			pop.RecurringChargePeriodType, pop.RecurringChargePeriodLength = "month", 1
		}
		if c.perUnit {
			units := o.UnitName
			if units == "" {
				units = catalog.UnitLabels[plan.Unit].Quantity
			}
			pop.UnitOfMeasure = &Quantity{Amount: "1", Units: units}
		}
	}
	cs := charges(plan, o.UnitName)
	if len(cs) == 1 {
		fill(&base, cs[0])
		return []ProductOfferingPrice{base}
	}
	base.IsBundle = true
	out := []ProductOfferingPrice{base}
	for i, c := range cs {
		cid := fmt.Sprintf("%s-%d", id, i+1)
		part := base
		part.ID, part.Href, part.Name, part.IsBundle, part.Description = cid, href(CatalogBase, "productOfferingPrice", cid), o.Name+": "+c.name, false, ""
		fill(&part, c)
		out[0].BundledPopRelationship = append(out[0].BundledPopRelationship, Ref{ID: cid, Href: part.Href, Name: part.Name})
		out = append(out, part)
	}
	return out
}

var priceFilters = []string{"id", "name", "lifecycleStatus", "priceType", "isBundle", "productOffering.id"}

func priceAttr(pop ProductOfferingPrice, name string) string {
	switch name {
	case "id":
		return pop.ID
	case "name":
		return pop.Name
	case "lifecycleStatus":
		return pop.LifecycleStatus
	case "priceType":
		return pop.PriceType
	case "isBundle":
		return strconv.FormatBool(pop.IsBundle)
	case "productOffering.id":
		return strconv.FormatInt(pop.offeringID, 10)
	}
	return ""
}

func (h *Handler) listPrices(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	q, err := parseList(r, priceFilters)
	if err != nil {
		return err
	}
	today := catalog.DateOf(h.Clock.Now())
	pg := page[ProductOfferingPrice]{q: q}
	err = h.Catalog.EachOffering(r.Context(), p, func(o *catalog.Offering, s *catalog.Service) bool {
		if want, ok := q.filters["productOffering.id"]; ok && want != strconv.FormatInt(o.ID, 10) {
			return true
		}
		for _, plan := range o.Plans {
			for _, pop := range prices(*o, plan, today) {
				if q.matches(func(name string) string { return priceAttr(pop, name) }) {
					pg.add(pop)
				}
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	return writeList(w, q, pg.total, pg.items, func(pop ProductOfferingPrice) any { return pop })
}

func (h *Handler) getPrice(w http.ResponseWriter, r *http.Request, p *access.Principal) error {
	id := r.PathValue("id")
	planID, _, _ := strings.Cut(id, "-")
	today := catalog.DateOf(h.Clock.Now())
	var found *ProductOfferingPrice
	err := h.Catalog.EachOffering(r.Context(), p, func(o *catalog.Offering, s *catalog.Service) bool {
		for _, plan := range o.Plans {
			if strconv.FormatInt(plan.ID, 10) != planID {
				continue
			}
			for _, pop := range prices(*o, plan, today) {
				if pop.ID == id {
					found = &pop
				}
			}
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	if found == nil {
		return engage.Errorf(engage.ENOTFOUND, "There is no product offering price %s that you can see.", id)
	}
	return writeOne(w, r, *found)
}
