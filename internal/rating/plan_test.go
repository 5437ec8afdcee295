package rating_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/rating"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(p *rating.RatePlan)
		want   []string
	}{
		{"valid graduated", func(p *rating.RatePlan) {}, nil},
		{"valid without tiers or mode", func(p *rating.RatePlan) {
			p.Tiers, p.TierMode, p.UnitPrice = nil, "", dec("4.00")
		}, nil},
		{"valid with an end", func(p *rating.RatePlan) { p.EffectiveTo = datep(2026, 1, 2) }, nil},
		{"unknown unit", func(p *rating.RatePlan) { p.Unit = "seat" }, []string{"unit"}},
		{"unknown tier mode", func(p *rating.RatePlan) { p.TierMode = "stepped" }, []string{"tier_mode"}},
		{"tiers without a mode", func(p *rating.RatePlan) { p.TierMode = "" }, []string{"tier_mode"}},
		{"lower-case currency", func(p *rating.RatePlan) { p.Currency = "eur" }, []string{"currency"}},
		{"four-letter currency", func(p *rating.RatePlan) { p.Currency = "EURO" }, []string{"currency"}},
		{"no currency", func(p *rating.RatePlan) { p.Currency = "" }, []string{"currency"}},
		{"negative unit price", func(p *rating.RatePlan) { p.Tiers, p.UnitPrice = nil, dec("-0.01") }, []string{"unit_price"}},
		{"negative tier price", func(p *rating.RatePlan) { p.Tiers[1].UnitPrice = dec("-4.00") }, []string{"tiers[1].unit_price"}},
		{"negative fees", func(p *rating.RatePlan) {
			p.FixedMonthly, p.OneTime, p.Minimum = dec("-1"), dec("-2"), dec("-3")
		}, []string{"fixed_monthly", "one_time", "minimum"}},
		{"unit price beside tiers", func(p *rating.RatePlan) { p.UnitPrice = dec("1.00") }, []string{"unit_price"}},
		// Gaps: a tier with no end before the last leaves the next with no
		// start; a bounded last tier leaves quantities above it unpriced.
		{"gap: middle tier open-ended", func(p *rating.RatePlan) { p.Tiers[1].UpTo = nil }, []string{"tiers[1].up_to"}},
		{"gap: last tier bounded", func(p *rating.RatePlan) { p.Tiers[3].UpTo = decp("5000") }, []string{"tiers[3].up_to"}},
		// Overlaps: bounds must strictly increase.
		{"overlap: bound below the previous", func(p *rating.RatePlan) { p.Tiers[2].UpTo = decp("400") }, []string{"tiers[2].up_to"}},
		{"overlap: bound equal to the previous", func(p *rating.RatePlan) { p.Tiers[1].UpTo = decp("100") }, []string{"tiers[1].up_to"}},
		{"first tier ends at 0", func(p *rating.RatePlan) { p.Tiers[0].UpTo = decp("0") }, []string{"tiers[0].up_to"}},
		{"first tier negative", func(p *rating.RatePlan) { p.Tiers[0].UpTo = decp("-5") }, []string{"tiers[0].up_to"}},
		{"no effective-from", func(p *rating.RatePlan) { p.EffectiveFrom = time.Time{} }, []string{"effective_from"}},
		{"effective-to equal to from", func(p *rating.RatePlan) { p.EffectiveTo = datep(2026, 1, 1) }, []string{"effective_to"}},
		{"effective-to before from", func(p *rating.RatePlan) { p.EffectiveTo = datep(2025, 12, 1) }, []string{"effective_to"}},
		{"fixed-month with tiers", func(p *rating.RatePlan) { p.Unit = rating.FixedMonth }, []string{"tiers"}},
		{"fixed-month with a unit price", func(p *rating.RatePlan) {
			p.Unit, p.Tiers, p.TierMode, p.UnitPrice = rating.FixedMonth, nil, "", dec("5")
		}, []string{"unit_price"}},
		{"one-time with monthly charges", func(p *rating.RatePlan) {
			p.Unit, p.FixedMonthly, p.Minimum = rating.OneTimeUnit, dec("1"), dec("10")
		}, []string{"fixed_monthly", "minimum"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := graduatedPlan()
			c.change(&p)
			if got := fieldsOf(t, p.Validate()); !slices.Equal(got, c.want) {
				t.Errorf("fields %v, want %v (%v)", got, c.want, p.Validate())
			}
		})
	}
}

func TestValidateMessagesSayHowToFix(t *testing.T) {
	p := graduatedPlan()
	p.Tiers[2].UpTo = decp("400") // tier 3 would end below tier 2's end (500)
	err := p.Validate()
	if got, want := messageOf(err, "tiers[2].up_to"), "Tier 3 must start where tier 2 ends (500), so it must end above 500 (got 400)."; got != want {
		t.Errorf("overlap message = %q, want %q", got, want)
	}

	p = graduatedPlan()
	p.Tiers[1].UpTo = nil
	if got := messageOf(p.Validate(), "tiers[1].up_to"); !strings.Contains(got, "Enter where tier 2 ends") {
		t.Errorf("gap message = %q", got)
	}

	p = graduatedPlan()
	p.Unit = "seat"
	if got := messageOf(p.Validate(), "unit"); !strings.Contains(got, "person-month") || !strings.Contains(got, `"seat"`) {
		t.Errorf("unit message = %q, want the choices and the bad value", got)
	}

	p = graduatedPlan()
	p.Tiers = nil
	p.UnitPrice = dec("-2.5")
	if got := messageOf(p.Validate(), "unit_price"); got != "Enter a unit price of 0 or more (got -2.5)." {
		t.Errorf("negative price message = %q", got)
	}

	// The error lists every field in its text too.
	p = graduatedPlan()
	p.Currency, p.Unit = "", "seat"
	if msg := p.Validate().Error(); !strings.Contains(msg, "currency: ") || !strings.Contains(msg, "unit: ") {
		t.Errorf("Error() = %q, want both fields", msg)
	}
}

