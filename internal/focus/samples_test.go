package focus

import (
	"encoding/csv"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

const (
	sampleFile  = "testdata/focus_sample.csv"
	flexFile    = "testdata/one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources.csv"
	saasFile    = "testdata/saas_spend_agreements_b2_whole.csv"
	sampleBytes = 755423
)

// countFields counts, with encoding/csv, the fields of a file for which
// match is true (header excluded).
func countFields(t *testing.T, path string, match func(col, value string) bool) int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, rec := range recs[1:] {
		for i, v := range rec {
			if match(recs[0][i], v) {
				n++
			}
		}
	}
	return n
}

func TestSampleFOCUS10(t *testing.T) {
	var progressBytes, progressRows int64
	rows, rejected, rep := readFile(t, sampleFile, Options{Progress: func(b, r int64) { progressBytes, progressRows = b, r }})
	if len(rows) != 1000 || len(rejected) != 0 {
		t.Fatalf("%d rows, %d rejected (%v), want 1000 and 0", len(rows), len(rejected), rejected)
	}
	if rep.RowsRead != 1000 || rep.RowsAccepted != 1000 || rep.RowsRejected != 0 || len(rep.Errors) != 0 {
		t.Errorf("report counts %d/%d/%d", rep.RowsRead, rep.RowsAccepted, rep.RowsRejected)
	}
	if rep.Format != FormatCSV || rep.Version != "1.0" || rep.Columns != 44 || rep.BytesRead != sampleBytes {
		t.Errorf("format %q version %q columns %d bytes %d", rep.Format, rep.Version, rep.Columns, rep.BytesRead)
	}
	if progressBytes != sampleBytes || progressRows != 1000 {
		t.Errorf("last progress (%d bytes, %d rows), want (%d, 1000)", progressBytes, progressRows, sampleBytes)
	}

	want, n := independentSums(t, sampleFile, "")
	if n != 1000 {
		t.Fatalf("independent pass read %d rows", n)
	}
	checkTotals(t, rep, want)
	for _, p := range []string{"AWS", "Microsoft", "Oracle"} {
		if _, ok := want[p+"|USD"]; !ok {
			t.Errorf("independent sums lack %s/USD: %v", p, want)
		}
	}

	// Deviations of this MySQL export, counted independently.
	nulls := countFields(t, sampleFile, func(_, v string) bool { return v == "NULL" })
	spaced := countFields(t, sampleFile, func(c, v string) bool {
		return strings.HasSuffix(c, "PeriodStart") || strings.HasSuffix(c, "PeriodEnd")
	})
	lowerFreq := countFields(t, sampleFile, func(c, v string) bool { return c == "ChargeFrequency" && v == "Usage-based" })
	if nulls != 8973 || spaced != 4000 || lowerFreq != 7 {
		t.Fatalf("independent counts changed: %d NULL, %d timestamps, %d Usage-based", nulls, spaced, lowerFreq)
	}
	checkWarnings(t, rep, map[WarningKind]int64{
		WarnNullToken:       nulls,
		WarnTimestampNoT:    spaced,
		WarnTimestampNoZone: spaced,
		WarnEnumCase:        lowerFreq,
		WarnUnknownColumn:   1,
	})
	for _, w := range rep.Warnings {
		if w.Kind == WarnUnknownColumn && (w.Example != "Id" || w.FirstLine != 1) {
			t.Errorf("unknown column warning %+v, want Id on line 1", w)
		}
	}

	// First and last rows, field by field.
	first := rows[0]
	if first.Line != 2 || rows[999].Line != 1001 {
		t.Errorf("lines %d..%d, want 2..1001", first.Line, rows[999].Line)
	}
	if !first.BilledCost.Equal(dec("0.0000008")) || !first.EffectiveCost.IsZero() ||
		!first.ListCost.Valid || !first.ListCost.Decimal.Equal(dec("0.0000008")) ||
		!first.ConsumedQuantity.Valid || !first.ConsumedQuantity.Decimal.Equal(dec("2")) ||
		first.ProviderName != "AWS" || first.BillingCurrency != "USD" || first.BillingAccountId != "1234567890123" ||
		first.SubAccountName != "Atlas Nimbus" || first.ChargeCategory != "Usage" || first.ChargeFrequency != "Usage-Based" ||
		first.ServiceName != "Amazon Simple Queue Service" || first.ServiceCategory != "Integration" ||
		first.RegionId != "us-west-2" || first.ResourceName != "" || first.ChargeClass != "" || first.Tags != nil ||
		!first.ChargePeriodStart.Equal(utc("2024-09-18T22:00:00Z")) || !first.ChargePeriodEnd.Equal(utc("2024-09-18T23:00:00Z")) ||
		!first.BillingPeriodStart.Equal(utc("2024-09-01T00:00:00Z")) || first.ChargePeriodStart.Location() != time.UTC {
		t.Errorf("first row = %+v", first)
	}
	if tags := rows[1].Tags; len(tags) != 3 || tags["application"] != "BrightLensMatrix" || tags["environment"] != "dev" || tags["business_unit"] != "ViennaAI" {
		t.Errorf("row 2 tags = %v", tags)
	}
	withTags, freqs := 0, map[string]int{}
	for _, r := range rows {
		if r.Tags != nil {
			withTags++
		}
		freqs[r.ChargeFrequency]++
	}
	if withTags != 711 {
		t.Errorf("%d rows with tags, want 711", withTags)
	}
	if freqs["Usage-Based"] != 999 || freqs["One-Time"] != 1 {
		t.Errorf("ChargeFrequency counts %v: Usage-based must be normalised", freqs)
	}
}

