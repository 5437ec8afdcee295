package frontdoorpages

import (
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/web/page"
)

// homeView is the front door: ask first, then the person's needs and work.
type homeView struct {
	page.Base
	Mine     []needRow
	MoreMine bool
	Works    bool           // the person has a work queue in the front door
	Levels   map[string]int // the service level of each stage, in working days, by the stage's name
	InQueue  int            // needs waiting for the person
	Overdue  int            // of which overdue
}

// needsView is the list of needs with its filters, or the work queue.
type needsView struct {
	page.Base
	Rows        []needRow
	Next        string
	Queue       bool
	Path        string // the list's own address, for its filters
	Filter      frontdoor.ListFilter
	States      []frontdoor.State
	Departments []org.Department
	CSV         string // the list as a file
	Overdue     int
	Works       bool
}

// dashboardView is the front door at a glance.
type dashboardView struct {
	page.Base
	D            frontdoor.NeedsDashboard
	Stages       []countRow
	Chart        *page.BarChart
	Groups       []string // the columns of the table by department
	Departments  []departmentRow
	Totals       departmentRow
	Times        []stageTimeRow
	Mix          []countRow
	Decided      int
	Saved        []saving
	SavedInRange []saving
	Overdue      []needRow
	RangeLabel   string
	From, To     string // the days of the range, as typed or defaulted
}

// saving is what reuse saved in one currency.
type saving struct {
	Currency string
	Amount   decimal.Decimal
}

// needFormView is the form asking for something new or changing a draft,
// with what already exists for its words.
type needFormView struct {
	page.Base
	Reference   string // "" for a new need
	Departments []org.Department
	Classes     []dataClassHint
	Suggest     suggestionsView
	Script      scriptData
	// Processes are the register's processes offered on the form, those
	// matching what was typed first.
	Processes []processChoice
}

// processChoice is a process offered on the need form; Matches is the
// typed phrase it matches, if any.
type processChoice struct {
	process.MapEntry
	Matches string
}

// suggestionsView is what the "what already exists" panel shows.
type suggestionsView struct {
	Checked bool // whether there was text to look for
	S       frontdoor.Suggestions
	Asked   []AskedTopic // community topics like it: others asked this
}

// scriptData is what suggest.js needs to draw suggestions the way the
// server does, as JSON text: unit and state labels, and the departments
// whose needs the person may open.
type scriptData struct {
	Units, States, Kinds, Readable string
}

// needView is a need with the forms of what the person may do.
type needView struct {
	page.Base
	D          frontdoor.NeedDetail
	N          frontdoor.Need
	Forms      []actionForm
	CanEdit    bool
	Reviews    []reviewCard
	Verdicts   []string
	CanPropose bool
	Offerings  []catalog.OfferingOption // for a reuse option, or a need met by the catalog
	Chosen     *frontdoor.NeedOption    // the board's choice
	CanOrder   bool
	HasActions bool
	// CatalogOffering is the offering that met the need, for one closed
	// that way.
	CatalogOffering *offeringLink
	Affected        string // the other departments, named
	Budget          string
	Stopped         string // why a need was stopped
	Resolution      string // how a need not decided by the board ended
	Progress        []progressStep
	SeesApproval    bool
	Suggest         *suggestionsView // what already exists, until the board has decided
}

// offeringLink names a catalog offering and links to its service.
type offeringLink struct{ Name, Slug string }

// gateView is the delivery gate, with its answer for a reference.
type gateView struct {
	page.Base
	Answer *frontdoor.GateAnswer
}

// Samples of the views for the template check.

var sampleSuggestions = suggestionsView{Checked: true, S: frontdoor.Suggestions{
	Services: []catalog.ServiceCard{{Service: catalog.Service{Name: "Team chat", Slug: "team-chat"}}},
	Needs:    []frontdoor.NeedMatch{{Reference: "NEED-2026-0001", Title: "Chat", State: frontdoor.Submitted, Decision: "Reuse"}},
}, Asked: []AskedTopic{{Title: "Chat on phones", Path: "/communities/messaging/topics/1", Community: "Messaging", Kind: "question", Answered: true}}}

func sampleDashboard() *dashboardView {
	row := departmentRow{Name: "Research", ID: 1, Counts: []int{1, 0, 0, 0, 0}, Total: 1}
	return &dashboardView{Stages: []countRow{{Key: string(frontdoor.Draft), Label: "Draft", Count: 1, Share: "100%"}},
		Chart:  &page.BarChart{Title: "Needs by stage", Height: 50, Bars: []page.Bar{{Label: "Draft", Value: "1"}}},
		Groups: []string{"Draft"}, Departments: []departmentRow{row}, Totals: row,
		Times: []stageTimeRow{{State: "Draft", Median: "1 day", P90: "2 days", Count: 1, Level: 1}},
		Mix:   []countRow{{Key: "reuse", Label: "Reuse", Count: 1}}, Decided: 1,
		Saved: []saving{{Currency: "EUR", Amount: decimal.NewFromInt(10)}}, SavedInRange: []saving{{Currency: "EUR"}},
		Overdue: []needRow{{}}}
}

func sampleNeed() *needView {
	opt := frontdoor.NeedOption{ID: 1, Kind: "reuse", Title: "Team chat", Currency: "EUR"}
	n := frontdoor.Need{Reference: "NEED-2026-0001", Title: "Chat", State: frontdoor.Decision, Users: 10, ApprovalID: 1}
	return &needView{N: n,
		D:       frontdoor.NeedDetail{Need: n, Options: []frontdoor.NeedOption{opt}, Events: []frontdoor.NeedEvent{{Action: "submit"}}},
		Forms:   []actionForm{{Action: "decide", Label: "Decide"}, {Action: "merge", Label: "Merge", Reason: true}, {Action: "use_catalog", Label: "Use the catalog"}},
		CanEdit: true, Reviews: []reviewCard{{Kind: "security", Record: true, Review: &frontdoor.NeedReview{}}},
		Verdicts: frontdoor.Verdicts, CanPropose: true, Offerings: []catalog.OfferingOption{{ID: 1}}, Chosen: &opt, CanOrder: true,
		HasActions: true, CatalogOffering: &offeringLink{Name: "Team chat", Slug: "team-chat"}, Progress: []progressStep{{Label: "Draft", Status: "done"}},
		SeesApproval: true, Suggest: &sampleSuggestions}
}
