package rating_test

import (
	"testing"

	"github.com/engagehq/engage/internal/rating"
)

func TestMinorUnits(t *testing.T) {
	cases := map[string]int32{
		"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2,
		"JPY": 0, "KRW": 0,
		"BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
		"jpy": 0, // case does not matter here; Validate insists on capitals
		"XYZ": 2, // unknown codes get 2
	}
	for c, want := range cases {
		if got := rating.MinorUnits(c); got != want {
			t.Errorf("MinorUnits(%s) = %d, want %d", c, got, want)
		}
	}
}

// RoundLine rounds half away from zero for negative amounts too; banker's
// rounding (half to even) would give 2.34 for 2.345 and -2.34 for -2.345.
func TestRoundLine(t *testing.T) {
	cases := []struct {
		amount, currency, want string
	}{
		{"2.345", "EUR", "2.35"},
		{"-2.345", "EUR", "-2.35"},
		{"2.355", "EUR", "2.36"},
		{"-2.355", "EUR", "-2.36"},
		{"2.344", "EUR", "2.34"},
		{"-2.344", "EUR", "-2.34"},
		{"2.3449999999", "USD", "2.34"}, // only the first dropped digit matters after exact arithmetic
		{"0.005", "USD", "0.01"},
		{"-0.005", "USD", "-0.01"},
		{"0.004", "USD", "0"},
		{"7", "USD", "7.00"},
		{"5.1612903225806452", "EUR", "5.16"},
		{"2.5", "JPY", "3"},
		{"-2.5", "JPY", "-3"},
		{"1234.4", "JPY", "1234"},
		{"1234.5", "KRW", "1235"},
		{"-1234.5", "KRW", "-1235"},
		{"1.2345", "BHD", "1.235"},
		{"-1.2345", "KWD", "-1.235"},
		{"1.2344", "OMR", "1.234"},
	}
	for _, c := range cases {
		got := rating.RoundLine(dec(c.amount), c.currency)
		assertDec(t, "RoundLine("+c.amount+" "+c.currency+")", got, c.want)
		if p := -got.Exponent(); p > rating.MinorUnits(c.currency) {
			t.Errorf("RoundLine(%s %s) = %s keeps %d places", c.amount, c.currency, got, p)
		}
	}
}

func TestTotal(t *testing.T) {
	// Three lines of 1.005 each show as 1.01; the total is what is shown,
	// 3.03, not the rounded exact sum 3.015 → 3.02.
	lines := []rating.Line{
		{Currency: "EUR", Amount: dec("1.005")},
		{Currency: "EUR", Amount: dec("1.005")},
		{Currency: "EUR", Amount: dec("1.005")},
	}
	total, err := rating.Total(lines)
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "Total", total, "3.03")

	empty, err := rating.Total(nil)
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "Total(nil)", empty, "0")

	// JPY lines round to yen: 100.5 → 101, 99.4 → 99.
	jpy, err := rating.Total([]rating.Line{{Currency: "JPY", Amount: dec("100.5")}, {Currency: "JPY", Amount: dec("99.4")}})
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "JPY total", jpy, "200")

	mixed := append(lines, rating.Line{Currency: "USD", Amount: dec("2.00")})
	if got, err := rating.Total(mixed); err == nil {
		t.Errorf("Total of EUR and USD = %s, want an error", got)
	}
	totals := rating.Totals(mixed)
	if len(totals) != 2 {
		t.Fatalf("Totals = %v, want EUR and USD", totals)
	}
	assertDec(t, "EUR total", totals["EUR"], "3.03")
	assertDec(t, "USD total", totals["USD"], "2.00")
}
