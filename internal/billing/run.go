package billing

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

// RunReport says what a billing run produced.
type RunReport struct {
	Period     string                     `json:"period"`
	Statements int                        `json:"statements"`
	Lines      int                        `json:"lines"`
	Totals     map[string]decimal.Decimal `json:"totals" doc:"Per currency, the sum of all statements"`
	Duration   string                     `json:"duration"`
}

func periodState(ctx context.Context, q db.Querier, period string) (string, error) {
	var st string
	err := q.QueryRow(ctx, "SELECT state FROM billing_periods WHERE period = ?", period).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return st, err
}

// periodError refuses a period for when it falls.
func periodError(format string, args ...any) error {
	return &engage.Error{Code: engage.EINVALID, Message: "That period cannot be used yet.",
		Fields: []engage.FieldError{{Field: "period", Message: fmt.Sprintf(format, args...)}}}
}

func closedError(period string) error {
	return engage.Errorf(engage.ECONFLICT, "Period %s is closed and never changes; record an adjustment in an open period instead.", period)
}

// lock serialises billing runs across replicas for the transaction.
func lock(ctx context.Context, tx *db.Tx) error {
	return db.LockTx(ctx, tx, db.LockBillingRun) // SQLite: the single writer already serialises
}

// Run rates a period and replaces its statements. Finance and admins only;
// refused on a closed period.
func (s *Service) Run(ctx context.Context, p *access.Principal, period string) (RunReport, error) {
	if err := requireFinance(p); err != nil {
		return RunReport{}, err
	}
	per, err := ParsePeriod(period)
	if err != nil {
		return RunReport{}, err
	}
	if now := s.Clock.Now(); !per.Start().Before(now) {
		return RunReport{}, periodError("%s has not begun: a period can be run from its first day (%s).", periodLabel(period), per.Start().Format("2 January 2006"))
	}
	var rep RunReport
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		var err error
		rep, err = s.run(ctx, tx, p, period)
		return err
	})
	return rep, err
}

