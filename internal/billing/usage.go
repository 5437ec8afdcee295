package billing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
	"github.com/engagehq/engage/internal/textenc"
)

// UsageInput is one metered usage record, shaped like a CloudEvent's data.
type UsageInput struct {
	IdempotencyKey string          `json:"idempotency_key" doc:"The sender's unique id of the record; the same key twice is stored once"`
	Time           time.Time       `json:"time" doc:"When the usage happened (RFC 3339)"`
	Department     string          `json:"department,omitempty" doc:"Cost-centre code; or give subscription_id"`
	SubscriptionID int64           `json:"subscription_id,omitempty"`
	Offering       string          `json:"offering,omitempty" doc:"Offering code (slug) or id; taken from the subscription when absent"`
	Quantity       decimal.Decimal `json:"quantity" doc:"0 or more, below 10^15, at most 6 decimal places"`
	Unit           string          `json:"unit" doc:"Must be the unit of the offering's rate plan, e.g. unit-hour"`
	Source         string          `json:"source,omitempty" doc:"The system that measured it"`
}

// RecordError names one refused record by its position in the batch.
type RecordError struct {
	Position int    `json:"position" doc:"0-based index in the batch (or line number for files)"`
	Field    string `json:"field"`
	Message  string `json:"message"`
}

// IngestReport says what happened to a batch.
type IngestReport struct {
	Received   int           `json:"received"`
	Accepted   int           `json:"accepted"`
	Duplicates int           `json:"duplicates" doc:"Records whose key was already stored"`
	Rejected   int           `json:"rejected"`
	Errors     []RecordError `json:"errors" nullable:"false"`
	Atomic     bool          `json:"atomic" doc:"When true and anything was rejected, nothing was stored"`
}

// Service is billing's rules over its store.
type Service struct {
	DB      *db.DB
	Clock   engage.Clock
	Catalog *catalog.Catalog
	// Cloud provides allocated cloud charges for statements; optional.
	Cloud CloudSource
	// UsagePast and UsageFuture bound the times of usage accepted, before
	// and after now (zero: DefaultUsagePast and DefaultUsageFuture).
	UsagePast, UsageFuture time.Duration
	// GroupWait and GroupEvents bound group commit (group.go): how long the
	// committer gathers requests (zero: DefaultGroupWait; negative: it does
	// not wait) and how many records one transaction takes (zero:
	// DefaultGroupEvents); read when the first grouped request comes.
	GroupWait   time.Duration
	GroupEvents int
	// GroupRecheck is how long the committer checks records with the same
	// departments and periods (zero: a second; group.go).
	GroupRecheck time.Duration

	group *committer // made on first use (committerOf)

	// ran are called at the end of every run, in its transaction (OnRun).
	ran []func(ctx context.Context, tx *db.Tx, period string) error
}

// OnRun registers fn to be called at the end of every billing run of a
// period (and of its closing), in the run's transaction, after the
// statements are written: an error undoes the run.
func (s *Service) OnRun(fn func(ctx context.Context, tx *db.Tx, period string) error) {
	s.ran = append(s.ran, fn)
}

// The usage window when none is configured: the last 400 days, and two
// days ahead for meters whose clocks run fast.
const (
	DefaultUsagePast   = 400 * 24 * time.Hour
	DefaultUsageFuture = 2 * 24 * time.Hour
)

// usageWindow returns the earliest and the latest time of usage accepted
// at now.
func (s *Service) usageWindow(now time.Time) (from, to time.Time) {
	past, future := s.UsagePast, s.UsageFuture
	if past <= 0 {
		past = DefaultUsagePast
	}
	if future <= 0 && s.UsagePast <= 0 {
		future = DefaultUsageFuture
	}
	return now.Add(-past), now.Add(future)
}

// CloudSource gives the cloud charges allocated to departments in a period,
// reading through q (the billing run's transaction). It may return them in
// any order and may include what no rule allocated (DepartmentID 0): the run
// bills only allocated charges, in a fixed order (see billableCloud).
type CloudSource interface {
	AllocatedTotals(ctx context.Context, q db.Querier, period string) ([]CloudTotal, error)
}

// CloudTotal is an allocated cloud amount for one department.
type CloudTotal struct {
	DepartmentID int64
	Currency     string
	Provider     string
	ServiceName  string
	Amount       decimal.Decimal
	Rows         int
}

