package focus

import (
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// readAll reads every row of r, keeping accepted rows and rejections apart.
func readAll(t *testing.T, r *Reader) ([]Row, []*RowError) {
	t.Helper()
	var rows []Row
	var rejected []*RowError
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, rejected
		}
		var re *RowError
		if errors.As(err, &re) {
			rejected = append(rejected, re)
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		rows = append(rows, row)
	}
}

func readString(t *testing.T, s string, opts Options) ([]Row, []*RowError, Report) {
	t.Helper()
	r, err := NewReader(strings.NewReader(s), opts)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	rows, rejected := readAll(t, r)
	return rows, rejected, r.Report()
}

func readFile(t *testing.T, path string, opts Options) ([]Row, []*RowError, Report) {
	t.Helper()
	r, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	rows, rejected := readAll(t, r)
	return rows, rejected, r.Report()
}

// sums are BilledCost and EffectiveCost totals per "provider|currency".
type sums map[string][2]*big.Rat

// independentSums adds up a CSV file with encoding/csv and big.Rat only,
// without any of the package's parsing: ProviderName (or
// ServiceProviderName), BillingCurrency (or def when the column is absent),
// BilledCost, and EffectiveCost (BilledCost when absent or null). NULL
// tokens count as empty.
func independentSums(t *testing.T, path, def string) (sums, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimPrefix(h, "\uFEFF"))] = i
	}
	get := func(rec []string, name string) string {
		i, ok := col[name]
		if !ok || strings.EqualFold(rec[i], "null") {
			return ""
		}
		return rec[i]
	}
	out := sums{}
	n := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		provider := get(rec, "serviceprovidername")
		if provider == "" {
			provider = get(rec, "providername")
		}
		currency := def
		if _, ok := col["billingcurrency"]; ok {
			currency = get(rec, "billingcurrency")
		}
		billed, ok := new(big.Rat).SetString(get(rec, "billedcost"))
		if !ok {
			t.Fatalf("%s: row %d: BilledCost %q", path, n, get(rec, "billedcost"))
		}
		effective := billed
		if s := get(rec, "effectivecost"); s != "" {
			if effective, ok = new(big.Rat).SetString(s); !ok {
				t.Fatalf("%s: row %d: EffectiveCost %q", path, n, s)
			}
		}
		k := provider + "|" + currency
		acc, found := out[k]
		if !found {
			acc = [2]*big.Rat{new(big.Rat), new(big.Rat)}
			out[k] = acc
		}
		acc[0].Add(acc[0], billed)
		acc[1].Add(acc[1], effective)
	}
	return out, n
}

// checkTotals compares a Report's totals with independent sums, exactly.
func checkTotals(t *testing.T, rep Report, want sums) {
	t.Helper()
	if len(rep.Totals) != len(want) {
		t.Errorf("%d totals, want %d: %+v", len(rep.Totals), len(want), rep.Totals)
	}
	for _, tot := range rep.Totals {
		w, ok := want[tot.ProviderName+"|"+tot.BillingCurrency]
		if !ok {
			t.Errorf("unexpected total for %q/%q", tot.ProviderName, tot.BillingCurrency)
			continue
		}
		if tot.BilledCost.Rat().Cmp(w[0]) != 0 {
			t.Errorf("%s/%s BilledCost = %s, independent sum %s", tot.ProviderName, tot.BillingCurrency, tot.BilledCost, w[0].FloatString(20))
		}
		if tot.EffectiveCost.Rat().Cmp(w[1]) != 0 {
			t.Errorf("%s/%s EffectiveCost = %s, independent sum %s", tot.ProviderName, tot.BillingCurrency, tot.EffectiveCost, w[1].FloatString(20))
		}
	}
}

func warningCounts(rep Report) map[WarningKind]int64 {
	m := map[WarningKind]int64{}
	for _, w := range rep.Warnings {
		m[w.Kind] = w.Count
	}
	return m
}

func checkWarnings(t *testing.T, rep Report, want map[WarningKind]int64) {
	t.Helper()
	got := warningCounts(rep)
	if !maps.Equal(got, want) {
		t.Errorf("warnings = %v\n          want %v", got, want)
	}
}

// rowsEqual compares every field but Line and Fingerprint, by value.
func rowsEqual(a, b Row) bool {
	a.Line, b.Line, a.Fingerprint, b.Fingerprint = 0, 0, "", ""
	return a.BilledCost.Equal(b.BilledCost) && a.EffectiveCost.Equal(b.EffectiveCost) &&
		nullEqual(a.ListCost, b.ListCost) && nullEqual(a.ContractedCost, b.ContractedCost) &&
		nullEqual(a.ConsumedQuantity, b.ConsumedQuantity) && nullEqual(a.PricingQuantity, b.PricingQuantity) &&
		a.BillingPeriodStart.Equal(b.BillingPeriodStart) && a.BillingPeriodEnd.Equal(b.BillingPeriodEnd) &&
		a.ChargePeriodStart.Equal(b.ChargePeriodStart) && a.ChargePeriodEnd.Equal(b.ChargePeriodEnd) &&
		maps.Equal(a.Tags, b.Tags) && textFields(a) == textFields(b)
}

func textFields(r Row) [24]string {
	return [24]string{
		r.BillingAccountId, r.BillingAccountName, r.SubAccountId, r.SubAccountName, r.ProviderName,
		r.PublisherName, r.InvoiceIssuerName, r.InvoiceId, r.BillingCurrency, r.ChargeCategory,
		r.ChargeClass, r.ChargeDescription, r.ChargeFrequency, r.ServiceName, r.ServiceCategory,
		r.RegionId, r.RegionName, r.ResourceId, r.ResourceName, r.ResourceType, r.SkuId,
		r.SkuPriceId, r.CommitmentDiscountId, r.ConsumedUnit + "\x00" + r.PricingUnit,
	}
}

func nullEqual(a, b decimal.NullDecimal) bool {
	return a.Valid == b.Valid && (!a.Valid || a.Decimal.Equal(b.Decimal))
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func ratOf(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return r
}
