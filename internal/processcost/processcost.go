// Package processcost is what each business process and customer journey
// costs in technology, month by month, computed from the statements
// (billing) and the cost pools (costs) through the process register's
// weighted links of processes to catalog services.
//
// Decisions:
//   - Two figures, side by side. Charged is the price: what departments
//     were charged for each service on their statements (the rounded
//     lines). Cost is what running the service cost: its share of the cost
//     pools (package costs), whoever consumed it. Both are split across
//     processes by the same weights.
//   - A service's charge to one department in one currency in one month
//     (the sum of its rounded statement lines) is split across the
//     processes linked to the service: each gets charge × weight ÷ 100.
//     When the weights of one service add up to more than 100 %, they are
//     scaled down in proportion (charge × weight ÷ the sum of the weights).
//     What the weights leave (100 % less their sum) is unclaimed.
//   - Rounding: each share is rounded down to the currency's minor unit and
//     the minor units left over go one at a time to the shares that lost
//     the most in rounding (the largest-remainder rule; ties to the process
//     with the lowest id, the unclaimed part last). So a share is within
//     one minor unit of its exact value and, for each service, department,
//     currency and month, the shares and the unclaimed part add up exactly
//     to the statement lines. Lines that name no service (allocated cloud
//     bills, adjustments) are unclaimed too. Hence, per month, department
//     and currency: the processes' own figures + unclaimed = the
//     statements, exactly.
//   - Cost: a service's cost in a currency is rounded to the minor unit
//     (half away from zero) and split the same way. Pools left unallocated
//     are no service's cost and are not shown here (the cost pools pages
//     show them).
//   - Roll-up: a process's figure is its own share plus those of every
//     process below it. A customer journey's figure is the sum of the own
//     shares of every process it goes through and every process below
//     those, each counted once: a journey through a process and one of its
//     sub-processes counts the sub-process once.
//   - Stored: a month's own shares are computed whole and kept
//     (process_costs). A billing run recomputes its month in its own
//     transaction (billing.Service.OnRun). A change of a process's service
//     links, or of a month's cost pools, marks the months stale (waiting for
//     a billing run that is computing, so that the run cannot mark a month
//     fresh from links read before the change). A background worker (Run)
//     recomputes the stale months, and those with statements never
//     computed, newest first, each in a transaction of its own under the
//     billing-run lock (idempotent: the month's rows are replaced), once a
//     month has stayed unchanged for Settle, so that a burst of changes
//     costs one recompute. Pages never wait for it: they show the figures
//     as last stored, marked as being recomputed (Recomputing).
//   - Access: a person sees a process's charged figure to the extent they
//     may read the statements behind it (billing.CanReadStatements for
//     each department): a budget holder sees their departments' part, a
//     BRM their departments'. Finance, the portfolio board and
//     administrators see every department, the unclaimed part and the cost
//     from the cost pools (which are theirs to read). Others see nothing
//     of cost; the register itself stays readable to everyone.
package processcost

import (
	"context"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/rating"
)

// Bases of a figure.
const (
	Charged = "charged" // the price on the statements
	Cost    = "cost"    // the cost from the cost pools
)

// Service computes, keeps and shows what processes and journeys cost.
type Service struct {
	DB        *db.DB
	Clock     engage.Clock
	Processes *process.Service
	// Catalog names the services in drill-downs.
	Catalog process.ServiceDirectory

	wake wakeup // the background worker's (Run)
}

// key identifies one stored figure: a process's own share (process 0: the
// unclaimed part) of one department's charges (department 0 for cost) in
// one currency.
type key struct {
	basis    string
	process  int64
	dept     int64
	currency string
}

// groupKey is one service's charge to one department in one currency.
type groupKey struct {
	service  int64
	dept     int64
	currency string
}

// linksBy returns the links of each service, in process order.
func linksBy(ws []process.Weight) map[int64][]process.Weight {
	out := map[int64][]process.Weight{}
	for _, w := range ws {
		out[w.ServiceID] = append(out[w.ServiceID], w)
	}
	for _, l := range out {
		sort.Slice(l, func(i, j int) bool { return l[i].ProcessID < l[j].ProcessID })
	}
	return out
}

// shareOut splits amount of one service among its links, adding each part
// to into under basis, department and currency.
func shareOut(into map[key]decimal.Decimal, basis string, links []process.Weight, dept int64, currency string, amount decimal.Decimal) {
	weights := make([]decimal.Decimal, len(links))
	for i, l := range links {
		weights[i] = l.Weight
	}
	shares, rest := split(amount, currency, weights)
	for i, l := range links {
		if !shares[i].IsZero() {
			k := key{basis, l.ProcessID, dept, currency}
			into[k] = into[k].Add(shares[i])
		}
	}
	if !rest.IsZero() {
		k := key{basis, 0, dept, currency}
		into[k] = into[k].Add(rest)
	}
}

