package billing

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/rating"
)

// Late usage is usage for a period already closed. Billing systems take it:
// the records are stored with their real time (and period), and are
// charged by an adjustment in the next open period after theirs — one per
// department, offering, late period and currency, growing as more late
// records arrive while that period is open — whose line says "Late usage
// for March 2026 (N records)" and leads to the records. The closed
// period's totals and statements never change.
//
// Pricing: the records are priced as they would have been in their period,
// by the plan in force at their time: the adjustment is the change they
// make to the period's usage charge, given all the usage the period
// already had (its own and earlier late usage). Under graduated tiers each
// late unit is priced by the tier it falls in on top of that quantity;
// under volume tiers the period's new total reprices every unit, so the
// change may be smaller than the units' price, or negative. The period's
// minimum charge is not revisited. Senders that would rather have such
// records refused say so (IngestOptions.RefuseLate).

// lateKey groups late records: per late period, department, offering and
// the plan that prices them.
type lateKey struct {
	period               string
	dept, offering, plan int64
}

// chargeLate adds the new (fresh) late records of recs to their
// adjustments, and notes the adjustment of each in recs.
func (s *Service) chargeLate(ctx context.Context, tx *db.Tx, p *access.Principal, recs []resolved, fresh []bool) error {
	groups := map[lateKey][]int{}
	for i, r := range recs {
		if r.late && fresh[i] {
			k := lateKey{r.period, r.dept, r.offering, r.plan}
			groups[k] = append(groups[k], i)
		}
	}
	if len(groups) == 0 {
		return nil
	}
	// One writer of adjustments at a time, and none while a period is run
	// or closed.
	if err := lock(ctx, tx); err != nil {
		return err
	}
	keys := slices.Collect(maps.Keys(groups))
	slices.SortFunc(keys, func(a, b lateKey) int {
		return cmp.Or(cmp.Compare(a.period, b.period), cmp.Compare(a.dept, b.dept), cmp.Compare(a.offering, b.offering), cmp.Compare(a.plan, b.plan))
	})
	cache := map[int64]offeringInfo{}
	now := s.Clock.Now()
	for _, k := range keys {
		idx := groups[k]
		qty := decimal.Zero
		for _, i := range idx {
			qty = qty.Add(recs[i].qty)
		}
		oi, err := s.offeringOf(ctx, tx, cache, k.offering)
		if err != nil {
			return err
		}
		plan, ok := planByID(oi.o, k.plan)
		if !ok {
			return fmt.Errorf("late usage of %s refers to a missing plan %d", oi.o.Name, k.plan)
		}
		prior, err := periodUsage(ctx, tx, k)
		if err != nil {
			return err
		}
		per, _ := ParsePeriod(k.period)
		amount, err := rating.Price(plan, prior, qty)
		if err != nil {
			return fmt.Errorf("pricing late usage of %s: %w", oi.o.Name, err)
		}
		target, err := nextOpenPeriod(ctx, tx, per)
		if err != nil {
			return err
		}
		id, err := addLate(ctx, tx, p, now, target, k, oi, plan.Currency, amount, qty, len(idx))
		if err != nil {
			return err
		}
		for _, i := range idx {
			recs[i].adj = id
		}
	}
	return nil
}

// periodUsage is the usage a period already has for a department and
// offering, under every plan: its own and the late usage charged so far.
func periodUsage(ctx context.Context, tx *db.Tx, k lateKey) (decimal.Decimal, error) {
	sum := decimal.Zero
	for _, q := range []string{
		"SELECT quantity FROM usage_totals WHERE period = ? AND department_id = ? AND offering_id = ?",
		"SELECT late_quantity FROM adjustments WHERE corrects = ? AND department_id = ? AND offering_id = ?",
	} {
		rows, err := tx.Query(ctx, q, k.period, k.dept, k.offering)
		if err != nil {
			return sum, fmt.Errorf("reading the usage of %s: %w", k.period, err)
		}
		for rows.Next() {
			var v decimal.Decimal
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return sum, err
			}
			sum = sum.Add(v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// nextOpenPeriod is the first period after per that is not closed; it is
// opened if need be.
func nextOpenPeriod(ctx context.Context, tx *db.Tx, per rating.Period) (string, error) {
	for {
		per = per.Next()
		st, err := periodState(ctx, tx, per.String())
		if err != nil {
			return "", err
		}
		if st != "closed" {
			return per.String(), ensurePeriod(ctx, tx, per.String())
		}
	}
}

func lateReason(period string, records int, oi offeringInfo) string {
	word := "records"
	if records == 1 {
		word = "record"
	}
	return fmt.Sprintf("Late usage for %s (%d %s): %s — %s", periodLabel(period), records, word, oi.svc.Name, oi.o.Name)
}

// addLate adds late usage to its adjustment in target, creating it the
// first time, and returns its id.
func addLate(ctx context.Context, tx *db.Tx, p *access.Principal, now time.Time, target string, k lateKey, oi offeringInfo,
	currency string, amount, qty decimal.Decimal, n int) (int64, error) {
	var id int64
	var was struct {
		Amount   decimal.Decimal `json:"amount"`
		Quantity decimal.Decimal `json:"quantity"`
		Records  int             `json:"records"`
	}
	err := tx.QueryRow(ctx, `SELECT id, amount, late_quantity, late_records FROM adjustments
		WHERE period = ? AND department_id = ? AND offering_id = ? AND corrects = ? AND currency = ?`,
		target, k.dept, k.offering, k.period, currency).Scan(&id, &was.Amount, &was.Quantity, &was.Records)
	if errors.Is(err, sql.ErrNoRows) {
		reason := lateReason(k.period, n, oi)
		if err := tx.QueryRow(ctx, `INSERT INTO adjustments(period, department_id, corrects, amount, currency, reason, author_id, created_at,
			offering_id, late_quantity, late_records) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			target, k.dept, k.period, amount, currency, reason, db.NullID(p.PersonID), now, k.offering, qty, n).Scan(&id); err != nil {
			return 0, fmt.Errorf("saving the late usage adjustment: %w", err)
		}
		return id, audit.Record(ctx, tx, now, p, "create", "adjustment", id, fmt.Sprintf("%s, %s %s in %s", reason, amount, currency, target), nil,
			map[string]any{"amount": amount, "quantity": qty, "records": n})
	}
	if err != nil {
		return 0, fmt.Errorf("reading the late usage adjustment: %w", err)
	}
	now2 := was
	now2.Amount, now2.Quantity, now2.Records = was.Amount.Add(amount), was.Quantity.Add(qty), was.Records+n
	reason := lateReason(k.period, now2.Records, oi)
	if _, err := tx.Exec(ctx, "UPDATE adjustments SET amount = ?, late_quantity = ?, late_records = ?, reason = ? WHERE id = ?",
		now2.Amount, now2.Quantity, now2.Records, reason, id); err != nil {
		return 0, fmt.Errorf("adding to the late usage adjustment: %w", err)
	}
	return id, audit.Record(ctx, tx, now, p, "update", "adjustment", id, fmt.Sprintf("%s, %s %s in %s", reason, now2.Amount, currency, target), was, now2)
}
