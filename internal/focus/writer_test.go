package focus

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestWriterRoundTrip(t *testing.T) {
	in := []Row{
		{
			BillingAccountId: "acct-1", BillingAccountName: "Payer, Inc.", SubAccountId: "sub-1", SubAccountName: `Team "A"`,
			ProviderName: "Engage", PublisherName: "Engage", InvoiceIssuerName: "Engage", InvoiceId: "INV-2024-09",
			BillingCurrency: "EUR", BilledCost: dec("1234.5678"), EffectiveCost: dec("-0.000000001"),
			ListCost:           decimal.NewNullDecimal(dec("1300")),
			ContractedCost:     decimal.NewNullDecimal(dec("0")),
			BillingPeriodStart: utc("2024-09-01T00:00:00Z"), BillingPeriodEnd: utc("2024-10-01T00:00:00Z"),
			ChargePeriodStart: utc("2024-09-01T00:00:00Z"), ChargePeriodEnd: utc("2024-09-01T00:00:00.25Z"),
			ChargeCategory: "Usage", ChargeClass: "Correction", ChargeDescription: "line one\nline two; \"quoted\", comma",
			ChargeFrequency: "Usage-Based", ServiceName: "Shared platform", ServiceCategory: "Compute",
			RegionId: "eu-west-1", RegionName: "Ireland", ResourceId: "res/1", ResourceName: "web", ResourceType: "VM",
			SkuId: "S1", SkuPriceId: "S1-P", CommitmentDiscountId: "cd-1",
			ConsumedQuantity: decimal.NewNullDecimal(dec("1e-12")), ConsumedUnit: "Hours",
			PricingQuantity: decimal.NewNullDecimal(dec("123456789012345678901234567890")), PricingUnit: "Hours",
			Tags: map[string]string{"team": "checkout", "cost-center": "CC 12", "odd": `a"b,c<&>`, "unicode": "é漢"},
		},
		{ // the least a row can have
			BillingCurrency: "USD", BilledCost: dec("0"), EffectiveCost: dec("0"),
			ChargePeriodStart: utc("2024-09-30T23:00:00Z"), ChargePeriodEnd: utc("2024-10-01T00:00:00Z"),
			ChargeCategory: "Tax",
		},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range in {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, s := range []string{"2024-09-01T00:00:00Z", "1234.5678", "-0.000000001", "0.000000000001", "123456789012345678901234567890",
		`"{""cost-center"":""CC 12"",""odd"":""a\""b,c<&>""`} {
		if !strings.Contains(text, s) {
			t.Errorf("output lacks %q:\n%s", s, text)
		}
	}
	if strings.ContainsAny(strings.Split(text, "\n")[1][:12], "eE") {
		t.Errorf("scientific notation in output: %s", text)
	}
	out, rejected, rep := readString(t, text, Options{})
	if len(out) != len(in) || len(rejected) != 0 {
		t.Fatalf("read back %d rows, %d rejected: %v", len(out), len(rejected), rejected)
	}
	for i := range in {
		if !rowsEqual(in[i], out[i]) {
			t.Errorf("row %d:\n wrote %+v\n  read %+v", i, in[i], out[i])
		}
	}
	if rep.Version != "1.2" || rep.Columns != len(writerColumns) {
		t.Errorf("version %q, columns %d", rep.Version, rep.Columns)
	}
	checkWarnings(t, rep, map[WarningKind]int64{WarnTimestampFraction: 1})

	// An empty export still has its header.
	buf.Reset()
	w = NewWriter(&buf)
	if err := w.Flush(); err != nil || buf.String() != strings.Join(writerColumns, ",")+"\n" {
		t.Errorf("empty export %q, %v", buf.String(), err)
	}
}

// TestWriterRoundTripSample writes the whole FOCUS sample back out: the rows
// and their fingerprints survive.
func TestWriterRoundTripSample(t *testing.T) {
	rows, _, rep := readFile(t, sampleFile, Options{})
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	back, rejected, rep2 := readString(t, buf.String(), Options{})
	if len(back) != len(rows) || len(rejected) != 0 {
		t.Fatalf("%d rows back, %d rejected", len(back), len(rejected))
	}
	for i := range rows {
		if !rowsEqual(rows[i], back[i]) || rows[i].Fingerprint != back[i].Fingerprint {
			t.Fatalf("row %d differs:\n%+v\n%+v", i, rows[i], back[i])
		}
	}
	checkTotals(t, rep2, toSums(rep))
	if len(rep2.Warnings) != 0 {
		t.Errorf("the export is not clean FOCUS: %+v", rep2.Warnings)
	}
}
