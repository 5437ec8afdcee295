// Package costs is the cost side of Engage, in the manner of TBM (Technology
// Business Management): finance loads what running IT cost each month as
// cost pools (labour, hardware, software, external vendor, facilities),
// allocates each pool to services, and Engage sets the cost of every service
// beside what it charged (its statement lines) to give cost recovery, unit
// cost per offering, the offerings priced below cost and legacy-versus-cloud
// unit cost — the facts behind a decision to re-source a service.
//
// Decisions:
//   - A pool belongs to a period (a calendar month, YYYY-MM) and has a
//     category, a name unique in its period, an amount above zero and a
//     currency. Amounts are exact decimals; nothing is rounded until shown.
//   - A pool is allocated by percentages (summing to exactly 100), by
//     subscription quantity, or by charged amount, or not at all. A driver is
//     measured in the pool's period over the services named, or over every
//     service when none is named. Subscription quantity is the quantity of
//     each subscription running in the period times the days it ran, over
//     the days of the month (unit-months; a subscription from 16 March counts
//     16/31). Charged amount is the sum of the service's statement lines in
//     the period in the pool's currency only — currencies are never mixed.
//   - Shares are carried to 16 decimal places; the last share with a
//     non-zero weight takes the remainder, so the parts add up exactly to
//     the pool. A pool not allocated, or whose driver measures nothing, is
//     reported as unallocated cost with the reason, never dropped.
//   - Charged is the sum of a service's statement lines (their rounded
//     amounts, as departments see them) in the period, per currency. Cloud
//     and adjustment lines name no service and are not counted.
//   - Cost recovery = charged ÷ cost × 100, rounded to one decimal half away
//     from zero with exact decimal arithmetic; it is undefined when the cost
//     is 0. Below 100 is flagged.
//   - Unit cost: a service's cost in a currency is shared among its
//     offerings by what each charged in that currency, or by quantity when
//     the service charged nothing in it, and divided by the offering's
//     quantity in the period: usage for metered offerings (unit-hour,
//     request, unit), instance-months for fixed-month offerings, units
//     started in the period for one-time offerings, and unit-months (as for
//     the driver) for the others.
//   - Unit price is the price of the plan in force on the period's last day
//     (the monthly fee for fixed-month plans); for a plan priced in bands it
//     is what was charged per unit on average. An offering is priced below
//     cost when its unit price is below its unit cost in the same currency.
//   - Legacy versus cloud compares, per service family, currency and unit,
//     the total cost over the total quantity of the offerings of legacy
//     services with those of cloud services.
//   - Finance and admins load and allocate pools; finance, the portfolio
//     board and admins read pools and every service's results; a service's
//     owner reads the results of the services they own, and nothing else of
//     cost. Pools stay editable after a billing period closes, since cost
//     actuals usually arrive after month end; every change is audited.
package costs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

// Places is the precision shares and unit costs are carried to.
const Places = rating.ProrationPlaces

// Choice is an allowed value and its plain-words label.
type Choice struct {
	Value, Label string
}

// Categories lists the cost pool categories in the order they are shown.
var Categories = []Choice{
	{"labour", "Labour"}, {"hardware", "Hardware"}, {"software", "Software"},
	{"external-vendor", "External vendor"}, {"facilities", "Facilities"},
}

// CategoryLabel returns the plain-words name of a category.
func CategoryLabel(v string) string {
	for _, c := range Categories {
		if c.Value == v {
			return c.Label
		}
	}
	return v
}

// Allocation methods.
const (
	MethodNone                 = "none"
	MethodPercent              = "percent"
	MethodSubscriptionQuantity = "subscription-quantity"
	MethodChargedAmount        = "charged-amount"
)

// Methods lists the allocation methods with their labels.
var Methods = []Choice{
	{MethodNone, "Not allocated"}, {MethodPercent, "Percentages"},
	{MethodSubscriptionQuantity, "By subscription quantity"}, {MethodChargedAmount, "By charged amount"},
}

// MethodLabel returns the plain-words name of an allocation method.
func MethodLabel(v string) string {
	for _, m := range Methods {
		if m.Value == v {
			return m.Label
		}
	}
	return v
}

