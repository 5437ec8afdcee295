package billingpages

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/billing"
)

func TestShortMoney(t *testing.T) {
	for _, c := range []struct {
		v        float64
		currency string
		want     string
	}{
		{0, "EUR", "€0"}, {850, "EUR", "€850"}, {1234, "EUR", "€1.2k"}, {2000, "USD", "$2k"}, {12345.6, "EUR", "€12k"},
		{2_500_000, "EUR", "€2.5M"}, {-300, "EUR", "−€300"}, {850, "CHF", "850 CHF"},
	} {
		if got := shortMoney(c.v, c.currency); got != c.want {
			t.Errorf("shortMoney(%v, %s) = %q, want %q", c.v, c.currency, got, c.want)
		}
	}
}

// TestTrendChartScale: the chart has a scale of round amounts from zero
// to at least the highest month, and each billed month's value.
func TestTrendChartScale(t *testing.T) {
	month := func(period, state, total string) billing.MonthTotals {
		m := billing.MonthTotals{Period: period, Label: billing.PeriodLabel(period), State: state}
		if total != "" {
			m.Totals = []billing.CurrencyTotal{{Currency: "EUR", Amount: decimal.RequireFromString(total)}}
		}
		return m
	}
	tr := billing.Trend{Currencies: []string{"EUR"}, Months: []billing.MonthTotals{
		month("2026-01", "", ""), month("2026-02", "closed", "1730.40"), month("2026-03", "open", "2315.00")}}
	ch := trendChart(tr, "EUR", "2026-03")
	var labels []string
	for _, tk := range ch.Ticks {
		labels = append(labels, tk.Label)
	}
	// 2,315 over at most four steps: steps of 1,000 up to 3,000.
	if got := strings.Join(labels, " "); got != "€0 €1k €2k €3k" {
		t.Errorf("scale = %q, want €0 €1k €2k €3k", got)
	}
	if ch.Ticks[0].Y != chartBottom || ch.Ticks[len(ch.Ticks)-1].Y != chartTop {
		t.Errorf("the scale runs from %v to %v, want the baseline %v to the top %v", ch.Ticks[0].Y, ch.Ticks[len(ch.Ticks)-1].Y, chartBottom, chartTop)
	}
	var values []string
	for _, c := range ch.Columns {
		values = append(values, c.Short)
	}
	if got := strings.Join(values, "|"); got != "|€1.7k|€2.3k" {
		t.Errorf("column values = %q, want none for the month not billed, then €1.7k and €2.3k", got)
	}
	// March's column is 2315/3000 of the height.
	if h := ch.Columns[2].H; h < 135.7 || h > 135.9 {
		t.Errorf("March's column is %v high, want 176 × 2315/3000 ≈ 135.8", h)
	}
	c := changeOn(tr, "2026-03", "EUR", decimal.RequireFromString("2315.00"))
	if c == nil || c.PrevLabel != "February 2026" || c.Diff.String() != "584.6" || c.Pct != "+33.8%" {
		t.Errorf("change on February = %+v, want +584.60 (+33.8%%)", c)
	}
	if c := changeOn(tr, "2026-02", "EUR", decimal.RequireFromString("1730.40")); c != nil {
		t.Errorf("change on a month not billed = %+v, want none", c)
	}
}

// TestUsageChart: a usage line's records add up day by day under a scale
// of round quantities, every fifth day named.
func TestUsageChart(t *testing.T) {
	at := func(day, hour int) time.Time { return time.Date(2026, 2, day, hour, 0, 0, 0, time.UTC) }
	recs := []billing.UsageRecord{
		{Time: at(1, 3), Quantity: decimal.RequireFromString("12.5"), Unit: "unit-hour"},
		{Time: at(1, 22), Quantity: decimal.RequireFromString("7.5"), Unit: "unit-hour"},
		{Time: at(15, 9), Quantity: decimal.RequireFromString("35"), Unit: "unit-hour"},
	}
	ch := usageChart("2026-02", recs, "unit-hour")
	if ch == nil || len(ch.Columns) != 28 {
		t.Fatalf("February's usage chart has %v columns, want 28 days", ch)
	}
	var labels []string
	for _, tk := range ch.Ticks {
		labels = append(labels, tk.Label)
	}
	// 35 over at most four steps: steps of 10 up to 40.
	if got := strings.Join(labels, " "); got != "0 10 20 30 40" {
		t.Errorf("scale = %q, want 0 10 20 30 40", got)
	}
	if c := ch.Columns[0]; c.Month != "1" || c.H != 176*20.0/40 || !strings.HasPrefix(c.Value, "1 Feb 2026: 20") {
		t.Errorf("day 1 = %+v, want 20 hours, half the height", c)
	}
	if c := ch.Columns[14]; c.Month != "15" || c.H != 176*35.0/40 {
		t.Errorf("day 15 = %+v, want 35 hours", c)
	}
	if c := ch.Columns[1]; c.Month != "" || c.H != 0 || c.Short != "" {
		t.Errorf("day 2 = %+v, want an empty unlabelled day", c)
	}
	if ch.YTitle != "Quantity (hours)" || ch.XTitle != "Day of February 2026 (UTC)" {
		t.Errorf("axis titles %q and %q", ch.YTitle, ch.XTitle)
	}
	svg, err := Templates.Funcs["columns"].(func(*columnChart) (template.HTML, error))(ch)
	if err != nil || !strings.Contains(string(svg), `class="chart-axis-title">Day of February 2026 (UTC)</text>`) || strings.Count(string(svg), "<rect ") != 28 {
		t.Errorf("drawn chart (%v):\n%s", err, svg)
	}
}

// TestTrendChartRefundMonth: a month whose refunds exceed its charges has
// no column above the baseline, but its figure is the real, negative total,
// not €0.
func TestTrendChartRefundMonth(t *testing.T) {
	tr := billing.Trend{Currencies: []string{"EUR"}, Months: []billing.MonthTotals{
		{Period: "2026-02", Label: "February 2026", State: "closed",
			Totals: []billing.CurrencyTotal{{Currency: "EUR", Amount: decimal.RequireFromString("1730.40")}}},
		{Period: "2026-03", Label: "March 2026", State: "open",
			Totals: []billing.CurrencyTotal{{Currency: "EUR", Amount: decimal.RequireFromString("-2500.00")}}},
	}}
	ch := trendChart(tr, "EUR", "2026-03")
	c := ch.Columns[1]
	if c.H != 0 || c.Y != chartBottom {
		t.Errorf("March's column = %+v, want none above the baseline", c)
	}
	if c.Short != "−€2.5k" {
		t.Errorf("March's figure = %q, want −€2.5k", c.Short)
	}
	if ch.Ticks[0].Label != "€0" {
		t.Errorf("the scale starts at %q, want €0", ch.Ticks[0].Label)
	}
}
