package rating_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/rating"
	"github.com/shopspring/decimal"
)

// wantLine is a line as a test expects it; dates are days of the period.
type wantLine struct {
	kind          rating.LineKind
	planID        int64
	from, through time.Time
	days, of      int
	qty, amount   string
}

func assertLines(t *testing.T, got []rating.Line, want []wantLine) {
	t.Helper()
	if len(got) != len(want) {
		for _, l := range got {
			t.Logf("got %s plan %d %s..%s %d/%d qty %s amount %s", l.Kind, l.PlanID,
				l.From.Format(time.DateOnly), l.Through.Format(time.DateOnly), l.Days, l.PeriodDays, l.Quantity, l.Amount)
		}
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.PlanID != w.planID || !g.From.Equal(w.from) || !g.Through.Equal(w.through) ||
			g.Days != w.days || g.PeriodDays != w.of || !g.Quantity.Equal(dec(w.qty)) || !g.Amount.Equal(dec(w.amount)) {
			t.Errorf("line %d = %s plan %d %s..%s %d/%d qty %s amount %s\nwant       %s plan %d %s..%s %d/%d qty %s amount %s", i,
				g.Kind, g.PlanID, g.From.Format(time.DateOnly), g.Through.Format(time.DateOnly), g.Days, g.PeriodDays, g.Quantity, g.Amount,
				w.kind, w.planID, w.from.Format(time.DateOnly), w.through.Format(time.DateOnly), w.days, w.of, w.qty, w.amount)
		}
	}
}

func seats(price string) rating.RatePlan {
	return rating.RatePlan{ID: 1, Currency: "EUR", Unit: rating.PersonMonth, UnitPrice: dec(price), EffectiveFrom: date(2020, 1, 1)}
}

func one(from time.Time) []rating.Segment {
	return []rating.Segment{{From: from, Quantity: decimal.NewFromInt(1)}}
}

func TestPeriod(t *testing.T) {
	cases := []struct {
		p    rating.Period
		days int
		next string
	}{
		{rating.Period{Year: 2026, Month: time.March}, 31, "2026-04"},
		{rating.Period{Year: 2026, Month: time.April}, 30, "2026-05"},
		{rating.Period{Year: 2028, Month: time.February}, 29, "2028-03"}, // leap year
		{rating.Period{Year: 2027, Month: time.February}, 28, "2027-03"},
		{rating.Period{Year: 2100, Month: time.February}, 28, "2100-03"}, // century, not leap
		{rating.Period{Year: 2026, Month: time.December}, 31, "2027-01"},
	}
	for _, c := range cases {
		if got := c.p.Days(); got != c.days {
			t.Errorf("%s has %d days, want %d", c.p, got, c.days)
		}
		if got := c.p.Next().String(); got != c.next {
			t.Errorf("%s.Next() = %s, want %s", c.p, got, c.next)
		}
	}
	// 23:30 UTC on 31 March is already April in UTC+1.
	plus1 := time.FixedZone("UTC+1", 3600)
	instant := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)
	if got := rating.PeriodOf(instant, plus1); got.Year != 2026 || got.Month != time.April || got.Location != plus1 {
		t.Errorf("PeriodOf in UTC+1 = %+v, want 2026-04 in UTC+1", got)
	}
	if got := rating.PeriodOf(instant, nil); got.Month != time.March || got.Location != time.UTC {
		t.Errorf("PeriodOf in UTC = %+v, want 2026-03 in UTC", got)
	}
	p := rating.Period{Year: 2026, Month: time.April, Location: plus1}
	if !p.Start().Equal(time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC)) || !p.End().Equal(time.Date(2026, 4, 30, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("April in UTC+1 runs %s to %s", p.Start().UTC(), p.End().UTC())
	}
}

