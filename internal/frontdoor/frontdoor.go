// Package frontdoor is Engage's front door: technology needs, the one way
// the business asks IT for technology. A need moves through triage by the
// department's BRM, parallel architecture, security and finance reviews,
// options (reuse a service, buy, build, broker) and a decision by the
// portfolio board, into delivery. Delivery teams ask the gate whether work
// for a need may proceed.
//
// Decisions:
//   - The state machine is the table in transitions.go: each action names
//     the states it leaves from, the state it reaches, who may take it and
//     whether a reason is required (always, when it refuses or reverses).
//   - The BRM of a need is the BRM of its department (or of the nearest
//     department above with one) at submission; any BRM who covers the
//     department, and admins, may act as BRM.
//   - Assessment moves to decision once all three reviews are recorded.
//   - A decision names an option. An option whose data ceiling is below the
//     need's data classification cannot be chosen without a recorded
//     exception. The board's decision goes through the approval policies for
//     subject type "need" (amount: the option's three-year total); with none,
//     the need is approved at once.
//   - Needs are department data (see package access); reviewers also see
//     every need in assessment or later. Reuse suggestions show the title,
//     department, state and decision of earlier needs from every department.
//   - Three-year total cost = one-time + 36 × monthly, in the option's currency.
//   - Service levels are working days (Monday to Friday) in each stage.
package frontdoor

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/process"
)

// State is where a need is in its workflow. The states and the moves
// between them are the table in transitions.go.
type State string

// States of a need.
const (
	Draft      State = "draft"
	Submitted  State = "submitted"
	Triage     State = "triage"
	Assessment State = "assessment"
	Decision   State = "decision"
	Approved   State = "approved"
	InDelivery State = "in_delivery"
	Delivered  State = "delivered"
	Closed     State = "closed"
	Rejected   State = "rejected"
	Withdrawn  State = "withdrawn"
)

// States lists every state in the order a need moves through them.
var States = []State{Draft, Submitted, Triage, Assessment, Decision, Approved, InDelivery, Delivered, Closed, Rejected, Withdrawn}

// StateLabels are the plain words shown for each state.
var StateLabels = map[State]string{
	Draft: "Draft", Submitted: "Submitted", Triage: "Being triaged", Assessment: "Being assessed", Decision: "Waiting for a decision",
	Approved: "Approved", InDelivery: "In delivery", Delivered: "Delivered", Closed: "Closed", Rejected: "Rejected", Withdrawn: "Withdrawn",
}

// Label is the plain words shown for s.
func (s State) Label() string { return StateLabels[s] }

// Final reports whether no transition leaves state.
func Final(state State) bool { return state == Closed || state == Rejected || state == Withdrawn }

// NeedReview kinds, verdicts and option kinds.
var (
	ReviewKinds  = []string{"architecture", "security", "finance"}
	Verdicts     = []string{"approve", "approve_with_conditions", "reject"}
	OptionKinds  = []string{"reuse", "buy", "build", "broker"}
	VerdictLabel = map[string]string{"approve": "Approve", "approve_with_conditions": "Approve with conditions", "reject": "Reject"}
)

// SubjectNeed is the approval subject type of needs.
const SubjectNeed = "need"

// Need is a technology demand.
type Need struct {
	ID               int64            `json:"id"`
	Reference        string           `json:"reference" example:"NEED-2026-0042"`
	Title            string           `json:"title"`
	Problem          string           `json:"problem"`
	Outcome          string           `json:"outcome"`
	Processes        string           `json:"processes" doc:"Business processes affected, in the requester's words"`
	ProcessIDs       []int64          `json:"process_ids" nullable:"false" doc:"Processes of the register the need affects"`
	Origin           *Origin          `json:"origin,omitempty" doc:"Where the need came from, when another area created it (an idea of a community)"`
	RequesterID      int64            `json:"requester_id"`
	RequesterName    string           `json:"requester_name"`
	DepartmentID     int64            `json:"department_id"`
	DepartmentName   string           `json:"department_name"`
	Departments      []int64          `json:"affected_department_ids" nullable:"false" doc:"Other departments affected"`
	SponsorID        int64            `json:"sponsor_id,omitempty"`
	SponsorName      string           `json:"sponsor_name,omitempty"`
	Users            int              `json:"users"`
	DataClass        string           `json:"data_class" enum:"public,internal,confidential,restricted"`
	BudgetMin        *decimal.Decimal `json:"budget_min,omitempty"`
	BudgetMax        *decimal.Decimal `json:"budget_max,omitempty"`
	Currency         string           `json:"currency"`
	NeededBy         *catalog.Date    `json:"needed_by,omitempty"`
	State            State            `json:"state"`
	StateSince       time.Time        `json:"state_since"`
	BRMID            int64            `json:"brm_id,omitempty"`
	BRMName          string           `json:"brm_name,omitempty"`
	DuplicateOf      string           `json:"duplicate_of,omitempty" doc:"Reference of the need this one was merged into"`
	CatalogOffering  int64            `json:"catalog_offering_id,omitempty" doc:"The catalog offering it was sent to"`
	DecisionOptionID int64            `json:"decision_option_id,omitempty"`
	DecisionReason   string           `json:"decision_reason,omitempty"`
	DecidedByName    string           `json:"decided_by,omitempty"`
	DecidedAt        *time.Time       `json:"decided_at,omitempty"`
	ApprovalID       int64            `json:"approval_request_id,omitempty"`
	OrderNumber      string           `json:"order_number,omitempty"`
	Version          int              `json:"version"`
	CreatedAt        time.Time        `json:"created_at"`
	UpdatedAt        time.Time        `json:"updated_at"`
	SubmittedAt      *time.Time       `json:"submitted_at,omitempty"`
	Overdue          bool             `json:"overdue" doc:"Longer in its stage than the service level allows"`
	DueBy            *time.Time       `json:"due_by,omitempty" doc:"When the current stage should end"`
}

