package rating

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
)

// minorUnits lists the ISO 4217 currencies whose minor unit is not 2 decimal
// places.
var minorUnits = map[string]int32{
	// No minor unit.
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
	"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
	"XAF": 0, "XOF": 0, "XPF": 0,
	// Thousandths.
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	// Ten-thousandths.
	"CLF": 4, "UYW": 4,
}

// MinorUnits returns the number of decimal places of currency's minor unit:
// 0 for JPY and KRW, 3 for BHD, JOD, KWD, OMR and TND, 2 for USD, EUR, GBP,
// CHF and any code not listed as an exception.
func MinorUnits(currency string) int32 {
	if n, ok := minorUnits[strings.ToUpper(currency)]; ok {
		return n
	}
	return 2
}

// RoundLine rounds amount to currency's minor unit, half away from zero:
// 2.345 EUR is 2.35, -2.345 EUR is -2.35, 1234.5 JPY is 1235. It is applied to
// a statement line, never to an intermediate amount.
func RoundLine(amount decimal.Decimal, currency string) decimal.Decimal {
	// decimal.Round adds ±5 at the first dropped place and truncates toward
	// zero, which is half away from zero for both signs; the tests pin it.
	return amount.Round(MinorUnits(currency))
}

// FixedAmount writes amount rounded to currency's minor unit with all of its
// places, as statements, exports and the API show money: "58.00" EUR, "1235"
// JPY, "-2.350" BHD.
func FixedAmount(amount decimal.Decimal, currency string) string {
	return RoundLine(amount, currency).StringFixed(MinorUnits(currency))
}

// Total adds up the rounded amounts of lines, all in one currency. Lines in
// different currencies are refused rather than added; use Totals for those.
// No lines total 0.
func Total(lines []Line) (decimal.Decimal, error) {
	if len(lines) == 0 {
		return decimal.Zero, nil
	}
	totals := Totals(lines)
	if len(totals) > 1 {
		codes := make([]string, 0, len(totals))
		for c := range totals {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		return decimal.Zero, fmt.Errorf("rating: cannot add lines in different currencies (%s); total each currency separately", strings.Join(codes, ", "))
	}
	for _, t := range totals {
		return t, nil
	}
	return decimal.Zero, nil
}

// Totals adds up the rounded amounts of lines per currency.
func Totals(lines []Line) map[string]decimal.Decimal {
	totals := make(map[string]decimal.Decimal)
	for _, l := range lines {
		c := strings.ToUpper(l.Currency)
		totals[c] = totals[c].Add(l.Rounded())
	}
	return totals
}
