// Package rating is the pricing arithmetic of Engage: rate plans, tiers,
// proration and charges. It reads no database and serves no HTTP; catalog
// quotes and billing runs call it.
//
// # Money, precision and rounding
//
// Money is an exact decimal (shopspring/decimal), never a float. Rating keeps
// full precision: additions and multiplications are exact, and the only
// division, proration by days, is done once per line after multiplying and
// carried to ProrationPlaces (16) decimal places, half away from zero. Only a
// statement line is rounded, by RoundLine, to its currency's minor unit (2
// places for EUR, USD, GBP, CHF and most others, 0 for JPY and KRW, 3 for BHD,
// KWD, OMR, JOD and TND; see MinorUnits), half away from zero for positive and
// negative amounts alike (2.345 → 2.35, −2.345 → −2.35). Total and Totals add
// rounded lines, so a statement's total is the sum of what it shows; amounts
// in different currencies are never added together.
//
// # Dates and periods
//
// A period is a calendar month in a location (UTC when none is given); see
// Period and PeriodOf. Plans, subscriptions and quantity segments are dated
// by calendar day: a date field's year, month and day are read in the
// time.Time's own location and its clock time is ignored, so store dates as
// midnight UTC or midnight in the billing location. A plan applies from
// EffectiveFrom (inclusive) to EffectiveTo (exclusive); plans of one offering
// may not share a day (CheckNoOverlap), and PlanAt finds the plan for the
// calendar date of an instant, read in the instant's location.
//
// # Tiers
//
// A tier runs from where the previous one ends (the first from 0) up to and
// including UpTo; the last is open-ended. Graduated tiers price each unit by
// the tier it falls in; volume tiers price every unit by the tier the
// quantity reaches, a quantity equal to a bound belonging to that tier.
// Quantities may be fractional and are never negative. Usage tiers
// accumulate per department, offering and month: Price rates added units
// after prior ones, and pricing in steps adds up exactly to pricing at once.
// Under volume tiers the month's total quantity decides every unit's price,
// so volume usage is billed on the period total (PeriodCharge, or UsageLine
// with prior 0); an incremental volume price is the change in that total and
// may be negative.
//
// # Subscriptions and proration
//
// Person-month, unit-month and fixed-month plans are subscriptions, prorated
// by days of service over the days of that calendar month. Start is the first
// day of service and End the last day of service, both inclusive: service
// from 16 March pays 16/31 of March, service from 1 to 15 March pays 15/31.
// Quantity changes and a new plan taking effect inside a month split it; each
// run of days is charged by its own plan and quantity. Subscription tiers
// apply to the quantity held during a run. A fixed-month plan ignores
// quantity: its FixedMonthly fee is due per subscription (two instances are
// two subscriptions). Any plan's FixedMonthly fee is prorated the same way.
// Unit-hour, request and unit plans are metered: priced on the quantity used,
// never prorated.
//
// # One-time charges and the minimum
//
// The setup fee (OneTime, once per subscription whatever the quantity) and
// the price of a one-time plan are charged only in the month of the
// subscription's start, by the plan in effect that day. The minimum applies
// per department, offering and month, is not prorated, and is compared with
// the rounded recurring lines (one-time charges excluded); ApplyMinimum
// returns the top-up as a line of its own. Callers pass the plan in effect on
// the last day of service in the month.
//
// # Quotes
//
// QuotePlan gives a whole month's charge for a quantity (fixed fee plus
// quantity price, raised to the minimum) and the three-year total, one-time
// charges + 36 × monthly, to compare offerings.
package rating
