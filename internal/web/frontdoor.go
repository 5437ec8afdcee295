package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web/page"
)

// frontdoorRoutes are the front door's pages: asking for something new,
// the need page with the forms of its workflow, lists and work queues, the
// dashboard and the delivery gate. GET /frontdoor is in Routes.
func (s *Server) frontdoorRoutes() []Route {
	return []Route{
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

// Plain words for what the front door stores as codes.
var (
	optionKindLabels = map[string]string{"reuse": "Reuse", "buy": "Buy", "build": "Build", "broker": "Broker", "rejected": "Rejected"}
	reviewKindLabels = map[string]string{"architecture": "Architecture", "security": "Security", "finance": "Finance"}
	// dataClassHints explain the four classifications to people outside IT.
	dataClassHints = []struct{ Value, Label, Hint string }{
		{"public", "Public", "Anyone may see it: published papers, the web site, marketing material."},
		{"internal", "Internal", "For people in the company only: plans, internal reports, most everyday work."},
		{"confidential", "Confidential", "For named groups only: personal data of staff or customers, contracts, unpublished results."},
		{"restricted", "Restricted", "The most sensitive: health or genetic data, trade secrets, data that regulators protect. Few services may hold it."},
	}
	eventLabels = map[string]string{"create": "Wrote the need", "add_option": "Proposed an option", "review_architecture": "Architecture review",
		"review_security": "Security review", "review_finance": "Finance review", "consent_approved": "Approvals given",
		"consent_declined": "Approval refused", "consent_cancelled": "Approval cancelled", "submit": "Submitted", "start_triage": "Started triage",
		"request_info": "Asked for more information", "accept": "Accepted for assessment", "merge": "Merged with a duplicate",
		"use_catalog": "Sent to a catalog offering", "reject_triage": "Rejected", "to_decision": "Sent to the board", "decide": "Decided",
		"reassess": "Sent back for assessment", "reject": "Rejected", "start_delivery": "Started delivery", "deliver": "Marked delivered",
		"accept_delivery": "Accepted and closed", "reopen": "Sent back to delivery", "withdraw": "Withdrew it"}
	// reasonLabels ask for the reason each refusing or reversing action needs.
	reasonLabels = map[string]string{"request_info": "What do you need to know?", "merge": "Why is it a duplicate?",
		"use_catalog": "How does the offering meet the need?", "reject_triage": "Why is it rejected?", "reject": "Why is it rejected?",
		"reassess": "What needs another look?", "reopen": "What is not done yet?", "withdraw": "Why are you withdrawing it?"}
)

func init() {
	funcs["needState"] = func(state frontdoor.State) string {
		if l, ok := frontdoor.StateLabels[state]; ok {
			return l
		}
		return string(state)
	}
	funcs["needStateClass"] = needStateClass
	funcs["needKind"] = func(kind string) string {
		if l, ok := optionKindLabels[kind]; ok {
			return l
		}
		return kind
	}
	funcs["needDecision"] = decisionText
	funcs["needReviewKind"] = func(kind string) string { return reviewKindLabels[kind] }
	funcs["needVerdict"] = func(v string) string { return frontdoor.VerdictLabel[v] }
	funcs["needVerdictClass"] = func(v string) string {
		switch v {
		case "approve":
			return "label ok"
		case "reject":
			return "label warn"
		}
		return "label"
	}
	funcs["needEvent"] = func(action string) string {
		if l, ok := eventLabels[action]; ok {
			return l
		}
		return actionLabel(action)
	}
	funcs["needAction"] = actionLabel
	// A review's event reads "Approve: notes"; without notes, just "Approve".
	funcs["needReason"] = func(r string) string { return strings.TrimRight(r, ": ") }
	funcs["needReasonLabel"] = func(action string) string {
		if l, ok := reasonLabels[action]; ok {
			return l
		}
		return "Why?"
	}
	// needOpen reports whether a form of the page came back with what was
	// typed or with errors, so that its folded section shows open.
	funcs["needOpen"] = func(v page.View, prefix string) bool {
		p := v.PageBase()
		for k := range p.Form {
			if strings.HasPrefix(k, prefix) {
				return true
			}
		}
		return slices.ContainsFunc(p.Errors, func(e engage.FieldError) bool { return strings.HasPrefix(e.Field, prefix) })
	}
	funcs["needDataClass"] = func(c string) string { return catalog.Label(catalog.DataClasses, c) }
	funcs["needDate"] = func(d *catalog.Date) string {
		if d == nil {
			return ""
		}
		return d.Format("2 Jan 2006")
	}
	funcs["needHours"] = formatHours
	// needField is field with an input name of its own, for pages that
	// hold several forms with the same field names (reason, notes…): the
	// id, which the error summary links to, is unique; the name is not.
	funcs["needField"] = func(v page.View, id, name, label, hint string, rest ...string) map[string]any {
		m := page.Field(v, id, label, hint, rest...)
		m["InputName"] = name
		return m
	}
}

func needStateClass(state frontdoor.State) string {
	switch state {
	case frontdoor.Approved, frontdoor.InDelivery, frontdoor.Delivered, frontdoor.Closed:
		return "label ok"
	case frontdoor.Rejected, frontdoor.Withdrawn:
		return "label warn"
	}
	return "label"
}

// actionLabel is the label of a workflow action in the Transitions table.
func actionLabel(action string) string {
	for _, t := range frontdoor.Transitions {
		if string(t.Action) == action {
			return t.Label
		}
	}
	return strings.ReplaceAll(action, "_", " ")
}

// formatHours says a duration in hours the way people count it: hours
// under a day, days with one decimal above.
func formatHours(h float64) string {
	switch {
	case h < 1:
		return "under an hour"
	case h < 24:
		n := int(math.Round(h))
		if n == 1 {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", n)
	}
	d := math.Round(h/24*10) / 10
	if d == 1 {
		return "1 day"
	}
	return strconv.FormatFloat(d, 'f', -1, 64) + " days"
}

// age says how long ago t was, in whole days.
func age(now, t time.Time) string {
	days := int(now.Sub(t).Hours() / 24)
	switch {
	case days < 1:
		return "Less than a day"
	case days == 1:
		return "1 day"
	}
	return fmt.Sprintf("%d days", days)
}

// needRow is a need in a list, with how long it has been in its stage.
type needRow struct {
	frontdoor.Need
	Age string
}

func (s *Server) needRows(needs []frontdoor.Need) []needRow {
	now := s.Clock.Now()
	rows := make([]needRow, len(needs))
	for i, n := range needs {
		rows[i] = needRow{Need: n, Age: age(now, n.StateSince)}
	}
	return rows
}

// worksOnNeeds reports whether a person has a work queue in the front door.
func worksOnNeeds(p *access.Principal) bool {
	return p.HasAny(access.BRM, access.PortfolioBoard, access.ReviewerArchitecture, access.ReviewerSecurity, access.ReviewerFinance, access.Admin)
}

// frontdoorHome is the front door: ask first, then my needs and my queue.
func (s *Server) frontdoorHome(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	mine, next, err := s.FrontDoor.List(ctx, p, frontdoor.ListFilter{Mine: true, Limit: 20})
	if err != nil {
		return err
	}
	levels := map[string]int{} // keyed by plain strings, for the template's index
	for st, days := range frontdoor.ServiceLevels {
		levels[string(st)] = days
	}
	data := map[string]any{"Mine": s.needRows(mine), "MoreMine": next != "", "Works": worksOnNeeds(p), "Levels": levels}
	if worksOnNeeds(p) {
		queue, _, err := s.FrontDoor.List(ctx, p, frontdoor.ListFilter{Queue: true})
		if err != nil {
			return err
		}
		overdue := 0
		for _, n := range queue {
			if n.Overdue {
				overdue++
			}
		}
		data["Waiting"], data["Overdue"] = len(queue), overdue
	}
	s.render(w, r, "need_home.html", "Front door", "frontdoor", data)
	return nil
}

// suggestionsView is what the "what already exists" panel shows.
type suggestionsView struct {
	Checked bool // whether there was text to look for
	S       frontdoor.Suggestions
}

// suggest looks for what already exists for a need's words.
func (s *Server) suggest(r *http.Request, title, problem, exclude string) (suggestionsView, error) {
	text := strings.TrimSpace(title + " " + problem)
	if text == "" {
		return suggestionsView{}, nil
	}
	sg, err := s.FrontDoor.Suggest(r.Context(), principal(r), text, exclude, 5)
	if err != nil {
		return suggestionsView{}, err
	}
	return suggestionsView{Checked: true, S: sg}, nil
}

// suggestScriptData is what suggest.js needs to draw suggestions the way
// the server does: unit and state labels, and the departments whose needs
// the person may open.
func suggestScriptData(p *access.Principal) map[string]string {
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
	return map[string]string{"Units": string(u), "States": string(st), "Kinds": string(k), "Readable": readable}
}

// departmentsOf lists every department, for choices and names.
func (s *Server) departmentsOf(r *http.Request) ([]org.Department, error) {
	p := principal(r)
	return allPages(func(c string) ([]org.Department, string, error) {
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

// prefixForm keeps what was typed in a form whose field ids carry a prefix.
func prefixForm(r *http.Request, prefix string) map[string]string {
	form := map[string]string{}
	for k, v := range formOf(r) {
		form[prefix+k] = v
	}
	return form
}

// statusOfFormError is the status of a page shown again with errors.
func statusOfFormError(err error) int {
	if engage.ErrorCode(err) == engage.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// decisionText names a decision by its option, with the kind when the
// option's title does not already say it ("Reuse Team chat…").
func decisionText(kind, title string) string {
	label := optionKindLabels[kind]
	if label == "" || strings.HasPrefix(strings.ToLower(title), strings.ToLower(label)) {
		return title
	}
	return label + ": " + title
}
