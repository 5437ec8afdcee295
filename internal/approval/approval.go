// Package approval is Engage's one consent mechanism: approval policies,
// the requests they govern, the decisions taken on them and the delegations
// that let someone away be replaced. The catalog submits its orders here and
// the front door its needs; each registers a handler that runs when one of
// its requests is decided.
//
// Rules, and the choices made where the business rules are silent:
//   - Active policies are tried in priority order (lowest number first, then
//     oldest); the first whose given conditions all match applies. No
//     matching policy means no approval is needed: the request is created
//     approved ("no approval needed: no policy applies") and its subject's
//     handler runs at once.
//   - An amount condition names its currency and matches only requests in
//     that currency (no conversion). A data classification condition matches
//     a request classified at or above it; a request that states no
//     classification does not match it. A department condition matches the
//     department and every department below it.
//   - Approvers are resolved per stage when the request is submitted and
//     kept, so later changes to the organisation do not change who approves.
//     Only active people are approvers. The requester is never one of them:
//     when the budget holder (or BRM) rule finds the requester, it walks on
//     up the tree to the next department's budget holder (or BRM) above; a
//     requester without a manager goes to their department's budget holder
//     the same way. When nobody is left above, the stage falls to the people
//     with the Finance role. Each approver found that way carries a note
//     saying so, shown to everyone who reads the request. A stage that still
//     resolves to nobody, or to fewer people than its quorum needs, refuses
//     the submission with a message naming the policy and stage: a
//     misconfigured policy never approves silently.
//   - Stages run in order; a stage is approved when its quorum is met (all,
//     any, or n approvals), the request when its last stage is. The first
//     decline ends the request, with the decliner's reason (a reason is
//     required to decline). The requester or an administrator may cancel a
//     pending request, with a reason.
//   - Delegation is applied when someone decides, not at submission: a
//     delegate may decide in the place of an approver whose delegation to
//     them covers today's date (UTC, inclusive). The decision records both.
//   - A person sees the requests they made, those where they are an approver
//     (or the delegate of one today, or decided on), and administrators see
//     all. A request a person may not see answers "not found".
//   - Policies are readable by everyone signed in, so people can see why
//     approval is needed; only administrators change them. Changes, requests
//     and decisions are audited in the same transaction as the change, and a
//     decision and the subject handler it triggers commit or fail together.
package approval

import (
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
)

// Request states.
const (
	Pending   = "pending"
	Approved  = "approved"
	Declined  = "declined"
	Cancelled = "cancelled"
)

// Verdicts of a decision. Cancel is recorded beside the two real verdicts so
// that the timeline shows who withdrew a request and why.
const (
	Approve = "approve"
	Decline = "decline"
	Cancel  = "cancel"
)

// Where a decision was taken.
const (
	ViaInbox = "inbox" // on Engage's own pages
	ViaLink  = "link"  // from a signed link in a message, without signing in
	ViaAPI   = "api"
)

// Quorums of a stage.
const (
	QuorumAll = "all" // every approver of the stage
	QuorumAny = "any" // one approver
	QuorumN   = "n"   // QuorumN approvers
)

// Approver rules.
const (
	RuleManager      = "manager"       // the requester's manager
	RuleBudgetHolder = "budget-holder" // the head of the request's department, or of the nearest department above with one
	RuleBRM          = "brm"           // the BRM of the request's department, or of the nearest department above with one
	RuleRole         = "role"          // everyone holding a role
	RulePeople       = "people"        // named people
)

// Rules lists the approver rules in the order they are shown.
var Rules = []string{RuleManager, RuleBudgetHolder, RuleBRM, RuleRole, RulePeople}

// RuleLabels are the plain-words names of the rules.
var RuleLabels = map[string]string{
	RuleManager:      "The requester's manager",
	RuleBudgetHolder: "The department's budget holder",
	RuleBRM:          "The department's business relationship manager",
	RuleRole:         "Everyone with a role",
	RulePeople:       "Named people",
}

// DataClasses are the data classifications, from least to most sensitive.
var DataClasses = []string{"public", "internal", "confidential", "restricted"}

// DataClassRank returns the position of class in DataClasses, or -1.
func DataClassRank(class string) int { return slices.Index(DataClasses, class) }

// Conditions say which requests a policy applies to. Every condition given
// must match; an empty Conditions matches every request.
type Conditions struct {
	MinAmount     *decimal.Decimal `json:"min_amount,omitempty" doc:"Applies to amounts at or above this, written as a string (\"5000.00\"); needs currency."`
	Currency      string           `json:"currency,omitempty" doc:"ISO 4217 code of min_amount; requests in other currencies do not match."`
	OfferingIDs   []int64          `json:"offering_ids,omitempty" doc:"Applies when the request includes one of these offerings."`
	ServiceIDs    []int64          `json:"service_ids,omitempty" doc:"Applies when the request includes one of these services."`
	MinDataClass  string           `json:"min_data_class,omitempty" enum:"public,internal,confidential,restricted" doc:"Applies to data classified at or above this."`
	DepartmentIDs []int64          `json:"department_ids,omitempty" doc:"Applies to these departments and every department below them."`
	SubjectTypes  []string         `json:"subject_types,omitempty" doc:"Applies to these kinds of request, for example order or need."`
}

