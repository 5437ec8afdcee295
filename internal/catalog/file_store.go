package catalog

import (
	"context"
	"fmt"

	"github.com/engagehq/engage/internal/db"
)

// updatePlan replaces a rate plan's terms and days, keeping its id so that
// quotes made with it still point to it.
func updatePlan(ctx context.Context, q db.Querier, id int64, p RatePlan) error {
	_, err := q.Exec(ctx, `UPDATE rate_plans SET currency = ?, unit = ?, tier_mode = ?, unit_price = ?, fixed_monthly = ?, one_time = ?,
		minimum = ?, tiers_json = ?, effective_from = ?, effective_to = ? WHERE id = ?`,
		p.Currency, p.Unit, p.TierMode, p.UnitPrice, p.FixedMonthly, p.OneTime, p.Minimum, tiersJSON(p.Tiers),
		p.EffectiveFrom.Time, NullDate(p.EffectiveTo), id)
	if err != nil {
		return fmt.Errorf("updating rate plan %d: %w", id, err)
	}
	return nil
}

// peopleByEmail finds people by e-mail address (already normalised) and by
// id, returning ids by e-mail and e-mails by id.
func peopleByEmail(ctx context.Context, q db.Querier, emails []string, ids []int64) (map[string]int64, map[int64]string, error) {
	byEmail, byID := map[string]int64{}, map[int64]string{}
	read := func(where string, args []any) error {
		if len(args) == 0 {
			return nil
		}
		rows, err := q.Query(ctx, "SELECT id, email FROM people WHERE "+where+" IN ("+db.Placeholders(len(args))+")", args...)
		if err != nil {
			return fmt.Errorf("finding people: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var email string
			if err := rows.Scan(&id, &email); err != nil {
				return fmt.Errorf("finding people: %w", err)
			}
			byEmail[email], byID[id] = id, email
		}
		return rows.Err()
	}
	args := make([]any, len(emails))
	for i, e := range emails {
		args[i] = e
	}
	if err := read("email", args); err != nil {
		return nil, nil, err
	}
	if err := read("id", db.Args(ids)); err != nil {
		return nil, nil, err
	}
	return byEmail, byID, nil
}

// audienceCodes reads the codes of every department, location and function,
// both ways: kind → code → id and kind → id → code.
func audienceCodes(ctx context.Context, q db.Querier) (map[string]map[string]int64, map[string]map[int64]string, error) {
	ids, codes := map[string]map[string]int64{}, map[string]map[int64]string{}
	for _, k := range audienceKinds {
		ids[k.kind], codes[k.kind] = map[string]int64{}, map[int64]string{}
		rows, err := q.Query(ctx, "SELECT id, code FROM "+k.table)
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s codes: %w", k.kind, err)
		}
		for rows.Next() {
			var id int64
			var code string
			if err := rows.Scan(&id, &code); err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("reading %s codes: %w", k.kind, err)
			}
			ids[k.kind][code], codes[k.kind][id] = id, code
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return ids, codes, nil
}
