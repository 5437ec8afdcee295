// Package frontdoorpages is the web interface's front door: asking IT for
// something new, the need page with the forms of its workflow (triage,
// reviews, options, the board's decision, delivery), lists and work
// queues, the dashboard and the delivery gate.
package frontdoorpages

import (
	"context"
	"embed"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/web/page"
)

// Pages serves the front door.
type Pages struct {
	*page.Kit
	FrontDoor *frontdoor.Service
	Org       *org.Service
	// Catalog offers the offerings a need may reuse.
	Catalog *catalog.Catalog
	// Approval tells whether the reader may open a decision's approval.
	Approval *approval.Service
	Clock    engage.Clock
	// OthersAsked finds the community topics that resemble a need's
	// words ("others asked this"); nil shows none.
	OthersAsked func(ctx context.Context, p *access.Principal, text string) ([]AskedTopic, error)
	// Processes offers the process register on the need form; nil offers
	// none.
	Processes *process.Service
}

// AskedTopic is a community topic that resembles a new need.
type AskedTopic struct {
	Title, Path, Community, Kind string
	Replies                      int
	Answered, Solved             bool
}

// Routes are the front door's pages: asking for something new, the need
// page with the forms of its workflow, lists and work queues, the
// dashboard and the delivery gate.
func (s *Pages) Routes() []page.Route {
	return []page.Route{
		{Pattern: "GET /frontdoor", Handle: s.frontdoorHome},
		{Pattern: "GET /needs", Handle: s.needList},
		{Pattern: "GET /needs/new", Handle: s.newNeed},
		{Pattern: "POST /needs", Handle: s.saveNeed},
		{Pattern: "GET /needs/queue", Handle: s.needQueue},
		{Pattern: "GET /needs/dashboard", Handle: s.needDashboard},
		{Pattern: "GET /needs/{reference}", Handle: s.needPage},
		{Pattern: "GET /needs/{reference}/edit", Handle: s.editNeed},
		{Pattern: "POST /needs/{reference}", Handle: s.saveNeed},
		{Pattern: "POST /needs/{reference}/act", Handle: s.actOnNeed},
		{Pattern: "POST /needs/{reference}/review", Handle: s.reviewNeed},
		{Pattern: "POST /needs/{reference}/options", Handle: s.addNeedOption},
		{Pattern: "POST /needs/{reference}/order", Handle: s.orderNeed},
		{Pattern: "GET /gate", Handle: s.gatePage},
	}
}

//go:embed templates
var templateFS embed.FS

// Templates are the area's page templates, each with a sample of its view.
var Templates = page.Templates{
	Area:  "front door",
	FS:    templateFS,
	Funcs: funcs,
	Views: map[string]page.View{
		"need_home.html":      &homeView{Mine: []needRow{{}}, Works: true, Levels: serviceLevels()},
		"needs.html":          &needsView{Rows: []needRow{{}}, States: frontdoor.States, Departments: []org.Department{{}}},
		"need_dashboard.html": sampleDashboard(),
		"need_form.html": &needFormView{Classes: dataClassHints, Departments: []org.Department{{ID: 2}}, Suggest: sampleSuggestions,
			Processes: []processChoice{{Matches: "x"}}},
		"need.html":      sampleNeed(),
		"need_gate.html": &gateView{Answer: &frontdoor.GateAnswer{Reference: "NEED-2026-0001", Title: "A need", State: frontdoor.Approved}},
	},
}

// dataClassHint explains a data classification to people outside IT.
type dataClassHint struct{ Value, Label, Hint string }

// needRow is a need in a list, with how long it has been in its stage.
type needRow struct {
	frontdoor.Need
	Age string
}

// countOverdue counts the overdue needs of a list.
func countOverdue(needs []frontdoor.Need) int {
	n := 0
	for _, need := range needs {
		if need.Overdue {
			n++
		}
	}
	return n
}

func (s *Pages) needRows(needs []frontdoor.Need) []needRow {
	now := s.Clock.Now()
	rows := make([]needRow, len(needs))
	for i, n := range needs {
		rows[i] = needRow{Need: n, Age: age(now, n.StateSince)}
	}
	return rows
}

// suggest looks for what already exists for a need's words.
func (s *Pages) suggest(r *http.Request, title, problem, exclude string) (suggestionsView, error) {
	text := strings.TrimSpace(title + " " + problem)
	if text == "" {
		return suggestionsView{}, nil
	}
	sg, err := s.FrontDoor.Suggest(r.Context(), page.Principal(r), text, exclude, 5)
	if err != nil {
		return suggestionsView{}, err
	}
	v := suggestionsView{Checked: true, S: sg}
	if s.OthersAsked != nil {
		if v.Asked, err = s.OthersAsked(r.Context(), page.Principal(r), text); err != nil {
			return suggestionsView{}, err
		}
	}
	return v, nil
}

// suggestScriptData is what suggest.js needs to draw suggestions the way
// the server does: unit and state labels, and the departments whose needs
// the person may open.
func suggestScriptData(p *access.Principal) scriptData {
	units := map[string]string{}
	for k, v := range catalog.UnitLabels {
		units[k] = v.Per
	}
	readable := "all"
	if ids, all := p.ReadableDepartments(); !all {
		var parts []string
		for _, id := range ids {
			parts = append(parts, strconv.FormatInt(id, 10))
		}
		readable = strings.Join(parts, ",")
	}
	u, _ := json.Marshal(units)
	st, _ := json.Marshal(frontdoor.StateLabels)
	k, _ := json.Marshal(optionKindLabels)
	return scriptData{Units: string(u), States: string(st), Kinds: string(k), Readable: readable}
}

// departmentsOf lists every department, for choices and names.
func (s *Pages) departmentsOf(r *http.Request) ([]org.Department, error) {
	p := page.Principal(r)
	return page.AllPages(func(c string) ([]org.Department, string, error) {
		return s.Org.ListDepartments(r.Context(), p, org.ListFilter{Cursor: c, Limit: 500})
	})
}

// prefixFields points a form's errors at fields whose ids carry a prefix.
func prefixFields(err error, prefix string) []engage.FieldError {
	errs := slices.Clone(engage.ErrorFields(err))
	for i := range errs {
		if errs[i].Field != "" {
			errs[i].Field = prefix + errs[i].Field
		}
	}
	if len(errs) == 0 {
		errs = []engage.FieldError{{Message: engage.ErrorMessage(err)}}
	}
	return errs
}

// refused is the base of a page showing a refused form again, whose
// field ids carry a prefix: its errors, and what was typed.
func refused(err error, r *http.Request, prefix string) page.Base {
	form := map[string]string{}
	for k, v := range page.FormOf(r) {
		form[prefix+k] = v
	}
	return page.Base{Errors: prefixFields(err, prefix), Form: form}
}

// statusOfFormError is the status of a page shown again with errors.
func statusOfFormError(err error) int {
	if engage.ErrorCode(err) == engage.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}
