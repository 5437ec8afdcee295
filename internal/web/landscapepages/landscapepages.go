// Package landscapepages is the web interface's view of the process
// register as a whole: the processes' risk flags, redundancy (candidates
// for reuse) and the heatmap drawn as a treemap of the process tree.
package landscapepages

import (
	"embed"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/engagehq/engage/internal/landscape"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the risk list, the redundancy and the heatmap.
type Pages struct {
	*page.Kit
	Landscape *landscape.Service

	drawn drawings
}

// Routes are the area's pages; everyone signed in reads them.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /portfolio/risks", Handle: s.risks},
		{Pattern: "GET /portfolio/redundancy", Handle: s.redundancy},
		{Pattern: "GET /portfolio/heatmap", Handle: s.heatmap},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "landscape",
	FS:   templateFS,
	Funcs: template.FuncMap{
		"flagTitle": func(kind string) string { return landscape.FlagTitles[kind] },
	},
	Views: map[string]page.View{
		"landscape_risks.html":      &risksView{},
		"landscape_redundancy.html": &redundancyView{},
		"landscape_heatmap.html":    &heatmapView{},
	},
}

// kindCount is how many processes carry a kind of flag.
type kindCount struct {
	Kind  string
	Count int
}

type risksView struct {
	page.Base
	Risks  []landscape.ProcessRisks
	Counts []kindCount
}

type redundancyView struct {
	page.Base
	Redundancies []landscape.Redundancy
}

// viewChoice is one of the heatmap's views, as a link.
type viewChoice struct {
	Key, Label string
	Current    bool
}

// legendItem is one level of the heatmap's legend.
type legendItem struct {
	Fill, Text string
}

type heatmapView struct {
	page.Base
	Map       landscape.Heatmap
	ViewLabel string
	Views     []viewChoice
	Legend    []legendItem
	// Drawing is the treemap and the same figures as a table, escaped.
	Drawing template.HTML
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func (s *Pages) risks(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Landscape.Risks(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	v := &risksView{Base: page.Base{Title: "Portfolio: risks", Nav: "portfolio"}, Risks: list}
	for _, kind := range landscape.FlagKinds {
		n := 0
		for _, pr := range list {
			if slices.ContainsFunc(pr.Flags, func(f landscape.RiskFlag) bool { return f.Kind == kind }) {
				n++
			}
		}
		v.Counts = append(v.Counts, kindCount{Kind: kind, Count: n})
	}
	s.Render(w, r, "landscape_risks.html", v)
	return nil
}

func (s *Pages) redundancy(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Landscape.Redundancies(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	s.Render(w, r, "landscape_redundancy.html", &redundancyView{Base: page.Base{Title: "Portfolio: redundancy", Nav: "portfolio"}, Redundancies: list})
	return nil
}

func (s *Pages) heatmap(w http.ResponseWriter, r *http.Request) error {
	view := r.URL.Query().Get("view")
	if !slices.Contains(landscape.Views, view) {
		view = landscape.ViewEnablement
	}
	h, err := s.Landscape.Heatmap(r.Context(), page.Principal(r), view)
	if err != nil {
		return err
	}
	v := &heatmapView{Base: page.Base{Title: "Portfolio: heatmap", Nav: "portfolio"}, Map: h, ViewLabel: landscape.ViewLabels[h.View]}
	for _, key := range landscape.Views {
		v.Views = append(v.Views, viewChoice{Key: key, Label: landscape.ViewLabels[key], Current: key == h.View})
	}
	if h.Available && len(h.Cells) > 0 {
		v.Drawing = s.drawn.draw(h)
		for i, text := range h.Legend {
			if text != "" {
				v.Legend = append(v.Legend, legendItem{Fill: palettes[h.View][i], Text: text})
			}
		}
	}
	s.Render(w, r, "landscape_heatmap.html", v)
	return nil
}
