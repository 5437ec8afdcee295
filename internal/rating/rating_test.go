package rating_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/rating"
	"github.com/shopspring/decimal"
)

// dec parses a decimal written in a test.
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

// date is midnight UTC on a calendar day.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func datep(y int, m time.Month, d int) *time.Time { t := date(y, m, d); return &t }

func march2026() rating.Period { return rating.Period{Year: 2026, Month: time.March} }

// assertDec fails unless got equals the decimal written as want.
func assertDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// fieldsOf returns the fields named by a *ValidationError, failing the test
// when err is not one.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *rating.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *rating.ValidationError", err, err)
	}
	fields := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		fields[i] = f.Field
	}
	return fields
}

// messageOf returns the message for field in a *ValidationError, or "".
func messageOf(err error, field string) string {
	var ve *rating.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			if f.Field == field {
				return f.Message
			}
		}
	}
	return ""
}

// graduatedPlan: first 100 at 5.00, next 400 at 4.00, next 500 at 3.00, the
// rest at 2.50.
func graduatedPlan() rating.RatePlan {
	return rating.RatePlan{
		ID: 1, OfferingID: 7, Currency: "EUR", Unit: rating.UnitMonth, TierMode: rating.Graduated,
		Tiers: []rating.Tier{
			{UpTo: decp("100"), UnitPrice: dec("5.00")},
			{UpTo: decp("500"), UnitPrice: dec("4.00")},
			{UpTo: decp("1000"), UnitPrice: dec("3.00")},
			{UpTo: nil, UnitPrice: dec("2.50")},
		},
		EffectiveFrom: date(2026, time.January, 1),
	}
}

// volumePlan has the same tiers as graduatedPlan, in volume mode.
func volumePlan() rating.RatePlan {
	p := graduatedPlan()
	p.TierMode = rating.Volume
	return p
}

func TestPeriodCharge(t *testing.T) {
	flat := rating.RatePlan{Currency: "USD", Unit: rating.Request, UnitPrice: dec("0.12"), EffectiveFrom: date(2026, 1, 1)}
	cases := []struct {
		name string
		plan rating.RatePlan
		qty  string
		want string
	}{
		{"graduated zero", graduatedPlan(), "0", "0"},
		{"graduated inside tier 1", graduatedPlan(), "50", "250.00"},           // 50×5.00
		{"graduated fractional", graduatedPlan(), "0.25", "1.25"},              // 0.25×5.00
		{"graduated at bound 100", graduatedPlan(), "100", "500.00"},           // 100×5.00
		{"graduated just past 100", graduatedPlan(), "100.001", "500.004"},     // 100×5.00 + 0.001×4.00
		{"graduated 100.5", graduatedPlan(), "100.5", "502.00"},                // 100×5.00 + 0.5×4.00
		{"graduated at bound 500", graduatedPlan(), "500", "2100.00"},          // 100×5.00 + 400×4.00
		{"graduated 550", graduatedPlan(), "550", "2250.00"},                   // 100×5.00 + 400×4.00 + 50×3.00
		{"graduated at bound 1000", graduatedPlan(), "1000", "3600.00"},        // 500 + 1600 + 500×3.00
		{"graduated open tier", graduatedPlan(), "1200", "4100.00"},            // 3600 + 200×2.50
		{"graduated fractional open", graduatedPlan(), "1000.4", "3601.00"},    // 3600 + 0.4×2.50
		{"volume zero", volumePlan(), "0", "0"},                                // 0×5.00
		{"volume fractional tier 1", volumePlan(), "12.5", "62.50"},            // 12.5×5.00
		{"volume at bound 100 stays in tier 1", volumePlan(), "100", "500.00"}, // 100×5.00
		{"volume just past 100", volumePlan(), "100.5", "402.00"},              // 100.5×4.00
		{"volume at bound 500", volumePlan(), "500", "2000.00"},                // 500×4.00
		{"volume 550", volumePlan(), "550", "1650.00"},                         // 550×3.00
		{"volume at bound 1000", volumePlan(), "1000", "3000.00"},              // 1000×3.00
		{"volume open tier fractional", volumePlan(), "1000.1", "2500.25"},     // 1000.1×2.50
		{"no tiers", flat, "1234", "148.08"},                                   // 1234×0.12
		{"no tiers fractional", flat, "0.5", "0.06"},                           // 0.5×0.12
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := rating.PeriodCharge(c.plan, dec(c.qty))
			if err != nil {
				t.Fatal(err)
			}
			assertDec(t, "PeriodCharge("+c.qty+")", got, c.want)
		})
	}
}