func TestServiceDays(t *testing.T) {
	mar := march2026()
	feb28 := rating.Period{Year: 2028, Month: time.February}
	feb27 := rating.Period{Year: 2027, Month: time.February}
	cases := []struct {
		name   string
		start  time.Time
		end    *time.Time
		period rating.Period
		want   int
	}{
		{"start 16 March", date(2026, 3, 16), nil, mar, 16},                            // 16..31
		{"start 1 March end 15 March", date(2026, 3, 1), datep(2026, 3, 15), mar, 15},  // 1..15
		{"start and end inside March", date(2026, 3, 10), datep(2026, 3, 20), mar, 11}, // 10..20
		{"one day", date(2026, 3, 10), datep(2026, 3, 10), mar, 1},
		{"full month", date(2026, 1, 10), nil, mar, 31},
		{"ends on the last day", date(2026, 1, 10), datep(2026, 3, 31), mar, 31},
		{"ended before", date(2026, 1, 10), datep(2026, 2, 28), mar, 0},
		{"starts after", date(2026, 4, 1), nil, mar, 0},
		{"leap February from the 15th", date(2028, 2, 15), nil, feb28, 15}, // 15..29
		{"February from the 15th", date(2027, 2, 15), nil, feb27, 14},      // 15..28
		{"clock time ignored", time.Date(2026, 3, 16, 17, 45, 0, 0, time.UTC), nil, mar, 16},
	}
	for _, c := range cases {
		if got := rating.ServiceDays(c.start, c.end, c.period); got != c.want {
			t.Errorf("%s: ServiceDays = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestProrate(t *testing.T) {
	mar := march2026()
	// 10.00 × 16 / 31 = 160/31 = 5.16129032258064516129… → 16 places 5.1612903225806452
	assertDec(t, "10.00 × 16/31", rating.Prorate(dec("10.00"), 16, mar), "5.1612903225806452")
	assertDec(t, "31.00 × 16/31", rating.Prorate(dec("31.00"), 16, mar), "16.00")
	assertDec(t, "whole month", rating.Prorate(dec("10.00"), 31, mar), "10.00")
	assertDec(t, "no days", rating.Prorate(dec("10.00"), 0, mar), "0")
	// 10.00 × 14 / 28 = 5.00
	assertDec(t, "half of February 2027", rating.Prorate(dec("10.00"), 14, rating.Period{Year: 2027, Month: time.February}), "5.00")
}

func TestSubscriptionProration(t *testing.T) {
	mar := march2026()
	cases := []struct {
		name   string
		price  string
		sub    rating.Subscription
		period rating.Period
		want   []wantLine
	}{
		{
			name:  "start 16 March pays 16/31",
			price: "31.00", period: mar,
			sub: rating.Subscription{Start: date(2026, 3, 16), Segments: one(date(2026, 3, 16))},
			// 31.00 × 16/31 = 16.00
			want: []wantLine{{rating.KindSubscription, 1, date(2026, 3, 16), date(2026, 3, 31), 16, 31, "1", "16.00"}},
		},
		{
			name:  "start 16 March, a price that does not divide",
			price: "10.00", period: mar,
			sub: rating.Subscription{Start: date(2026, 3, 16), Segments: one(date(2026, 3, 16))},
			// 10.00 × 16/31 = 5.1612903225806452 (shown as 5.16)
			want: []wantLine{{rating.KindSubscription, 1, date(2026, 3, 16), date(2026, 3, 31), 16, 31, "1", "5.1612903225806452"}},
		},
		{
			name:  "end 15 March, inclusive, pays 15/31",
			price: "31.00", period: mar,
			sub: rating.Subscription{Start: date(2026, 3, 1), End: datep(2026, 3, 15), Segments: one(date(2026, 3, 1))},
			// 31.00 × 15/31 = 15.00
			want: []wantLine{{rating.KindSubscription, 1, date(2026, 3, 1), date(2026, 3, 15), 15, 31, "1", "15.00"}},
		},
		{
			name:  "start and end in the same month",
			price: "62.00", period: mar,
			sub: rating.Subscription{Start: date(2026, 3, 10), End: datep(2026, 3, 20), Segments: one(date(2026, 3, 10))},
			// 62.00 × 11/31 = 22.00 (10..20 March)
			want: []wantLine{{rating.KindSubscription, 1, date(2026, 3, 10), date(2026, 3, 20), 11, 31, "1", "22.00"}},
		},
		{
			name:  "full month is 31/31",
			price: "10.00", period: mar,
			sub:  rating.Subscription{Start: date(2026, 1, 10), Segments: one(date(2026, 1, 10))},
			want: []wantLine{{rating.KindSubscription, 1, date(2026, 3, 1), date(2026, 3, 31), 31, 31, "1", "10.00"}},
		},
		{
			name:  "leap February 2028 from the 15th pays 15/29",
			price: "58.00", period: rating.Period{Year: 2028, Month: time.February},
			sub: rating.Subscription{Start: date(2028, 2, 15), Segments: one(date(2028, 2, 15))},
			// 58.00 × 15/29 = 30.00
			want: []wantLine{{rating.KindSubscription, 1, date(2028, 2, 15), date(2028, 2, 29), 15, 29, "1", "30.00"}},
		},
		{
			name:  "February 2027 from the 15th pays 14/28",
			price: "58.00", period: rating.Period{Year: 2027, Month: time.February},
			sub: rating.Subscription{Start: date(2027, 2, 15), Segments: one(date(2027, 2, 15))},
			// 58.00 × 14/28 = 29.00
			want: []wantLine{{rating.KindSubscription, 1, date(2027, 2, 15), date(2027, 2, 28), 14, 28, "1", "29.00"}},
		},
		{
			name:  "ended before the month",
			price: "10.00", period: mar,
			sub:  rating.Subscription{Start: date(2026, 1, 1), End: datep(2026, 2, 28), Segments: one(date(2026, 1, 1))},
			want: nil,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines, err := rating.SubscriptionLines([]rating.RatePlan{seats(c.price)}, c.sub, c.period)
			if err != nil {
				t.Fatal(err)
			}
			assertLines(t, lines, c.want)
		})
	}
}

func TestSubscriptionLinesInLocation(t *testing.T) {
	plus1 := time.FixedZone("UTC+1", 3600)
	p := rating.Period{Year: 2026, Month: time.March, Location: plus1}
	lines, err := rating.SubscriptionLines([]rating.RatePlan{seats("31.00")},
		rating.Subscription{Start: date(2026, 3, 16), Segments: one(date(2026, 3, 16))}, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || !lines[0].From.Equal(time.Date(2026, 3, 16, 0, 0, 0, 0, plus1)) || lines[0].Days != 16 {
		t.Fatalf("lines = %+v, want one line from 16 March in UTC+1", lines)
	}
	assertDec(t, "amount", lines[0].Amount, "16.00")
}

func TestQuantityChangeMidMonth(t *testing.T) {
	// 3.10 per unit-month is 0.10 per unit-day in a 31-day month.
	plan := rating.RatePlan{ID: 2, Currency: "EUR", Unit: rating.UnitMonth, UnitPrice: dec("3.10"), EffectiveFrom: date(2026, 1, 1)}
	sub := rating.Subscription{
		Start: date(2026, 1, 1),
		Segments: []rating.Segment{
			{From: date(2026, 1, 1), Quantity: dec("10")},
			{From: date(2026, 3, 11), Quantity: dec("15")},
			{From: date(2026, 3, 21), Quantity: dec("12")},
		},
	}
	lines, err := rating.SubscriptionLines([]rating.RatePlan{plan}, sub, march2026())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, lines, []wantLine{
		{rating.KindSubscription, 2, date(2026, 3, 1), date(2026, 3, 10), 10, 31, "10", "10.00"},  // 10 × 3.10 × 10/31
		{rating.KindSubscription, 2, date(2026, 3, 11), date(2026, 3, 20), 10, 31, "15", "15.00"}, // 15 × 3.10 × 10/31
		{rating.KindSubscription, 2, date(2026, 3, 21), date(2026, 3, 31), 11, 31, "12", "13.20"}, // 12 × 3.10 × 11/31
	})
	total, err := rating.Total(lines)
	if err != nil {
		t.Fatal(err)
	}
	assertDec(t, "March total", total, "38.20") // 10.00 + 15.00 + 13.20

	// A change to 0 suspends the charge for those days.
	sub.Segments[2].Quantity = dec("0")
	lines, err = rating.SubscriptionLines([]rating.RatePlan{plan}, sub, march2026())
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 {
		t.Errorf("with quantity 0 from 21 March: %d lines, want 2", len(lines))
	}
}

func TestSubscriptionTiersApplyToQuantityHeld(t *testing.T) {
	plan := rating.RatePlan{ID: 3, Currency: "EUR", Unit: rating.UnitMonth, TierMode: rating.Graduated,
		Tiers: []rating.Tier{
			{UpTo: decp("10"), UnitPrice: dec("3.10")},
			{UnitPrice: dec("1.55")},
		},
		EffectiveFrom: date(2026, 1, 1)}
	sub := rating.Subscription{
		Start: date(2026, 1, 1),
		Segments: []rating.Segment{
			{From: date(2026, 1, 1), Quantity: dec("15")},
			{From: date(2026, 3, 11), Quantity: dec("4")},
		},
	}
	lines, err := rating.SubscriptionLines([]rating.RatePlan{plan}, sub, march2026())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, lines, []wantLine{
		// (10 × 3.10 + 5 × 1.55) × 10/31 = 38.75 × 10/31 = 12.50
		{rating.KindSubscription, 3, date(2026, 3, 1), date(2026, 3, 10), 10, 31, "15", "12.50"},
		// 4 × 3.10 × 21/31 = 12.40 × 21/31 = 8.40: the 4 units start again at tier 1
		{rating.KindSubscription, 3, date(2026, 3, 11), date(2026, 3, 31), 21, 31, "4", "8.40"},
	})
}

func TestPriceChangeMidMonth(t *testing.T) {
	old := rating.RatePlan{ID: 10, Currency: "EUR", Unit: rating.PersonMonth, UnitPrice: dec("31.00"), FixedMonthly: dec("3.10"),
		EffectiveFrom: date(2026, 1, 1), EffectiveTo: datep(2026, 3, 20)}
	newer := rating.RatePlan{ID: 11, Currency: "EUR", Unit: rating.PersonMonth, UnitPrice: dec("62.00"), FixedMonthly: dec("6.20"),
		EffectiveFrom: date(2026, 3, 20)}
	sub := rating.Subscription{Start: date(2026, 2, 1), Segments: []rating.Segment{{From: date(2026, 2, 1), Quantity: dec("2")}}}
	lines, err := rating.SubscriptionLines([]rating.RatePlan{newer, old}, sub, march2026())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, lines, []wantLine{
		{rating.KindFixed, 10, date(2026, 3, 1), date(2026, 3, 19), 19, 31, "1", "1.90"},          // 3.10 × 19/31
		{rating.KindSubscription, 10, date(2026, 3, 1), date(2026, 3, 19), 19, 31, "2", "38.00"},  // 2 × 31.00 × 19/31
		{rating.KindFixed, 11, date(2026, 3, 20), date(2026, 3, 31), 12, 31, "1", "2.40"},         // 6.20 × 12/31
		{rating.KindSubscription, 11, date(2026, 3, 20), date(2026, 3, 31), 12, 31, "2", "48.00"}, // 2 × 62.00 × 12/31
	})

	// A quantity change inside the new plan's days splits again.
	sub.Segments = append(sub.Segments, rating.Segment{From: date(2026, 3, 25), Quantity: dec("3")})
	lines, err = rating.SubscriptionLines([]rating.RatePlan{old, newer}, sub, march2026())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, lines, []wantLine{
		{rating.KindFixed, 10, date(2026, 3, 1), date(2026, 3, 19), 19, 31, "1", "1.90"},
		{rating.KindSubscription, 10, date(2026, 3, 1), date(2026, 3, 19), 19, 31, "2", "38.00"},
		{rating.KindFixed, 11, date(2026, 3, 20), date(2026, 3, 31), 12, 31, "1", "2.40"},
		{rating.KindSubscription, 11, date(2026, 3, 20), date(2026, 3, 24), 5, 31, "2", "20.00"}, // 2 × 62.00 × 5/31
		{rating.KindSubscription, 11, date(2026, 3, 25), date(2026, 3, 31), 7, 31, "3", "42.00"}, // 3 × 62.00 × 7/31
	})
}

