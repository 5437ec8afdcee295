package catalogpages

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/catalog"
)

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
