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

func scanImport(row db.Scanner) (CloudImport, error) {
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

// totals adds up a period's batches per department (or the bucket),
// currency, provider and service. Amounts are added here, exactly: SQLite
// keeps them as text, which its SUM would turn into floating point.
func totals(ctx context.Context, q db.Querier, period string, unallocated bool) (map[groupKey]*groupSum, error) {
	cond := "department_id IS NOT NULL"
	if unallocated {
		cond = "department_id IS NULL"
	}
	rows, err := q.Query(ctx, `SELECT COALESCE(department_id, 0), currency, provider, service_name, amount, charges
		FROM cloud_charge_batches WHERE period = ? AND `+cond, period)
	if err != nil {
		return nil, fmt.Errorf("adding up cloud charges: %w", err)
	}
	defer rows.Close()
	out := map[groupKey]*groupSum{}
	for rows.Next() {
		var k groupKey
		var amount decimal.Decimal
		var n int
		if err := rows.Scan(&k.dept, &k.currency, &k.provider, &k.service, &amount, &n); err != nil {
			return nil, fmt.Errorf("adding up cloud charges: %w", err)
		}
		sum := out[k]
		if sum == nil {
			sum = &groupSum{}
			out[k] = sum
		}
		sum.amount = sum.amount.Add(amount)
		sum.rows += n
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
	where := []string{"period = ?"}
	args := []any{f.Period}
	if f.DepartmentID == 0 {
		where = append(where, "department_id IS NULL")
	} else {
		where, args = append(where, "department_id = ?"), append(args, f.DepartmentID)
	}
	if f.Provider != "" {
		where, args = append(where, "provider = ?"), append(args, f.Provider)
	}
	if f.ServiceName != "" {
		where, args = append(where, "service_name = ?"), append(args, f.ServiceName)
	}
	var afterBatch int64
	afterIndex := -1
	if cur != nil {
		afterBatch, afterIndex = cur.ID>>chargeIDShift, int(cur.ID&(1<<chargeIDShift-1))
		where, args = append(where, "id >= ?"), append(args, afterBatch)
	}
	// The ids first, so that only the batches a page needs are read.
	ids, err := db.QueryIDs(ctx, s.DB, "SELECT id FROM cloud_charge_batches WHERE "+strings.Join(where, " AND ")+" ORDER BY id", args...)
	if err != nil {
		return nil, "", fmt.Errorf("listing cloud charges: %w", err)
	}
	out := []CloudCharge{}
	for _, id := range ids {
		if len(out) > n {
			break
		}
		b, err := scanBatch(s.DB.QueryRow(ctx, batchColumns+" WHERE id = ?", id))
		if err != nil {
			return nil, "", fmt.Errorf("listing cloud charges: %w", err)
		}
		for i := range b.elements {
			if b.id == afterBatch && i <= afterIndex {
				continue
			}
			var c CloudCharge
			if _, err := decodeElement(b.elements[i], &c); err != nil {
				return nil, "", fmt.Errorf("listing cloud charges: %w", err)
			}
			b.fill(&c, i)
			if out = append(out, c); len(out) > n {
				break
			}
		}
	}
	next := ""
	if len(out) > n {
		out = out[:n]
		next = paging.Encode(paging.Cursor{ID: out[n-1].ID})
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
	err = s.inTx(ctx, func(t *db.Tx) error {
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
		ids, err := batchIDs(ctx, t, period)
		if err != nil {
			return err
		}
		w := s.newWriter(t)
		summary := map[string]*summary{}
		var r row
		for _, id := range ids {
			b, err := scanBatch(t.QueryRow(ctx, batchColumns+" WHERE id = ?", id))
			if err != nil {
				return fmt.Errorf("reading the period's charges: %w", err)
			}
			for _, raw := range b.elements {
				var c CloudCharge
				e, err := decodeElement(raw, &c)
				if err != nil {
					return err
				}
				if e.part != 0 {
					continue // the charge is reallocated with its first share
				}
				amount := c.EffectiveCost
				if bases[c.ImportID] == BasisBilled {
					amount = c.BilledCost
				}
				r = row{parts: r.parts[:0], period: period, provider: b.provider, serviceName: b.service, currency: b.currency,
					subAccountID: c.SubAccountID, serviceCategory: c.ServiceCategory, resourceID: c.ResourceID, body: e.body, added: true}
				m := matchable{subAccountID: c.SubAccountID, serviceName: b.service, serviceCategory: c.ServiceCategory, resourceID: c.ResourceID, tags: c.Tags}
				r.parts = alloc.allocate(r.parts, &m, period, amount)
				if err := w.add(ctx, &r); err != nil {
					return err
				}
				addSummary(summary, &r)
				rep.Charges++
			}
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		if len(ids) > 0 {
			if _, err := t.Exec(ctx, "DELETE FROM cloud_charge_batches WHERE period = ? AND id <= ?", period, ids[len(ids)-1]); err != nil {
				return fmt.Errorf("removing the period's earlier allocation: %w", err)
			}
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

// batchIDs lists the ids of a period's batches, in order.
func batchIDs(ctx context.Context, q db.Querier, period string) ([]int64, error) {
	ids, err := db.QueryIDs(ctx, q, "SELECT id FROM cloud_charge_batches WHERE period = ? ORDER BY id", period)
	if err != nil {
		return nil, fmt.Errorf("reading the period's charges: %w", err)
	}
	return ids, nil
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
