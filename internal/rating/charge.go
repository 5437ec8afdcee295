package rating

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// LineKind says what a statement line charges for.
type LineKind string

const (
	// KindSubscription is quantity × the (tiered) unit price of a
	// person-month or unit-month plan, prorated by days of service.
	KindSubscription LineKind = "subscription"
	// KindFixed is a plan's fixed monthly fee, prorated by days of service.
	KindFixed LineKind = "fixed"
	// KindUsage is metered usage (unit-hour, request, unit), not prorated.
	KindUsage LineKind = "usage"
	// KindSetupFee is a plan's one-time fee, charged in the start month.
	KindSetupFee LineKind = "setup-fee"
	// KindOneTime is the price of a one-time plan's quantity, charged in the
	// start month.
	KindOneTime LineKind = "one-time"
	// KindMinimum tops the month's recurring lines up to the plan's minimum.
	KindMinimum LineKind = "minimum"
)

// recurring reports whether lines of kind k count towards the minimum.
func (k LineKind) recurring() bool {
	return k == KindSubscription || k == KindFixed || k == KindUsage
}

// Line is one charge on a department's statement. Amount is at full
// precision; Rounded gives what the statement shows and totals add.
type Line struct {
	Kind     LineKind
	PlanID   int64
	Currency string
	// From and Through are the first and last days the line covers (both
	// inclusive), as midnight in the period's location.
	From, Through time.Time
	// Days of PeriodDays is the proration fraction of fixed and subscription
	// lines (16 of 31 for service from 16 March); both are 0 on other lines.
	Days, PeriodDays int
	Quantity         decimal.Decimal
	Amount           decimal.Decimal
}

// Rounded is the line's amount rounded to its currency's minor unit.
func (l Line) Rounded() decimal.Decimal { return RoundLine(l.Amount, l.Currency) }

// Segment is a quantity held from a day (inclusive) until the next segment
// starts or the subscription ends.
type Segment struct {
	From     time.Time
	Quantity decimal.Decimal
}

// Subscription is one department's holding of one offering.
type Subscription struct {
	// Start is the first day of service (inclusive).
	Start time.Time
	// End is the last day of service (inclusive); nil while it runs on.
	End *time.Time
	// Segments give the quantity over time, in order of From; the first must
	// start on or before Start. Fixed-month and metered plans do not use
	// them and may leave them empty.
	Segments []Segment
}

// Validate checks the subscription's dates and segments.
func (s Subscription) Validate() error {
	var fe fieldErrors
	start := day(s.Start)
	if s.Start.IsZero() {
		fe.add("start", "Enter the first day of service.")
	} else if s.End != nil && day(*s.End).Before(start) {
		fe.add("end", fmt.Sprintf("Enter a last day of service on or after the start (%s); the end day is included.", formatDay(start)))
	}
	for i, seg := range s.Segments {
		field := fmt.Sprintf("segments[%d]", i)
		if seg.Quantity.IsNegative() {
			fe.add(field+".quantity", fmt.Sprintf("Enter a quantity of 0 or more (got %s).", seg.Quantity))
		}
		if i == 0 && !s.Start.IsZero() && day(seg.From).After(start) {
			fe.add(field+".from", fmt.Sprintf("Start the first quantity on or before the first day of service (%s).", formatDay(start)))
		}
		if i > 0 && !day(seg.From).After(day(s.Segments[i-1].From)) {
			fe.add(field+".from", fmt.Sprintf("Start each quantity after the one before it (%s).", formatDay(day(s.Segments[i-1].From))))
		}
	}
	return fe.err()
}

// segmentOn returns the index of the segment in force on date d, or -1.
func (s Subscription) segmentOn(d time.Time) int {
	found := -1
	for i, seg := range s.Segments {
		if day(seg.From).After(d) {
			break
		}
		found = i
	}
	return found
}

