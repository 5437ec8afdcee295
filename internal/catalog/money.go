package catalog

import (
	"encoding/json"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/rating"
)

var currencySymbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF ", "CAD": "CA$", "SGD": "S$"}

// FormatMoney writes an amount rounded to its currency's minor unit with
// thousands separators, such as €1,240.50 or ¥1,240.
func FormatMoney(d decimal.Decimal, currency string) string {
	return formatAmount(rating.RoundLine(d, currency), currency, rating.MinorUnits(currency))
}

// FormatUnitPrice writes a unit price as exactly as it is charged: with
// the currency's minor unit at least and every decimal beyond it that the
// price has, such as €6.50, €0.008 or €0.0000004. Rounding it to the cent
// would show a price the quote does not charge.
func FormatUnitPrice(d decimal.Decimal, currency string) string {
	places := rating.MinorUnits(currency)
	if _, frac, ok := strings.Cut(d.String(), "."); ok && int32(len(frac)) > places {
		places = int32(len(frac))
	}
	return formatAmount(d, currency, places)
}

func formatAmount(d decimal.Decimal, currency string, places int32) string {
	s := d.StringFixed(places)
	neg := strings.HasPrefix(s, "-")
	out := GroupThousands(strings.TrimPrefix(s, "-"))
	sym, ok := currencySymbols[currency]
	if !ok {
		sym = currency + " "
	}
	if neg {
		return "−" + sym + out
	}
	return sym + out
}

// GroupThousands puts thousands separators in the whole part of an
// unsigned decimal number: "1234567.50" is "1,234,567.50".
func GroupThousands(number string) string {
	whole, frac, hasFrac := strings.Cut(number, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// FormatPrice writes a price with its unit: "€6.50 per person per month".
func FormatPrice(p Price) string {
	return FormatUnitPrice(p.Amount, p.Currency) + " " + UnitPer(p.Unit, p.UnitName)
}

// The API writes the amounts of quotes and orders, like those of
// statements, with their currency's minor unit ("58.00", "1235" for JPY);
// quantities and unit prices keep their full precision.

// MarshalJSON writes the quote's and its lines' amounts with the currency's
// minor unit.
func (q Quote) MarshalJSON() ([]byte, error) {
	type plainLine QuoteLine
	type line struct {
		plainLine
		OneTime   string `json:"one_time"`
		Monthly   string `json:"monthly"`
		TermTotal string `json:"term_total"`
	}
	fixed := func(d decimal.Decimal) string { return rating.FixedAmount(d, q.Currency) }
	lines := make([]line, len(q.Lines))
	for i, l := range q.Lines {
		lines[i] = line{plainLine(l), fixed(l.OneTime), fixed(l.Monthly), fixed(l.TermTotal)}
	}
	type plain Quote
	return json.Marshal(struct {
		plain
		OneTime   string `json:"one_time"`
		Monthly   string `json:"monthly"`
		TermTotal string `json:"term_total"`
		Lines     []line `json:"lines"`
	}{plain(q), fixed(q.OneTime), fixed(q.Monthly), fixed(q.TermTotal), lines})
}

// MarshalJSON writes the order's and its lines' amounts with the currency's
// minor unit.
func (o Order) MarshalJSON() ([]byte, error) {
	type plainLine OrderLine
	type line struct {
		plainLine
		Monthly string `json:"monthly"`
		OneTime string `json:"one_time"`
	}
	fixed := func(d decimal.Decimal) string { return rating.FixedAmount(d, o.Currency) }
	lines := make([]line, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = line{plainLine(l), fixed(l.Monthly), fixed(l.OneTime)}
	}
	type plain Order
	return json.Marshal(struct {
		plain
		OneTime string `json:"one_time"`
		Monthly string `json:"monthly"`
		Lines   []line `json:"lines"`
	}{plain(o), fixed(o.OneTime), fixed(o.Monthly), lines})
}
