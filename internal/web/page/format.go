package page

import (
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/rating"
)

// Numbers and amounts are written here for every page; the figures stay
// exact, only their display is rounded.

// FormatQuantity writes a quantity with thousands separators: 12,500.5.
func FormatQuantity(d decimal.Decimal) string {
	s := d.String()
	out := catalog.GroupThousands(strings.TrimPrefix(s, "-"))
	if strings.HasPrefix(s, "-") {
		return "−" + out
	}
	return out
}

// PerUnitMoney shows a unit cost or price (a decimal.Decimal or a
// *decimal.Decimal, "—" when nil): to the currency's minor unit, or to four
// places below one unit of currency (storage is priced in fractions of a
// cent per GB).
func PerUnitMoney(v any, currency string) string {
	var d *decimal.Decimal
	switch x := v.(type) {
	case *decimal.Decimal:
		d = x
	case decimal.Decimal:
		d = &x
	}
	if d == nil {
		return "—"
	}
	if d.Abs().GreaterThanOrEqual(decimal.NewFromInt(1)) {
		return catalog.FormatMoney(*d, currency)
	}
	zero := catalog.FormatMoney(decimal.Zero, currency)
	symbol := strings.TrimSuffix(zero, decimal.Zero.StringFixed(rating.MinorUnits(currency)))
	out := symbol + d.Abs().Round(4).StringFixed(4)
	if d.IsNegative() {
		return "−" + out
	}
	return out
}

// PreciseMoney writes an amount in its currency, never rounding away what
// is more precise than the currency's minor unit; "" for a zero amount
// without a currency, the bare number for an amount without one.
func PreciseMoney(d decimal.Decimal, currency string) string {
	if currency == "" && d.IsZero() {
		return ""
	}
	if currency == "" {
		return d.String()
	}
	if -d.Exponent() > rating.MinorUnits(currency) && !d.Equal(rating.RoundLine(d, currency)) {
		return strings.TrimSpace(d.String() + " " + currency) // more precise than a cent: never rounded here
	}
	return catalog.FormatMoney(d, currency)
}

// ByteSize writes a size in bytes the way people read it: 2 GiB, 512 MiB.
func ByteSize(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// BarShare is v's share of max (0 to 1) for drawing a bar: 0 for nothing or
// less. It divides exactly before converting, so amounts beyond a float's
// range still draw; the amounts shown stay exact.
func BarShare(v, max decimal.Decimal) float64 {
	if !v.IsPositive() || !max.IsPositive() {
		return 0
	}
	return math.Min(v.DivRound(max, 6).InexactFloat64(), 1)
}