// ApproverRule names who approves a stage.
type ApproverRule struct {
	Kind      string      `json:"kind" enum:"manager,budget-holder,brm,role,people"`
	Role      access.Role `json:"role,omitempty" doc:"The role, for kind role."`
	PersonIDs []int64     `json:"person_ids,omitempty" doc:"The people, for kind people."`
}

// Stage is one step of a policy; its approvers act in parallel.
type Stage struct {
	Name      string         `json:"name"`
	Quorum    string         `json:"quorum" enum:"all,any,n" doc:"all: every approver; any: one; n: quorum_n of them."`
	QuorumN   int            `json:"quorum_n,omitempty" doc:"How many approvals the stage needs when quorum is n."`
	Approvers []ApproverRule `json:"approvers"`
}

// Policy says which requests need whose approval.
type Policy struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Active      bool       `json:"active"`
	Priority    int        `json:"priority" doc:"Order of evaluation, lowest first; the first matching active policy applies."`
	Conditions  Conditions `json:"conditions"`
	Stages      []Stage    `json:"stages"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// PolicyInput is what an administrator sets on a policy.
type PolicyInput struct {
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Active      bool       `json:"active"`
	Priority    int        `json:"priority" minimum:"0" doc:"Order of evaluation, lowest first."`
	Conditions  Conditions `json:"conditions"`
	Stages      []Stage    `json:"stages"`
}

// Input returns the editable part of p.
func (p Policy) Input() PolicyInput {
	return PolicyInput{Name: p.Name, Description: p.Description, Active: p.Active, Priority: p.Priority,
		Conditions: p.Conditions, Stages: p.Stages}
}

// SubmitInput describes the subject that needs consent. Other packages fill
// it in when they create the subject.
type SubmitInput struct {
	SubjectType  string          // "order", "need", …
	SubjectID    int64           // the subject's id in its own package
	Title        string          // what approvers see, e.g. "ORD-2026-000007: 20 laptops"
	Summary      string          // the amount in words, e.g. "€6,696.00 over 36 months (€186.00 a month)"
	Link         string          // URL path of the subject, e.g. "/orders/7"
	RequesterID  int64           // who asks
	DepartmentID int64           // whose money or data it is
	Amount       decimal.Decimal // zero when there is no amount
	Currency     string          // of Amount
	OfferingIDs  []int64
	ServiceIDs   []int64
	DataClass    string // one of DataClasses, or ""
}

// Approver is a person resolved to approve one stage of a request.
type Approver struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Rule     string `json:"rule" doc:"The rule that made them an approver."`
	Note     string `json:"note,omitempty" doc:"Why them, when the rule had to look further than usual (the requester holds the budget, say)."`
}

// RequestStage is a stage of a request with its resolved approvers.
type RequestStage struct {
	Position  int        `json:"position" doc:"1 for the first stage."`
	Name      string     `json:"name"`
	Quorum    string     `json:"quorum" enum:"all,any,n"`
	QuorumN   int        `json:"quorum_n,omitempty"`
	Status    string     `json:"status" enum:"waiting,pending,approved,declined,cancelled" doc:"waiting: an earlier stage is not done; pending: waiting for decisions now."`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	Approvers []Approver `json:"approvers"`
}

// Needed returns how many approvals the stage needs.
func (s RequestStage) Needed() int {
	switch s.Quorum {
	case QuorumAny:
		return 1
	case QuorumN:
		return s.QuorumN
	}
	return len(s.Approvers)
}

// Decision is one approval, decline or cancellation.
type Decision struct {
	ID           int64     `json:"id"`
	RequestID    int64     `json:"request_id"`
	Stage        int       `json:"stage"`
	Verdict      string    `json:"verdict" enum:"approve,decline,cancel"`
	DeciderID    int64     `json:"decider_id,omitempty" doc:"Who decided."`
	DeciderName  string    `json:"decider_name"`
	ApproverID   int64     `json:"approver_id,omitempty" doc:"The approver whose decision this is; differs from decider_id when a delegate decided."`
	ApproverName string    `json:"approver_name,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	Via          string    `json:"via" enum:"inbox,link,api"`
	At           time.Time `json:"at"`
}

// Who names the decider, and the approver they stood in for: "Dana
// Whitfield for Sam Okafor".
func (d Decision) Who() string {
	if d.ApproverID != 0 && d.ApproverID != d.DeciderID {
		return d.DeciderName + " for " + d.ApproverName
	}
	return d.DeciderName
}