func TestOneTimeFeeOnlyInStartMonth(t *testing.T) {
	plan := rating.RatePlan{ID: 5, Currency: "EUR", Unit: rating.UnitMonth, UnitPrice: dec("31.00"), OneTime: dec("250.00"), EffectiveFrom: date(2026, 1, 1)}
	sub := rating.Subscription{Start: date(2026, 3, 16), Segments: []rating.Segment{{From: date(2026, 3, 16), Quantity: dec("3")}}}
	plans := []rating.RatePlan{plan}

	feb, err := rating.SubscriptionLines(plans, sub, rating.Period{Year: 2026, Month: time.February})
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, feb, nil)

	mar, err := rating.SubscriptionLines(plans, sub, march2026())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, mar, []wantLine{
		{rating.KindSetupFee, 5, date(2026, 3, 16), date(2026, 3, 16), 0, 0, "1", "250.00"},      // once, not × 3
		{rating.KindSubscription, 5, date(2026, 3, 16), date(2026, 3, 31), 16, 31, "3", "48.00"}, // 3 × 31.00 × 16/31
	})

	apr, err := rating.SubscriptionLines(plans, sub, rating.Period{Year: 2026, Month: time.April})
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, apr, []wantLine{
		{rating.KindSubscription, 5, date(2026, 4, 1), date(2026, 4, 30), 30, 30, "3", "93.00"}, // 3 × 31.00
	})
}

