package engagementpages

import (
	"bytes"
	"html/template"
	"strconv"

	"github.com/engagehq/engage/internal/engagement"
)

// trendColumn is one month's column of a department's score trend.
type trendColumn struct {
	X, Y, H, TextX float64
	Month, Value   string
	None           bool
}

// trendSVG draws a department's 12-month score trend as columns on a 0–100
// scale; the table under it has the figures.
func trendSVG(points []engagement.TrendPoint) (template.HTML, error) {
	const left, width, bottom, height = 48.0, 592.0, 200.0, 176.0
	var cols []trendColumn
	step := width / float64(max(len(points), 1))
	for i, p := range points {
		c := trendColumn{X: left + float64(i)*step + step*0.15, TextX: left + float64(i)*step + step/2, Month: p.Month[5:], None: !p.HasScore}
		if p.HasScore {
			c.H = height * p.Score / 100
			c.Value = p.Month + ": " + strconv.FormatFloat(p.Score, 'f', 1, 64)
		} else {
			c.Value = p.Month + ": no score"
		}
		c.Y = bottom - c.H
		cols = append(cols, c)
	}
	var b bytes.Buffer
	err := trendTemplate.Execute(&b, struct {
		Columns []trendColumn
		W       float64
	}{cols, step * 0.7})
	return template.HTML(b.String()), err
}

var trendTemplate = template.Must(template.New("trend").Parse(`<svg role="img" aria-labelledby="trend-title" width="100%" viewBox="0 0 640 240" class="chart chart-columns">
  <title id="trend-title">Engagement score by month, 0 to 100; the table below has the figures.</title>
  <line x1="48" y1="24" x2="640" y2="24" class="grid"></line><text x="42" y="28" text-anchor="end" class="chart-tick">100</text>
  <line x1="48" y1="112" x2="640" y2="112" class="grid"></line><text x="42" y="116" text-anchor="end" class="chart-tick">50</text>
  <line x1="48" y1="200" x2="640" y2="200" class="axis"></line><text x="42" y="204" text-anchor="end" class="chart-tick">0</text>
  {{range .Columns}}{{if not .None}}<rect x="{{.X}}" y="{{.Y}}" width="{{$.W}}" height="{{.H}}" class="bar"><title>{{.Value}}</title></rect>{{end}}
  <text x="{{.TextX}}" y="218" text-anchor="middle" class="chart-label">{{.Month}}</text>{{end}}
  <text x="344" y="236" text-anchor="middle" class="chart-axis-title">Month (UTC)</text>
</svg>`))