// compute works out every process's own share of period, reading through q.
func compute(ctx context.Context, q db.Querier, period string) (map[key]decimal.Decimal, error) {
	ws, err := process.ServiceWeights(ctx, q)
	if err != nil {
		return nil, err
	}
	links := linksBy(ws)
	lines, err := billing.ChargeLines(ctx, q, period, nil)
	if err != nil {
		return nil, err
	}
	out := map[key]decimal.Decimal{}
	groups := map[groupKey]decimal.Decimal{}
	for _, l := range lines {
		if l.ServiceID == 0 {
			k := key{Charged, 0, l.DepartmentID, l.Currency}
			out[k] = out[k].Add(l.Amount)
			continue
		}
		g := groupKey{l.ServiceID, l.DepartmentID, l.Currency}
		groups[g] = groups[g].Add(l.Amount)
	}
	for g, amount := range groups {
		shareOut(out, Charged, links[g.service], g.dept, g.currency, amount)
	}
	svcCosts, err := costs.CostsByService(ctx, q, period)
	if err != nil {
		return nil, err
	}
	for svc, byCurrency := range svcCosts {
		for currency, amount := range byCurrency {
			shareOut(out, Cost, links[svc], 0, currency, rating.RoundLine(amount, currency))
		}
	}
	return out, nil
}

// Recompute computes period's figures again and keeps them, in tx. The
// billing run calls it (OnRun); running it again gives the same rows.
func (s *Service) Recompute(ctx context.Context, tx *db.Tx, period string) error {
	figures, err := compute(ctx, tx, period)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM process_costs WHERE period = ?", period); err != nil {
		return fmt.Errorf("replacing the cost of processes for %s: %w", period, err)
	}
	const width, batch = 6, 5000 // 30,000 parameters a statement: within both engines' limits
	args := make([]any, 0, batch*width)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, "INSERT INTO process_costs(period, basis, process_id, department_id, currency, amount) VALUES "+
			db.ValueRows(len(args)/width, width), args...)
		args = args[:0]
		if err != nil {
			return fmt.Errorf("saving the cost of processes for %s: %w", period, err)
		}
		return nil
	}
	for k, amount := range figures {
		if amount.IsZero() {
			continue
		}
		args = append(args, period, k.basis, k.process, k.dept, k.currency, amount.String())
		if len(args) == batch*width {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO process_cost_periods(period, computed_at, stale, stale_since) VALUES (?, ?, FALSE, NULL)
		ON CONFLICT (period) DO UPDATE SET computed_at = EXCLUDED.computed_at, stale = FALSE, stale_since = NULL`, period, s.Clock.Now())
	if err != nil {
		return fmt.Errorf("recording the cost of processes for %s: %w", period, err)
	}
	return db.BumpGeneration(ctx, tx, generationKey)
}

// generationKey keeps, in settings, a counter that moves whenever stored
// figures are replaced or marked stale, so that what is drawn from them
// (the process map) is drawn again, on every replica.
const generationKey = "process_cost_generation"

// Generation returns the stored figures' change counter: what was drawn
// from them at one generation is current while it stays.
func (s *Service) Generation(ctx context.Context) (int64, error) {
	return db.Generation(ctx, s.DB, generationKey)
}

// MarkStale records that every month must be computed again (the
// background worker does, Run): the links of processes to services changed
// (process.Service.OnServiceLinksChanged).
func (s *Service) MarkStale(ctx context.Context, tx *db.Tx) error {
	// A run computing a month meanwhile must not mark it fresh after this.
	if err := db.LockTx(ctx, tx, db.LockBillingRun); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE process_cost_periods SET stale = TRUE, stale_since = ?", s.Clock.Now()); err != nil {
		return fmt.Errorf("marking the cost of processes for recomputing: %w", err)
	}
	s.poke()
	return db.BumpGeneration(ctx, tx, generationKey)
}

// MarkPeriodStale records that period must be computed again (the
// background worker does, Run): its cost pools changed.
func (s *Service) MarkPeriodStale(ctx context.Context, tx *db.Tx, period string) error {
	if err := db.LockTx(ctx, tx, db.LockBillingRun); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE process_cost_periods SET stale = TRUE, stale_since = ? WHERE period = ?", s.Clock.Now(), period); err != nil {
		return fmt.Errorf("marking the cost of processes for %s for recomputing: %w", period, err)
	}
	s.poke()
	return db.BumpGeneration(ctx, tx, generationKey)
}