// Service holds the cost rules over the database.
type Service struct {
	DB    *db.DB
	Clock engage.Clock
	// Currencies are those the organisation uses; pools in others are
	// refused.
	Currencies rating.Currencies
	// changed are called when a period's pools change (OnPoolsChanged).
	changed []func(ctx context.Context, tx *db.Tx, period string) error
}

// OnPoolsChanged registers fn to be called, in the transaction that
// changes them, for each period whose pools are added, changed or removed.
func (s *Service) OnPoolsChanged(fn func(ctx context.Context, tx *db.Tx, period string) error) {
	s.changed = append(s.changed, fn)
}

func (s *Service) poolsChanged(ctx context.Context, tx *db.Tx, periods ...string) error {
	for _, fn := range s.changed {
		for _, period := range periods {
			if err := fn(ctx, tx, period); err != nil {
				return err
			}
		}
	}
	return nil
}

// CurrencyAmount is an amount in a currency.
type CurrencyAmount struct {
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
}

// Split divides amount in proportion to weights. Each share is carried to
// Places decimal places, and the last share with a non-zero weight takes
// the remainder, so the shares add up exactly to amount. Weights must not
// be negative and must not all be zero.
func Split(amount decimal.Decimal, weights []decimal.Decimal) ([]decimal.Decimal, error) {
	total, last := decimal.Zero, -1
	for i, w := range weights {
		if w.IsNegative() {
			return nil, fmt.Errorf("costs: negative weight %s", w)
		}
		if !w.IsZero() {
			last = i
		}
		total = total.Add(w)
	}
	if last < 0 {
		return nil, fmt.Errorf("costs: nothing to split by")
	}
	out := make([]decimal.Decimal, len(weights))
	given := decimal.Zero
	for i, w := range weights {
		if i == last {
			continue
		}
		out[i] = amount.Mul(w).DivRound(total, Places)
		given = given.Add(out[i])
	}
	out[last] = amount.Sub(given)
	return out, nil
}

var hundred = decimal.NewFromInt(100)

// Recovery is charged ÷ cost as a percentage rounded to one decimal, half
// away from zero: 2.25 charged on 4.00 of cost is 56.3. It is nil when the
// cost is zero.
func Recovery(charged, cost decimal.Decimal) *decimal.Decimal {
	if cost.IsZero() {
		return nil
	}
	r := charged.Mul(hundred).DivRound(cost, 1)
	return &r
}

// parsePeriod checks YYYY-MM (rating.ParsePeriod) and returns the month's
// first and last days.
func parsePeriod(field, s string) (first, last time.Time, err error) {
	p, err := rating.ParsePeriod(field, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	first = p.Start()
	return first, first.AddDate(0, 1, -1), nil
}

// PeriodLabel writes 2026-03 as "March 2026".
func PeriodLabel(period string) string {
	t, err := time.Parse("2006-01", period)
	if err != nil {
		return period
	}
	return t.Format("January 2006")
}

// addMonths moves a YYYY-MM period by n months.
func addMonths(period string, n int) string {
	t, err := time.Parse("2006-01", period)
	if err != nil {
		return period
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}

func signIn() error { return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.") }

// canWrite: finance and admins load and allocate pools.
func canWrite(p *access.Principal) error {
	if p == nil {
		return signIn()
	}
	if !p.ManagesMoney() {
		return engage.Errorf(engage.EFORBIDDEN, "Only finance and administrators can load and allocate cost pools.")
	}
	return nil
}

// MayWrite says whether p may load and allocate cost pools, asked before
// a pools file is received.
func (s *Service) MayWrite(p *access.Principal) error { return canWrite(p) }

// seesAll: finance, the portfolio board and admins read every pool and
// every service's costs.
func seesAll(p *access.Principal) bool {
	return p != nil && p.HasAny(access.Finance, access.PortfolioBoard, access.Admin)
}

// SeesAllCosts reports whether p reads every pool and every service's
// costs, not only those of the services p owns.
func SeesAllCosts(p *access.Principal) bool { return seesAll(p) }

func canReadPools(p *access.Principal) error {
	if p == nil {
		return signIn()
	}
	if !seesAll(p) {
		return engage.Errorf(engage.EFORBIDDEN, "Cost pools are for finance, the portfolio board and administrators.")
	}
	return nil
}
