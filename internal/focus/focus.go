// Package focus reads and writes FOCUS (FinOps Open Cost and Usage
// Specification) cost and usage files, versions 1.0 to 1.3.
//
// A Reader streams rows out of a CSV file, a gzip-compressed CSV file or a
// Parquet file (the format is told by the leading bytes, not by the file
// name). It keeps one row at a time plus a few bytes per row for duplicate
// detection, so files of millions of rows read in bounded memory. Rows the
// package cannot read are returned as *RowError values naming the line and
// the column, and reading goes on after them. Deviations that real exports
// have but that leave the costs readable (NULL tokens, timestamps without T
// or Z, enumerations in the wrong case, ...) are accepted and counted in the
// Report by kind.
//
// A Writer writes FOCUS 1.2-shaped CSV so that charges can be exported and
// read by any FOCUS tool.
//
// Money is decimal.Decimal throughout: never float64. Parquet DOUBLE values
// are converted through their shortest decimal representation.
//
// Choices made for real exports:
//
//   - Column names match case-insensitively. Columns outside FOCUS 1.0-1.3
//     are ignored and counted once each (x_ columns separately). A file is
//     refused only for a missing BilledCost, ChargePeriodStart,
//     ChargePeriodEnd or BillingCurrency column, or a column named twice.
//   - A row is rejected only when it cannot be read: an unreadable number in
//     a cost column, an unreadable timestamp, a missing charge period, a
//     period ending before it starts, a wrong number of fields, malformed
//     CSV, or no currency for a non-zero cost. An unreadable quantity or
//     Tags value is dropped instead (the row is kept, a warning counted).
//   - Slash dates (5/1/25) are ambiguous, so rows with them are rejected
//     unless Options.SlashDates says the order.
//   - Identical rows in one file are real (two identical resources billed
//     for the same hour) and are all kept: the n-th repetition gets a
//     fingerprint derived from the content hash and n. Re-reading a file
//     gives the same fingerprints, and a file overlapping another shares
//     fingerprints for exactly the rows they have in common.
package focus

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Row is one charge of a FOCUS file with the columns Engage uses. String
// columns are empty when the file has no such column or the value is null.
type Row struct {
	// Line is the 1-based line of the row in a CSV file (the header is line
	// 1; blank lines and multi-line quoted values count), or the 1-based row
	// number in a Parquet file.
	Line int
	// Fingerprint is a stable SHA-256 hex digest of the row's content (all
	// fields below, normalised; not Line). It does not depend on the file's
	// format, column order or columns Engage ignores. Rows with identical
	// content in one file get distinct fingerprints by their rank of
	// occurrence, so re-reading a file yields the same set of fingerprints.
	Fingerprint string
	// hash is the content hash, once Hash has computed it.
	hash   [sha256.Size]byte
	hashed bool

	BillingAccountId   string
	BillingAccountName string
	SubAccountId       string
	SubAccountName     string
	// ProviderName is ServiceProviderName (FOCUS 1.3) when the file has it,
	// else ProviderName.
	ProviderName      string
	PublisherName     string
	InvoiceIssuerName string
	InvoiceId         string

	// BillingCurrency is the upper-case ISO 4217 code.
	BillingCurrency string
	BilledCost      decimal.Decimal
	// EffectiveCost is BilledCost when the file lacks the column or the value
	// is null (counted as a warning).
	EffectiveCost  decimal.Decimal
	ListCost       decimal.NullDecimal
	ContractedCost decimal.NullDecimal

	// Periods are UTC. Start is inclusive, end exclusive. Billing periods are
	// the zero time when absent.
	BillingPeriodStart time.Time
	BillingPeriodEnd   time.Time
	ChargePeriodStart  time.Time
	ChargePeriodEnd    time.Time

	// ChargeCategory is Usage, Purchase, Tax, Credit or Adjustment (case
	// normalised; an unknown value is kept as written and counted).
	ChargeCategory    string
	ChargeClass       string // "" or Correction
	ChargeDescription string
	ChargeFrequency   string // One-Time, Recurring or Usage-Based

	ServiceName          string
	ServiceCategory      string
	RegionId             string
	RegionName           string
	ResourceId           string
	ResourceName         string
	ResourceType         string
	SkuId                string
	SkuPriceId           string
	CommitmentDiscountId string

	ConsumedQuantity decimal.NullDecimal
	ConsumedUnit     string
	PricingQuantity  decimal.NullDecimal
	PricingUnit      string

	// Tags is nil when the row has no tags. Non-string JSON values are kept
	// as their JSON text (true, 12, {"a":1}). Rows whose tags are written
	// alike share one map: read it, do not change it.
	Tags map[string]string
}

// RowError is a rejected row. Reading continues after it.
type RowError struct {
	Line    int    // as Row.Line
	Column  string // FOCUS column name; empty when the whole row is at fault
	Message string
}

func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: column %s: %s", e.Line, e.Column, e.Message)
}

// DateOrder says how to read slash dates such as 5/1/25, which FOCUS does not
// allow and which are ambiguous.
type DateOrder string

