package processcost

import (
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/rating"
)

var hundred = decimal.NewFromInt(100)

// split shares amount among links by their weights, in the currency's minor
// units, and returns each link's share and what no link claims. The
// weights are percentages; when they add up to more than 100 they are
// scaled down in proportion (each share is amount × weight ÷ their sum),
// and otherwise amount × weight ÷ 100, the unclaimed part taking the
// weight left over. Every part is rounded down to a minor unit; the minor
// units left are handed one at a time to the parts that lost the most in
// rounding (ties: the links in their order, the unclaimed part last). So
// each part is within one minor unit of its exact value, and the parts add
// up exactly to amount. Amount is first rounded to the minor unit (half
// away from zero); a negative amount is shared as its size, then negated.
func split(amount decimal.Decimal, currency string, weights []decimal.Decimal) (shares []decimal.Decimal, unclaimed decimal.Decimal) {
	places := rating.MinorUnits(currency)
	units := rating.RoundLine(amount, currency).Shift(places)
	negative := units.IsNegative()
	units = units.Abs()
	sum := decimal.Zero
	for _, w := range weights {
		sum = sum.Add(w)
	}
	shares = make([]decimal.Decimal, len(weights))
	if !sum.IsPositive() || units.IsZero() {
		for i := range shares {
			shares[i] = decimal.Zero
		}
		return shares, rating.RoundLine(amount, currency)
	}
	if shares, rest, ok := splitSmall(units, weights, negative, places); ok {
		return shares, rest
	}
	den := decimal.Max(sum, hundred)
	parts := append(append([]decimal.Decimal{}, weights...), den.Sub(sum))
	got := make([]decimal.Decimal, len(parts))
	rest := make([]decimal.Decimal, len(parts))
	given := decimal.Zero
	for i, w := range parts {
		prod := units.Mul(w)
		rest[i] = prod.Mod(den)
		got[i] = prod.Sub(rest[i]).Div(den).Round(0)
		given = given.Add(got[i])
	}
	for left := units.Sub(given).IntPart(); left > 0; left-- {
		best := -1
		for i := range parts {
			if best < 0 || rest[i].GreaterThan(rest[best]) {
				best = i
			}
		}
		got[best] = got[best].Add(decimal.NewFromInt(1))
		rest[best] = decimal.NewFromInt(-1) // one unit each at most
	}
	for i := range got {
		if negative {
			got[i] = got[i].Neg()
		}
		got[i] = got[i].Shift(-places)
	}
	return got[:len(weights)], got[len(weights)]
}

// splitSmall is split's arithmetic in int64 — the same rule, exactly — for
// the usual case: weights with at most six decimal places and an amount
// below 10^10 minor units, so that no product overflows. ok is false
// otherwise, and split does it in decimals.
func splitSmall(units decimal.Decimal, weights []decimal.Decimal, negative bool, places int32) (shares []decimal.Decimal, rest decimal.Decimal, ok bool) {
	const scale = 6
	if units.Exponent() < 0 || !units.LessThan(decimal.New(1, 10)) {
		return nil, decimal.Zero, false
	}
	a := units.IntPart()
	ws := make([]int64, len(weights)+1)
	var sum int64
	for i, w := range weights {
		if w.Exponent() < -scale || w.GreaterThan(hundred) {
			return nil, decimal.Zero, false
		}
		ws[i] = w.Shift(scale).IntPart()
		sum += ws[i]
	}
	den := max(sum, 100*1_000_000)
	ws[len(weights)] = den - sum
	got := make([]int64, len(ws))
	rem := make([]int64, len(ws))
	var given int64
	for i, w := range ws {
		got[i], rem[i] = a*w/den, a*w%den
		given += got[i]
	}
	for left := a - given; left > 0; left-- {
		best := -1
		for i := range ws {
			if best < 0 || rem[i] > rem[best] {
				best = i
			}
		}
		got[best]++
		rem[best] = -1
	}
	out := make([]decimal.Decimal, len(ws))
	for i, g := range got {
		if negative {
			g = -g
		}
		out[i] = decimal.New(g, -places)
	}
	return out[:len(weights)], out[len(weights)], true
}