func TestOneTimePlan(t *testing.T) {
	plan := rating.RatePlan{ID: 6, Currency: "EUR", Unit: rating.OneTimeUnit, UnitPrice: dec("800.00"), OneTime: dec("100.00"), EffectiveFrom: date(2026, 1, 1)}
	sub := rating.Subscription{Start: date(2026, 3, 16), Segments: []rating.Segment{{From: date(2026, 3, 16), Quantity: dec("3")}}}
	mar, err := rating.SubscriptionLines([]rating.RatePlan{plan}, sub, march2026())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, mar, []wantLine{
		{rating.KindSetupFee, 6, date(2026, 3, 16), date(2026, 3, 16), 0, 0, "1", "100.00"},
		{rating.KindOneTime, 6, date(2026, 3, 16), date(2026, 3, 16), 0, 0, "3", "2400.00"}, // 3 × 800.00
	})
	apr, err := rating.SubscriptionLines([]rating.RatePlan{plan}, sub, rating.Period{Year: 2026, Month: time.April})
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, apr, nil)
}

func TestFixedMonthProrated(t *testing.T) {
	plan := rating.RatePlan{ID: 7, Currency: "EUR", Unit: rating.FixedMonth, FixedMonthly: dec("93.00"), EffectiveFrom: date(2026, 1, 1)}
	// Quantity is ignored: the same line with or without segments.
	for _, segs := range [][]rating.Segment{nil, {{From: date(2026, 3, 16), Quantity: dec("5")}}} {
		lines, err := rating.SubscriptionLines([]rating.RatePlan{plan}, rating.Subscription{Start: date(2026, 3, 16), Segments: segs}, march2026())
		if err != nil {
			t.Fatal(err)
		}
		assertLines(t, lines, []wantLine{
			{rating.KindFixed, 7, date(2026, 3, 16), date(2026, 3, 31), 16, 31, "1", "48.00"}, // 93.00 × 16/31
		})
	}
}

