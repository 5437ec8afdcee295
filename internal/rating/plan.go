package rating

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Unit says what one priced unit of an offering is.
type Unit string

// The units a rate plan may price.
const (
	PersonMonth Unit = "person-month" // a subscription, per person per month
	UnitMonth   Unit = "unit-month"   // a subscription, per unit (VM, GB, licence) per month
	UnitHour    Unit = "unit-hour"    // metered, per unit-hour of usage
	Request     Unit = "request"      // metered, per request
	PerUnit     Unit = "unit"         // metered, per unit delivered (ticket, page, job)
	FixedMonth  Unit = "fixed-month"  // a subscription, a flat fee per month whatever the quantity
	OneTimeUnit Unit = "one-time"     // charged once, in the month the subscription starts
)

var units = []Unit{PersonMonth, UnitMonth, UnitHour, Request, PerUnit, FixedMonth, OneTimeUnit}

// Valid reports whether u is one of the known units.
func (u Unit) Valid() bool {
	for _, k := range units {
		if u == k {
			return true
		}
	}
	return false
}

// Subscription reports whether u is held over days and prorated by the days
// of service in a month: person-month, unit-month and fixed-month.
func (u Unit) Subscription() bool {
	return u == PersonMonth || u == UnitMonth || u == FixedMonth
}

// Metered reports whether u is priced on the quantity used in a period, not
// prorated: unit-hour, request and unit.
func (u Unit) Metered() bool {
	return u == UnitHour || u == Request || u == PerUnit
}

// TierMode says how tiers price a quantity.
type TierMode string

const (
	// Graduated prices each unit by the tier it falls in.
	Graduated TierMode = "graduated"
	// Volume prices every unit by the tier the whole quantity reaches.
	Volume TierMode = "volume"
)

// Tier is one price band. A tier starts where the previous one ends (the
// first at 0) and runs up to and including UpTo; the last tier has UpTo nil
// and covers every larger quantity.
type Tier struct {
	UpTo      *decimal.Decimal
	UnitPrice decimal.Decimal
}

// RatePlan is the price of an offering over a span of days. Plans of one
// offering must not overlap (see CheckNoOverlap).
type RatePlan struct {
	ID         int64
	OfferingID int64

	Currency string // ISO 4217, e.g. "EUR"
	Unit     Unit
	TierMode TierMode // graduated or volume; may be empty when Tiers is empty
	Tiers    []Tier
	// UnitPrice is the price of one unit when the plan has no tiers.
	UnitPrice decimal.Decimal
	// FixedMonthly is a flat fee per month of service, prorated like a
	// subscription; it is the whole price of a fixed-month plan.
	FixedMonthly decimal.Decimal
	// OneTime is a setup fee charged once per subscription, in the month the
	// subscription starts.
	OneTime decimal.Decimal
	// Minimum is the least a department pays for the offering in a month,
	// one-time charges excluded.
	Minimum decimal.Decimal

	// EffectiveFrom is the first day the plan applies (a date, inclusive).
	EffectiveFrom time.Time
	// EffectiveTo, when set, is the first day the plan no longer applies (a
	// date, exclusive).
	EffectiveTo *time.Time
}

// Validate checks the plan and returns a *ValidationError naming every bad
// field, or nil.
func (p RatePlan) Validate() error {
	var fe fieldErrors
	if !IsISO4217(p.Currency) {
		fe.add("currency", "Use a three-letter ISO 4217 code in capitals, such as EUR, USD or JPY.")
	}
	if !p.Unit.Valid() {
		names := make([]string, len(units))
		for i, u := range units {
			names[i] = string(u)
		}
		fe.add("unit", fmt.Sprintf("Choose one of %s (got %q).", strings.Join(names, ", "), p.Unit))
	}
	switch {
	case p.TierMode == Graduated || p.TierMode == Volume:
	case p.TierMode == "" && len(p.Tiers) == 0:
	case p.TierMode == "":
		fe.add("tier_mode", "Choose graduated or volume: the plan has tiers.")
	default:
		fe.add("tier_mode", fmt.Sprintf("Choose graduated or volume (got %q).", p.TierMode))
	}

	within := func(field string, l Limit, v decimal.Decimal) {
		if msg := l.CheckIn(v, p.Currency); msg != "" {
			fe.add(field, msg)
		}
	}
	if msg := UnitPrice.Check(p.UnitPrice); msg != "" {
		fe.add("unit_price", msg) // a unit price is never rounded
	}
	within("fixed_monthly", Fee, p.FixedMonthly)
	within("one_time", Fee, p.OneTime)
	within("minimum", Fee, p.Minimum)
	if len(p.Tiers) > 0 && !p.UnitPrice.IsZero() {
		fe.add("unit_price", "Set the plan's unit price to 0: its tiers set the price of each unit.")
	}
	validateTiers(p.Tiers, &fe)

	switch p.Unit {
	case FixedMonth:
		if len(p.Tiers) > 0 {
			fe.add("tiers", "Remove the tiers: a fixed-month plan is priced by its fixed monthly fee alone.")
		}
		if !p.UnitPrice.IsZero() && len(p.Tiers) == 0 {
			fe.add("unit_price", "Set the unit price to 0 and put the fee in fixed_monthly: a fixed-month plan ignores quantity.")
		}
	case OneTimeUnit:
		if !p.FixedMonthly.IsZero() {
			fe.add("fixed_monthly", "Set the monthly fee to 0: a one-time plan has no monthly charge.")
		}
		if !p.Minimum.IsZero() {
			fe.add("minimum", "Set the minimum to 0: a one-time plan has no monthly charge for a minimum to lift.")
		}
	}

	if p.EffectiveFrom.IsZero() {
		fe.add("effective_from", "Enter the first day the plan applies.")
	} else if p.EffectiveTo != nil && !day(*p.EffectiveTo).After(day(p.EffectiveFrom)) {
		fe.add("effective_to", fmt.Sprintf("Enter a day after %s: effective-to is the first day the plan no longer applies (got %s).",
			formatDay(day(p.EffectiveFrom)), formatDay(day(*p.EffectiveTo))))
	}
	return fe.err()
}