// SubscriptionLines returns the lines one subscription owes for period, given
// the plans of its offering. Days of service in the month (Start and End both
// inclusive) are split wherever the quantity changes and wherever a new plan
// takes effect; each run of days is charged by the plan in effect on those
// days, prorated by days of service over days in the month:
//
//   - a fixed line per plan run with a fixed monthly fee;
//   - for person-month and unit-month plans, a subscription line per run of
//     one plan and one quantity: the plan's (tiered) price of that quantity
//     for a whole month, prorated. Tiers apply to the quantity held, not to
//     quantities added up over the month. Runs with quantity 0 have no line;
//   - fixed-month plans ignore quantity; metered plans only get fixed lines
//     here (price their usage with UsageLine);
//   - in the month of Start only, the setup fee (OneTime, once per
//     subscription whatever the quantity) of the plan in effect on Start,
//     and for a one-time plan the price of the quantity held on Start.
//
// It returns a *ValidationError for a bad subscription or plan, and an error
// wrapping ErrNoPlan when a day of service has no plan.
func SubscriptionLines(plans []RatePlan, sub Subscription, period Period) ([]Line, error) {
	if err := sub.Validate(); err != nil {
		return nil, err
	}
	checked := make(map[int]bool)
	planOn := func(d time.Time) (int, error) {
		i, err := planIndexOn(plans, d)
		if err != nil {
			return -1, err
		}
		if !checked[i] {
			if err := plans[i].Validate(); err != nil {
				return -1, fmt.Errorf("rating: plans[%d]: %w", i, err)
			}
			checked[i] = true
		}
		return i, nil
	}
	quantityOn := func(d time.Time) (decimal.Decimal, error) {
		si := sub.segmentOn(d)
		if si < 0 {
			return decimal.Zero, &ValidationError{Fields: []FieldError{{
				Field:   "segments",
				Message: fmt.Sprintf("Give the quantity held from the first day of service (%s).", formatDay(day(sub.Start))),
			}}}
		}
		return sub.Segments[si].Quantity, nil
	}

	var lines []Line
	start := day(sub.Start)
	if period.contains(start) {
		pi, err := planOn(start)
		if err != nil {
			return nil, err
		}
		plan := plans[pi]
		if plan.OneTime.IsPositive() {
			lines = append(lines, Line{
				Kind: KindSetupFee, PlanID: plan.ID, Currency: plan.Currency,
				From: period.inLoc(start), Through: period.inLoc(start),
				Quantity: decimal.NewFromInt(1), Amount: plan.OneTime,
			})
		}
		if plan.Unit == OneTimeUnit {
			q, err := quantityOn(start)
			if err != nil {
				return nil, err
			}
			lines = append(lines, Line{
				Kind: KindOneTime, PlanID: plan.ID, Currency: plan.Currency,
				From: period.inLoc(start), Through: period.inLoc(start),
				Quantity: q, Amount: quantityCharge(plan, q),
			})
		}
	}

	from, through, ok := serviceSpan(sub.Start, sub.End, period)
	if !ok {
		return lines, nil
	}
	// Split the days of service into runs of one plan and one segment.
	type run struct {
		plan, seg   int
		first, last time.Time
	}
	var runs []run
	for d := from; !d.After(through); d = d.AddDate(0, 0, 1) {
		pi, err := planOn(d)
		if err != nil {
			return nil, err
		}
		si := sub.segmentOn(d)
		if n := len(runs); n > 0 && runs[n-1].plan == pi && runs[n-1].seg == si {
			runs[n-1].last = d
			continue
		}
		runs = append(runs, run{plan: pi, seg: si, first: d, last: d})
	}

	one := decimal.NewFromInt(1)
	for i := 0; i < len(runs); {
		plan := plans[runs[i].plan]
		j := i
		for j < len(runs) && runs[j].plan == runs[i].plan {
			j++
		}
		// runs[i:j] share one plan.
		if plan.Unit != OneTimeUnit && plan.FixedMonthly.IsPositive() {
			days := daysBetween(runs[i].first, runs[j-1].last) + 1
			lines = append(lines, Line{
				Kind: KindFixed, PlanID: plan.ID, Currency: plan.Currency,
				From: period.inLoc(runs[i].first), Through: period.inLoc(runs[j-1].last),
				Days: days, PeriodDays: period.Days(),
				Quantity: one, Amount: Prorate(plan.FixedMonthly, days, period),
			})
		}
		if plan.Unit == PersonMonth || plan.Unit == UnitMonth {
			for _, r := range runs[i:j] {
				q, err := quantityOn(r.first)
				if err != nil {
					return nil, err
				}
				if q.IsZero() {
					continue
				}
				days := daysBetween(r.first, r.last) + 1
				lines = append(lines, Line{
					Kind: KindSubscription, PlanID: plan.ID, Currency: plan.Currency,
					From: period.inLoc(r.first), Through: period.inLoc(r.last),
					Days: days, PeriodDays: period.Days(),
					Quantity: q, Amount: Prorate(quantityCharge(plan, q), days, period),
				})
			}
		}
		i = j
	}
	return lines, nil
}

