package costs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

// PeriodResults are a period's costs set against its charges.
type PeriodResults struct {
	Period      string `json:"period"`
	PeriodLabel string `json:"period_label"`
	// Totals per currency: pools, what was allocated, what was not, and
	// what services charged.
	Totals []CostTotals `json:"totals" nullable:"false"`
	// Pools with their shares; absent for a service owner.
	Pools    []PoolResult      `json:"pools" nullable:"false"`
	Services []ServiceRecovery `json:"services" nullable:"false" doc:"Services with a cost or a charge in the period, by name"`
	// BelowCost lists the offerings whose unit price is below their unit cost.
	BelowCost []OfferingUnitCost `json:"below_cost" nullable:"false"`
	// Comparisons set legacy against cloud unit cost per family, currency and unit.
	Comparisons []ModelComparison `json:"comparisons" nullable:"false"`
	// Partial is true when the reader sees only the services they own.
	Partial bool `json:"partial"`
}

// CostTotals are one currency's figures for a period.
type CostTotals struct {
	Currency    string          `json:"currency"`
	Pools       decimal.Decimal `json:"pools"`
	Allocated   decimal.Decimal `json:"allocated"`
	Unallocated decimal.Decimal `json:"unallocated"`
	Charged     decimal.Decimal `json:"charged"`
}

// PoolResult is how one pool was shared.
type PoolResult struct {
	Pool        Pool            `json:"pool"`
	Shares      []PoolShare     `json:"shares" nullable:"false"`
	Unallocated decimal.Decimal `json:"unallocated"`
	Reason      string          `json:"reason,omitempty" doc:"Why part or all of the pool is unallocated"`
}

// PoolShare is one service's part of a pool.
type PoolShare struct {
	ServiceID   int64           `json:"service_id"`
	ServiceSlug string          `json:"service_slug"`
	ServiceName string          `json:"service_name"`
	Weight      decimal.Decimal `json:"weight" doc:"The percentage, unit-months or charged amount the share is in proportion to"`
	Amount      decimal.Decimal `json:"amount" doc:"Full precision; the shares add up exactly to the pool"`
}

// ServiceRecovery is one service's cost and charges in a period.
type ServiceRecovery struct {
	ServiceID     int64              `json:"service_id"`
	Slug          string             `json:"slug"`
	Name          string             `json:"name"`
	Family        string             `json:"family"`
	DeliveryModel string             `json:"delivery_model" enum:"legacy,cloud"`
	OwnerID       int64              `json:"owner_id,omitempty"`
	OwnerName     string             `json:"owner_name,omitempty"`
	Figures       []CostFigure       `json:"figures" nullable:"false" doc:"One per currency"`
	Offerings     []OfferingUnitCost `json:"offerings" nullable:"false"`
}

// CostFigure is a service's cost, charges and recovery in one currency.
type CostFigure struct {
	Currency   string           `json:"currency"`
	Cost       decimal.Decimal  `json:"cost" doc:"Sum of the pools' shares, full precision"`
	Charged    decimal.Decimal  `json:"charged" doc:"Sum of the service's statement lines"`
	Recovery   *decimal.Decimal `json:"recovery,omitempty" doc:"charged ÷ cost, a percentage with one decimal; absent when the cost is 0"`
	BelowCost  bool             `json:"below_cost" doc:"Recovery under 100%"`
	ByCategory []CategoryAmount `json:"by_category" nullable:"false"`
}

// CategoryAmount is the part of a cost that came from one category.
type CategoryAmount struct {
	Category string          `json:"category"`
	Amount   decimal.Decimal `json:"amount"`
}

// OfferingUnitCost is an offering's share of its service's cost in one
// currency, per unit.
type OfferingUnitCost struct {
	OfferingID  int64            `json:"offering_id"`
	Slug        string           `json:"slug"`
	Name        string           `json:"name"`
	ServiceID   int64            `json:"service_id"`
	ServiceSlug string           `json:"service_slug"`
	ServiceName string           `json:"service_name"`
	Currency    string           `json:"currency"`
	Unit        string           `json:"unit,omitempty"`
	Quantity    decimal.Decimal  `json:"quantity" doc:"Unit-months, instance-months, usage or units started in the period"`
	Charged     decimal.Decimal  `json:"charged"`
	Cost        decimal.Decimal  `json:"cost"`
	UnitCost    *decimal.Decimal `json:"unit_cost,omitempty" doc:"Absent when the offering had no quantity or no cost"`
	UnitPrice   *decimal.Decimal `json:"unit_price,omitempty" doc:"The price in force at the period's end; for banded plans the average charged per unit"`
	PriceBasis  string           `json:"price_basis,omitempty" enum:"list,average"`
	BelowCost   bool             `json:"below_cost"`
}