// Request is one subject's request for consent.
type Request struct {
	ID             int64           `json:"id"`
	SubjectType    string          `json:"subject_type"`
	SubjectID      int64           `json:"subject_id"`
	Title          string          `json:"title"`
	Summary        string          `json:"summary,omitempty" doc:"What is asked for, in words: \"€6,696.00 over 36 months (€186.00 a month)\""`
	Link           string          `json:"link,omitempty"`
	RequesterID    int64           `json:"requester_id"`
	RequesterName  string          `json:"requester_name"`
	DepartmentID   int64           `json:"department_id,omitempty"`
	DepartmentName string          `json:"department_name,omitempty"`
	Amount         decimal.Decimal `json:"amount"`
	Currency       string          `json:"currency,omitempty"`
	OfferingIDs    []int64         `json:"offering_ids" nullable:"false"`
	ServiceIDs     []int64         `json:"service_ids" nullable:"false"`
	DataClass      string          `json:"data_class,omitempty"`
	PolicyID       int64           `json:"policy_id,omitempty" doc:"The policy that applied; absent when none did."`
	PolicyName     string          `json:"policy_name,omitempty"`
	Status         string          `json:"status" enum:"pending,approved,declined,cancelled"`
	CurrentStage   int             `json:"current_stage" doc:"The stage waiting for decisions (pending), or where the request ended."`
	Outcome        string          `json:"outcome,omitempty" doc:"Why it ended: the decline or cancellation reason, or why no approval was needed."`
	DecidedAt      *time.Time      `json:"decided_at,omitempty"`
	Version        int             `json:"version"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`

	// Filled in when one request is read.
	Stages    []RequestStage `json:"stages,omitempty"`
	Decisions []Decision     `json:"decisions,omitempty"`
}

// Stage returns the stage at position (1-based), or false.
func (r Request) Stage(position int) (RequestStage, bool) {
	for _, s := range r.Stages {
		if s.Position == position {
			return s, true
		}
	}
	return RequestStage{}, false
}

// Cancels reports whether p may cancel the request: its requester or an
// administrator.
func (r Request) Cancels(p *access.Principal) bool {
	return p != nil && (r.RequesterID == p.PersonID || p.IsAdmin())
}

// CancellableBy reports whether p may cancel the request now: one who
// Cancels it, while it waits for approval.
func (r Request) CancellableBy(p *access.Principal) bool {
	return r.Status == Pending && r.Cancels(p)
}

// RequestFilter narrows a list of requests. Lists are newest first.
type RequestFilter struct {
	Status      string
	Mine        bool // only requests the person made
	DecidedByMe bool // only requests the person decided on
	Cursor      string
	Limit       int
}

// InboxItem is a request waiting for a person's decision, with the
// approvers they would decide for (themselves, or whoever delegated to them).
type InboxItem struct {
	Request Request    `json:"request"`
	For     []Approver `json:"for"`
}

// DecideInput is a decision on the current stage of a request.
type DecideInput struct {
	Verdict string `json:"verdict" enum:"approve,decline"`
	Reason  string `json:"reason,omitempty" doc:"Required to decline; the requester sees it."`
	// OnBehalfOf chooses, when the decider may act for several approvers,
	// whose decision this is; 0 means themselves first.
	OnBehalfOf int64  `json:"on_behalf_of_id,omitempty" doc:"The approver you decide for, when you are their delegate; yourself if absent."`
	Via        string `json:"-"`
}

// Delegation lets Delegate decide in Delegator's place from From to To
// (whole UTC days, inclusive, written YYYY-MM-DD).
type Delegation struct {
	ID            int64     `json:"id"`
	DelegatorID   int64     `json:"delegator_id"`
	DelegatorName string    `json:"delegator_name"`
	DelegateID    int64     `json:"delegate_id"`
	DelegateName  string    `json:"delegate_name"`
	From          string    `json:"from" format:"date"`
	To            string    `json:"to" format:"date"`
	Note          string    `json:"note,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// ActiveOn reports whether the delegation covers the UTC day of t.
func (d Delegation) ActiveOn(t time.Time) bool {
	day := t.UTC().Format(dateLayout)
	return d.From <= day && day <= d.To
}

// DelegationInput creates a delegation. DelegatorID 0 means the person
// creating it.
type DelegationInput struct {
	DelegatorID int64  `json:"delegator_id,omitempty" doc:"Who is away; yourself if absent. Only administrators may name someone else."`
	DelegateID  int64  `json:"delegate_id" doc:"Who decides in their place."`
	From        string `json:"from" doc:"First day, YYYY-MM-DD (UTC)."`
	To          string `json:"to" doc:"Last day, YYYY-MM-DD (UTC), inclusive."`
	Note        string `json:"note,omitempty"`
}

// DelegationFilter narrows a list of delegations: those a person gave or
// received. Administrators may list anyone's (PersonID) or all (0).
type DelegationFilter struct {
	PersonID int64
	Cursor   string
	Limit    int
}

const dateLayout = "2006-01-02"
