// Package cloudbill imports cloud bills (FOCUS files) and allocates their
// charges to departments, so that the billing run can put each department's
// share of the cloud on its monthly statement.
//
// # Import
//
// Import streams a FOCUS file (CSV, gzip-compressed CSV or Parquet; FOCUS 1.0
// to 1.3) through internal/focus and stores each accepted row once,
// identified by the row's content fingerprint (kept in cloud_charge_keys):
// importing the same file again adds nothing, and a file that overlaps an
// earlier one adds only the rows the earlier one did not have (the others are
// counted as duplicates). A row's billing period is the calendar month, in
// UTC, of its ChargePeriodStart. Rows of a closed period are rejected, with
// their line, because a closed period never changes: corrections are
// adjustments in an open period.
//
// One file is one transaction. Rows are streamed, allocated and written in
// batches inside it: the shares of charges of one period, department,
// provider, service and currency are one row of cloud_charge_batches with
// their exact sum (see batches.go). Memory stays flat however large the
// file is, and a failure or a killed process leaves nothing behind; running
// the import again completes it. Reading, parsing and allocating run on one
// goroutine, writing on another. Imports and reallocations take turns
// (SQLite has one writer; on PostgreSQL they take a transaction-scoped
// advisory lock). Every import records a report (cloud_imports) that can be read
// again later: file name and SHA-256, format and FOCUS version, counts,
// totals per provider and currency of both BilledCost and EffectiveCost,
// allocated and unallocated totals, warnings by kind and the first 100
// rejected rows with their line and message.
//
// Rows that cannot be read (see package focus) and rows of closed periods are
// rejected one by one and listed in the report; the rest of the file is
// imported. A file that cannot be read at all (no header, a required column
// missing, a broken gzip stream) is refused as a whole.
//
// # Allocation
//
// Finance and administrators manage allocation rules; every change is
// audited with its before and after, and carries the version its editor read
// (a stale version is a conflict). Rules are tried in position order and the
// first that matches a charge decides. A rule matches on any combination of:
// a tag key and value (the key compared case-insensitively, the value
// exactly), the sub-account id (exactly), the service name and the service
// category (case-insensitively) and a resource id prefix (case-sensitive, as
// cloud resource ids are); every criterion given must match, and a rule with
// no criterion matches every charge (a catch-all to put last). Its action:
//
//   - assign: the whole charge to one department;
//   - split: fixed percentages over departments, which must add up to exactly
//     100;
//   - driver: shares in proportion to a driver over a list of departments, or
//     over every department when the list is empty: headcount (active people
//     per department when the allocation runs) or subscriptions (the quantity
//     of a named offering that each department subscribed to in the charge's
//     period, weighted by days: 10 seats for the whole of a 30-day month
//     weigh 300, 10 seats from the 16th weigh 150). Departments with a zero
//     weight get no share; when every weight is zero the charge stays
//     unallocated (with the rule recorded, so finance can see why).
//
// The amount allocated is the charge's EffectiveCost (amortised, the default)
// or its BilledCost, as the Service's Basis says; an import may override it,
// and the basis used is stored with the import so that reallocating gives the
// same amounts for the same rules. Shares keep full precision: percentage
// shares are exact (amount × percent / 100), driver shares are carried to
// SharePlaces decimal places (more if the amount has more), half away from
// zero, and the last share is always the amount minus the others, so the
// parts add up exactly to the charge. Rounding to the currency's minor unit
// happens only on a statement line, in package billing. Charges no rule
// matches are allocated to the period's unallocated bucket (department
// NULL): they are never dropped, and Unallocated lists them for finance.
//
// Rules apply when charges are imported. After changing rules, Reallocate
// re-runs them over an open period in one transaction, replacing that
// period's allocations; a closed period is refused.
//
// # Reading
//
// AllocatedTotals gives the billing run, per department × currency ×
// provider × service name, the exact allocated amount and the number of
// charges behind it. Charges drills down from a statement line to the FOCUS
// rows behind it, for finance, administrators and whoever may read that
// department's data (access.Principal.CanReadDepartment); the unallocated
// bucket is for finance and administrators only, like imports and rules.
package cloudbill

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/focus"
	"github.com/engagehq/engage/internal/rating"
)

// Basis says which cost of a charge is allocated.
type Basis string

const (
	// BasisEffective allocates EffectiveCost: amortised, with commitment
	// purchases spread over the usage they cover (the default, as FinOps
	// practice recommends for chargeback).
	BasisEffective Basis = "effective"
	// BasisBilled allocates BilledCost: what the invoice says.
	BasisBilled Basis = "billed"
)