func plan(id int64, from time.Time, to *time.Time) rating.RatePlan {
	p := seats("10.00")
	p.ID, p.OfferingID, p.EffectiveFrom, p.EffectiveTo = id, 7, from, to
	return p
}

func TestCheckNoOverlap(t *testing.T) {
	h1 := plan(1, date(2026, 1, 1), datep(2026, 7, 1)) // 2026-01-01 to 2026-06-30
	h2 := plan(2, date(2026, 7, 1), nil)               // 2026-07-01 onwards
	cases := []struct {
		name  string
		plans []rating.RatePlan
		want  []string
	}{
		{"none", nil, nil},
		{"back to back", []rating.RatePlan{h1, h2}, nil},
		{"back to back, any order", []rating.RatePlan{h2, h1}, nil},
		{"open-ended overlaps a later start", []rating.RatePlan{plan(1, date(2026, 1, 1), nil), h2}, []string{"plans[1].effective_from"}},
		{"starts inside another", []rating.RatePlan{h1, plan(2, date(2026, 5, 1), nil)}, []string{"plans[1].effective_from"}},
		{"inside another, listed first", []rating.RatePlan{plan(2, date(2026, 3, 1), datep(2026, 4, 1)), h1}, []string{"plans[1].effective_from"}},
		{"one day in common", []rating.RatePlan{h1, plan(2, date(2026, 6, 30), nil)}, []string{"plans[1].effective_from"}},
		{"one clashes with two", []rating.RatePlan{h1, h2, plan(3, date(2026, 6, 1), datep(2026, 8, 1))},
			[]string{"plans[2].effective_from", "plans[2].effective_from"}},
	}
	for _, c := range cases {
		if got := fieldsOf(t, rating.CheckNoOverlap(c.plans)); !slices.Equal(got, c.want) {
			t.Errorf("%s: fields %v, want %v", c.name, got, c.want)
		}
	}

	// Plans of different offerings never clash.
	other := plan(3, date(2026, 3, 1), nil)
	other.OfferingID = 8
	if err := rating.CheckNoOverlap([]rating.RatePlan{h1, h2, other}); err != nil {
		t.Errorf("different offerings: %v", err)
	}

	// The message names both date ranges.
	err := rating.CheckNoOverlap([]rating.RatePlan{h1, plan(2, date(2026, 5, 1), nil)})
	msg := messageOf(err, "plans[1].effective_from")
	for _, want := range []string{"2026-05-01 onwards", "2026-01-01 to 2026-06-30", "plans[0]"} {
		if !strings.Contains(msg, want) {
			t.Errorf("overlap message %q does not mention %q", msg, want)
		}
	}
}

func TestPlanAt(t *testing.T) {
	old := plan(1, date(2026, 1, 1), datep(2026, 3, 20))
	cur := plan(2, date(2026, 3, 20), nil)
	plans := []rating.RatePlan{old, cur}
	plus1 := time.FixedZone("UTC+1", 3600)
	cases := []struct {
		name string
		at   time.Time
		want int64
	}{
		{"first day of the first plan", date(2026, 1, 1), 1},
		{"last instant before the change", time.Date(2026, 3, 19, 23, 59, 59, 0, time.UTC), 1},
		{"day of the change (effective-to exclusive)", date(2026, 3, 20), 2},
		{"long after", date(2031, 1, 1), 2},
		// 00:30 on 20 March in UTC+1 is still 19 March in UTC: the date in t's
		// location decides.
		{"date read in t's location", time.Date(2026, 3, 20, 0, 30, 0, 0, plus1), 2},
		{"same instant in UTC", time.Date(2026, 3, 20, 0, 30, 0, 0, plus1).UTC(), 1},
	}
	for _, c := range cases {
		got, err := rating.PlanAt(plans, c.at)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
		} else if got.ID != c.want {
			t.Errorf("%s: plan %d, want %d", c.name, got.ID, c.want)
		}
	}

	if _, err := rating.PlanAt(plans, date(2025, 12, 31)); !errors.Is(err, rating.ErrNoPlan) {
		t.Errorf("before the first plan: err %v, want ErrNoPlan", err)
	}
	if _, err := rating.PlanAt(nil, date(2026, 3, 1)); !errors.Is(err, rating.ErrNoPlan) {
		t.Errorf("no plans: err %v, want ErrNoPlan", err)
	}
	clash := []rating.RatePlan{old, plan(3, date(2026, 2, 1), nil)}
	if _, err := rating.PlanAt(clash, date(2026, 2, 10)); err == nil || errors.Is(err, rating.ErrNoPlan) {
		t.Errorf("two plans in effect: err %v, want an overlap error", err)
	}
}
