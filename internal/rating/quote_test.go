package rating_test

import (
	"testing"

	"github.com/engagehq/engage/internal/rating"
)

func TestQuotePlan(t *testing.T) {
	withFees := graduatedPlan()
	withFees.OneTime, withFees.FixedMonthly = dec("500.00"), dec("20.00")

	floor := rating.RatePlan{Currency: "EUR", Unit: rating.UnitHour, UnitPrice: dec("1.00"), Minimum: dec("50.00"), EffectiveFrom: date(2026, 1, 1)}
	purchase := rating.RatePlan{Currency: "EUR", Unit: rating.OneTimeUnit, UnitPrice: dec("800.00"), OneTime: dec("100.00"), EffectiveFrom: date(2026, 1, 1)}
	fixed := rating.RatePlan{Currency: "EUR", Unit: rating.FixedMonth, FixedMonthly: dec("93.00"), EffectiveFrom: date(2026, 1, 1)}
	yen := rating.RatePlan{Currency: "JPY", Unit: rating.PersonMonth, UnitPrice: dec("1234.5"), EffectiveFrom: date(2026, 1, 1)}
	thirds := rating.RatePlan{Currency: "EUR", Unit: rating.Request, UnitPrice: dec("0.333"), EffectiveFrom: date(2026, 1, 1)}

	cases := []struct {
		name                         string
		plan                         rating.RatePlan
		qty                          string
		monthly, oneTime, threeYears string
	}{
		// 100×5.00 + 400×4.00 + 50×3.00 + 20.00 = 2270.00; 500.00 + 36 × 2270.00 = 82220.00
		{"graduated with fees", withFees, "550", "2270.00", "500.00", "82220.00"},
		// 550×3.00 = 1650.00; 36 × 1650.00 = 59400.00
		{"volume", volumePlan(), "550", "1650.00", "0", "59400.00"},
		// 10×1.00 = 10.00, raised to the 50.00 minimum; 36 × 50.00 = 1800.00
		{"minimum", floor, "10", "50.00", "0", "1800.00"},
		// 80×1.00 = 80.00 is above the minimum; 36 × 80.00 = 2880.00
		{"above minimum", floor, "80", "80.00", "0", "2880.00"},
		// 100.00 + 3×800.00 = 2500.00 once, nothing monthly
		{"one-time plan", purchase, "3", "0", "2500.00", "2500.00"},
		// 93.00 whatever the quantity; 36 × 93.00 = 3348.00
		{"fixed-month ignores quantity", fixed, "12", "93.00", "0", "3348.00"},
		// 1×1234.5 = 1234.5 → 1235 yen; 36 × 1235 = 44460
		{"yen", yen, "1", "1235", "0", "44460"},
		// 10×0.333 = 3.33 → 3.33; 36 × 3.33 = 119.88
		{"rounded monthly", thirds, "10", "3.33", "0", "119.88"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := rating.QuotePlan(c.plan, dec(c.qty))
			if err != nil {
				t.Fatal(err)
			}
			if q.Currency != c.plan.Currency {
				t.Errorf("currency %s, want %s", q.Currency, c.plan.Currency)
			}
			assertDec(t, "monthly", q.Monthly, c.monthly)
			assertDec(t, "one-time", q.OneTime, c.oneTime)
			assertDec(t, "three years", q.ThreeYear, c.threeYears)
		})
	}

	if _, err := rating.QuotePlan(graduatedPlan(), dec("-1")); err == nil {
		t.Error("negative quantity: no error")
	}
}
