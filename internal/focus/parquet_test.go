package focus

import (
	"bytes"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// pqRow is a FOCUS-like Parquet layout: money as DOUBLE (BilledCost,
// ListCost), as STRING (EffectiveCost) and as DECIMAL (ContractedCost);
// timestamps as TIMESTAMP and as STRING; Tags as a MAP.
type pqRow struct {
	BillingAccountId  string            `parquet:"BillingAccountId"`
	ProviderName      string            `parquet:"ProviderName"`
	BillingCurrency   string            `parquet:"BillingCurrency"`
	BilledCost        float64           `parquet:"BilledCost"`
	EffectiveCost     string            `parquet:"EffectiveCost"`
	ListCost          *float64          `parquet:"ListCost,optional"`
	ContractedCost    int64             `parquet:"ContractedCost,decimal(4:18)"`
	ChargePeriodStart time.Time         `parquet:"ChargePeriodStart,timestamp(millisecond)"`
	ChargePeriodEnd   string            `parquet:"ChargePeriodEnd"`
	ChargeCategory    string            `parquet:"chargecategory"`
	ConsumedQuantity  *float64          `parquet:"ConsumedQuantity,optional"`
	ResourceId        *string           `parquet:"ResourceId,optional"`
	Tags              map[string]string `parquet:"Tags"`
	XRaw              string            `parquet:"x_Raw"`
}

func f64(f float64) *float64 { return &f }
func str(s string) *string   { return &s }

func parquetBytes(t *testing.T, rows []pqRow) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[pqRow](&buf, parquet.MaxRowsPerRowGroup(2))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParquet(t *testing.T) {
	start := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)
	in := []pqRow{
		{"A1", "Cloud", "USD", 0.1, "0.05", f64(0.3), 12345, start, "2024-09-01T01:00:00Z", "Usage", f64(2.5), str("vm-1"),
			map[string]string{"team": "web", "env": "prod"}, "x"},
		{"A1", "Cloud", "USD", 1e-7, "1E-7", nil, -1, start.Add(time.Hour), "2024-09-01T02:00:00Z", "usage", nil, nil, nil, "y"},
		{"A1", "Cloud", "EUR", 1234.5678, "1234.5678", f64(0), 0, start, "2024-09-02T00:00:00Z", "Purchase", nil, str(""), map[string]string{}, "z"},
		{"A1", "Other", "USD", -2.61, "-2.61", nil, 10000, start, "2024-09-01T00:00:00Z", "Credit", nil, nil, map[string]string{"k": ""}, ""},
		{"A1", "Cloud", "USD", 5, "oops", nil, 0, start, "2024-09-01T01:00:00Z", "Usage", nil, nil, nil, ""},
	}
	data := parquetBytes(t, in)
	if f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data))); err != nil || len(f.RowGroups()) != 3 {
		t.Fatalf("test file: %v, want 3 row groups", err)
	}
	r, err := NewReader(bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, rejected := readAll(t, r)
	rep := r.Report()
	if len(rows) != 4 || len(rejected) != 1 || rejected[0].Line != 5 || rejected[0].Column != "EffectiveCost" {
		t.Fatalf("%d rows, rejected %v; want 4 and row 5 EffectiveCost", len(rows), rejected)
	}
	if rep.Format != FormatParquet || rep.Columns != 15 || rep.BytesRead == 0 {
		t.Errorf("format %q columns %d bytes %d", rep.Format, rep.Columns, rep.BytesRead)
	}
	checkWarnings(t, rep, map[WarningKind]int64{
		WarnFloatColumn:  2, // BilledCost and ListCost
		WarnCustomColumn: 1,
		WarnEnumCase:     1,
		WarnScientific:   1, // the string "1E-7"; doubles are written out plainly
	})

	r0 := rows[0]
	if r0.Line != 1 || !r0.BilledCost.Equal(dec("0.1")) || !r0.EffectiveCost.Equal(dec("0.05")) ||
		!r0.ListCost.Valid || !r0.ListCost.Decimal.Equal(dec("0.3")) ||
		!r0.ContractedCost.Valid || !r0.ContractedCost.Decimal.Equal(dec("1.2345")) ||
		!r0.ConsumedQuantity.Valid || !r0.ConsumedQuantity.Decimal.Equal(dec("2.5")) ||
		!r0.ChargePeriodStart.Equal(start) || !r0.ChargePeriodEnd.Equal(start.Add(time.Hour)) ||
		r0.ProviderName != "Cloud" || r0.BillingAccountId != "A1" || r0.ChargeCategory != "Usage" || r0.ResourceId != "vm-1" ||
		!maps.Equal(r0.Tags, map[string]string{"team": "web", "env": "prod"}) {
		t.Errorf("row 1 = %+v", r0)
	}
	r1 := rows[1]
	if r1.Line != 2 || !r1.BilledCost.Equal(dec("0.0000001")) || r1.ListCost.Valid || r1.ConsumedQuantity.Valid ||
		!r1.ContractedCost.Decimal.Equal(dec("-0.0001")) || r1.ChargeCategory != "Usage" || r1.Tags != nil ||
		!r1.ChargePeriodStart.Equal(start.Add(time.Hour)) {
		t.Errorf("row 2 = %+v", r1)
	}
	if r2 := rows[2]; !r2.BilledCost.Equal(dec("1234.5678")) || !r2.ListCost.Valid || !r2.ListCost.Decimal.IsZero() || r2.Tags != nil {
		t.Errorf("row 3 = %+v", r2)
	}
	if r3 := rows[3]; !r3.BilledCost.Equal(dec("-2.61")) || !maps.Equal(r3.Tags, map[string]string{"k": ""}) || r3.ChargeCategory != "Credit" {
		t.Errorf("row 4 = %+v", r3)
	}
	checkTotals(t, rep, sums{
		"Cloud|USD": {ratOf("0.1000001"), ratOf("0.0500001")},
		"Cloud|EUR": {ratOf("1234.5678"), ratOf("1234.5678")},
		"Other|USD": {ratOf("-2.61"), ratOf("-2.61")},
	})

	// The same content as CSV has the same fingerprints.
	var csvText strings.Builder
	w := NewWriter(&csvText)
	for _, row := range rows {
		w.Write(row)
	}
	w.Flush()
	back, _, _ := readString(t, csvText.String(), Options{})
	for i := range rows {
		if back[i].Fingerprint != rows[i].Fingerprint || !rowsEqual(back[i], rows[i]) {
			t.Errorf("row %d: CSV copy differs", i)
		}
	}

	// Through Open, from a file named like a CSV.
	path := filepath.Join(t.TempDir(), "bill.csv")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	again, _, rep2 := readFile(t, path, Options{})
	if len(again) != 4 || again[3].Fingerprint != rows[3].Fingerprint || rep2.BytesRead == 0 {
		t.Errorf("Open: %d rows, report %+v", len(again), rep2)
	}

	// A plain stream cannot be read as Parquet.
	if _, err := NewReader(io.MultiReader(bytes.NewReader(data)), Options{}); err == nil || !strings.Contains(err.Error(), "ReaderAt") {
		t.Errorf("stream: %v", err)
	}
}
