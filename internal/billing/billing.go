// Package billing turns subscriptions, metered usage and allocated cloud
// charges into monthly statements per department, and keeps billing
// periods: open periods can be run again and again with identical results
// for identical inputs; a closed period never changes, and corrections are
// adjustments that land, as their own line, in an open period.
//
// Decisions:
//   - A period is a calendar month in UTC, written YYYY-MM.
//   - Usage is kept aggregated as it arrives (usage_totals, per department,
//     offering, period and the rate plan in force at the usage's time), so a
//     billing run reads totals, never every record. Tiers accumulate per
//     department × offering × period across plans, in the order the plans
//     start; volume tiers price the period's total.
//   - Amounts keep full precision through rating; each statement line is
//     rounded to its currency's minor unit, half away from zero; a
//     statement's total is the sum of its rounded lines; currencies are
//     never added together (one statement per department and currency).
//   - Statements (and usage) are readable by the department's budget
//     holders and those above them, its BRM, finance, the portfolio board and
//     admins — not by every member of the department. Finance and admins run
//     and close periods, ingest usage and record adjustments; API tokens of
//     metering systems need the finance role.
//   - Usage is taken only when dated within a window around now
//     (Service.UsagePast, UsageFuture); a period is closed only once it has
//     ended. Usage for a closed period is late usage: stored with its real
//     time and charged by an adjustment in the next open period (late.go).
//   - A statement is one department × period × currency for life: a rerun
//     updates it in place, keeping its id, and records its total in its
//     history. Statements are never deleted, so no id is used twice; one
//     that a rerun leaves without lines is kept with a zero total.
//   - A run takes a database lock (PostgreSQL advisory lock; SQLite's single
//     writer) and does all its work in one transaction, so a crash leaves
//     the period as it was and running again completes it.
package billing

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/rating"
)

// PeriodOf names the month of t, in UTC.
func PeriodOf(t time.Time) string { return t.UTC().Format("2006-01") }

// ParsePeriod reads YYYY-MM: a month of rating.FirstPeriod…LastPeriod.
func ParsePeriod(s string) (rating.Period, error) { return rating.ParsePeriod("period", s) }

// Period is a billing month and its state.
type Period struct {
	Period    string     `json:"period" example:"2026-03"`
	State     string     `json:"state" enum:"open,closed"`
	LastRunAt *time.Time `json:"last_run_at,omitempty"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	Label     string     `json:"label" example:"March 2026"`
}

// Statement is a department's charges for a period in one currency.
type Statement struct {
	ID             int64           `json:"id"`
	Period         string          `json:"period"`
	PeriodLabel    string          `json:"period_label"`
	PeriodState    string          `json:"period_state"`
	DepartmentID   int64           `json:"department_id"`
	DepartmentName string          `json:"department_name"`
	CostCentre     string          `json:"cost_centre"`
	Currency       string          `json:"currency"`
	Mode           string          `json:"mode" enum:"showback,chargeback" doc:"showback statements are for information"`
	Total          decimal.Decimal `json:"total" doc:"The sum of the rounded lines, written with the currency's minor unit (\"190.00\")"`
	GeneratedAt    time.Time       `json:"generated_at"`
	LineCount      int             `json:"line_count" doc:"0 when the last run left the statement without charges; it is kept, with its id"`
	Lines          []Line          `json:"lines,omitempty"`
	History        []StatementRun  `json:"history,omitempty" doc:"The statement's total after each run, oldest first"`
}

// StatementRun is a statement's total after one billing run.
type StatementRun struct {
	GeneratedAt time.Time       `json:"generated_at"`
	Total       decimal.Decimal `json:"total"`
	LineCount   int             `json:"line_count"`
}

// Line is one statement line.
type Line struct {
	Position       int             `json:"position"`
	Kind           string          `json:"kind" enum:"subscription,fixed,usage,setup-fee,one-time,minimum,cloud,adjustment"`
	ServiceID      int64           `json:"service_id,omitempty"`
	OfferingID     int64           `json:"offering_id,omitempty"`
	SubscriptionID int64           `json:"subscription_id,omitempty"`
	Description    string          `json:"description"`
	Quantity       decimal.Decimal `json:"quantity"`
	Unit           string          `json:"unit,omitempty"`
	Days           int             `json:"days,omitempty" doc:"Days of service in the period, for prorated lines"`
	PeriodDays     int             `json:"period_days,omitempty"`
	ExactAmount    decimal.Decimal `json:"exact_amount" doc:"Before rounding, at full precision"`
	Amount         decimal.Decimal `json:"amount" doc:"Rounded to the currency's minor unit, half away from zero, and written with all its places (\"58.00\")"`
	Source         string          `json:"source,omitempty" doc:"What is behind the line: usage, subscription or cloud charges"`
	currency       string
	departmentID   int64
}

// MarshalJSON writes the total, and those of its history, with the
// currency's minor unit ("190.00").
func (s Statement) MarshalJSON() ([]byte, error) {
	type plain Statement
	type run struct {
		GeneratedAt time.Time `json:"generated_at"`
		Total       string    `json:"total"`
		LineCount   int       `json:"line_count"`
	}
	var history []run
	for _, h := range s.History {
		history = append(history, run{GeneratedAt: h.GeneratedAt, Total: rating.FixedAmount(h.Total, s.Currency), LineCount: h.LineCount})
	}
	return json.Marshal(struct {
		plain
		Total   string `json:"total"`
		History []run  `json:"history,omitempty"`
	}{plain(s), rating.FixedAmount(s.Total, s.Currency), history})
}

// MarshalJSON writes the amount with the currency's minor unit ("58.00");
// the exact amount keeps its full precision.
func (l Line) MarshalJSON() ([]byte, error) {
	type plain Line
	return json.Marshal(struct {
		plain
		Amount string `json:"amount"`
	}{plain(l), rating.FixedAmount(l.Amount, l.currency)})
}

// MarshalJSON writes a month's total of statements with the currency's
// minor unit, as the statements are.
func (t CurrencyTotal) MarshalJSON() ([]byte, error) {
	type plain CurrencyTotal
	return json.Marshal(struct {
		plain
		Amount string `json:"amount"`
	}{plain(t), rating.FixedAmount(t.Amount, t.Currency)})
}

func requireFinance(p *access.Principal) error {
	if p == nil {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	if !p.ManagesMoney() {
		return engage.Errorf(engage.EFORBIDDEN, "Only finance and administrators can do this.")
	}
	return nil
}

// canReadStatements: budget holders of the department (or above it), its
// BRM, finance, the board and admins (access.Principal.CanReadStatements).
func canReadStatements(p *access.Principal, deptID int64) bool {
	return p != nil && p.CanReadStatements(deptID)
}