// ModelComparison sets legacy against cloud unit cost in one family, currency
// and unit.
type ModelComparison struct {
	Family   string          `json:"family"`
	Currency string          `json:"currency"`
	Unit     string          `json:"unit"`
	Legacy   ModelSide       `json:"legacy"`
	Cloud    ModelSide       `json:"cloud"`
	Saving   decimal.Decimal `json:"saving_per_unit" doc:"Legacy unit cost minus cloud unit cost; positive when cloud is cheaper to run"`
}

// ModelSide is the legacy or cloud half of a comparison.
type ModelSide struct {
	Offerings []string        `json:"offerings" nullable:"false"`
	Cost      decimal.Decimal `json:"cost"`
	Quantity  decimal.Decimal `json:"quantity"`
	UnitCost  decimal.Decimal `json:"unit_cost"`
}

// Results computes a period's costs against its charges. Finance, the
// portfolio board and admins see everything; a service owner sees only the
// services they own, without pools and comparisons.
func (s *Service) Results(ctx context.Context, p *access.Principal, period string) (PeriodResults, error) {
	if p == nil {
		return PeriodResults{}, signIn()
	}
	if !seesAll(p) && !p.Has(access.ServiceOwner) {
		return PeriodResults{}, engage.Errorf(engage.EFORBIDDEN, "Costs are for finance, the portfolio board, administrators and service owners.")
	}
	f, err := loadFacts(ctx, s.DB, period)
	if err != nil {
		return PeriodResults{}, err
	}
	res := compute(f)
	if !seesAll(p) {
		res = res.ownedBy(p.PersonID)
	}
	return res, nil
}

// ownedBy keeps only the services of one owner.
func (r PeriodResults) ownedBy(personID int64) PeriodResults {
	out := PeriodResults{Period: r.Period, PeriodLabel: r.PeriodLabel, Totals: []CostTotals{}, Pools: []PoolResult{}, Services: []ServiceRecovery{},
		BelowCost: []OfferingUnitCost{}, Comparisons: []ModelComparison{}, Partial: true}
	owned := map[int64]bool{}
	for _, sr := range r.Services {
		if sr.OwnerID == personID && personID != 0 {
			out.Services = append(out.Services, sr)
			owned[sr.ServiceID] = true
		}
	}
	for _, o := range r.BelowCost {
		if owned[o.ServiceID] {
			out.BelowCost = append(out.BelowCost, o)
		}
	}
	return out
}

// allocation is the outcome of sharing every pool of a period.
type allocation struct {
	pools      []PoolResult
	cost       map[int64]byCurrency            // per service
	byCategory map[int64]map[string]byCurrency // service → currency → category
}

func allocate(f *facts) allocation {
	a := allocation{cost: map[int64]byCurrency{}, byCategory: map[int64]map[string]byCurrency{}}
	for _, pl := range f.pools {
		pr := PoolResult{Pool: pl, Shares: []PoolShare{}}
		var cands []*serviceInfo
		var weights []decimal.Decimal
		listed := len(pl.Allocation.Targets) > 0
		measure := func(sv *serviceInfo, t *PoolTarget) {
			var w decimal.Decimal
			switch {
			case pl.Allocation.Method == MethodPercent && t != nil && t.Percent != nil:
				w = *t.Percent
			case pl.Allocation.Method == MethodSubscriptionQuantity:
				w = f.subDays[sv.ID]
			case pl.Allocation.Method == MethodChargedAmount:
				w = f.charged[sv.ID][pl.Currency]
			}
			cands, weights = append(cands, sv), append(weights, w)
		}
		if listed {
			for i := range pl.Allocation.Targets {
				t := &pl.Allocation.Targets[i]
				if sv := f.serviceBy[t.ServiceID]; sv != nil {
					measure(sv, t)
				}
			}
		} else if pl.Allocation.Method != MethodPercent {
			for _, sv := range f.services {
				measure(sv, nil)
			}
		}
		var shares []decimal.Decimal
		var err error
		switch pl.Allocation.Method {
		case MethodNone, "":
			pr.Reason = "Not allocated."
		default:
			shares, err = Split(pl.Amount, weights)
			if err != nil {
				switch pl.Allocation.Method {
				case MethodSubscriptionQuantity:
					pr.Reason = "No subscriptions to the services measured ran in " + PeriodLabel(f.period) + "."
				case MethodChargedAmount:
					pr.Reason = fmt.Sprintf("The services measured charged nothing in %s in %s.", pl.Currency, PeriodLabel(f.period))
				default:
					pr.Reason = "The allocation has no services."
				}
			}
		}
		if shares == nil {
			pr.Unallocated = pl.Amount
			a.pools = append(a.pools, pr)
			continue
		}
		for i, sv := range cands {
			if !listed && weights[i].IsZero() {
				continue // every service was measured; list those with a share
			}
			w := weights[i]
			if pl.Allocation.Method == MethodSubscriptionQuantity {
				w = w.DivRound(decimal.NewFromInt(f.days), Places) // unit-months
			}
			pr.Shares = append(pr.Shares, PoolShare{ServiceID: sv.ID, ServiceSlug: sv.Slug, ServiceName: sv.Name, Weight: w, Amount: shares[i]})
			if shares[i].IsZero() {
				continue // a listed service that measured nothing costs nothing
			}
			if a.cost[sv.ID] == nil {
				a.cost[sv.ID] = byCurrency{}
				a.byCategory[sv.ID] = map[string]byCurrency{}
			}
			a.cost[sv.ID].add(pl.Currency, shares[i])
			if a.byCategory[sv.ID][pl.Currency] == nil {
				a.byCategory[sv.ID][pl.Currency] = byCurrency{}
			}
			a.byCategory[sv.ID][pl.Currency].add(pl.Category, shares[i])
		}
		a.pools = append(a.pools, pr)
	}
	return a
}

