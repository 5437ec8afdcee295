package rating

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestLimits(t *testing.T) {
	cases := []struct {
		limit Limit
		in    string
		want  string // part of the message; "" when accepted
	}{
		{Amount, "999999999999999.9999", ""},
		{Amount, "-999999999999999.9999", ""},
		{Amount, "1000000000000000", "10^15"},
		{Amount, "1e400", "10^15"},
		{Amount, "-1e400", "10^15"},
		{Amount, "1e15", "10^15"},
		{Amount, "1.12345", "at most 4 decimal places"},
		{Amount, "1.00000000000000000000001", "at most 4 decimal places"},
		{Amount, "1.2300000000", ""}, // trailing zeros are not precision
		{Amount, "1e-400", "at most 4 decimal places"},
		{Amount, "0.000000", ""},
		{Fee, "-0.01", "0 or more (got -0.01)"},
		{Fee, "-1e400", "0 or more."},
		{UnitPrice, "0.0000000001", ""},
		{UnitPrice, "0.00000000001", "at most 10 decimal places"},
		{UnitPrice, "1e400", "10^12"},
		{Quantity, "999999999999999.999999", ""},
		{Quantity, "1e15", "10^15"},
		{Quantity, "1e-400", "at most 6 decimal places"},
		{Quantity, "-1", "0 or more"},
		{Percent, "33.333333", ""},
		{Percent, "33.3333333", "at most 6 decimal places"},
		{CloudCost, "-0.000000000123456789012345", ""},
		{CloudCost, "1e-40", "at most 30 decimal places"},
	}
	for _, c := range cases {
		got := c.limit.Check(decimal.RequireFromString(c.in))
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s.Check(%s) = %q, want %q", c.limit.Noun, c.in, got, c.want)
		}
		if len(got) > 200 {
			t.Errorf("message for %s is %d characters long", c.in, len(got))
		}
	}
	if got := Amount.Max(); got != "999999999999999.9999" {
		t.Errorf("Amount.Max() = %s", got)
	}
}

func TestCurrencies(t *testing.T) {
	var zero Currencies
	for code, ok := range map[string]bool{"EUR": true, "USD": true, "JPY": true, "ZZZ": false, "XXX": false, "SEK": false, "eur": false} {
		if got := zero.Check(code) == ""; got != ok {
			t.Errorf("default Check(%q) accepted = %v, want %v", code, got, ok)
		}
	}
	if msg := zero.Check("ZZZ"); !strings.Contains(msg, "ISO 4217") || !strings.Contains(msg, "EUR, USD") {
		t.Errorf("ZZZ message = %q", msg)
	}
	c, err := NewCurrencies([]string{" sek", "EUR", "SEK"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Codes(), ","); got != "SEK,EUR" {
		t.Errorf("codes = %s", got)
	}
	if c.Check("USD") == "" || c.Check("SEK") != "" {
		t.Errorf("configured set not applied")
	}
	if _, err := NewCurrencies([]string{"EUR", "ZZZ", "XTS"}); err == nil || !strings.Contains(err.Error(), "ZZZ, XTS") {
		t.Errorf("NewCurrencies(ZZZ) = %v", err)
	}
	for code := range minorUnits {
		if !IsISO4217(code) {
			t.Errorf("%s has a minor unit but is not listed as ISO 4217", code)
		}
	}
}

// BenchmarkQuantityCheck is the cost usage ingestion pays per record.
func BenchmarkQuantityCheck(b *testing.B) {
	q := decimal.RequireFromString("12.345")
	for b.Loop() {
		if Quantity.Check(q) != "" {
			b.Fatal("refused")
		}
	}
}

// TestCheckInRoundedAmount: an amount within its limit that rounds, in its
// currency, to one beyond it is refused, naming the largest allowed.
func TestCheckInRoundedAmount(t *testing.T) {
	for _, c := range []struct {
		x, currency, max string
		ok               bool
	}{
		{"999999999999999.9999", "EUR", "999999999999999.99", false},
		{"999999999999999.995", "EUR", "999999999999999.99", false},
		{"999999999999999.9949", "EUR", "", true},
		{"-999999999999999.9949", "EUR", "", true},
		{"999999999999999.5", "JPY", "999999999999999", false},
		{"999999999999999.4", "JPY", "", true},
		{"999999999999999.9994", "CLF", "", true},
		{"999999999999999.9995", "BHD", "999999999999999.999", false},
	} {
		msg := Amount.CheckIn(decimal.RequireFromString(c.x), c.currency)
		if (msg == "") != c.ok || !c.ok && !strings.Contains(msg, "at most "+c.max+")") {
			t.Errorf("CheckIn(%s %s) = %q; want ok=%v, max %s", c.x, c.currency, msg, c.ok, c.max)
		}
	}
}