func (s *Service) run(ctx context.Context, tx *db.Tx, p *access.Principal, period string) (RunReport, error) {
	start := time.Now()
	if err := lock(ctx, tx); err != nil {
		return RunReport{}, err
	}
	if err := ensurePeriod(ctx, tx, period); err != nil {
		return RunReport{}, err
	}
	st, err := periodState(ctx, tx, period)
	if err != nil {
		return RunReport{}, err
	}
	if st == "closed" {
		return RunReport{}, closedError(period)
	}
	per, _ := ParsePeriod(period)
	lines, err := s.rate(ctx, tx, per, period)
	if err != nil {
		return RunReport{}, err
	}
	now := s.Clock.Now()
	// Statements keep their ids for life: this run empties the period's
	// statements and fills again those that have lines; one left without
	// lines stays, with a zero total (see migration 00011).
	if _, err := tx.Exec(ctx, "DELETE FROM statement_lines WHERE statement_id IN (SELECT id FROM statements WHERE period = ?)", period); err != nil {
		return RunReport{}, fmt.Errorf("replacing statement lines: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE statements SET total = ?, line_count = 0, generated_at = ? WHERE period = ?", decimal.Zero, now, period); err != nil {
		return RunReport{}, fmt.Errorf("replacing statements: %w", err)
	}
	modes, err := departmentModes(ctx, tx)
	if err != nil {
		return RunReport{}, err
	}
	type key struct {
		dept     int64
		currency string
	}
	groups := map[key][]Line{}
	var keys []key
	for _, l := range lines {
		k := key{l.departmentID, l.currency}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], l)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].dept != keys[j].dept {
			return keys[i].dept < keys[j].dept
		}
		return keys[i].currency < keys[j].currency
	})
	rep := RunReport{Period: period, Totals: map[string]decimal.Decimal{}}
	for _, k := range keys {
		ls := groups[k]
		total := decimal.Zero
		for i := range ls {
			ls[i].Amount = rating.RoundLine(ls[i].ExactAmount, k.currency)
			ls[i].Position = i + 1
			total = total.Add(ls[i].Amount)
			if rating.Statement.Check(ls[i].Amount) != "" {
				return RunReport{}, outOfRange(ctx, tx, period, k.dept, fmt.Sprintf("line %d", i+1), ls[i].Description, ls[i].Amount, k.currency)
			}
		}
		if rating.Statement.Check(total) != "" {
			return RunReport{}, outOfRange(ctx, tx, period, k.dept, "total", "the statement's total", total, k.currency)
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO statements(period, department_id, currency, mode, total, generated_at, line_count) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (period, department_id, currency) DO UPDATE SET mode = EXCLUDED.mode, total = EXCLUDED.total,
			generated_at = EXCLUDED.generated_at, line_count = EXCLUDED.line_count RETURNING id`,
			period, k.dept, k.currency, modes[k.dept], total, now, len(ls)).Scan(&id); err != nil {
			return RunReport{}, fmt.Errorf("saving statement: %w", err)
		}
		if err := insertLines(ctx, tx, id, ls); err != nil {
			return RunReport{}, err
		}
		rep.Statements++
		rep.Lines += len(ls)
		rep.Totals[k.currency] = rep.Totals[k.currency].Add(total)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO statement_history(statement_id, generated_at, total, line_count)
		SELECT id, generated_at, total, line_count FROM statements WHERE period = ? ORDER BY id`, period); err != nil {
		return RunReport{}, fmt.Errorf("recording statement totals: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE billing_periods SET last_run_at = ? WHERE period = ?", now, period); err != nil {
		return RunReport{}, err
	}
	for _, fn := range s.ran {
		if err := fn(ctx, tx, period); err != nil {
			return RunReport{}, err
		}
	}
	rep.Duration = time.Since(start).Round(time.Millisecond).String()
	return rep, audit.Record(ctx, tx, now, p, "run", "billing_period", 0, fmt.Sprintf("Billing run for %s: %d statements", period, rep.Statements), nil, rep)
}

// outOfRange refuses a run that would make a statement line or total
// beyond rating.Statement, naming it.
func outOfRange(ctx context.Context, q db.Querier, period string, dept int64, field, what string, amount decimal.Decimal, currency string) error {
	var name string
	if err := q.QueryRow(ctx, "SELECT name FROM departments WHERE id = ?", dept).Scan(&name); err != nil {
		return fmt.Errorf("reading department %d: %w", dept, err)
	}
	return &engage.Error{Code: engage.EINVALID,
		Message: fmt.Sprintf("The run of %s would give %s's %s statement an amount no statement can hold; nothing was written.", periodLabel(period), name, currency),
		Fields: []engage.FieldError{{Field: field, Message: fmt.Sprintf("%s: %s %s is not below 10^%d in size. Correct what makes it — a price, a subscription's quantity, usage or an adjustment — and run again.",
			what, amount.String(), currency, rating.Statement.Digits)}}}
}

func insertLines(ctx context.Context, tx *db.Tx, statementID int64, ls []Line) error {
	const chunk = 200
	for start := 0; start < len(ls); start += chunk {
		end := min(start+chunk, len(ls))
		var args []any
		for i := start; i < end; i++ {
			l := ls[i]
			args = append(args, statementID, l.Position, l.Kind, db.NullID(l.ServiceID), db.NullID(l.OfferingID), db.NullID(l.SubscriptionID), l.Description,
				l.Quantity, l.Unit, l.Days, l.PeriodDays, l.ExactAmount, l.Amount, l.Source)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO statement_lines(statement_id, position, kind, service_id, offering_id, subscription_id, description,
			quantity, unit, days, period_days, exact_amount, amount, source) VALUES `+db.ValueRows(end-start, 14), args...); err != nil {
			return fmt.Errorf("saving statement lines: %w", err)
		}
	}
	return nil
}

func departmentModes(ctx context.Context, q db.Querier) (map[int64]string, error) {
	rows, err := q.Query(ctx, "SELECT id, billing_mode FROM departments")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64]string{}
	for rows.Next() {
		var id int64
		var mode string
		if err := rows.Scan(&id, &mode); err != nil {
			return nil, err
		}
		m[id] = mode
	}
	return m, rows.Err()
}

// offeringInfo is what rating needs to know about an offering.
type offeringInfo struct {
	o   catalog.Offering
	svc catalog.Service
}

// offeringOf reads an offering through q, the transaction that needs it:
// it holds the billing lock, for which other transactions may be waiting
// with every other connection of the pool.
func (s *Service) offeringOf(ctx context.Context, q db.Querier, cache map[int64]offeringInfo, id int64) (offeringInfo, error) {
	if oi, ok := cache[id]; ok {
		return oi, nil
	}
	o, svc, err := catalog.OfferingIn(ctx, q, id)
	if err != nil {
		return offeringInfo{}, fmt.Errorf("offering %d: %w", id, err)
	}
	cache[id] = offeringInfo{o, svc}
	return cache[id], nil
}

func ratingPlans(o catalog.Offering) []rating.RatePlan {
	out := make([]rating.RatePlan, len(o.Plans))
	for i, p := range o.Plans {
		out[i] = p.Rating(o.ID)
	}
	return out
}

// rate computes every line of a period.
func (s *Service) rate(ctx context.Context, tx *db.Tx, per rating.Period, period string) ([]Line, error) {
	cache := map[int64]offeringInfo{}
	var lines []Line
	// Subscriptions running in the period, with their quantity segments.
	first, last := per.Start(), per.End().AddDate(0, 0, -1)
	rows, err := tx.Query(ctx, `SELECT s.id, s.department_id, s.offering_id, s.start_date, s.end_date FROM subscriptions s
		WHERE s.start_date <= ? AND (s.end_date IS NULL OR s.end_date >= ?) ORDER BY s.department_id, s.offering_id, s.id`, last, first)
	if err != nil {
		return nil, fmt.Errorf("reading subscriptions: %w", err)
	}
	type sub struct {
		id, dept, offering int64
		start              time.Time
		end                *time.Time
	}
	var subs []sub
	for rows.Next() {
		var su sub
		var end sql.NullTime
		if err := rows.Scan(&su.id, &su.dept, &su.offering, &su.start, &end); err != nil {
			rows.Close()
			return nil, err
		}
		if end.Valid {
			e := end.Time.UTC()
			su.end = &e
		}
		su.start = su.start.UTC()
		subs = append(subs, su)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	segs, err := segments(ctx, tx)
	if err != nil {
		return nil, err
	}
	type minKey struct{ dept, offering int64 }
	recurring := map[minKey][]rating.Line{}
	for _, su := range subs {
		oi, err := s.offeringOf(ctx, tx, cache, su.offering)
		if err != nil {
			return nil, err
		}
		rs := rating.Subscription{Start: su.start, End: su.end, Segments: segs[su.id]}
		ls, err := rating.SubscriptionLines(ratingPlans(oi.o), rs, per)
		if err != nil {
			return nil, fmt.Errorf("rating subscription %d (%s): %w", su.id, oi.o.Name, err)
		}
		for _, l := range ls {
			lines = append(lines, lineOf(l, oi, su.dept, su.id, "subscription"))
			recurring[minKey{su.dept, su.offering}] = append(recurring[minKey{su.dept, su.offering}], l)
		}
	}
	// Metered usage from the running totals, tiers accumulating across
	// the plans of the period in the order they start.
	urows, err := tx.Query(ctx, `SELECT t.department_id, t.offering_id, t.plan_id, t.quantity FROM usage_totals t JOIN rate_plans p ON p.id = t.plan_id
		WHERE t.period = ? ORDER BY t.department_id, t.offering_id, p.effective_from`, period)
	if err != nil {
		return nil, fmt.Errorf("reading usage totals: %w", err)
	}
	type usage struct {
		dept, offering, plan int64
		qty                  decimal.Decimal
	}
	var usages []usage
	for urows.Next() {
		var u usage
		if err := urows.Scan(&u.dept, &u.offering, &u.plan, &u.qty); err != nil {
			urows.Close()
			return nil, err
		}
		usages = append(usages, u)
	}
	urows.Close()
	if err := urows.Err(); err != nil {
		return nil, err
	}
	prior := map[minKey]decimal.Decimal{}
	for _, u := range usages {
		oi, err := s.offeringOf(ctx, tx, cache, u.offering)
		if err != nil {
			return nil, err
		}
		plan, ok := planByID(oi.o, u.plan)
		if !ok {
			return nil, fmt.Errorf("usage of %s refers to a missing plan %d", oi.o.Name, u.plan)
		}
		k := minKey{u.dept, u.offering}
		l, err := rating.UsageLine(plan, per, prior[k], u.qty)
		if err != nil {
			return nil, fmt.Errorf("rating usage of %s: %w", oi.o.Name, err)
		}
		prior[k] = prior[k].Add(u.qty)
		lines = append(lines, lineOf(l, oi, u.dept, 0, "usage"))
		recurring[k] = append(recurring[k], l)
	}
	// Minimum charges per department × offering × period.
	var mkeys []minKey
	for k := range recurring {
		mkeys = append(mkeys, k)
	}
	sort.Slice(mkeys, func(i, j int) bool {
		if mkeys[i].dept != mkeys[j].dept {
			return mkeys[i].dept < mkeys[j].dept
		}
		return mkeys[i].offering < mkeys[j].offering
	})
	for _, k := range mkeys {
		oi := cache[k.offering]
		plan, err := rating.PlanAt(ratingPlans(oi.o), per.End().AddDate(0, 0, -1))
		if err != nil {
			continue
		}
		top, ok, err := rating.ApplyMinimum(plan, per, recurring[k])
		if err != nil {
			return nil, fmt.Errorf("minimum of %s: %w", oi.o.Name, err)
		}
		if ok {
			lines = append(lines, lineOf(top, oi, k.dept, 0, "minimum"))
		}
	}
	// Cloud charges allocated to departments.
	if s.Cloud != nil {
		cloud, err := s.Cloud.AllocatedTotals(ctx, tx, period)
		if err != nil {
			return nil, err
		}
		for _, c := range billableCloud(cloud) {
			lines = append(lines, Line{Kind: "cloud", Description: fmt.Sprintf("%s — %s (%d charges)", c.Provider, c.ServiceName, c.Rows),
				Quantity: decimal.NewFromInt(int64(c.Rows)), Unit: "charges", ExactAmount: c.Amount, Source: "cloud:" + c.Provider + ":" + c.ServiceName,
				currency: c.Currency, departmentID: c.DepartmentID})
		}
	}
	// Adjustments recorded into this period.
	arows, err := tx.Query(ctx, `SELECT id, department_id, corrects, amount, currency, reason, COALESCE(offering_id, 0), late_quantity
		FROM adjustments WHERE period = ? ORDER BY id`, period)
	if err != nil {
		return nil, fmt.Errorf("reading adjustments: %w", err)
	}
	type adjustment struct {
		id, dept, offering int64
		corrects, currency string
		reason             string
		amount, late       decimal.Decimal
	}
	var adjs []adjustment
	for arows.Next() {
		var a adjustment
		if err := arows.Scan(&a.id, &a.dept, &a.corrects, &a.amount, &a.currency, &a.reason, &a.offering, &a.late); err != nil {
			arows.Close()
			return nil, err
		}
		adjs = append(adjs, a)
	}
	arows.Close()
	if err := arows.Err(); err != nil {
		return nil, err
	}
	for _, a := range adjs {
		l := Line{Kind: "adjustment", Description: "Adjustment: " + a.reason, Quantity: decimal.NewFromInt(1), ExactAmount: a.amount,
			Source: fmt.Sprintf("adjustment:%d", a.id), currency: a.currency, departmentID: a.dept}
		if a.corrects != "" {
			l.Description = "Adjustment for " + a.corrects + ": " + a.reason
		}
		if a.offering != 0 {
			// Late usage: the line says what it is and leads to its records.
			oi, err := s.offeringOf(ctx, tx, cache, a.offering)
			if err != nil {
				return nil, err
			}
			l.Description, l.Quantity, l.ServiceID, l.OfferingID = a.reason, a.late, oi.svc.ID, oi.o.ID
			l.Source = fmt.Sprintf("late-usage:%d", a.id)
			if plan, err := rating.PlanAt(ratingPlans(oi.o), per.Start()); err == nil {
				l.Unit = string(plan.Unit)
			}
		}
		lines = append(lines, l)
	}
	return lines, nil
}

func planByID(o catalog.Offering, id int64) (rating.RatePlan, bool) {
	for _, p := range o.Plans {
		if p.ID == id {
			return p.Rating(o.ID), true
		}
	}
	return rating.RatePlan{}, false
}

var kindWords = map[rating.LineKind]string{rating.KindSubscription: "", rating.KindFixed: "fixed fee", rating.KindUsage: "usage",
	rating.KindSetupFee: "set-up fee", rating.KindOneTime: "one-time", rating.KindMinimum: "minimum charge top-up"}

func lineOf(l rating.Line, oi offeringInfo, dept, subID int64, source string) Line {
	desc := oi.svc.Name + " — " + oi.o.Name
	if w := kindWords[l.Kind]; w != "" {
		desc += " (" + w + ")"
	}
	unit := ""
	for _, p := range oi.o.Plans {
		if p.ID == l.PlanID {
			unit = p.Unit
		}
	}
	src := source
	if subID != 0 {
		src = fmt.Sprintf("subscription:%d", subID)
	} else if source == "usage" {
		src = fmt.Sprintf("usage:%d", oi.o.ID)
	}
	return Line{Kind: string(l.Kind), ServiceID: oi.svc.ID, OfferingID: oi.o.ID, SubscriptionID: subID, Description: desc, Quantity: l.Quantity,
		Unit: unit, Days: l.Days, PeriodDays: l.PeriodDays, ExactAmount: l.Amount, Source: src, currency: l.Currency, departmentID: dept}
}

func segments(ctx context.Context, q db.Querier) (map[int64][]rating.Segment, error) {
	rows, err := q.Query(ctx, "SELECT subscription_id, effective_from, quantity FROM subscription_segments ORDER BY subscription_id, effective_from")
	if err != nil {
		return nil, fmt.Errorf("reading subscription segments: %w", err)
	}
	defer rows.Close()
	m := map[int64][]rating.Segment{}
	for rows.Next() {
		var id int64
		var from time.Time
		var qty decimal.Decimal
		if err := rows.Scan(&id, &from, &qty); err != nil {
			return nil, err
		}
		m[id] = append(m[id], rating.Segment{From: from.UTC(), Quantity: qty})
	}
	return m, rows.Err()
}

// Close runs a period one last time and closes it: from then on it never
// changes. Finance and admins only.
func (s *Service) Close(ctx context.Context, p *access.Principal, period string) (RunReport, error) {
	if err := requireFinance(p); err != nil {
		return RunReport{}, err
	}
	per, err := ParsePeriod(period)
	if err != nil {
		return RunReport{}, err
	}
	// Usage and charges can still come for a month that has not ended.
	if now := s.Clock.Now(); now.Before(per.End()) {
		return RunReport{}, periodError("%s has not ended: a period can be closed from the day after its last (%s).", periodLabel(period), per.End().Format("2 January 2006"))
	}
	var rep RunReport
	err = s.DB.Transact(ctx, func(tx *db.Tx) error {
		// Usage being stored holds the period open (stillOpen): wait for
		// it before rating, so that the last run counts it, and make usage
		// that comes after wait and find the period closed.
		if err := lock(ctx, tx); err != nil {
			return err
		}
		if err := ensurePeriod(ctx, tx, period); err != nil {
			return err
		}
		if tx.Engine() == db.Postgres {
			if _, err := tx.Exec(ctx, "SELECT state FROM billing_periods WHERE period = ? FOR UPDATE", period); err != nil {
				return fmt.Errorf("holding period %s: %w", period, err)
			}
		}
		var err error
		if rep, err = s.run(ctx, tx, p, period); err != nil {
			return err
		}
		now := s.Clock.Now()
		if _, err := tx.Exec(ctx, "UPDATE billing_periods SET state = 'closed', closed_at = ?, closed_by_id = ? WHERE period = ?", now, db.NullID(p.PersonID), period); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, p, "close", "billing_period", 0, "Closed billing period "+period, map[string]string{"state": "open"}, map[string]string{"state": "closed"})
	})
	return rep, err
}

// AdjustmentInput corrects a closed period's charges.
type AdjustmentInput struct {
	DepartmentID int64           `json:"department_id"`
	Corrects     string          `json:"corrects,omitempty" doc:"The period being corrected, YYYY-MM"`
	Amount       decimal.Decimal `json:"amount" doc:"Positive charges more, negative refunds; below 10^15 in size, also once rounded to the currency's minor unit, at most 4 decimal places"`
	Currency     string          `json:"currency" doc:"ISO 4217 code, one of the currencies the organisation uses (configuration: currencies)"`
	Reason       string          `json:"reason"`
}

// Adjust records an adjustment in the earliest open period from the current
// month on (or after the corrected period); it appears there as its own line.
func (s *Service) Adjust(ctx context.Context, p *access.Principal, in AdjustmentInput) (string, error) {
	if err := requireFinance(p); err != nil {
		return "", err
	}
	var v engage.Validation
	in.Reason = strings.TrimSpace(in.Reason)
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	v.Require("reason", in.Reason, "why the adjustment is made")
	if in.Amount.IsZero() {
		v.Add("amount", "Give a non-zero amount: positive to charge more, negative to refund.")
	} else if msg := rating.Amount.CheckIn(in.Amount, in.Currency); msg != "" {
		v.Add("amount", "%s", msg)
	}
	if msg := s.Catalog.Currencies.Check(in.Currency); msg != "" {
		v.Add("currency", "%s", msg)
	}
	if in.Corrects != "" {
		if per, err := ParsePeriod(in.Corrects); err != nil {
			v.Add("corrects", "Write the period as YYYY-MM.")
		} else if !per.Start().Before(s.Clock.Now()) {
			v.Add("corrects", "%s has not begun: an adjustment corrects a period that has.", periodLabel(in.Corrects))
		}
	}
	var target string
	err := s.DB.Transact(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM departments WHERE id = ?", in.DepartmentID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			v.Add("department_id", "No department with id %d.", in.DepartmentID)
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := s.Clock.Now()
		target = PeriodOf(now)
		if in.Corrects > target {
			target = in.Corrects
		}
		for {
			st, err := periodState(ctx, tx, target)
			if err != nil {
				return err
			}
			if st != "closed" {
				break
			}
			per, _ := ParsePeriod(target)
			target = PeriodOf(per.Next().Start())
		}
		if err := ensurePeriod(ctx, tx, target); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO adjustments(period, department_id, corrects, amount, currency, reason, author_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, target, in.DepartmentID, in.Corrects, in.Amount, in.Currency, in.Reason, db.NullID(p.PersonID), now).Scan(&id); err != nil {
			return fmt.Errorf("saving adjustment: %w", err)
		}
		return audit.Record(ctx, tx, now, p, "create", "adjustment", id, fmt.Sprintf("Adjustment of %s %s in %s", in.Amount, in.Currency, target), nil, in)
	})
	return target, err
}

// billableCloud keeps the cloud totals a statement charges, in the order
// statements list them. Charges no rule allocated (department 0) are never
// billed: finance sees them as unallocated and no department pays them. The
// rest are sorted by department, currency, provider and service name, so
// that repeated runs make identical statements whatever order the source
// gave them in.
func billableCloud(totals []CloudTotal) []CloudTotal {
	out := make([]CloudTotal, 0, len(totals))
	for _, t := range totals {
		if t.DepartmentID != 0 {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b CloudTotal) int {
		return cmp.Or(cmp.Compare(a.DepartmentID, b.DepartmentID), cmp.Compare(a.Currency, b.Currency),
			cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.ServiceName, b.ServiceName))
	})
	return out
}