func TestPriceAccumulates(t *testing.T) {
	cases := []struct {
		name         string
		plan         rating.RatePlan
		prior, added string
		want         string
	}{
		{"graduated first 300", graduatedPlan(), "0", "300", "1300.00"},             // 100×5.00 + 200×4.00
		{"graduated next 250", graduatedPlan(), "300", "250", "950.00"},             // 200×4.00 + 50×3.00
		{"graduated 550 at once", graduatedPlan(), "0", "550", "2250.00"},           // 1300 + 950
		{"graduated half unit over bound", graduatedPlan(), "100", "0.5", "2.00"},   // 0.5×4.00
		{"graduated straddles two bounds", graduatedPlan(), "99", "402", "1608.00"}, // 1×5.00 + 400×4.00 + 1×3.00
		{"graduated nothing added", graduatedPlan(), "700", "0", "0"},
		{"graduated deep in open tier", graduatedPlan(), "2000", "10", "25.00"}, // 10×2.50
		// Volume: the change in the period total. 101×4.00 − 100×5.00 = 404 − 500.
		{"volume reaching cheaper tier is negative", volumePlan(), "100", "1", "-96.00"},
		{"volume within a tier", volumePlan(), "10", "5", "25.00"}, // 15×5.00 − 10×5.00
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := rating.Price(c.plan, dec(c.prior), dec(c.added))
			if err != nil {
				t.Fatal(err)
			}
			assertDec(t, "Price("+c.prior+", "+c.added+")", got, c.want)
		})
	}
}

// Pricing a period's usage in steps adds up to pricing it at once, for
// graduated tiers (each step is non-negative) and, as a telescoping
// difference, for volume tiers.
func TestPriceStepsAddUpToWhole(t *testing.T) {
	for _, plan := range []rating.RatePlan{graduatedPlan(), volumePlan()} {
		steps := [][]string{
			{"300", "250"},
			{"99.5", "450.5"},
			{"100", "400", "50"},
			{"0.001", "549.999"},
			{"1", "1", "548"},
		}
		for _, split := range steps {
			prior, sum := decimal.Zero, decimal.Zero
			for _, s := range split {
				p, err := rating.Price(plan, prior, dec(s))
				if err != nil {
					t.Fatal(err)
				}
				if plan.TierMode == rating.Graduated && p.IsNegative() {
					t.Errorf("graduated step %s after %s priced negative: %s", s, prior, p)
				}
				sum = sum.Add(p)
				prior = prior.Add(dec(s))
			}
			// 550 units: graduated 100×5.00 + 400×4.00 + 50×3.00 = 2250.00;
			// volume 550×3.00 = 1650.00.
			want := "2250.00"
			if plan.TierMode == rating.Volume {
				want = "1650.00"
			}
			assertDec(t, string(plan.TierMode)+" steps "+strings.Join(split, "+"), sum, want)
		}
	}
}

func TestPriceRefusesNegativeQuantities(t *testing.T) {
	_, err := rating.Price(graduatedPlan(), dec("-1"), dec("2"))
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"prior"}) {
		t.Errorf("negative prior: fields %v, want [prior]", got)
	}
	_, err = rating.Price(graduatedPlan(), dec("0"), dec("-0.5"))
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"added"}) {
		t.Errorf("negative added: fields %v, want [added]", got)
	}
	_, err = rating.PeriodCharge(volumePlan(), dec("-3"))
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"quantity"}) {
		t.Errorf("negative quantity: fields %v, want [quantity]", got)
	}
}

func TestPriceRefusesInvalidPlan(t *testing.T) {
	p := graduatedPlan()
	p.Unit = "seat"
	if _, err := rating.Price(p, dec("0"), dec("1")); err == nil {
		t.Error("Price with unknown unit: no error")
	}
}

func TestFixedMonthIgnoresQuantity(t *testing.T) {
	p := rating.RatePlan{Currency: "EUR", Unit: rating.FixedMonth, FixedMonthly: dec("93.00"), EffectiveFrom: date(2026, 1, 1)}
	got, err := rating.Price(p, dec("0"), dec("12"))
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "fixed-month Price", got, "0")
}