func TestSampleCommitmentFlexibility(t *testing.T) {
	// No BillingCurrency column: refused unless a default is given.
	if _, err := Open(flexFile, Options{}); !errors.Is(err, ErrMissingColumn) || !strings.Contains(err.Error(), "BillingCurrency") {
		t.Fatalf("Open without DefaultCurrency: %v, want a missing BillingCurrency error", err)
	}
	rows, rejected, rep := readFile(t, flexFile, Options{DefaultCurrency: "USD"})
	if len(rows) != 3 || len(rejected) != 0 {
		t.Fatalf("%d rows, %d rejected (%v), want 3 and 0", len(rows), len(rejected), rejected)
	}
	// Blank lines separate the rows.
	if rows[0].Line != 2 || rows[1].Line != 4 || rows[2].Line != 6 {
		t.Errorf("lines %d %d %d, want 2 4 6", rows[0].Line, rows[1].Line, rows[2].Line)
	}
	if rep.Version != "1.1" {
		t.Errorf("version %q, want 1.1 (CommitmentDiscountQuantity/Unit)", rep.Version)
	}
	nulls := countFields(t, flexFile, func(_, v string) bool { return v == "null" })
	checkWarnings(t, rep, map[WarningKind]int64{
		WarnCRLF:              1,
		WarnCurrencyDefaulted: 1,
		WarnCustomColumn:      1,
		WarnNullToken:         nulls,
		WarnDuplicateRow:      1, // the two medium VM rows are identical
	})
	want, _ := independentSums(t, flexFile, "USD")
	checkTotals(t, rep, want)

	purchase := rows[0]
	if purchase.ChargeCategory != "Purchase" || !purchase.BilledCost.Equal(dec("2")) || !purchase.EffectiveCost.IsZero() ||
		purchase.ConsumedQuantity.Valid || purchase.BillingCurrency != "USD" || purchase.SkuPriceId != "VM_XLARGE_COMMITTED_PURCHASE_NO_UPFRONT" {
		t.Errorf("purchase row = %+v", purchase)
	}
	// Genuine duplicates are both kept, with different fingerprints.
	if !rowsEqual(rows[1], rows[2]) || rows[1].Fingerprint == rows[2].Fingerprint {
		t.Errorf("duplicate rows: equal=%v, fingerprints %s %s", rowsEqual(rows[1], rows[2]), rows[1].Fingerprint, rows[2].Fingerprint)
	}
}

func TestSampleSaaSSlashDates(t *testing.T) {
	// By default the ambiguous US dates are refused, row by row.
	rows, rejected, rep := readFile(t, saasFile, Options{})
	if len(rows) != 0 || len(rejected) != 14 || rep.RowsRejected != 14 || len(rep.Errors) != 14 {
		t.Fatalf("%d rows, %d rejected, want 0 and 14", len(rows), len(rejected))
	}
	for i, e := range rejected {
		if e.Line != i+2 || e.Column != "ChargePeriodStart" || !strings.Contains(e.Message, "SlashDates") {
			t.Errorf("rejection %d = %+v, want line %d ChargePeriodStart", i, e, i+2)
		}
	}

	// Read as month/day/year, as the example means them.
	rows, rejected, rep = readFile(t, saasFile, Options{SlashDates: SlashDatesMDY})
	if len(rows) != 14 || len(rejected) != 0 {
		t.Fatalf("%d rows, %d rejected (%v), want 14 and 0", len(rows), len(rejected), rejected)
	}
	if rep.Version != "1.1" {
		t.Errorf("version %q, want 1.1", rep.Version)
	}
	// The example also writes ServiceCategory "Database" (FOCUS: Databases).
	checkWarnings(t, rep, map[WarningKind]int64{WarnSlashDate: 14 * 4, WarnEnumUnknown: 13})
	for _, w := range rep.Warnings {
		if w.Kind == WarnEnumUnknown && (w.Example != "ServiceCategory=Database" || w.FirstLine != 3) {
			t.Errorf("enum warning %+v", w)
		}
	}
	want, n := independentSums(t, saasFile, "")
	if n != 14 {
		t.Fatalf("independent pass read %d rows", n)
	}
	checkTotals(t, rep, want)
	r := rows[0]
	if r.ChargeCategory != "Purchase" || r.ChargeFrequency != "One-Time" || !r.BilledCost.Equal(dec("1200")) ||
		!r.ChargePeriodStart.Equal(utc("2025-04-01T00:00:00Z")) || !r.ChargePeriodEnd.Equal(utc("2026-04-01T00:00:00Z")) ||
		!r.BillingPeriodEnd.Equal(utc("2025-05-01T00:00:00Z")) || r.ProviderName != "Acme Co" {
		t.Errorf("first row = %+v", r)
	}
	// Day/month order reads the same text as other dates.
	rows, _, _ = readFile(t, saasFile, Options{SlashDates: SlashDatesDMY})
	if len(rows) == 0 || !rows[0].ChargePeriodStart.Equal(utc("2025-01-04T00:00:00Z")) {
		t.Errorf("DMY first row start = %v", rows)
	}
}
