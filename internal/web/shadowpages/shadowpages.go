// Package shadowpages is the web interface's shadow-IT area: software
// spend IT is not involved with, by vendor and department, with the
// catalog services that do the same job. Who sees what is decided by
// package spend.
package shadowpages

import (
	"embed"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/org"
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
		{Pattern: "GET /shadow/cases", Handle: s.cases},
		{Pattern: "GET /shadow/cases/{id}", Handle: s.showCase},
		{Pattern: "POST /shadow/cases/{id}/{action}", Handle: s.act},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area: "shadow",
	FS:   templateFS,
	Funcs: template.FuncMap{"sparkline": sparkline, "caseState": func(s string) string { return spend.CaseStateLabels[s] },
		"percent": func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }, "one": func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }},
	Views: map[string]page.View{
		"shadow_spend.html": &shadowView{},
		"shadow_cases.html": &casesView{},
		"shadow_case.html":  &caseView{},
	},
}

// casesView is the BRM's queue.
type casesView struct {
	page.Base
	Cases []spend.ShadowCase
	All   bool
}

// caseView is one case with its evidence and the action forms.
type caseView struct {
	page.Base
	Detail spend.CaseDetail
}

// Can reports whether the case page offers action.
func (v *caseView) Can(action string) bool { return slices.Contains(v.Detail.Actions, action) }

// Replacements are the catalog offerings the case's spend can move to,
// each once: the replace form offers them, and is left out without one.
func (v *caseView) Replacements() []spend.ShadowAlternative {
	var out []spend.ShadowAlternative
	for _, ev := range v.Detail.Evidence {
		for _, a := range ev.Alternatives {
			if a.OfferingID != 0 && !slices.ContainsFunc(out, func(b spend.ShadowAlternative) bool { return b.OfferingID == a.OfferingID }) {
				out = append(out, a)
			}
		}
	}
	return out
}

func (s *Pages) cases(w http.ResponseWriter, r *http.Request) error {
	all := r.URL.Query().Get("all") == "1"
	list, err := s.Spend.Cases(r.Context(), page.Principal(r), spend.CaseFilter{DepartmentID: page.QueryInt(r, "department"), All: all})
	if err != nil {
		return err
	}
	s.Render(w, r, "shadow_cases.html", &casesView{Base: page.Base{Title: "Shadow cases", Nav: "costs"}, Cases: list, All: all})
	return nil
}

func (s *Pages) showCase(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderCase(w, r, id, page.Base{})
}

func (s *Pages) renderCase(w http.ResponseWriter, r *http.Request, id int64, base page.Base) error {
	d, err := s.Spend.Case(r.Context(), page.Principal(r), id)
	if err != nil {
		return err
	}
	if len(base.Errors) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	base.Title, base.Nav = "Shadow case: "+d.Case.Vendor+" in "+d.Case.DepartmentName, "costs"
	s.Render(w, r, "shadow_case.html", &caseView{Base: base, Detail: d})
	return nil
}

func (s *Pages) act(w http.ResponseWriter, r *http.Request) error {
	id, err := page.PathID(r, "id")
	if err != nil {
		return err
	}
	in := spend.CaseActionInput{OfferingID: formInt(r, "offering_id"), Verdict: r.PostFormValue("security_verdict"),
		ReviewBy: r.PostFormValue("review_by"), Reason: r.PostFormValue("reason")}
	c, err := s.Spend.ActOnCase(r.Context(), page.Principal(r), id, r.PathValue("action"), in)
	if engage.ErrorCode(err) == engage.EINVALID {
		var base page.Base
		base.Rejected(engage.ErrorFields(err), r)
		return s.renderCase(w, r, id, base)
	} else if err != nil {
		return err
	}
	s.Flash(w, "Case "+strconv.FormatInt(c.ID, 10)+": "+spend.CaseStateLabels[c.State]+".")
	http.Redirect(w, r, "/shadow/cases/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
	return nil
}

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return n
}

// shadowView is the shadow-spend page.
type shadowView struct {
	page.Base
	Report       spend.ShadowReport
	Measures     spend.ShadowMeasures
	DepartmentID int64
	// Departments are those the reader may read, for the filter.
	Departments []org.Department
}

func (s *Pages) shadow(w http.ResponseWriter, r *http.Request) error {
	dept := page.QueryInt(r, "department")
	rep, err := s.Spend.Shadow(r.Context(), page.Principal(r), spend.ShadowFilter{DepartmentID: dept, Vendor: r.URL.Query().Get("vendor")})
	if err != nil {
		return err
	}
	m, err := s.Spend.Measures(r.Context(), page.Principal(r), dept)
	if err != nil {
		return err
	}
	depts, err := s.Spend.ShadowDepartments(r.Context(), page.Principal(r))
	if err != nil {
		return err
	}
	s.Render(w, r, "shadow_spend.html", &shadowView{Base: page.Base{Title: "Shadow spend", Nav: "costs"}, Report: rep, Measures: m, DepartmentID: dept, Departments: depts})
	return nil
}

// sparkline draws a month-by-month trend as small columns; the figures are
// in its title and in the tables. It is written directly, not through a
// template: the shadow-spend page draws one per vendor × department.
func sparkline(months []spend.MonthAmount) (template.HTML, error) {
	top := decimal.Zero
	for _, m := range months {
		if m.Amount.GreaterThan(top) {
			top = m.Amount
		}
	}
	const height, width = 20.0, 8.0
	num := func(b []byte, x float64) []byte { return strconv.AppendFloat(b, x, 'g', -1, 64) }
	b := make([]byte, 0, 160+len(months)*110)
	b = append(b, `<svg width="96" height="20" viewBox="0 0 96 20" role="img" aria-label="Monthly spend, oldest first" class="chart">`...)
	for i, m := range months {
		h := 0.0
		if top.IsPositive() && m.Amount.IsPositive() {
			// The quotient's float through its text: the same correctly
			// rounded value as InexactFloat64, which goes through big.Rat
			// and was a tenth of the page's time.
			q, _ := strconv.ParseFloat(m.Amount.Div(top).String(), 64)
			h = max(q*height, 1)
		}
		b = append(b, `<rect x="`...)
		b = append(num(b, float64(i)*width), `" y="`...)
		b = append(num(b, height-h), `" width="6" height="`...)
		b = append(num(b, h), `" class="bar"><title>`...)
		b = append(b, template.HTMLEscapeString(m.Period+": "+m.Amount.StringFixed(2))...)
		b = append(b, `</title></rect>`...)
	}
	b = append(b, `</svg>`...)
	return template.HTML(b), nil
}