// SharePlaces is the number of decimal places a driver share is carried to
// (more when the charge's amount itself has more).
const SharePlaces = 16

// MaxFileSize is the largest cloud bill Engage accepts, through the web or
// the API. A month of a large organisation's FOCUS export is a few hundred
// megabytes as CSV; bigger files are split by month or compressed with gzip.
const MaxFileSize = 2 << 30

// MaxReportedErrors is how many rejected rows an import report lists; all
// are counted.
const MaxReportedErrors = 100

// Service is cloud-bill import and allocation over its store.
type Service struct {
	DB    *db.DB
	Clock engage.Clock
	// Basis is the cost allocated when an import does not say;
	// BasisEffective when empty.
	Basis Basis
	// BatchRows is how many rows the reading goroutine hands the writing
	// one at a time; 1,000 when 0.
	BatchRows int
	// BatchCharges is the most shares of charges one stored batch holds;
	// 10,000 when 0.
	BatchCharges int
	// Currencies are those the organisation uses: a file's default
	// currency must be one of them.
	Currencies rating.Currencies
	// SaaS, when set, takes the SaaS charges of every import, in its
	// transaction (see saas.go).
	SaaS SaaSRecorder
}

// New returns a service allocating on the given basis ("" for the default).
func New(d *db.DB, clock engage.Clock, basis Basis) *Service {
	return &Service{DB: d, Clock: clock, Basis: basis}
}

func (s *Service) basis() Basis {
	if s.Basis == "" {
		return BasisEffective
	}
	return s.Basis
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return engage.SystemClock{}.Now()
	}
	return s.Clock.Now()
}

// ImportOptions tune one import.
type ImportOptions struct {
	// Basis overrides the Service's allocation basis for this import.
	Basis Basis
	// SlashDates says how to read dates like 5/1/25 (rejected by default).
	SlashDates focus.DateOrder
	// DefaultCurrency is the currency of a file without a BillingCurrency
	// column; such a file is refused without it.
	DefaultCurrency string
	// AcceptPartial imports the readable rows of a file in which some rows
	// cannot be read; by default such a file is refused whole. A file cut
	// in its last row is refused either way.
	AcceptPartial bool
	// Progress, if set, is called with the bytes and rows read so far, about
	// every 100 ms and once at the end. It is called from the goroutine that
	// reads the file.
	Progress func(bytesRead, rowsRead int64)
}

