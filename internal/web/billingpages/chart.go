package billingpages

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/web/page"
)

// columnChart is a vertical bar chart drawn as SVG on the server, with a
// scale on the left, labels along the bottom and, when they fit, each
// column's value above it.
type columnChart struct {
	ID       string // unique on the page, for the chart's title
	Title    string
	Currency string
	Max      string
	YTitle   string // what the scale measures: "Total (EUR)"
	XTitle   string // what the columns are: "Month"
	Ticks    []tick
	Columns  []column
}

// tick is one step of the vertical scale: a grid line and its amount.
type tick struct {
	Y     float64
	Label string
}

type column struct {
	Month, Year, Value, Short string // Month and Year label it; Value is its tooltip
	X, Y, W, H, TextX, ValueY float64
	Current                   bool
}

// chartPoint is one column to draw.
type chartPoint struct {
	Label, Sub string  // below the column: "Jan" and "2026"
	Value      float64 // drawing only: the tables have the exact figures
	Text       string  // the exact figure, for the tooltip
	Shown      bool    // false draws nothing: a month not billed
	Current    bool
}

const (
	chartWidth  = 640.0
	chartLeft   = 64.0 // room for the scale's amounts
	chartTop    = 24.0
	chartBottom = 200.0 // the baseline
)

// niceStep returns a step of 1, 2 or 5 times a power of ten that divides
// top into at most four steps.
func niceStep(top float64) float64 {
	if top <= 0 {
		return 1
	}
	raw := top / 4
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}

// shortMoney writes an amount for a chart: €850, €12k, €1.2M. Drawing
// only: the tables have the exact figures.
func shortMoney(v float64, currency string) string {
	zero := catalog.FormatMoney(decimal.Zero, currency)
	symbol := strings.TrimRight(zero, "0.,")
	num := shortNumber(v)
	if symbol == "" || strings.ContainsAny(symbol, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return num + " " + currency
	}
	if strings.HasPrefix(num, "−") {
		return "−" + symbol + strings.TrimPrefix(num, "−")
	}
	return symbol + num
}

// shortNumber writes a number for a chart: 850, 1.2k, 12k, 2.5M.
func shortNumber(v float64) string {
	abs, sign := math.Abs(v), ""
	if v < 0 {
		sign = "−"
	}
	switch {
	case abs >= 1e6:
		return sign + strings.TrimSuffix(strconv.FormatFloat(abs/1e6, 'f', 1, 64), ".0") + "M"
	case abs >= 1e4:
		return sign + strconv.FormatFloat(abs/1e3, 'f', 0, 64) + "k"
	case abs >= 1e3:
		return sign + strings.TrimSuffix(strconv.FormatFloat(abs/1e3, 'f', 1, 64), ".0") + "k"
	case abs >= 10 || abs == math.Trunc(abs):
		return sign + strconv.FormatFloat(abs, 'f', 0, 64)
	default:
		return sign + strings.TrimRight(strings.TrimRight(strconv.FormatFloat(abs, 'f', 2, 64), "0"), ".")
	}
}

// below it (see rating's limits), but a total stored before those limits
// existed may not be, and the scale must stay finite.
const chartCeiling = 1e18

// drawColumns lays out points as columns under a scale of round steps
// from zero; format writes the scale's and the columns' figures. Values
// go above the columns when there is room for them. A value below zero
// (a month of net refunds) has no column, but its figure is its own.
func drawColumns(ch *columnChart, points []chartPoint, format func(float64) string) *columnChart {
	max := 0.0
	figures := make([]float64, len(points))
	for i := range points {
		v := points[i].Value
		if math.IsNaN(v) {
			v = 0
		}
		figures[i] = math.Max(-chartCeiling, math.Min(v, chartCeiling))
		points[i].Value = math.Max(figures[i], 0)
		max = math.Max(max, points[i].Value)
	}
	step := niceStep(max)
	top := math.Max(step, math.Ceil(max/step)*step)
	for v := 0.0; v <= top+step/2; v += step {
		ch.Ticks = append(ch.Ticks, tick{Y: chartBottom - (chartBottom-chartTop)*v/top, Label: format(v)})
	}
	slot := (chartWidth - chartLeft) / float64(len(points))
	for i, pt := range points {
		h := 0.0
		if pt.Value > 0 {
			h = (chartBottom - chartTop) * pt.Value / top
		}
		x := chartLeft + float64(i)*slot + slot*0.15
		c := column{Month: pt.Label, Year: pt.Sub, Value: pt.Text, X: x, W: slot * 0.7, Y: chartBottom - h, H: h,
			TextX: x + slot*0.35, ValueY: chartBottom - h - 5, Current: pt.Current}
		if pt.Shown && slot >= 40 {
			c.Short = format(figures[i])
		}
		ch.Columns = append(ch.Columns, c)
	}
	return ch
}