type resolved struct {
	dept, sub, offering, plan int64
	period                    string
	qty                       decimal.Decimal
	// late: the period is closed; adj is the adjustment that charges it.
	late bool
	adj  int64
	// max: the offering is metered by its period's largest quantity (a
	// max meter, catalog/meters.go), not by the sum.
	max bool
}

// IngestOptions say how a batch of usage is taken.
type IngestOptions struct {
	// AcceptPartial stores the good records of a batch in which some are
	// refused; without it, any refusal stores nothing.
	AcceptPartial bool
	// RefuseLate refuses records for a closed period instead of charging
	// them by an adjustment in the next open period (see late.go).
	RefuseLate bool
}

// validator resolves codes to ids once per batch.
type validator struct {
	ctx     context.Context
	svc     *Service
	depts   map[string]int64
	subs    map[int64][2]int64 // subscription → department, offering
	offers  map[string]*catalog.Offering
	periods map[string]string // period → state
	maxed   map[int64]bool    // offerings metered by max
	sys     *access.Principal
	// from and to bound the usage times accepted.
	from, to   time.Time
	refuseLate bool
}

func (s *Service) newValidator(ctx context.Context) (*validator, error) {
	v := &validator{ctx: ctx, svc: s, depts: map[string]int64{}, subs: map[int64][2]int64{}, offers: map[string]*catalog.Offering{},
		periods: map[string]string{}, maxed: map[int64]bool{}, sys: access.System("billing")}
	v.from, v.to = s.usageWindow(s.Clock.Now())
	rows, err := s.DB.Query(ctx, "SELECT code, id FROM departments")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			rows.Close()
			return nil, err
		}
		v.depts[code] = id
	}
	rows.Close()
	prows, err := s.DB.Query(ctx, "SELECT period, state FROM billing_periods")
	if err != nil {
		return nil, err
	}
	for prows.Next() {
		var p, st string
		if err := prows.Scan(&p, &st); err != nil {
			prows.Close()
			return nil, err
		}
		v.periods[p] = st
	}
	prows.Close()
	return v, nil
}

func (v *validator) offering(ref string) (*catalog.Offering, error) {
	if o, ok := v.offers[ref]; ok {
		return o, nil
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		if err := v.svc.DB.QueryRow(v.ctx, "SELECT id FROM offerings WHERE slug = ?", ref).Scan(&id); err != nil {
			return nil, fmt.Errorf("no offering %q", ref)
		}
	}
	o, _, err := v.svc.Catalog.FindOffering(v.ctx, v.sys, id)
	if err != nil {
		return nil, fmt.Errorf("no offering %q", ref)
	}
	v.offers[ref] = &o
	return &o, nil
}

