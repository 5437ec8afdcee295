package portfoliopages

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/processcost"
	"github.com/engagehq/engage/internal/web/page"
)

// costRoutes are what processes and journeys cost: a journey's page, the
// drill-down behind a figure and the month's costs as CSV.
func (s *Pages) costRoutes() []page.Route {
	return []page.Route{
		{Pattern: "GET /portfolio/journeys/{id}", Handle: s.journeyPage},
		{Pattern: "GET /portfolio/costs/{subject}/{id}", Handle: s.drillPage},
		{Pattern: "GET /portfolio/costs.csv", Handle: s.costsCSV},
	}
}

// costSection is the "What it costs" part of a process's or a journey's page.
type costSection struct {
	processcost.CostFigures
	Charts []template.HTML
	Drill  string // the drill-down's address
	// RecomputingLabels name the months being recomputed ("March 2026").
	RecomputingLabels []string
}

// costOf returns the cost section for subject's page, or nil when p may
// see no cost.
func (s *Pages) costOf(ctx context.Context, p *access.Principal, subject string, id int64, period string) (*costSection, error) {
	if s.ProcessCosts == nil || !processcost.MayRead(p) {
		return nil, nil
	}
	var f processcost.CostFigures
	var err error
	if subject == "journey" {
		f, err = s.ProcessCosts.JourneyCost(ctx, p, id, period)
	} else {
		f, err = s.ProcessCosts.ProcessCost(ctx, p, id, period)
	}
	if err != nil {
		return nil, err
	}
	return section(subject, id, f)
}

// processCost returns the cost section of process e's page, or nil when p
// may see no cost; the processes below it are taken from the register as
// kept at generation gen.
func (s *Pages) processCost(ctx context.Context, p *access.Principal, e process.Entry, gen int64, period string) (*costSection, error) {
	if s.ProcessCosts == nil || !processcost.MayRead(p) {
		return nil, nil
	}
	reg, err := s.register(ctx, p, gen)
	if err != nil {
		return nil, err
	}
	f, err := s.ProcessCosts.ProcessCostIn(ctx, p, e, reg.tree, period)
	if err != nil {
		return nil, err
	}
	return section("process", e.ID, f)
}

// section is the cost section of f, the figures of subject id.
func section(subject string, id int64, f processcost.CostFigures) (*costSection, error) {
	c := &costSection{CostFigures: f, Drill: fmt.Sprintf("/portfolio/costs/%s/%d?period=%s", subject, id, f.Period)}
	for _, m := range f.Trend {
		if slices.Contains(f.Recomputing, m.Period) {
			c.RecomputingLabels = append(c.RecomputingLabels, m.Label)
		}
	}
	for _, cur := range f.Currencies {
		svg, err := costTrendSVG(f.Trend, cur, f.Period)
		if err != nil {
			return nil, err
		}
		c.Charts = append(c.Charts, svg)
	}
	return c, nil
}

// withCosts writes each node's rolled-up charged figure.
func withCosts(nodes []node, m processcost.CostMap) {
	for i := range nodes {
		nodes[i].Cost = moneyList(m.Of(nodes[i].ID).Charged)
		withCosts(nodes[i].Children, m)
	}
}

// moneyList writes amounts in several currencies: "€622.91 · ¥1,000".
func moneyList(ms []processcost.CostAmount) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, catalog.FormatMoney(m.Amount, m.Currency))
	}
	return strings.Join(parts, " · ")
}

// mapCosts returns the month's costs for the map, or nil when p may see none.
func (s *Pages) mapCosts(ctx context.Context, p *access.Principal, period string) (*processcost.CostMap, error) {
	if s.ProcessCosts == nil || !processcost.MayRead(p) {
		return nil, nil
	}
	m, err := s.ProcessCosts.Map(ctx, p, period)
	return &m, err
}

type journeyView struct {
	page.Base
	Journey process.Journey
	Cost    *costSection
}

func (s *Pages) journeyPage(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), page.Principal(r)
	j, err := s.Processes.GetJourney(ctx, p, id)
	if err != nil {
		return err
	}
	v := &journeyView{Journey: j}
	if v.Cost, err = s.costOf(ctx, p, "journey", id, r.URL.Query().Get("period")); err != nil {
		return err
	}
	v.Title, v.Nav = j.Name, "portfolio"
	s.Render(w, r, "portfolio_journey.html", v)
	return nil
}

type drillView struct {
	page.Base
	Drill processcost.CostDrill
	Back  string
}

