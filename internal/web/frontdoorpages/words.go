package frontdoorpages

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/web/page"
)

// Plain words for what the front door stores as codes.
var (
	optionKindLabels = map[string]string{"reuse": "Reuse", "buy": "Buy", "build": "Build", "broker": "Broker", "rejected": "Rejected"}
	reviewKindLabels = map[string]string{"architecture": "Architecture", "security": "Security", "finance": "Finance"}
	// dataClassHints explain the four classifications to people outside IT.
	dataClassHints = []dataClassHint{
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

// funcs are the area's template functions.
var funcs = template.FuncMap{
	"needStateClass": needStateClass,
	"needKind": func(kind string) string {
		if l, ok := optionKindLabels[kind]; ok {
			return l
		}
		return kind
	},
	"needDecision":   decisionText,
	"needReviewKind": func(kind string) string { return reviewKindLabels[kind] },
	"needVerdict":    func(v string) string { return frontdoor.VerdictLabel[v] },
	"needVerdictClass": func(v string) string {
		switch v {
		case "approve":
			return "label ok"
		case "reject":
			return "label warn"
		}
		return "label"
	},
	"needEvent": func(action string) string {
		if l, ok := eventLabels[action]; ok {
			return l
		}
		return actionLabel(action)
	},
	"needAction": actionLabel,
	// A review's event reads "Approve: notes"; without notes, just "Approve".
	"needReason": func(r string) string { return strings.TrimRight(r, ": ") },
	"needReasonLabel": func(action string) string {
		if l, ok := reasonLabels[action]; ok {
			return l
		}
		return "Why?"
	},
	// needOpen reports whether a form of the page came back with what was
	// typed or with errors, so that its folded section shows open.
	"needOpen": func(v page.View, prefix string) bool {
		p := v.PageBase()
		for k := range p.Form {
			if strings.HasPrefix(k, prefix) {
				return true
			}
		}
		return slices.ContainsFunc(p.Errors, func(e engage.FieldError) bool { return strings.HasPrefix(e.Field, prefix) })
	},
	"needDataClass": func(c string) string { return catalog.Label(catalog.DataClasses, c) },
	"needDate": func(d *catalog.Date) string {
		if d == nil {
			return ""
		}
		return d.Format("2 Jan 2006")
	},
	"needHours": formatHours,
	// needField is field with an input name of its own, for pages that
	// hold several forms with the same field names (reason, notes…): the
	// id, which the error summary links to, is unique; the name is not.
	"needField": func(v page.View, id, name, label, hint string, rest ...string) map[string]any {
		m := page.Field(v, id, label, hint, rest...)
		m["InputName"] = name
		return m
	},
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

// serviceLevels are the service levels of the stages in working days,
// keyed by the stages' names, for the templates' index.
func serviceLevels() map[string]int {
	levels := map[string]int{}
	for st, days := range frontdoor.ServiceLevels {
		levels[string(st)] = days
	}
	return levels
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

// decisionText names a decision by its option, with the kind when the
// option's title does not already say it ("Reuse Team chat…").
func decisionText(kind, title string) string {
	label := optionKindLabels[kind]
	if label == "" || strings.HasPrefix(strings.ToLower(title), strings.ToLower(label)) {
		return title
	}
	return label + ": " + title
}
