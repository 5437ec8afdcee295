package processcost

import (
	"math/rand"
	"testing"
	"testing/quick"

	"github.com/shopspring/decimal"
)

// Every part is within one minor unit of its exact value, and the parts add
// up exactly to the amount, for any weights and amounts.
func TestSplitAddsUpExactly(t *testing.T) {
	prop := func(cents int64, raw []uint32, yen bool) bool {
		currency, places := "EUR", int32(2)
		if yen {
			currency, places = "JPY", 0
		}
		amount := decimal.New(cents%1_000_000_000_000, -places)
		weights := make([]decimal.Decimal, len(raw)%12)
		sum := decimal.Zero
		for i := range weights {
			weights[i] = decimal.New(int64(raw[i]%1_000_001), -4)
			sum = sum.Add(weights[i])
		}
		shares, rest := split(amount, currency, weights)
		total := rest
		den := decimal.Max(sum, hundred)
		unit := decimal.New(1, -places)
		for i, s := range shares {
			total = total.Add(s)
			exact := amount.Mul(weights[i]).Div(den)
			if s.Sub(exact).Abs().GreaterThan(unit) {
				return false
			}
		}
		return total.Equal(amount)
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 3000, Rand: rand.New(rand.NewSource(15))}); err != nil {
		t.Error(err)
	}
}

func TestSplitHandComputed(t *testing.T) {
	d := decimal.RequireFromString
	for _, c := range []struct {
		amount   string
		weights  []string
		want     []string
		unclaimd string
	}{
		{"185.81", []string{"50", "30"}, []string{"92.91", "55.74"}, "37.16"},
		{"600.00", []string{"40", "80"}, []string{"200", "400"}, "0"},
		{"90.00", []string{"33.33"}, []string{"30"}, "60"},
		{"0.01", []string{"50", "50"}, []string{"0.01", "0"}, "0"},
		{"-0.05", []string{"50"}, []string{"-0.03"}, "-0.02"},
		{"10.00", nil, []string{}, "10"},
		{"1001", []string{"33.3"}, []string{"333"}, "668"}, // JPY below
	} {
		ws := make([]decimal.Decimal, len(c.weights))
		for i, w := range c.weights {
			ws[i] = d(w)
		}
		currency := "EUR"
		if c.amount == "1001" {
			currency = "JPY"
		}
		shares, rest := split(d(c.amount), currency, ws)
		for i, s := range shares {
			if !s.Equal(d(c.want[i])) {
				t.Errorf("%s by %v: share %d is %s, want %s", c.amount, c.weights, i, s, c.want[i])
			}
		}
		if !rest.Equal(d(c.unclaimd)) {
			t.Errorf("%s by %v: unclaimed %s, want %s", c.amount, c.weights, rest, c.unclaimd)
		}
	}
}