// validateTiers checks that the tiers cover [0, ∞) exactly once: bounds
// strictly increasing from above 0, every tier but the last bounded, the last
// open-ended.
func validateTiers(tiers []Tier, fe *fieldErrors) {
	start := decimal.Zero // where the current tier starts
	for i, t := range tiers {
		field := fmt.Sprintf("tiers[%d]", i)
		if msg := UnitPrice.Check(t.UnitPrice); msg != "" {
			fe.add(field+".unit_price", msg)
		}
		if t.UpTo != nil {
			if msg := Quantity.Check(*t.UpTo); msg != "" {
				fe.add(field+".up_to", msg)
				continue
			}
		}
		last := i == len(tiers)-1
		switch {
		case t.UpTo == nil && !last:
			fe.add(field+".up_to", fmt.Sprintf("Enter where tier %d ends: only the last tier is open-ended, and tier %d starts where tier %d ends.", i+1, i+2, i+1))
		case t.UpTo != nil && last:
			fe.add(field+".up_to", fmt.Sprintf("Leave the last tier's up-to empty so that quantities above %s have a price, or add a tier after it.", t.UpTo))
		case t.UpTo != nil && !t.UpTo.GreaterThan(start):
			if i == 0 {
				fe.add(field+".up_to", fmt.Sprintf("Tier 1 starts at 0, so it must end above 0 (got %s).", t.UpTo))
			} else {
				fe.add(field+".up_to", fmt.Sprintf("Tier %d must start where tier %d ends (%s), so it must end above %s (got %s).", i+1, i, start, start, t.UpTo))
			}
		}
		if t.UpTo != nil && t.UpTo.GreaterThan(start) {
			start = *t.UpTo
		}
	}
}

// effectiveOn reports whether the plan applies on calendar date d (midnight
// UTC, see day).
func (p RatePlan) effectiveOn(d time.Time) bool {
	if d.Before(day(p.EffectiveFrom)) {
		return false
	}
	return p.EffectiveTo == nil || d.Before(day(*p.EffectiveTo))
}

// span describes the plan's days for messages: "2026-01-01 to 2026-06-30"
// (last day inclusive) or "2026-07-01 onwards".
func (p RatePlan) span() string {
	from := day(p.EffectiveFrom)
	if p.EffectiveTo == nil {
		return formatDay(from) + " onwards"
	}
	return formatDay(from) + " to " + formatDay(day(*p.EffectiveTo).AddDate(0, 0, -1))
}

// CheckNoOverlap refuses plans of one offering (same OfferingID) that apply
// on a common day. The *ValidationError names each clash as
// plans[j].effective_from with both date ranges. Plans whose effective-to is
// not after their effective-from apply on no day and clash with nothing;
// Validate reports them.
func CheckNoOverlap(plans []RatePlan) error {
	var fe fieldErrors
	for j := range plans {
		b := plans[j]
		bFrom := day(b.EffectiveFrom)
		if b.EffectiveTo != nil && !day(*b.EffectiveTo).After(bFrom) {
			continue
		}
		for i := 0; i < j; i++ {
			a := plans[i]
			if a.OfferingID != b.OfferingID {
				continue
			}
			aFrom := day(a.EffectiveFrom)
			if a.EffectiveTo != nil && !day(*a.EffectiveTo).After(aFrom) {
				continue
			}
			aEndsAfterBStarts := a.EffectiveTo == nil || day(*a.EffectiveTo).After(bFrom)
			bEndsAfterAStarts := b.EffectiveTo == nil || day(*b.EffectiveTo).After(aFrom)
			if aEndsAfterBStarts && bEndsAfterAStarts {
				fe.add(fmt.Sprintf("plans[%d].effective_from", j), fmt.Sprintf(
					"The plan effective %s overlaps plans[%d], effective %s: only one plan may apply to an offering on any day, so end one plan (effective-to, exclusive) on or before the day the other starts.",
					b.span(), i, a.span()))
			}
		}
	}
	return fe.err()
}

// PlanAt returns the plan of one offering in effect at t. Plans apply to
// whole days: t's calendar date, read in t's own location, decides, so pass
// t.In(loc) for an instant in the billing location. The error wraps
// ErrNoPlan when no plan applies, and is also returned when two plans apply
// (overlapping plans that CheckNoOverlap would have refused).
func PlanAt(plans []RatePlan, t time.Time) (RatePlan, error) {
	i, err := planIndexOn(plans, day(t))
	if err != nil {
		return RatePlan{}, err
	}
	return plans[i], nil
}

func planIndexOn(plans []RatePlan, d time.Time) (int, error) {
	found := -1
	for i, p := range plans {
		if !p.effectiveOn(d) {
			continue
		}
		if found >= 0 {
			return -1, fmt.Errorf("rating: plans[%d] (%s) and plans[%d] (%s) both apply on %s; fix them with CheckNoOverlap",
				found, plans[found].span(), i, p.span(), formatDay(d))
		}
		found = i
	}
	if found < 0 {
		return -1, fmt.Errorf("rating: %w on %s", ErrNoPlan, formatDay(d))
	}
	return found, nil
}