// CloudImport says what an import read, kept and allocated.
type CloudImport struct {
	ID       int64  `json:"id"`
	FileName string `json:"file_name"`
	SHA256   string `json:"sha256"`
	Format   string `json:"format" doc:"csv, csv+gzip or parquet"`
	Version  string `json:"focus_version" doc:"The FOCUS version the columns point to (1.0 to 1.3), empty when none tells"`
	Basis    Basis  `json:"basis" enum:"effective,billed" doc:"The cost allocated: EffectiveCost or BilledCost"`

	Rows       int64 `json:"rows" doc:"Rows read: accepted and rejected"`
	Accepted   int64 `json:"accepted" doc:"Rows accepted: added and duplicates"`
	Added      int64 `json:"added" doc:"Rows stored by this import"`
	Duplicates int64 `json:"duplicates" doc:"Rows already stored by an earlier import (same content)"`
	Rejected   int64 `json:"rejected"`

	Errors   []RejectedRow  `json:"errors" nullable:"false" doc:"The first 100 rejected rows"`
	Warnings []FocusWarning `json:"warnings" nullable:"false" doc:"Deviations from FOCUS that were accepted, by kind"`
	// Totals are over the accepted rows (added and duplicates).
	Totals []ProviderTotal `json:"totals" nullable:"false" doc:"Accepted rows per provider and currency"`
	// Allocation is over the rows this import added.
	Allocation []AllocationSummary `json:"allocation" nullable:"false" doc:"How the added rows were allocated, per currency"`
	Periods    []string            `json:"periods" nullable:"false" doc:"Billing periods (YYYY-MM) of the accepted rows"`

	ImportedBy string    `json:"imported_by"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
}

// RejectedRow is a rejected row.
type RejectedRow struct {
	Line    int    `json:"line" doc:"Line in a CSV file (the header is line 1), row number in a Parquet file"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// FocusWarning counts one kind of accepted deviation from FOCUS.
type FocusWarning struct {
	Kind      string `json:"kind"`
	Count     int64  `json:"count"`
	FirstLine int    `json:"first_line"`
	Example   string `json:"example,omitempty"`
}

// ProviderTotal sums rows of one provider and currency.
type ProviderTotal struct {
	Provider      string          `json:"provider"`
	Currency      string          `json:"currency"`
	Rows          int64           `json:"rows"`
	BilledCost    decimal.Decimal `json:"billed_cost"`
	EffectiveCost decimal.Decimal `json:"effective_cost"`
}

// AllocationSummary says how much of one currency went to departments and
// how much stayed unallocated.
type AllocationSummary struct {
	Currency        string          `json:"currency"`
	Allocated       decimal.Decimal `json:"allocated"`
	Unallocated     decimal.Decimal `json:"unallocated"`
	AllocatedRows   int64           `json:"allocated_rows" doc:"Charges allocated (in whole or in part) to departments"`
	UnallocatedRows int64           `json:"unallocated_rows" doc:"Charges left in the unallocated bucket"`
}

// AllocatedTotal is what one department was allocated of one provider's
// service in a period, in one currency: one statement line.
type AllocatedTotal struct {
	DepartmentID int64
	Currency     string
	Provider     string
	ServiceName  string
	// Amount is exact (full precision); round it only on the statement.
	Amount decimal.Decimal
	// Rows is the number of charges behind the amount.
	Rows int
}

// UnallocatedTotal is what no rule allocated of one provider's service in a
// period, in one currency.
type UnallocatedTotal struct {
	Provider    string          `json:"provider"`
	Currency    string          `json:"currency"`
	ServiceName string          `json:"service_name"`
	Amount      decimal.Decimal `json:"amount"`
	Rows        int             `json:"rows"`
}

// ReallocationReport says what a reallocation did.
type ReallocationReport struct {
	Period     string              `json:"period"`
	Charges    int64               `json:"charges"`
	Allocation []AllocationSummary `json:"allocation" nullable:"false"`
}

// CloudCharge is a stored FOCUS row with the share of it a department (or the
// unallocated bucket) was given.
type CloudCharge struct {
	ID                int64             `json:"id" doc:"Identifies this share of the charge; the fingerprint identifies the charge"`
	ImportID          int64             `json:"import_id"`
	Line              int               `json:"line"`
	Fingerprint       string            `json:"fingerprint" doc:"Identifies the charge: the first 16 bytes of a SHA-256 of its content, in hex; importing the same charge again finds this fingerprint and stores nothing"`
	Period            string            `json:"period"`
	Provider          string            `json:"provider"`
	BillingAccountID  string            `json:"billing_account_id"`
	SubAccountID      string            `json:"sub_account_id"`
	SubAccountName    string            `json:"sub_account_name"`
	ServiceName       string            `json:"service_name"`
	ServiceCategory   string            `json:"service_category"`
	ResourceID        string            `json:"resource_id"`
	ResourceName      string            `json:"resource_name"`
	ChargeCategory    string            `json:"charge_category"`
	ChargeDescription string            `json:"charge_description"`
	BilledCost        decimal.Decimal   `json:"billed_cost"`
	EffectiveCost     decimal.Decimal   `json:"effective_cost"`
	Currency          string            `json:"currency"`
	ChargePeriodStart time.Time         `json:"charge_period_start"`
	ChargePeriodEnd   time.Time         `json:"charge_period_end"`
	Tags              map[string]string `json:"tags"`

	// The allocation this row of the drill-down stands for.
	DepartmentID int64           `json:"department_id,omitempty" doc:"Absent for the unallocated bucket"`
	RuleID       int64           `json:"rule_id,omitempty" doc:"The rule that decided; absent when none matched"`
	Amount       decimal.Decimal `json:"amount" doc:"The share of the charge allocated, at full precision"`
}

// ChargeFilter selects the charges behind a statement line.
type ChargeFilter struct {
	Period string
	// DepartmentID 0 selects the unallocated bucket.
	DepartmentID int64
	Provider     string // optional
	ServiceName  string // optional
	Cursor       string
	Limit        int
}

func requireSignedIn(p *access.Principal) error {
	if p == nil {
		return engage.Errorf(engage.EUNAUTHORIZED, "Sign in first.")
	}
	return nil
}

// requireFinance lets finance and administrators through.
func requireFinance(p *access.Principal, what string) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if !p.ManagesMoney() {
		return engage.Errorf(engage.EFORBIDDEN, "Only finance and administrators can %s.", what)
	}
	return nil
}

func invalid(field, format string, args ...any) error {
	var v engage.Validation
	v.Add(field, format, args...)
	return v.Err()
}