// check resolves and validates one record.
func (v *validator) check(i int, in UsageInput, errs *[]RecordError) (resolved, bool) {
	fail := func(field, format string, args ...any) (resolved, bool) {
		*errs = append(*errs, RecordError{Position: i, Field: field, Message: fmt.Sprintf(format, args...)})
		return resolved{}, false
	}
	var r resolved
	if strings.TrimSpace(in.IdempotencyKey) == "" || len(in.IdempotencyKey) > 200 {
		return fail("idempotency_key", "Give each record a unique key of at most 200 characters.")
	}
	if textenc.Storable(in.IdempotencyKey) != in.IdempotencyKey {
		return fail("idempotency_key", "The key must be UTF-8 text without NUL characters.")
	}
	if textenc.Storable(in.Source) != in.Source {
		return fail("source", "The source must be UTF-8 text without NUL characters.")
	}
	if in.Time.IsZero() {
		return fail("time", "Give the time of the usage, such as 2026-03-16T09:30:00Z.")
	}
	if in.Time.Before(v.from) || in.Time.After(v.to) {
		return fail("time", "%s is outside the usage window: Engage takes usage dated from %s to %s.",
			in.Time.UTC().Format(time.RFC3339), v.from.UTC().Format(time.RFC3339), v.to.UTC().Format(time.RFC3339))
	}
	if in.Quantity.IsNegative() {
		return fail("quantity", "Usage cannot be negative; corrections are adjustments.")
	} else if msg := rating.Quantity.Check(in.Quantity); msg != "" {
		return fail("quantity", "%s", msg)
	}
	offeringRef := strings.TrimSpace(in.Offering)
	if in.SubscriptionID != 0 {
		sub, ok := v.subs[in.SubscriptionID]
		if !ok {
			if err := v.svc.DB.QueryRow(v.ctx, "SELECT department_id, offering_id FROM subscriptions WHERE id = ?", in.SubscriptionID).Scan(&sub[0], &sub[1]); err != nil {
				return fail("subscription_id", "No subscription %d.", in.SubscriptionID)
			}
			v.subs[in.SubscriptionID] = sub
		}
		r.sub, r.dept = in.SubscriptionID, sub[0]
		if offeringRef == "" {
			offeringRef = strconv.FormatInt(sub[1], 10)
		}
	} else {
		id, ok := v.depts[strings.TrimSpace(in.Department)]
		if !ok {
			return fail("department", "No department with cost-centre code %q; give department or subscription_id.", in.Department)
		}
		r.dept = id
	}
	o, err := v.offering(offeringRef)
	if err != nil {
		return fail("offering", "No offering %q.", offeringRef)
	}
	r.offering = o.ID
	plan, ok := catalog.PlanOn(o.Plans, catalog.DateOf(in.Time))
	if !ok {
		return fail("time", "%s has no price on %s.", o.Name, in.Time.UTC().Format(time.DateOnly))
	}
	if !rating.Unit(plan.Unit).Metered() {
		return fail("offering", "%s is priced %s, not by usage.", o.Name, catalog.UnitLabels[plan.Unit].Per)
	}
	if in.Unit != plan.Unit {
		return fail("unit", "%s is metered in %s, not %q.", o.Name, plan.Unit, in.Unit)
	}
	// A record whose own charge, at the plan's highest unit price, no
	// statement line can hold cannot be billed; usage adding up to such a
	// charge fails the billing run.
	top := plan.UnitPrice
	for _, t := range plan.Tiers {
		top = decimal.Max(top, t.UnitPrice)
	}
	if rating.Statement.Check(rating.RoundLine(in.Quantity.Mul(top), plan.Currency)) != "" {
		return fail("quantity", "At %s %s a unit of %s, %s units cost more than a statement line can hold (below 10^%d in size).",
			top, plan.Currency, o.Name, in.Quantity, rating.Statement.Digits)
	}
	r.plan, r.qty, r.period = plan.ID, in.Quantity, PeriodOf(in.Time)
	maxed, ok := v.maxed[o.ID]
	if !ok {
		var err error
		if maxed, err = v.svc.Catalog.Maxed(v.ctx, o.ID); err != nil {
			return fail("offering", "The meters of %s cannot be read now; send it again.", o.Name)
		}
		v.maxed[o.ID] = maxed
	}
	r.max = maxed
	if v.periods[r.period] == "closed" {
		if v.refuseLate {
			return fail("time", "Period %s is closed, and late usage was to be refused.", r.period)
		}
		if r.max {
			return fail("time", "Period %s is closed, and %s is metered by its largest value in the period, which late usage cannot change.", r.period, o.Name)
		}
		r.late = true
	}
	return r, true
}

// Ingest stores a batch of usage records held in memory, as IngestStream
// does with one chunk. Each record is checked; refused ones are reported by
// position. Any refusal stores nothing, unless opts.AcceptPartial: then the
// good records are stored. A key already stored counts as a duplicate and
// changes nothing. Since the batch can be read again, a clash with another
// request storing the same keys is retried a few times.
func (s *Service) Ingest(ctx context.Context, p *access.Principal, batch []UsageInput, opts IngestOptions) (IngestReport, error) {
	for attempt := 1; ; attempt++ {
		sent := false
		rep, err := s.IngestStream(ctx, p, func() (UsageChunk, error) {
			if sent {
				return UsageChunk{}, nil
			}
			sent = true
			return UsageChunk{Records: batch}, nil
		}, opts)
		if !errors.Is(err, errClash) || attempt == 4 {
			return rep, err
		}
		time.Sleep(time.Duration(attempt) * 20 * time.Millisecond)
	}
}

// maxReported bounds the refusals IngestStream lists.
const maxReported = 1000

// errRefused rolls back an atomic IngestStream that refused a record.
var errRefused = errors.New("usage refused")

// errClash answers a request that deadlocked with another storing some of
// the same keys: it was undone and may be sent again.
var errClash = engage.Errorf(engage.ECONFLICT, "Another request was storing some of the same usage at the same time; nothing of this one was stored: send it again.")

