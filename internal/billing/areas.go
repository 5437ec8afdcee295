package billing

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/db"
)

// What other areas read of billing, through these functions and never its
// tables (see "How the code is laid out" in the README). Each reads through
// q — the caller's transaction, or the database — and checks no access: the
// caller does.

// PeriodState is a billing period's state: "open", "closed", or "" for a
// period that has not been billed (and so is not closed).
func PeriodState(ctx context.Context, q db.Querier, period string) (string, error) {
	st, err := periodState(ctx, q, period)
	if err != nil {
		return "", fmt.Errorf("reading billing period %s: %w", period, err)
	}
	return st, nil
}

// ClosedPeriods returns the billing periods that are closed.
func ClosedPeriods(ctx context.Context, q db.Querier) (map[string]bool, error) {
	rows, err := q.Query(ctx, "SELECT period FROM billing_periods WHERE state = 'closed'")
	if err != nil {
		return nil, fmt.Errorf("reading billing periods: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out[p] = true
	}
	return out, rows.Err()
}

// LatestStatementPeriod is the newest period with statements, or "" when
// there are none.
func LatestStatementPeriod(ctx context.Context, q db.Querier) (string, error) {
	var latest sql.NullString
	if err := q.QueryRow(ctx, "SELECT MAX(period) FROM statements").Scan(&latest); err != nil {
		return "", fmt.Errorf("finding the latest billed period: %w", err)
	}
	return latest.String, nil
}

// StatementPeriods returns the periods with statements from..through
// (either bound may be empty: no bound), oldest first.
func StatementPeriods(ctx context.Context, q db.Querier, from, through string) ([]string, error) {
	query, args := "SELECT DISTINCT period FROM statements WHERE 1 = 1", []any{}
	if from != "" {
		query, args = query+" AND period >= ?", append(args, from)
	}
	if through != "" {
		query, args = query+" AND period <= ?", append(args, through)
	}
	rows, err := q.Query(ctx, query+" ORDER BY period", args...)
	if err != nil {
		return nil, fmt.Errorf("reading the billed periods: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UsageTotal is what a department used of a metered offering in a period.
type UsageTotal struct {
	DepartmentID   int64
	DepartmentName string
	OfferingID     int64
	Quantity       decimal.Decimal
}

// UsageTotals returns the usage of every department and offering in period.
func UsageTotals(ctx context.Context, q db.Querier, period string) ([]UsageTotal, error) {
	rows, err := q.Query(ctx, `SELECT t.department_id, d.name, t.offering_id, t.quantity FROM usage_totals t
		JOIN departments d ON d.id = t.department_id WHERE t.period = ?`, period)
	if err != nil {
		return nil, fmt.Errorf("reading usage totals: %w", err)
	}
	defer rows.Close()
	var out []UsageTotal
	for rows.Next() {
		var u UsageTotal
		if err := rows.Scan(&u.DepartmentID, &u.DepartmentName, &u.OfferingID, &u.Quantity); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ServiceCharge is a statement line that names a service: what a department
// was charged for it (the rounded amount, as the department sees it).
type ServiceCharge struct {
	DepartmentID   int64
	DepartmentName string
	Currency       string
	ServiceID      int64
	OfferingID     int64 // 0 when the line names no offering
	Amount         decimal.Decimal
}

// ServiceCharges returns the statement lines of period that name a service;
// cloud and adjustment lines name none and are left out.
func ServiceCharges(ctx context.Context, q db.Querier, period string) ([]ServiceCharge, error) {
	rows, err := q.Query(ctx, `SELECT st.department_id, d.name, st.currency, l.service_id, COALESCE(l.offering_id, 0), l.amount
		FROM statement_lines l JOIN statements st ON st.id = l.statement_id JOIN departments d ON d.id = st.department_id
		WHERE st.period = ? AND l.service_id IS NOT NULL`, period)
	if err != nil {
		return nil, fmt.Errorf("reading statement lines: %w", err)
	}
	defer rows.Close()
	var out []ServiceCharge
	for rows.Next() {
		var c ServiceCharge
		if err := rows.Scan(&c.DepartmentID, &c.DepartmentName, &c.Currency, &c.ServiceID, &c.OfferingID, &c.Amount); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChargeLine is one statement line as other areas read it.
type ChargeLine struct {
	StatementID  int64
	Position     int
	DepartmentID int64
	Currency     string
	ServiceID    int64 // 0 when the line names no service (cloud bills, adjustments)
	Kind         string
	Description  string
	Amount       decimal.Decimal // rounded, as on the statement
}

// ChargeLines returns the statement lines of period, of the services named
// (lines naming no service have service 0), or every line when services is
// nil, ordered by statement and position.
func ChargeLines(ctx context.Context, q db.Querier, period string, services []int64) ([]ChargeLine, error) {
	query := `SELECT st.id, l.position, st.department_id, st.currency, COALESCE(l.service_id, 0), l.kind, l.description, l.amount
		FROM statement_lines l JOIN statements st ON st.id = l.statement_id WHERE st.period = ?`
	args := []any{period}
	if services != nil {
		if len(services) == 0 {
			return nil, nil
		}
		query += " AND COALESCE(l.service_id, 0) IN (" + db.Placeholders(len(services)) + ")"
		args = append(args, db.Args(services)...)
	}
	rows, err := q.Query(ctx, query+" ORDER BY st.id, l.position", args...)
	if err != nil {
		return nil, fmt.Errorf("reading statement lines: %w", err)
	}
	defer rows.Close()
	var out []ChargeLine
	for rows.Next() {
		var c ChargeLine
		if err := rows.Scan(&c.StatementID, &c.Position, &c.DepartmentID, &c.Currency, &c.ServiceID, &c.Kind, &c.Description, &c.Amount); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