// trendChart draws a department's monthly totals in one currency.
func trendChart(tr billing.Trend, currency, current string) *columnChart {
	ch := &columnChart{ID: "trend-" + currency, Title: "Total per month in " + currency, Currency: currency,
		YTitle: "Total (" + currency + ")", XTitle: "Month"}
	max := decimal.Zero
	var points []chartPoint
	for _, m := range tr.Months {
		total := m.Total(currency)
		max = decimal.Max(max, total)
		t, _ := time.Parse("2006-01", m.Period)
		points = append(points, chartPoint{Label: t.Format("Jan"), Sub: t.Format("2006"), Value: total.InexactFloat64(),
			Text: m.Label + ": " + catalog.FormatMoney(total, currency), Shown: m.State != "", Current: m.Period == current})
	}
	ch.Max = catalog.FormatMoney(max, currency)
	return drawColumns(ch, points, func(v float64) string { return shortMoney(v, currency) })
}

// usageChart draws a usage line's records day by day (UTC, as the month
// is billed).
func usageChart(period string, recs []billing.UsageRecord, unit string) *columnChart {
	per, err := billing.ParsePeriod(period)
	if err != nil || len(recs) == 0 {
		return nil
	}
	first := per.Start()
	days := first.AddDate(0, 1, -1).Day()
	sums := make([]decimal.Decimal, days)
	for _, u := range recs {
		if d := u.Time.UTC().Day() - 1; u.Time.UTC().Month() == first.Month() && d >= 0 && d < days {
			sums[d] = sums[d].Add(u.Quantity)
		}
	}
	words := unitWords(unit)
	ch := &columnChart{ID: "usage", Title: "Quantity per day", YTitle: "Quantity" + parenthesised(words),
		XTitle: "Day of " + billing.PeriodLabel(period) + " (UTC)"}
	max := decimal.Zero
	var points []chartPoint
	for d, q := range sums {
		max = decimal.Max(max, q)
		day := first.AddDate(0, 0, d)
		label := ""
		if d == 0 || (d+1)%5 == 0 {
			label = strconv.Itoa(d + 1)
		}
		points = append(points, chartPoint{Label: label, Value: q.InexactFloat64(), Shown: true,
			Text: day.Format(page.DateLayout) + ": " + strings.TrimSpace(page.FormatQuantity(q)+" "+words)})
	}
	ch.Max = strings.TrimSpace(page.FormatQuantity(max) + " " + words)
	return drawColumns(ch, points, shortNumber)
}

// columnsSVG draws a column chart; pages call it as {{columns .Chart}}.
var columnsSVG = template.Must(template.New("columns").Parse(`<svg role="img" aria-labelledby="{{.ID}}-title" width="100%" viewBox="0 0 640 262" class="chart chart-columns">
  <title id="{{.ID}}-title">{{.Title}}, up to {{.Max}}; the table below has the figures.</title>
  <text x="0" y="10" class="chart-axis-title" id="{{.ID}}-y-axis">{{.YTitle}}</text>
  {{range .Ticks}}<line x1="64" y1="{{.Y}}" x2="640" y2="{{.Y}}" class="grid"></line>
  <text x="58" y="{{.Y}}" dy="4" text-anchor="end" class="chart-tick">{{.Label}}</text>{{end}}
  <line x1="64" y1="200" x2="640" y2="200" class="axis"></line>
  <line x1="64" y1="24" x2="64" y2="200" class="axis"></line>
  {{range .Columns}}
  <rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" class="{{if .Current}}bar-best{{else}}bar{{end}}"><title>{{.Value}}</title></rect>
  {{if .Short}}<text x="{{.TextX}}" y="{{.ValueY}}" text-anchor="middle" class="chart-value">{{.Short}}</text>{{end}}
  {{if .Month}}<text x="{{.TextX}}" y="216" text-anchor="middle" class="chart-label">{{.Month}}</text>{{end}}
  {{if .Year}}<text x="{{.TextX}}" y="232" text-anchor="middle" class="chart-year">{{.Year}}</text>{{end}}
  {{end}}
  <text x="352" y="256" text-anchor="middle" class="chart-axis-title">{{.XTitle}}</text>
</svg>`))

func parenthesised(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// shareBar is the cloud-versus-legacy split drawn as one stacked bar.
type shareBar struct {
	billing.DeliveryShare
	CloudPct, LegacyPct int
	CloudW, LegacyW     float64
}

func newShareBar(sh billing.DeliveryShare) shareBar {
	b := shareBar{DeliveryShare: sh, CloudPct: sh.Percent("cloud"), LegacyPct: sh.Percent("legacy")}
	if b.CloudPct >= 0 {
		b.CloudW = math.Max(0, math.Min(600, 600*float64(b.CloudPct)/100))
		b.LegacyW = 600 - b.CloudW
	}
	return b
}