const (
	// SlashDatesReject rejects rows with slash dates (the default).
	SlashDatesReject DateOrder = ""
	// SlashDatesMDY reads 5/1/25 as 1 May 2025 (United States order).
	SlashDatesMDY DateOrder = "MDY"
	// SlashDatesDMY reads 5/1/25 as 5 January 2025.
	SlashDatesDMY DateOrder = "DMY"
)

// Options tune a Reader. The zero value is ready to use.
type Options struct {
	// Progress, if set, is called with the bytes consumed from the input
	// (compressed bytes for gzip) and the rows read so far, at most every
	// 100 ms, and once more at the end of the file.
	Progress func(bytesRead, rowsRead int64)
	// MaxErrors is how many rejected rows the Report keeps (default 100;
	// negative keeps none). All are counted.
	MaxErrors int
	// DefaultCurrency is used as BillingCurrency when the file has no
	// BillingCurrency column (a warning is counted). Without it such a file
	// is refused.
	DefaultCurrency string
	// SlashDates says how to read dates like 5/1/25.
	SlashDates DateOrder
	// DeferFingerprints leaves Row.Fingerprint empty: the caller takes the
	// fingerprints with Reader.FingerprintSum, possibly on another
	// goroutine, so that hashing rows does not hold up reading them.
	// Row.Hash, which does most of that work, may run on any goroutine
	// beforehand.
	DeferFingerprints bool
}

// Format is the container format of an input file.
type Format string

const (
	FormatCSV     Format = "csv"
	FormatCSVGzip Format = "csv+gzip"
	FormatParquet Format = "parquet"
)

// WarningKind names a deviation from FOCUS that was accepted.
type WarningKind string

// Warning kinds. Row-level kinds count values (one row may count several);
// column-level kinds count columns; file-level kinds count 1.
const (
	WarnNullToken          WarningKind = "null_token"             // literal NULL/null read as null
	WarnTimestampNoT       WarningKind = "timestamp_no_t"         // space instead of T between date and time
	WarnTimestampNoZone    WarningKind = "timestamp_no_zone"      // no Z or offset: UTC assumed
	WarnTimestampOffset    WarningKind = "timestamp_offset"       // offset other than Z, converted to UTC
	WarnTimestampFraction  WarningKind = "timestamp_fraction"     // fractional seconds
	WarnDateOnly           WarningKind = "date_only"              // date without time: midnight UTC
	WarnSlashDate          WarningKind = "slash_date"             // M/D/Y or D/M/Y read per Options.SlashDates
	WarnEnumCase           WarningKind = "enum_case"              // enumeration or currency in another case
	WarnEnumUnknown        WarningKind = "enum_unknown"           // value outside the FOCUS enumeration, kept
	WarnScientific         WarningKind = "scientific_notation"    // number written with an exponent
	WarnInvalidQuantity    WarningKind = "invalid_quantity"       // unreadable quantity, read as null
	WarnTagsMalformed      WarningKind = "tags_malformed"         // Tags not a JSON object: row kept without tags
	WarnEffectiveCostNull  WarningKind = "effective_cost_null"    // EffectiveCost null: BilledCost used
	WarnDuplicateRow       WarningKind = "duplicate_row"          // same content as an earlier row of the file, kept
	WarnUnknownColumn      WarningKind = "unknown_column"         // column not in FOCUS, ignored (per column)
	WarnCustomColumn       WarningKind = "custom_column"          // x_ provider column, ignored (per column)
	WarnFloatColumn        WarningKind = "float_column"           // Parquet floating-point money column (per column)
	WarnBOM                WarningKind = "bom"                    // UTF-8 byte order mark
	WarnCRLF               WarningKind = "crlf"                   // CRLF line ends
	WarnEffectiveCostNoCol WarningKind = "effective_cost_missing" // no EffectiveCost column: BilledCost used
	WarnCurrencyDefaulted  WarningKind = "currency_defaulted"     // no BillingCurrency column: Options.DefaultCurrency used
)

// Warning counts one kind of accepted deviation.
type Warning struct {
	Kind      WarningKind
	Count     int64
	FirstLine int    // line of the first occurrence (1 for the header or file)
	Example   string // first offending value or column name
}

// Total sums the accepted rows of one provider and currency.
type Total struct {
	ProviderName    string
	BillingCurrency string
	Rows            int64
	BilledCost      decimal.Decimal
	EffectiveCost   decimal.Decimal
}

// Report describes what a Reader has read so far.
type Report struct {
	Format Format
	// Version is the FOCUS version the columns point to, as a best guess:
	// the newest version whose new columns are present ("1.0" to "1.3"),
	// or "" when none of the columns tells.
	Version      string
	Columns      int // columns in the file
	BytesRead    int64
	RowsRead     int64 // accepted + rejected
	RowsAccepted int64
	RowsRejected int64
	Errors       []RowError // the first Options.MaxErrors rejected rows
	Warnings     []Warning  // by kind
	Totals       []Total    // by provider, then currency
}
