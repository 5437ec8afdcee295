package textenc

import (
	"math"
	"strconv"

	"github.com/shopspring/decimal"
)

// maxDigits is the most digits an int64 coefficient always holds.
const maxDigits = 18

// pow10 holds the powers of ten an int64 holds.
var pow10 = func() (p [maxDigits + 1]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// AppendDecimal appends d as decimal.Decimal.String writes it, without
// allocating when its coefficient has at most 18 digits.
func AppendDecimal(b []byte, d decimal.Decimal) []byte {
	if d.NumDigits() > maxDigits {
		return append(b, d.String()...)
	}
	c, e := d.CoefficientInt64(), d.Exponent()
	if c == 0 {
		return append(b, '0')
	}
	if e >= 0 {
		b = strconv.AppendInt(b, c, 10)
		for range e {
			b = append(b, '0')
		}
		return b
	}
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	var digits [20]byte
	s := strconv.AppendInt(digits[:0], c, 10)
	places := int(-e)
	// Trailing zeros of the fraction are left out, as String does.
	for places > 0 && s[len(s)-1] == '0' {
		s, places = s[:len(s)-1], places-1
	}
	if places == 0 {
		return append(b, s...)
	}
	if len(s) > places {
		b = append(b, s[:len(s)-places]...)
		b = append(b, '.')
		return append(b, s[len(s)-places:]...)
	}
	b = append(b, '0', '.')
	for range places - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

// Sum adds decimals exactly. Amounts of up to 18 digits are added as
// integers, without allocating; the rest, and what would overflow, as
// decimals. The zero value is an empty sum.
type Sum struct {
	coef int64
	exp  int32
	set  bool
	rest decimal.Decimal
}

// Add adds d to the sum.
func (s *Sum) Add(d decimal.Decimal) {
	if d.NumDigits() > maxDigits {
		s.rest = s.rest.Add(d)
		return
	}
	c, e := d.CoefficientInt64(), d.Exponent()
	if c == 0 {
		return
	}
	if !s.set {
		s.coef, s.exp, s.set = c, e, true
		return
	}
	if e < s.exp {
		scaled, ok := scale(s.coef, s.exp-e)
		if !ok {
			s.spill()
			s.coef, s.exp, s.set = c, e, true
			return
		}
		s.coef, s.exp = scaled, e
	} else if e > s.exp {
		scaled, ok := scale(c, e-s.exp)
		if !ok {
			s.rest = s.rest.Add(d)
			return
		}
		c = scaled
	}
	if (c > 0 && s.coef > math.MaxInt64-c) || (c < 0 && s.coef < math.MinInt64-c) {
		s.spill()
		s.coef, s.set = c, true
		return
	}
	s.coef += c
}

// spill moves the integer part of the sum into rest.
func (s *Sum) spill() {
	s.rest = s.rest.Add(decimal.New(s.coef, s.exp))
	s.coef, s.set = 0, false
}

// Decimal returns the sum.
func (s *Sum) Decimal() decimal.Decimal {
	if !s.set {
		return s.rest
	}
	return s.rest.Add(decimal.New(s.coef, s.exp))
}

// scale multiplies c by 10^k, reporting whether it fits.
func scale(c int64, k int32) (int64, bool) {
	if k < 0 || int(k) >= len(pow10) {
		return 0, false
	}
	p := pow10[k]
	if c > math.MaxInt64/p || c < math.MinInt64/p {
		return 0, false
	}
	return c * p, true
}