// IngestStream stores the records next gives, chunk by chunk, in one
// transaction, holding one chunk at a time, so that a request or a file of
// any size takes bounded memory. Refused and unreadable records are
// reported by position (the first maxReported of them; Rejected counts
// all). Any refusal stores nothing (the report says Atomic), unless
// opts.AcceptPartial: then the good records are stored. Records for a
// closed period are charged as late usage (late.go) unless opts.RefuseLate. When next fails, nothing is stored and its error is
// returned. next returns an empty chunk at the end.
func (s *Service) IngestStream(ctx context.Context, p *access.Principal, next func() (UsageChunk, error), opts IngestOptions) (IngestReport, error) {
	if err := requireFinance(p); err != nil {
		return IngestReport{}, err
	}
	atomic := !opts.AcceptPartial
	rep := IngestReport{Errors: []RecordError{}, Atomic: atomic}
	v, err := s.newValidator(ctx)
	if err != nil {
		return rep, err
	}
	v.refuseLate = opts.RefuseLate
	rejected := 0
	t := totals{}
	refuse := func(e RecordError) {
		if rejected++; len(rep.Errors) < maxReported {
			rep.Errors = append(rep.Errors, e)
		}
	}
	// check validates a chunk and returns what to store.
	check := func(chunk UsageChunk) ([]resolved, []UsageInput) {
		good := make([]resolved, 0, len(chunk.Records))
		keys := make([]UsageInput, 0, len(chunk.Records))
		var errs []RecordError
		for i, in := range chunk.Records {
			pos := rep.Received + i
			if chunk.Positions != nil {
				pos = chunk.Positions[i]
			}
			if r, ok := v.check(pos, in, &errs); ok {
				good = append(good, r)
				keys = append(keys, in)
			}
		}
		errs = append(errs, chunk.Unreadable...)
		slices.SortStableFunc(errs, func(a, b RecordError) int { return a.Position - b.Position })
		for _, e := range errs {
			refuse(e)
		}
		rep.Received += len(chunk.Records) + len(chunk.Unreadable)
		return good, keys
	}
	// The first chunk is read and checked before the transaction begins,
	// so that requests of one chunk are decoded side by side while another
	// holds SQLite's single writer.
	chunk, err := next()
	if err != nil {
		return rep, err
	}
	good, keys := check(chunk)
	end := len(chunk.Records)+len(chunk.Unreadable) == 0
	err = s.DB.TransactOnce(ctx, func(tx *db.Tx) error {
		for {
			if len(good) > 0 && !(atomic && rejected > 0) {
				_, acc, dup, err := s.store(ctx, tx, p, good, keys, t)
				if err != nil {
					return err
				}
				rep.Accepted, rep.Duplicates = rep.Accepted+acc, rep.Duplicates+dup
			}
			if end {
				break
			}
			chunk, err := next()
			if err != nil {
				return err
			}
			good, keys = check(chunk)
			end = len(chunk.Records)+len(chunk.Unreadable) == 0
		}
		if atomic && rejected > 0 {
			return errRefused
		}
		return addTotals(ctx, tx, t)
	})
	rep.Rejected = rejected
	if err != nil {
		rep.Accepted, rep.Duplicates = 0, 0
	}
	switch {
	case errors.Is(err, errRefused):
		return rep, nil
	case db.IsRetryable(err):
		return rep, errClash
	}
	return rep, err
}

type totalKey struct {
	period               string
	dept, offering, plan int64
}

// totals are the usage a request adds, per period, department, offering
// and plan.
type totals map[totalKey]struct {
	qty decimal.Decimal
	n   int
	max bool // qty is the largest, not the sum
}

// store keeps the records whose keys are new and adds them to t, or, for
// late records, to their adjustments.
func (s *Service) store(ctx context.Context, tx *db.Tx, p *access.Principal, recs []resolved, ins []UsageInput, t totals) (fresh []bool, accepted, duplicates int, err error) {
	fresh, err = storeKeys(ctx, tx, ins)
	if err != nil {
		return nil, 0, 0, err
	}
	if err := s.chargeLate(ctx, tx, p, recs, fresh); err != nil {
		return nil, 0, 0, err
	}
	if err := storeBatches(ctx, tx, recs, ins, fresh, s.Clock.Now()); err != nil {
		return nil, 0, 0, err
	}
	for i, r := range recs {
		if !fresh[i] {
			duplicates++
			continue
		}
		accepted++
		if r.late {
			continue // charged by its adjustment; the closed period never changes
		}
		k := totalKey{r.period, r.dept, r.offering, r.plan}
		v := t[k]
		if r.max {
			v.max = true
			if v.n == 0 || r.qty.GreaterThan(v.qty) {
				v.qty = r.qty
			}
		} else {
			v.qty = v.qty.Add(r.qty)
		}
		v.n++
		t[k] = v
	}
	return fresh, accepted, duplicates, nil
}

