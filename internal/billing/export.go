package billing

// Exports: a statement as CSV, the ledger journal of a period and the
// period's internal charges as FOCUS.
//
// Decisions:
//   - Every export is checked (access, period) before its first byte is
//     written, and then streamed from the database row by row: statements
//     and lines are never all held in memory.
//   - Amounts are plain decimals with the currency's minor unit ("1240.50",
//     "1240" for JPY), the rounded amounts a statement shows and adds up.
//   - The journal has one entry per chargeback statement with a non-zero
//     total, in two rows: debit the expense account on the department's cost
//     centre, credit IT's recovery account on IT's cost centre (a refund,
//     a negative total, swaps the sides). Showback statements are for
//     information and never posted; JournalSummary lists them. An open
//     period's journal is marked draft: it may still change.
//   - FOCUS rows are the statement lines of all departments (showback too:
//     FinOps tools see everything IT recovers or shows): BilledCost =
//     EffectiveCost = ListCost = ContractedCost = the line's rounded amount.
//     Subscription and fixed lines are Purchase/Recurring, one-time and
//     set-up fees Purchase/One-Time, metered usage and allocated cloud
//     charges Usage/Usage-Based, adjustments Adjustment (a correction of an
//     earlier period has ChargeClass Correction). A prorated line's charge
//     period is its days of service when the subscription says which they
//     are; otherwise the whole month.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/csvfile"
	"github.com/engagehq/engage/internal/focus"
	"github.com/engagehq/engage/internal/rating"
)

// ProviderName is how Engage names itself as the provider of internal
// charges in FOCUS exports.
const ProviderName = "Engage internal IT"

// Export is a checked export, ready to stream.
type Export struct {
	Filename    string
	ContentType string
	stream      func(ctx context.Context, w io.Writer) error
}

// Stream writes the export to w.
func (e *Export) Stream(ctx context.Context, w io.Writer) error { return e.stream(ctx, w) }

// PlainAmount writes an amount as a plain decimal with its currency's minor
// unit: 1240.50 EUR as "1240.50", 1240 JPY as "1240".
func PlainAmount(d decimal.Decimal, currency string) string {
	return rating.FixedAmount(d, currency)
}

func plainQuantity(d decimal.Decimal) string {
	n := d.Normalize()
	if e := n.Exponent(); e < 0 {
		return n.StringFixed(-e)
	}
	return n.StringFixed(0)
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}

// checkPeriod validates a period and says whether it exists and its state.
func (s *Service) checkPeriod(ctx context.Context, period string) (string, error) {
	if _, err := ParsePeriod(period); err != nil {
		return "", err
	}
	st, err := periodState(ctx, s.DB, period)
	if err != nil {
		return "", err
	}
	if st == "" {
		return "", engage.Errorf(engage.ENOTFOUND, "Nothing has been billed for %s yet.", periodLabel(period))
	}
	return st, nil
}

// StatementCSVHeader are the columns of a statement's CSV.
var StatementCSVHeader = []string{"statement", "period", "department", "cost_centre", "mode", "currency", "line", "kind",
	"service", "offering", "description", "quantity", "unit", "days", "period_days", "amount"}