func TestUsageLine(t *testing.T) {
	vcpu := rating.RatePlan{ID: 4, Currency: "EUR", Unit: rating.UnitHour, UnitPrice: dec("0.05"), EffectiveFrom: date(2026, 1, 1)}
	l, err := rating.UsageLine(vcpu, march2026(), dec("0"), dec("720.5"))
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "usage amount", l.Amount, "36.025")    // 720.5×0.05
	assertDec(t, "usage rounded", l.Rounded(), "36.03") // half away from zero
	if l.Kind != rating.KindUsage || l.PlanID != 4 || !l.From.Equal(date(2026, 3, 1)) || !l.Through.Equal(date(2026, 3, 31)) {
		t.Errorf("usage line = %+v", l)
	}

	// Later usage in the same month climbs the tiers.
	g := graduatedPlan()
	g.Unit = rating.Request
	l, err = rating.UsageLine(g, march2026(), dec("300"), dec("250"))
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "second usage line", l.Amount, "950.00") // 200×4.00 + 50×3.00

	if _, err := rating.UsageLine(graduatedPlan(), march2026(), dec("0"), dec("1")); err == nil {
		t.Error("UsageLine on a unit-month plan: no error")
	}
}

func TestMinimum(t *testing.T) {
	assertDec(t, "MinimumTopUp(100, 0)", rating.MinimumTopUp(dec("100"), dec("0")), "100")
	assertDec(t, "MinimumTopUp(100, 57.46)", rating.MinimumTopUp(dec("100"), dec("57.46")), "42.54")
	assertDec(t, "MinimumTopUp(100, 100)", rating.MinimumTopUp(dec("100"), dec("100")), "0")
	assertDec(t, "MinimumTopUp(100, 120)", rating.MinimumTopUp(dec("100"), dec("120")), "0")

	plan := rating.RatePlan{ID: 9, Currency: "EUR", Unit: rating.Request, UnitPrice: dec("0.01"),
		FixedMonthly: dec("20.00"), OneTime: dec("500.00"), Minimum: dec("100.00"), EffectiveFrom: date(2026, 1, 1)}
	lines := []rating.Line{
		{Kind: rating.KindSetupFee, Currency: "EUR", Amount: dec("500.00")}, // excluded from the minimum
		{Kind: rating.KindFixed, Currency: "EUR", Amount: dec("20.00")},
		{Kind: rating.KindUsage, Currency: "EUR", Amount: dec("37.456")}, // shows as 37.46
	}
	top, ok, err := rating.ApplyMinimum(plan, march2026(), lines)
	if err != nil || !ok {
		t.Fatalf("ApplyMinimum = %v, %v; want a top-up", ok, err)
	}
	// 100.00 − (20.00 + 37.46) = 42.54
	assertDec(t, "top-up", top.Amount, "42.54")
	if top.Kind != rating.KindMinimum || top.Currency != "EUR" || top.PlanID != 9 {
		t.Errorf("top-up line = %+v", top)
	}
	total, err := rating.Total(append(lines, top))
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "statement total", total, "600.00") // 500.00 + 20.00 + 37.46 + 42.54

	// Usage above the minimum: no top-up.
	lines[2].Amount = dec("80.01") // 20.00 + 80.01 = 100.01 ≥ 100.00
	if top, ok, err := rating.ApplyMinimum(plan, march2026(), lines); err != nil || ok {
		t.Errorf("usage above minimum: top-up %s, %v, %v; want none", top.Amount, ok, err)
	}
	// Exactly the minimum: no top-up.
	lines[2].Amount = dec("80.00")
	if top, ok, err := rating.ApplyMinimum(plan, march2026(), lines); err != nil || ok {
		t.Errorf("usage at minimum: top-up %s, %v, %v; want none", top.Amount, ok, err)
	}
	// No recurring lines at all: the whole minimum.
	top, ok, err = rating.ApplyMinimum(plan, march2026(), lines[:1])
	if err != nil || !ok {
		t.Fatalf("only a setup fee: %v, %v; want a top-up", ok, err)
	}
	assertDec(t, "top-up without usage", top.Amount, "100.00")
	// Another currency is refused.
	if _, _, err := rating.ApplyMinimum(plan, march2026(), []rating.Line{{Kind: rating.KindUsage, Currency: "USD", Amount: dec("1")}}); err == nil {
		t.Error("minimum over USD lines for a EUR plan: no error")
	}
}