// addTotals adds a request's usage to the totals, once per total and in
// one order, so that concurrent requests wait for each other instead of
// deadlocking on the rows they share.
func addTotals(ctx context.Context, tx *db.Tx, t totals) error {
	keys := slices.Collect(maps.Keys(t))
	slices.SortFunc(keys, func(a, b totalKey) int {
		return cmp.Or(cmp.Compare(a.period, b.period), cmp.Compare(a.dept, b.dept), cmp.Compare(a.offering, b.offering), cmp.Compare(a.plan, b.plan))
	})
	for i, k := range keys {
		if i == 0 || k.period != keys[i-1].period {
			if err := ensurePeriod(ctx, tx, k.period); err != nil {
				return err
			}
			if err := stillOpen(ctx, tx, k.period); err != nil {
				return err
			}
		}
		if err := addTotal(ctx, tx, k, t[k].qty, t[k].n, t[k].max); err != nil {
			return err
		}
	}
	return nil
}

// addTotal adds to a usage total (or, with max, keeps the larger of the
// total and qty): exactly in SQL on PostgreSQL (NUMERIC, safe under
// concurrent writers); read, add, write on SQLite, whose single writer
// makes that safe and which has no exact decimal type.
func addTotal(ctx context.Context, tx *db.Tx, k totalKey, qty decimal.Decimal, n int, max bool) error {
	if tx.Engine() == db.Postgres {
		merge := "usage_totals.quantity + EXCLUDED.quantity"
		if max {
			merge = "GREATEST(usage_totals.quantity, EXCLUDED.quantity)"
		}
		_, err := tx.Exec(ctx, `INSERT INTO usage_totals(period, department_id, offering_id, plan_id, quantity, records) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (period, department_id, offering_id, plan_id) DO UPDATE SET quantity = `+merge+`,
			records = usage_totals.records + EXCLUDED.records`, k.period, k.dept, k.offering, k.plan, qty, n)
		if err != nil {
			return fmt.Errorf("adding to usage totals: %w", err)
		}
		return nil
	}
	var cur decimal.Decimal
	var records int
	err := tx.QueryRow(ctx, "SELECT quantity, records FROM usage_totals WHERE period = ? AND department_id = ? AND offering_id = ? AND plan_id = ?",
		k.period, k.dept, k.offering, k.plan).Scan(&cur, &records)
	if err == nil {
		next := cur.Add(qty)
		if max {
			next = decimal.Max(cur, qty)
		}
		_, err = tx.Exec(ctx, "UPDATE usage_totals SET quantity = ?, records = ? WHERE period = ? AND department_id = ? AND offering_id = ? AND plan_id = ?",
			next.String(), records+n, k.period, k.dept, k.offering, k.plan)
	} else {
		_, err = tx.Exec(ctx, "INSERT INTO usage_totals(period, department_id, offering_id, plan_id, quantity, records) VALUES (?, ?, ?, ?, ?, ?)",
			k.period, k.dept, k.offering, k.plan, qty.String(), n)
	}
	if err != nil {
		return fmt.Errorf("adding to usage totals: %w", err)
	}
	return nil
}

// stillOpen checks, in the transaction that adds usage to a period, that
// the period was not closed since the records were checked; on PostgreSQL
// it holds the period open (a close waits) until the usage is stored.
func stillOpen(ctx context.Context, tx *db.Tx, period string) error {
	q := "SELECT state FROM billing_periods WHERE period = ?"
	if tx.Engine() == db.Postgres {
		q += " FOR SHARE"
	}
	var st string
	if err := tx.QueryRow(ctx, q, period).Scan(&st); err != nil {
		return fmt.Errorf("reading period %s: %w", period, err)
	}
	if st == "closed" {
		return engage.Errorf(engage.ECONFLICT, "Period %s was closed while this usage was being stored; nothing was stored. Send it again: it will be charged as late usage.", period)
	}
	return nil
}

// ensurePeriod opens a period the first time something lands in it.
func ensurePeriod(ctx context.Context, tx db.Querier, period string) error {
	_, err := tx.Exec(ctx, "INSERT INTO billing_periods(period, state) VALUES (?, 'open') ON CONFLICT (period) DO NOTHING", period)
	if err != nil {
		return fmt.Errorf("opening period %s: %w", period, err)
	}
	return nil
}
