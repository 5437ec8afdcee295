package frontdoor

import (
	"slices"

	"github.com/engagehq/engage/internal/access"
)

// Who may take an action.
const (
	ByRequester = "requester" // the person who wrote the need
	ByBRM       = "brm"       // a BRM covering the need's department, or an admin
	ByBoard     = "board"     // the portfolio board
	ByDelivery  = "delivery"  // the BRM or the board, who hand over to delivery
)

// Action moves a need from one state to another.
type Action string

// Actions of the state machine.
const (
	ActionSubmit         Action = "submit"
	ActionStartTriage    Action = "start_triage"
	ActionRequestInfo    Action = "request_info"
	ActionAccept         Action = "accept"
	ActionMerge          Action = "merge"
	ActionUseCatalog     Action = "use_catalog"
	ActionRejectTriage   Action = "reject_triage"
	ActionToDecision     Action = "to_decision"
	ActionDecide         Action = "decide"
	ActionReassess       Action = "reassess"
	ActionReject         Action = "reject"
	ActionStartDelivery  Action = "start_delivery"
	ActionDeliver        Action = "deliver"
	ActionAcceptDelivery Action = "accept_delivery"
	ActionReopen         Action = "reopen"
	ActionWithdraw       Action = "withdraw"
)

// Transition is one allowed move of the state machine.
type Transition struct {
	Action Action
	From   []State
	To     State
	By     string
	// Reason is required when the move refuses or reverses.
	Reason bool
	Label  string
}

// Transitions is the whole state machine. Anything not listed is refused.
var Transitions = []Transition{
	{Action: ActionSubmit, From: []State{Draft}, To: Submitted, By: ByRequester, Label: "Submit"},
	{Action: ActionStartTriage, From: []State{Submitted}, To: Triage, By: ByBRM, Label: "Start triage"},
	{Action: ActionRequestInfo, From: []State{Submitted, Triage}, To: Draft, By: ByBRM, Reason: true, Label: "Ask for more information"},
	{Action: ActionAccept, From: []State{Triage}, To: Assessment, By: ByBRM, Label: "Accept for assessment"},
	{Action: ActionMerge, From: []State{Triage}, To: Closed, By: ByBRM, Reason: true, Label: "Merge with a duplicate"},
	{Action: ActionUseCatalog, From: []State{Triage}, To: Closed, By: ByBRM, Reason: true, Label: "Send to a catalog offering"},
	{Action: ActionRejectTriage, From: []State{Submitted, Triage}, To: Rejected, By: ByBRM, Reason: true, Label: "Reject"},
	{Action: ActionToDecision, From: []State{Assessment}, To: Decision, By: ByBRM, Label: "Send to the board"},
	{Action: ActionDecide, From: []State{Decision}, To: Approved, By: ByBoard, Label: "Decide"},
	{Action: ActionReassess, From: []State{Decision}, To: Assessment, By: ByBoard, Reason: true, Label: "Send back for assessment"},
	{Action: ActionReject, From: []State{Assessment, Decision}, To: Rejected, By: ByBoard, Reason: true, Label: "Reject"},
	{Action: ActionStartDelivery, From: []State{Approved}, To: InDelivery, By: ByDelivery, Label: "Start delivery"},
	{Action: ActionDeliver, From: []State{InDelivery}, To: Delivered, By: ByDelivery, Label: "Mark delivered"},
	{Action: ActionAcceptDelivery, From: []State{Delivered}, To: Closed, By: ByRequester, Label: "Accept and close"},
	{Action: ActionReopen, From: []State{Delivered}, To: InDelivery, By: ByRequester, Reason: true, Label: "Not yet: send back to delivery"},
	{Action: ActionWithdraw, From: []State{Draft, Submitted, Triage, Assessment, Decision, Approved}, To: Withdrawn, By: ByRequester, Reason: true, Label: "Withdraw"},
}

// Actions lists every action of the state machine once, in the order of
// Transitions.
func Actions() []Action {
	var out []Action
	for _, t := range Transitions {
		if !slices.Contains(out, t.Action) {
			out = append(out, t.Action)
		}
	}
	return out
}

// TransitionFor returns the transition for action from state, or false.
func TransitionFor(action Action, from State) (Transition, bool) {
	for _, t := range Transitions {
		if t.Action == action && slices.Contains(t.From, from) {
			return t, true
		}
	}
	return Transition{}, false
}

// may reports whether p may take t on n.
func may(p *access.Principal, t Transition, n *Need) bool {
	if p == nil {
		return false
	}
	switch t.By {
	case ByRequester:
		return p.PersonID == n.RequesterID
	case ByBRM:
		return isBRM(p, n)
	case ByBoard:
		return p.Has(access.PortfolioBoard)
	case ByDelivery:
		return isBRM(p, n) || p.Has(access.PortfolioBoard)
	}
	return false
}

// isBRM: a BRM who covers the need's department, or an admin.
func isBRM(p *access.Principal, n *Need) bool {
	return p.IsAdmin() || (p.Has(access.BRM) && n.BRMID == p.PersonID) || p.IsBRMOf(n.DepartmentID)
}

// reviewerRole is the role that records each kind of review.
var reviewerRole = map[string]access.Role{
	"architecture": access.ReviewerArchitecture,
	"security":     access.ReviewerSecurity,
	"finance":      access.ReviewerFinance,
}

// ServiceLevels are the target working days in each stage.
var ServiceLevels = map[State]int{Submitted: 1, Triage: 2, Assessment: 5, Decision: 5, Approved: 10}