func TestMeteredPlanSubscriptionGetsOnlyFixedFee(t *testing.T) {
	plan := rating.RatePlan{ID: 8, Currency: "EUR", Unit: rating.Request, UnitPrice: dec("0.01"), FixedMonthly: dec("31.00"), EffectiveFrom: date(2026, 1, 1)}
	lines, err := rating.SubscriptionLines([]rating.RatePlan{plan}, rating.Subscription{Start: date(2026, 3, 22)}, march2026())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, lines, []wantLine{
		{rating.KindFixed, 8, date(2026, 3, 22), date(2026, 3, 31), 10, 31, "1", "10.00"}, // 31.00 × 10/31
	})
}

func TestSubscriptionErrors(t *testing.T) {
	plans := []rating.RatePlan{seats("10.00")}
	cases := []struct {
		name string
		sub  rating.Subscription
		want []string
	}{
		{"no start", rating.Subscription{}, []string{"start"}},
		{"end before start", rating.Subscription{Start: date(2026, 3, 10), End: datep(2026, 3, 9), Segments: one(date(2026, 3, 10))}, []string{"end"}},
		{"first segment after start", rating.Subscription{Start: date(2026, 3, 10), Segments: one(date(2026, 3, 11))}, []string{"segments[0].from"}},
		{"segments out of order", rating.Subscription{Start: date(2026, 3, 1), Segments: []rating.Segment{
			{From: date(2026, 3, 1), Quantity: dec("1")},
			{From: date(2026, 3, 20), Quantity: dec("2")},
			{From: date(2026, 3, 20), Quantity: dec("3")},
		}}, []string{"segments[2].from"}},
		{"negative quantity", rating.Subscription{Start: date(2026, 3, 1), Segments: []rating.Segment{{From: date(2026, 3, 1), Quantity: dec("-1")}}}, []string{"segments[0].quantity"}},
		{"no quantity for a seat plan", rating.Subscription{Start: date(2026, 3, 1)}, []string{"segments"}},
	}
	for _, c := range cases {
		_, err := rating.SubscriptionLines(plans, c.sub, march2026())
		if got := fieldsOf(t, err); !slices.Equal(got, c.want) {
			t.Errorf("%s: fields %v, want %v (err %v)", c.name, got, c.want, err)
		}
	}

	// A day of service without a plan.
	late := seats("10.00")
	late.EffectiveFrom = date(2026, 3, 10)
	_, err := rating.SubscriptionLines([]rating.RatePlan{late}, rating.Subscription{Start: date(2026, 3, 1), Segments: one(date(2026, 3, 1))}, march2026())
	if !errors.Is(err, rating.ErrNoPlan) {
		t.Errorf("service before the first plan: err %v, want ErrNoPlan", err)
	}
}