func compute(f *facts) PeriodResults {
	res := PeriodResults{Period: f.period, PeriodLabel: PeriodLabel(f.period), Totals: []CostTotals{}, Services: []ServiceRecovery{},
		BelowCost: []OfferingUnitCost{}, Comparisons: []ModelComparison{}}
	a := allocate(f)
	res.Pools = a.pools
	totals := map[string]*CostTotals{}
	total := func(c string) *CostTotals {
		if totals[c] == nil {
			totals[c] = &CostTotals{Currency: c}
		}
		return totals[c]
	}
	for _, pr := range a.pools {
		t := total(pr.Pool.Currency)
		t.Pools = t.Pools.Add(pr.Pool.Amount)
		t.Unallocated = t.Unallocated.Add(pr.Unallocated)
		t.Allocated = t.Allocated.Add(pr.Pool.Amount.Sub(pr.Unallocated))
	}
	for _, sv := range f.services {
		sr, ok := serviceResult(f, a, sv)
		if !ok {
			continue
		}
		for _, fg := range sr.Figures {
			t := total(fg.Currency)
			t.Charged = t.Charged.Add(fg.Charged)
		}
		for _, o := range sr.Offerings {
			if o.BelowCost {
				res.BelowCost = append(res.BelowCost, o)
			}
		}
		res.Services = append(res.Services, sr)
	}
	for _, c := range sortedKeys(totals) {
		res.Totals = append(res.Totals, *totals[c])
	}
	res.Comparisons = compare(f, res.Services)
	return res
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// serviceResult builds one service's figures; ok is false when the service
// neither cost nor charged anything in the period.
func serviceResult(f *facts, a allocation, sv *serviceInfo) (ServiceRecovery, bool) {
	currencies := byCurrency{}
	for c, v := range a.cost[sv.ID] {
		currencies[c] = v
	}
	for c := range f.charged[sv.ID] {
		currencies.add(c, decimal.Zero)
	}
	if len(currencies) == 0 {
		return ServiceRecovery{}, false
	}
	sr := ServiceRecovery{ServiceID: sv.ID, Slug: sv.Slug, Name: sv.Name, Family: sv.Family, DeliveryModel: sv.DeliveryModel,
		OwnerID: sv.OwnerID, OwnerName: sv.OwnerName, Figures: []CostFigure{}, Offerings: []OfferingUnitCost{}}
	for _, c := range currencies.currencies() {
		cost, charged := a.cost[sv.ID][c], f.charged[sv.ID][c]
		fg := CostFigure{Currency: c, Cost: cost, Charged: charged, Recovery: Recovery(charged, cost), ByCategory: []CategoryAmount{}}
		fg.BelowCost = fg.Recovery != nil && fg.Recovery.LessThan(hundred)
		for _, cat := range Categories {
			if amt, ok := a.byCategory[sv.ID][c][cat.Value]; ok {
				fg.ByCategory = append(fg.ByCategory, CategoryAmount{Category: cat.Value, Amount: amt})
			}
		}
		sr.Figures = append(sr.Figures, fg)
		sr.Offerings = append(sr.Offerings, offeringResults(f, sv, c, cost, charged)...)
	}
	return sr, true
}

// offeringResults shares a service's cost in one currency among its
// offerings and works out unit cost and unit price.
func offeringResults(f *facts, sv *serviceInfo, currency string, cost, charged decimal.Decimal) []OfferingUnitCost {
	out := make([]OfferingUnitCost, len(sv.offerings))
	weights := make([]decimal.Decimal, len(sv.offerings))
	for i, o := range sv.offerings {
		qty := f.quantity(o, f.qtyNum[o.ID])
		out[i] = OfferingUnitCost{OfferingID: o.ID, Slug: o.Slug, Name: o.Name, ServiceID: sv.ID, ServiceSlug: sv.Slug, ServiceName: sv.Name,
			Currency: currency, Unit: f.unit(o), Quantity: qty, Charged: f.offeringCharged[o.ID][currency]}
		if charged.IsPositive() {
			weights[i] = out[i].Charged
		} else {
			weights[i] = qty
		}
	}
	if cost.IsPositive() {
		if shares, err := Split(cost, weights); err == nil {
			for i := range out {
				out[i].Cost = shares[i]
			}
		}
	}
	for i, o := range sv.offerings {
		r := &out[i]
		num := f.qtyNum[o.ID]
		if num.IsPositive() && r.Cost.IsPositive() {
			uc := r.Cost.Mul(f.den(o)).DivRound(num, Places)
			r.UnitCost = &uc
		}
		if pl := o.plan; pl != nil && pl.Currency == currency {
			switch {
			case !pl.Tiered && pl.Unit == "fixed-month":
				up := pl.FixedMonthly.Add(pl.UnitPrice)
				r.UnitPrice, r.PriceBasis = &up, "list"
			case !pl.Tiered:
				up := pl.UnitPrice
				r.UnitPrice, r.PriceBasis = &up, "list"
			case num.IsPositive() && r.Charged.IsPositive():
				up := r.Charged.Mul(f.den(o)).DivRound(num, Places)
				r.UnitPrice, r.PriceBasis = &up, "average"
			}
		}
		r.BelowCost = r.UnitPrice != nil && r.UnitCost != nil && r.UnitPrice.LessThan(*r.UnitCost)
	}
	return out
}

// compare sets legacy against cloud unit cost per family, currency and
// unit, where both sides have cost and quantity.
func compare(f *facts, services []ServiceRecovery) []ModelComparison {
	type key struct{ family, currency, unit string }
	type side struct {
		names    []string
		cost     decimal.Decimal
		num, den decimal.Decimal
	}
	sides := map[key]map[string]*side{}
	var keys []key
	for _, sr := range services {
		for _, o := range sr.Offerings {
			oi := f.offeringBy[o.OfferingID]
			num := f.qtyNum[o.OfferingID]
			if oi == nil || o.Unit == "" || !num.IsPositive() || !o.Cost.IsPositive() {
				continue
			}
			k := key{sr.Family, o.Currency, o.Unit}
			if sides[k] == nil {
				sides[k] = map[string]*side{}
				keys = append(keys, k)
			}
			sd := sides[k][sr.DeliveryModel]
			if sd == nil {
				sd = &side{den: f.den(oi)}
				sides[k][sr.DeliveryModel] = sd
			}
			sd.names = append(sd.names, sr.Name+" — "+o.Name)
			sd.cost = sd.cost.Add(o.Cost)
			sd.num = sd.num.Add(num) // offerings of one unit share a denominator
		}
	}
	out := []ModelComparison{}
	for _, k := range keys {
		l, c := sides[k]["legacy"], sides[k]["cloud"]
		if l == nil || c == nil {
			continue
		}
		mk := func(sd *side) ModelSide {
			return ModelSide{Offerings: sd.names, Cost: sd.cost, Quantity: sd.num.DivRound(sd.den, Places), UnitCost: sd.cost.Mul(sd.den).DivRound(sd.num, Places)}
		}
		cmp := ModelComparison{Family: k.family, Currency: k.currency, Unit: k.unit, Legacy: mk(l), Cloud: mk(c)}
		cmp.Saving = cmp.Legacy.UnitCost.Sub(cmp.Cloud.UnitCost)
		out = append(out, cmp)
	}
	slices.SortFunc(out, func(a, b ModelComparison) int {
		if a.Family != b.Family {
			return strings.Compare(a.Family, b.Family)
		}
		if a.Currency != b.Currency {
			return strings.Compare(a.Currency, b.Currency)
		}
		return strings.Compare(a.Unit, b.Unit)
	})
	return out
}

// CostsByService returns each service's cost in period, per currency, at
// full precision: what the period's pools allocate to it. Pools not
// allocated are no service's cost and are left out. For other areas (the
// cost of processes): it reads through q and checks no access.
func CostsByService(ctx context.Context, q db.Querier, period string) (map[int64]map[string]decimal.Decimal, error) {
	out := map[int64]map[string]decimal.Decimal{}
	pools, err := listPools(ctx, q, "p.period = ?", period)
	if err != nil || len(pools) == 0 {
		return out, err
	}
	f, err := loadFacts(ctx, q, period)
	if err != nil {
		return nil, err
	}
	for id, c := range allocate(f).cost {
		out[id] = c
	}
	return out, nil
}
