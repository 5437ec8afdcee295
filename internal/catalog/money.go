package catalog

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/rating"
)

var currencySymbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "CAD": "CA$", "SGD": "S$"}

// FormatMoney writes an amount rounded to its currency's minor unit with
// thousands separators, such as €1,240.50 or ¥1,240.
func FormatMoney(d decimal.Decimal, currency string) string {
	places := rating.MinorUnits(currency)
	s := rating.RoundLine(d, currency).StringFixed(places)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	sym, ok := currencySymbols[currency]
	if !ok {
		sym = currency + " "
	}
	if neg {
		return "−" + sym + out
	}
	return sym + out
}

// FormatPrice writes a price with its unit: "€6.50 per person per month".
func FormatPrice(p Price) string {
	return FormatMoney(p.Amount, p.Currency) + " " + UnitLabels[p.Unit].Per
}
