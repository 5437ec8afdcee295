package cloudbill

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/paging"
)

const importColumns = `SELECT id, file_name, sha256, format, focus_version, basis, rows_read, rows_accepted, rows_added, duplicates,
	rows_rejected, periods, totals_json, allocation_json, warnings_json, errors_json, imported_by, started_at, finished_at FROM cloud_imports`

func scanImport(row interface{ Scan(...any) error }) (CloudImport, error) {
	var r CloudImport
	var periods, totals, allocation, warnings, errs string
	var finished sql.NullTime
	if err := row.Scan(&r.ID, &r.FileName, &r.SHA256, &r.Format, &r.Version, &r.Basis, &r.Rows, &r.Accepted, &r.Added, &r.Duplicates,
		&r.Rejected, &periods, &totals, &allocation, &warnings, &errs, &r.ImportedBy, &r.StartedAt, &finished); err != nil {
		return r, err
	}
	r.StartedAt, r.FinishedAt = r.StartedAt.UTC(), finished.Time.UTC()
	r.Periods = []string{}
	if periods != "" {
		r.Periods = strings.Split(periods, ",")
	}
	for _, x := range []struct {
		text string
		dst  any
	}{{totals, &r.Totals}, {allocation, &r.Allocation}, {warnings, &r.Warnings}, {errs, &r.Errors}} {
		if err := json.Unmarshal([]byte(x.text), x.dst); err != nil {
			return r, fmt.Errorf("reading import %d: %w", r.ID, err)
		}
	}
	r.Totals, r.Allocation = nonNil(r.Totals), nonNil(r.Allocation)
	r.Warnings, r.Errors = nonNil(r.Warnings), nonNil(r.Errors)
	return r, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ListImports lists import reports, newest first, and the cursor of the
// next page ("" at the end). Finance and administrators only.
func (s *Service) ListImports(ctx context.Context, p *access.Principal, cursor string, limit int) ([]CloudImport, string, error) {
	if err := requireFinance(p, "read cloud imports"); err != nil {
		return nil, "", err
	}
	cur, err := paging.Decode(cursor)
	if err != nil {
		return nil, "", err
	}
	n := paging.Limit(limit)
	where, args := "", []any{}
	if cur != nil {
		where, args = " WHERE id < ?", append(args, cur.ID)
	}
	rows, err := s.DB.Query(ctx, importColumns+where+" ORDER BY id DESC LIMIT ?", append(args, n+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("listing cloud imports: %w", err)
	}
	defer rows.Close()
	out := []CloudImport{}
	for rows.Next() {
		r, err := scanImport(rows)
		if err != nil {
			return nil, "", fmt.Errorf("reading cloud import: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("listing cloud imports: %w", err)
	}
	next := ""
	if len(out) > n {
		out = out[:n]
		next = paging.Encode(paging.Cursor{ID: out[n-1].ID})
	}
	return out, next, nil
}

// FindImport returns the report of one import. Finance and administrators
// only.
func (s *Service) FindImport(ctx context.Context, p *access.Principal, id int64) (CloudImport, error) {
	if err := requireFinance(p, "read cloud imports"); err != nil {
		return CloudImport{}, err
	}
	r, err := scanImport(s.DB.QueryRow(ctx, importColumns+" WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, engage.Errorf(engage.ENOTFOUND, "No cloud import with id %d.", id)
	} else if err != nil {
		return r, fmt.Errorf("reading cloud import: %w", err)
	}
	return r, nil
}

// groupSum is the amount and number of allocations of one group.
type groupSum struct {
	amount decimal.Decimal
	rows   int
}

// groupKey identifies a statement line of cloud charges.
type groupKey struct {
	dept                        int64
	currency, provider, service string
}

// totals adds up a period's allocations per department (or the bucket),
// currency, provider and service. PostgreSQL sums NUMERIC exactly in SQL;
// SQLite keeps amounts as text, which its SUM would turn into floating
// point, so they are added up here.
func totals(ctx context.Context, q db.Querier, period string, unallocated bool) (map[groupKey]*groupSum, error) {
	cond := "a.department_id IS NOT NULL"
	if unallocated {
		cond = "a.department_id IS NULL"
	}
	from := " FROM cloud_allocations a JOIN cloud_charges c ON c.id = a.charge_id WHERE a.period = ? AND " + cond
	out := map[groupKey]*groupSum{}
	if q.Engine() == db.Postgres {
		rows, err := q.Query(ctx, "SELECT COALESCE(a.department_id, 0), a.currency, c.provider, c.service_name, SUM(a.amount), COUNT(*)"+from+
			" GROUP BY a.department_id, a.currency, c.provider, c.service_name", period)
		if err != nil {
			return nil, fmt.Errorf("adding up cloud allocations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k groupKey
			var amount decimal.Decimal
			var n int
			if err := rows.Scan(&k.dept, &k.currency, &k.provider, &k.service, &amount, &n); err != nil {
				return nil, err
			}
			out[k] = &groupSum{amount, n}
		}
		return out, rows.Err()
	}
	rows, err := q.Query(ctx, "SELECT COALESCE(a.department_id, 0), a.currency, c.provider, c.service_name, a.amount"+from, period)
	if err != nil {
		return nil, fmt.Errorf("adding up cloud allocations: %w", err)
	}
	defer rows.Close()
	var k groupKey
	var last *groupSum
	var lastKey groupKey
	var amount string
	for rows.Next() {
		if err := rows.Scan(&k.dept, &k.currency, &k.provider, &k.service, &amount); err != nil {
			return nil, err
		}
		d, err := decimal.NewFromString(amount)
		if err != nil {
			return nil, fmt.Errorf("cloud allocation amount %q: %w", amount, err)
		}
		if last == nil || k != lastKey {
			last = out[k]
			if last == nil {
				last = &groupSum{}
				out[k] = last
			}
			lastKey = k
		}
		last.amount = last.amount.Add(d)
		last.rows++
	}
	return out, rows.Err()
}

// AllocatedTotals returns, for a period, what each department was allocated
// per currency, provider and service name: the exact amount and the number
// of charges behind it, ordered by department, currency, provider and
// service. The unallocated bucket is not included (see Unallocated). It
// reads through q, so that the billing run sees its own transaction, and
// checks no access: the caller does.
func (s *Service) AllocatedTotals(ctx context.Context, q db.Querier, period string) ([]AllocatedTotal, error) {
	if _, err := parsePeriod(period); err != nil {
		return nil, err
	}
	m, err := totals(ctx, q, period, false)
	if err != nil {
		return nil, err
	}
	out := make([]AllocatedTotal, 0, len(m))
	for k, v := range m {
		out = append(out, AllocatedTotal{DepartmentID: k.dept, Currency: k.currency, Provider: k.provider, ServiceName: k.service, Amount: v.amount, Rows: v.rows})
	}
	slices.SortFunc(out, func(a, b AllocatedTotal) int {
		return cmp.Or(cmp.Compare(a.DepartmentID, b.DepartmentID), cmp.Compare(a.Currency, b.Currency),
			cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.ServiceName, b.ServiceName))
	})
	return out, nil
}

// Unallocated returns what no rule allocated in a period, per provider,
// currency and service name. Finance and administrators only.
func (s *Service) Unallocated(ctx context.Context, p *access.Principal, period string) ([]UnallocatedTotal, error) {
	if err := requireFinance(p, "read unallocated cloud charges"); err != nil {
		return nil, err
	}
	if _, err := parsePeriod(period); err != nil {
		return nil, err
	}
	m, err := totals(ctx, s.DB, period, true)
	if err != nil {
		return nil, err
	}
	out := make([]UnallocatedTotal, 0, len(m))
	for k, v := range m {
		out = append(out, UnallocatedTotal{Provider: k.provider, Currency: k.currency, ServiceName: k.service, Amount: v.amount, Rows: v.rows})
	}
	slices.SortFunc(out, func(a, b UnallocatedTotal) int {
		return cmp.Or(cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Currency, b.Currency), cmp.Compare(a.ServiceName, b.ServiceName))
	})
	return out, nil
}

// Charges returns the charges behind a statement line: the FOCUS rows
// allocated (in whole or in part) to a department in a period, optionally of
// one provider and service, with the share each one gave the department;
// DepartmentID 0 gives the unallocated bucket. Finance, administrators and
// whoever may read the department's data; the bucket is for finance and
// administrators.
func (s *Service) Charges(ctx context.Context, p *access.Principal, f ChargeFilter) ([]CloudCharge, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	if f.DepartmentID == 0 {
		if err := requireFinance(p, "read unallocated cloud charges"); err != nil {
			return nil, "", err
		}
	} else if !p.CanReadStatements(f.DepartmentID) {
		return nil, "", engage.Errorf(engage.EFORBIDDEN, "The cloud charges of department %d are for its budget holders, its BRM and finance.", f.DepartmentID)
	}
	if _, err := parsePeriod(f.Period); err != nil {
		return nil, "", err
	}
	cur, err := paging.Decode(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	n := paging.Limit(f.Limit)
	where := []string{"a.period = ?"}
	args := []any{f.Period}
	if f.DepartmentID == 0 {
		where = append(where, "a.department_id IS NULL")
	} else {
		where, args = append(where, "a.department_id = ?"), append(args, f.DepartmentID)
	}
	if f.Provider != "" {
		where, args = append(where, "c.provider = ?"), append(args, f.Provider)
	}
	if f.ServiceName != "" {
		where, args = append(where, "c.service_name = ?"), append(args, f.ServiceName)
	}
	if cur != nil {
		where, args = append(where, "a.id > ?"), append(args, cur.ID)
	}
	rows, err := s.DB.Query(ctx, `SELECT a.id, a.department_id, a.rule_id, a.amount, c.id, c.import_id, c.line, c.fingerprint, c.period,
		c.provider, c.billing_account_id, c.sub_account_id, c.sub_account_name, c.service_name, c.service_category, c.resource_id,
		c.resource_name, c.charge_category, c.charge_description, c.billed_cost, c.effective_cost, c.currency, c.charge_period_start,
		c.charge_period_end, c.tags
		FROM cloud_allocations a JOIN cloud_charges c ON c.id = a.charge_id
		WHERE `+strings.Join(where, " AND ")+" ORDER BY a.id LIMIT ?", append(args, n+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("listing cloud charges: %w", err)
	}
	defer rows.Close()
	out := []CloudCharge{}
	var ids []int64
	for rows.Next() {
		var c CloudCharge
		var aid int64
		var dept, rule sql.NullInt64
		var tags string
		if err := rows.Scan(&aid, &dept, &rule, &c.Amount, &c.ID, &c.ImportID, &c.Line, &c.Fingerprint, &c.Period, &c.Provider,
			&c.BillingAccountID, &c.SubAccountID, &c.SubAccountName, &c.ServiceName, &c.ServiceCategory, &c.ResourceID, &c.ResourceName,
			&c.ChargeCategory, &c.ChargeDescription, &c.BilledCost, &c.EffectiveCost, &c.Currency, &c.ChargePeriodStart, &c.ChargePeriodEnd,
			&tags); err != nil {
			return nil, "", fmt.Errorf("reading cloud charge: %w", err)
		}
		c.DepartmentID, c.RuleID = dept.Int64, rule.Int64
		c.ChargePeriodStart, c.ChargePeriodEnd = c.ChargePeriodStart.UTC(), c.ChargePeriodEnd.UTC()
		if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil || c.Tags == nil {
			c.Tags = map[string]string{}
		}
		out = append(out, c)
		ids = append(ids, aid)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("listing cloud charges: %w", err)
	}
	next := ""
	if len(out) > n {
		out = out[:n]
		next = paging.Encode(paging.Cursor{ID: ids[n-1]})
	}
	return out, next, nil
}

// Reallocate re-runs the rules over an open period's charges in one
// transaction, replacing the period's allocations. Each charge is
// allocated on the basis of the import that stored it. Finance and
// administrators only; a closed period is refused.
func (s *Service) Reallocate(ctx context.Context, p *access.Principal, period string) (ReallocationReport, error) {
	if err := requireFinance(p, "reallocate cloud charges"); err != nil {
		return ReallocationReport{}, err
	}
	first, err := parsePeriod(period)
	if err != nil {
		return ReallocationReport{}, err
	}
	rep := ReallocationReport{Period: period}
	err = s.inTx(ctx, func(t *txn) error {
		if err := requireOpen(ctx, t, period); err != nil {
			return err
		}
		alloc, err := newAllocator(ctx, t)
		if err != nil {
			return err
		}
		bases, err := importBases(ctx, t)
		if err != nil {
			return err
		}
		before, err := totals(ctx, t, period, true)
		if err != nil {
			return err
		}
		if _, err := t.Exec(ctx, "DELETE FROM cloud_allocations WHERE period = ?", period); err != nil {
			return fmt.Errorf("removing the period's allocations: %w", err)
		}
		w, err := s.newWriter(ctx, t)
		if err != nil {
			return err
		}
		summary := map[string]*AllocationSummary{}
		n := s.batchRows(t.dialect)
		store := make([]row, n)
		rows := make([]*row, 0, n)
		var tags map[string]string
		var after int64
		for {
			res, err := t.Query(ctx, `SELECT id, import_id, sub_account_id, service_name, service_category, resource_id, tags,
				billed_cost, effective_cost, currency FROM cloud_charges WHERE period = ? AND id > ? ORDER BY id LIMIT ?`, period, after, n)
			if err != nil {
				return fmt.Errorf("reading the period's charges: %w", err)
			}
			rows = rows[:0]
			for res.Next() {
				r := &store[len(rows)]
				*r = row{parts: r.parts[:0], text: r.text[:0], period: period, added: true}
				var tagText string
				if err := res.Scan(&r.id, &r.importID, &r.subAccountID, &r.serviceName, &r.serviceCategory, &r.resourceID, &tagText,
					&r.billed, &r.effective, &r.currency); err != nil {
					res.Close()
					return fmt.Errorf("reading the period's charges: %w", err)
				}
				clear(tags)
				if err := json.Unmarshal([]byte(tagText), &tags); err != nil {
					tags = nil
				}
				amount := r.effective
				if bases[r.importID] == BasisBilled {
					amount = r.billed
				}
				m := matchable{subAccountID: r.subAccountID, serviceName: r.serviceName, serviceCategory: r.serviceCategory, resourceID: r.resourceID, tags: tags}
				r.parts = alloc.allocate(r.parts, &m, period, amount)
				rows = append(rows, r)
			}
			res.Close()
			if err := res.Err(); err != nil {
				return fmt.Errorf("reading the period's charges: %w", err)
			}
			if len(rows) == 0 {
				break
			}
			if err := w.allocations(ctx, rows); err != nil {
				return err
			}
			for _, r := range rows {
				addSummary(summary, r)
			}
			rep.Charges += int64(len(rows))
			after = rows[len(rows)-1].id
		}
		rep.Allocation = summaries(summary)
		y, m, _ := first.Date()
		unallocatedBefore := map[string]decimal.Decimal{}
		for k, v := range before {
			unallocatedBefore[k.currency] = unallocatedBefore[k.currency].Add(v.amount)
		}
		return audit.Record(ctx, t, s.now(), p, "reallocate", "cloud_period", int64(y*100+int(m)),
			fmt.Sprintf("Reallocated the cloud charges of %s (%d charges)", period, rep.Charges),
			map[string]any{"unallocated": unallocatedBefore}, rep)
	})
	if err != nil {
		return ReallocationReport{}, err
	}
	return rep, nil
}

func importBases(ctx context.Context, q db.Querier) (map[int64]Basis, error) {
	rows, err := q.Query(ctx, "SELECT id, basis FROM cloud_imports")
	if err != nil {
		return nil, fmt.Errorf("reading cloud imports: %w", err)
	}
	defer rows.Close()
	out := map[int64]Basis{}
	for rows.Next() {
		var id int64
		var b Basis
		if err := rows.Scan(&id, &b); err != nil {
			return nil, err
		}
		out[id] = b
	}
	return out, rows.Err()
}
