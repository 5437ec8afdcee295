package textenc

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// randomDecimal gives coefficients and exponents from every range the
// fast paths treat differently: zero, small, 18 and 19 digits, the int64
// limits, positive and negative exponents.
func randomDecimal(r *rand.Rand) decimal.Decimal {
	var c int64
	switch r.IntN(6) {
	case 0:
		c = 0
	case 1:
		c = r.Int64N(1000) - 500
	case 2:
		c = r.Int64N(999999999999999999)
	case 3:
		c = math.MaxInt64 - r.Int64N(10)
	case 4:
		c = math.MinInt64 + r.Int64N(10)
	default:
		c = r.Int64() - math.MaxInt64/2
	}
	d := decimal.New(c, int32(r.IntN(30)-22))
	if r.IntN(8) == 0 {
		d = d.Mul(decimal.New(r.Int64(), 0)) // beyond 64 bits
	}
	return d
}

func TestAppendDecimalMatchesString(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range []string{"0", "1", "-1", "0.5", "-0.0000001", "12.50", "1200", "-3.25", "100.000", "0.000000075"} {
		d := decimal.RequireFromString(s)
		if got := string(AppendDecimal(nil, d)); got != d.String() {
			t.Errorf("AppendDecimal(%s) = %s, want %s", s, got, d.String())
		}
	}
	for range 100000 {
		d := randomDecimal(r)
		if got := string(AppendDecimal([]byte("x"), d)); got != "x"+d.String() {
			t.Fatalf("AppendDecimal(%s) = %s", d.String(), got)
		}
	}
}

func TestSumIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for round := range 2000 {
		var s Sum
		want := decimal.Zero
		for range r.IntN(40) {
			d := randomDecimal(r)
			s.Add(d)
			want = want.Add(d)
		}
		if got := s.Decimal(); !got.Equal(want) {
			t.Fatalf("round %d: sum %s, want %s", round, got, want)
		}
	}
	var s Sum
	for _, a := range []string{"0.1", "0.2", "-0.3", "0.0000000001", "1e10"} {
		s.Add(decimal.RequireFromString(a))
	}
	if got := s.Decimal(); !got.Equal(decimal.RequireFromString("10000000000.0000000001")) {
		t.Errorf("sum = %s", got)
	}
}