// StatementCSV prepares one statement as CSV: a row per line and a total
// row whose amount is the sum of the rounded lines. Readable by whoever may
// read the statement.
func (s *Service) StatementCSV(ctx context.Context, p *access.Principal, id int64) (*Export, error) {
	st, err := scanStatement(s.DB.QueryRow(ctx, "SELECT "+statementColumns+" WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !canReadStatements(p, st.DepartmentID)) {
		return nil, engage.Errorf(engage.ENOTFOUND, "There is no statement %d that you can see.", id)
	} else if err != nil {
		return nil, fmt.Errorf("reading statement: %w", err)
	}
	name := fmt.Sprintf("statement-%s-%s-%s.csv", st.Period, safeName(st.CostCentre), st.Currency)
	return &Export{Filename: name, ContentType: "text/csv; charset=utf-8", stream: func(ctx context.Context, w io.Writer) error {
		cw := csvfile.NewWriter(w)
		if err := cw.Write(StatementCSVHeader); err != nil {
			return err
		}
		rows, err := s.DB.Query(ctx, `SELECT l.position, l.kind, COALESCE(sv.name, ''), COALESCE(o.name, ''), l.description, l.quantity, l.unit,
			l.days, l.period_days, l.amount FROM statement_lines l LEFT JOIN services sv ON sv.id = l.service_id
			LEFT JOIN offerings o ON o.id = l.offering_id WHERE l.statement_id = ? ORDER BY l.position`, id)
		if err != nil {
			return fmt.Errorf("reading statement lines: %w", err)
		}
		defer rows.Close()
		head := []string{strconv.FormatInt(st.ID, 10), st.Period, st.DepartmentName, st.CostCentre, st.Mode, st.Currency}
		rec := make([]string, 0, len(StatementCSVHeader))
		for rows.Next() {
			var pos, days, periodDays int
			var kind, service, offering, desc, unit string
			var qty, amount decimal.Decimal
			if err := rows.Scan(&pos, &kind, &service, &offering, &desc, &qty, &unit, &days, &periodDays, &amount); err != nil {
				return err
			}
			rec = append(rec[:0], head...)
			rec = append(rec, strconv.Itoa(pos), kind, service, offering, desc, plainQuantity(qty), unit, optInt(days), optInt(periodDays),
				PlainAmount(amount, st.Currency))
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rec = append(rec[:0], head...)
		rec = append(rec, "total", "", "", "", "Total: the sum of the rounded lines", "", "", "", "", PlainAmount(st.Total, st.Currency))
		if err := cw.Write(rec); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}}, nil
}

func optInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// JournalAccounts are the ledger accounts a journal posts to.
type JournalAccounts struct {
	// Expense is debited on each chargeback department's cost centre.
	Expense     string `json:"expense_account" example:"6400"`
	ExpenseName string `json:"expense_account_name" example:"IT services"`
	// Recovery is credited on IT's cost centre.
	Recovery           string `json:"recovery_account" example:"4900"`
	RecoveryName       string `json:"recovery_account_name" example:"IT cost recovery"`
	RecoveryCostCentre string `json:"recovery_cost_centre" example:"IT"`
}

// DefaultJournalAccounts are used for what a journal request leaves blank.
var DefaultJournalAccounts = JournalAccounts{Expense: "6400", ExpenseName: "IT services", Recovery: "4900",
	RecoveryName: "IT cost recovery", RecoveryCostCentre: "IT"}

var accountCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$`)

// withDefaults fills blanks from DefaultJournalAccounts and checks codes.
func (a JournalAccounts) withDefaults() (JournalAccounts, error) {
	d := DefaultJournalAccounts
	pick := func(v *string, def string) {
		if *v = strings.TrimSpace(*v); *v == "" {
			*v = def
		}
	}
	pick(&a.Expense, d.Expense)
	pick(&a.ExpenseName, d.ExpenseName)
	pick(&a.Recovery, d.Recovery)
	pick(&a.RecoveryName, d.RecoveryName)
	pick(&a.RecoveryCostCentre, d.RecoveryCostCentre)
	var v engage.Validation
	for _, f := range []struct{ field, value string }{{"expense_account", a.Expense}, {"recovery_account", a.Recovery},
		{"recovery_cost_centre", a.RecoveryCostCentre}} {
		if !accountCode.MatchString(f.value) {
			v.Add(f.field, "Write an account or cost-centre code of letters, digits, dots, dashes or slashes (at most 40), such as 6400.")
		}
	}
	v.MaxLen("expense_account_name", a.ExpenseName, 100)
	v.MaxLen("recovery_account_name", a.RecoveryName, 100)
	if a.Expense == a.Recovery && a.Expense != "" {
		v.Add("recovery_account", "The recovery account must differ from the expense account, or the entries cancel out.")
	}
	return a, v.Err()
}

// JournalCSVHeader are the columns of a journal.
var JournalCSVHeader = []string{"journal", "entry", "date", "period", "account", "account_name", "cost_centre", "debit", "credit",
	"currency", "description", "department", "statement", "status"}

// JournalExcluded is a statement the journal does not post.
type JournalExcluded struct {
	StatementID    int64           `json:"statement_id"`
	DepartmentName string          `json:"department_name"`
	CostCentre     string          `json:"cost_centre"`
	Currency       string          `json:"currency"`
	Total          decimal.Decimal `json:"total"`
	Kind           string          `json:"kind" enum:"showback,zero"`
	Reason         string          `json:"reason"`
}

// JournalSummary says what a period's journal holds.
type JournalSummary struct {
	Period   string                     `json:"period"`
	Label    string                     `json:"label"`
	Status   string                     `json:"status" enum:"final,draft" doc:"draft while the period is open"`
	Accounts JournalAccounts            `json:"accounts"`
	Entries  int                        `json:"entries"`
	Debits   map[string]decimal.Decimal `json:"debits" doc:"Per currency"`
	Credits  map[string]decimal.Decimal `json:"credits" doc:"Per currency; equal to debits"`
	Excluded []JournalExcluded          `json:"excluded" nullable:"false"`
}

// Balanced reports whether debits equal credits in every currency.
func (j JournalSummary) Balanced() bool {
	if len(j.Debits) != len(j.Credits) {
		return false
	}
	for c, d := range j.Debits {
		if !d.Equal(j.Credits[c]) {
			return false
		}
	}
	return true
}

// Journal prepares the ledger journal of a period as CSV. Finance and
// administrators only.
func (s *Service) Journal(ctx context.Context, p *access.Principal, period string, acc JournalAccounts) (*Export, error) {
	acc, state, err := s.checkJournal(ctx, p, period, acc)
	if err != nil {
		return nil, err
	}
	status := journalStatus(state)
	name := "journal-" + period + ".csv"
	if status == "draft" {
		name = "journal-" + period + "-draft.csv"
	}
	return &Export{Filename: name, ContentType: "text/csv; charset=utf-8", stream: func(ctx context.Context, w io.Writer) error {
		cw := csvfile.NewWriter(w)
		if err := cw.Write(JournalCSVHeader); err != nil {
			return err
		}
		if _, err := s.journal(ctx, period, state, acc, cw.Write); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}}, nil
}

// JournalSummary says what the journal of a period holds without writing
// it: entries, totals per currency and the statements left out.
func (s *Service) JournalSummary(ctx context.Context, p *access.Principal, period string, acc JournalAccounts) (JournalSummary, error) {
	acc, state, err := s.checkJournal(ctx, p, period, acc)
	if err != nil {
		return JournalSummary{}, err
	}
	return s.journal(ctx, period, state, acc, nil)
}

func (s *Service) checkJournal(ctx context.Context, p *access.Principal, period string, acc JournalAccounts) (JournalAccounts, string, error) {
	if err := requireFinance(p); err != nil {
		return acc, "", err
	}
	acc, err := acc.withDefaults()
	if err != nil {
		return acc, "", err
	}
	state, err := s.checkPeriod(ctx, period)
	return acc, state, err
}

func journalStatus(state string) string {
	if state == "closed" {
		return "final"
	}
	return "draft"
}

// journal walks the period's statements and emits two rows per entry.
func (s *Service) journal(ctx context.Context, period, state string, acc JournalAccounts, emit func([]string) error) (JournalSummary, error) {
	per, _ := ParsePeriod(period)
	sum := JournalSummary{Period: period, Label: periodLabel(period), Status: journalStatus(state), Accounts: acc,
		Debits: map[string]decimal.Decimal{}, Credits: map[string]decimal.Decimal{}, Excluded: []JournalExcluded{}}
	date := per.End().AddDate(0, 0, -1).Format(time.DateOnly)
	journal := "ENG-" + period
	rows, err := s.DB.Query(ctx, "SELECT "+statementColumns+" WHERE s.period = ? ORDER BY d.code, s.currency", period)
	if err != nil {
		return sum, fmt.Errorf("reading statements: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		st, err := scanStatement(rows)
		if err != nil {
			return sum, err
		}
		switch {
		case st.Mode != "chargeback":
			sum.Excluded = append(sum.Excluded, JournalExcluded{st.ID, st.DepartmentName, st.CostCentre, st.Currency, st.Total, "showback",
				"Showback: shown for information, never charged"})
			continue
		case st.Total.IsZero():
			sum.Excluded = append(sum.Excluded, JournalExcluded{st.ID, st.DepartmentName, st.CostCentre, st.Currency, st.Total, "zero",
				"Nothing to post: the total is zero"})
			continue
		}
		sum.Entries++
		amount := PlainAmount(st.Total.Abs(), st.Currency)
		desc := fmt.Sprintf("%s %s: %s (%s), statement %d", acc.ExpenseName, st.PeriodLabel, st.DepartmentName, st.CostCentre, st.ID)
		debit := []string{journal, strconv.Itoa(sum.Entries), date, period, acc.Expense, acc.ExpenseName, st.CostCentre, amount, "",
			st.Currency, desc, st.DepartmentName, strconv.FormatInt(st.ID, 10), sum.Status}
		credit := []string{journal, strconv.Itoa(sum.Entries), date, period, acc.Recovery, acc.RecoveryName, acc.RecoveryCostCentre, "", amount,
			st.Currency, desc, st.DepartmentName, strconv.FormatInt(st.ID, 10), sum.Status}
		if st.Total.IsNegative() { // a refund: IT gives back
			debit[4], debit[5], debit[6], credit[4], credit[5], credit[6] = credit[4], credit[5], credit[6], debit[4], debit[5], debit[6]
		}
		rounded := st.Total.Abs()
		sum.Debits[st.Currency] = sum.Debits[st.Currency].Add(rounded)
		sum.Credits[st.Currency] = sum.Credits[st.Currency].Add(rounded)
		if emit != nil {
			if err := emit(debit); err != nil {
				return sum, err
			}
			if err := emit(credit); err != nil {
				return sum, err
			}
		}
	}
	return sum, rows.Err()
}

// FOCUSFilter chooses what a FOCUS export holds.
type FOCUSFilter struct {
	Period string
	// DepartmentID limits the export to one department; then the
	// department's statement readers may export it. Without it, the whole
	// period is for finance and administrators.
	DepartmentID int64
}

// FOCUS prepares a period's internal charges as a FOCUS 1.2 CSV file.
func (s *Service) FOCUS(ctx context.Context, p *access.Principal, f FOCUSFilter) (*Export, error) {
	if p == nil {
		return nil, engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	if f.DepartmentID == 0 {
		if err := requireFinance(p); err != nil {
			return nil, engage.Errorf(engage.EFORBIDDEN, "A whole period's charges are for finance and administrators; give a department you may read.")
		}
	} else if !canReadStatements(p, f.DepartmentID) {
		return nil, engage.Errorf(engage.EFORBIDDEN, "Charges are for the department's budget holders, its BRM, finance and administrators.")
	}
	if _, err := s.checkPeriod(ctx, f.Period); err != nil {
		return nil, err
	}
	name := "focus-" + f.Period + ".csv"
	if f.DepartmentID != 0 {
		name = fmt.Sprintf("focus-%s-department-%d.csv", f.Period, f.DepartmentID)
	}
	return &Export{Filename: name, ContentType: "text/csv; charset=utf-8", stream: func(ctx context.Context, w io.Writer) error {
		return s.writeFOCUS(ctx, f, w)
	}}, nil
}

// focusCategory maps a catalog family to a FOCUS ServiceCategory.
var focusCategory = map[string]string{
	"network": "Networking", "compute": "Compute", "storage": "Storage", "hosting": "Web", "end-user-devices": "Other",
	"messaging": "Business Applications", "collaboration": "Business Applications", "search": "Business Applications",
	"client-computing": "Compute", "identity": "Identity", "data": "Analytics", "security": "Security",
	"business-applications": "Business Applications", "support": "Management and Governance",
}

func (s *Service) writeFOCUS(ctx context.Context, f FOCUSFilter, w io.Writer) error {
	per, _ := ParsePeriod(f.Period)
	start, end := per.Start().UTC(), per.End().UTC()
	query := `SELECT s.id, s.currency, s.mode, d.code, d.name, l.position, l.kind, COALESCE(l.subscription_id, 0), COALESCE(sv.name, ''),
		COALESCE(sv.family, ''), COALESCE(sv.delivery_model, ''), COALESCE(o.slug, ''), COALESCE(o.name, ''), l.description, l.quantity, l.unit,
		l.days, l.period_days, l.amount, l.source, sub.start_date, sub.end_date
		FROM statement_lines l JOIN statements s ON s.id = l.statement_id JOIN departments d ON d.id = s.department_id
		LEFT JOIN services sv ON sv.id = l.service_id LEFT JOIN offerings o ON o.id = l.offering_id
		LEFT JOIN subscriptions sub ON sub.id = l.subscription_id
		WHERE s.period = ?`
	args := []any{f.Period}
	if f.DepartmentID != 0 {
		query += " AND s.department_id = ?"
		args = append(args, f.DepartmentID)
	}
	rows, err := s.DB.Query(ctx, query+" ORDER BY d.code, s.currency, l.position", args...)
	if err != nil {
		return fmt.Errorf("reading statement lines: %w", err)
	}
	defer rows.Close()
	fw := focus.NewWriter(w)
	for rows.Next() {
		var stID, subID int64
		var currency, mode, code, deptName, kind, service, family, delivery, offSlug, offName, desc, unit, source string
		var pos, days, periodDays int
		var qty, amount decimal.Decimal
		var subStart, subEnd sql.NullTime
		if err := rows.Scan(&stID, &currency, &mode, &code, &deptName, &pos, &kind, &subID, &service, &family, &delivery, &offSlug, &offName,
			&desc, &qty, &unit, &days, &periodDays, &amount, &source, &subStart, &subEnd); err != nil {
			return err
		}
		amount = rating.RoundLine(amount, currency)
		r := focus.Row{
			BillingAccountId: "engage-internal", BillingAccountName: "Internal IT charges",
			SubAccountId: code, SubAccountName: deptName,
			ProviderName: ProviderName, PublisherName: ProviderName, InvoiceIssuerName: ProviderName,
			InvoiceId:       fmt.Sprintf("ENG-%s-%s-%s", f.Period, code, currency),
			BillingCurrency: currency, BilledCost: amount, EffectiveCost: amount,
			ListCost: decimal.NewNullDecimal(amount), ContractedCost: decimal.NewNullDecimal(amount),
			BillingPeriodStart: start, BillingPeriodEnd: end, ChargePeriodStart: start, ChargePeriodEnd: end,
			ChargeDescription: desc, ServiceName: service, ServiceCategory: focusCategory[family],
			SkuId: offSlug, ResourceName: offName,
			Tags: map[string]string{"engage-statement": strconv.FormatInt(stID, 10), "engage-line": strconv.Itoa(pos),
				"engage-kind": kind, "engage-billing-mode": mode},
		}
		if delivery != "" {
			r.Tags["engage-delivery-model"] = delivery
		}
		if unit != "" {
			r.PricingQuantity, r.PricingUnit = decimal.NewNullDecimal(qty), unit
		}
		switch kind {
		case "subscription", "fixed", "minimum":
			r.ChargeCategory, r.ChargeFrequency = "Purchase", "Recurring"
		case "setup-fee", "one-time":
			r.ChargeCategory, r.ChargeFrequency = "Purchase", "One-Time"
		case "usage":
			r.ChargeCategory, r.ChargeFrequency = "Usage", "Usage-Based"
			r.ConsumedQuantity, r.ConsumedUnit = decimal.NewNullDecimal(qty), unit
		case "cloud":
			r.ChargeCategory, r.ChargeFrequency = "Usage", "Usage-Based"
			if parts := strings.SplitN(source, ":", 3); len(parts) == 3 {
				r.ServiceName, r.PublisherName = parts[2], parts[1]
				r.Tags["engage-cloud-provider"] = parts[1]
			}
			r.ServiceCategory = "Other"
		case "adjustment":
			r.ChargeCategory, r.ChargeFrequency, r.ServiceCategory = "Adjustment", "One-Time", "Other"
			if strings.HasPrefix(desc, "Adjustment for ") {
				r.ChargeClass = "Correction"
			}
		}
		if subID != 0 {
			r.ResourceId, r.ResourceType = fmt.Sprintf("engage:subscription/%d", subID), "Subscription"
			if days > 0 && days < periodDays && subStart.Valid {
				from, to := serviceSpan(start, end, subStart.Time, subEnd)
				if int(to.Sub(from).Hours()/24) == days {
					r.ChargePeriodStart, r.ChargePeriodEnd = from, to
				}
			}
		} else if offSlug != "" {
			r.ResourceId, r.ResourceType = "engage:offering/"+offSlug, "Metered offering"
		}
		if err := fw.Write(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return fw.Flush()
}

// serviceSpan is the part of [start, end) a subscription covers, from its
// first day to the day after its last.
func serviceSpan(start, end, subStart time.Time, subEnd sql.NullTime) (time.Time, time.Time) {
	day := func(t time.Time) time.Time {
		t = t.UTC()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	from, to := start, end
	if s := day(subStart); s.After(from) {
		from = s
	}
	if subEnd.Valid {
		if e := day(subEnd.Time).AddDate(0, 0, 1); e.Before(to) {
			to = e
		}
	}
	return from, to
}
