package rating

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Price returns the charge for added units when prior units were already
// consumed in the same period (by the same department, for the same
// offering). It is the change in the period charge:
//
//	Price(plan, prior, added) = PeriodCharge(plan, prior+added) − PeriodCharge(plan, prior)
//
// so pricing a period's usage in several steps always adds up to pricing it at
// once. Under graduated tiers each added unit is priced by the tier it falls
// in, and the result is never negative. Under volume tiers the period total
// decides the price of every unit, so the change can be negative when the
// added units reach a cheaper tier; bill volume plans on the period total
// (PeriodCharge) and use Price for running estimates. Without tiers it is
// added × UnitPrice. Quantities may be fractional and must be 0 or more.
//
// For a fixed-month plan Price is 0: its fee does not depend on quantity.
func Price(plan RatePlan, prior, added decimal.Decimal) (decimal.Decimal, error) {
	if err := plan.Validate(); err != nil {
		return decimal.Zero, err
	}
	var fe fieldErrors
	checkQuantity(&fe, "prior", prior)
	checkQuantity(&fe, "added", added)
	if err := fe.err(); err != nil {
		return decimal.Zero, err
	}
	if plan.Unit == FixedMonth {
		return decimal.Zero, nil
	}
	if len(plan.Tiers) > 0 && plan.TierMode == Graduated {
		return graduatedBetween(plan.Tiers, prior, prior.Add(added)), nil
	}
	return quantityCharge(plan, prior.Add(added)).Sub(quantityCharge(plan, prior)), nil
}

// PeriodCharge returns the charge for quantity units used in one period (or
// held for a whole month, for a subscription), before proration, fixed fees
// and the minimum. It is the tiered (or unit) price of the quantity: for
// volume tiers the tier the quantity reaches prices every unit.
func PeriodCharge(plan RatePlan, quantity decimal.Decimal) (decimal.Decimal, error) {
	if err := plan.Validate(); err != nil {
		return decimal.Zero, err
	}
	var fe fieldErrors
	checkQuantity(&fe, "quantity", quantity)
	if err := fe.err(); err != nil {
		return decimal.Zero, err
	}
	return quantityCharge(plan, quantity), nil
}

func checkQuantity(fe *fieldErrors, field string, q decimal.Decimal) {
	if q.IsNegative() {
		fe.add(field, fmt.Sprintf("Enter a quantity of 0 or more (got %s).", q))
	}
}

// quantityCharge prices q units of a valid plan; fixed-month plans ignore
// quantity and price it at 0 here (their fee is FixedMonthly).
func quantityCharge(plan RatePlan, q decimal.Decimal) decimal.Decimal {
	switch {
	case plan.Unit == FixedMonth:
		return decimal.Zero
	case len(plan.Tiers) == 0:
		return q.Mul(plan.UnitPrice)
	case plan.TierMode == Volume:
		return q.Mul(volumeTier(plan.Tiers, q).UnitPrice)
	default:
		return graduatedBetween(plan.Tiers, decimal.Zero, q)
	}
}

// volumeTier returns the tier that quantity q reaches: the first whose UpTo
// is at least q (a quantity equal to a bound belongs to that tier), else the
// open-ended last tier.
func volumeTier(tiers []Tier, q decimal.Decimal) Tier {
	for _, t := range tiers {
		if t.UpTo == nil || q.LessThanOrEqual(*t.UpTo) {
			return t
		}
	}
	return tiers[len(tiers)-1]
}

// graduatedBetween prices the units from quantity lo to hi (lo ≤ hi), each by
// the tier it falls in.
func graduatedBetween(tiers []Tier, lo, hi decimal.Decimal) decimal.Decimal {
	sum := decimal.Zero
	start := decimal.Zero
	for _, t := range tiers {
		end := hi
		if t.UpTo != nil && t.UpTo.LessThan(end) {
			end = *t.UpTo
		}
		from := decimal.Max(start, lo)
		if end.GreaterThan(from) {
			sum = sum.Add(end.Sub(from).Mul(t.UnitPrice))
		}
		if t.UpTo == nil || !t.UpTo.LessThan(hi) {
			break
		}
		start = *t.UpTo
	}
	return sum
}
