package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
)

func periodLabel(period string) string {
	t, err := time.Parse("2006-01", period)
	if err != nil {
		return period
	}
	return t.Format("January 2006")
}

// Periods lists billing periods, newest first. Everyone who may read any
// statement may list them.
func (s *Service) Periods(ctx context.Context, p *access.Principal) ([]Period, error) {
	if p == nil {
		return nil, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	rows, err := s.DB.Query(ctx, "SELECT period, state, last_run_at, closed_at FROM billing_periods ORDER BY period DESC")
	if err != nil {
		return nil, fmt.Errorf("listing periods: %w", err)
	}
	defer rows.Close()
	out := []Period{}
	for rows.Next() {
		var pr Period
		var run, closed sql.NullTime
		if err := rows.Scan(&pr.Period, &pr.State, &run, &closed); err != nil {
			return nil, err
		}
		if run.Valid {
			t := run.Time.UTC()
			pr.LastRunAt = &t
		}
		if closed.Valid {
			t := closed.Time.UTC()
			pr.ClosedAt = &t
		}
		pr.Label = periodLabel(pr.Period)
		out = append(out, pr)
	}
	return out, rows.Err()
}

// StatementFilter narrows a list of statements.
type StatementFilter struct {
	Period       string
	DepartmentID int64
}

const statementColumns = `s.id, s.period, bp.state, s.department_id, d.name, d.code, s.currency, s.mode, s.total, s.generated_at, s.line_count
	FROM statements s JOIN departments d ON d.id = s.department_id JOIN billing_periods bp ON bp.period = s.period`

func scanStatement(row db.Scanner) (Statement, error) {
	var st Statement
	err := row.Scan(&st.ID, &st.Period, &st.PeriodState, &st.DepartmentID, &st.DepartmentName, &st.CostCentre, &st.Currency, &st.Mode, &st.Total, &st.GeneratedAt, &st.LineCount)
	st.PeriodLabel, st.GeneratedAt = periodLabel(st.Period), st.GeneratedAt.UTC()
	return st, err
}

// Statements lists the statements the person may read, without lines.
func (s *Service) Statements(ctx context.Context, p *access.Principal, f StatementFilter) ([]Statement, error) {
	if p == nil {
		return nil, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	where, args := []string{"1=1"}, []any{}
	if f.Period != "" {
		if _, err := ParsePeriod(f.Period); err != nil {
			return nil, err
		}
		where = append(where, "s.period = ?")
		args = append(args, f.Period)
	}
	if f.DepartmentID != 0 {
		if !canReadStatements(p, f.DepartmentID) {
			return nil, engage.Errorf(engage.EFORBIDDEN, "Statements are for the department's budget holders, its BRM, finance and administrators.")
		}
		where = append(where, "s.department_id = ?")
		args = append(args, f.DepartmentID)
	}
	rows, err := s.DB.Query(ctx, "SELECT "+statementColumns+" WHERE "+strings.Join(where, " AND ")+" ORDER BY s.period DESC, d.name, s.currency", args...)
	if err != nil {
		return nil, fmt.Errorf("listing statements: %w", err)
	}
	defer rows.Close()
	out := []Statement{}
	for rows.Next() {
		st, err := scanStatement(rows)
		if err != nil {
			return nil, err
		}
		if canReadStatements(p, st.DepartmentID) {
			out = append(out, st)
		}
	}
	return out, rows.Err()
}

// Statement returns one statement with its lines.
func (s *Service) Statement(ctx context.Context, p *access.Principal, id int64) (Statement, error) {
	st, err := scanStatement(s.DB.QueryRow(ctx, "SELECT "+statementColumns+" WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !canReadStatements(p, st.DepartmentID)) {
		return Statement{}, engage.Errorf(engage.ENOTFOUND, "There is no statement %d that you can see.", id)
	} else if err != nil {
		return Statement{}, fmt.Errorf("reading statement: %w", err)
	}
	rows, err := s.DB.Query(ctx, `SELECT position, kind, COALESCE(service_id, 0), COALESCE(offering_id, 0), COALESCE(subscription_id, 0), description,
		quantity, unit, days, period_days, exact_amount, amount, source FROM statement_lines WHERE statement_id = ? ORDER BY position`, id)
	if err != nil {
		return Statement{}, fmt.Errorf("reading statement lines: %w", err)
	}
	defer rows.Close()
	st.Lines = []Line{}
	for rows.Next() {
		var l Line
		if err := rows.Scan(&l.Position, &l.Kind, &l.ServiceID, &l.OfferingID, &l.SubscriptionID, &l.Description, &l.Quantity, &l.Unit, &l.Days,
			&l.PeriodDays, &l.ExactAmount, &l.Amount, &l.Source); err != nil {
			return Statement{}, err
		}
		l.currency = st.Currency
		st.Lines = append(st.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return Statement{}, err
	}
	hrows, err := s.DB.Query(ctx, "SELECT generated_at, total, line_count FROM statement_history WHERE statement_id = ? ORDER BY id", id)
	if err != nil {
		return Statement{}, fmt.Errorf("reading statement history: %w", err)
	}
	defer hrows.Close()
	for hrows.Next() {
		var h StatementRun
		if err := hrows.Scan(&h.GeneratedAt, &h.Total, &h.LineCount); err != nil {
			return Statement{}, err
		}
		h.GeneratedAt = h.GeneratedAt.UTC()
		st.History = append(st.History, h)
	}
	return st, hrows.Err()
}

// UsageRecord is one stored usage record, for drill-down.
type UsageRecord struct {
	IdempotencyKey string          `json:"idempotency_key"`
	Time           time.Time       `json:"time"`
	SubscriptionID int64           `json:"subscription_id,omitempty"`
	Quantity       decimal.Decimal `json:"quantity"`
	Unit           string          `json:"unit"`
	Source         string          `json:"source"`
}

// Usage lists the usage records behind a department's usage line, at most
// limit of them, in time order.
func (s *Service) Usage(ctx context.Context, p *access.Principal, period string, departmentID, offeringID int64, limit int) ([]UsageRecord, error) {
	if !canReadStatements(p, departmentID) {
		return nil, engage.Errorf(engage.EFORBIDDEN, "Usage is for the department's budget holders, its BRM, finance and administrators.")
	}
	if _, err := ParsePeriod(period); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	// Late records belong to the adjustment that charged them (LateUsage).
	rows, err := s.DB.Query(ctx, `SELECT first_at, unit, data FROM usage_batches
		WHERE period = ? AND department_id = ? AND offering_id = ? AND adjustment_id IS NULL ORDER BY first_at, id`, period, departmentID, offeringID)
	if err != nil {
		return nil, fmt.Errorf("reading usage: %w", err)
	}
	return readBatches(rows, limit)
}

// LateAdjustment is an adjustment that charges late usage.
type LateAdjustment struct {
	ID           int64           `json:"id"`
	Period       string          `json:"period" doc:"The period it is charged in"`
	Corrects     string          `json:"corrects" doc:"The closed period the usage belongs to"`
	DepartmentID int64           `json:"department_id"`
	OfferingID   int64           `json:"offering_id"`
	Quantity     decimal.Decimal `json:"quantity"`
	Records      int             `json:"records"`
	Amount       decimal.Decimal `json:"amount"`
	Currency     string          `json:"currency"`
	Reason       string          `json:"reason"`
}

// LateUsage returns a late-usage adjustment and the records it charges, at
// most limit of them, in time order.
func (s *Service) LateUsage(ctx context.Context, p *access.Principal, adjustmentID int64, limit int) (LateAdjustment, []UsageRecord, error) {
	var a LateAdjustment
	err := s.DB.QueryRow(ctx, `SELECT id, period, corrects, department_id, offering_id, late_quantity, late_records, amount, currency, reason
		FROM adjustments WHERE id = ? AND offering_id IS NOT NULL`, adjustmentID).Scan(&a.ID, &a.Period, &a.Corrects, &a.DepartmentID, &a.OfferingID,
		&a.Quantity, &a.Records, &a.Amount, &a.Currency, &a.Reason)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !canReadStatements(p, a.DepartmentID)) {
		return LateAdjustment{}, nil, engage.Errorf(engage.ENOTFOUND, "There is no late usage adjustment %d that you can see.", adjustmentID)
	} else if err != nil {
		return LateAdjustment{}, nil, fmt.Errorf("reading the adjustment: %w", err)
	}
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	rows, err := s.DB.Query(ctx, "SELECT first_at, unit, data FROM usage_batches WHERE adjustment_id = ? ORDER BY first_at, id", adjustmentID)
	if err != nil {
		return LateAdjustment{}, nil, fmt.Errorf("reading late usage: %w", err)
	}
	recs, err := readBatches(rows, limit)
	return a, recs, err
}
