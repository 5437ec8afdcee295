package shadowpages

import (
	"bytes"
	"html/template"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/spend"
)

// drawnByTemplate is how the sparkline was drawn through html/template,
// which the direct drawing must match.
var drawnByTemplate = template.Must(template.New("spark").Parse(`<svg width="96" height="20" viewBox="0 0 96 20" role="img" aria-label="Monthly spend, oldest first" class="chart">` +
	`{{range .}}<rect x="{{.X}}" y="{{.Y}}" width="6" height="{{.H}}" class="bar"><title>{{.Title}}</title></rect>{{end}}</svg>`))

// TestSparkline: the columns drawn directly are those html/template drew,
// for rising, falling, zero, negative and tiny months.
func TestSparkline(t *testing.T) {
	amounts := []string{"0", "12.5", "1000", "-40", "0.01", "333.33", "999.99", "7", "0", "1000", "250.5", "3"}
	var months []spend.MonthAmount
	for i, a := range amounts {
		months = append(months, spend.MonthAmount{Period: "2026-" + string(rune('a'+i)), Amount: decimal.RequireFromString(a)})
	}
	drawnLikeTheTemplate(t, months)
	// Random amounts with up to 3 decimals, as sums of card lines have.
	r := rand.New(rand.NewPCG(16, 1))
	for range 200 {
		for i := range months {
			months[i].Amount = decimal.New(r.Int64N(100000000)-1000, -int32(r.IntN(4)))
		}
		drawnLikeTheTemplate(t, months)
	}
	if empty, _ := sparkline(nil); string(empty) != `<svg width="96" height="20" viewBox="0 0 96 20" role="img" aria-label="Monthly spend, oldest first" class="chart"></svg>` {
		t.Fatalf("no months: %s", empty)
	}
}

// drawnLikeTheTemplate fails unless sparkline draws months as the template
// did, each column's height the decimal quotient's InexactFloat64.
func drawnLikeTheTemplate(t *testing.T, months []spend.MonthAmount) {
	t.Helper()
	got, err := sparkline(months)
	if err != nil {
		t.Fatal(err)
	}
	type bar struct {
		X, Y, H float64
		Title   string
	}
	top := decimal.Zero
	for _, m := range months {
		top = decimal.Max(top, m.Amount)
	}
	var bars []bar
	for i, m := range months {
		h := 0.0
		if top.IsPositive() && m.Amount.IsPositive() {
			h = max(m.Amount.Div(top).InexactFloat64()*20, 1)
		}
		bars = append(bars, bar{X: float64(i) * 8, Y: 20 - h, H: h, Title: m.Period + ": " + m.Amount.StringFixed(2)})
	}
	var want bytes.Buffer
	if err := drawnByTemplate.Execute(&want, bars); err != nil {
		t.Fatal(err)
	}
	if string(got) != want.String() {
		t.Fatalf("drawn\n%s\nwant\n%s", got, want.String())
	}
}
