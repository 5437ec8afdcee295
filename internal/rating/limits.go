package rating

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Limit is the range and precision one kind of number may take. Every entry
// point of Engage that takes money or a quantity — the API, web forms, CSV
// and catalog files, the command line, FOCUS bills — checks it with these
// limits, so no input can make an amount that a statement, a page or the
// database cannot hold.
//
// The bounds are generous for any real organisation and small enough that
// products stay exact and readable: an amount below 10^15 (a thousand
// million million) is more than any budget; a quantity below 10^12 is more
// than a year of requests to a large service; a unit price below 10^12 with
// 10 decimal places prices both a request at 0.0000001 and a building.
// Money is shown rounded to its currency's minor unit, and the range holds
// on what is shown (CheckIn). A quantity times a unit price can go beyond
// 10^15: statement lines and totals have their own range (Statement), which
// a billing run checks before it writes anything.
type Limit struct {
	// Noun names the value in messages: "an amount".
	Noun string
	// Digits bounds the size: |x| < 10^Digits.
	Digits int
	// Places is the most decimal places x may have, trailing zeros ignored.
	Places int32
	// Negative allows values below 0.
	Negative bool
}

var (
	// Amount is a signed amount of money entered by a person: an
	// adjustment (positive charges more, negative refunds).
	Amount = Limit{Noun: "an amount", Digits: 15, Places: 4, Negative: true}
	// Fee is an amount of money that is never negative: a plan's fixed
	// monthly fee, one-time fee and minimum, a need's budget, an option's
	// costs, a cost pool's amount.
	Fee = Limit{Noun: "an amount", Digits: 15, Places: 4}
	// UnitPrice is the price of one unit, in a plan or one of its tiers;
	// metered services are priced in fractions of a cent.
	UnitPrice = Limit{Noun: "a unit price", Digits: 12, Places: 10}
	// Quantity is a number of units: usage, a subscription or an order
	// line, a tier's bound. Fractions (GB, hours) are allowed to a millionth.
	Quantity = Limit{Noun: "a quantity", Digits: 15, Places: 6}
	// Percent is a share of a split (allocation rules, cost pools); the
	// shares must also be above 0, at most 100 and add up to 100.
	Percent = Limit{Noun: "a percentage", Digits: 3, Places: 6}
	// Statement is the range of a statement line and of a statement's
	// total, rounded to the currency's minor unit, as they are stored and
	// shown. Usage whose own charge leaves it is refused when it arrives;
	// a billing run that would make a line or total beyond it (usage
	// adding up, a large subscription, adjustments) fails, naming the
	// statement and the line, and writes nothing.
	Statement = Limit{Noun: "a statement amount", Digits: 15, Places: 4, Negative: true}
	// CloudCost is a cost on one row of a provider's bill. Providers print
	// costs with many decimals (and sometimes in exponent form), so only
	// absurd precision is refused; the size bound is that of Amount.
	CloudCost = Limit{Noun: "a cost", Digits: 15, Places: 30, Negative: true}
)

// Check returns "" when x is within the limit, or a message saying what is
// allowed. The message repeats x only when it is short: it may have been
// given with thousands of digits.
func (l Limit) Check(x decimal.Decimal) string {
	if x.Sign() == 0 {
		return ""
	}
	if x.Sign() < 0 && !l.Negative {
		return fmt.Sprintf("Enter %s of 0 or more%s.", l.Noun, got(x))
	}
	exp := x.Exponent()
	// x = coefficient × 10^exp; its integer part has NumDigits+exp digits.
	if exp > int32(l.Digits) || x.NumDigits()+int(exp) > l.Digits {
		return fmt.Sprintf("Enter %s %s 10^%d (%s).", l.Noun, l.sizeWord(), l.Digits, l.Max())
	}
	if exp < -l.Places && !x.Equal(x.Truncate(l.Places)) {
		return fmt.Sprintf("Enter %s with at most %d decimal places.", l.Noun, l.Places)
	}
	return ""
}

// CheckIn is Check for an amount of money in currency, which statements,
// exports and the API show rounded to the currency's minor unit: the
// rounded amount must be within the limit too. 999999999999999.9999 is
// below 10^15, but in EUR it shows as 1000000000000000.00, which is not;
// in EUR the largest amount is 999999999999999.99 once rounded.
func (l Limit) CheckIn(x decimal.Decimal, currency string) string {
	if msg := l.Check(x); msg != "" {
		return msg
	}
	if l.Check(RoundLine(x, currency)) != "" {
		return fmt.Sprintf("Enter %s %s 10^%d once rounded to the %s minor unit (at most %s).", l.Noun, l.sizeWord(), l.Digits,
			strings.ToUpper(currency), l.MaxIn(currency))
	}
	return ""
}

// MaxIn is the largest value within the limit once rounded to currency's
// minor unit, written out: 999999999999999.99 for EUR.
func (l Limit) MaxIn(currency string) string {
	places := min(l.Places, MinorUnits(currency))
	return decimal.New(1, int32(l.Digits)).Sub(decimal.New(1, -places)).StringFixed(places)
}

func got(x decimal.Decimal) string {
	if s := x.String(); len(s) <= 24 {
		return " (got " + s + ")"
	}
	return ""
}

func (l Limit) sizeWord() string {
	if l.Negative {
		return "smaller in size than"
	}
	return "below"
}

// Max is the largest value within the limit, written out: 999999999999999.9999.
func (l Limit) Max() string {
	return decimal.New(1, int32(l.Digits)).Sub(decimal.New(1, -l.Places)).StringFixed(l.Places)
}

// Describe says the limit in words, for documentation and form hints.
func (l Limit) Describe() string {
	sign := "0 or more"
	if l.Negative {
		sign = "positive or negative"
	}
	return fmt.Sprintf("%s, below 10^%d in size, at most %d decimal places", sign, l.Digits, l.Places)
}
