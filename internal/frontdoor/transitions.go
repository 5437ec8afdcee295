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

// Transition is one allowed move of the state machine.
type Transition struct {
	Action string
	From   []string
	To     string
	By     string
	// Reason is required when the move refuses or reverses.
	Reason bool
	Label  string
}

// Transitions is the whole state machine. Anything not listed is refused.
var Transitions = []Transition{
	{Action: "submit", From: []string{Draft}, To: Submitted, By: ByRequester, Label: "Submit"},
	{Action: "start_triage", From: []string{Submitted}, To: Triage, By: ByBRM, Label: "Start triage"},
	{Action: "request_info", From: []string{Submitted, Triage}, To: Draft, By: ByBRM, Reason: true, Label: "Ask for more information"},
	{Action: "accept", From: []string{Triage}, To: Assessment, By: ByBRM, Label: "Accept for assessment"},
	{Action: "merge", From: []string{Triage}, To: Closed, By: ByBRM, Reason: true, Label: "Merge with a duplicate"},
	{Action: "use_catalog", From: []string{Triage}, To: Closed, By: ByBRM, Reason: true, Label: "Send to a catalog offering"},
	{Action: "reject_triage", From: []string{Submitted, Triage}, To: Rejected, By: ByBRM, Reason: true, Label: "Reject"},
	{Action: "to_decision", From: []string{Assessment}, To: Decision, By: ByBRM, Label: "Send to the board"},
	{Action: "decide", From: []string{Decision}, To: Approved, By: ByBoard, Label: "Decide"},
	{Action: "reassess", From: []string{Decision}, To: Assessment, By: ByBoard, Reason: true, Label: "Send back for assessment"},
	{Action: "reject", From: []string{Assessment, Decision}, To: Rejected, By: ByBoard, Reason: true, Label: "Reject"},
	{Action: "start_delivery", From: []string{Approved}, To: InDelivery, By: ByDelivery, Label: "Start delivery"},
	{Action: "deliver", From: []string{InDelivery}, To: Delivered, By: ByDelivery, Label: "Mark delivered"},
	{Action: "accept_delivery", From: []string{Delivered}, To: Closed, By: ByRequester, Label: "Accept and close"},
	{Action: "reopen", From: []string{Delivered}, To: InDelivery, By: ByRequester, Reason: true, Label: "Not yet: send back to delivery"},
	{Action: "withdraw", From: []string{Draft, Submitted, Triage, Assessment, Decision, Approved}, To: Withdrawn, By: ByRequester, Reason: true, Label: "Withdraw"},
}

// TransitionFor returns the transition for action from state, or false.
func TransitionFor(action, from string) (Transition, bool) {
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
var ServiceLevels = map[string]int{Submitted: 1, Triage: 2, Assessment: 5, Decision: 5, Approved: 10}
