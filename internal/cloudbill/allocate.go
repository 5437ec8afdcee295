package cloudbill

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
)

// part is one department's share of a charge; dept 0 is the unallocated
// bucket, rule 0 says no rule matched.
type part struct {
	dept, rule int64
	amount     decimal.Decimal
}

// matchable is what rules look at in a charge.
type matchable struct {
	subAccountID, serviceName, serviceCategory, resourceID string
	tags                                                   map[string]string
	// pairs are the tags as a list, made for the first tag rule and
	// searched by the next ones; its space may be reused between charges.
	pairs  []tagPair
	paired bool
}

type tagPair struct{ key, value string }

// compiledRule is a rule ready to test and apply.
type compiledRule struct {
	id     int64
	match  RuleMatch
	action Action
	// assign: depts[0]; split: depts with percents; driver: depts (nil =
	// all) with the driver.
	depts    []int64
	percents []decimal.Decimal
	driver   Driver
	offering int64
}

func (r *compiledRule) matches(c *matchable) bool {
	m := &r.match
	if m.SubAccountID != "" && c.subAccountID != m.SubAccountID {
		return false
	}
	if m.ServiceName != "" && !strings.EqualFold(c.serviceName, m.ServiceName) {
		return false
	}
	if m.ServiceCategory != "" && !strings.EqualFold(c.serviceCategory, m.ServiceCategory) {
		return false
	}
	if m.ResourceIDPrefix != "" && !strings.HasPrefix(c.resourceID, m.ResourceIDPrefix) {
		return false
	}
	if m.TagKey != "" {
		if !c.paired {
			c.pairs = c.pairs[:0]
			for k, v := range c.tags {
				c.pairs = append(c.pairs, tagPair{k, v})
			}
			c.paired = true
		}
		found := false
		for _, p := range c.pairs {
			if p.value == m.TagValue && strings.EqualFold(p.key, m.TagKey) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// weights are the departments a driver rule splits over in one period, with
// their weights (all above zero) and the sum.
type weights struct {
	depts []int64
	w     []decimal.Decimal
	total decimal.Decimal
}

// allocator applies the rules to charges. Everything it needs (rules,
// headcount, departments, subscriptions) is read when it is made, so that
// allocating never touches the database and can run beside the writes.
type allocator struct {
	rules []compiledRule

	headcount map[int64]int64
	allDepts  []int64
	subs      map[int64][]subscription // by offering

	// memo is shared by the goroutines that prepare an import's rows.
	mu   sync.Mutex
	memo map[driverKey]*weights
}

type driverKey struct {
	rule   int64
	period string
}

// subscription is a department's subscription to an offering: its days of
// service [start, end) and quantity segments.
type subscription struct {
	dept       int64
	start, end time.Time // end is the day after the last day of service; zero when open-ended
	segs       []segment
}

type segment struct {
	from time.Time
	qty  decimal.Decimal
}

func newAllocator(ctx context.Context, q db.Querier) (*allocator, error) {
	rules, err := loadRules(ctx, q)
	if err != nil {
		return nil, err
	}
	a := &allocator{memo: map[driverKey]*weights{}, subs: map[int64][]subscription{}}
	var headcount, all bool
	for _, r := range rules {
		c := compiledRule{id: r.ID, match: r.Match, action: r.Action, driver: r.Driver, offering: r.OfferingID}
		switch r.Action {
		case ActionAssign:
			c.depts = []int64{r.DepartmentID}
		case ActionSplit:
			for _, sp := range r.Splits {
				c.depts = append(c.depts, sp.DepartmentID)
				c.percents = append(c.percents, sp.Percent)
			}
		case ActionDriver:
			c.depts = r.DepartmentIDs
			all = all || len(c.depts) == 0
			switch r.Driver {
			case DriverHeadcount:
				headcount = true
			case DriverSubscriptions:
				if _, ok := a.subs[r.OfferingID]; !ok {
					if a.subs[r.OfferingID], err = loadSubscriptions(ctx, q, r.OfferingID); err != nil {
						return nil, err
					}
				}
			}
		}
		a.rules = append(a.rules, c)
	}
	if headcount {
		if a.headcount, err = loadHeadcount(ctx, q); err != nil {
			return nil, err
		}
	}
	if all {
		ids, err := departmentIDs(ctx, q)
		if err != nil {
			return nil, err
		}
		for id := range ids {
			a.allDepts = append(a.allDepts, id)
		}
		slices.Sort(a.allDepts)
	}
	return a, nil
}

// allocate appends the parts of one charge to out: the first matching rule
// decides; without one the whole amount goes to the unallocated bucket.
func (a *allocator) allocate(out []part, c *matchable, period string, amount decimal.Decimal) []part {
	for i := range a.rules {
		r := &a.rules[i]
		if !r.matches(c) {
			continue
		}
		switch r.action {
		case ActionAssign:
			return append(out, part{dept: r.depts[0], rule: r.id, amount: amount})
		case ActionSplit:
			return splitExact(out, r, amount)
		case ActionDriver:
			w := a.driverWeights(r, period)
			if len(w.depts) == 0 {
				return append(out, part{rule: r.id, amount: amount})
			}
			return splitWeighted(out, r.id, w, amount)
		}
	}
	return append(out, part{amount: amount})
}

// splitExact splits by percentages: each share is exactly amount × percent
// / 100, and the last is the rest.
func splitExact(out []part, r *compiledRule, amount decimal.Decimal) []part {
	rest := amount
	last := len(r.depts) - 1
	for i, d := range r.depts {
		share := rest
		if i < last {
			share = amount.Mul(r.percents[i]).Shift(-2)
			rest = rest.Sub(share)
		}
		out = append(out, part{dept: d, rule: r.id, amount: share})
	}
	return out
}

// splitWeighted splits in proportion to weights: each share but the last is
// rounded to SharePlaces (or the amount's own places, if more), half away
// from zero; the last is the rest.
func splitWeighted(out []part, rule int64, w *weights, amount decimal.Decimal) []part {
	places := int32(SharePlaces)
	if e := -amount.Exponent(); e > places {
		places = e
	}
	rest := amount
	last := len(w.depts) - 1
	for i, d := range w.depts {
		share := rest
		if i < last {
			share = amount.Mul(w.w[i]).DivRound(w.total, places)
			rest = rest.Sub(share)
		}
		out = append(out, part{dept: d, rule: rule, amount: share})
	}
	return out
}

// driverWeights returns the departments and weights of a driver rule in a
// period, leaving out departments whose weight is zero.
func (a *allocator) driverWeights(r *compiledRule, period string) *weights {
	key := driverKey{r.id, period}
	a.mu.Lock()
	defer a.mu.Unlock()
	if w, ok := a.memo[key]; ok {
		return w
	}
	by := map[int64]decimal.Decimal{}
	switch r.driver {
	case DriverHeadcount:
		for d, n := range a.headcount {
			by[d] = decimal.NewFromInt(n)
		}
	case DriverSubscriptions:
		if first, err := parsePeriod(period); err == nil {
			by = subscriptionWeights(a.subs[r.offering], first)
		}
	}
	depts := r.depts
	if len(depts) == 0 {
		depts = a.allDepts
	}
	w := &weights{total: decimal.Zero}
	for _, d := range depts {
		if x := by[d]; x.IsPositive() {
			w.depts = append(w.depts, d)
			w.w = append(w.w, x)
			w.total = w.total.Add(x)
		}
	}
	a.memo[key] = w
	return w
}

// loadHeadcount counts the active people of each department.
func loadHeadcount(ctx context.Context, q db.Querier) (map[int64]int64, error) {
	rows, err := q.Query(ctx, "SELECT department_id, COUNT(*) FROM people WHERE active = ? AND department_id IS NOT NULL GROUP BY department_id", true)
	if err != nil {
		return nil, fmt.Errorf("counting people per department: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var d, n int64
		if err := rows.Scan(&d, &n); err != nil {
			return nil, err
		}
		out[d] = n
	}
	return out, rows.Err()
}

// loadSubscriptions reads every subscription to an offering with its
// quantity segments.
func loadSubscriptions(ctx context.Context, q db.Querier, offering int64) ([]subscription, error) {
	rows, err := q.Query(ctx, `SELECT s.id, s.department_id, s.start_date, s.end_date, g.effective_from, g.quantity
		FROM subscriptions s JOIN subscription_segments g ON g.subscription_id = s.id
		WHERE s.offering_id = ? ORDER BY s.id, g.effective_from`, offering)
	if err != nil {
		return nil, fmt.Errorf("reading subscriptions for an allocation driver: %w", err)
	}
	defer rows.Close()
	var out []subscription
	last := int64(0)
	for rows.Next() {
		var id, dept int64
		var start, from time.Time
		var end sql.NullTime
		var qty decimal.Decimal
		if err := rows.Scan(&id, &dept, &start, &end, &from, &qty); err != nil {
			return nil, fmt.Errorf("reading subscriptions for an allocation driver: %w", err)
		}
		if id != last || len(out) == 0 {
			s := subscription{dept: dept, start: day(start)}
			if end.Valid {
				s.end = day(end.Time).AddDate(0, 0, 1)
			}
			out = append(out, s)
			last = id
		}
		s := &out[len(out)-1]
		s.segs = append(s.segs, segment{day(from), qty})
	}
	return out, rows.Err()
}

// subscriptionWeights returns, per department, the quantity-days subscribed
// in the month starting at first: each quantity segment counts its quantity
// times the days of the month it covers.
func subscriptionWeights(subs []subscription, first time.Time) map[int64]decimal.Decimal {
	next := first.AddDate(0, 1, 0)
	out := map[int64]decimal.Decimal{}
	for _, s := range subs {
		end := next
		if !s.end.IsZero() && s.end.Before(next) {
			end = s.end
		}
		for i, g := range s.segs {
			from := maxTime(g.from, s.start, first)
			to := end
			if i+1 < len(s.segs) {
				to = minTime(to, s.segs[i+1].from)
			}
			days := int64(to.Sub(from) / (24 * time.Hour))
			if days <= 0 {
				continue
			}
			out[s.dept] = out[s.dept].Add(g.qty.Mul(decimal.NewFromInt(days)))
		}
	}
	return out
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func maxTime(ts ...time.Time) time.Time {
	m := ts[0]
	for _, t := range ts[1:] {
		if t.After(m) {
			m = t
		}
	}
	return m
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
