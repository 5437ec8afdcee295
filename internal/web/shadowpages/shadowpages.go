// Package shadowpages is the web interface's shadow-IT area: software
// spend IT is not involved with, by vendor and department, with the
// catalog services that do the same job. Who sees what is decided by
// package spend.
package shadowpages

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/spend"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the shadow-IT area.
type Pages struct {
	*page.Kit
	Spend *spend.Service
}

// Routes are the area's pages.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /shadow", Handle: s.shadow},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area:  "shadow",
	FS:    templateFS,
	Funcs: template.FuncMap{"sparkline": sparkline},
	Views: map[string]page.View{
		"shadow_spend.html": &shadowView{},
	},
}

// shadowView is the shadow-spend page.
type shadowView struct {
	page.Base
	Report       spend.ShadowReport
	DepartmentID int64
}

func (s *Pages) shadow(w http.ResponseWriter, r *http.Request) error {
	dept := page.QueryInt(r, "department")
	rep, err := s.Spend.Shadow(r.Context(), page.Principal(r), spend.ShadowFilter{DepartmentID: dept, Vendor: r.URL.Query().Get("vendor")})
	if err != nil {
		return err
	}
	s.Render(w, r, "shadow_spend.html", &shadowView{Base: page.Base{Title: "Shadow spend", Nav: "costs"}, Report: rep, DepartmentID: dept})
	return nil
}

// sparkline draws a month-by-month trend as small columns; the figures are
// in its title and in the tables.
func sparkline(months []spend.MonthAmount) (template.HTML, error) {
	type bar struct {
		X, Y, H float64
		Title   string
	}
	top := decimal.Zero
	for _, m := range months {
		if m.Amount.GreaterThan(top) {
			top = m.Amount
		}
	}
	const height, width = 20.0, 8.0
	bars := make([]bar, 0, len(months))
	for i, m := range months {
		h := 0.0
		if top.IsPositive() && m.Amount.IsPositive() {
			h = max(m.Amount.Div(top).InexactFloat64()*height, 1)
		}
		bars = append(bars, bar{X: float64(i) * width, Y: height - h, H: h, Title: m.Period + ": " + m.Amount.StringFixed(2)})
	}
	var b bytes.Buffer
	err := sparkTemplate.Execute(&b, bars)
	return template.HTML(b.String()), err
}

var sparkTemplate = template.Must(template.New("spark").Parse(`<svg width="96" height="20" viewBox="0 0 96 20" role="img" aria-label="Monthly spend, oldest first" class="chart">` +
	`{{range .}}<rect x="{{.X}}" y="{{.Y}}" width="6" height="{{.H}}" class="bar"><title>{{.Title}}</title></rect>{{end}}</svg>`))