// NeedInput is what the requester writes.
type NeedInput struct {
	Title       string           `json:"title"`
	Problem     string           `json:"problem"`
	Outcome     string           `json:"outcome"`
	Processes   string           `json:"processes,omitempty" doc:"Business processes affected, in your words"`
	ProcessIDs  []int64          `json:"process_ids,omitempty" doc:"Processes of the register the need affects; on a change, leaving it out keeps the links and [] removes them"`
	Departments []int64          `json:"affected_department_ids,omitempty"`
	SponsorID   int64            `json:"sponsor_id,omitempty"`
	Users       int              `json:"users"`
	DataClass   string           `json:"data_class" enum:"public,internal,confidential,restricted"`
	BudgetMin   *decimal.Decimal `json:"budget_min,omitempty" doc:"0 or more, below 10^15, at most 4 decimal places"`
	BudgetMax   *decimal.Decimal `json:"budget_max,omitempty" doc:"0 or more, below 10^15, at most 4 decimal places"`
	Currency    string           `json:"currency,omitempty" doc:"ISO 4217, one of the currencies the organisation uses; its first (EUR by default) when absent"`
	NeededBy    *catalog.Date    `json:"needed_by,omitempty"`
}

// Input returns the editable part of n.
func (n Need) Input() NeedInput {
	return NeedInput{Title: n.Title, Problem: n.Problem, Outcome: n.Outcome, Processes: n.Processes, ProcessIDs: n.ProcessIDs, Departments: n.Departments,
		SponsorID: n.SponsorID, Users: n.Users, DataClass: n.DataClass, BudgetMin: n.BudgetMin, BudgetMax: n.BudgetMax,
		Currency: n.Currency, NeededBy: n.NeededBy}
}

// NeedEvent is one step of a need's history.
type NeedEvent struct {
	At        time.Time `json:"at"`
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action" doc:"A workflow action, or review_<kind>, add_option, consent_<status>"`
	From      State     `json:"from_state"`
	To        State     `json:"to_state"`
	Reason    string    `json:"reason,omitempty"`
}

// NeedReview is an architecture, security or finance assessment.
type NeedReview struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind" enum:"architecture,security,finance"`
	ReviewerName string    `json:"reviewer_name"`
	Verdict      string    `json:"verdict" enum:"approve,approve_with_conditions,reject"`
	Notes        string    `json:"notes"`
	At           time.Time `json:"at"`
}

// NeedOption is one way to meet a need.
type NeedOption struct {
	ID           int64           `json:"id"`
	Kind         string          `json:"kind" enum:"reuse,buy,build,broker"`
	Title        string          `json:"title"`
	OfferingID   int64           `json:"offering_id,omitempty" doc:"For reuse: the catalog offering"`
	ServiceName  string          `json:"service_name,omitempty"`
	ServiceSlug  string          `json:"service_slug,omitempty"`
	Vendor       string          `json:"vendor,omitempty"`
	Currency     string          `json:"currency"`
	OneTime      decimal.Decimal `json:"one_time"`
	Monthly      decimal.Decimal `json:"monthly"`
	ThreeYear    decimal.Decimal `json:"three_year" doc:"one_time + 36 × monthly"`
	DeliveryDays int             `json:"delivery_days"`
	Risks        string          `json:"risks"`
	DataCeiling  string          `json:"data_ceiling"`
	CanHoldData  bool            `json:"can_hold_data" doc:"Whether the data ceiling covers the need's data classification"`
	Exception    string          `json:"exception,omitempty" doc:"Recorded exception allowing an option that cannot hold the data"`
	CreatedBy    string          `json:"created_by"`
	CreatedAt    time.Time       `json:"created_at"`
}

// NeedOptionInput proposes an option. For reuse, give the offering: its price
// comes from the catalog for the need's number of users.
type NeedOptionInput struct {
	Kind         string           `json:"kind" enum:"reuse,buy,build,broker"`
	Title        string           `json:"title,omitempty"`
	OfferingID   int64            `json:"offering_id,omitempty"`
	Vendor       string           `json:"vendor,omitempty"`
	Currency     string           `json:"currency,omitempty" doc:"ISO 4217, one of the currencies the organisation uses; the need's when absent"`
	OneTime      *decimal.Decimal `json:"one_time,omitempty" doc:"0 or more, below 10^15, at most 4 decimal places"`
	Monthly      *decimal.Decimal `json:"monthly,omitempty" doc:"0 or more, below 10^15, at most 4 decimal places"`
	DeliveryDays int              `json:"delivery_days,omitempty"`
	Risks        string           `json:"risks,omitempty"`
	DataCeiling  string           `json:"data_ceiling,omitempty" doc:"The highest classification the option may hold; for reuse, the service's"`
	// Version is the need's version the proposer read; 0 skips the check.
	Version int `json:"version,omitempty" minimum:"0" doc:"The need's version you read; when given, a need changed since refuses the option (409)."`
}

// NeedDetail is everything the need page shows.
type NeedDetail struct {
	Need    Need         `json:"need"`
	Events  []NeedEvent  `json:"events" nullable:"false"`
	Reviews []NeedReview `json:"reviews" nullable:"false"`
	Options []NeedOption `json:"options" nullable:"false"`
	// LinkedProcesses are the processes of ProcessIDs, as the register names them.
	LinkedProcesses []process.Ref `json:"linked_processes" nullable:"false"`
	Actions         []string      `json:"actions" nullable:"false" doc:"What the caller may do now: workflow actions, and edit, add_option, review_<kind>"`
	Next            string        `json:"next" doc:"What happens next, in words"`
}
