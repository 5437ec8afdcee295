package web

import (
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/catalog"
)

var choiceLists = map[string][]catalog.Choice{
	"kind": catalog.Kinds, "family": catalog.Families, "sourcing": catalog.Sourcings, "lifecycle": catalog.Lifecycles,
	"delivery": catalog.DeliveryModels, "data": catalog.DataClasses, "arch": catalog.ArchStatuses, "announcement": catalog.AnnouncementKinds,
}

// describePlan says what a rate plan costs in plain words, naming the
// offering's unit when it has a name ("per GB-month").
func describePlan(p catalog.RatePlan, unitName ...string) string {
	per := catalog.UnitPer(p.Unit, strings.Join(unitName, ""))
	var parts []string
	switch {
	case len(p.Tiers) > 0:
		var bands []string
		from := decimal.Zero
		for _, t := range p.Tiers {
			price := catalog.FormatUnitPrice(t.UnitPrice, p.Currency)
			if t.UpTo == nil {
				bands = append(bands, fmt.Sprintf("%s above %s", price, from))
			} else {
				bands = append(bands, fmt.Sprintf("%s up to %s", price, t.UpTo))
				from = *t.UpTo
			}
		}
		mode := "each unit priced by its band"
		if p.TierMode == "volume" {
			mode = "all units priced by the band the total reaches"
		}
		parts = append(parts, strings.Join(bands, ", ")+" "+per+" ("+mode+")")
	case p.Unit == "fixed-month":
		parts = append(parts, catalog.FormatMoney(p.FixedMonthly.Add(p.UnitPrice), p.Currency)+" per month")
	case p.Unit == "one-time":
		parts = append(parts, catalog.FormatUnitPrice(p.UnitPrice, p.Currency)+" once per unit")
	default:
		parts = append(parts, catalog.FormatUnitPrice(p.UnitPrice, p.Currency)+" "+per)
	}
	if p.Unit != "fixed-month" && p.FixedMonthly.IsPositive() {
		parts = append(parts, "plus "+catalog.FormatMoney(p.FixedMonthly, p.Currency)+" a month")
	}
	if p.OneTime.IsPositive() {
		parts = append(parts, "plus "+catalog.FormatMoney(p.OneTime, p.Currency)+" to set up")
	}
	if p.Minimum.IsPositive() {
		parts = append(parts, "at least "+catalog.FormatMoney(p.Minimum, p.Currency)+" a month")
	}
	return strings.Join(parts, ", ")
}

func init() {
	funcs["money"] = catalog.FormatMoney
	funcs["price"] = func(p *catalog.Price) string {
		if p == nil {
			return ""
		}
		return catalog.FormatPrice(*p)
	}
	funcs["plan"] = describePlan
	funcs["lower"] = strings.ToLower
	funcs["label"] = func(list, value string) string { return catalog.Label(choiceLists[list], value) }
	funcs["markdown"] = renderMarkdown
	funcs["count"] = func(m map[string]int, key string) int { return m[key] }
	funcs["checked"] = func(selected []string, v string) bool { return slices.Contains(selected, v) }
	funcs["unitQty"] = func(unit string) string { return catalog.UnitLabels[unit].Quantity }
	// unitPer: unit [unit name] — "per unit per month", "per GB-month".
	funcs["unitPer"] = func(unit string, name ...string) string { return catalog.UnitPer(unit, strings.Join(name, "")) }
	funcs["choices"] = func(list string) []catalog.Choice { return choiceLists[list] }
	funcs["safeHTML"] = func(h template.HTML) template.HTML { return h }
	funcs["add"] = func(a, b int) int { return a + b }
	funcs["dict"] = func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	}
	funcs["idIn"] = func(csv string, id int64) bool {
		return slices.Contains(strings.Split(csv, ","), fmt.Sprint(id))
	}
}
