package costs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
)

// The facts of one period that results are computed from, read in one go.

type serviceInfo struct {
	ID            int64
	Slug, Name    string
	Family        string
	DeliveryModel string
	OwnerID       int64
	OwnerName     string
	offerings     []*offeringInfo
}

type offeringInfo struct {
	ID, ServiceID int64
	Slug, Name    string
	plans         []planInfo
	// Set per period:
	plan *planInfo
}

type planInfo struct {
	Currency, Unit          string
	UnitPrice, FixedMonthly decimal.Decimal
	Tiered                  bool
	From                    time.Time
	To                      *time.Time
}

// Quantity kinds, decided by the unit of the offering's plan.
func metered(unit string) bool { return unit == "unit-hour" || unit == "request" || unit == "unit" }

// amount keyed by currency.
type byCurrency map[string]decimal.Decimal

func (m byCurrency) add(currency string, d decimal.Decimal) { m[currency] = m[currency].Add(d) }

func (m byCurrency) currencies() []string {
	out := make([]string, 0, len(m))
	for c := range m {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

type deptOffering struct{ dept, offering int64 }

// facts is everything read for one period.
type facts struct {
	period      string
	first, last time.Time
	days        int64

	services   []*serviceInfo // by name
	serviceBy  map[int64]*serviceInfo
	offeringBy map[int64]*offeringInfo
	deptNames  map[int64]string

	// subscription unit-days per service (the driver, days cancel out)
	subDays map[int64]decimal.Decimal
	// the offering's quantity numerator; the quantity is num ÷ den(offering)
	qtyNum     map[int64]decimal.Decimal
	deptQtyNum map[deptOffering]decimal.Decimal

	charged         map[int64]byCurrency // per service
	offeringCharged map[int64]byCurrency
	deptCharged     map[deptOffering]byCurrency

	pools []Pool
}

// den is what an offering's quantity numerator is divided by: the days of
// the month for subscriptions measured in unit-days, 1 for counts.
func (f *facts) den(o *offeringInfo) decimal.Decimal {
	if o.plan != nil && (metered(o.plan.Unit) || o.plan.Unit == "one-time") {
		return decimal.NewFromInt(1)
	}
	return decimal.NewFromInt(f.days)
}

func (f *facts) unit(o *offeringInfo) string {
	if o.plan == nil {
		return ""
	}
	return o.plan.Unit
}

// quantity is num ÷ den, carried to Places.
func (f *facts) quantity(o *offeringInfo, num decimal.Decimal) decimal.Decimal {
	d := f.den(o)
	if d.Equal(decimal.NewFromInt(1)) {
		return num
	}
	return num.DivRound(d, Places)
}

// planOn picks the plan in force on day, or else the latest plan that
// started before it, or else the first plan.
func planOn(plans []planInfo, day time.Time) *planInfo {
	var before *planInfo
	for i := range plans {
		pl := &plans[i]
		if !pl.From.After(day) {
			if pl.To == nil || pl.To.After(day) {
				return pl
			}
			before = pl
		}
	}
	if before != nil {
		return before
	}
	if len(plans) > 0 {
		return &plans[0]
	}
	return nil
}

func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func daysBetween(a, b time.Time) int64 { return int64(b.Sub(a).Hours()/24+0.5) + 1 }

// loadFacts reads everything results need for period.
func loadFacts(ctx context.Context, q db.Querier, period string) (*facts, error) {
	first, last, err := parsePeriod("period", period)
	if err != nil {
		return nil, err
	}
	f := &facts{period: period, first: first, last: last, days: int64(last.Day()),
		serviceBy: map[int64]*serviceInfo{}, offeringBy: map[int64]*offeringInfo{}, deptNames: map[int64]string{},
		subDays: map[int64]decimal.Decimal{}, qtyNum: map[int64]decimal.Decimal{}, deptQtyNum: map[deptOffering]decimal.Decimal{},
		charged: map[int64]byCurrency{}, offeringCharged: map[int64]byCurrency{}, deptCharged: map[deptOffering]byCurrency{}}
	if err := f.loadCatalog(ctx, q); err != nil {
		return nil, err
	}
	if err := f.loadSubscriptions(ctx, q); err != nil {
		return nil, err
	}
	if err := f.loadUsage(ctx, q); err != nil {
		return nil, err
	}
	if err := f.loadCharges(ctx, q); err != nil {
		return nil, err
	}
	if f.pools, err = listPools(ctx, q, "p.period = ?", period); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *facts) loadCatalog(ctx context.Context, q db.Querier) error {
	rows, err := q.Query(ctx, `SELECT s.id, s.slug, s.name, s.family, s.delivery_model, COALESCE(s.owner_id, 0), COALESCE(p.name, '')
		FROM services s LEFT JOIN people p ON p.id = s.owner_id ORDER BY s.name, s.id`)
	if err != nil {
		return fmt.Errorf("reading services: %w", err)
	}
	for rows.Next() {
		s := &serviceInfo{}
		if err := rows.Scan(&s.ID, &s.Slug, &s.Name, &s.Family, &s.DeliveryModel, &s.OwnerID, &s.OwnerName); err != nil {
			rows.Close()
			return err
		}
		f.services = append(f.services, s)
		f.serviceBy[s.ID] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.Query(ctx, "SELECT id, service_id, slug, name FROM offerings ORDER BY service_id, position, name, id")
	if err != nil {
		return fmt.Errorf("reading offerings: %w", err)
	}
	for rows.Next() {
		o := &offeringInfo{}
		if err := rows.Scan(&o.ID, &o.ServiceID, &o.Slug, &o.Name); err != nil {
			rows.Close()
			return err
		}
		if s := f.serviceBy[o.ServiceID]; s != nil {
			s.offerings = append(s.offerings, o)
			f.offeringBy[o.ID] = o
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.Query(ctx, `SELECT offering_id, currency, unit, unit_price, fixed_monthly, tiers_json, effective_from, effective_to
		FROM rate_plans ORDER BY offering_id, effective_from`)
	if err != nil {
		return fmt.Errorf("reading rate plans: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var pl planInfo
		var tiers string
		var to sql.NullTime
		if err := rows.Scan(&id, &pl.Currency, &pl.Unit, &pl.UnitPrice, &pl.FixedMonthly, &tiers, &pl.From, &to); err != nil {
			return err
		}
		var bands []json.RawMessage
		_ = json.Unmarshal([]byte(tiers), &bands)
		pl.Tiered, pl.From = len(bands) > 0, day(pl.From.UTC())
		if to.Valid {
			t := day(to.Time.UTC())
			pl.To = &t
		}
		if o := f.offeringBy[id]; o != nil {
			o.plans = append(o.plans, pl)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range f.offeringBy {
		o.plan = planOn(o.plans, f.last)
	}
	return nil
}

func (f *facts) loadSubscriptions(ctx context.Context, q db.Querier) error {
	type segment struct {
		from time.Time
		qty  decimal.Decimal
	}
	type sub struct {
		id, dept, offering int64
		qty                decimal.Decimal
		start              time.Time
		end                *time.Time
		segs               []segment
	}
	runs, err := catalog.RunningSubscriptions(ctx, q, f.first, f.last)
	if err != nil {
		return err
	}
	subs := make([]*sub, 0, len(runs))
	for _, r := range runs {
		su := &sub{id: r.ID, dept: r.DepartmentID, offering: r.OfferingID, qty: r.Quantity, start: day(r.Start)}
		if r.End != nil {
			e := day(*r.End)
			su.end = &e
		}
		for _, g := range r.Segments {
			su.segs = append(su.segs, segment{from: day(g.From), qty: g.Quantity})
		}
		f.deptNames[su.dept] = r.DepartmentName
		subs = append(subs, su)
	}
	for _, su := range subs {
		o := f.offeringBy[su.offering]
		if o == nil {
			continue
		}
		from, to := su.start, f.last
		if from.Before(f.first) {
			from = f.first
		}
		if su.end != nil && su.end.Before(to) {
			to = *su.end
		}
		if to.Before(from) {
			continue
		}
		if len(su.segs) == 0 {
			su.segs = []segment{{su.start, su.qty}}
		}
		// Unit-days: each run of days at the quantity in force.
		unitDays := decimal.Zero
		for i, sg := range su.segs {
			a, b := sg.from, to
			if i+1 < len(su.segs) {
				b = su.segs[i+1].from.AddDate(0, 0, -1)
			}
			if a.Before(from) {
				a = from
			}
			if b.After(to) {
				b = to
			}
			if b.Before(a) {
				continue
			}
			unitDays = unitDays.Add(sg.qty.Mul(decimal.NewFromInt(daysBetween(a, b))))
		}
		f.subDays[o.ServiceID] = f.subDays[o.ServiceID].Add(unitDays)
		var num decimal.Decimal
		switch unit := f.unit(o); {
		case metered(unit):
			continue // measured by usage
		case unit == "one-time":
			if su.start.Before(f.first) {
				continue
			}
			num = su.qty
			if len(su.segs) > 0 {
				num = su.segs[0].qty
			}
		case unit == "fixed-month":
			num = decimal.NewFromInt(daysBetween(from, to)) // instance-days
		default:
			num = unitDays
		}
		f.qtyNum[o.ID] = f.qtyNum[o.ID].Add(num)
		k := deptOffering{su.dept, o.ID}
		f.deptQtyNum[k] = f.deptQtyNum[k].Add(num)
	}
	return nil
}

func (f *facts) loadUsage(ctx context.Context, q db.Querier) error {
	totals, err := billing.UsageTotals(ctx, q, f.period)
	if err != nil {
		return err
	}
	for _, t := range totals {
		o := f.offeringBy[t.OfferingID]
		if o == nil || !metered(f.unit(o)) {
			continue
		}
		f.deptNames[t.DepartmentID] = t.DepartmentName
		f.qtyNum[o.ID] = f.qtyNum[o.ID].Add(t.Quantity)
		k := deptOffering{t.DepartmentID, o.ID}
		f.deptQtyNum[k] = f.deptQtyNum[k].Add(t.Quantity)
	}
	return nil
}

func (f *facts) loadCharges(ctx context.Context, q db.Querier) error {
	charges, err := billing.ServiceCharges(ctx, q, f.period)
	if err != nil {
		return err
	}
	for _, c := range charges {
		f.deptNames[c.DepartmentID] = c.DepartmentName
		add := func(m map[int64]byCurrency, id int64) {
			if m[id] == nil {
				m[id] = byCurrency{}
			}
			m[id].add(c.Currency, c.Amount)
		}
		add(f.charged, c.ServiceID)
		if c.OfferingID != 0 {
			add(f.offeringCharged, c.OfferingID)
			k := deptOffering{c.DepartmentID, c.OfferingID}
			if f.deptCharged[k] == nil {
				f.deptCharged[k] = byCurrency{}
			}
			f.deptCharged[k].add(c.Currency, c.Amount)
		}
	}
	return nil
}