func (s *Pages) drillPage(w http.ResponseWriter, r *http.Request) error {
	subject := r.PathValue("subject")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 0 || (subject != "process" && subject != "journey" && subject != "unclaimed") {
		return engage.Errorf(engage.ENOTFOUND, "There is no such page.")
	}
	d, err := s.ProcessCosts.DrillDown(r.Context(), page.Principal(r), subject, id, r.URL.Query().Get("period"))
	if err != nil {
		return err
	}
	v := &drillView{Drill: d, Back: "/portfolio?period=" + d.Month.Period}
	switch subject {
	case "process":
		v.Back = fmt.Sprintf("/portfolio/processes/%d?period=%s#cost", id, d.Month.Period)
	case "journey":
		v.Back = fmt.Sprintf("/portfolio/journeys/%d?period=%s#cost", id, d.Month.Period)
	}
	v.Title, v.Nav = "What "+d.Name+" cost in "+d.Month.Label, "portfolio"
	s.Render(w, r, "portfolio_cost_drill.html", v)
	return nil
}

func (s *Pages) costsCSV(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	period := r.URL.Query().Get("period")
	if err := s.ProcessCosts.WriteCSV(r.Context(), page.Principal(r), period, &buf); err != nil {
		return err
	}
	name := "process-costs.csv"
	if period != "" {
		name = "process-costs-" + period + ".csv"
	}
	page.Attachment(w, "text/csv; charset=utf-8", name)
	_, err := w.Write(buf.Bytes())
	return err
}

// trendColumn is one month's column of a cost trend.
type trendColumn struct {
	X, Y, W, H, TextX float64
	Month, Value      string
	Current           bool
}

type trendTick struct {
	Y     float64
	Label string
}

// costTrendSVG draws the charged figure month by month in one currency as
// columns under a scale of round steps (1, 2 or 5 times a power of ten);
// the table beside it has the exact figures.
func costTrendSVG(months []processcost.CostMonth, currency, current string) (template.HTML, error) {
	const left, width, top, bottom = 64.0, 576.0, 24.0, 200.0
	peak := 0.0
	for _, m := range months {
		peak = math.Max(peak, m.Total(currency).InexactFloat64())
	}
	step := 1.0
	if peak > 0 {
		pow := math.Pow(10, math.Floor(math.Log10(peak/4)))
		for _, k := range []float64{1, 2, 5, 10} {
			if step = k * pow; step >= peak/4 {
				break
			}
		}
	}
	scale := math.Max(step, math.Ceil(peak/step)*step)
	var ticks []trendTick
	for v := 0.0; v <= scale+step/2; v += step {
		ticks = append(ticks, trendTick{Y: bottom - (bottom-top)*v/scale, Label: catalog.FormatMoney(decimal.NewFromFloat(v), currency)})
	}
	slot := width / float64(max(len(months), 1))
	var cols []trendColumn
	for i, m := range months {
		amount := m.Total(currency)
		h := math.Max(0, (bottom-top)*amount.InexactFloat64()/scale)
		t, _ := time.Parse("2006-01", m.Period)
		x := left + float64(i)*slot
		cols = append(cols, trendColumn{X: x + slot*0.15, W: slot * 0.7, Y: bottom - h, H: h, TextX: x + slot/2, Month: t.Format("Jan"),
			Value: m.Label + ": " + catalog.FormatMoney(amount, currency), Current: m.Period == current})
	}
	var b bytes.Buffer
	err := costTrendTemplate.Execute(&b, struct {
		Currency string
		Ticks    []trendTick
		Columns  []trendColumn
	}{currency, ticks, cols})
	return template.HTML(b.String()), err
}

var costTrendTemplate = template.Must(template.New("cost-trend").Parse(`<svg role="img" aria-labelledby="cost-trend-{{.Currency}}" width="100%" viewBox="0 0 640 240" class="chart chart-columns">
  <title id="cost-trend-{{.Currency}}">Charged per month in {{.Currency}}; the table has the figures.</title>
  {{range .Ticks}}<line x1="64" y1="{{.Y}}" x2="640" y2="{{.Y}}" class="grid"></line><text x="58" y="{{.Y}}" dy="4" text-anchor="end" class="chart-tick">{{.Label}}</text>
  {{end}}{{range .Columns}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" class="bar{{if .Current}} current{{end}}"><title>{{.Value}}</title></rect>
  <text x="{{.TextX}}" y="218" text-anchor="middle" class="chart-label">{{.Month}}</text>
  {{end}}<text x="352" y="236" text-anchor="middle" class="chart-axis-title">Month</text>
</svg>`))