// UsageLine prices added units of metered usage (unit-hour, request or unit)
// in period, after prior units already rated in the same period for the same
// department and offering; see Price. With prior 0 and added the period's
// total it is the whole-period charge, which is how volume plans should be
// billed.
func UsageLine(plan RatePlan, period Period, prior, added decimal.Decimal) (Line, error) {
	if plan.Unit.Valid() && !plan.Unit.Metered() {
		return Line{}, &ValidationError{Fields: []FieldError{{
			Field:   "unit",
			Message: fmt.Sprintf("Price %s plans with SubscriptionLines: usage lines are for unit-hour, request and unit plans.", plan.Unit),
		}}}
	}
	amount, err := Price(plan, prior, added)
	if err != nil {
		return Line{}, err
	}
	return Line{
		Kind: KindUsage, PlanID: plan.ID, Currency: plan.Currency,
		From: period.inLoc(period.first()), Through: period.inLoc(period.last()),
		Quantity: added, Amount: amount,
	}, nil
}

// MinimumTopUp returns what lifts charged up to minimum: minimum − charged
// when charged is below it, otherwise 0.
func MinimumTopUp(minimum, charged decimal.Decimal) decimal.Decimal {
	if charged.LessThan(minimum) {
		return minimum.Sub(charged)
	}
	return decimal.Zero
}

// ApplyMinimum applies plan's minimum to one department's lines for one
// offering in period. It adds up the rounded recurring lines (subscription,
// fixed and usage; setup fees, one-time charges and earlier top-ups are
// excluded) and, when they come to less than the minimum (rounded to the
// currency), returns a KindMinimum line for the difference, so that the
// statement shows the top-up on its own line and its lines add up to the
// minimum. The minimum is per month and not prorated; ok is false when no
// top-up is due. Lines in a currency other than the plan's are refused.
func ApplyMinimum(plan RatePlan, period Period, lines []Line) (top Line, ok bool, err error) {
	if err := plan.Validate(); err != nil {
		return Line{}, false, err
	}
	charged := decimal.Zero
	for i, l := range lines {
		if !l.Kind.recurring() {
			continue
		}
		if l.Currency != plan.Currency {
			return Line{}, false, fmt.Errorf("rating: lines[%d] is in %s but the plan is in %s; a minimum applies to lines in the plan's currency", i, l.Currency, plan.Currency)
		}
		charged = charged.Add(l.Rounded())
	}
	topUp := MinimumTopUp(RoundLine(plan.Minimum, plan.Currency), charged)
	if !topUp.IsPositive() {
		return Line{}, false, nil
	}
	return Line{
		Kind: KindMinimum, PlanID: plan.ID, Currency: plan.Currency,
		From: period.inLoc(period.first()), Through: period.inLoc(period.last()),
		Quantity: decimal.NewFromInt(1), Amount: topUp,
	}, true, nil
}

// QuoteMonths is the number of months a Quote's long-run total covers.
const QuoteMonths = 36

// Quote compares offerings: what a quantity costs per full month and over
// three years. All amounts are rounded as a statement would round them.
type Quote struct {
	Currency string
	// Monthly is the recurring charge for a whole month: the fixed fee plus
	// the (tiered) price of the quantity, raised to the minimum. 0 for a
	// one-time plan.
	Monthly decimal.Decimal
	// OneTime is the setup fee, plus the price of the quantity for a
	// one-time plan.
	OneTime decimal.Decimal
	// ThreeYear is OneTime + 36 × Monthly.
	ThreeYear decimal.Decimal
}

// QuotePlan quotes quantity units of plan: seats or units held for a
// subscription, expected monthly usage for a metered plan; a fixed-month plan
// ignores it.
func QuotePlan(plan RatePlan, quantity decimal.Decimal) (Quote, error) {
	charge, err := PeriodCharge(plan, quantity)
	if err != nil {
		return Quote{}, err
	}
	c := plan.Currency
	q := Quote{Currency: c, Monthly: decimal.Zero, OneTime: RoundLine(plan.OneTime, c)}
	if plan.Unit == OneTimeUnit {
		q.OneTime = q.OneTime.Add(RoundLine(charge, c))
	} else {
		q.Monthly = RoundLine(plan.FixedMonthly, c).Add(RoundLine(charge, c))
		q.Monthly = q.Monthly.Add(MinimumTopUp(RoundLine(plan.Minimum, c), q.Monthly))
	}
	q.ThreeYear = q.OneTime.Add(q.Monthly.Mul(decimal.NewFromInt(QuoteMonths)))
	return q, nil
}
