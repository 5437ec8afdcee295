// Package engagementpages is the web interface's engagement area: the
// figures of every community and of one, coverage and dark populations,
// each department's score with its parts and trend, the BRM dashboard, and
// a person's weekly digest. Who sees what is decided by package engagement.
package engagementpages

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/engagehq/engage/internal/engagement"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the engagement area.
type Pages struct {
	*page.Kit
	Engagement *engagement.Service
}

// Routes are the area's pages and CSV files.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /engagement", Handle: s.overview},
		{Pattern: "GET /engagement/communities.csv", Handle: s.overviewCSV},
		{Pattern: "GET /engagement/communities/{slug}", Handle: s.community},
		{Pattern: "GET /engagement/communities/{slug}/topics.csv", Handle: s.topicsCSV},
		{Pattern: "GET /engagement/coverage", Handle: s.coverage},
		{Pattern: "GET /engagement/coverage.csv", Handle: s.coverageCSV},
		{Pattern: "GET /engagement/brm", Handle: s.dashboard},
		{Pattern: "GET /engagement/departments/{id}", Handle: s.department},
		{Pattern: "GET /engagement/digest", Handle: s.digest},
		{Pattern: "GET /engagement/digest/{week}", Handle: s.digest},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "engagement",
	FS:   templateFS,
	Funcs: template.FuncMap{
		"pct":      func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" },
		"one":      func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"signed":   func(f float64) string { return fmt.Sprintf("%+.1f", f) },
		"waited":   Waited,
		"trendSVG": trendSVG,
		// The pages link to each other only for readers who may open them.
		"mayMeasure":  engagement.MayMeasure,
		"mayCoverage": engagement.MayReadCoverage,
		"mayScores":   engagement.MayReadScores,
	},
	Views: map[string]page.View{
		"engagement_overview.html":   &overviewView{},
		"engagement_community.html":  &communityView{},
		"engagement_coverage.html":   &coverageView{},
		"engagement_brm.html":        &dashboardView{},
		"engagement_department.html": &departmentView{},
		"engagement_digest.html":     &digestView{},
	},
}

// Waited writes a time to answer in hours and days: "6 h", "2 d 3 h".
func Waited(d time.Duration) string {
	h := int(d.Round(time.Hour) / time.Hour)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	case h < 24:
		return fmt.Sprintf("%d h", h)
	case h%24 == 0:
		return fmt.Sprintf("%d d", h/24)
	}
	return fmt.Sprintf("%d d %d h", h/24, h%24)
}

type overviewView struct {
	page.Base
	Communities []engagement.CommunityMetrics
}

type communityView struct {
	page.Base
	C engagement.CommunityDetail
}

type coverageView struct {
	page.Base
	Coverage engagement.Coverage
}

type dashboardView struct {
	page.Base
	Scores []engagement.DepartmentScore
}

type departmentView struct {
	page.Base
	Score engagement.DepartmentScore
}

type digestView struct {
	page.Base
	Digest engagement.Digest
}

func (s *Pages) overview(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Engagement.CommunityFigures(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	s.Render(w, r, "engagement_overview.html", &overviewView{Base: page.Base{Title: "Engagement", Nav: "communities"}, Communities: list})
	return nil
}

func (s *Pages) community(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Engagement.Community(r.Context(), page.Principal(r), r.PathValue("slug"))
	if err != nil {
		return err
	}
	s.Render(w, r, "engagement_community.html", &communityView{Base: page.Base{Title: "Engagement in " + c.Name, Nav: "communities"}, C: c})
	return nil
}

func (s *Pages) coverage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Engagement.Coverage(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	s.Render(w, r, "engagement_coverage.html", &coverageView{Base: page.Base{Title: "Coverage and dark populations", Nav: "communities"}, Coverage: c})
	return nil
}

func (s *Pages) dashboard(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Engagement.Scores(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	s.Render(w, r, "engagement_brm.html", &dashboardView{Base: page.Base{Title: "Departments' engagement", Nav: "communities"}, Scores: list})
	return nil
}

func (s *Pages) department(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.Engagement.Score(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	s.Render(w, r, "engagement_department.html", &departmentView{Base: page.Base{Title: "Engagement of " + sc.Name, Nav: "communities"}, Score: sc})
	return nil
}

func (s *Pages) digest(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Engagement.Digest(r.Context(), page.Principal(r), r.PathValue("week"))
	if err != nil {
		return err
	}
	s.Render(w, r, "engagement_digest.html", &digestView{Base: page.Base{Title: "Your week in Engage, " + d.Week, Nav: "inbox"}, Digest: d})
	return nil
}
