package web

import (
	"strings"
	"testing"

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
